use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::OsDiskType;

declare_rule! {
    /// ## What it checks
    /// - error: an ephemeral OS disk larger than the VM size's local disk (the cache disk when
    ///   the size has one, else the temp disk or NVMe), or on a size with no local disk;
    /// - warning: a managed OS disk where an ephemeral one of the same size would fit;
    /// - warning: a Windows OS disk smaller than 128 GiB.
    ///
    /// VM sizes come from the embedded table (`data/vm_sizes.csv`) or `cluster.customVmSizes`;
    /// unknown sizes are POOL006's business.
    ///
    /// ## Why it matters
    /// A too-small local disk fails the deployment with `VMCacheSizeTooSmall`. The architecture
    /// recommends ephemeral OS disks "for all nodes, including Windows" (faster reimage and
    /// scale-out, no disk cost), and Windows images are large: AKS defaults to 128 GiB.
    ///
    /// ## How to fix
    /// Pick a size with a large enough temp disk (e.g. Standard_D8ds_v5: 300 GiB temp), lower
    /// `osDisk.sizeGiB`, or use `type: Managed` knowingly.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/virtual-machines/ephemeral-os-disks
    /// - https://learn.microsoft.com/azure/aks/concepts-storage
    /// - https://github.com/Azure/AKS/issues/2672 (`VMCacheSizeTooSmall`)
    /// - docs/sources.md#os-disks
    /// - Architecture, "Compute considerations"
    pub struct Pool005 {
        code: "POOL005",
        name: "os-disk-does-not-fit",
        severity: Error,
        summary: "Ephemeral OS disk does not fit the VM size, or a Windows OS disk is too small",
    }
}

impl Rule for Pool005 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, p) in cx.pools() {
            let base = Ctx::pool_ptr(i);
            let size = p.os_disk.size_gi_b;
            if let Some(vm) = cx.vm_size(&p.vm_size) {
                let cap = vm.ephemeral_capacity();
                match (p.os_disk.r#type, cap) {
                    (OsDiskType::Ephemeral, None) => out.error(
                        &format!("{base}/osDisk/type"),
                        format!("{} has no cache, temp or NVMe disk, so it cannot host an ephemeral OS disk", vm.name),
                        "pick a size with a local disk (e.g. a `ds` size like Standard_D8ds_v5) or use `type: Managed`",
                    ),
                    (OsDiskType::Ephemeral, Some((kind, gib))) if size > gib => out.error(
                        &format!("{base}/osDisk/sizeGiB"),
                        format!(
                            "ephemeral OS disk of {size} GiB does not fit {}'s {gib} GiB {kind} (deployment fails with VMCacheSizeTooSmall)",
                            vm.name
                        ),
                        "lower `osDisk.sizeGiB` or pick a larger size (Standard_D8ds_v5 has 300 GiB temp)",
                    ),
                    (OsDiskType::Managed, Some((kind, gib))) if size <= gib => out.warning(
                        &format!("{base}/osDisk/type"),
                        format!("managed OS disk where an ephemeral one would fit ({size} GiB on a {gib} GiB {kind})"),
                        "use `type: Ephemeral`: faster scale-out and reimage, no OS disk cost",
                    ),
                    _ => {}
                }
            }
            if p.is_windows() && size < 128 {
                out.warning(
                    &format!("{base}/osDisk/sizeGiB"),
                    format!(
                        "Windows OS disk of {size} GiB is below 128 GiB; Windows images are large"
                    ),
                    "use at least 128 GiB for Windows pools",
                );
            }
        }
    }
}
