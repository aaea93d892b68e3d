use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{ClusterChannel, MaintenanceWindow, NodeOsChannel};
use chrono::{Duration, NaiveDate};

declare_rule! {
    /// ## What it checks
    /// That the cluster auto-upgrade window (`upgrades.clusterWindow`) and the node image window
    /// (`upgrades.windowsNodeImage`) never overlap in the two years from today, when both
    /// channels use them (a cluster channel other than `none`; node OS channel `NodeImage` or
    /// `SecurityPatch`).
    ///
    /// ## Why it matters
    /// In overlapping windows AKS may upgrade the Kubernetes version and reimage the nodes in
    /// the same night: two rounds of drains and surges, and Windows pods waiting twice for
    /// multi-GiB image pulls, instead of the cluster first and the node images after Patch
    /// Tuesday.
    ///
    /// ## How to fix
    /// Give `clusterWindow` a schedule of its own, earlier in the month (the default: the second
    /// Sunday, before the third Wednesday's node images).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/planned-maintenance
    /// - https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image
    pub struct Upg005 {
        code: "UPG005",
        name: "upgrade-windows-overlap",
        severity: Warning,
        summary: "The cluster auto-upgrade and node image maintenance windows overlap",
    }
}

/// The window's occurrences as UTC minutes since the epoch (start, end) over `days` days.
fn occurrences(w: &MaintenanceWindow, from: NaiveDate, days: i64) -> Vec<(i64, i64)> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (0..days)
        .filter_map(|i| from.checked_add_signed(Duration::days(i)))
        .filter(|d| akswin_plan::calendar::window_runs_on(w, *d))
        .map(|d| {
            let local = (d - epoch).num_days() * 1440
                + i64::from(w.start_time.hour) * 60
                + i64::from(w.start_time.minute);
            let start = local - i64::from(w.utc_offset.minutes);
            (start, start + i64::from(w.duration_hours) * 60)
        })
        .collect()
}

impl Rule for Upg005 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let up = &cx.spec.upgrades;
        if up.cluster_channel == ClusterChannel::None
            || !matches!(
                up.node_os_channel,
                NodeOsChannel::NodeImage | NodeOsChannel::SecurityPatch
            )
        {
            return;
        }
        let (Some(cluster), Some(nodes)) = (&up.cluster_window, &up.windows_node_image) else {
            return;
        };
        let from = cx.today;
        let a = occurrences(cluster, from, 731);
        let b = occurrences(nodes, from, 731);
        let hit = a
            .iter()
            .find(|(s1, e1)| b.iter().any(|(s2, e2)| s1 < e2 && s2 < e1));
        if let Some((start, _)) = hit {
            let day = NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|e| e.checked_add_signed(Duration::minutes(*start)))
                .map(|d| d.to_string())
                .unwrap_or_default();
            out.warning(
                "/upgrades/clusterWindow",
                format!(
                    "the cluster auto-upgrade window overlaps the node image window (first on {day}, UTC): Kubernetes and node image upgrades can run in the same night"
                ),
                "give clusterWindow its own schedule before the node images' (e.g. relativeMonthly Second Sunday)",
            );
        }
    }
}
