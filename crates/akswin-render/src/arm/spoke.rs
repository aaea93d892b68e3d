//! The spoke resource group: spoke VNet, subnets, NSGs, the egress route table.

use super::*;

impl Arm<'_> {
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
                        json!({ "value": format!("[parameters('{name}')]") }),
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
        let fw_ip = self
            .plan
            .addresses
            .firewall_private_ip
            .map(|i| i.to_string());
        if let Some(ip) = &fw_ip {
            res.push(json!({
                "type": "Microsoft.Network/routeTables",
                "apiVersion": API_NETWORK,
                "name": n.route_table,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "properties": {
                    "disableBgpRoutePropagation": true,
                    "routes": [ {
                        "name": "default-via-hub-firewall",
                        "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": ip }
                    } ]
                }
            }));
        }
        // NSGs: Windows nodes (user rules + AD egress to the DCs), other node subnets, services.
        let dc_prefix = self
            .subnet("domainControllers")
            .and_then(|s| s.prefix)
            .map(|p| p.to_string());
        let mut win_rules = Vec::new();
        for r in &self.plan.firewall.windows_nsg_rules {
            let dest = match r.destination.as_str() {
                "domainControllers" => dc_prefix.clone().unwrap_or_else(|| {
                    let ips: Vec<String> = self
                        .plan
                        .addresses
                        .dns_servers
                        .iter()
                        .map(|i| i.to_string())
                        .collect();
                    ips.first()
                        .cloned()
                        .unwrap_or_else(|| "VirtualNetwork".into())
                }),
                d => d.to_string(),
            };
            let proto = match r.protocol.to_ascii_lowercase().as_str() {
                "tcp" => "Tcp",
                "udp" => "Udp",
                "icmp" => "Icmp",
                _ => "*",
            };
            win_rules.push(json!({
                "name": r.name,
                "properties": {
                    "priority": r.priority,
                    "direction": "Outbound",
                    "access": if r.allow { "Allow" } else { "Deny" },
                    "protocol": proto,
                    "sourceAddressPrefix": "*",
                    "sourcePortRange": "*",
                    "destinationAddressPrefix": dest,
                    "destinationPortRanges": r.ports,
                }
            }));
        }
        for (name, rules) in [
            (&n.nsg_windows, win_rules),
            (&n.nsg_nodes, Vec::new()),
            (&n.nsg_services, Vec::new()),
        ] {
            res.push(self.nsg(name, rules));
        }
        let subnets: Vec<Value> = spoke
            .subnets
            .iter()
            .filter_map(|sn| {
                let prefix = sn.prefix?;
                let mut props = json!({ "addressPrefix": prefix.to_string() });
                let nsg = match (sn.role, sn.key.as_str()) {
                    (SubnetRole::Nodes, "windowsNodes") => &n.nsg_windows,
                    (SubnetRole::Nodes | SubnetRole::Pods, _) => &n.nsg_nodes,
                    _ => &n.nsg_services,
                };
                props["networkSecurityGroup"] =
                    json!({ "id": rid("Microsoft.Network/networkSecurityGroups", nsg) });
                if matches!(
                    sn.role,
                    SubnetRole::Nodes | SubnetRole::Pods | SubnetRole::AppProxyConnectors
                ) && fw_ip.is_some()
                {
                    props["routeTable"] =
                        json!({ "id": rid("Microsoft.Network/routeTables", &n.route_table) });
                }
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
        let mut vnet_deps = vec![
            s(&rid(
                "Microsoft.Network/networkSecurityGroups",
                &n.nsg_windows,
            )),
            s(&rid(
                "Microsoft.Network/networkSecurityGroups",
                &n.nsg_nodes,
            )),
            s(&rid(
                "Microsoft.Network/networkSecurityGroups",
                &n.nsg_services,
            )),
        ];
        if fw_ip.is_some() {
            vnet_deps.push(s(&rid("Microsoft.Network/routeTables", &n.route_table)));
        }
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
            "dependsOn": vnet_deps,
        });
        if !self.plan.addresses.dns_servers.is_empty() {
            vnet["properties"]["dhcpOptions"] = json!({ "dnsServers": self.plan.addresses.dns_servers.iter().map(|i| i.to_string()).collect::<Vec<_>>() });
        }
        res.push(vnet);
        let vnet_id = rid("Microsoft.Network/virtualNetworks", &n.vnet_spoke);
        let mut peer = self.peering(&n.vnet_spoke, &n.rg_hub, &n.vnet_hub, "spoke-to-hub", false);
        peer["dependsOn"] = json!([vnet_id]);
        res.push(peer);
        // The cluster identity joins the subnets and manages load balancers and route tables.
        let cluster_id = rid_rg(
            &n.rg_shared,
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            &n.id_cluster,
        );
        let cluster_principal = format!(
            "[reference({}, '{API_IDENTITY}').principalId]",
            inner(&cluster_id)
        );
        res.push(role_assignment(
            "cluster-network-contributor-vnet",
            &vnet_id,
            ROLE_NETWORK_CONTRIBUTOR,
            &cluster_principal,
            std::slice::from_ref(&vnet_id),
        ));
        if fw_ip.is_some() {
            let rt = rid("Microsoft.Network/routeTables", &n.route_table);
            res.push(role_assignment(
                "cluster-network-contributor-rt",
                &rt,
                ROLE_NETWORK_CONTRIBUTOR,
                &cluster_principal,
                std::slice::from_ref(&rt),
            ));
        }
        rg_template(res, json!({}), json!({}))
    }
}
