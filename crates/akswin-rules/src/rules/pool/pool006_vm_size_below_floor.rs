use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::Mode;

declare_rule! {
    /// ## What it checks
    /// - error: a user pool VM size below 2 vCPU / 2 GiB, or a system pool size below
    ///   2 vCPU / 4 GiB or from the burstable B-series;
    /// - warning: a VM size missing from akswin's embedded table, so the disk and floor checks
    ///   cannot run. Declare it under `cluster.customVmSizes` (name, vcpus, memoryGiB, tempGiB,
    ///   cacheGiB, nvmeGiB) to have it checked.
    ///
    /// ## Why it matters
    /// AKS rejects smaller sizes at deployment; system pools need headroom for CoreDNS and
    /// friends, and burstable sizes throttle them.
    ///
    /// ## How to fix
    /// Use a supported size such as Standard_D4ds_v5.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/quotas-skus-regions
    /// - docs/sources.md#aks-limits-and-vm-size-floors; data/vm_sizes.csv
    pub struct Pool006 {
        code: "POOL006",
        name: "vm-size-below-floor",
        severity: Error,
        summary: "VM size below the AKS floor, burstable for a system pool, or unknown",
    }
}

impl Rule for Pool006 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, p) in cx.pools() {
            let ptr = format!("{}/vmSize", Ctx::pool_ptr(i));
            let Some(vm) = cx.vm_size(&p.vm_size) else {
                out.warning(
                    &ptr,
                    format!("VM size `{}` is not in akswin's embedded size table; disk and size checks skipped", p.vm_size),
                    "declare it under `cluster.customVmSizes` with vcpus, memoryGiB and its temp/cache/NVMe disk sizes",
                );
                continue;
            };
            let (min_mem, what) = match p.mode {
                Mode::System => (4.0, "system"),
                Mode::User => (2.0, "user"),
            };
            if vm.vcpus < 2 || vm.memory_gib < min_mem {
                out.error(
                    &ptr,
                    format!(
                        "{} ({} vCPU, {} GiB) is below the AKS floor for {what} pools (2 vCPU, {min_mem} GiB)",
                        vm.name, vm.vcpus, vm.memory_gib
                    ),
                    "use at least Standard_D2ds_v5; the baseline uses Standard_D4ds_v5",
                );
            }
            if p.mode == Mode::System && vm.burstable {
                out.error(
                    &ptr,
                    format!("{} is a burstable B-series size, which AKS does not allow for system pools", vm.name),
                    "use a D-series size such as Standard_D4ds_v5",
                );
            }
        }
    }
}
