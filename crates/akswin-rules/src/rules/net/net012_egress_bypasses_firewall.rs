use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::OutboundType;

declare_rule! {
    /// ## What it checks
    /// That cluster egress goes through the hub firewall: `cluster.outboundType` is
    /// `userDefinedRouting` (akswin renders the 0.0.0.0/0 route to the firewall's private IP)
    /// and the hub has a firewall subnet for that firewall.
    ///
    /// ## Why it matters
    /// The architecture sends all egress through Azure Firewall, which keeps the AKS required
    /// FQDNs and the Windows Update FQDNs open and everything else closed. `outboundType` can
    /// only be set at cluster creation time.
    ///
    /// ## How to fix
    /// `cluster.outboundType: userDefinedRouting` and `network.hub.subnets.firewall: auto`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/templates/microsoft.containerservice/managedclusters
    ///   (`outboundType`)
    /// - https://learn.microsoft.com/azure/aks/limit-egress-traffic
    /// - docs/sources.md#aks-required-egress
    /// - Architecture, "Egress traffic flow"; reference implementation
    ///   (https://github.com/Azure/aks-baseline-windows) `outbound_type = "userDefinedRouting"`
    pub struct Net012 {
        code: "NET012",
        name: "egress-bypasses-firewall",
        severity: Error,
        summary: "Egress not forced through the hub firewall",
    }
}

impl Rule for Net012 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let ot = cx.spec.cluster.outbound_type;
        if ot != OutboundType::UserDefinedRouting {
            out.error(
                "/cluster/outboundType",
                format!("outboundType {ot:?} sends egress around the hub firewall"),
                "use `outboundType: userDefinedRouting`; it can only be set at cluster creation",
            );
        }
        // An existing hub's firewall is given by its address (network.hub.existing).
        if cx.spec.network.hub.subnets.firewall.is_none()
            && cx.spec.network.existing_hub().is_none()
        {
            out.error(
                "/network/hub/subnets",
                "the hub has no firewall subnet, so there is no firewall to route 0.0.0.0/0 to"
                    .into(),
                "add `firewall: auto` under network.hub.subnets",
            );
        }
    }
}
