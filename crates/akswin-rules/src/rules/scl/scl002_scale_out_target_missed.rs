use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// For each Windows workload with `scaleOutTargetMinutes`, the scale-out model's time to add
    /// `scaleOutReplicas` replicas (default: `replicas`) with the plan the spec configures: the
    /// hot-spare plan during peaks when one covers the workload's pool; otherwise the existing
    /// nodes (with or without pre-pull) when the burst fits on the pool's `min` nodes, and new
    /// nodes from the autoscaler when it does not. The finding names the cheapest plan that meets
    /// the target: an earlier start of the spares, pre-pull, a hot spare of enough nodes, or a
    /// larger `max`. With a hot-spare plan, bursts outside the peaks (the autoscaler from
    /// `offPeakNodes`) are shown by `akswin plan` but not judged: the plan is the operator's
    /// choice of when the target applies. It also reports a Windows workload the model cannot
    /// size: requests larger than a node (its pods would stay Pending), an unknown VM size, or
    /// requests that are not Kubernetes quantities.
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
    /// - https://learn.microsoft.com/azure/architecture/reference-architectures/containers/aks/windows-containers-on-aks
    ///   (scale-out time, pre-pull, hot spare)
    /// - docs/sources.md#windows-image-sizes-and-pull-times (Microsoft publishes no pull or
    ///   provisioning times)
    /// - https://learn.microsoft.com/azure/aks/node-resource-reservations
    /// - docs/sources.md#node-reservations
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
            .any(|w| w.os == akswin_spec::spec::Os::Windows)
        {
            return;
        }
        let plan = cx.scale_out();
        let index_of = |name: &str| cx.spec.workloads.iter().position(|w| w.name == name);
        for sk in &plan.skipped {
            let Some(i) = index_of(&sk.workload) else {
                continue;
            };
            out.warning(
                &format!("/workloads/{i}"),
                format!(
                    "the scale-out of Windows workload `{}` cannot be modelled: {}",
                    sk.workload, sk.reason
                ),
                "fix the requests, the pool or the VM size (or add it to cluster.customVmSizes) so akswin can size the pool",
            );
        }
        for s in plan.workloads {
            if s.meets_target != Some(false) {
                continue;
            }
            let Some(i) = index_of(&s.workload) else {
                continue;
            };
            let configured = s.scenario(s.configured);
            let took = match configured {
                Some(c) if !c.feasible => format!("cannot add them at all ({})", c.note),
                Some(c) => c.minutes.map_or("takes an unknown time".to_string(), |m| {
                    format!("takes {m:.1} min")
                }),
                None => "cannot be estimated".into(),
            };
            out.warning(
                &format!("/workloads/{i}/scaleOutTargetMinutes"),
                format!(
                    "adding {} replicas of `{}` with the configured plan ({}) {took}; the target is {} min",
                    s.add_replicas,
                    s.workload,
                    configured.map_or(s.configured.to_string(), |c| c.label.clone()),
                    s.target_minutes.unwrap_or(0.0)
                ),
                &s.advice().unwrap_or_default(),
            );
        }
    }
}
