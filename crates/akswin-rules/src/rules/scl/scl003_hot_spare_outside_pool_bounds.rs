use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// The hot-spare plan (`scaling.hotSpare`) against its pool:
    /// - the pool exists;
    /// - `peakNodes` is at least `offPeakNodes`;
    /// - both counts lie inside the pool's bounds: `min`..`max` for an autoscaled pool, at
    ///   most `count` for a fixed one;
    /// - every peak names at least one day;
    /// - a warning for a peak in a fixed-offset time zone other than UTC (`EST`, `MST`, `HST`,
    ///   `Etc/GMT+5`): it has no daylight saving time.
    ///
    /// (An unknown time zone is refused when the spec loads: SPEC003 at the peak's `timezone`.)
    ///
    /// ## Why it matters
    /// The rendered `hot-spare.yml` scales an autoscaled pool by raising the autoscaler's
    /// minimum to `peakNodes` before each peak and lowering it to `offPeakNodes` afterwards
    /// (changing only the node count of an autoscaled pool would be undone by the
    /// autoscaler). A minimum above the pool's `max` fails at run time; a minimum below the
    /// spec's `min` drifts from what ARM declares and is reset by the next deployment. The
    /// subnets are sized for the pool's maximum, so a fixed pool scaled past `count` can run
    /// out of addresses. An unknown time zone makes the schedule run at the wrong hour.
    ///
    /// ## How to fix
    /// Keep `offPeakNodes` >= `min` and `peakNodes` <= `max` (raise `max` and re-plan the
    /// subnets if the peak needs more), and list the peak's days.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/architecture/reference-architectures/containers/aks/windows-containers-on-aks
    ///   (the "hot spare" alternative to autoscaling)
    pub struct Scl003 {
        code: "SCL003",
        name: "hot-spare-outside-pool-bounds",
        severity: Error,
        summary: "Hot-spare plan outside its pool's bounds, or a peak with no days",
    }
}

impl Rule for Scl003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(hs) = &cx.spec.scaling.hot_spare else {
            return;
        };
        let base = "/scaling/hotSpare";
        let Some((i, pool)) = cx
            .spec
            .cluster
            .node_pools
            .iter()
            .enumerate()
            .find(|(_, p)| p.name == hs.pool)
        else {
            let names: Vec<&str> = cx
                .spec
                .cluster
                .node_pools
                .iter()
                .map(|p| p.name.as_str())
                .collect();
            out.error(
                &format!("{base}/pool"),
                format!(
                    "the hot-spare plan scales pool `{}`, which the cluster does not have",
                    hs.pool
                ),
                &format!("use one of: {}", names.join(", ")),
            );
            return;
        };
        if hs.peak_nodes < hs.off_peak_nodes {
            out.error(
                &format!("{base}/peakNodes"),
                format!(
                    "peakNodes {} is below offPeakNodes {}: the plan would scale down for the peak",
                    hs.peak_nodes, hs.off_peak_nodes
                ),
                "swap them, or set peakNodes to the node count of the baseline load test's peak",
            );
        }
        if pool.autoscaled() {
            let (min, max) = (pool.min_nodes(), pool.max_nodes());
            if hs.peak_nodes > max {
                out.error(
                    &format!("{base}/peakNodes"),
                    format!(
                        "peakNodes {} is above pool `{}`'s max {max}: the workflow's `--min-count {}` would exceed `--max-count {max}` and fail",
                        hs.peak_nodes, pool.name, hs.peak_nodes
                    ),
                    &format!("raise /cluster/nodePools/{i}/max to at least {} (the planner re-sizes the subnet)", hs.peak_nodes),
                );
            }
            if hs.off_peak_nodes < min {
                out.error(
                    &format!("{base}/offPeakNodes"),
                    format!(
                        "offPeakNodes {} is below pool `{}`'s min {min}: scaling down would set the autoscaler's minimum below what the ARM template declares, and the next deployment resets it",
                        hs.off_peak_nodes, pool.name
                    ),
                    &format!("set offPeakNodes to at least {min}, or lower /cluster/nodePools/{i}/min"),
                );
            }
        } else if hs.peak_nodes > pool.max_nodes() {
            out.error(
                &format!("{base}/peakNodes"),
                format!(
                    "peakNodes {} is above fixed pool `{}`'s count {}: the subnet is sized for {} nodes",
                    hs.peak_nodes,
                    pool.name,
                    pool.max_nodes(),
                    pool.max_nodes()
                ),
                &format!("raise /cluster/nodePools/{i}/count, or make the pool autoscaled with max >= {}", hs.peak_nodes),
            );
        }
        for (j, p) in hs.peaks.iter().enumerate() {
            if p.days.is_empty() {
                out.error(
                    &format!("{base}/peaks/{j}/days"),
                    "a peak with no days never happens".into(),
                    "list the days, e.g. `days: [Mon, Tue, Wed, Thu, Fri]`",
                );
            }
            // A fixed offset has no daylight saving time: the peaks move an hour against
            // the local clock twice a year.
            if let Some(tz) = p.timezone
                && is_fixed_offset(tz.name())
            {
                out.warning(
                    &format!("{base}/peaks/{j}/timezone"),
                    format!("time zone {} is a fixed offset, without daylight saving time: half the year the peak starts an hour off the local clock", tz.name()),
                    "use the region's zone, e.g. America/New_York (UTC is fine when meant)",
                );
            }
        }
    }
}

/// A tz database zone with one offset all year that is not UTC: the legacy abbreviations and
/// the `Etc/GMT±N` zones.
pub fn is_fixed_offset(name: &str) -> bool {
    matches!(name, "EST" | "MST" | "HST")
        || name
            .strip_prefix("Etc/GMT")
            .is_some_and(|n| !n.is_empty() && n != "0" && n != "+0" && n != "-0")
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixed_offsets_are_told_from_region_zones() {
        for z in ["EST", "MST", "HST", "Etc/GMT+5", "Etc/GMT-14"] {
            assert!(super::is_fixed_offset(z), "{z}");
        }
        for z in [
            "UTC",
            "Etc/GMT",
            "Etc/GMT+0",
            "America/New_York",
            "Europe/Berlin",
            "EST5EDT",
        ] {
            assert!(!super::is_fixed_offset(z), "{z}");
        }
    }
}
