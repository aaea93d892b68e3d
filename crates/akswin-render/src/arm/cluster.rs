//! The cluster resource group: the AKS managed cluster, its pools and maintenance configurations.

use super::*;

impl Arm<'_> {
    /// The cluster and what hangs off it (resource-group scope, spoke resource group).
    pub(super) fn cluster_template(&self) -> Value {
        let n = self.n;
        let spec = self.spec;
        let mut res = Vec::new();
        let vnet_id = rid("Microsoft.Network/virtualNetworks", &n.vnet_spoke);
        let cluster_id = rid_rg(
            &n.rg_shared,
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            &n.id_cluster,
        );
        res.push(self.cluster(&vnet_id, &cluster_id));
        let cluster = rid("Microsoft.ContainerService/managedClusters", &n.cluster);
        res.extend(self.maintenance());
        if spec.monitoring.container_insights {
            res.extend(self.container_insights(&cluster));
        }
        if self.prometheus_enabled() {
            res.extend(self.prometheus(&cluster));
        }
        res.extend(self.alerts());
        res.extend(self.policy_assignments(&cluster));
        // A way in: Azure RBAC for Kubernetes is on and local accounts are off, so only these
        // groups (and the operator, whom deploy.sh grants the same role) can use the Kubernetes
        // API (kubectl, az aks command invoke).
        let cluster_scope =
            expr::resource_id("Microsoft.ContainerService/managedClusters", &[&n.cluster]);
        for group in &spec.cluster.admin_groups {
            res.push(json!({
                "type": "Microsoft.Authorization/roleAssignments",
                "apiVersion": API_ROLE,
                "name": role_assignment_name(&cluster_scope, ROLE_AKS_RBAC_CLUSTER_ADMIN, &format!("admin-group-{group}")),
                "scope": cluster_scope,
                "properties": {
                    "roleDefinitionId": role_definition(ROLE_AKS_RBAC_CLUSTER_ADMIN),
                    "principalId": group.as_str(),
                    "principalType": "Group",
                },
                "dependsOn": [cluster.clone()],
            }));
        }
        let mut params = json!({});
        if spec.cluster.windows_profile.is_some() {
            params = json!({ "windowsAdminPassword": secure_param() });
        }
        self.with_diagnostics(&mut res);
        rg_template(
            res,
            params,
            json!({ "clusterId": { "type": "string", "value": cluster } }),
        )
    }

    pub(super) fn cluster(&self, vnet_id: &Expr, cluster_id: &Expr) -> Value {
        let n = self.n;
        let spec = self.spec;
        let c = &spec.cluster;
        let cni = spec.network.cni;
        let upgrades = akswin_plan::resolve::pool_upgrades(spec);
        let pools: Vec<Value> = c
            .node_pools
            .iter()
            .map(|p| {
                let sku = p.os_sku();
                let subnet = self.subnet(p.subnet_key().key()).map(|s| s.azure_name.clone()).unwrap_or_default();
                let mut pool = json!({
                    "name": p.name,
                    "mode": match p.mode { Mode::System => "System", Mode::User => "User" },
                    "type": "VirtualMachineScaleSets",
                    "osType": match p.os { Os::Linux => "Linux", Os::Windows => "Windows" },
                    "osSKU": sku.as_str(),
                    "vmSize": p.vm_size,
                    "count": p.count.or(p.min).unwrap_or(1),
                    "maxPods": akswin_plan::max_pods(cni, p),
                    "osDiskType": match p.os_disk.r#type { OsDiskType::Ephemeral => "Ephemeral", OsDiskType::Managed => "Managed" },
                    "osDiskSizeGB": p.os_disk.size_gi_b,
                    "vnetSubnetID": expr::concat(vec![vnet_id.clone(), expr::lit(format!("/subnets/{subnet}"))]),
                    "upgradeSettings": { "maxSurge": akswin_plan::resolve::max_surge(p).to_string() },
                    "enableFIPS": p.enable_fips,
                    "enableEncryptionAtHost": c.encryption_at_host,
                });
                // Windows pools: the drain timeout and node soak their image pulls need
                // (explicit or recommended, akswin_plan::pool_upgrade); Linux pools: as written
                let (drain, soak) = match upgrades.iter().find(|u| u.pool == p.name) {
                    Some(u) => (Some(u.drain_timeout_minutes), Some(u.node_soak_minutes)),
                    None => (p.drain_timeout_minutes, p.node_soak_minutes),
                };
                if let Some(d) = drain {
                    pool["upgradeSettings"]["drainTimeoutInMinutes"] = json!(d);
                }
                if let Some(s) = soak {
                    pool["upgradeSettings"]["nodeSoakDurationInMinutes"] = json!(s);
                }
                if p.autoscaled() {
                    pool["enableAutoScaling"] = json!(true);
                    pool["minCount"] = json!(p.min);
                    pool["maxCount"] = json!(p.max);
                }
                if !p.zones.is_empty() {
                    pool["availabilityZones"] = json!(p.zones.iter().map(|z| z.to_string()).collect::<Vec<_>>());
                }
                if !p.taints.is_empty() {
                    pool["nodeTaints"] = json!(p.taints);
                }
                if !p.labels.is_empty() {
                    pool["nodeLabels"] = json!(p.labels);
                }
                if let Some(v) = p.kubernetes_version {
                    pool["orchestratorVersion"] = s(&v.to_string());
                }
                if cni == Cni::AzureCniPodSubnet
                    && let Some(pods) = self.subnet(SpokeSubnet::Pods.key())
                {
                    pool["podSubnetID"] = expr::concat(vec![vnet_id.clone(), expr::lit(format!("/subnets/{}", pods.azure_name))]).into();
                    if spec.network.pod_ip_allocation == PodIpAllocation::StaticBlock {
                        pool["podIPAllocationMode"] = s("StaticBlock");
                    }
                }
                pool
            })
            .collect();
        let mut network = json!({
            "networkPlugin": "azure",
            "loadBalancerSku": "standard",
            "outboundType": match spec.cluster.outbound_type {
                akswin_spec::spec::OutboundType::LoadBalancer => "loadBalancer",
                akswin_spec::spec::OutboundType::ManagedNATGateway => "managedNATGateway",
                akswin_spec::spec::OutboundType::UserAssignedNATGateway => "userAssignedNATGateway",
                akswin_spec::spec::OutboundType::UserDefinedRouting => "userDefinedRouting",
                akswin_spec::spec::OutboundType::None => "none",
            },
            "serviceCidr": spec.network.service_cidr.to_string(),
            "dnsServiceIP": spec.network.dns_service_ip.to_string(),
        });
        let policy = match spec.cluster.network_policy {
            akswin_spec::spec::NetworkPolicy::Calico => Some("calico"),
            akswin_spec::spec::NetworkPolicy::Azure => Some("azure"),
            akswin_spec::spec::NetworkPolicy::Cilium => Some("cilium"),
            akswin_spec::spec::NetworkPolicy::None => None,
        };
        if let Some(p) = policy {
            network["networkPolicy"] = s(p);
        }
        if cni == Cni::AzureCniOverlay {
            network["networkPluginMode"] = s("overlay");
            if let Some(p) = spec.network.pod_cidr {
                network["podCidr"] = s(&p.to_string());
            }
        }
        let kubelet = rid_rg(
            &n.rg_shared,
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            &n.id_kubelet,
        );
        let law = rid_rg(
            &n.rg_shared,
            "Microsoft.OperationalInsights/workspaces",
            &n.law,
        );
        let mut props = json!({
            "kubernetesVersion": c.kubernetes_version.to_string(),
            "dnsPrefix": n.dns_prefix,
            "nodeResourceGroup": n.rg_nodes,
            "enableRBAC": true,
            "disableLocalAccounts": c.disable_local_accounts,
            "aadProfile": { "managed": true, "enableAzureRBAC": true },
            "agentPoolProfiles": pools,
            "networkProfile": network,
            "apiServerAccessProfile": { "enablePrivateCluster": c.private_cluster },
            "identityProfile": {
                "kubeletidentity": {
                    "resourceId": kubelet,
                    "clientId": expr::reference(kubelet.clone(), API_IDENTITY).prop("clientId"),
                    "objectId": principal_of(kubelet.clone()),
                }
            },
            "addonProfiles": {
                "azurepolicy": { "enabled": true },
                "azureKeyvaultSecretsProvider": { "enabled": true, "config": { "enableSecretRotation": "true" } },
                "omsagent": {
                    "enabled": spec.monitoring.container_insights,
                    "config": { "logAnalyticsWorkspaceResourceID": law, "useAADAuth": "true" },
                },
            },
            "autoUpgradeProfile": {
                "upgradeChannel": match spec.upgrades.cluster_channel {
                    akswin_spec::spec::ClusterChannel::None => "none",
                    akswin_spec::spec::ClusterChannel::Patch => "patch",
                    akswin_spec::spec::ClusterChannel::Stable => "stable",
                    akswin_spec::spec::ClusterChannel::Rapid => "rapid",
                },
                "nodeOSUpgradeChannel": spec.upgrades.node_os_channel.arm_value(),
            },
            "securityProfile": { "imageCleaner": { "enabled": false } },
        });
        if self.prometheus_enabled() {
            // Managed Prometheus's metrics add-on; its rule is associated below.
            props["azureMonitorProfile"] = json!({ "metrics": {
                "enabled": true,
                "kubeStateMetrics": { "metricLabelsAllowlist": "", "metricAnnotationsAllowList": "" },
            } });
        }
        if !self.certificate_workloads().is_empty() {
            // Workload identity: the CSI driver mounts each workload's certificate with the
            // workload's own identity, federated with its service account through the
            // cluster's OIDC issuer.
            props["oidcIssuerProfile"] = json!({ "enabled": true });
            props["securityProfile"]["workloadIdentity"] = json!({ "enabled": true });
        }
        if c.private_cluster {
            // Our own zone (akswin links it to the hub, where the jump box and the domain
            // controllers ask Azure DNS; AKS links it to the spoke itself), or, with an
            // existing hub, the landing zone's zone (hub-side.json grants the cluster identity
            // its role there).
            props["apiServerAccessProfile"]["privateDNSZone"] =
                self.zone_id(Some(&n.rg_shared), &self.aks_zone());
            // Every client resolves the API server through the private zone (the nodes always
            // do; operators use command invoke or the hub's jump box): no public FQDN for the
            // private API server, as Learn's hub and spoke with a custom zone asks
            // (https://learn.microsoft.com/azure/aks/private-clusters).
            props["apiServerAccessProfile"]["enablePrivateClusterPublicFQDN"] = json!(false);
        }
        if !c.private_cluster && !c.api_server_authorized_ip_ranges.is_empty() {
            props["apiServerAccessProfile"]["authorizedIPRanges"] = json!(
                c.api_server_authorized_ip_ranges
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
            );
        }
        if let Some(wp) = &c.windows_profile {
            let mut w = json!({
                "adminUsername": wp.admin_username,
                "adminPassword": "[parameters('windowsAdminPassword')]",
                "licenseType": if wp.azure_hybrid_benefit { "Windows_Server" } else { "None" },
                "enableCSIProxy": true,
            });
            if spec.identity.gmsa.enabled {
                let mut g = json!({ "enabled": true });
                // With the VNet's DNS pointing at the DCs, dnsServer/rootDomainName stay empty.
                if let (Some(dns), Some(ad)) = (
                    self.plan.addresses.gmsa_dns_server,
                    &spec.identity.active_directory,
                ) {
                    g["dnsServer"] = s(&dns.to_string());
                    g["rootDomainName"] = s(ad
                        .forest_root
                        .as_ref()
                        .map_or(ad.domain.as_str(), |r| r.as_str()));
                }
                w["gmsaProfile"] = g;
            }
            props["windowsProfile"] = w;
        }
        let mut identities = Map::new();
        identities.insert(cluster_id.template(), json!({}));
        json!({
            "type": "Microsoft.ContainerService/managedClusters",
            "apiVersion": API_AKS,
            "name": n.cluster,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "sku": { "name": "Base", "tier": c.tier.arm_value() },
            "identity": { "type": "UserAssigned", "userAssignedIdentities": identities },
            "properties": props,
        })
    }

    /// An AKS maintenance window's `schedule` object.
    fn window_schedule(w: &akswin_spec::spec::MaintenanceWindow) -> Option<Value> {
        let sched = &w.schedule;
        Some(if let Some(r) = &sched.relative_monthly {
            json!({ "relativeMonthly": { "intervalMonths": r.interval_months, "weekIndex": match r.week_index {
                WeekIndex::First => "First", WeekIndex::Second => "Second", WeekIndex::Third => "Third", WeekIndex::Fourth => "Fourth", WeekIndex::Last => "Last" },
                "dayOfWeek": r.day_of_week.arm_value() } })
        } else if let Some(a) = &sched.absolute_monthly {
            json!({ "absoluteMonthly": { "intervalMonths": a.interval_months, "dayOfMonth": a.day_of_month } })
        } else if let Some(wk) = &sched.weekly {
            json!({ "weekly": { "intervalWeeks": wk.interval_weeks, "dayOfWeek": wk.day_of_week.arm_value() } })
        } else {
            return None;
        })
    }

    /// Maintenance windows: node OS images (the monthly Windows window) and, with a cluster
    /// auto-upgrade channel, Kubernetes version upgrades in a window of their own.
    pub(super) fn maintenance(&self) -> Vec<Value> {
        let up = &self.spec.upgrades;
        let mut names: Vec<(&str, &akswin_spec::spec::MaintenanceWindow)> = Vec::new();
        if matches!(
            up.node_os_channel,
            NodeOsChannel::NodeImage | NodeOsChannel::SecurityPatch
        ) && let Some(w) = &up.windows_node_image
        {
            names.push(("aksManagedNodeOSUpgradeSchedule", w));
        }
        if up.cluster_channel != akswin_spec::spec::ClusterChannel::None
            && let Some(w) = &up.cluster_window
        {
            names.push(("aksManagedAutoUpgradeSchedule", w));
        }
        let mut out = Vec::new();
        let mut previous: Option<String> = None;
        for (name, w) in names {
            let Some(schedule) = Self::window_schedule(w) else {
                continue;
            };
            let mut deps = vec![v(rid(
                "Microsoft.ContainerService/managedClusters",
                &self.n.cluster,
            ))];
            if let Some(p) = &previous {
                deps.push(s(p));
            }
            out.push(json!({
                "type": "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
                "apiVersion": API_AKS,
                "name": format!("{}/{name}", self.n.cluster),
                "properties": {
                    "maintenanceWindow": {
                        "schedule": schedule,
                        "durationHours": w.duration_hours,
                        "startTime": w.start_time.to_string(),
                        "utcOffset": w.utc_offset.to_string(),
                    }
                },
                "dependsOn": deps,
            }));
            previous = Some(
                expr::resource_id(
                    "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
                    &[&self.n.cluster, name],
                )
                .template(),
            );
        }
        out
    }
}
