use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Each pool's `kubernetesVersion` (when set) against the control plane's
    /// `cluster.kubernetesVersion`: error when the pool is newer, or more than 3 minor versions
    /// behind.
    ///
    /// ## Why it matters
    /// "The control plane version must always be equal to or greater than any node pool
    /// version. You must upgrade the control plane first." Since 1.28 the control plane may be
    /// up to three minors ahead of node pools (an older page says two: a CONFLICT between
    /// Microsoft's pages; akswin follows the current three).
    ///
    /// ## How to fix
    /// Upgrade the control plane first, then the pools, one minor at a time.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/upgrade-aks-control-plane
    /// - https://learn.microsoft.com/azure/aks/supported-kubernetes-versions
    /// - docs/sources.md#upgrades-and-version-skew
    pub struct Upg003 {
        code: "UPG003",
        name: "node-pool-version-skew",
        severity: Error,
        summary: "A node pool newer than the control plane, or more than 3 minors behind",
    }
}

impl Rule for Upg003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let cp = cx.spec.cluster.kubernetes_version;
        for (i, p) in cx.pools() {
            let Some(v) = p.kubernetes_version else {
                continue;
            };
            let ptr = format!("{}/kubernetesVersion", Ctx::pool_ptr(i));
            if v.minor > cp.minor
                || (v.minor == cp.minor && v.patch.zip(cp.patch).is_some_and(|(a, b)| a > b))
            {
                out.error(
                    &ptr,
                    format!(
                        "pool `{}` runs {v}, newer than the control plane's {cp}",
                        p.name
                    ),
                    "upgrade the control plane first",
                );
            } else if cp.minor - v.minor > 3 {
                out.error(
                    &ptr,
                    format!("pool `{}` runs {v}, {} minors behind the control plane's {cp} (at most 3 allowed)", p.name, cp.minor - v.minor),
                    "upgrade the pool, one minor at a time",
                );
            }
        }
    }
}
