use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{ClusterChannel, NodeOsChannel, Os, UpgradeWorkflow};

/// The longest soak the workflow's job leaves room for (its timeout is 360 minutes, and every
/// pool's upgrade runs in it).
pub const MAX_CANARY_SOAK: u32 = 240;

declare_rule! {
    /// ## What it checks
    /// The staged node image rollout (`upgrades.canaryPool`):
    /// - its pool must be a Windows pool of `cluster.nodePools`;
    /// - the node images must be the workflow's (`nodeOsChannel: None` or `Unmanaged`,
    ///   `workflow: github-actions`, a `windowsNodeImage` window): with AKS's `NodeImage` or
    ///   `SecurityPatch` channel AKS upgrades every pool in its window and the workflow does not
    ///   touch them;
    /// - `soakMinutes` at most 240 (the workflow's job has 360 minutes for every pool);
    /// - a warning when the canary is the only Windows pool: nothing waits for it;
    /// - a warning when no Windows workload runs on the canary pool: its check then sees only
    ///   DaemonSets, never the application on the new image;
    /// - a warning when the cluster auto-upgrade channel is on: each Kubernetes upgrade in the
    ///   cluster window also brings every pool to the newest node image, all pools at once,
    ///   outside the staged order.
    ///
    /// ## Why it matters
    /// A Windows node image can break a workload (a Windows update that changes a default,
    /// a driver, the container runtime). Upgrading one pool first and checking its pods before
    /// the others is the in-cluster form of "a non-production environment first, then
    /// production after a soak"; without these conditions the setting would be ignored
    /// silently.
    ///
    /// ## How to fix
    /// Name a Windows pool that runs representative workloads, set `nodeOsChannel: None`
    /// (the rendered workflow then owns the node images), keep the soak short enough for the
    /// job; across environments, give non-production a window days before production's.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/node-image-upgrade
    /// - https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image
    /// - https://learn.microsoft.com/azure/aks/auto-upgrade-cluster (an upgrade also upgrades
    ///   the node image)
    /// - https://docs.github.com/actions/reference/workflows-and-actions/workflow-syntax (job timeout)
    pub struct Upg008 {
        code: "UPG008",
        name: "canary-pool",
        severity: Error,
        summary: "A staged node image rollout whose canary pool or channel cannot work",
    }
}

impl Rule for Upg008 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let u = &cx.spec.upgrades;
        let Some(c) = &u.canary_pool else { return };
        match cx.spec.cluster.node_pools.iter().find(|p| p.name == c.pool) {
            Some(p) if p.os == Os::Windows => {
                if !cx
                    .spec
                    .workloads
                    .iter()
                    .any(|w| w.os == Os::Windows && w.pool.as_deref() == Some(c.pool.as_str()))
                {
                    out.warning(
                        "/upgrades/canaryPool/pool",
                        format!(
                            "no Windows workload runs on the canary pool {}: its check sees only DaemonSets, not the application on the new image",
                            c.pool
                        ),
                        "give the canary pool a workload of its own (a replica of the application pinned there with `pool:`)",
                    );
                }
                if cx.windows_pools().count() == 1 {
                    out.warning(
                        "/upgrades/canaryPool/pool",
                        format!(
                            "{} is the only Windows pool: no other pool waits for its check",
                            c.pool
                        ),
                        "remove canaryPool, or stage across environments (a non-production window days before production's)",
                    );
                }
            }
            Some(_) => out.error(
                "/upgrades/canaryPool/pool",
                format!("canary pool {} is a Linux pool", c.pool),
                "name a Windows pool that runs representative workloads",
            ),
            None => out.error(
                "/upgrades/canaryPool/pool",
                format!("canary pool {} is not in cluster.nodePools", c.pool),
                "name one of the Windows pools",
            ),
        }
        if matches!(
            u.node_os_channel,
            NodeOsChannel::NodeImage | NodeOsChannel::SecurityPatch
        ) {
            out.error(
                "/upgrades/canaryPool",
                format!(
                    "the node OS channel {} upgrades every pool in AKS's window, so the workflow never stages the canary",
                    u.node_os_channel.arm_value()
                ),
                "set upgrades.nodeOsChannel: None (the workflow then owns the node images) or remove canaryPool",
            );
        } else if u.workflow == UpgradeWorkflow::None || u.windows_node_image.is_none() {
            out.error(
                "/upgrades/canaryPool",
                "no node image workflow is rendered (upgrades.workflow none, or no windowsNodeImage window) to stage the canary".into(),
                "set upgrades.workflow: github-actions and a windowsNodeImage window",
            );
        }
        if u.cluster_channel != ClusterChannel::None {
            out.warning(
                "/upgrades/clusterChannel",
                format!(
                    "the cluster auto-upgrade channel `{}` also upgrades every pool's node image in the cluster window, all pools together, outside the staged rollout",
                    format!("{:?}", u.cluster_channel).to_ascii_lowercase()
                ),
                "set upgrades.clusterChannel: none and upgrade Kubernetes versions deliberately (canary pool first), or accept that Kubernetes upgrades are not staged",
            );
        }
        if c.soak_minutes > MAX_CANARY_SOAK {
            out.error(
                "/upgrades/canaryPool/soakMinutes",
                format!(
                    "a soak of {} minutes leaves the workflow's 360-minute job too little time for the pools' upgrades",
                    c.soak_minutes
                ),
                "at most 240 minutes; for days of soak, stage across environments",
            );
        }
    }
}
