//! ARM templates. `main.json` is a subscription-scope template: three resource groups and one
//! nested deployment (inner expression scope) per group, in dependency order: shared services
//! (Log Analytics, Key Vault, ACR, identities, Front Door), spoke (network, AKS, data
//! collection, policy), hub (network, firewall, Bastion, domain controllers), peering. With an
//! existing hub (`network.hub.existing`) there is no hub group or deployment: the spoke peers
//! with the hub by its id, the cluster waits behind `deployCluster`, and `hub_side` renders
//! `arm/hub-side.json`, the hub's part, for its platform team.
//! `bootstrap.json` creates the shared resource group and the Key Vault the secrets must be in
//! before `main.json` runs. API versions are the newest with a schema in the reference set.
//!
//! Split along the deployment's seams: this module holds the constants, the helpers, the
//! bootstrap and the `main.json` skeleton; `shared` the shared group (Log Analytics, Key
//! Vault, ACR, identities, private DNS, access); `hub` the hub network, Bastion and the
//! peerings; `gateway` the hybrid gateway and its connection; `firewall` the rule
//! collection groups; `domain_controllers` the DC VMs; `spoke` the spoke network; `cluster` AKS, its pools and maintenance; `monitoring` the
//! data collection rule; `policy` the policy assignments; `front_door` `frontdoor.json`.
//! ARM expressions are built with [`expr`], which escapes literals.

use akswin_plan::names::Names;
use akswin_plan::{NetworkPlan, SubnetPlan, SubnetRole};
use akswin_spec::Spec;
use akswin_spec::spec::{
    CertificateSource, Cni, Mode, NodeOsChannel, Os, OsDiskType, PodIpAllocation, PolicyEffect,
    SpokeSubnet, Toggle, WafMode, WeekIndex, Workload,
};
use akswin_spec::types::SecretRef;
use expr::Expr;
use serde_json::{Map, Value, json};

mod cluster;
mod domain_controllers;
pub mod expr;
mod firewall;
mod front_door;
pub use front_door::custom_domain_name;
mod gateway;
mod hub;
mod hub_side;
mod jump_box;
pub use jump_box::{ROLE_READER, ROLE_VM_ADMIN_LOGIN};
mod monitoring;
pub use monitoring::AKS_LOG_CATEGORIES;
mod policy;
mod shared;
mod spoke;

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
/// Azure Kubernetes Service RBAC Cluster Admin.
pub const ROLE_AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
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

/// An expression as a template value.
fn v(e: Expr) -> Value {
    e.into()
}

fn rid(kind: &str, name: &str) -> Expr {
    expr::resource_id(kind, &[name])
}

/// The id of one Key Vault secret, as the scope of a role assignment on that secret alone.
/// Key Vault RBAC accepts secret-scoped assignments; the secret must exist when the assignment
/// is created (`deploy.sh` checks each secret before the deployment that needs it).
fn secret_scope(vault: &str, secret: &str) -> Expr {
    expr::resource_id("Microsoft.KeyVault/vaults/secrets", &[vault, secret])
}

fn rid_rg(rg: &str, kind: &str, name: &str) -> Expr {
    expr::resource_id_in(rg, kind, &[name])
}

fn subnet_id(rg: &str, vnet: &str, subnet: &str) -> Expr {
    expr::resource_id_in(
        rg,
        "Microsoft.Network/virtualNetworks/subnets",
        &[vnet, subnet],
    )
}

/// A resource-group template; dependsOn for references between its resources are derived
/// ([`crate::lint::derive_depends_on`]).
fn rg_template(mut resources: Vec<Value>, parameters: Value, outputs: Value) -> Value {
    crate::lint::derive_depends_on(&mut resources);
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
            "keyVault": { "id": rid_rg(&n.rg_shared, "Microsoft.KeyVault/vaults", &n.key_vault) },
            "secretName": secret,
        }
    })
}

