use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::HotSpareMode;

declare_rule! {
    /// ## What it checks
    /// The in-cluster hot spare (`scaling.hotSpare.mode: placeholderPods`):
    /// - `kubectlImage` is given (the CronJobs run `kubectl scale` with it; Microsoft
    ///   documents no kubectl image, so akswin names none);
    /// - with `policy.allowedRegistries`, that image comes from an allowed registry (a
    ///   `registry.images` entry is imported into the registry);
    /// - the pool is autoscaled: a placeholder pod that fits nowhere is what makes the
    ///   cluster autoscaler add a node;
    /// - the pool's VM size is known, since each placeholder requests most of a node.
    ///
    /// ## Why it matters
    /// The placeholders hold nodes only while the CronJobs scale them; a CronJob whose image
    /// cannot be pulled never runs, and the peak starts on the off-peak nodes. On a pool of
    /// fixed size the placeholders stay Pending and hold nothing.
    ///
    /// ## How to fix
    /// Import a kubectl image into the registry (`registry.images` with its `source`) and
    /// name it in `kubectlImage`; give the pool `min` and `max`; or use `mode: workflow`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/architecture/reference-architectures/containers/aks/windows-containers-on-aks
    ///   (the "hot spare" alternative to autoscaling)
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ (`timeZone`)
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/
    pub struct Scl004 {
        code: "SCL004",
        name: "hot-spare-placeholders-incomplete",
        severity: Error,
        summary: "An in-cluster hot spare without a kubectl image, on a pool that does not autoscale, or pulling from a registry not allowed",
    }
}

impl Rule for Scl004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let s = cx.spec;
        let Some(hs) = &s.scaling.hot_spare else {
            return;
        };
        if hs.mode != HotSpareMode::PlaceholderPods {
            return;
        }
        match &hs.kubectl_image {
            None => out.error(
                "/scaling/hotSpare/mode",
                "the in-cluster hot spare needs `kubectlImage`: its CronJobs run `kubectl scale`".into(),
                "import a kubectl image into the registry (registry.images with a source) and name it in scaling.hotSpare.kubectlImage",
            ),
            Some(img) => {
                let r = akswin_plan::resolve::image_ref(s, img);
                let host = r.split_once('/').map_or("docker.io", |(h, _)| h);
                let allowed = &s.policy.allowed_registries;
                let acr = s.registry.images.iter().any(|i| i.name == *img);
                if !acr && !allowed.is_empty() && !allowed.iter().any(|a| a.eq_ignore_ascii_case(host)) {
                    out.error(
                        "/scaling/hotSpare/kubectlImage",
                        format!("`{r}` comes from {host}, which policy.allowedRegistries does not allow: the CronJobs' pods would be refused"),
                        "import the image into the registry (registry.images) and name that entry",
                    );
                }
            }
        }
        if let Some(pool) = s.cluster.node_pools.iter().find(|p| p.name == hs.pool) {
            if !pool.autoscaled() {
                out.error(
                    "/scaling/hotSpare/pool",
                    format!("pool `{}` does not autoscale: placeholder pods that fit nowhere add no node", pool.name),
                    "give the pool min and max, or use mode: workflow",
                );
            }
            if akswin_plan::resolve::vm_size(s, &pool.vm_size).is_none() {
                out.error(
                    "/scaling/hotSpare/pool",
                    format!("the size of pool `{}` ({}) is unknown: the placeholders cannot be sized to hold a node", pool.name, pool.vm_size),
                    "use a VM size akswin knows (POOL006 lists them), or mode: workflow",
                );
            }
        }
    }
}
