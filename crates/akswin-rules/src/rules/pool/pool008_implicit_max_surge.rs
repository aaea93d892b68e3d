use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// That every pool sets `maxSurge` explicitly.
    ///
    /// ## Why it matters
    /// The documented default conflicts: the upgrade guide says AKS surges by one node, the
    /// API reference says 10%. Surge decides how many extra nodes (and, with Azure CNI,
    /// `maxPods + 1` addresses each) an upgrade needs, so the IP plan depends on it. akswin
    /// never leaves it to AKS: without a value it renders `maxSurge: "10%"` and sizes the
    /// subnets for exactly that, which is slow for large pools. Microsoft recommends 33% for
    /// production.
    ///
    /// ## How to fix
    /// Set `maxSurge: "33%"` (or a node count) on each pool.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling
    ///   (default one extra node; 33% for production)
    /// - https://learn.microsoft.com/azure/templates/microsoft.containerservice/managedclusters/agentpools
    ///   (`upgradeSettings.maxSurge`, default 10%)
    /// - docs/sources.md#max-surge (CONFLICT between the two; akswin renders maxSurge explicitly)
    pub struct Pool008 {
        code: "POOL008",
        name: "implicit-max-surge",
        severity: Warning,
        summary: "maxSurge not set explicitly (documented default conflicts)",
    }
}

impl Rule for Pool008 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, p) in cx.pools().filter(|(_, p)| p.max_surge.is_none()) {
            out.warning(
                &Ctx::pool_ptr(i),
                format!("pool `{}` does not set maxSurge: Microsoft documents both 1 node and 10% as the default, so akswin renders 10% and plans addresses for it", p.name),
                "set `maxSurge: \"33%\"` (Microsoft's production recommendation) or a node count",
            );
        }
    }
}
