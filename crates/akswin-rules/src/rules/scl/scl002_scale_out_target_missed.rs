use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// For each Windows workload with `scaleOutTargetMinutes`, the scale-out model's time to add
    /// `scaleOutReplicas` replicas (default: `replicas`) with the plan the spec configures: the
    /// hot-spare plan during peaks when one covers the workload's pool; otherwise the existing
    /// nodes (with or without pre-pull) when the burst fits on the pool's `min` nodes, and new
    /// nodes from the autoscaler when it does not. The finding names the cheapest plan that meets
    /// the target: pre-pull, a hot spare of enough nodes, or a larger `max`.
    ///
    /// ## Why it matters
    /// A Windows node takes many minutes to become Ready and Windows images are gigabytes; the
    /// article asks operators to benchmark scale-out and choose between autoscaling, image
    /// pre-pull and a "hot spare" plan. A missed target shows up as queued requests at the
    /// moment load rises.
    ///
    /// ## How to fix
    /// Measure `scaling.nodeReadyMinutes` and `scaling.pullThroughputMiBps` (the defaults are
    /// anecdotal, see `akswin plan`), then apply the named plan: add the image to
    /// `scaling.prepull.images`, or add `scaling.hotSpare` with the named `peakNodes`, or raise
    /// the pool's `max`.
    ///
    /// ## References
    /// - the seed article (windows-containers-on-aks.txt): scale-out time, pre-pull, hot spare
    /// - facts.md §10 (no authoritative pull or provisioning times)
    /// - https://learn.microsoft.com/azure/aks/node-resource-reservations
    pub struct Scl002 {
        code: "SCL002",
        name: "scale-out-target-missed",
        severity: Warning,
        summary: "A Windows workload's scale-out time exceeds its target",
    }
}

impl Rule for Scl002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        if !cx
            .spec
            .workloads
            .iter()
            .any(|w| w.scale_out_target_minutes.is_some())
        {
            return;
        }
        for s in cx.scale_out().workloads {
            if s.meets_target != Some(false) {
                continue;
            }
            let Some(i) = cx.spec.workloads.iter().position(|w| w.name == s.workload) else {
                continue;
            };
            let pool_max = cx
                .spec
                .cluster
                .node_pools
                .iter()
                .find(|p| p.name == s.pool)
                .map_or(0, |p| p.max_nodes());
            let configured = s.scenario(s.configured);
            let took = configured.and_then(|c| c.minutes).map_or_else(
                || {
                    format!(
                        "cannot add them at all ({})",
                        configured.map_or("", |c| c.note.as_str())
                    )
                },
                |m| format!("takes {m:.1} min"),
            );
            out.warning(
                &format!("/workloads/{i}/scaleOutTargetMinutes"),
                format!(
                    "adding {} replicas of `{}` with the configured plan ({}) {took}; the target is {} min",
                    s.add_replicas,
                    s.workload,
                    configured.map_or(s.configured.to_string(), |c| c.label.clone()),
                    s.target_minutes.unwrap_or(0.0)
                ),
                &s.advice(pool_max).unwrap_or_default(),
            );
        }
    }
}
