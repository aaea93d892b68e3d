use crate::{Ctx, Out, Rule, declare_rule};
use akswin_plan::pool_upgrade::{DRAIN_TIMEOUT_RANGE, NODE_SOAK_RANGE, Source};

declare_rule! {
    /// ## What it checks
    /// Each Windows pool's upgrade settings against the time its pods need to come back on a
    /// new node (the largest image of the pool's workloads: pull and extraction, from the
    /// scale-out model):
    /// - error: `drainTimeoutMinutes` outside 1-1440 or `nodeSoakMinutes` outside 0-30 (ARM
    ///   refuses them);
    /// - warning: `drainTimeoutMinutes` below twice that time (or below AKS's default of 30),
    ///   or `nodeSoakMinutes` below that time (at most 30).
    ///
    /// A Windows pool that sets neither gets the recommendation rendered (`plan` shows it under
    /// "Windows pool upgrades").
    ///
    /// ## Why it matters
    /// A node image upgrade drains each node; a PodDisruptionBudget lets the next pod go only
    /// when the previous one's replacement is Ready, and on a new Windows node that waits for a
    /// multi-GiB pull. A drain that outlasts the timeout fails the upgrade (Azure/AKS issue
    /// 2114); without a soak, the next node drains while the moved replicas still pull, and the
    /// workload runs short of replicas (Azure/AKS issue 1293).
    ///
    /// ## How to fix
    /// Leave the two fields out (akswin renders the recommendation) or raise them to the values
    /// the finding gives.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling
    /// - https://github.com/Azure/AKS/issues/2114
    /// - https://github.com/Azure/AKS/issues/1293
    /// - docs/sources.md#max-surge
    pub struct Upg006 {
        code: "UPG006",
        name: "windows-pool-upgrade-settings",
        severity: Warning,
        summary: "A Windows pool's drain timeout or node soak shorter than its image pulls need",
    }
}

impl Rule for Upg006 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, p) in cx.pools() {
            let base = Ctx::pool_ptr(i);
            if let Some(d) = p.drain_timeout_minutes
                && !(DRAIN_TIMEOUT_RANGE.0..=DRAIN_TIMEOUT_RANGE.1).contains(&d)
            {
                out.error(
                    &format!("{base}/drainTimeoutMinutes"),
                    format!("drainTimeoutMinutes {d} is outside the 1-1440 ARM accepts"),
                    "leave it out on a Windows pool (akswin renders what the image pulls need), or set 1-1440",
                );
            }
            if let Some(s) = p.node_soak_minutes
                && s > NODE_SOAK_RANGE.1
            {
                out.error(
                    &format!("{base}/nodeSoakMinutes"),
                    format!("nodeSoakMinutes {s} is outside the 0-30 ARM accepts"),
                    "leave it out on a Windows pool (akswin renders what the image pulls need), or set 0-30",
                );
            }
        }
        for u in akswin_plan::resolve::pool_upgrades(cx.spec) {
            let Some((i, _)) = cx.pools().find(|(_, p)| p.name == u.pool) else {
                continue;
            };
            let base = Ctx::pool_ptr(i);
            let why = match (&u.replacement_minutes, &u.slowest_workload) {
                (Some(r), Some(w)) => format!(
                    "a replacement of {w} needs about {r:.1} minutes to pull and extract its image on a new node"
                ),
                _ => "AKS's default is 30 minutes".to_string(),
            };
            if u.drain_timeout_source == Source::Spec
                && u.drain_timeout_minutes < u.recommended_drain_timeout_minutes
                && u.drain_timeout_minutes >= DRAIN_TIMEOUT_RANGE.0
            {
                out.warning(
                    &format!("{base}/drainTimeoutMinutes"),
                    format!(
                        "pool {}: drainTimeoutMinutes {} is shorter than the {} minutes a drain may need ({why})",
                        u.pool, u.drain_timeout_minutes, u.recommended_drain_timeout_minutes
                    ),
                    &format!(
                        "set drainTimeoutMinutes: {} or leave it out",
                        u.recommended_drain_timeout_minutes
                    ),
                );
            }
            if u.node_soak_source == Source::Spec
                && u.node_soak_minutes < u.recommended_node_soak_minutes
            {
                out.warning(
                    &format!("{base}/nodeSoakMinutes"),
                    format!(
                        "pool {}: nodeSoakMinutes {} is shorter than the {} minutes moved pods need before the next node drains ({why})",
                        u.pool, u.node_soak_minutes, u.recommended_node_soak_minutes
                    ),
                    &format!(
                        "set nodeSoakMinutes: {} or leave it out",
                        u.recommended_node_soak_minutes
                    ),
                );
            }
        }
    }
}
