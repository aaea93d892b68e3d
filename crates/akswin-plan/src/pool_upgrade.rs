//! How a Windows pool's node image upgrade goes: the drain timeout and node soak it needs,
//! and how long it takes against the maintenance window.
//!
//! A rolling upgrade adds surge nodes, drains the old ones and waits (the soak) before the
//! next batch (<https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling>). On
//! Windows the pods drained from a node start on a node that has never pulled their image: a
//! replacement is Ready only after the pull and extraction the scale-out model computes
//! (`scale_out`), often longer than a Linux pod's whole restart. With AKS's defaults (drain
//! timeout 30 minutes, no soak) a drain blocked by a PodDisruptionBudget can time out, and the
//! next node drains while the moved replicas still pull (Azure/AKS issues 2114 and 1293).

use crate::scale_out::ScaleOutPlan;
use akswin_spec::Spec;
use serde::Serialize;

/// AKS's drain timeout when `drainTimeoutInMinutes` is not set.
pub const AKS_DRAIN_TIMEOUT: u32 = 30;
/// The bounds ARM accepts.
pub const DRAIN_TIMEOUT_RANGE: (u32, u32) = (1, 1440);
pub const NODE_SOAK_RANGE: (u32, u32) = (0, 30);

/// Where a setting's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    /// Written in the spec.
    Spec,
    /// The planner's recommendation, rendered because the spec does not set it.
    Recommended,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolUpgrade {
    pub pool: String,
    pub max_nodes: u32,
    /// Surge nodes per batch at `max_nodes`.
    pub surge_nodes: u32,
    pub batches: u32,
    pub node_ready_minutes: f64,
    /// Pull and extraction of the largest image of the pool's workloads on a new node; None
    /// when no workload's image size is known.
    pub replacement_minutes: Option<f64>,
    /// The workload whose image sets `replacement_minutes`.
    pub slowest_workload: Option<String>,
    pub drain_timeout_minutes: u32,
    pub drain_timeout_source: Source,
    pub recommended_drain_timeout_minutes: u32,
    pub node_soak_minutes: u32,
    pub node_soak_source: Source,
    pub recommended_node_soak_minutes: u32,
    /// Minutes the upgrade takes at `max_nodes`: per batch, a surge node ready, the drained
    /// pods' replacements pulling, and the soak. None without `replacement_minutes`.
    pub estimated_minutes: Option<f64>,
    /// The Windows node image maintenance window's length, when the spec has one.
    pub window_minutes: Option<u32>,
}

/// Twice the replacement's pull (a drain evicts pods one PodDisruptionBudget step at a time,
/// and the first waits for the pull), never below AKS's default nor above ARM's maximum.
pub fn recommended_drain_timeout(replacement_minutes: Option<f64>) -> u32 {
    let want = replacement_minutes.map_or(0.0, |r| (2.0 * r).ceil()) as u32;
    want.clamp(AKS_DRAIN_TIMEOUT, DRAIN_TIMEOUT_RANGE.1)
}

/// The replacement's pull, within ARM's 0-30 minutes (0 without an image size: nothing known
/// to wait for).
pub fn recommended_node_soak(replacement_minutes: Option<f64>) -> u32 {
    let want = replacement_minutes.map_or(0.0, f64::ceil) as u32;
    want.min(NODE_SOAK_RANGE.1)
}

/// Every Windows pool's upgrade.
pub fn plan(spec: &Spec, scale_out: &ScaleOutPlan) -> Vec<PoolUpgrade> {
    let window_minutes = spec
        .upgrades
        .windows_node_image
        .as_ref()
        .map(|w| w.duration_hours * 60);
    spec.cluster
        .node_pools
        .iter()
        .filter(|p| p.is_windows())
        .map(|p| {
            let slowest = scale_out
                .workloads
                .iter()
                .filter(|w| w.pool == p.name)
                .filter_map(|w| {
                    let m = w.pull_minutes? + w.extract_minutes.unwrap_or(0.0);
                    Some((m, w.workload.clone()))
                })
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let replacement = slowest.as_ref().map(|(m, _)| *m);
            let ready = crate::scale_out::node_ready(spec, p.os).value;
            let rec_drain = recommended_drain_timeout(replacement);
            let rec_soak = recommended_node_soak(replacement);
            let (drain, drain_source) = match p.drain_timeout_minutes {
                Some(d) => (d, Source::Spec),
                None => (rec_drain, Source::Recommended),
            };
            let (soak, soak_source) = match p.node_soak_minutes {
                Some(s) => (s, Source::Spec),
                None => (rec_soak, Source::Recommended),
            };
            let max_nodes = p.max_nodes();
            let surge = crate::resolve::surge_nodes(p, max_nodes).max(1);
            let batches = max_nodes.div_ceil(surge);
            let estimated = replacement.map(|r| {
                let per_batch = ready + r + f64::from(soak);
                (f64::from(batches) * per_batch * 10.0).round() / 10.0
            });
            PoolUpgrade {
                pool: p.name.clone(),
                max_nodes,
                surge_nodes: surge,
                batches,
                node_ready_minutes: ready,
                replacement_minutes: replacement.map(|r| (r * 100.0).round() / 100.0),
                slowest_workload: slowest.map(|(_, w)| w),
                drain_timeout_minutes: drain,
                drain_timeout_source: drain_source,
                recommended_drain_timeout_minutes: rec_drain,
                node_soak_minutes: soak,
                node_soak_source: soak_source,
                recommended_node_soak_minutes: rec_soak,
                estimated_minutes: estimated,
                window_minutes,
            }
        })
        .collect()
}
