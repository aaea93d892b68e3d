use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{GatewayKind, Hybrid, ResourceId};
use akswin_spec::types::{Auto, SecretRef};

/// Zone-redundant gateway SKUs akswin deploys, by kind (Learn: About gateway SKUs; About
/// ExpressRoute virtual network gateways). Non-zone-redundant SKUs are refused on purpose.
pub const VPN_SKUS: [&str; 5] = ["VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"];
pub const ER_SKUS: [&str; 3] = ["ErGw1AZ", "ErGw2AZ", "ErGw3AZ"];

declare_rule! {
    /// ## What it checks
    /// That `network.hybrid` describes a gateway that can be deployed and used:
    /// - the hub has a GatewaySubnet (`network.hub.subnets.gateway`); for `existing`, its exact
    ///   prefix (the subnet is already there and in use, so `auto` cannot be right);
    /// - `existing` names the gateway by resource id (`gatewayId`, a
    ///   Microsoft.Network/virtualNetworkGateways id);
    /// - `vpn` has `vpn.peerIp` (a public address) and `vpn.sharedKey`; `expressRoute` has
    ///   `expressRoute.circuitId` (a Microsoft.Network/expressRouteCircuits id);
    /// - the SKU is a zone-redundant SKU of the gateway's kind (VpnGw1AZ-VpnGw5AZ,
    ///   ErGw1AZ-ErGw3AZ);
    /// - keys are references (`{ keyVaultSecret: NAME }`), never written into the spec;
    /// - `network.onPremises` lists the ranges behind the gateway.
    ///
    /// ## Why it matters
    /// A gateway takes 30 to 45 minutes to deploy; a wrong SKU, a missing circuit or an `auto`
    /// prefix that differs from the subnet in use fails the deployment late. Without the
    /// on-premises ranges akswin cannot route them through the firewall.
    ///
    /// ## How to fix
    /// Complete `network.hybrid` as the message says.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus
    /// - https://learn.microsoft.com/azure/expressroute/expressroute-about-virtual-network-gateways
    /// - https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings
    ///   (the gateway subnet)
    pub struct Net015 {
        code: "NET015",
        name: "hybrid-gateway-misconfigured",
        severity: Error,
        summary: "network.hybrid cannot be deployed or used as written",
    }
}

/// Whether `id` is an ARM resource id of `provider/type` with a name.
pub fn is_resource_id(id: &str, provider_type: &str) -> bool {
    ResourceId::parse(id).is_some_and(|r| r.is(provider_type))
}

impl Rule for Net015 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let n = &cx.spec.network;
        let Some(h) = &n.hybrid else {
            return;
        };
        // An existing hub's GatewaySubnet is the platform team's (NET017).
        match (&n.hub.subnets.gateway, h.gateway) {
            _ if n.existing_hub().is_some() => {}
            (None, _) => out.error(
                "/network/hybrid/gateway",
                "network.hybrid needs a GatewaySubnet in the hub, and the hub has none".into(),
                "add `gateway: auto` under network.hub.subnets (for an existing gateway: the GatewaySubnet's prefix)",
            ),
            (Some(Auto::Auto), GatewayKind::Existing) => out.error(
                "/network/hub/subnets/gateway",
                "the gateway already exists, so its GatewaySubnet does too: akswin must write that subnet's prefix, not plan a new one".into(),
                "write the existing GatewaySubnet's prefix (az network vnet subnet show -n GatewaySubnet --query addressPrefix)",
            ),
            _ => {}
        }
        if n.on_premises.is_empty() {
            out.error(
                "/network/hybrid",
                "network.hybrid is set but network.onPremises lists no range: nothing is routed to the gateway".into(),
                "list the on-premises ranges under network.onPremises",
            );
        }
        self.kind_fields(h, &cx.plan.names.rg_hub, out);
        for (key, r) in h.keys() {
            if let SecretRef::Literal(_) = r {
                out.error(
                    key.pointer(),
                    "a gateway key is written in the spec (value not shown)".into(),
                    "store it in Key Vault and write `{ keyVaultSecret: NAME }`; rotate the exposed key",
                );
            }
        }
    }
}

