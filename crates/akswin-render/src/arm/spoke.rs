//! The spoke resource group: spoke VNet, subnets, NSGs, the egress route table.

use super::*;

impl Arm<'_> {
    /// A planned subnet's address prefix, NSG and route table (None: not placed).
    pub(super) fn subnet_properties(&self, sn: &SubnetPlan) -> Option<Value> {
        let ns = &self.plan.netsec;
        let mut props = json!({ "addressPrefix": sn.prefix?.to_string() });
        if let Some(g) = ns.nsg_of(&sn.key) {
            props["networkSecurityGroup"] =
                json!({ "id": rid("Microsoft.Network/networkSecurityGroups", &g.name) });
        }
        if let Some(rt) = ns.route_table_of(&sn.key) {
            props["routeTable"] = json!({ "id": rid("Microsoft.Network/routeTables", &rt.name) });
        }
        Some(props)
    }

    /// A route table as planned: routes to a virtual appliance (the hub firewall) or to the
    /// internet.
    pub(super) fn route_table(&self, rt: &akswin_plan::netsec::RouteTablePlan) -> Value {
        json!({
            "type": "Microsoft.Network/routeTables",
            "apiVersion": API_NETWORK,
            "name": rt.name,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "properties": {
                "disableBgpRoutePropagation": rt.disable_bgp_route_propagation,
                "routes": rt.routes.iter().map(|r| json!({
                    "name": r.name,
                    "properties": match r.next_hop {
                        Some(ip) => json!({ "addressPrefix": r.prefix.to_string(), "nextHopType": "VirtualAppliance", "nextHopIpAddress": ip.to_string() }),
                        None => json!({ "addressPrefix": r.prefix.to_string(), "nextHopType": "Internet" }),
                    }
                })).collect::<Vec<_>>(),
            }
        })
    }

    pub(super) fn spoke_params(&self) -> Value {
        let mut p = Map::new();
        if let Some(wp) = &self.spec.cluster.windows_profile {
            match &wp.admin_password {
                SecretRef::KeyVault(name) => {
                    p.insert("windowsAdminPassword".into(), kv_reference(self.n, name));
                }
                SecretRef::Parameter(name) => {
                    p.insert(
                        "windowsAdminPassword".into(),
                        json!({ "value": expr::parameters(name) }),
                    );
                }
                SecretRef::Literal(_) => {}
            }
        }
        Value::Object(p)
    }

    pub(super) fn spoke_template(&self) -> Value {
        let n = self.n;
        let spec = self.spec;
        let mut res = Vec::new();
        let Some(spoke) = self.plan.vnet(akswin_plan::SPOKE) else {
            // The planner always plans the spoke; without one there is nothing to deploy here.
            return rg_template(Vec::new(), json!({}), json!({}));
        };
        let ns = &self.plan.netsec;
        for rt in ns
            .route_tables
            .iter()
            .filter(|r| r.vnet == akswin_plan::SPOKE)
        {
            res.push(self.route_table(rt));
        }
        let nsgs: Vec<&akswin_plan::netsec::NsgPlan> = ns
            .nsgs
            .iter()
            .filter(|g| g.vnet == akswin_plan::SPOKE)
            .collect();
        for g in &nsgs {
            res.push(self.nsg(&g.name, Self::nsg_rules(&g.rules)));
        }
        let subnets: Vec<Value> = spoke
            .subnets
            .iter()
            .filter_map(|sn| {
                let mut props = self.subnet_properties(sn)?;
                match sn.role {
                    SubnetRole::PrivateLinkService => {
                        props["privateLinkServiceNetworkPolicies"] = s(
                            match spec.network.spoke.private_link_service_network_policies {
                                Toggle::Enabled => "Enabled",
                                Toggle::Disabled => "Disabled",
                            },
                        );
                    }
                    SubnetRole::PrivateEndpoints => {
                        props["privateEndpointNetworkPolicies"] = s("Enabled");
                    }
                    _ => {}
                }
                Some(json!({ "name": sn.azure_name, "properties": props }))
            })
            .collect();
        let mut vnet = json!({
            "type": "Microsoft.Network/virtualNetworks",
            "apiVersion": API_NETWORK,
            "name": n.vnet_spoke,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "properties": {
                "addressSpace": { "addressPrefixes": spoke.address_space.iter().map(|c| c.to_string()).collect::<Vec<_>>() },
                "subnets": subnets,
            },
        });
        if !self.plan.addresses.dns_servers.is_empty() {
            vnet["properties"]["dhcpOptions"] = json!({ "dnsServers": self.plan.addresses.dns_servers.iter().map(|i| i.to_string()).collect::<Vec<_>>() });
        }
        res.push(vnet);
        let vnet_id = rid("Microsoft.Network/virtualNetworks", &n.vnet_spoke);
        // The cluster identity joins the subnets and manages load balancers and route tables.
        let cluster_id = rid_rg(
            &n.rg_shared,
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            &n.id_cluster,
        );
        let cluster_principal = principal_of(cluster_id);
        res.push(role_assignment(
            "cluster-network-contributor-vnet",
            &vnet_id,
            ROLE_NETWORK_CONTRIBUTOR,
            &cluster_principal,
            std::slice::from_ref(&vnet_id),
        ));
        for rt in ns
            .route_tables
            .iter()
            .filter(|r| r.vnet == akswin_plan::SPOKE)
        {
            let rt = rid("Microsoft.Network/routeTables", &rt.name);
            res.push(role_assignment(
                "cluster-network-contributor-rt",
                &rt,
                ROLE_NETWORK_CONTRIBUTOR,
                &cluster_principal,
                std::slice::from_ref(&rt),
            ));
        }
        self.with_diagnostics(&mut res);
        rg_template(res, json!({}), json!({}))
    }
}
