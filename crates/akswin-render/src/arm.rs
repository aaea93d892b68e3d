//! ARM templates. `main.json` is a subscription-scope template: three resource groups and one
//! nested deployment (inner expression scope) per group, in dependency order: shared services
//! (Log Analytics, Key Vault, ACR, identities, Front Door), spoke (network, AKS, data
//! collection, policy), hub (network, firewall, Bastion, domain controllers), peering.
//! `bootstrap.json` creates the shared resource group and the Key Vault the secrets must be in
//! before `main.json` runs. API versions are the newest with a schema in the reference set.

use crate::names::Names;
use akswin_plan::egress::RuleOrigin;
use akswin_plan::{NetworkPlan, SubnetPlan, SubnetRole};
use akswin_spec::Spec;
use akswin_spec::spec::{
    CertificateSource, Cni, FrontDoorOrigin, Mode, NodeOsChannel, Os, OsDiskType, PodIpAllocation,
    PolicyEffect, SpokeSubnet, Toggle, WafMode, WeekIndex,
};
use akswin_spec::types::SecretRef;
use serde_json::{Map, Value, json};

pub const API_RESOURCES: &str = "2025-04-01";
pub const API_NETWORK: &str = "2025-07-01";
pub const API_PRIVATE_DNS: &str = "2024-06-01";
pub const API_AKS: &str = "2026-05-01";
pub const API_ACR: &str = "2025-11-01";
pub const API_KEYVAULT: &str = "2026-02-01";
pub const API_LAW: &str = "2025-07-01";
pub const API_DCR: &str = "2024-03-11";
pub const API_POLICY: &str = "2026-06-01";
pub const API_ROLE: &str = "2022-04-01";
pub const API_IDENTITY: &str = "2024-11-30";
pub const API_COMPUTE: &str = "2026-03-01";
pub const API_CDN: &str = "2025-12-01";
pub const API_FD_WAF: &str = "2025-11-01";

pub const SUB_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#";
pub const RG_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
pub const PARAMS_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";

/// Built-in role definition ids.
pub const ROLE_ACR_PULL: &str = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
pub const ROLE_KV_SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";
pub const ROLE_KV_SECRETS_OFFICER: &str = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
/// Key Vault Certificates Officer: importing a certificate (Front Door's custom domains) needs
/// `certificates/import`, which Secrets Officer does not grant (Azure built-in roles).
pub const ROLE_KV_CERTIFICATES_OFFICER: &str = "a4417e6f-fecd-4de8-b567-7b0420556985";
pub const ROLE_NETWORK_CONTRIBUTOR: &str = "4d97b98b-1d4f-4787-a291-c67834d212e7";
pub const ROLE_MANAGED_IDENTITY_OPERATOR: &str = "f1a07417-d97a-45cb-824c-7a7467783830";
pub const ROLE_PRIVATE_DNS_ZONE_CONTRIBUTOR: &str = "b12aa53e-6015-4669-85d0-8515ebb3ae7f";

/// WAF managed rule set versions akswin pins (Front Door Premium).
const RULE_SET_VERSIONS: [(&str, &str); 3] = [
    ("Microsoft_DefaultRuleSet", "2.1"),
    ("Microsoft_BotManagerRuleSet", "1.1"),
    ("DefaultRuleSet", "1.0"),
];

pub struct Arm<'a> {
    spec: &'a Spec,
    plan: &'a NetworkPlan,
    n: &'a Names,
    version: &'a str,
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn rid(kind: &str, name: &str) -> String {
    format!("[resourceId('{kind}', '{name}')]")
}

/// The id of one Key Vault secret, as the scope of a role assignment on that secret alone.
/// Key Vault RBAC accepts secret-scoped assignments; the secret must exist when the assignment
/// is created (`deploy.sh` checks each secret before the deployment that needs it).
fn secret_scope(vault: &str, secret: &str) -> String {
    format!("[resourceId('Microsoft.KeyVault/vaults/secrets', '{vault}', '{secret}')]")
}

fn rid_rg(rg: &str, kind: &str, name: &str) -> String {
    format!("[resourceId(subscription().subscriptionId, '{rg}', '{kind}', '{name}')]")
}

fn subnet_id(rg: &str, vnet: &str, subnet: &str) -> String {
    format!(
        "[resourceId(subscription().subscriptionId, '{rg}', 'Microsoft.Network/virtualNetworks/subnets', '{vnet}', '{subnet}')]"
    )
}

fn rg_template(resources: Vec<Value>, parameters: Value, outputs: Value) -> Value {
    json!({
        "$schema": RG_SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": parameters,
        "resources": resources,
        "outputs": outputs,
    })
}

fn deployment(name: &str, rg: &str, depends: &[&str], params: Value, template: Value) -> Value {
    let mut d = json!({
        "type": "Microsoft.Resources/deployments",
        "apiVersion": API_RESOURCES,
        "name": name,
        "resourceGroup": rg,
        "properties": {
            "mode": "Incremental",
            "expressionEvaluationOptions": { "scope": "Inner" },
            "parameters": params,
            "template": template,
        }
    });
    if !depends.is_empty() {
        d["dependsOn"] = Value::Array(depends.iter().map(|x| s(x)).collect());
    }
    d
}

fn kv_reference(n: &Names, secret: &str) -> Value {
    json!({
        "reference": {
            "keyVault": { "id": format!("[resourceId(subscription().subscriptionId, '{}', 'Microsoft.KeyVault/vaults', '{}')]", n.rg_shared, n.key_vault) },
            "secretName": secret,
        }
    })
}

fn secure_param() -> Value {
    json!({ "type": "securestring" })
}

/// The expression inside `[...]`, to nest one ARM expression in another.
fn inner(expr: &str) -> &str {
    expr.strip_prefix('[')
        .and_then(|e| e.strip_suffix(']'))
        .unwrap_or(expr)
}

fn role_assignment(
    name_seed: &str,
    scope: &str,
    role: &str,
    principal: &str,
    depends: &[String],
) -> Value {
    let mut r = json!({
        "type": "Microsoft.Authorization/roleAssignments",
        "apiVersion": API_ROLE,
        "name": format!("[guid({scope_expr}, '{role}', '{name_seed}')]", scope_expr = inner(scope)),
        "scope": scope,
        "properties": {
            "roleDefinitionId": format!("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role}')]"),
            "principalId": principal,
            "principalType": "ServicePrincipal",
        }
    });
    if !depends.is_empty() {
        r["dependsOn"] = Value::Array(depends.iter().map(|x| s(x)).collect());
    }
    r
}

impl<'a> Arm<'a> {
    pub fn new(spec: &'a Spec, plan: &'a NetworkPlan, n: &'a Names, version: &'a str) -> Self {
        Arm {
            spec,
            plan,
            n,
            version,
        }
    }

