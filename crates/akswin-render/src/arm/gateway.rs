//! Hybrid connectivity in the hub (`network.hybrid`): the virtual network gateway akswin
//! creates (VPN, active-active, or ExpressRoute), its public IPs and its connection. An
//! existing gateway renders nothing here: the hub keeps its GatewaySubnet (with the route table
//! the plan gives it) and the peerings use it.

use super::*;
use akswin_spec::spec::{GatewayKind, HybridKey};

/// The connection's key parameters of the hub deployment.
pub(super) const VPN_SHARED_KEY: &str = "vpnSharedKey";
pub(super) const ER_AUTHORIZATION_KEY: &str = "erAuthorizationKey";

/// The hub deployment's parameter that carries a connection key.
fn key_param(key: HybridKey) -> &'static str {
    match key {
        HybridKey::VpnSharedKey => VPN_SHARED_KEY,
        HybridKey::ErAuthorizationKey => ER_AUTHORIZATION_KEY,
    }
}

impl Arm<'_> {
    /// Whether akswin deploys a gateway (and not only uses an existing one).
    pub fn creates_gateway(&self) -> bool {
        self.plan
            .hybrid
            .as_ref()
            .is_some_and(|h| h.kind != GatewayKind::Existing && h.gateway_subnet.is_some())
    }

    /// Whether the hub has a gateway the peerings can transit (created or existing).
    pub(crate) fn has_gateway(&self) -> bool {
        self.plan.hybrid.as_ref().is_some_and(|h| {
            h.gateway_subnet.is_some()
                || (self.existing_hub().is_some() && h.kind == GatewayKind::Existing)
        })
    }

    /// The hub deployment's secure parameters for the connection's key (Key Vault references).
    pub(super) fn gateway_params(&self, p: &mut Map<String, Value>) {
        let Some(h) = &self.spec.network.hybrid else {
            return;
        };
        if !self.creates_gateway() {
            return;
        }
        for (key, r) in h.keys() {
            if let SecretRef::KeyVault(name) = r {
                p.insert(key_param(key).into(), kv_reference(self.n, name));
            }
        }
    }

    /// The gateway, its public IPs, the local network gateway and the connection; with the
    /// parameters they read.
    pub(super) fn gateway(&self, zones: &Value) -> (Vec<Value>, Map<String, Value>) {
        let mut res = Vec::new();
        let mut params = Map::new();
        let (Some(h), Some(hp)) = (&self.spec.network.hybrid, &self.plan.hybrid) else {
            return (res, params);
        };
        if !self.creates_gateway() {
            return (res, params);
        }
        let n = self.n;
        let sku = hp.sku.clone().unwrap_or_default();
        let subnet = expr::resource_id(
            "Microsoft.Network/virtualNetworks/subnets",
            &[&n.vnet_hub, akswin_facts::GATEWAY_SUBNET.azure_name],
        )
        .template();
        // VPN: active-active (two instances, two public IPs, two tunnels from on-premises), the
        // recommended shape for zone-redundant VPN gateways. ExpressRoute: one configuration.
        let instances = if h.gateway == GatewayKind::Vpn { 2 } else { 1 };
        let mut ipconfs = Vec::new();
        for i in 0..instances {
            let pip = format!("pip-{}-{:02}", hp.gateway, i + 1);
            res.push(self.public_ip(&pip, zones));
            ipconfs.push(json!({
                "name": format!("ipconfig{}", i + 1),
                "properties": {
                    "privateIPAllocationMethod": "Dynamic",
                    "subnet": { "id": subnet },
                    "publicIPAddress": { "id": rid("Microsoft.Network/publicIPAddresses", &pip) },
                }
            }));
        }
        let mut props = json!({
            "gatewayType": if h.gateway == GatewayKind::Vpn { "Vpn" } else { "ExpressRoute" },
            "sku": { "name": sku, "tier": sku },
            "ipConfigurations": ipconfs,
        });
        if h.gateway == GatewayKind::Vpn {
            props["vpnType"] = s("RouteBased");
            props["activeActive"] = json!(true);
            props["enableBgp"] = json!(false);
            // Generation2 is available from VpnGw2 up; VpnGw1 is Generation1 only.
            props["vpnGatewayGeneration"] = s(if sku.starts_with("VpnGw1") {
                "Generation1"
            } else {
                "Generation2"
            });
        }
        res.push(json!({
            "type": "Microsoft.Network/virtualNetworkGateways",
            "apiVersion": API_NETWORK,
            "name": hp.gateway,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "properties": props,
            // The subnet is a child of the hub VNet in this template.
            "dependsOn": [rid("Microsoft.Network/virtualNetworks", &n.vnet_hub)],
        }));
        let gw_ref = json!({
            "id": rid("Microsoft.Network/virtualNetworkGateways", &hp.gateway),
            "properties": {},
        });
        match h.gateway {
            GatewayKind::Vpn => {
                let Some(v) = &h.vpn else {
                    return (res, params);
                };
                res.push(json!({
                    "type": "Microsoft.Network/localNetworkGateways",
                    "apiVersion": API_NETWORK,
                    "name": n.local_gateway,
                    "location": "[resourceGroup().location]",
                    "tags": self.tags(),
                    "properties": {
                        "gatewayIpAddress": v.peer_ip.to_string(),
                        "localNetworkAddressSpace": { "addressPrefixes": hp.on_premises.iter().map(|c| c.to_string()).collect::<Vec<_>>() },
                    }
                }));
                params.insert(VPN_SHARED_KEY.into(), secure_param());
                res.push(json!({
                    "type": "Microsoft.Network/connections",
                    "apiVersion": API_NETWORK,
                    "name": n.connection,
                    "location": "[resourceGroup().location]",
                    "tags": self.tags(),
                    "properties": {
                        "connectionType": "IPsec",
                        "connectionProtocol": "IKEv2",
                        "virtualNetworkGateway1": gw_ref,
                        "localNetworkGateway2": {
                            "id": rid("Microsoft.Network/localNetworkGateways", &n.local_gateway),
                            "properties": {},
                        },
                        "sharedKey": expr::parameters(VPN_SHARED_KEY).template(),
                        "enableBgp": false,
                    }
                }));
            }
            GatewayKind::ExpressRoute => {
                let Some(e) = &h.express_route else {
                    return (res, params);
                };
                let mut props = json!({
                    "connectionType": "ExpressRoute",
                    "virtualNetworkGateway1": gw_ref,
                    "peer": { "id": e.circuit_id },
                    "routingWeight": 0,
                });
                if e.authorization_key.is_some() {
                    params.insert(ER_AUTHORIZATION_KEY.into(), secure_param());
                    props["authorizationKey"] =
                        s(&expr::parameters(ER_AUTHORIZATION_KEY).template());
                }
                res.push(json!({
                    "type": "Microsoft.Network/connections",
                    "apiVersion": API_NETWORK,
                    "name": n.connection,
                    "location": "[resourceGroup().location]",
                    "tags": self.tags(),
                    "properties": props,
                }));
            }
            GatewayKind::Existing => {}
        }
        (res, params)
    }
}
