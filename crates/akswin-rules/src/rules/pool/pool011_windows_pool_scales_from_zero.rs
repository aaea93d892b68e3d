use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// A Windows pool whose autoscaler minimum is 0.
    ///
    /// ## Why it matters
    /// Scaling a Windows pool up from zero nodes is a known problem on AKS (Azure/AKS issue
    /// 1882, open): the autoscaler must build the node from the pool's template, and pods that
    /// reach the pool through a RuntimeClass's selectors do not trigger it (Azure/AKS issue
    /// 3311). Even when it works, the first Windows pod waits for a node and a multi-GiB pull:
    /// the scale-out model's worst case.
    ///
    /// ## How to fix
    /// `min: 1` or more (the hot spare's `offPeakNodes` for a pool that has one), and put the
    /// node selector and tolerations on the workloads themselves.
    ///
    /// ## References
    /// - https://github.com/Azure/AKS/issues/1882
    /// - https://github.com/Azure/AKS/issues/3311
    /// - https://learn.microsoft.com/azure/aks/cluster-autoscaler
    pub struct Pool011 {
        code: "POOL011",
        name: "windows-pool-scales-from-zero",
        severity: Warning,
        summary: "A Windows pool whose autoscaler minimum is 0",
    }
}

impl Rule for Pool011 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, p) in cx.windows_pools() {
            if p.min == Some(0) {
                out.warning(
                    &format!("{}/min", Ctx::pool_ptr(i)),
                    format!(
                        "Windows pool {} scales from 0 nodes: a known AKS problem, and the first pod waits for a node and its image pull",
                        p.name
                    ),
                    "set `min: 1` or more",
                );
            }
        }
    }
}