fn secure_param() -> Value {
    json!({ "type": "securestring" })
}

/// `subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'role')`.
fn role_definition(role: &str) -> Expr {
    expr::call(
        "subscriptionResourceId",
        vec![
            expr::lit("Microsoft.Authorization/roleDefinitions"),
            expr::lit(role),
        ],
    )
}

/// The principal id of a user-assigned identity.
fn principal_of(identity: Expr) -> Expr {
    expr::reference(identity, API_IDENTITY).prop("principalId")
}

/// The name of a role assignment: stable for (scope, role, seed).
fn role_assignment_name(scope: &Expr, role: &str, name_seed: &str) -> Expr {
    expr::guid(vec![scope.clone(), expr::lit(role), expr::lit(name_seed)])
}

fn role_assignment(
    name_seed: &str,
    scope: &Expr,
    role: &str,
    principal: &Expr,
    depends: &[Expr],
) -> Value {
    let mut r = json!({
        "type": "Microsoft.Authorization/roleAssignments",
        "apiVersion": API_ROLE,
        "name": role_assignment_name(scope, role, name_seed),
        "scope": scope,
        "properties": {
            "roleDefinitionId": role_definition(role),
            "principalId": principal,
            "principalType": "ServicePrincipal",
        }
    });
    if !depends.is_empty() {
        r["dependsOn"] = json!(depends);
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

    /// The existing hub the spoke joins (`network.hub.existing`), if any.
    pub fn existing_hub(&self) -> Option<&'a akswin_spec::spec::ExistingHub> {
        self.spec.network.existing_hub()
    }

    /// A private DNS zone's id: the landing zone's (an existing hub's `privateDnsZones`), or
    /// akswin's own in `rg` (None: the template's own resource group).
    fn zone_id(&self, rg: Option<&str>, zone: &str) -> Value {
        match (self.existing_hub(), rg) {
            (Some(h), _) => s(&format!(
                "{}/providers/Microsoft.Network/privateDnsZones/{zone}",
                h.private_dns_zones.trim_end_matches('/')
            )),
            (None, Some(rg)) => v(rid_rg(rg, "Microsoft.Network/privateDnsZones", zone)),
            (None, None) => v(rid("Microsoft.Network/privateDnsZones", zone)),
        }
    }

    /// Private DNS zones the deployment uses: akswin creates them and links them to both
    /// VNets (the API server's to the hub only: AKS links it to the spoke), or (existing hub)
    /// the landing zone's, linked to the spoke by hub-side.json.
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

    /// A network security group with these rules (hub DC subnet, spoke subnets).
    fn nsg(&self, name: &str, rules: impl Into<Value>) -> Value {
        json!({
            "type": "Microsoft.Network/networkSecurityGroups",
            "apiVersion": API_NETWORK,
            "name": name,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "properties": { "securityRules": rules.into() },
        })
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
        // The vaults use Azure RBAC: whoever sets the secrets (and imports the certificates)
        // needs data-plane roles on them.
        let operator = |vault_name: &str, role: &str| {
            let vault = rid("Microsoft.KeyVault/vaults", vault_name);
            json!({
                "condition": "[not(empty(parameters('operatorObjectId')))]",
                "type": "Microsoft.Authorization/roleAssignments",
                "apiVersion": API_ROLE,
                "name": expr::guid(vec![vault.clone(), expr::lit(role), expr::parameters("operatorObjectId")]),
                "scope": vault,
                "properties": {
                    "roleDefinitionId": role_definition(role),
                    "principalId": "[parameters('operatorObjectId')]",
                    "principalType": "[parameters('operatorPrincipalType')]",
                },
                "dependsOn": [vault],
            })
        };
        let mut resources = vec![
            self.key_vault(true),
            operator(&self.n.key_vault, ROLE_KV_SECRETS_OFFICER),
        ];
        if !self.certificate_workloads().is_empty() {
            // The workloads' certificates are Key Vault certificates in the platform vault.
            resources.push(operator(&self.n.key_vault, ROLE_KV_CERTIFICATES_OFFICER));
        }
        if self.imports_certificates() {
            // Front Door's certificates live in a vault of their own (Microsoft's advice for
            // Front Door), which stays open to the operator's address and to trusted Azure
            // services (Front Door reads through that bypass) after main.json closes the
            // platform vault.
            resources.push(self.front_door_vault());
            resources.push(operator(
                &self.n.key_vault_front_door,
                ROLE_KV_SECRETS_OFFICER,
            ));
            resources.push(operator(
                &self.n.key_vault_front_door,
                ROLE_KV_CERTIFICATES_OFFICER,
            ));
        }
        let mut t = rg_template(
            resources,
            json!({
                "operatorIpRange": { "type": "string", "metadata": { "description": "CIDR allowed to set the Key Vault secrets during bootstrap (and to import Front Door's certificates)" } },
                "operatorObjectId": { "type": "string", "defaultValue": "", "metadata": { "description": "object id of the user or service principal that sets the secrets (and imports Front Door's certificates); gets the data roles that set the secrets and import the certificates: Key Vault Secrets Officer, and Certificates Officer on a vault that holds certificates (empty: no assignment)" } },
                "operatorPrincipalType": { "type": "string", "defaultValue": "User", "allowedValues": ["User", "ServicePrincipal", "Group"], "metadata": { "description": "principal type of operatorObjectId" } }
            }),
            json!({}),
        );
        t["metadata"] = self.metadata();
        t
    }

    /// Front Door's certificate vault: RBAC, soft delete and purge protection like the
    /// platform vault, reachable from the operator's address and trusted Azure services only.
    fn front_door_vault(&self) -> Value {
        let mut v = self.key_vault(true);
        v["name"] = s(&self.n.key_vault_front_door);
        v["properties"]["enabledForTemplateDeployment"] = json!(false);
        v
    }

    /// Whether the operator imports certificates into the vault (Front Door custom domains with
    /// Key Vault certificates).
    pub fn imports_certificates(&self) -> bool {
        !self.spec.ingress.key_vault_certificates().is_empty()
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
            && !self.plan.addresses.domain_controller_ips.is_empty()
        {
            let dc = &ad.domain_controllers;
            for (key, what) in self.dc_secrets() {
                out.push((dc.secret_name(key).unwrap_or_default(), what));
            }
        }
        if let Some(h) = &self.spec.network.hybrid
            && self.creates_gateway()
        {
            for (key, r) in h.keys() {
                if let SecretRef::KeyVault(name) = r {
                    out.push((
                        name.clone(),
                        match key {
                            akswin_spec::spec::HybridKey::VpnSharedKey => "IPsec pre-shared key of the VPN connection (the same key on the on-premises device)",
                            akswin_spec::spec::HybridKey::ErAuthorizationKey => "ExpressRoute circuit authorization key (from the circuit owner)",
                        },
                    ));
                }
            }
        }
        out
    }

    /// The gMSA standard user's secret: it exists only once Active Directory does
    /// (`scripts/Set-Gmsa.ps1` writes it), but the kubelet identity's read access is granted on
    /// the secret itself, which must exist when `main.json` runs: `deploy.sh` creates a
    /// placeholder (no secret in it) when it is missing.
    pub fn placeholder_secret(&self) -> Option<&str> {
        if !self.spec.identity.gmsa.enabled {
            return None;
        }
        self.spec
            .identity
            .gmsa
            .key_vault_secret
            .as_ref()
            .map(|s| s.as_str())
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

    pub fn main(&self) -> Value {
        let n = self.n;
        let rg_dep = |name: &str| {
            expr::call(
                "subscriptionResourceId",
                vec![
                    expr::lit("Microsoft.Resources/resourceGroups"),
                    expr::lit(name),
                ],
            )
            .template()
        };
        // A nested deployment lives in its resource group: its id names the group, so a
        // subscription-scope dependsOn must too (a subscription-level id matches nothing).
        let dep = |name: &str, rg: &str| {
            expr::resource_id_in(rg, "Microsoft.Resources/deployments", &[name]).template()
        };
        let mut params = Map::new();
        params.insert(
            "location".into(),
            json!({ "type": "string", "defaultValue": self.spec.location }),
        );
        if self.has_jump_box() {
            params.insert(
                "jumpBoxSshPublicKey".into(),
                json!({ "type": "string", "metadata": { "description": "the jump box's SSH public key: deploy.sh passes one whose private key it threw away (sign-in is with Microsoft Entra ID), or the existing jump box's own key, which cannot change" } }),
            );
        }
        // An existing hub (network.hub.existing) is the platform team's: no hub group, hub
        // deployment or hub-side peering here (arm/hub-side.json has its side), and the
        // cluster waits for that side (`deployCluster`, see deploy.sh).
        let existing = self.existing_hub();
        let gated = |mut d: Value| {
            if existing.is_some() {
                d["condition"] = s("[parameters('deployCluster')]");
            }
            d
        };
        if existing.is_some() {
            params.insert(
                "deployCluster".into(),
                json!({ "type": "bool", "defaultValue": true, "metadata": { "description": "false: the shared services and the spoke network only (deploy.sh main); true: also the spoke's peering to the existing hub and the cluster, once the platform team has deployed arm/hub-side.json (deploy.sh cluster)" } }),
            );
        }
        let mut resources = Vec::new();
        if existing.is_none() {
            resources.push(self.rg(&n.rg_hub));
        }
        resources.push(self.rg(&n.rg_spoke));
        resources.push(self.rg(&n.rg_shared));
        resources.push(deployment(
            "akswin-shared",
            &n.rg_shared,
            &[&rg_dep(&n.rg_shared)],
            self.shared_params(),
            self.shared_template(),
        ));
        let hub_dep = dep("akswin-hub", &n.rg_hub);
        let hub: &[&str] = if existing.is_none() {
            resources.push(deployment(
                "akswin-hub",
                &n.rg_hub,
                &[&rg_dep(&n.rg_hub), &dep("akswin-shared", &n.rg_shared)],
                self.hub_params(),
                self.hub_template(),
            ));
            &[hub_dep.as_str()]
        } else {
            &[]
        };
        // Order: both VNets and both peerings, then the private endpoints and DNS links, and
        // only then the cluster, whose nodes need the hub (DNS, firewall) from their first boot.
        let spoke_rg = rg_dep(&n.rg_spoke);
        let shared_dep = dep("akswin-shared", &n.rg_shared);
        let mut after: Vec<&str> = vec![&spoke_rg, &shared_dep];
        after.extend_from_slice(hub);
        resources.push(deployment(
            "akswin-spoke-network",
            &n.rg_spoke,
            &after,
            json!({}),
            self.spoke_template(),
        ));
        let spoke_peering = match existing {
            None => {
                resources.push(deployment(
                    "akswin-hub-peering",
                    &n.rg_hub,
                    &[&dep("akswin-spoke-network", &n.rg_spoke)],
                    json!({}),
                    rg_template(
                        vec![self.peering(
                            &n.vnet_hub,
                            &n.rg_spoke,
                            &n.vnet_spoke,
                            "hub-to-spoke",
                            self.has_gateway(),
                            false,
                        )],
                        json!({}),
                        json!({}),
                    ),
                ));
                // The spoke's side after the hub's: with a gateway in the hub it uses the hub's
                // gateway (useRemoteGateways), which needs the gateway and the hub's gateway
                // transit.
                deployment(
                    "akswin-spoke-peering",
                    &n.rg_spoke,
                    &[&dep("akswin-hub-peering", &n.rg_hub)],
                    json!({}),
                    rg_template(
                        vec![self.peering(
                            &n.vnet_spoke,
                            &n.rg_hub,
                            &n.vnet_hub,
                            "spoke-to-hub",
                            false,
                            self.has_gateway(),
                        )],
                        json!({}),
                        json!({}),
                    ),
                )
            }
            // The hub's side is hub-side.json's, deployed by the platform team in between.
            Some(h) => gated(deployment(
                "akswin-spoke-peering",
                &n.rg_spoke,
                &[&dep("akswin-spoke-network", &n.rg_spoke)],
                json!({}),
                rg_template(
                    vec![Self::peering_to(
                        &n.vnet_spoke,
                        s(&h.vnet_id),
                        "spoke-to-hub",
                        false,
                        self.has_gateway(),
                    )],
                    json!({}),
                    json!({}),
                ),
            )),
        };
        resources.push(spoke_peering);
        let spoke_net = dep("akswin-spoke-network", &n.rg_spoke);
        let mut after: Vec<&str> = vec![&spoke_net];
        after.extend_from_slice(hub);
        let spoke_peering_dep = dep("akswin-spoke-peering", &n.rg_spoke);
        let access_dep = dep("akswin-access", &n.rg_shared);
        resources.push(deployment(
            "akswin-access",
            &n.rg_shared,
            &after,
            json!({}),
            self.access_template(),
        ));
        // akswin's manifest rules at admission: custom definitions and their initiative live
        // at subscription scope; the cluster's group assigns the initiative to the cluster.
        let initiative = crate::admission::initiative_id();
        let mut cluster_after: Vec<&str> = vec![&spoke_peering_dep, &access_dep];
        if self.admission_enforced() {
            resources.extend(crate::admission::azure_policy_resources(API_POLICY));
            cluster_after.push(&initiative);
        }
        resources.push(gated(deployment(
            "akswin-cluster",
            &n.rg_spoke,
            &cluster_after,
            self.spoke_params(),
            self.cluster_template(),
        )));
        if !self.certificate_workloads().is_empty() {
            resources.push(gated(deployment(
                "akswin-workload-identity",
                &n.rg_shared,
                &[&dep("akswin-cluster", &n.rg_spoke)],
                json!({}),
                self.workload_identity_template(),
            )));
        }
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
}

impl Arm<'_> {
    /// The secrets the new domain controllers use (spec key, what it is): the VM
    /// administrator's password, the DSRM password for the promotion, and for replicas the
    /// credential that adds a domain controller to the existing domain. Their identity reads
    /// the last two during promotion.
    pub(crate) fn dc_secrets(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = vec![
            (
                "adminPassword",
                "domain controller VM administrator password (for a new forest, also the domain administrator's)",
            ),
            ("safeModePassword", "AD DS safe mode (DSRM) password"),
        ];
        if self
            .spec
            .identity
            .active_directory
            .as_ref()
            .is_some_and(|a| a.mode() == akswin_spec::spec::AdMode::Replica)
        {
            out.push(("joinCredential", "user@domain:password (or DOMAIN\\user:password) of an account that may add domain controllers to the existing domain (Domain Admins; Enterprise Admins too, or the AD site, its subnets and its site link created beforehand); remove or rotate it after promotion"));
        }
        out
    }
}

impl Arm<'_> {
    /// The secrets the promotion reads with the domain controllers' identity (spec keys).
    pub(crate) fn dc_promotion_secrets(&self) -> Vec<&'static str> {
        match self
            .spec
            .identity
            .active_directory
            .as_ref()
            .map(|a| a.mode())
        {
            Some(akswin_spec::spec::AdMode::Replica) => vec!["safeModePassword", "joinCredential"],
            Some(akswin_spec::spec::AdMode::NewForest) => vec!["safeModePassword", "adminPassword"],
            _ => Vec::new(),
        }
    }
}
