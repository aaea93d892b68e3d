use crate::rules::max_pods;
use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Each pool's `maxPods` (default by CNI: 30 node subnet, 110 pod subnet, 250 overlay):
    /// - error: outside 10..250;
    /// - error: below 30 while the pool's minimum node count cannot hold 30 pods (the minimum
    ///   of 10 is allowed only "if the configuration of each node pool has space for a minimum
    ///   of 30 pods"; system pools must support at least 30 pods);
    /// - warning: above 110 on a Windows pool (Microsoft's maximum recommendation for Windows).
    ///
    /// ## Why it matters
    /// `maxPods` cannot be changed on an existing pool. Too low gives `No available addresses`
    /// on Windows; too high on Windows exceeds what the node can run well.
    ///
    /// ## How to fix
    /// Set `maxPods` between 30 and 110 for Windows pools.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning
    /// - https://learn.microsoft.com/azure/aks/use-system-pools
    /// - https://learn.microsoft.com/azure/aks/windows-faq
    /// - docs/sources.md#max-pods-per-node
    pub struct Net010 {
        code: "NET010",
        name: "max-pods-out-of-range",
        severity: Error,
        summary: "maxPods outside 10..250, too low for the pool, or above 110 on Windows",
    }
}

impl Rule for Net010 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, p) in cx.pools() {
            let mp = max_pods(cx.spec, p);
            let ptr = format!("{}/maxPods", Ctx::pool_ptr(i));
            if !(10..=250).contains(&mp) {
                out.error(
                    &ptr,
                    format!("pool `{}`: maxPods {mp} is outside 10..250", p.name),
                    "use a value between 30 and 250 (at most 110 for Windows)",
                );
                continue;
            }
            let min_nodes = p.min_nodes().max(1);
            if mp < 30 && mp * min_nodes < 30 {
                out.error(
                    &ptr,
                    format!(
                        "pool `{}`: maxPods {mp} x {min_nodes} node(s) holds {} pods; a pool with maxPods below 30 must hold at least 30",
                        p.name,
                        mp * min_nodes
                    ),
                    "raise maxPods to 30, or the minimum node count",
                );
            }
            if p.is_windows() && mp > 110 {
                out.warning(
                    &ptr,
                    format!("Windows pool `{}`: maxPods {mp} exceeds the recommended maximum of 110 for Windows", p.name),
                    "use at most 110 on Windows pools",
                );
            }
        }
    }
}
