use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{Mode, Os};

declare_rule! {
    /// ## What it checks
    /// That the cluster has at least one Linux pool in `System` mode, and that no Windows pool
    /// is in `System` mode.
    ///
    /// ## Why it matters
    /// AKS requires system pools to run Linux ("System pools osType must be Linux"); the first
    /// pool of a cluster must be a Linux system pool. CoreDNS, metrics-server and the other
    /// system components run there. A Windows system pool is rejected at deployment.
    ///
    /// ## How to fix
    /// Add a Linux pool with `mode: System` (the baseline has `system`, Standard_D4ds_v5, 3-4
    /// nodes), and set `mode: User` on Windows pools.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/use-system-pools
    /// - https://learn.microsoft.com/azure/aks/create-node-pools
    /// - docs/sources.md#windows-pool-and-cluster-settings
    /// - Architecture: "three node pools: a system node pool running Linux, a user node pool
    ///   running Linux, and a user node pool running Windows"
    pub struct Pool001 {
        code: "POOL001",
        name: "no-linux-system-pool",
        severity: Error,
        summary: "No Linux system pool, or a Windows pool in System mode",
    }
}

impl Rule for Pool001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let pools = &cx.spec.cluster.node_pools;
        if !pools
            .iter()
            .any(|p| p.mode == Mode::System && p.os == Os::Linux)
        {
            out.error(
                "/cluster/nodePools",
                "the cluster has no Linux pool in System mode".into(),
                "add a Linux pool with `mode: System`; AKS runs CoreDNS and other system pods there",
            );
        }
        for (i, p) in cx.windows_pools() {
            if p.mode == Mode::System {
                out.error(
                    &format!("{}/mode", Ctx::pool_ptr(i)),
                    format!(
                        "Windows pool `{}` is in System mode; system pools must run Linux",
                        p.name
                    ),
                    "set `mode: User` on the Windows pool",
                );
            }
        }
    }
}
