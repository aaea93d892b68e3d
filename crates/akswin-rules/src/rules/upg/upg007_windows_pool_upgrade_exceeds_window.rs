use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// The planner's estimate of a Windows pool's node image upgrade at its largest size
    /// against the Windows node image maintenance window (`upgrades.windowsNodeImage`): per
    /// batch of surge nodes (`maxSurge`), a new node ready (`scaling.nodeReadyMinutes`), the
    /// drained pods' replacements pulling their image, and the node soak. Warning when the
    /// estimate is longer than the window.
    ///
    /// ## Why it matters
    /// AKS starts node image upgrades inside the window; an upgrade that runs past it goes on
    /// into business hours, with drains and pulls during the load the window was meant to
    /// avoid, and a pool left on two images if it is interrupted.
    ///
    /// ## How to fix
    /// Raise `maxSurge` on the pool (more nodes per batch; it needs subnet and quota headroom),
    /// lengthen `durationHours`, pre-pull the images (`scaling.prepull`), or split the pool.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/planned-maintenance
    /// - https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling
    /// - docs/sources.md#maintenance-windows-and-patch-tuesday
    pub struct Upg007 {
        code: "UPG007",
        name: "windows-pool-upgrade-exceeds-window",
        severity: Warning,
        summary: "A Windows pool's estimated node image upgrade is longer than its maintenance window",
    }
}

impl Rule for Upg007 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for u in akswin_plan::resolve::pool_upgrades(cx.spec) {
            let (Some(est), Some(window)) = (u.estimated_minutes, u.window_minutes) else {
                continue;
            };
            if est <= f64::from(window) {
                continue;
            }
            let Some((i, _)) = cx.pools().find(|(_, p)| p.name == u.pool) else {
                continue;
            };
            out.warning(
                &format!("{}/maxSurge", Ctx::pool_ptr(i)),
                format!(
                    "pool {}: upgrading {} nodes in {} batches of {} takes about {:.0} minutes, longer than the {}-minute maintenance window (per batch: {:.0} min node ready, {:.1} min image pull, {} min soak)",
                    u.pool,
                    u.max_nodes,
                    u.batches,
                    u.surge_nodes,
                    est,
                    window,
                    u.node_ready_minutes,
                    u.replacement_minutes.unwrap_or(0.0),
                    u.node_soak_minutes
                ),
                "raise maxSurge, lengthen upgrades.windowsNodeImage.durationHours, or split the pool",
            );
        }
    }
}