    fn subnet(&self, key: &str) -> Option<&'a SubnetPlan> {
        self.plan
            .vnets
            .iter()
            .flat_map(|v| &v.subnets)
            .find(|s| s.key == key)
    }

    /// The private DNS zone of a private cluster's API server.
    pub fn aks_zone(&self) -> String {
        format!("privatelink.{}.azmk8s.io", self.spec.location)
    }

    /// Private DNS zones akswin creates and links to both VNets.
    fn zones(&self) -> Vec<String> {
        let mut z = vec![
            "privatelink.azurecr.io".to_string(),
            "privatelink.vaultcore.azure.net".to_string(),
        ];
        if self.spec.cluster.private_cluster {
            z.push(self.aks_zone());
        }
        z
    }

    fn has_windows(&self) -> bool {
        self.spec
            .cluster
            .node_pools
            .iter()
            .any(|p| p.os == Os::Windows)
    }

    fn tags(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in &self.spec.tags {
            m.insert(k.clone(), s(v));
        }
        m.insert("akswin".into(), s(&self.spec.name));
        Value::Object(m)
    }

    fn metadata(&self) -> Value {
        json!({ "generator": format!("akswin {}", self.version), "spec": self.spec.name })
    }

    fn rg(&self, name: &str) -> Value {
        json!({
            "type": "Microsoft.Resources/resourceGroups",
            "apiVersion": API_RESOURCES,
            "name": name,
            "location": "[parameters('location')]",
            "tags": self.tags(),
        })
    }

    /// The bootstrap template (resource-group scope, deployed into the shared resource group):
    /// the Key Vault, reachable from the operator's IP range only until `main.json` closes it.
    pub fn bootstrap(&self) -> Value {
        let vault = rid("Microsoft.KeyVault/vaults", &self.n.key_vault);
        // The vault uses Azure RBAC: whoever sets the secrets (and imports the certificates)
        // needs data-plane roles on it.
        let operator = |role: &str| {
            json!({
                "condition": "[not(empty(parameters('operatorObjectId')))]",
                "type": "Microsoft.Authorization/roleAssignments",
                "apiVersion": API_ROLE,
                "name": format!("[guid({}, '{role}', parameters('operatorObjectId'))]", inner(&vault)),
                "scope": vault,
                "properties": {
                    "roleDefinitionId": format!("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role}')]"),
                    "principalId": "[parameters('operatorObjectId')]",
                    "principalType": "[parameters('operatorPrincipalType')]",
                },
                "dependsOn": [vault],
            })
        };
        let mut resources = vec![self.key_vault(true), operator(ROLE_KV_SECRETS_OFFICER)];
        if self.imports_certificates() {
            resources.push(operator(ROLE_KV_CERTIFICATES_OFFICER));
        }
        let mut t = rg_template(
            resources,
            json!({
                "operatorIpRange": { "type": "string", "metadata": { "description": "CIDR allowed to set the Key Vault secrets during bootstrap" } },
                "operatorObjectId": { "type": "string", "defaultValue": "", "metadata": { "description": "object id of the user or service principal that sets the secrets (and imports Front Door's certificates); gets Key Vault Secrets Officer (and Certificates Officer) on the vault (empty: no assignment)" } },
                "operatorPrincipalType": { "type": "string", "defaultValue": "User", "allowedValues": ["User", "ServicePrincipal", "Group"], "metadata": { "description": "principal type of operatorObjectId" } }
            }),
            json!({}),
        );
        t["metadata"] = self.metadata();
        t
    }

    /// Whether the operator imports certificates into the vault (Front Door custom domains with
    /// Key Vault certificates).
    fn imports_certificates(&self) -> bool {
        self.spec.ingress.front_door.iter().any(|fd| {
            fd.custom_domains.iter().any(|d| {
                d.certificate.source == CertificateSource::KeyVault
                    && d.certificate.key_vault_secret.is_some()
            })
        })
    }

    fn key_vault(&self, bootstrap: bool) -> Value {
        let kvs = &self.spec.key_vault;
        let (public, acls) = if bootstrap {
            (
                "Enabled",
                json!({ "defaultAction": "Deny", "bypass": "AzureServices", "ipRules": [ { "value": "[parameters('operatorIpRange')]" } ] }),
            )
        } else {
            (
                if kvs.public_network_access {
                    "Enabled"
                } else {
                    "Disabled"
                },
                json!({ "defaultAction": "Deny", "bypass": "AzureServices" }),
            )
        };
        json!({
            "type": "Microsoft.KeyVault/vaults",
            "apiVersion": API_KEYVAULT,
            "name": self.n.key_vault,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "properties": {
                "tenantId": "[subscription().tenantId]",
                "sku": { "family": "A", "name": "standard" },
                "enableRbacAuthorization": true,
                "enableSoftDelete": true,
                "softDeleteRetentionInDays": 90,
                "enablePurgeProtection": if kvs.purge_protection { Value::Bool(true) } else { Value::Null },
                "enabledForTemplateDeployment": true,
                "publicNetworkAccess": public,
                "networkAcls": acls,
            }
        })
    }

    /// Secrets the deployment reads from Key Vault (name, what it is).
    pub fn required_secrets(&self) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        if let Some(wp) = &self.spec.cluster.windows_profile
            && let SecretRef::KeyVault(name) = &wp.admin_password
        {
            out.push((
                name.clone(),
                "Windows node administrator password (14+ characters)",
            ));
        }
        if let Some(ad) = &self.spec.identity.active_directory
            && ad.domain_controllers.count.unwrap_or(0) > 0
        {
            out.push((
                dc_secret(&ad.domain_controllers.admin_password, "dc-admin-password"),
                "domain controller VM administrator password",
            ));
            out.push((
                dc_secret(
                    &ad.domain_controllers.safe_mode_password,
                    "dc-dsrm-password",
                ),
                "AD DS safe mode (DSRM) password",
            ));
        }
        if self.spec.identity.gmsa.enabled
            && let Some(name) = &self.spec.identity.gmsa.key_vault_secret
        {
            out.push((
                name.as_str().to_string(),
                "gMSA standard domain user, DOMAIN\\user:password (read by the kubelet identity)",
            ));
        }
        out
    }

    pub fn parameters(&self) -> Value {
        let mut p = Map::new();
        p.insert("location".into(), json!({ "value": self.spec.location }));
        json!({
            "$schema": PARAMS_SCHEMA,
            "contentVersion": "1.0.0.0",
            "parameters": p,
        })
    }

    fn needs_app_proxy_host(&self) -> bool {
        self.spec.ingress.front_door.is_some()
            && self.front_door_origin() == FrontDoorOrigin::AppProxy
    }

    fn front_door_origin(&self) -> FrontDoorOrigin {
        self.spec.ingress.front_door_origin()
    }

    pub fn main(&self) -> Value {
        let n = self.n;
        let rg_dep = |name: &str| {
            format!("[subscriptionResourceId('Microsoft.Resources/resourceGroups', '{name}')]")
        };
        let dep = |name: &str| format!("[resourceId('Microsoft.Resources/deployments', '{name}')]");
        let mut params = Map::new();
        params.insert(
            "location".into(),
            json!({ "type": "string", "defaultValue": self.spec.location }),
        );
        let mut resources = vec![
            self.rg(&n.rg_hub),
            self.rg(&n.rg_spoke),
            self.rg(&n.rg_shared),
        ];
        resources.push(deployment(
            "akswin-shared",
            &n.rg_shared,
            &[&rg_dep(&n.rg_shared)],
            self.shared_params(),
            self.shared_template(),
        ));
        resources.push(deployment(
            "akswin-hub",
            &n.rg_hub,
            &[&rg_dep(&n.rg_hub), &dep("akswin-shared")],
            self.hub_params(),
            self.hub_template(),
        ));
        // Order: both VNets and both peerings, then the private endpoints and DNS links, and
        // only then the cluster, whose nodes need the hub (DNS, firewall) from their first boot.
        resources.push(deployment(
            "akswin-spoke-network",
            &n.rg_spoke,
            &[
                &rg_dep(&n.rg_spoke),
                &dep("akswin-shared"),
                &dep("akswin-hub"),
            ],
            json!({}),
            self.spoke_template(),
        ));
        resources.push(deployment(
            "akswin-hub-peering",
            &n.rg_hub,
            &[&dep("akswin-spoke-network")],
            json!({}),
            rg_template(
                vec![self.peering(
                    &n.vnet_hub,
                    &n.rg_spoke,
                    &n.vnet_spoke,
                    "hub-to-spoke",
                    false,
                )],
                json!({}),
                json!({}),
            ),
        ));
        resources.push(deployment(
            "akswin-access",
            &n.rg_shared,
            &[&dep("akswin-spoke-network"), &dep("akswin-hub")],
            json!({}),
            self.access_template(),
        ));
        resources.push(deployment(
            "akswin-cluster",
            &n.rg_spoke,
            &[&dep("akswin-hub-peering"), &dep("akswin-access")],
            self.spoke_params(),
            self.cluster_template(),
        ));
        json!({
            "$schema": SUB_SCHEMA,
            "contentVersion": "1.0.0.0",
            "metadata": self.metadata(),
            "parameters": params,
            "resources": resources,
            "outputs": {
                "clusterName": { "type": "string", "value": n.cluster },
                "clusterResourceGroup": { "type": "string", "value": n.rg_spoke },
                "firewallPrivateIp": { "type": "string", "value": self.plan.addresses.firewall_private_ip.map(|i| i.to_string()).unwrap_or_default() },
            }
        })
    }

    // ------------------------------------------------------------------------------ shared

    fn shared_params(&self) -> Value {
        json!({})
    }

    fn shared_template(&self) -> Value {
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
        res.push(self.key_vault(false));
        let reg = &self.spec.registry;
        res.push(json!({
            "type": "Microsoft.ContainerRegistry/registries",
            "apiVersion": API_ACR,
            "name": n.acr,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "sku": { "name": format!("{:?}", reg.sku) },
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
        let cluster_principal = format!(
            "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '{}'), '{API_IDENTITY}').principalId]",
            n.id_cluster
        );
        let kubelet_principal = format!(
            "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '{}'), '{API_IDENTITY}').principalId]",
            n.id_kubelet
        );
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
        for zone in self.zones() {
            res.push(json!({
                "type": "Microsoft.Network/privateDnsZones",
                "apiVersion": API_PRIVATE_DNS,
                "name": zone,
                "location": "global",
                "tags": self.tags(),
                "properties": {},
            }));
        }
        if self.spec.cluster.private_cluster {
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
        rg_template(
            res,
            json!({}),
            json!({
                "kubeletClientId": { "type": "string", "value": format!("[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '{}'), '{API_IDENTITY}').clientId]", n.id_kubelet) },
            }),
        )
    }

    /// Private endpoints and DNS links, once the spoke VNet exists.
    fn access_template(&self) -> Value {
        let n = self.n;
        let mut res = Vec::new();
        for zone in self.zones() {
            for (vnet_rg, vnet) in [(&n.rg_spoke, &n.vnet_spoke), (&n.rg_hub, &n.vnet_hub)] {
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
                            "properties": { "privateDnsZoneId": rid("Microsoft.Network/privateDnsZones", zone) }
                        } ]
                    },
                    "dependsOn": [rid("Microsoft.Network/privateEndpoints", &name)],
                }));
            }
        }
        rg_template(res, json!({}), json!({}))
    }

    // --------------------------------------------------------------------------------- hub

    fn hub_params(&self) -> Value {
        let mut p = Map::new();
        // Exactly when hub_template renders the domain controllers.
        if self.dc_count() > 0 && self.subnet("domainControllers").is_some() {
            let ad = self.spec.identity.active_directory.as_ref();
            let dcs = ad.map(|a| &a.domain_controllers);
            p.insert(
                "dcAdminPassword".into(),
                kv_reference(
                    self.n,
                    &dc_secret(
                        &dcs.and_then(|d| d.admin_password.clone()),
                        "dc-admin-password",
                    ),
                ),
            );
            p.insert(
                "dsrmPassword".into(),
                kv_reference(
                    self.n,
                    &dc_secret(
                        &dcs.and_then(|d| d.safe_mode_password.clone()),
                        "dc-dsrm-password",
                    ),
                ),
            );
            p.insert(
                "dcVmSize".into(),
                json!({ "value": dcs.map_or(akswin_spec::spec::DEFAULT_DC_VM_SIZE, |d| d.size()) }),
            );
        }
        Value::Object(p)
    }

    fn dc_count(&self) -> u32 {
        self.spec
            .identity
            .active_directory
            .as_ref()
            .and_then(|a| a.domain_controllers.count)
            .unwrap_or(0)
    }

    fn hub_template(&self) -> Value {
        let n = self.n;
        let mut res = Vec::new();
        let hub = &self.plan.vnets[0];
        let dc_subnet = self.subnet("domainControllers");
        if let Some(dc) = dc_subnet {
            let dc_prefix = dc
                .prefix
                .map(|p| p.to_string())
                .unwrap_or_else(|| "*".into());
            let mut rules = Vec::new();
            let mut push = |name: String,
                            priority: usize,
                            proto: &str,
                            src: Vec<String>,
                            port: &str,
                            allow: bool| {
                let mut props = json!({
                    "priority": priority,
                    "direction": "Inbound",
                    "access": if allow { "Allow" } else { "Deny" },
                    "protocol": proto,
                    "sourcePortRange": "*",
                    "destinationAddressPrefix": dc_prefix,
                    "destinationPortRange": port,
                });
                if src.len() == 1 {
                    props["sourceAddressPrefix"] = json!(src[0]);
                } else {
                    props["sourceAddressPrefixes"] = json!(src);
                }
                rules.push(json!({ "name": name, "properties": props }));
            };
            // Who talks AD to the DCs: Windows nodes (gMSA, Kerberos), the application proxy
            // connectors (Kerberos constrained delegation), on-premises DCs and clients.
            let sources: Vec<(&str, usize, Vec<String>)> = [
                (
                    "ad",
                    1000,
                    self.subnet(SpokeSubnet::WindowsNodes.key())
                        .and_then(|s| s.prefix)
                        .map(|p| vec![p.to_string()]),
                ),
                (
                    "ad-connectors",
                    1100,
                    self.subnet(SpokeSubnet::AppProxyConnectors.key())
                        .and_then(|s| s.prefix)
                        .map(|p| vec![p.to_string()]),
                ),
                (
                    "ad-onprem",
                    1200,
                    (!self.spec.network.on_premises.is_empty()).then(|| {
                        self.spec
                            .network
                            .on_premises
                            .iter()
                            .map(|c| c.to_string())
                            .collect()
                    }),
                ),
            ]
            .into_iter()
            .filter_map(|(k, p, src)| src.map(|s| (k, p, s)))
            .collect();
            for (key, base, src) in sources {
                for (i, (proto, port)) in ad_ports().iter().enumerate() {
                    push(
                        format!(
                            "allow-{key}-{}-{}",
                            proto.to_ascii_lowercase(),
                            port.replace('-', "to")
                        ),
                        base + i,
                        proto,
                        src.clone(),
                        port,
                        true,
                    );
                }
            }
            // Replication between the DCs: every port.
            push(
                "allow-dc-to-dc".into(),
                1300,
                "*",
                vec![dc_prefix.clone()],
                "*",
                true,
            );
            // The spoke's and the hub's DNS servers are the DCs: every subnet resolves through
            // them (nodes, CoreDNS upstream, private endpoints lookups).
            let vnets: Vec<String> = self
                .plan
                .vnets
                .iter()
                .filter(|v| !v.existing)
                .flat_map(|v| v.address_space.iter().map(|c| c.to_string()))
                .collect();
            push(
                "allow-dns-tcp".into(),
                1310,
                "Tcp",
                vnets.clone(),
                "53",
                true,
            );
            push("allow-dns-udp".into(), 1311, "Udp", vnets, "53", true);
            if let Some(b) = self.subnet("bastion").and_then(|s| s.prefix) {
                push(
                    "allow-bastion-rdp".into(),
                    1320,
                    "Tcp",
                    vec![b.to_string()],
                    "3389",
                    true,
                );
            }
            // Everything else from the virtual networks (and whatever is peered or connected)
            // is refused; the default AllowVnetInBound (65000) would otherwise let it in.
            push(
                "deny-vnet-inbound".into(),
                4096,
                "*",
                vec!["VirtualNetwork".into()],
                "*",
                false,
            );
            res.push(json!({
                "type": "Microsoft.Network/networkSecurityGroups",
                "apiVersion": API_NETWORK,
                "name": n.nsg_dc,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "properties": { "securityRules": rules },
            }));
        }
        let subnets: Vec<Value> = hub
            .subnets
            .iter()
            .filter_map(|sn| {
                let prefix = sn.prefix?;
                let mut props = json!({ "addressPrefix": prefix.to_string() });
                if sn.role == SubnetRole::DomainControllers {
                    props["networkSecurityGroup"] =
                        json!({ "id": rid("Microsoft.Network/networkSecurityGroups", &n.nsg_dc) });
                    props["privateEndpointNetworkPolicies"] = s("Enabled");
                }
                Some(json!({ "name": sn.azure_name, "properties": props }))
            })
            .collect();
        let mut vnet = json!({
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
        if dc_subnet.is_some() {
            vnet["dependsOn"] = json!([rid("Microsoft.Network/networkSecurityGroups", &n.nsg_dc)]);
        }
        res.push(vnet);
        let vnet_id = rid("Microsoft.Network/virtualNetworks", &n.vnet_hub);
        let zones = json!(["1", "2", "3"]);
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
                    conf["properties"]["subnet"] = json!({ "id": format!("[resourceId('Microsoft.Network/virtualNetworks/subnets', '{}', 'AzureFirewallSubnet')]", n.vnet_hub) });
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
                    "sku": { "tier": format!("{:?}", fw.sku) },
                    "threatIntelMode": "Deny",
                    "dnsSettings": { "enableProxy": true },
                }
            }));
            res.extend(self.rule_collection_groups());
            let mut depends: Vec<Value> = (0..fw.public_ips.max(1))
                .map(|i| {
                    s(&rid(
                        "Microsoft.Network/publicIPAddresses",
                        &format!("pip-{}-{:02}", n.firewall, i + 1),
                    ))
                })
                .collect();
            depends.push(s(&vnet_id));
            depends.push(s(&rid(
                "Microsoft.Network/firewallPolicies",
                &n.firewall_policy,
            )));
            for g in ["aks", "windows", "addons", "user"] {
                depends.push(s(&format!("[resourceId('Microsoft.Network/firewallPolicies/ruleCollectionGroups', '{}', '{g}')]", n.firewall_policy)));
            }
            res.push(json!({
                "type": "Microsoft.Network/azureFirewalls",
                "apiVersion": API_NETWORK,
                "name": n.firewall,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "zones": zones,
                "properties": {
                    "sku": { "name": "AZFW_VNet", "tier": format!("{:?}", fw.sku) },
                    "ipConfigurations": ipconfs,
                    "firewallPolicy": { "id": rid("Microsoft.Network/firewallPolicies", &n.firewall_policy) },
                },
                "dependsOn": depends,
            }));
        }
        if self.subnet("bastion").and_then(|s| s.prefix).is_some() {
            let pip = format!("pip-{}", n.bastion);
            res.push(self.public_ip(&pip, &zones));
            res.push(json!({
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
                            "subnet": { "id": format!("[resourceId('Microsoft.Network/virtualNetworks/subnets', '{}', 'AzureBastionSubnet')]", n.vnet_hub) },
                            "publicIPAddress": { "id": rid("Microsoft.Network/publicIPAddresses", &pip) },
                        }
                    } ]
                },
                "dependsOn": [vnet_id.clone(), rid("Microsoft.Network/publicIPAddresses", &pip)],
            }));
        }
        let mut params = json!({});
        if let Some(dc) = dc_subnet
            && self.dc_count() > 0
        {
            params = json!({
                "dcAdminPassword": secure_param(),
                "dsrmPassword": secure_param(),
                "dcVmSize": { "type": "string" },
            });
            res.extend(self.domain_controllers(dc, &vnet_id));
        }
        rg_template(res, params, json!({}))
    }

    fn public_ip(&self, name: &str, zones: &Value) -> Value {
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

    fn rule_collection_groups(&self) -> Vec<Value> {
        let n = self.n;
        let fw = &self.plan.firewall;
        let spoke = self.plan.vnets[1]
            .address_space
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>();
        let windows_src: Vec<String> = self
            .subnet(SpokeSubnet::WindowsNodes.key())
            .and_then(|s| s.prefix)
            .map(|p| vec![p.to_string()])
            .unwrap_or_else(|| spoke.clone());
        let group_of = |collection: &str, origin: RuleOrigin| -> &'static str {
            match (origin, collection) {
                (RuleOrigin::User, _) => "user",
                (_, "aks") | (_, "aks-public") => "aks",
                (_, "windows") => "windows",
                _ => "addons",
            }
        };
        let mut out = Vec::new();
        let mut previous: Option<String> = None;
        for (priority, group) in [
            (200, "aks"),
            (300, "windows"),
            (400, "addons"),
            (500, "user"),
        ] {
            let app: Vec<Value> = fw
                .application_rules
                .iter()
                .filter(|r| group_of(&r.collection, r.origin) == group)
                .map(|r| {
                    let src = if group == "windows" { windows_src.clone() } else { spoke.clone() };
                    let mut rule = json!({
                        "ruleType": "ApplicationRule",
                        "name": r.name,
                        "sourceAddresses": src,
                        "protocols": r.protocols.iter().map(|p| json!({ "protocolType": p.protocol, "port": p.port })).collect::<Vec<_>>(),
                    });
                    if !r.fqdns.is_empty() {
                        rule["targetFqdns"] = json!(r.fqdns);
                    }
                    if !r.fqdn_tags.is_empty() {
                        rule["fqdnTags"] = json!(r.fqdn_tags);
                    }
                    rule
                })
                .collect();
            let net: Vec<Value> = fw
                .network_rules
                .iter()
                .filter(|r| group_of(&r.collection, r.origin) == group)
                .map(|r| {
                    let (fqdns, addrs): (Vec<&String>, Vec<&String>) =
                        r.destinations.iter().partition(|d| {
                            d.contains('.')
                                && !d.chars().next().is_some_and(|c| c.is_ascii_digit())
                                && !d.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                        });
                    let mut rule = json!({
                        "ruleType": "NetworkRule",
                        "name": r.name,
                        "ipProtocols": r.protocols.iter().map(|p| title(p)).collect::<Vec<_>>(),
                        "sourceAddresses": spoke,
                        "destinationPorts": r.ports,
                    });
                    if !addrs.is_empty() {
                        rule["destinationAddresses"] = json!(addrs);
                    }
                    if !fqdns.is_empty() {
                        rule["destinationFqdns"] = json!(fqdns);
                    }
                    rule
                })
                .collect();
            let mut collections = Vec::new();
            if !net.is_empty() {
                collections.push(json!({
                    "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                    "name": format!("{group}-network"),
                    "priority": priority,
                    "action": { "type": "Allow" },
                    "rules": net,
                }));
            }
            if !app.is_empty() {
                collections.push(json!({
                    "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                    "name": format!("{group}-application"),
                    "priority": priority + 10,
                    "action": { "type": "Allow" },
                    "rules": app,
                }));
            }
            let mut deps = vec![s(&rid(
                "Microsoft.Network/firewallPolicies",
                &n.firewall_policy,
            ))];
            // Rule collection groups of one policy must deploy one after another.
            if let Some(p) = &previous {
                deps.push(s(p));
            }
            out.push(json!({
                "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
                "apiVersion": API_NETWORK,
                "name": format!("{}/{group}", n.firewall_policy),
                "properties": { "priority": priority, "ruleCollections": collections },
                "dependsOn": deps,
            }));
            previous = Some(format!(
                "[resourceId('Microsoft.Network/firewallPolicies/ruleCollectionGroups', '{}', '{group}')]",
                n.firewall_policy
            ));
        }
        out
    }

    fn domain_controllers(&self, dc: &SubnetPlan, vnet_id: &str) -> Vec<Value> {
        let n = self.n;
        let ad = self.spec.identity.active_directory.as_ref();
        let domain = ad.map(|a| a.domain.clone()).unwrap_or_default();
        let netbios = ad.map(|a| a.netbios.clone()).unwrap_or_default();
        let mut res = Vec::new();
        for (i, ip) in self.plan.addresses.domain_controller_ips.iter().enumerate() {
            let vm = n.dc_vm(i as u32);
            let nic = format!("nic-{vm}");
            res.push(json!({
                "type": "Microsoft.Network/networkInterfaces",
                "apiVersion": API_NETWORK,
                "name": nic,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "properties": {
                    "ipConfigurations": [ {
                        "name": "ipconfig1",
                        "properties": {
                            "privateIPAllocationMethod": "Static",
                            "privateIPAddress": ip.to_string(),
                            "subnet": { "id": format!("[resourceId('Microsoft.Network/virtualNetworks/subnets', '{}', '{}')]", n.vnet_hub, dc.azure_name) },
                        }
                    } ],
                    "enableAcceleratedNetworking": true,
                    // the first DC resolves through Azure DNS until it is promoted; the others
                    // must find the domain, so they ask the first DC, then themselves once
                    // promoted (the usual DC order: a partner first, itself second)
                    "dnsSettings": { "dnsServers": if i == 0 { Vec::new() } else { self.plan.addresses.domain_controller_ips.first().map(|d| vec![d.to_string(), ip.to_string()]).unwrap_or_default() } },
                },
                "dependsOn": [vnet_id],
            }));
            res.push(json!({
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": API_COMPUTE,
                "name": vm,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "zones": [ ((i % 3) + 1).to_string() ],
                "identity": { "type": "SystemAssigned" },
                "properties": {
                    "hardwareProfile": { "vmSize": "[parameters('dcVmSize')]" },
                    "osProfile": {
                        "computerName": vm,
                        "adminUsername": "akswindcadmin",
                        "adminPassword": "[parameters('dcAdminPassword')]",
                        "windowsConfiguration": { "enableAutomaticUpdates": true, "provisionVMAgent": true, "patchSettings": { "patchMode": "AutomaticByPlatform" } },
                        "allowExtensionOperations": true,
                    },
                    "storageProfile": {
                        "imageReference": { "publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition", "version": "latest" },
                        "osDisk": { "createOption": "FromImage", "managedDisk": { "storageAccountType": "Premium_LRS" }, "caching": "ReadWrite" },
                        "dataDisks": [ { "lun": 0, "createOption": "Empty", "diskSizeGB": 32, "caching": "None", "managedDisk": { "storageAccountType": "Premium_LRS" } } ],
                    },
                    "networkProfile": { "networkInterfaces": [ { "id": rid("Microsoft.Network/networkInterfaces", &nic) } ] },
                    "securityProfile": { "securityType": "TrustedLaunch", "uefiSettings": { "secureBootEnabled": true, "vTpmEnabled": true }, "encryptionAtHost": self.spec.cluster.encryption_at_host },
                    "diagnosticsProfile": { "bootDiagnostics": { "enabled": true } },
                },
                "dependsOn": [rid("Microsoft.Network/networkInterfaces", &nic)],
            }));
            // Promotion: the first DC creates the forest, the others join it. The DSRM password
            // is only ever in protectedSettings (encrypted, never returned by ARM).
            let script = if i == 0 {
                format!(
                    "powershell -ExecutionPolicy Bypass -Command \"Get-Disk | Where-Object PartitionStyle -eq 'RAW' | Select-Object -First 1 | Initialize-Disk -PartitionStyle GPT -PassThru | New-Partition -DriveLetter F -UseMaximumSize | Format-Volume -FileSystem NTFS -Confirm:$false; Install-WindowsFeature AD-Domain-Services,DNS -IncludeManagementTools; Set-DnsServerForwarder -IPAddress 168.63.129.16; Install-ADDSForest -DomainName '{domain}' -DomainNetbiosName '{netbios}' -DatabasePath F:\\NTDS -LogPath F:\\NTDS -SysvolPath F:\\SYSVOL -InstallDns -Force -NoRebootOnCompletion -SafeModeAdministratorPassword (ConvertTo-SecureString '__DSRM__' -AsPlainText -Force); shutdown.exe /r /t 120 /c 'akswin: AD DS promotion'\""
                )
            } else {
                format!(
                    "powershell -ExecutionPolicy Bypass -Command \"Get-Disk | Where-Object PartitionStyle -eq 'RAW' | Select-Object -First 1 | Initialize-Disk -PartitionStyle GPT -PassThru | New-Partition -DriveLetter F -UseMaximumSize | Format-Volume -FileSystem NTFS -Confirm:$false; Install-WindowsFeature AD-Domain-Services,DNS -IncludeManagementTools; $deadline = (Get-Date).AddMinutes(45); while (-not (Resolve-DnsName -Name '{domain}' -Type SOA -ErrorAction SilentlyContinue) -and (Get-Date) -lt $deadline) {{ Start-Sleep -Seconds 30 }}; Install-ADDSDomainController -DomainName '{domain}' -DatabasePath F:\\NTDS -LogPath F:\\NTDS -SysvolPath F:\\SYSVOL -InstallDns -Force -Credential (New-Object PSCredential('{netbios}\\akswindcadmin', (ConvertTo-SecureString '__ADMIN__' -AsPlainText -Force))) -SafeModeAdministratorPassword (ConvertTo-SecureString '__DSRM__' -AsPlainText -Force) -NoRebootOnCompletion; shutdown.exe /r /t 120 /c 'akswin: AD DS promotion'\""
                )
            };
            let command = secret_command(&script);
            let mut deps = vec![s(&rid("Microsoft.Compute/virtualMachines", &vm))];
            if i > 0 {
                deps.push(s(&format!("[resourceId('Microsoft.Compute/virtualMachines/extensions', '{}', 'promote-adds')]", n.dc_vm(0))));
            }
            res.push(json!({
                "type": "Microsoft.Compute/virtualMachines/extensions",
                "apiVersion": API_COMPUTE,
                "name": format!("{vm}/promote-adds"),
                "location": "[resourceGroup().location]",
                "properties": {
                    "publisher": "Microsoft.Compute",
                    "type": "CustomScriptExtension",
                    "typeHandlerVersion": "1.10",
                    "autoUpgradeMinorVersion": true,
                    "settings": {},
                    "protectedSettings": { "commandToExecute": command },
                },
                "dependsOn": deps,
            }));
        }
        res
    }

    fn peering(
        &self,
        local_vnet: &str,
        remote_rg: &str,
        remote_vnet: &str,
        name: &str,
        use_remote_gateways: bool,
    ) -> Value {
        json!({
            "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            "apiVersion": API_NETWORK,
            "name": format!("{local_vnet}/{name}"),
            "properties": {
                "remoteVirtualNetwork": { "id": rid_rg(remote_rg, "Microsoft.Network/virtualNetworks", remote_vnet) },
                "allowVirtualNetworkAccess": true,
                "allowForwardedTraffic": true,
                "allowGatewayTransit": false,
                "useRemoteGateways": use_remote_gateways,
            }
        })
    }

    // ------------------------------------------------------------------------------- spoke

    fn spoke_params(&self) -> Value {
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

    fn spoke_template(&self) -> Value {
        let n = self.n;
        let spec = self.spec;
        let mut res = Vec::new();
        let spoke = &self.plan.vnets[1];
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
            res.push(json!({
                "type": "Microsoft.Network/networkSecurityGroups",
                "apiVersion": API_NETWORK,
                "name": name,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "properties": { "securityRules": rules },
            }));
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

    /// The cluster and what hangs off it (resource-group scope, spoke resource group).
    fn cluster_template(&self) -> Value {
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
        if self.has_windows() {
            res.push(self.dcr());
            res.push(json!({
                "type": "Microsoft.Insights/dataCollectionRuleAssociations",
                "apiVersion": API_DCR,
                "name": "windows-events-and-counters",
                "scope": cluster,
                "properties": {
                    "dataCollectionRuleId": rid("Microsoft.Insights/dataCollectionRules", &n.dcr_windows),
                    "description": "Windows event logs and performance counters (akswin)",
                },
                "dependsOn": [cluster.clone(), rid("Microsoft.Insights/dataCollectionRules", &n.dcr_windows)],
            }));
        }
        res.extend(self.policy_assignments(&cluster));
        let mut params = json!({});
        if spec.cluster.windows_profile.is_some() {
            params = json!({ "windowsAdminPassword": secure_param() });
        }
        rg_template(
            res,
            params,
            json!({ "clusterId": { "type": "string", "value": cluster } }),
        )
    }

    fn cluster(&self, vnet_id: &str, cluster_id: &str) -> Value {
        let n = self.n;
        let spec = self.spec;
        let c = &spec.cluster;
        let cni = spec.network.cni;
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
                    "vnetSubnetID": format!("[concat({}, '/subnets/{subnet}')]", inner(vnet_id)),
                    "upgradeSettings": { "maxSurge": akswin_plan::resolve::max_surge(p).to_string() },
                    "enableFIPS": p.enable_fips,
                    "enableEncryptionAtHost": c.encryption_at_host,
                });
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
                    pool["podSubnetID"] = s(&format!("[concat({}, '/subnets/{}')]", inner(vnet_id), pods.azure_name));
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
        let kubelet_ref = kubelet
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let law = rid_rg(
            &n.rg_shared,
            "Microsoft.OperationalInsights/workspaces",
            &n.law,
        );
        let mut props = json!({
            "kubernetesVersion": c.kubernetes_version.to_string(),
            "dnsPrefix": n.cluster,
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
                    "clientId": format!("[reference({kubelet_ref}, '{API_IDENTITY}').clientId]"),
                    "objectId": format!("[reference({kubelet_ref}, '{API_IDENTITY}').principalId]"),
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
                "nodeOSUpgradeChannel": format!("{:?}", spec.upgrades.node_os_channel),
            },
            "securityProfile": { "imageCleaner": { "enabled": false } },
        });
        if c.private_cluster {
            // Our own zone, linked to the hub too: the spoke's DNS servers (the domain
            // controllers) live there and must resolve the API server.
            props["apiServerAccessProfile"]["privateDNSZone"] = s(&rid_rg(
                &n.rg_shared,
                "Microsoft.Network/privateDnsZones",
                &self.aks_zone(),
            ));
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
                    spec.identity.gmsa.dns_server,
                    &spec.identity.active_directory,
                ) {
                    g["dnsServer"] = s(&dns.to_string());
                    g["rootDomainName"] = s(&ad.domain);
                }
                w["gmsaProfile"] = g;
            }
            props["windowsProfile"] = w;
        }
        let mut identities = Map::new();
        identities.insert(cluster_id.to_string(), json!({}));
        json!({
            "type": "Microsoft.ContainerService/managedClusters",
            "apiVersion": API_AKS,
            "name": n.cluster,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "sku": { "name": "Base", "tier": format!("{:?}", c.tier) },
            "identity": { "type": "UserAssigned", "userAssignedIdentities": identities },
            "properties": props,
        })
    }

    /// Maintenance windows: node OS images (the monthly Windows window) and, with a cluster
    /// auto-upgrade channel, Kubernetes version upgrades in the same window.
    fn maintenance(&self) -> Vec<Value> {
        let Some(w) = self.spec.upgrades.windows_node_image.as_ref() else {
            return Vec::new();
        };
        let sched = &w.schedule;
        let schedule = if let Some(r) = &sched.relative_monthly {
            json!({ "relativeMonthly": { "intervalMonths": r.interval_months, "weekIndex": match r.week_index {
                WeekIndex::First => "First", WeekIndex::Second => "Second", WeekIndex::Third => "Third", WeekIndex::Fourth => "Fourth", WeekIndex::Last => "Last" },
                "dayOfWeek": format!("{:?}", r.day_of_week) } })
        } else if let Some(a) = &sched.absolute_monthly {
            json!({ "absoluteMonthly": { "intervalMonths": a.interval_months, "dayOfMonth": a.day_of_month } })
        } else if let Some(wk) = &sched.weekly {
            json!({ "weekly": { "intervalWeeks": wk.interval_weeks, "dayOfWeek": format!("{:?}", wk.day_of_week) } })
        } else {
            return Vec::new();
        };
        let mut names = Vec::new();
        if self.spec.upgrades.node_os_channel == NodeOsChannel::NodeImage {
            names.push("aksManagedNodeOSUpgradeSchedule");
        }
        if self.spec.upgrades.cluster_channel != akswin_spec::spec::ClusterChannel::None {
            names.push("aksManagedAutoUpgradeSchedule");
        }
        let mut out = Vec::new();
        let mut previous: Option<String> = None;
        for name in names {
            let mut deps = vec![s(&rid(
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
            previous = Some(format!(
                "[resourceId('Microsoft.ContainerService/managedClusters/maintenanceConfigurations', '{}', '{name}')]",
                self.n.cluster
            ));
        }
        out
    }

    fn dcr(&self) -> Value {
        let n = self.n;
        let w = &self.spec.monitoring.windows;
        let law = rid_rg(
            &n.rg_shared,
            "Microsoft.OperationalInsights/workspaces",
            &n.law,
        );
        let mut sources = Map::new();
        let mut streams = Vec::new();
        if !w.performance_counters.is_empty() {
            sources.insert(
                "performanceCounters".into(),
                json!([ {
                "name": "windowsCounters",
                "streams": ["Microsoft-Perf"],
                "samplingFrequencyInSeconds": 60,
                "counterSpecifiers": w.performance_counters,
            } ]),
            );
            streams.push("Microsoft-Perf");
        }
        if !w.event_logs.is_empty() {
            sources.insert(
                "windowsEventLogs".into(),
                json!([ {
                "name": "windowsEvents",
                "streams": ["Microsoft-Event"],
                "xPathQueries": w.event_logs,
            } ]),
            );
            streams.push("Microsoft-Event");
        }
        json!({
            "type": "Microsoft.Insights/dataCollectionRules",
            "apiVersion": API_DCR,
            "name": n.dcr_windows,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "kind": "Windows",
            "properties": {
                "description": "Windows node event logs and performance counters (akswin)",
                "dataSources": sources,
                "destinations": { "logAnalytics": [ { "name": "workspace", "workspaceResourceId": law } ] },
                "dataFlows": [ { "streams": streams, "destinations": ["workspace"] } ],
            }
        })
    }

    fn policy_assignments(&self, cluster: &str) -> Vec<Value> {
        let p = &self.spec.policy;
        let effect = |e: PolicyEffect| match e {
            PolicyEffect::Audit => "Audit",
            PolicyEffect::Deny => "Deny",
            PolicyEffect::Disabled => "Disabled",
        };
        let mut out = Vec::new();
        let mut add = |name: &str, id: &str, params: Value| {
            out.push(json!({
                "type": "Microsoft.Authorization/policyAssignments",
                "apiVersion": API_POLICY,
                "name": name,
                "properties": {
                    "displayName": format!("akswin: {name}"),
                    "policyDefinitionId": format!("/providers/Microsoft.Authorization/policyDefinitions/{id}"),
                    "parameters": params,
                    "enforcementMode": "Default",
                },
                "dependsOn": [cluster],
            }));
        };
        if self.has_windows() && p.windows_built_ins != PolicyEffect::Disabled {
            let e = json!({ "effect": { "value": effect(p.windows_built_ins) } });
            add(
                "windows-no-overcommit",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[0],
                e.clone(),
            );
            add(
                "windows-no-containeradministrator",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[1],
                e.clone(),
            );
            add(
                "windows-approved-users",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[2],
                json!({ "effect": { "value": effect(p.windows_built_ins) }, "allowedUserNames": { "value": p.windows_allowed_user_names } }),
            );
            add(
                "windows-no-hostprocess",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[3],
                e,
            );
        }
        if p.internal_load_balancers_only != PolicyEffect::Disabled {
            add(
                "internal-load-balancers-only",
                akswin_facts::INTERNAL_LB_POLICY,
                json!({ "effect": { "value": effect(p.internal_load_balancers_only) } }),
            );
        }
        if !p.allowed_registries.is_empty() {
            let alt: Vec<String> = p
                .allowed_registries
                .iter()
                .map(|r| r.replace('.', "\\."))
                .collect();
            add(
                "allowed-registries",
                akswin_facts::ALLOWED_IMAGES_POLICY,
                json!({
                    "effect": { "value": "Deny" },
                    "allowedContainerImagesRegex": { "value": format!("^({})/.+$", alt.join("|")) },
                    // the policy's defaults, plus akswin-system: the pre-pull DaemonSets keep
                    // Microsoft's pause image running next to the images they pull
                    "excludedNamespaces": { "value": ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system", "akswin-system"] },
                }),
            );
        }
        for (i, a) in p.extra_assignments.iter().enumerate() {
            let id = a.definition_id.trim();
            let id = if id.starts_with('/') {
                id.to_string()
            } else {
                format!("/providers/Microsoft.Authorization/policyDefinitions/{id}")
            };
            let mut params = json!({});
            if let Some(e) = &a.effect {
                params = json!({ "effect": { "value": e } });
            }
            out.push(json!({
                "type": "Microsoft.Authorization/policyAssignments",
                "apiVersion": API_POLICY,
                "name": format!("extra-{}", i + 1),
                "properties": { "displayName": format!("akswin: extra assignment {}", i + 1), "policyDefinitionId": id, "parameters": params, "enforcementMode": "Default" },
                "dependsOn": [cluster],
            }));
        }
        out
    }

    // ---------------------------------------------------------------------------- front door

    /// Front Door (resource-group scope, shared resource group). A separate, later step: its
    /// origin exists only once the application is published in the application proxy (or,
    /// with Private Link, once the Kubernetes Service has created the Private Link Service).
    pub fn front_door(&self) -> Option<Value> {
        self.spec.ingress.front_door.as_ref()?;
        let mut t = self.front_door_template();
        t["metadata"] = self.metadata();
        Some(t)
    }

    /// Whether `frontdoor.json` takes the application proxy's external host as a parameter.
    pub fn front_door_needs_host(&self) -> bool {
        self.needs_app_proxy_host() && self.spec.ingress.app_proxy.external_host.is_none()
    }

    fn front_door_template(&self) -> Value {
        let n = self.n;
        let Some(fd) = &self.spec.ingress.front_door else {
            return rg_template(Vec::new(), json!({}), json!({}));
        };
        let mut res = Vec::new();
        let sku = match fd.sku {
            akswin_spec::spec::FrontDoorSku::Premium => "Premium_AzureFrontDoor",
            akswin_spec::spec::FrontDoorSku::Standard => "Standard_AzureFrontDoor",
        };
        if let Some(waf) = &fd.waf {
            let sets: Vec<Value> = waf
                .managed_rule_sets
                .iter()
                .map(|r| {
                    let version = RULE_SET_VERSIONS
                        .iter()
                        .find(|(n, _)| n == r)
                        .map_or("1.0", |(_, v)| *v);
                    let mut set = json!({ "ruleSetType": r, "ruleSetVersion": version });
                    if r.contains("DefaultRuleSet") {
                        set["ruleSetAction"] = s("Block");
                    }
                    set
                })
                .collect();
            res.push(json!({
                "type": "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies",
                "apiVersion": API_FD_WAF,
                "name": n.waf,
                "location": "Global",
                "tags": self.tags(),
                "sku": { "name": sku },
                "properties": {
                    "policySettings": {
                        "enabledState": "Enabled",
                        "mode": match waf.mode { WafMode::Prevention => "Prevention", WafMode::Detection => "Detection" },
                        "requestBodyCheck": "Enabled",
                    },
                    "managedRules": { "managedRuleSets": sets },
                }
            }));
        }
        res.push(json!({
            "type": "Microsoft.Cdn/profiles",
            "apiVersion": API_CDN,
            "name": n.front_door,
            "location": "global",
            "tags": self.tags(),
            "sku": { "name": sku },
            // Its own identity reads the certificates from Key Vault (RBAC on this vault only),
            // instead of the multi-tenant Front Door application every profile shares.
            "identity": { "type": "SystemAssigned" },
            "properties": { "originResponseTimeoutSeconds": 60 },
        }));
        let profile = rid("Microsoft.Cdn/profiles", &n.front_door);
        // Front Door's identity reads each certificate's secret and nothing else in the vault:
        // one Key Vault Secrets User assignment per certificate, scoped to that secret.
        let mut cert_readers: std::collections::BTreeMap<String, String> = Default::default();
        for d in &fd.custom_domains {
            if d.certificate.source == CertificateSource::KeyVault
                && let Some(secret) = &d.certificate.key_vault_secret
                && !cert_readers.contains_key(secret)
            {
                let scope = secret_scope(&n.key_vault, secret);
                let seed = format!("front-door-certificate-{secret}");
                res.push(role_assignment(
                    &seed,
                    &scope,
                    ROLE_KV_SECRETS_USER,
                    &format!(
                        "[reference({}, '{API_CDN}', 'full').identity.principalId]",
                        inner(&profile)
                    ),
                    std::slice::from_ref(&profile),
                ));
                cert_readers.insert(
                    secret.clone(),
                    format!("[extensionResourceId({}, 'Microsoft.Authorization/roleAssignments', guid({}, '{ROLE_KV_SECRETS_USER}', '{seed}'))]", inner(&scope), inner(&scope)),
                );
            }
        }
        res.push(json!({
            "type": "Microsoft.Cdn/profiles/afdEndpoints",
            "apiVersion": API_CDN,
            "name": format!("{}/{}", n.front_door, n.afd_endpoint),
            "location": "global",
            "properties": { "enabledState": "Enabled" },
            "dependsOn": [profile],
        }));
        res.push(json!({
            "type": "Microsoft.Cdn/profiles/originGroups",
            "apiVersion": API_CDN,
            "name": format!("{}/app", n.front_door),
            "properties": {
                "loadBalancingSettings": { "sampleSize": 4, "successfulSamplesRequired": 3, "additionalLatencyInMilliseconds": 50 },
                "healthProbeSettings": { "probePath": "/", "probeRequestType": "HEAD", "probeProtocol": "Https", "probeIntervalInSeconds": 100 },
                "sessionAffinityState": "Disabled",
            },
            "dependsOn": [profile],
        }));
        let mut origin = json!({
            "type": "Microsoft.Cdn/profiles/originGroups/origins",
            "apiVersion": API_CDN,
            "name": format!("{}/app/app", n.front_door),
            "properties": {
                "httpPort": 80,
                "httpsPort": 443,
                "priority": 1,
                "weight": 1000,
                "enabledState": "Enabled",
                "enforceCertificateNameCheck": true,
            },
            "dependsOn": [format!("[resourceId('Microsoft.Cdn/profiles/originGroups', '{}', 'app')]", n.front_door)],
        });
        match self.front_door_origin() {
            FrontDoorOrigin::AppProxy => {
                let host = self
                    .spec
                    .ingress
                    .app_proxy
                    .external_host
                    .clone()
                    .unwrap_or_else(|| "[parameters('appProxyExternalHost')]".into());
                origin["properties"]["hostName"] = s(&host);
                origin["properties"]["originHostHeader"] = s(&host);
            }
            FrontDoorOrigin::PrivateLink => {
                let ip = self
                    .plan
                    .addresses
                    .internal_load_balancer_ip
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                origin["properties"]["hostName"] = s(&ip);
                origin["properties"]["originHostHeader"] = s(&fd
                    .custom_domains
                    .first()
                    .map(|d| d.host.to_string())
                    .unwrap_or(ip));
                origin["properties"]["sharedPrivateLinkResource"] = json!({
                    "privateLink": { "id": rid_rg(&n.rg_nodes, "Microsoft.Network/privateLinkServices", &n.pls) },
                    "privateLinkLocation": self.spec.location,
                    "requestMessage": format!("Front Door {} to {}", n.front_door, n.cluster),
                });
            }
        }
        res.push(origin);
        let mut domain_ids = Vec::new();
        for d in &fd.custom_domains {
            let dn = d.host.replace('.', "-");
            let mut tls =
                json!({ "certificateType": "ManagedCertificate", "minimumTlsVersion": "TLS12" });
            let mut deps = vec![s(&profile)];
            if d.certificate.source == CertificateSource::KeyVault
                && let Some(secret) = &d.certificate.key_vault_secret
            {
                let sname = format!("cert-{dn}");
                res.push(json!({
                    "type": "Microsoft.Cdn/profiles/secrets",
                    "apiVersion": API_CDN,
                    "name": format!("{}/{sname}", n.front_door),
                    "properties": {
                        "parameters": {
                            "type": "CustomerCertificate",
                            "secretSource": { "id": format!("[concat(resourceId('Microsoft.KeyVault/vaults', '{}'), '/secrets/{secret}')]", n.key_vault) },
                            "useLatestVersion": true,
                        }
                    },
                    "dependsOn": std::iter::once(profile.clone()).chain(cert_readers.get(secret).cloned()).collect::<Vec<_>>(),
                }));
                tls = json!({
                    "certificateType": "CustomerCertificate",
                    "minimumTlsVersion": "TLS12",
                    "secret": { "id": format!("[resourceId('Microsoft.Cdn/profiles/secrets', '{}', '{sname}')]", n.front_door) },
                });
                deps.push(s(&format!(
                    "[resourceId('Microsoft.Cdn/profiles/secrets', '{}', '{sname}')]",
                    n.front_door
                )));
            }
            res.push(json!({
                "type": "Microsoft.Cdn/profiles/customDomains",
                "apiVersion": API_CDN,
                "name": format!("{}/{dn}", n.front_door),
                "properties": { "hostName": d.host, "tlsSettings": tls },
                "dependsOn": deps,
            }));
            domain_ids.push(format!(
                "[resourceId('Microsoft.Cdn/profiles/customDomains', '{}', '{dn}')]",
                n.front_door
            ));
        }
        let endpoint = format!(
            "[resourceId('Microsoft.Cdn/profiles/afdEndpoints', '{}', '{}')]",
            n.front_door, n.afd_endpoint
        );
        let mut route_deps = vec![
            s(&endpoint),
            s(&format!(
                "[resourceId('Microsoft.Cdn/profiles/originGroups/origins', '{}', 'app', 'app')]",
                n.front_door
            )),
        ];
        route_deps.extend(domain_ids.iter().map(|d| s(d)));
        res.push(json!({
            "type": "Microsoft.Cdn/profiles/afdEndpoints/routes",
            "apiVersion": API_CDN,
            "name": format!("{}/{}/app", n.front_door, n.afd_endpoint),
            "properties": {
                "originGroup": { "id": format!("[resourceId('Microsoft.Cdn/profiles/originGroups', '{}', 'app')]", n.front_door) },
                "customDomains": domain_ids.iter().map(|d| json!({ "id": d })).collect::<Vec<_>>(),
                "supportedProtocols": if fd.allow_http { json!(["Http", "Https"]) } else { json!(["Https"]) },
                "patternsToMatch": ["/*"],
                "forwardingProtocol": "HttpsOnly",
                "linkToDefaultDomain": "Enabled",
                "httpsRedirect": if fd.https_redirect { "Enabled" } else { "Disabled" },
                "enabledState": "Enabled",
            },
            "dependsOn": route_deps,
        }));
        if fd.waf.is_some() {
            let mut domains = vec![json!({ "id": endpoint })];
            domains.extend(domain_ids.iter().map(|d| json!({ "id": d })));
            let mut deps = vec![
                s(&endpoint),
                s(&rid(
                    "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies",
                    &n.waf,
                )),
            ];
            deps.extend(domain_ids.iter().map(|d| s(d)));
            res.push(json!({
                "type": "Microsoft.Cdn/profiles/securityPolicies",
                "apiVersion": API_CDN,
                "name": format!("{}/waf", n.front_door),
                "properties": {
                    "parameters": {
                        "type": "WebApplicationFirewall",
                        "wafPolicy": { "id": rid("Microsoft.Network/FrontDoorWebApplicationFirewallPolicies", &n.waf) },
                        "associations": [ { "domains": domains, "patternsToMatch": ["/*"] } ],
                    }
                },
                "dependsOn": deps,
            }));
        }
        let params = if self.front_door_needs_host() {
            json!({ "appProxyExternalHost": { "type": "string", "minLength": 1, "metadata": { "description": "External host name Microsoft Entra application proxy assigned to the published application (e.g. app-contoso.msappproxy.net)" } } })
        } else {
            json!({})
        };
        rg_template(res, params, json!({}))
    }
}

/// An ARM expression that builds `script` with the passwords spliced in at deployment time:
/// `__DSRM__` and `__ADMIN__` become the secure parameters, with single quotes doubled for
/// the PowerShell single-quoted strings they sit in. The expression only ever appears in
/// `protectedSettings`.
fn secret_command(script: &str) -> String {
    let esc = |t: &str| t.replace('\'', "''");
    let mut parts = Vec::new();
    let mut rest = script;
    while let Some(i) = rest.find("__") {
        let (before, after) = rest.split_at(i);
        let (param, skip) = if after.starts_with("__DSRM__") {
            ("dsrmPassword", 8)
        } else if after.starts_with("__ADMIN__") {
            ("dcAdminPassword", 9)
        } else {
            parts.push(format!("'{}'", esc(&rest[..i + 2])));
            rest = &rest[i + 2..];
            continue;
        };
        parts.push(format!("'{}'", esc(before)));
        parts.push(format!("replace(parameters('{param}'), '''', '''''')"));
        rest = &after[skip..];
    }
    parts.push(format!("'{}'", esc(rest)));
    format!("[concat({})]", parts.join(", "))
}

fn dc_secret(r: &Option<SecretRef>, default: &str) -> String {
    match r {
        Some(SecretRef::KeyVault(n)) => n.clone(),
        _ => default.to_string(),
    }
}

fn title(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "tcp" => "TCP".into(),
        "udp" => "UDP".into(),
        "icmp" => "ICMP".into(),
        _ => "Any".into(),
    }
}

/// The AD ports (protocol, port or range) from the egress table.
fn ad_ports() -> Vec<(String, String)> {
    akswin_plan::egress::egress_facts()
        .into_iter()
        .filter(|f| f.set == "ad")
        .map(|f| {
            (
                if f.protocol.eq_ignore_ascii_case("tcp") {
                    "Tcp".into()
                } else {
                    "Udp".into()
                },
                f.port,
            )
        })
        .collect()
}
