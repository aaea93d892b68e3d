use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// That every pool spans more than one availability zone.
    ///
    /// ## Why it matters
    /// A pool in one zone (or with no zones) goes down with that zone's datacenter. The
    /// reference implementation spreads every pool over zones 1, 2 and 3.
    ///
    /// ## How to fix
    /// `zones: [1, 2, 3]` in regions that have zones.
    ///
    /// ## References
    /// - https://github.com/Azure/aks-baseline-windows (reference implementation: zones 1, 2 and 3)
    /// - docs/sources.md#architecture-and-reference-implementation
    pub struct Pool010 {
        code: "POOL010",
        name: "single-zone-pool",
        severity: Warning,
        summary: "A node pool in a single availability zone",
    }
}

impl Rule for Pool010 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, p) in cx.pools().filter(|(_, p)| p.zones.len() <= 1) {
            let ptr = if p.zones.is_empty() {
                Ctx::pool_ptr(i)
            } else {
                format!("{}/zones", Ctx::pool_ptr(i))
            };
            out.warning(
                &ptr,
                format!(
                    "pool `{}` is in {} availability zone(s)",
                    p.name,
                    p.zones.len()
                ),
                "set `zones: [1, 2, 3]` where the region has zones",
            );
        }
    }
}
