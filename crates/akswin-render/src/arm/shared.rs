//! The shared resource group: Log Analytics, Key Vault, ACR, identities, private DNS zones, access.

use super::*;
use monitoring::Logs;

impl<'a> Arm<'a> {
    pub(super) fn shared_params(&self) -> Value {
        json!({})
    }

    pub(super) fn shared_template(&self) -> Value {
        let n = self.n;
        let mut res = Vec::new();
        res.push(json!({
            "type": "Microsoft.OperationalInsights/workspaces",
            "apiVersion": API_LAW,
            "name": n.law,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "properties": {
                "sku": { "name": "PerGB2018" },
                "retentionInDays": self.spec.monitoring.retention_days,
                "publicNetworkAccessForIngestion": "Enabled",
                "publicNetworkAccessForQuery": "Enabled",
            }
        }));
        if self.prometheus_enabled() {
            res.push(self.monitor_workspace());
        }
        res.push(self.key_vault(false));
        let reg = &self.spec.registry;
        res.push(json!({
            "type": "Microsoft.ContainerRegistry/registries",
            "apiVersion": API_ACR,
            "name": n.acr,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "sku": { "name": reg.sku.arm_value() },
            "properties": {
                "adminUserEnabled": reg.admin_user_enabled,
                "publicNetworkAccess": if reg.public_network_access { "Enabled" } else { "Disabled" },
                "networkRuleBypassOptions": "AzureServices",
                "zoneRedundancy": "Enabled",
                "anonymousPullEnabled": false,
                "dataEndpointEnabled": true,
                "policies": {
                    "retentionPolicy": { "days": 30, "status": "enabled" },
                    "quarantinePolicy": { "status": "disabled" },
                    "trustPolicy": { "type": "Notary", "status": "disabled" },
                    "exportPolicy": { "status": "disabled" },
                }
            }
        }));
        for r in &reg.geo_replicas {
            res.push(json!({
                "type": "Microsoft.ContainerRegistry/registries/replications",
                "apiVersion": API_ACR,
                "name": format!("{}/{}", n.acr, r),
                "location": r,
                "properties": { "zoneRedundancy": "Enabled", "regionEndpointEnabled": true },
                "dependsOn": [rid("Microsoft.ContainerRegistry/registries", &n.acr)],
            }));
        }
        for id in [&n.id_cluster, &n.id_kubelet] {
            res.push(json!({
                "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                "apiVersion": API_IDENTITY,
                "name": id,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "properties": {},
            }));
        }
        // The cluster identity manages the kubelet identity (custom kubelet identity).
        let kubelet = rid(
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            &n.id_kubelet,
        );
        let cluster_principal = principal_of(rid(
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            &n.id_cluster,
        ));
        let kubelet_principal = principal_of(kubelet.clone());
        let ids = vec![
            rid(
                "Microsoft.ManagedIdentity/userAssignedIdentities",
                &n.id_cluster,
            ),
            kubelet.clone(),
        ];
        res.push(role_assignment(
            "cluster-operates-kubelet",
            &kubelet,
            ROLE_MANAGED_IDENTITY_OPERATOR,
            &cluster_principal,
            &ids,
        ));
        let acr = rid("Microsoft.ContainerRegistry/registries", &n.acr);
        let mut d = ids.clone();
        d.push(acr.clone());
        res.push(role_assignment(
            "kubelet-acrpull",
            &acr,
            ROLE_ACR_PULL,
            &kubelet_principal,
            &d,
        ));
        // The kubelet identity reads the gMSA credential (the CCG plugin fetches it on every
        // Windows node) and no other secret: the vault also holds the DC administrator, DSRM and
        // Windows node passwords, and any pod that reaches IMDS can act as this identity.
        if self.spec.identity.gmsa.enabled
            && let Some(secret) = &self.spec.identity.gmsa.key_vault_secret
        {
            let mut d = ids;
            d.push(rid("Microsoft.KeyVault/vaults", &n.key_vault));
            res.push(role_assignment(
                "kubelet-gmsa-secret-user",
                &secret_scope(&n.key_vault, secret.as_str()),
                ROLE_KV_SECRETS_USER,
                &kubelet_principal,
                &d,
            ));
        }
        // The new domain controllers' identity reads what their promotion needs (the DSRM
        // password; the domain administrator's password for a new forest's additional DCs; the
        // join credential for replicas), each secret on its own, and nothing else.
        if let Some(ad) = &self.spec.identity.active_directory
            && !self.plan.addresses.domain_controller_ips.is_empty()
        {
            let dc_id = rid("Microsoft.ManagedIdentity/userAssignedIdentities", &n.id_dc);
            res.push(json!({
                "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                "apiVersion": API_IDENTITY,
                "name": n.id_dc,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "properties": {},
            }));
            let principal = principal_of(dc_id.clone());
            for key in self.dc_promotion_secrets() {
                let Some(secret) = ad.domain_controllers.secret_name(key) else {
                    continue;
                };
                res.push(role_assignment(
                    &format!("dc-{secret}-user"),
                    &secret_scope(&n.key_vault, &secret),
                    ROLE_KV_SECRETS_USER,
                    &principal,
                    &[
                        dc_id.clone(),
                        rid("Microsoft.KeyVault/vaults", &n.key_vault),
                    ],
                ));
            }
            // `deploy.sh active-directory` runs scripts/Set-Gmsa.ps1 on the first new DC,
            // which writes the gMSA standard user's credential (and its tag) with this identity:
            // that one secret, never another. A DC holds every password of its domain anyway.
            if self.spec.identity.gmsa.enabled
                && let Some(secret) = &self.spec.identity.gmsa.key_vault_secret
            {
                res.push(role_assignment(
                    "dc-gmsa-secret-officer",
                    &secret_scope(&n.key_vault, secret.as_str()),
                    ROLE_KV_SECRETS_OFFICER,
                    &principal,
                    &[
                        dc_id.clone(),
                        rid("Microsoft.KeyVault/vaults", &n.key_vault),
                    ],
                ));
            }
        }
        // With an existing hub the landing zone's zones serve (network.hub.existing), and its
        // platform team grants the cluster identity its role (hub-side.json).
        for zone in self
            .zones()
            .into_iter()
            .filter(|_| self.existing_hub().is_none())
        {
            res.push(json!({
                "type": "Microsoft.Network/privateDnsZones",
                "apiVersion": API_PRIVATE_DNS,
                "name": zone,
                "location": "global",
                "tags": self.tags(),
                "properties": {},
            }));
        }
        if self.spec.cluster.private_cluster && self.existing_hub().is_none() {
            // The cluster identity writes the API server's record into our zone.
            let zone = rid("Microsoft.Network/privateDnsZones", &self.aks_zone());
            res.push(role_assignment(
                "cluster-private-dns-zone-contributor",
                &zone,
                ROLE_PRIVATE_DNS_ZONE_CONTRIBUTOR,
                &cluster_principal,
                &[
                    zone.clone(),
                    rid(
                        "Microsoft.ManagedIdentity/userAssignedIdentities",
                        &n.id_cluster,
                    ),
                ],
            ));
        }
        // The Windows servers' events and counters (new domain controllers, the connectors):
        // here, deployed first, so the hub's domain controllers can be associated with it.
        if self.monitors_windows_servers() {
            res.push(self.dcr());
        }
        self.with_diagnostics(&mut res);
        if self.imports_certificates() {
            // Front Door's vault comes from bootstrap.json, before the workspace exists.
            res.push(self.diagnostic_setting(
                rid("Microsoft.KeyVault/vaults", &n.key_vault_front_door),
                Logs::Audit,
                false,
                false,
            ));
        }
        rg_template(
            res,
            json!({}),
            json!({
                "kubeletClientId": { "type": "string", "value": expr::reference(kubelet, API_IDENTITY).prop("clientId") },
            }),
        )
    }

