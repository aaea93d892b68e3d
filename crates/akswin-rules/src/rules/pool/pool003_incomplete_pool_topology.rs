use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{Mode, Os};

declare_rule! {
    /// ## What it checks
    /// The architecture's three-pool topology: a Linux system pool, a Linux user pool and a
    /// Windows user pool; and that the system pool carries the `CriticalAddonsOnly=true:NoSchedule`
    /// taint.
    ///
    /// ## Why it matters
    /// "The Windows and Linux user node pools are used for workloads while the system node pool
    /// is used for all system-level configurations, like CoreDNS." Without the taint, workload
    /// pods land on the system pool and compete with CoreDNS; without a Linux user pool, Linux
    /// workloads do the same.
    ///
    /// ## How to fix
    /// Add the missing pool, and `taints: ["CriticalAddonsOnly=true:NoSchedule"]` on the system pool.
    ///
    /// ## References
    /// - Architecture, "Node pool topology"; AKS use-system-pools.md
    pub struct Pool003 {
        code: "POOL003",
        name: "incomplete-pool-topology",
        severity: Warning,
        summary: "The Linux system / Linux user / Windows user topology is incomplete",
    }
}

impl Rule for Pool003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let pools = &cx.spec.cluster.node_pools;
        let has = |m: Mode, o: Os| pools.iter().any(|p| p.mode == m && p.os == o);
        if !has(Mode::User, Os::Linux) {
            out.warning(
                "/cluster/nodePools",
                "no Linux user pool: Linux workloads would share the system pool".into(),
                "add a Linux pool with `mode: User`",
            );
        }
        if !has(Mode::User, Os::Windows) {
            out.warning(
                "/cluster/nodePools",
                "no Windows user pool: the architecture runs its Windows workloads on one".into(),
                "add a Windows pool with `mode: User`",
            );
        }
        for (i, p) in cx.pools().filter(|(_, p)| p.mode == Mode::System) {
            let tainted = p.taints.iter().any(|t| {
                let t = t.replace(' ', "");
                t.starts_with("CriticalAddonsOnly") && t.ends_with(":NoSchedule")
            });
            if !tainted {
                out.warning(
                    &format!("{}/taints", Ctx::pool_ptr(i)),
                    format!("system pool `{}` has no CriticalAddonsOnly taint, so workloads can schedule on it", p.name),
                    "add `taints: [\"CriticalAddonsOnly=true:NoSchedule\"]`",
                );
            }
        }
    }
}
