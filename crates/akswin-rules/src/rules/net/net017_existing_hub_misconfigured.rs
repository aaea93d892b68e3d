use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{AccessPath, GatewayKind, ResourceId};

declare_rule! {
    /// ## What it checks
    /// A spec that deploys into an existing hub (`network.hub.existing`, an Azure landing
    /// zone's connectivity hub):
    /// - `vnetId` is a Microsoft.Network/virtualNetworks resource id, `firewallPolicyId` (when
    ///   given) a Microsoft.Network/firewallPolicies id, and `privateDnsZones` a resource
    ///   group's id;
    /// - `firewallPrivateIp` is inside the hub's address space (the spoke's default route
    ///   sends everything there);
    /// - `ruleCollectionGroupPriority` is between 100 and 65000;
    /// - nothing asks akswin to build in the hub: no `network.hub.subnets`, no new domain
    ///   controllers (they live in a hub subnet), no jump box (it sits behind the hub's
    ///   Bastion), and no gateway to create (`network.hybrid.gateway` must be `existing`);
    /// - each of `dnsServers` lies in the hub, a peered spoke or an on-premises range;
    /// - information: without `firewallPolicyId`, the flows through the firewall are the
    ///   platform team's to allow; the rendered README lists them.
    ///
    /// ## Why it matters
    /// The hub belongs to the platform team, often in another subscription: a subnet,
    /// domain controller or gateway akswin would create there collides with theirs, or fails
    /// for want of rights. A firewall address outside the hub, or a malformed id, fails the
    /// deployment or leaves the spoke without a way out.
    ///
    /// ## How to fix
    /// Copy the ids from `az network vnet show --query id`, `az network firewall policy show
    /// --query id` and `az group show --query id`; use existing domain controllers
    /// (`domainControllers.existing`), `cluster.access.path: commandInvoke` and
    /// `network.hybrid.gateway: existing`; remove `network.hub.subnets`.
    ///
    /// ## References
    /// - <https://learn.microsoft.com/azure/cloud-adoption-framework/ready/azure-best-practices/hub-spoke-network-topology>
    /// - <https://learn.microsoft.com/azure/virtual-network/create-peering-different-subscriptions>
    /// - <https://learn.microsoft.com/azure/firewall/policy-rule-sets>
    /// - <https://learn.microsoft.com/azure/cloud-adoption-framework/ready/azure-best-practices/private-link-and-dns-integration-at-scale>
    pub struct Net017 {
        code: "NET017",
        name: "existing-hub-misconfigured",
        severity: Error,
        summary: "network.hub.existing is malformed, or the spec asks akswin to build inside a hub it does not own",
    }
}

/// The priorities Azure Firewall accepts for a rule collection group.
pub const RULE_COLLECTION_GROUP_PRIORITIES: std::ops::RangeInclusive<u32> = 100..=65000;