    /// Private endpoints and DNS links, once the spoke VNet exists.
    pub(super) fn access_template(&self) -> Value {
        let n = self.n;
        let mut res = Vec::new();
        // An existing hub's zones are linked by its platform team (hub-side.json).
        let aks_zone = self.aks_zone();
        for zone in self
            .zones()
            .into_iter()
            .filter(|_| self.existing_hub().is_none())
        {
            for (vnet_rg, vnet) in [(&n.rg_spoke, &n.vnet_spoke), (&n.rg_hub, &n.vnet_hub)] {
                // The API server's zone is linked to the cluster's VNet by AKS itself when it
                // creates the cluster (its identity has Private DNS Zone Contributor on the
                // zone and Network Contributor on the VNet for that); a zone takes one link
                // per VNet, so akswin links it to the hub only.
                if zone == aks_zone && vnet == &n.vnet_spoke {
                    continue;
                }
                res.push(json!({
                    "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                    "apiVersion": API_PRIVATE_DNS,
                    "name": format!("{zone}/link-{vnet}"),
                    "location": "global",
                    "properties": {
                        "registrationEnabled": false,
                        "virtualNetwork": { "id": rid_rg(vnet_rg, "Microsoft.Network/virtualNetworks", vnet) },
                    }
                }));
            }
        }
        if let Some(pe) = self.subnet(SpokeSubnet::PrivateEndpoints.key()) {
            for (name, target, group, zone) in [
                (
                    format!("pe-{}", n.acr),
                    rid("Microsoft.ContainerRegistry/registries", &n.acr),
                    "registry",
                    "privatelink.azurecr.io",
                ),
                (
                    format!("pe-{}", n.key_vault),
                    rid("Microsoft.KeyVault/vaults", &n.key_vault),
                    "vault",
                    "privatelink.vaultcore.azure.net",
                ),
            ] {
                res.push(json!({
                    "type": "Microsoft.Network/privateEndpoints",
                    "apiVersion": API_NETWORK,
                    "name": name,
                    "location": "[resourceGroup().location]",
                    "tags": self.tags(),
                    "properties": {
                        "subnet": { "id": subnet_id(&n.rg_spoke, &n.vnet_spoke, &pe.azure_name) },
                        "privateLinkServiceConnections": [ {
                            "name": name,
                            "properties": { "privateLinkServiceId": target, "groupIds": [group] }
                        } ],
                    }
                }));
                res.push(json!({
                    "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                    "apiVersion": API_NETWORK,
                    "name": format!("{name}/default"),
                    "properties": {
                        "privateDnsZoneConfigs": [ {
                            "name": zone.replace('.', "-"),
                            "properties": { "privateDnsZoneId": self.zone_id(None, zone) }
                        } ]
                    },
                    "dependsOn": [rid("Microsoft.Network/privateEndpoints", &name)],
                }));
            }
        }
        rg_template(res, json!({}), json!({}))
    }

