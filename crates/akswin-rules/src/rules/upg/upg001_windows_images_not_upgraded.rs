use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{NodeOsChannel, UpgradeWorkflow};

declare_rule! {
    /// ## What it checks
    /// With Windows pools:
    /// - node OS channel `None` or `Unmanaged` and no upgrade workflow (`upgrades.workflow: none`);
    /// - node OS channel `SecurityPatch`, which Windows pools do not support.
    ///
    /// ## Why it matters
    /// "Microsoft provides new Windows Server images, including up-to-date patches, for nodes
    /// monthly and doesn't perform any automatic patching." `Unmanaged` "behaves equivalently to
    /// None" on Windows. Without the NodeImage channel or a scheduled workflow, Windows nodes
    /// never receive Patch Tuesday fixes.
    ///
    /// ## How to fix
    /// `upgrades.nodeOsChannel: NodeImage` with a monthly window, and/or
    /// `upgrades.workflow: github-actions`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image
    /// - docs/sources.md#maintenance-windows-and-patch-tuesday
    /// - Architecture, "Node pool upgrade"
    pub struct Upg001 {
        code: "UPG001",
        name: "windows-images-not-upgraded",
        severity: Error,
        summary: "Windows node images not upgraded at least monthly, or SecurityPatch on Windows",
    }
}

impl Rule for Upg001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        if !cx.has_windows() {
            return;
        }
        let u = &cx.spec.upgrades;
        match u.node_os_channel {
            NodeOsChannel::SecurityPatch => out.error(
                "/upgrades/nodeOsChannel",
                "the SecurityPatch node OS channel is not supported on Windows pools".into(),
                "use `nodeOsChannel: NodeImage`",
            ),
            NodeOsChannel::None | NodeOsChannel::Unmanaged if u.workflow == UpgradeWorkflow::None => out.error(
                "/upgrades/nodeOsChannel",
                format!("node OS channel {:?} with no upgrade workflow: Windows nodes never get the monthly images", u.node_os_channel),
                "use `nodeOsChannel: NodeImage`, or `workflow: github-actions` for a monthly node image upgrade",
            ),
            _ => {}
        }
    }
}