impl Rule for Net017 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let n = &cx.spec.network;
        let Some(h) = n.existing_hub() else {
            return;
        };
        if h.vnet().is_none() {
            out.error(
                "/network/hub/existing/vnetId",
                format!("`{}` is not a Microsoft.Network/virtualNetworks resource id", h.vnet_id),
                "copy it from `az network vnet show --resource-group <group> --name <hub> --query id`",
            );
        }
        if h.firewall_policy_id.is_some() && h.firewall_policy().is_none() {
            out.error(
                "/network/hub/existing/firewallPolicyId",
                "firewallPolicyId is not a Microsoft.Network/firewallPolicies resource id".into(),
                "copy it from `az network firewall policy show --query id`, or remove it when the hub's firewall is an appliance",
            );
        }
        if h.firewall_policy_id.is_none() {
            out.info(
                "/network/hub/existing",
                "no firewallPolicyId: the flows that cross the hub's firewall are the platform team's to allow, and akswin cannot prove them (the rendered README lists the rules they need)".into(),
                "give the Azure Firewall policy's id, and hub-side.json adds this spoke's rule collection group",
            );
        }
        if !RULE_COLLECTION_GROUP_PRIORITIES.contains(&h.rule_collection_group_priority) {
            out.error(
                "/network/hub/existing/ruleCollectionGroupPriority",
                format!(
                    "priority {} is outside the 100-65000 Azure Firewall accepts",
                    h.rule_collection_group_priority
                ),
                "ask the platform team for a free priority in its policy",
            );
        }
        match ResourceId::parse(&h.private_dns_zones) {
            Some(r) if r.provider_type.is_none() => {}
            _ => out.error(
                "/network/hub/existing/privateDnsZones",
                format!(
                    "`{}` is not a resource group's id (/subscriptions/<id>/resourceGroups/<group>)",
                    h.private_dns_zones
                ),
                "copy it from `az group show --name <group of the private DNS zones> --query id`",
            ),
        }
        let in_hub =
            |ip: std::net::Ipv4Addr| n.hub.address_space.iter().any(|c| c.net().contains(&ip));
        if !in_hub(h.firewall_private_ip.0) {
            out.error(
                "/network/hub/existing/firewallPrivateIp",
                format!(
                    "{} is outside the hub's address space: the spoke's default route must point at the firewall in the hub",
                    h.firewall_private_ip
                ),
                "give the firewall's private address (az network firewall show --query 'ipConfigurations[0].privateIPAddress'), and the hub's ranges under network.hub.addressSpace",
            );
        }
        for (i, ip) in h.dns_servers.iter().enumerate() {
            let reachable = in_hub(ip.0)
                || n.is_on_premises(ip.0)
                || n.peered_spokes
                    .iter()
                    .flat_map(|p| &p.address_space)
                    .any(|c| c.net().contains(&ip.0));
            if !reachable {
                out.warning(
                    &format!("/network/hub/existing/dnsServers/{i}"),
                    format!("DNS server {ip} is in neither the hub, a peered spoke nor an on-premises range: the spoke may not reach it"),
                    "give the address of the platform's DNS (a private resolver's inbound endpoint, or DNS servers in the hub), or add its range",
                );
            }
        }
        for (key, set) in [
            ("firewall", n.hub.subnets.firewall.is_some()),
            ("bastion", n.hub.subnets.bastion.is_some()),
            ("gateway", n.hub.subnets.gateway.is_some()),
            (
                "domainControllers",
                n.hub.subnets.domain_controllers.is_some(),
            ),
            ("jumpBox", n.hub.subnets.jump_box.is_some()),
        ] {
            if set {
                out.error(
                    &format!("/network/hub/subnets/{key}"),
                    format!("the hub exists (network.hub.existing): akswin creates no `{key}` subnet in it"),
                    "remove it: the hub's subnets are the platform team's",
                );
            }
        }
        if cx
            .spec
            .identity
            .active_directory
            .as_ref()
            .is_some_and(|a| a.creates_dcs())
        {
            out.error(
                "/identity/activeDirectory/domainControllers/count",
                "new domain controllers go in a hub subnet akswin creates, and the hub exists: akswin builds nothing there".into(),
                "use the landing zone's domain controllers (`domainControllers.existing.dnsServers`, mode existing)",
            );
        }
        if cx.spec.cluster.access.path == AccessPath::JumpBox {
            out.error(
                "/cluster/access/path",
                "a jump box sits in the hub behind its Bastion, and the hub exists: akswin builds nothing there".into(),
                "use `cluster.access.path: commandInvoke` (az aks command invoke), or the platform's own jump host",
            );
        }
        if let Some(hy) = &n.hybrid
            && hy.gateway != GatewayKind::Existing
        {
            out.error(
                "/network/hybrid/gateway",
                format!(
                    "gateway `{}` would be created in the hub, and the hub exists: its gateway is the platform team's",
                    hy.gateway.as_str()
                ),
                "use `gateway: existing` with the hub gateway's `gatewayId`, or remove network.hybrid when the hub has none",
            );
        }
    }
}