    // --------------------------------------------------------------------------------- hub

    /// Workloads that serve a certificate from Key Vault (through the CSI driver).
    pub(crate) fn certificate_workloads(&self) -> Vec<(&'a Workload, &'a str)> {
        self.spec
            .workloads
            .iter()
            .filter_map(|w| Some((w, w.certificate.as_ref()?.key_vault_secret.as_str())))
            .collect()
    }

    /// Workload identity for the workloads that serve a certificate from Key Vault, once the
    /// cluster (its OIDC issuer) exists: per workload a user-assigned identity, a federated
    /// credential for the workload's service account, and Key Vault Secrets User on its
    /// certificate's secret alone. The CSI driver mounts the certificate with that identity, so
    /// no other pod, and no node identity, can read it.
    pub(super) fn workload_identity_template(&self) -> Value {
        let n = self.n;
        let issuer = expr::reference(
            rid_rg(
                &n.rg_spoke,
                "Microsoft.ContainerService/managedClusters",
                &n.cluster,
            ),
            API_AKS,
        )
        .prop("oidcIssuerProfile")
        .prop("issuerURL");
        let mut res = Vec::new();
        for (w, secret) in self.certificate_workloads() {
            let name = n.workload_identity(&w.name);
            let id = rid("Microsoft.ManagedIdentity/userAssignedIdentities", &name);
            let sa = crate::k8s::k8s_name(&w.name);
            res.push(json!({
                "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                "apiVersion": API_IDENTITY,
                "name": name,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "properties": {},
            }));
            res.push(json!({
                "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                "apiVersion": API_IDENTITY,
                // A child named the way Bicep names one (`format('{0}/{1}', parent, child)`):
                // the official schema's name pattern for a top-level child is the child
                // segment's, which no literal `parent/child` name can match.
                "name": expr::call("format", vec![expr::lit("{0}/{1}"), expr::lit(&name), expr::lit(&n.cluster)]),
                "properties": {
                    "issuer": issuer.clone(),
                    "subject": format!("system:serviceaccount:{sa}:{sa}"),
                    "audiences": ["api://AzureADTokenExchange"],
                },
                "dependsOn": [id.clone()],
            }));
            res.push(role_assignment(
                &format!("workload-{sa}-certificate-user"),
                &secret_scope(&n.key_vault, secret),
                ROLE_KV_SECRETS_USER,
                &principal_of(id.clone()),
                &[id],
            ));
        }
        rg_template(res, json!({}), json!({}))
    }
}
