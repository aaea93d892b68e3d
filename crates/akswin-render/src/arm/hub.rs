//! The hub resource group: hub VNet and its subnets, public IPs, Bastion, the firewall and its policy, peerings.

use super::*;

impl Arm<'_> {
    pub(super) fn hub_params(&self) -> Value {
        let mut p = Map::new();
        // Exactly when hub_template renders the domain controllers.
        if self.dc_count() > 0 && self.subnet("domainControllers").is_some() {
            let ad = self.spec.identity.active_directory.as_ref();
            let dcs = ad.map(|a| &a.domain_controllers);
            p.insert(
                "dcAdminPassword".into(),
                kv_reference(
                    self.n,
                    &dcs.and_then(|d| d.secret_name("adminPassword"))
                        .unwrap_or_default(),
                ),
            );
            p.insert(
                "dcVmSize".into(),
                json!({ "value": dcs.map_or(akswin_spec::spec::DEFAULT_DC_VM_SIZE, |d| d.size()) }),
            );
        }
        if self.has_jump_box() {
            p.insert(
                "jumpBoxSshPublicKey".into(),
                json!({ "value": "[parameters('jumpBoxSshPublicKey')]" }),
            );
            p.insert(
                "jumpBoxVmSize".into(),
                json!({ "value": self.spec.cluster.access.vm_size }),
            );
        }
        self.gateway_params(&mut p);
        Value::Object(p)
    }

    /// The domain controllers akswin creates (none in `existing` mode).
    pub(super) fn dc_count(&self) -> u32 {
        self.plan.addresses.domain_controller_ips.len() as u32
    }

    pub(super) fn hub_template(&self) -> Value {
        let n = self.n;
        let mut res = Vec::new();
        let Some(hub) = self.plan.vnet(akswin_plan::HUB) else {
            // The planner always plans the hub; without one there is nothing to deploy here.
            return rg_template(Vec::new(), json!({}), json!({}));
        };
        let dc_subnet = self.subnet("domainControllers");
        let ns = &self.plan.netsec;
        let hub_nsgs: Vec<&akswin_plan::netsec::NsgPlan> = ns
            .nsgs
            .iter()
            .filter(|g| g.vnet == akswin_plan::HUB)
            .collect();
        for g in &hub_nsgs {
            res.push(self.nsg(&g.name, Self::nsg_rules(&g.rules)));
        }
        for rt in ns
            .route_tables
            .iter()
            .filter(|r| r.vnet == akswin_plan::HUB)
        {
            res.push(self.route_table(rt));
        }
        let subnets: Vec<Value> = hub
            .subnets
            .iter()
            .filter_map(|sn| {
                let mut props = self.subnet_properties(sn)?;
                if sn.role == SubnetRole::DomainControllers {
                    props["privateEndpointNetworkPolicies"] = s("Enabled");
                }
                Some(json!({ "name": sn.azure_name, "properties": props }))
            })
            .collect();
        let vnet = json!({
            "type": "Microsoft.Network/virtualNetworks",
            "apiVersion": API_NETWORK,
            "name": n.vnet_hub,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "properties": {
                "addressSpace": { "addressPrefixes": hub.address_space.iter().map(|c| c.to_string()).collect::<Vec<_>>() },
                "subnets": subnets,
            }
        });
        res.push(vnet);
        let vnet_id = rid("Microsoft.Network/virtualNetworks", &n.vnet_hub);
        let zones = json!(["1", "2", "3"]);
        // Operations on the hub VNet's subnets run one at a time: the firewall and Bastion wait
        // for a gateway akswin creates, as Azure landing zone templates do, instead of racing it.
        let after_gateway: Vec<Value> = self
            .plan
            .hybrid
            .as_ref()
            .filter(|_| self.creates_gateway())
            .map(|h| v(rid("Microsoft.Network/virtualNetworkGateways", &h.gateway)))
            .into_iter()
            .collect();
        if self.subnet("firewall").and_then(|s| s.prefix).is_some() {
            let fw = &self.spec.egress.firewall;
            let mut ipconfs = Vec::new();
            for i in 0..fw.public_ips.max(1) {
                let pip = format!("pip-{}-{:02}", n.firewall, i + 1);
                res.push(self.public_ip(&pip, &zones));
                let mut conf = json!({
                    "name": format!("ipconfig{}", i + 1),
                    "properties": { "publicIPAddress": { "id": rid("Microsoft.Network/publicIPAddresses", &pip) } }
                });
                if i == 0 {
                    conf["properties"]["subnet"] = json!({ "id": expr::resource_id("Microsoft.Network/virtualNetworks/subnets", &[&n.vnet_hub, akswin_facts::FIREWALL_SUBNET.azure_name]).template() });
                }
                ipconfs.push(conf);
            }
            res.push(json!({
                "type": "Microsoft.Network/firewallPolicies",
                "apiVersion": API_NETWORK,
                "name": n.firewall_policy,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "properties": {
                    "sku": { "tier": fw.sku.arm_value() },
                    "threatIntelMode": "Deny",
                    "dnsSettings": { "enableProxy": true },
                }
            }));
            let groups = self.rule_collection_groups();
            // The references (public IPs, the subnet, the policy) are derived; the rule
            // collection groups are not referenced, but the firewall must come after them.
            let depends: Vec<Value> = groups
                .iter()
                .filter_map(|g| g["name"].as_str())
                .map(|name| {
                    let names: Vec<&str> = name.split('/').collect();
                    v(expr::resource_id(
                        "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
                        &names,
                    ))
                })
                .chain(after_gateway.iter().cloned())
                .collect();
            res.extend(groups);
            res.push(json!({
                "type": "Microsoft.Network/azureFirewalls",
                "apiVersion": API_NETWORK,
                "name": n.firewall,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "zones": zones,
                "properties": {
                    "sku": { "name": "AZFW_VNet", "tier": fw.sku.arm_value() },
                    "ipConfigurations": ipconfs,
                    "firewallPolicy": { "id": rid("Microsoft.Network/firewallPolicies", &n.firewall_policy) },
                },
                "dependsOn": depends,
            }));
        }
        if self.subnet("bastion").and_then(|s| s.prefix).is_some() {
            let pip = format!("pip-{}", n.bastion);
            res.push(self.public_ip(&pip, &zones));
            let mut bastion = json!({
                "type": "Microsoft.Network/bastionHosts",
                "apiVersion": API_NETWORK,
                "name": n.bastion,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "sku": { "name": "Standard" },
                "properties": {
                    "ipConfigurations": [ {
                        "name": "ipconfig1",
                        "properties": {
                            "subnet": { "id": expr::resource_id("Microsoft.Network/virtualNetworks/subnets", &[&n.vnet_hub, akswin_facts::BASTION_SUBNET.azure_name]).template() },
                            "publicIPAddress": { "id": rid("Microsoft.Network/publicIPAddresses", &pip) },
                        }
                    } ]
                },
            });
            // The jump box is reached with Bastion's native client (az network bastion ssh),
            // which needs tunneling (Standard SKU).
            if self.has_jump_box() {
                bastion["properties"]["enableTunneling"] = json!(true);
            }
            if !after_gateway.is_empty() {
                bastion["dependsOn"] = json!(after_gateway);
            }
            res.push(bastion);
        }
        let (gateway, mut params) = self.gateway(&zones);
        res.extend(gateway);
        if let Some(dc) = dc_subnet
            && self.dc_count() > 0
        {
            params.insert("dcAdminPassword".into(), secure_param());
            params.insert("dcVmSize".into(), json!({ "type": "string" }));
            res.extend(self.domain_controllers(dc, &vnet_id));
        }
        if self.has_jump_box() {
            params.insert("jumpBoxSshPublicKey".into(), json!({ "type": "string" }));
            params.insert("jumpBoxVmSize".into(), json!({ "type": "string" }));
            res.extend(self.jump_box(&vnet_id));
        }
        self.with_diagnostics(&mut res);
        rg_template(res, Value::Object(params), json!({}))
    }

    pub(super) fn public_ip(&self, name: &str, zones: &Value) -> Value {
        json!({
            "type": "Microsoft.Network/publicIPAddresses",
            "apiVersion": API_NETWORK,
            "name": name,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "zones": zones,
            "sku": { "name": "Standard", "tier": "Regional" },
            "properties": { "publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4" },
        })
    }

    pub(super) fn peering(
        &self,
        local_vnet: &str,
        remote_rg: &str,
        remote_vnet: &str,
        name: &str,
        allow_gateway_transit: bool,
        use_remote_gateways: bool,
    ) -> Value {
        Self::peering_to(
            local_vnet,
            v(rid_rg(
                remote_rg,
                "Microsoft.Network/virtualNetworks",
                remote_vnet,
            )),
            name,
            allow_gateway_transit,
            use_remote_gateways,
        )
    }

    /// A peering from `local_vnet` to the VNet `remote_id` (an expression or a literal id,
    /// for a VNet in another subscription).
    pub(super) fn peering_to(
        local_vnet: &str,
        remote_id: Value,
        name: &str,
        allow_gateway_transit: bool,
        use_remote_gateways: bool,
    ) -> Value {
        json!({
            "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            "apiVersion": API_NETWORK,
            "name": format!("{local_vnet}/{name}"),
            "properties": {
                "remoteVirtualNetwork": { "id": remote_id },
                "allowVirtualNetworkAccess": true,
                "allowForwardedTraffic": true,
                "allowGatewayTransit": allow_gateway_transit,
                "useRemoteGateways": use_remote_gateways,
            }
        })
    }

    // ------------------------------------------------------------------------------- spoke
}
