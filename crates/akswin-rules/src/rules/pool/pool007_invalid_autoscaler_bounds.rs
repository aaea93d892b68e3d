use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::Mode;

declare_rule! {
    /// ## What it checks
    /// - error: `min` greater than `max`, only one of them given, both `count` and `min`/`max`
    ///   given, `max` (or `count`) above 1,000, or the pool plus its upgrade surge above 1,000;
    /// - warning: a user pool without the autoscaler (`count` only).
    ///
    /// ## Why it matters
    /// A VMSS pool holds at most 1,000 nodes and "pool size + surge must be ≤ 1,000 instances
    /// or upgrade is rejected". Cluster autoscaler guidance is unchanged for Windows; without
    /// it (or a hot-spare plan, SCL003) a user pool cannot follow load.
    ///
    /// ## How to fix
    /// Give `min` and `max` with `min <= max <= 1000 - surge`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling
    /// - https://learn.microsoft.com/azure/aks/quotas-skus-regions
    /// - docs/sources.md#max-surge
    /// - docs/sources.md#aks-limits-and-vm-size-floors
    pub struct Pool007 {
        code: "POOL007",
        name: "invalid-autoscaler-bounds",
        severity: Error,
        summary: "Autoscaler bounds invalid or above the 1,000-node pool limit",
    }
}

impl Rule for Pool007 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, p) in cx.pools() {
            let base = Ctx::pool_ptr(i);
            match (p.min, p.max) {
                (Some(min), Some(max)) if min > max => out.error(
                    &format!("{base}/min"),
                    format!(
                        "pool `{}`: autoscaler min {min} is greater than max {max}",
                        p.name
                    ),
                    "set min <= max",
                ),
                (Some(_), None) | (None, Some(_)) => out.error(
                    &format!("{base}/{}", if p.min.is_some() { "min" } else { "max" }),
                    format!("pool `{}`: the autoscaler needs both min and max", p.name),
                    "give both `min` and `max`, or only `count` for a manually scaled pool",
                ),
                _ => {}
            }
            if p.count.is_some() && p.autoscaled() {
                out.error(
                    &format!("{base}/count"),
                    format!("pool `{}` sets both count and autoscaler bounds", p.name),
                    "use `min`/`max` for an autoscaled pool or `count` for a manual one",
                );
            }
            let max = p.max_nodes();
            let surge = p.max_surge.map_or(1, |s| s.nodes(max));
            if max > 1000 {
                out.error(
                    &format!("{base}/{}", if p.max.is_some() { "max" } else { "count" }),
                    format!(
                        "pool `{}`: {max} nodes exceeds the 1,000-node limit of a pool",
                        p.name
                    ),
                    "split the capacity across pools",
                );
            } else if max + surge > 1000 {
                out.error(
                    &format!("{base}/maxSurge"),
                    format!("pool `{}`: {max} nodes + {surge} surge exceeds 1,000, so upgrades are rejected", p.name),
                    "lower max or maxSurge so that max + surge <= 1000",
                );
            }
            if p.mode == Mode::User && !p.autoscaled() {
                out.warning(
                    &base,
                    format!("user pool `{}` has no autoscaler", p.name),
                    "give `min` and `max`, or plan manual hot-spare scaling (scaling.hotSpare)",
                );
            }
        }
    }
}