impl Net015 {
    fn kind_fields(&self, h: &Hybrid, hub_rg: &str, out: &mut Out<'_>) {
        let wrong_block = |out: &mut Out<'_>, ptr: &str, block: &str| {
            out.error(
                ptr,
                format!(
                    "`{block}` is set but the gateway is `{}`",
                    h.gateway.as_str()
                ),
                "remove it, or change `gateway`",
            );
        };
        match h.gateway {
            GatewayKind::Existing => {
                match &h.gateway_id {
                    None => out.error(
                        "/network/hybrid/gateway",
                        "`gateway: existing` needs `gatewayId`, the resource id of the gateway in the hub".into(),
                        "add gatewayId: /subscriptions/.../resourceGroups/.../providers/Microsoft.Network/virtualNetworkGateways/NAME",
                    ),
                    Some(id) if !is_resource_id(id, "Microsoft.Network/virtualNetworkGateways") => {
                        out.error(
                            "/network/hybrid/gatewayId",
                            "gatewayId is not a Microsoft.Network/virtualNetworkGateways resource id".into(),
                            "copy it from `az network vnet-gateway show --query id`",
                        )
                    }
                    Some(id) => {
                        // The gateway must sit in the GatewaySubnet of the hub (akswin's or the existing one).
                        let rg = ResourceId::parse(id).map(|r| r.resource_group).unwrap_or_default();
                        if !rg.eq_ignore_ascii_case(hub_rg) {
                            out.warning(
                                "/network/hybrid/gatewayId",
                                format!(
                                    "the gateway is in resource group {rg}, but the hub VNet is in {}: gateway transit works only for a gateway in that VNet's GatewaySubnet",
                                    hub_rg
                                ),
                                "use the gateway in the hub VNet's GatewaySubnet (for a hub akswin does not own: network.hub.existing)",
                            );
                        }
                    }
                }
                if h.sku.is_some() {
                    out.warning(
                        "/network/hybrid/sku",
                        "sku is ignored for an existing gateway".into(),
                        "remove it",
                    );
                }
                if h.vpn.is_some() {
                    wrong_block(out, "/network/hybrid/vpn", "vpn");
                }
                if h.express_route.is_some() {
                    wrong_block(out, "/network/hybrid/expressRoute", "expressRoute");
                }
            }
            GatewayKind::Vpn => {
                if h.gateway_id.is_some() {
                    wrong_block(out, "/network/hybrid/gatewayId", "gatewayId");
                }
                if h.express_route.is_some() {
                    wrong_block(out, "/network/hybrid/expressRoute", "expressRoute");
                }
                match &h.vpn {
                    None => out.error(
                        "/network/hybrid/gateway",
                        "`gateway: vpn` needs `vpn: { peerIp, sharedKey }`: the on-premises VPN device and the connection's key".into(),
                        "add vpn: { peerIp: <public IP of the on-premises device>, sharedKey: { keyVaultSecret: vpn-shared-key } }",
                    ),
                    Some(v) => {
                        let ip = v.peer_ip.0;
                        if ip.is_private() || ip.is_loopback() || ip.is_link_local() || ip.is_unspecified() {
                            out.error(
                                "/network/hybrid/vpn/peerIp",
                                format!("peerIp {ip} is not a public address: the gateway connects to the on-premises device over the internet"),
                                "use the public IP of the on-premises VPN device",
                            );
                        }
                    }
                }
                self.sku(h, &VPN_SKUS, out);
            }
            GatewayKind::ExpressRoute => {
                if h.gateway_id.is_some() {
                    wrong_block(out, "/network/hybrid/gatewayId", "gatewayId");
                }
                if h.vpn.is_some() {
                    wrong_block(out, "/network/hybrid/vpn", "vpn");
                }
                match &h.express_route {
                    None => out.error(
                        "/network/hybrid/gateway",
                        "`gateway: expressRoute` needs `expressRoute: { circuitId }`".into(),
                        "add expressRoute: { circuitId: /subscriptions/.../providers/Microsoft.Network/expressRouteCircuits/NAME }",
                    ),
                    Some(e) if !is_resource_id(&e.circuit_id, "Microsoft.Network/expressRouteCircuits") => out.error(
                        "/network/hybrid/expressRoute/circuitId",
                        "circuitId is not a Microsoft.Network/expressRouteCircuits resource id".into(),
                        "copy it from `az network express-route show --query id`",
                    ),
                    Some(_) => {}
                }
                self.sku(h, &ER_SKUS, out);
            }
        }
    }

    fn sku(&self, h: &Hybrid, allowed: &[&str], out: &mut Out<'_>) {
        if let Some(s) = &h.sku
            && !allowed.contains(&s.as_str())
        {
            out.error(
                "/network/hybrid/sku",
                format!(
                    "`{s}` is not a zone-redundant {} gateway SKU akswin deploys",
                    h.gateway.as_str()
                ),
                &format!("use one of {}", allowed.join(", ")),
            );
        }
    }
}
