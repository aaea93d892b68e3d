use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::AccessPath;

declare_rule! {
    /// ## What it checks
    /// The operators' access path to the API server (`cluster.access.path`):
    /// - `jumpBox` needs a hub subnet for it (`network.hub.subnets.jumpBox`) and Azure
    ///   Bastion (`network.hub.subnets.bastion`), the only way in: the jump box has no public
    ///   address, and its NSG admits SSH from the Bastion subnet alone;
    /// - `jumpBox` with a public API server (`cluster.privateCluster: false`) deploys a VM
    ///   nobody needs (info);
    /// - a `jumpBox` subnet without `path: jumpBox` holds nothing (warning).
    ///
    /// ## Why it matters
    /// A private cluster's API server answers only inside the network. `az aks command invoke`
    /// (the default path) runs kubectl inside the cluster and needs nothing deployed; a jump
    /// box gives operators an interactive shell in the network, and without Bastion nobody can
    /// reach it.
    ///
    /// ## How to fix
    /// Add `jumpBox: auto` and `bastion: auto` under `network.hub.subnets`, or keep
    /// `cluster.access.path: commandInvoke`.
    ///
    /// ## References
    /// - <https://learn.microsoft.com/azure/aks/access-private-cluster>
    /// - <https://learn.microsoft.com/azure/bastion/native-client>
    /// - <https://learn.microsoft.com/entra/identity/devices/howto-vm-sign-in-azure-ad-linux>
    pub struct Net016 {
        code: "NET016",
        name: "jump-box-misconfigured",
        severity: Error,
        summary: "The jump box access path lacks its subnet or Bastion, or a jump box subnet is unused",
    }
}

impl Rule for Net016 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let hub = &cx.spec.network.hub.subnets;
        // With an existing hub, NET017 refuses the jump box outright.
        if cx.spec.network.existing_hub().is_some() {
            return;
        }
        let jump = cx.spec.cluster.access.path == AccessPath::JumpBox;
        if jump {
            if hub.jump_box.is_none() {
                out.error(
                    "/cluster/access/path",
                    "the access path is a jump box, but the hub has no jumpBox subnet for it"
                        .into(),
                    "add `jumpBox: auto` under network.hub.subnets",
                );
            }
            if hub.bastion.is_none() {
                out.error(
                    "/cluster/access/path",
                    "the access path is a jump box, but the hub has no Bastion: the jump box has no public address, so nobody could reach it".into(),
                    "add `bastion: auto` under network.hub.subnets",
                );
            }
            if !cx.spec.cluster.private_cluster {
                out.info(
                    "/cluster/access/path",
                    "the API server is public (privateCluster: false): a jump box is not needed to reach it".into(),
                    "keep `cluster.access.path: commandInvoke`, or make the cluster private",
                );
            }
        } else if hub.jump_box.is_some() {
            out.warning(
                "/network/hub/subnets/jumpBox",
                "a jumpBox subnet is declared, but cluster.access.path is not jumpBox: nothing is deployed in it".into(),
                "set `cluster.access.path: jumpBox`, or remove the subnet",
            );
        }
    }
}
