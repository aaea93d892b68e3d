use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Each Windows pool's OS SKU against the embedded support table (`data/os_skus.csv`):
    /// - error: the SKU is not supported at the pool's Kubernetes version (Windows2019 is not
    ///   supported from 1.33, Windows2022 not from 1.37, Windows2025 needs 1.32 or later);
    /// - error: Windows2025 without `enableFips: true` (AKS requires the FIPS image);
    /// - error: the SKU's support has ended; warning: it ends within 180 days.
    ///
    /// The pool's OS SKU defaults to Windows2022 when not written.
    ///
    /// ## Why it matters
    /// An unsupported SKU fails at deployment or upgrade; a retired SKU loses security fixes,
    /// and once its node images are removed, scale-out fails. Moving to a new Windows Server
    /// version takes planning: the images must be rebuilt for it, and only Windows2022 to
    /// Windows2025 can be done in place (in preview, Kubernetes 1.32 to 1.36, the pool
    /// reimaged); every other move is a new pool.
    ///
    /// ## How to fix
    /// Create a pool with a supported SKU (e.g. Windows2022 or Windows2025 with `enableFips:
    /// true`), move workloads (rebuild images for the matching ltsc version), delete the old pool
    /// (`akswin plan migration` writes the runbook). For Windows2022 to Windows2025 the in-place
    /// update (`az aks nodepool update --os-sku Windows2025 --enable-fips-image`, preview) is the
    /// alternative, once every image of the pool is rebuilt for ltsc2025.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/learn/quick-windows-container-deploy-cli
    /// - https://learn.microsoft.com/azure/aks/upgrade-windows-os
    /// - https://github.com/Azure/AKS/issues/4091 (Windows Server 2019 retirement)
    /// - https://github.com/Azure/AKS/issues/4168 (Windows Server 2022 retirement)
    /// - docs/sources.md#windows-os-skus-and-kubernetes-versions
    pub struct Pool004 {
        code: "POOL004",
        name: "unsupported-windows-os-sku",
        severity: Error,
        summary: "Windows OS SKU unsupported at the Kubernetes version, retired, or retiring soon",
    }
}

impl Rule for Pool004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, p) in cx.windows_pools() {
            let sku = p.os_sku();
            let ptr = format!("{}/osSku", Ctx::pool_ptr(i));
            if !sku.is_windows() {
                out.error(
                    &ptr,
                    format!(
                        "Windows pool `{}` has the Linux OS SKU {}",
                        p.name,
                        sku.as_str()
                    ),
                    "use Windows2022 or Windows2025",
                );
                continue;
            }
            let Some(f) = cx.facts.os_sku(sku.as_str()) else {
                continue;
            };
            let version = p
                .kubernetes_version
                .unwrap_or(cx.spec.cluster.kubernetes_version);
            if let Some(max) = f.max_minor
                && version.minor > max
            {
                out.error(
                    &ptr,
                    format!(
                        "{} is not supported at Kubernetes {version} (last supported minor: 1.{max})",
                        sku.as_str()
                    ),
                    "move the Windows workloads to a Windows2025 pool (or Windows2022 up to 1.36)",
                );
            }
            if let Some(min) = f.min_minor
                && version.minor < min
            {
                out.error(
                    &ptr,
                    format!(
                        "{} needs Kubernetes 1.{min} or later; the pool runs {version}",
                        sku.as_str()
                    ),
                    "upgrade the cluster first, or use Windows2022",
                );
            }
            if f.requires_fips && !p.enable_fips {
                out.error(
                    &format!("{}/enableFips", Ctx::pool_ptr(i)),
                    format!("{} requires the FIPS node image", sku.as_str()),
                    "set `enableFips: true` on the pool (az aks nodepool add --enable-fips-image)",
                );
            }
            if let Some(end) = f.support_end {
                let days = (end - cx.today).num_days();
                if days <= 0 {
                    let removed = f
                        .images_removed
                        .map(|d| {
                            format!("; node images are removed on {d}, after which scale-out fails")
                        })
                        .unwrap_or_default();
                    out.error(
                        &ptr,
                        format!("{} is out of support since {end}{removed}", sku.as_str()),
                        "create a pool with a supported Windows SKU and move the workloads",
                    );
                } else if days <= 180 {
                    out.warning(
                        &ptr,
                        format!("{} support ends on {end}, in {days} days", sku.as_str()),
                        "plan a new pool with a newer Windows SKU; versions cannot change in place",
                    );
                }
            }
        }
    }
}
