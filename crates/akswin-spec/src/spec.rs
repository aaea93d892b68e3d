//! The spec's types. They are the model: serde applies the defaults, the newtypes in
//! [`crate::types`] validate syntax, and `deny_unknown_fields` makes every typo an error.
//! Cross-field judgement is the rules' job, not the parser's.
//!
//! Defaults are the secure, architecture-conformant choice, so a short spec means "the
//! reference architecture"; the rule that would fire on the opposite choice says so.

use crate::types::{
    AcrName, Auto, Cidr, ClockTime, Hostname, Ip, KubeVersion, MaxSurge, ObjectId, PriceSource,
    Quantity, Region, SecretName, SecretRef, TimeZone, TlsVersion, UtcOffset, Zone,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn yes() -> bool {
    true
}

/// The root of an akswin spec (`apiVersion: akswin/v1`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Spec {
    /// Must be `akswin/v1`.
    pub api_version: ApiVersion,
    /// Prefix for every Azure resource name (lowercase letters, digits and hyphens).
    pub name: String,
    /// Azure region, e.g. `eastus2`.
    pub location: Region,
    /// Appended to the names that must be unique across all of Azure (the Key Vaults, a
    /// registry without `registry.name`): 2 to 8 lowercase letters and digits. A name taken
    /// by anyone else, or by a deleted vault that purge protection keeps for 90 days, fails the
    /// deployment; `akswin init` writes a fresh random suffix. Keep it once deployed: a new
    /// suffix is a new vault and registry (NAM002).
    #[serde(default)]
    pub name_suffix: Option<String>,
    /// Tags put on every Azure resource akswin renders (name: value).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The hub-spoke network: address spaces, subnets, CNI, DNS, on-premises ranges.
    pub network: Network,
    /// Egress through the hub firewall and the NSGs: what the nodes, domain controllers and
    /// connectors may reach.
    #[serde(default)]
    pub egress: Egress,
    /// Active Directory (the domain, its domain controllers) and gMSA for Windows workloads.
    #[serde(default)]
    pub identity: Identity,
    /// The AKS cluster: version, tier, API server access, node pools, Windows profile.
    pub cluster: Cluster,
    #[serde(default)]
    pub ingress: Ingress,
    /// The container registry (ACR) the nodes pull from through a private endpoint.
    #[serde(default)]
    pub registry: Registry,
    /// The platform Key Vault: gMSA and domain controller secrets, workload certificates.
    #[serde(default)]
    pub key_vault: KeyVault,
    /// Container insights, Windows event and counter collection, alerts and where they go.
    #[serde(default)]
    pub monitoring: Monitoring,
    /// Azure Policy assignments on the cluster: the Windows built-ins, internal load balancers
    /// only, allowed registries.
    #[serde(default)]
    pub policy: Policy,
    #[serde(default)]
    pub upgrades: Upgrades,
    /// Scale-out model inputs: image pre-pull, node ready times, pull throughput, the hot spare.
    #[serde(default)]
    pub scaling: Scaling,
    /// The applications to run: each becomes a Namespace, Deployment, Service and, by its auth, an
    /// ingress path.
    #[serde(default)]
    pub workloads: Vec<Workload>,
    /// Cost model inputs: currency, price source, log and firewall data volumes.
    #[serde(default)]
    pub cost: Cost,
    /// Environments (dev, test, prod) as overlays of this spec: each is a JSON Merge Patch
    /// (RFC 7386) applied to the rest of the file: mappings merge key by key, `null` removes
    /// a key, anything else (a list included) replaces. `--env NAME` on `check`, `plan`,
    /// `render`, `report` and `diff` judges, plans and renders the result; `akswin envs`
    /// compares them. The rest of the file is a whole spec of its own (the base).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, serde_json::Map<String, serde_json::Value>>")]
    pub environments: BTreeMap<String, serde_json::Value>,
}

impl Spec {
    /// The container registry's name: `registry.name`, or `acr` plus the letters and digits of
    /// the naming prefix.
    /// The letters and digits of `nameSuffix` (empty without one): what a name that allows
    /// nothing else (a registry's) ends with.
    pub fn suffix_alnum(&self) -> String {
        self.name_suffix
            .as_deref()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect()
    }

    pub fn acr_name(&self) -> String {
        self.registry.name.as_ref().map_or_else(
            || {
                let alnum: String = self
                    .name
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                let sfx = self.suffix_alnum();
                // The suffix survives the 50-character cut; the prefix gives way.
                let head: String = format!("acr{alnum}")
                    .chars()
                    .take(50 - sfx.chars().count().min(8))
                    .collect();
                format!("{head}{sfx}")
            },
            |n| n.as_str().to_string(),
        )
    }

    /// The registry host of an image reference (`contosoacr.azurecr.io/web:1` ->
    /// `contosoacr.azurecr.io`; `nginx` -> `docker.io`).
    pub fn image_registry(image: &str) -> &str {
        match image.split_once('/') {
            Some((first, _))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                first
            }
            _ => "docker.io",
        }
    }
}

/// How users reach a workload: the path of its requests from the browser to its pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum IngressPath {
    /// Microsoft Entra application proxy (pre-authentication, Kerberos single sign-on through
    /// a connector to the internal load balancer), behind Front Door when there is one.
    AppProxy,
    /// Front Door Premium's Private Link origin: a Private Link Service on the workload's
    /// internal load balancer front end.
    PrivateLink,
    /// Not published: reachable only inside the network.
    Internal,
}

impl Spec {
    /// The host a workload is published on: `host`, or Front Door's only custom domain when
    /// the workload is the only one with a port.
    pub fn workload_host(&self, w: &Workload) -> Option<Hostname> {
        if let Some(h) = &w.host {
            return Some(h.clone());
        }
        let fd = self.ingress.front_door.as_ref()?;
        let ported = self.workloads.iter().filter(|x| x.port.is_some()).count();
        match fd.custom_domains.as_slice() {
            [only] if w.port.is_some() && ported == 1 => Some(only.host.clone()),
            _ => None,
        }
    }

    /// The path users' requests take to a workload. A workload with a port goes through the
    /// application proxy when it signs users in with Kerberos (and the proxy is on), through
    /// Front Door's Private Link origin when it has a host (or is the only workload with a
    /// port); `ingress.frontDoor.origin` forces one origin for every workload.
    pub fn ingress_path(&self, w: &Workload) -> IngressPath {
        if w.port.is_none() {
            return IngressPath::Internal;
        }
        let ing = &self.ingress;
        let forced = ing.front_door.as_ref().and_then(|f| f.origin);
        let ported = self.workloads.iter().filter(|x| x.port.is_some()).count();
        let hosted = self.workload_host(w).is_some() || ported == 1;
        let proxy = ing.app_proxy.enabled
            && forced != Some(FrontDoorOrigin::PrivateLink)
            && (w.auth == AuthMode::Kerberos
                || (forced == Some(FrontDoorOrigin::AppProxy) && hosted));
        if proxy {
            IngressPath::AppProxy
        } else if ing.front_door.is_some() && hosted {
            IngressPath::PrivateLink
        } else {
            IngressPath::Internal
        }
    }

    /// Workloads published through Front Door, in spec order, with their index.
    pub fn front_door_workloads(&self) -> impl Iterator<Item = (usize, &Workload)> {
        self.workloads.iter().enumerate().filter(|(_, w)| {
            self.ingress.front_door.is_some() && self.ingress_path(w) != IngressPath::Internal
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ApiVersion {
    #[serde(rename = "akswin/v1")]
    V1,
}

// ----------------------------------------------------------------------------------- network

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Network {
    /// The hub VNet (firewall, Bastion, gateway, domain controllers), or an existing one
    /// (`existing`).
    pub hub: HubVnet,
    /// The spoke VNet that holds the cluster's node, load balancer, Private Link and private
    /// endpoint subnets.
    pub spoke: SpokeVnet,
    /// Ranges reachable over ExpressRoute/VPN; nothing else may overlap them.
    #[serde(default)]
    pub on_premises: Vec<Cidr>,
    /// How the hub reaches `onPremises`: a VPN or ExpressRoute gateway akswin creates in the
    /// hub's GatewaySubnet, or one that is already there. Absent: no hybrid connectivity, so
    /// domain controllers or DNS servers on premises are unreachable (NET014).
    #[serde(default)]
    pub hybrid: Option<Hybrid>,
    #[serde(default)]
    pub cni: Cni,
    /// Pod CIDR, only for `azure-cni-overlay`.
    #[serde(default)]
    pub pod_cidr: Option<Cidr>,
    #[serde(default = "default_service_cidr")]
    pub service_cidr: Cidr,
    #[serde(default = "default_dns_service_ip")]
    pub dns_service_ip: Ip,
    /// How the pod subnet hands out addresses (only for `azure-cni-pod-subnet`):
    /// `dynamic` (batches of 16 per node) or `staticBlock` (/28 blocks per node, K8s >= 1.28).
    #[serde(default)]
    pub pod_ip_allocation: PodIpAllocation,
    /// Custom DNS servers of the spoke VNet. Absent: the domain controllers when gMSA is on,
    /// Azure-provided DNS otherwise. `[]`: Azure-provided DNS.
    #[serde(default)]
    pub dns_servers: Option<Vec<Ip>>,
    /// Other spokes already peered to the hub (other workloads of the landing zone). akswin
    /// does not deploy or change them: it checks that nothing overlaps them (NET002), checks
    /// their subnets (NET003) and draws them in the report.
    #[serde(default)]
    pub peered_spokes: Vec<PeeredSpoke>,
}

/// Hybrid connectivity through a virtual network gateway in the hub.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Hybrid {
    /// `vpn` or `expressRoute`: akswin creates the gateway (zone-redundant SKU, Standard public
    /// IP) and its connection. `existing`: the gateway is already in the hub's GatewaySubnet
    /// (`gatewayId`); akswin only peers through it and routes through the firewall.
    pub gateway: GatewayKind,
    /// Gateway SKU. Default: VpnGw1AZ for `vpn`, ErGw1AZ for `expressRoute` (the smallest
    /// zone-redundant SKUs); ignored for `existing`.
    #[serde(default)]
    pub sku: Option<String>,
    /// `existing` only: the resource id of the virtual network gateway in the hub.
    #[serde(default)]
    pub gateway_id: Option<String>,
    /// `vpn` only: the on-premises VPN device and the connection's shared key.
    #[serde(default)]
    pub vpn: Option<VpnSite>,
    /// `expressRoute` only: the circuit to connect to.
    #[serde(default)]
    pub express_route: Option<ExpressRouteSite>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum GatewayKind {
    Vpn,
    ExpressRoute,
    Existing,
}

impl GatewayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GatewayKind::Vpn => "vpn",
            GatewayKind::ExpressRoute => "expressRoute",
            GatewayKind::Existing => "existing",
        }
    }
}

/// The on-premises end of a site-to-site VPN.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VpnSite {
    /// Public IP address of the on-premises VPN device (the local network gateway).
    pub peer_ip: Ip,
    /// The IPsec pre-shared key: `{ keyVaultSecret: NAME }` (read from the deployment's vault)
    /// or `{ parameter: NAME }`; never the key itself.
    pub shared_key: SecretRef,
}

/// The ExpressRoute circuit the gateway connects to.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpressRouteSite {
    /// Resource id of the ExpressRoute circuit (Microsoft.Network/expressRouteCircuits).
    pub circuit_id: String,
    /// Authorization key, when the circuit is in another subscription: a reference, never the
    /// key itself.
    #[serde(default)]
    pub authorization_key: Option<SecretRef>,
}

/// A key a gateway's connection reads from Key Vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HybridKey {
    /// The VPN connection's pre-shared key.
    VpnSharedKey,
    /// The ExpressRoute circuit's authorization key.
    ErAuthorizationKey,
}

impl HybridKey {
    /// Where the key is written in the spec.
    pub fn pointer(self) -> &'static str {
        match self {
            HybridKey::VpnSharedKey => "/network/hybrid/vpn/sharedKey",
            HybridKey::ErAuthorizationKey => "/network/hybrid/expressRoute/authorizationKey",
        }
    }
}

/// The default gateway SKU of each kind akswin creates.
pub const DEFAULT_VPN_GATEWAY_SKU: &str = "VpnGw1AZ";
pub const DEFAULT_ER_GATEWAY_SKU: &str = "ErGw1AZ";

impl Hybrid {
    /// The keys the spec gives, whatever the gateway kind (rules judge the kind).
    pub fn keys(&self) -> Vec<(HybridKey, &SecretRef)> {
        let mut out = Vec::new();
        if let Some(v) = &self.vpn {
            out.push((HybridKey::VpnSharedKey, &v.shared_key));
        }
        if let Some(k) = self
            .express_route
            .as_ref()
            .and_then(|e| e.authorization_key.as_ref())
        {
            out.push((HybridKey::ErAuthorizationKey, k));
        }
        out
    }

    /// The SKU akswin deploys (None for an existing gateway).
    pub fn effective_sku(&self) -> Option<&str> {
        match self.gateway {
            GatewayKind::Vpn => Some(self.sku.as_deref().unwrap_or(DEFAULT_VPN_GATEWAY_SKU)),
            GatewayKind::ExpressRoute => {
                Some(self.sku.as_deref().unwrap_or(DEFAULT_ER_GATEWAY_SKU))
            }
            GatewayKind::Existing => None,
        }
    }
}

impl Network {
    /// Whether `ip` is in one of the on-premises ranges.
    pub fn is_on_premises(&self, ip: std::net::Ipv4Addr) -> bool {
        self.on_premises.iter().any(|c| c.net().contains(&ip))
    }
}

/// An existing spoke VNet peered to the hub.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeeredSpoke {
    /// The VNet's name, unique among peered spokes (not `hub` or `spoke`).
    pub name: String,
    pub address_space: Vec<Cidr>,
    /// Its subnets by name, with their prefixes.
    #[serde(default)]
    pub subnets: BTreeMap<String, Cidr>,
}

fn default_service_cidr() -> Cidr {
    Cidr(ipnet::Ipv4Net::new(std::net::Ipv4Addr::new(172, 16, 0, 0), 16).unwrap_or_default())
}

fn default_dns_service_ip() -> Ip {
    Ip(std::net::Ipv4Addr::new(172, 16, 0, 10))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum PodIpAllocation {
    #[default]
    Dynamic,
    StaticBlock,
}

/// Container networking. Windows pools need one of the Azure CNI modes; the others are
/// accepted by the parser so that NET001 can say why they are wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Cni {
    #[default]
    AzureCniNodeSubnet,
    AzureCniPodSubnet,
    AzureCniOverlay,
    Kubenet,
    None,
    Byocni,
}

impl Cni {
    pub fn as_str(self) -> &'static str {
        match self {
            Cni::AzureCniNodeSubnet => "azure-cni-node-subnet",
            Cni::AzureCniPodSubnet => "azure-cni-pod-subnet",
            Cni::AzureCniOverlay => "azure-cni-overlay",
            Cni::Kubenet => "kubenet",
            Cni::None => "none",
            Cni::Byocni => "byocni",
        }
    }
    pub fn is_azure(self) -> bool {
        matches!(
            self,
            Cni::AzureCniNodeSubnet | Cni::AzureCniPodSubnet | Cni::AzureCniOverlay
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HubVnet {
    /// The hub's address ranges. For an existing hub: its ranges as they are (akswin checks
    /// that nothing overlaps them and routes them; it changes nothing there).
    pub address_space: Vec<Cidr>,
    #[serde(default)]
    pub subnets: HubSubnets,
    /// A hub that already exists (an Azure landing zone's connectivity hub). akswin then
    /// creates no hub resources: it deploys the spoke, the spoke's side of the peering and
    /// routes to the given firewall, and renders `arm/hub-side.json` for the platform team
    /// (the hub's side of the peering, this spoke's firewall rules, the private DNS zones'
    /// links and the cluster's role on its zone). `network.hub.subnets` must then be empty.
    #[serde(default)]
    pub existing: Option<ExistingHub>,
}

/// An existing hub VNet, owned by a platform team (often in another subscription).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExistingHub {
    /// Resource id of the hub VNet
    /// (`/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<name>`).
    pub vnet_id: String,
    /// Private address of the hub's Azure Firewall (or network virtual appliance): the next
    /// hop of the spoke's default route.
    pub firewall_private_ip: Ip,
    /// Resource id of the Azure Firewall's policy
    /// (`.../providers/Microsoft.Network/firewallPolicies/<name>`). Given: `hub-side.json`
    /// adds one rule collection group for this spoke, and akswin checks every flow against
    /// it. Absent (an appliance, or a policy akswin may not touch): the flows through the
    /// firewall are the platform team's to allow (the README lists them).
    #[serde(default)]
    pub firewall_policy_id: Option<String>,
    /// Priority of this spoke's rule collection group in the policy (100-65000; unique in
    /// the policy: ask the platform team for one).
    #[serde(default = "default_rule_collection_group_priority")]
    pub rule_collection_group_priority: u32,
    /// DNS servers the platform offers to spokes (a DNS private resolver's inbound endpoint,
    /// DNS servers or the firewall's DNS proxy). They must resolve the private DNS zones and
    /// forward the AD domain to its domain controllers. Absent: Azure-provided DNS, or the
    /// domain controllers when gMSA is on (as without an existing hub).
    #[serde(default)]
    pub dns_servers: Vec<Ip>,
    /// Resource id of the resource group that holds the landing zone's private DNS zones
    /// (`privatelink.azurecr.io`, `privatelink.vaultcore.azure.net` and, for a private
    /// cluster, `privatelink.<region>.azmk8s.io`), linked to the hub:
    /// `/subscriptions/<id>/resourceGroups/<group>`. akswin creates no zones of its own.
    pub private_dns_zones: String,
}

/// The default priority of the spoke's rule collection group in an existing hub's policy.
pub const DEFAULT_RULE_COLLECTION_GROUP_PRIORITY: u32 = 1000;

fn default_rule_collection_group_priority() -> u32 {
    DEFAULT_RULE_COLLECTION_GROUP_PRIORITY
}

/// The parts of an ARM resource id
/// (`/subscriptions/S/resourceGroups/G[/providers/NS/TYPE/NAME]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceId {
    pub subscription: String,
    pub resource_group: String,
    /// `Namespace/type`, absent for a resource group's id.
    pub provider_type: Option<String>,
    pub name: Option<String>,
}

impl ResourceId {
    /// Parse a resource group's id or a top-level resource's id; `None` for anything else.
    pub fn parse(id: &str) -> Option<ResourceId> {
        if !id.starts_with('/') || id.contains(char::is_whitespace) {
            return None;
        }
        let parts: Vec<&str> = id[1..].split('/').collect();
        // Azure's names and ids use letters, digits, '-', '_', '.' and parentheses: anything
        // else (a quote, `$`, a backtick) is no id, and never reaches a rendered script.
        let name_char = |c: char| c.is_ascii_alphanumeric() || "-_.()".contains(c);
        if parts.len() < 4
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.chars().all(name_char))
            || !parts.first()?.eq_ignore_ascii_case("subscriptions")
            || !parts.get(2)?.eq_ignore_ascii_case("resourceGroups")
        {
            return None;
        }
        let (subscription, resource_group) = (parts[1].to_string(), parts[3].to_string());
        match parts.len() {
            4 => Some(ResourceId {
                subscription,
                resource_group,
                provider_type: None,
                name: None,
            }),
            8 if parts[4].eq_ignore_ascii_case("providers") => Some(ResourceId {
                subscription,
                resource_group,
                provider_type: Some(format!("{}/{}", parts[5], parts[6])),
                name: Some(parts[7].to_string()),
            }),
            _ => None,
        }
    }

    /// Whether this is a top-level resource of `provider_type` (case-insensitive).
    pub fn is(&self, provider_type: &str) -> bool {
        self.provider_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(provider_type))
    }

    /// The resource group's own id.
    pub fn resource_group_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}",
            self.subscription, self.resource_group
        )
    }
}

impl ExistingHub {
    /// The hub VNet's id, parsed (None when malformed: NET017 says so).
    pub fn vnet(&self) -> Option<ResourceId> {
        ResourceId::parse(&self.vnet_id).filter(|r| r.is("Microsoft.Network/virtualNetworks"))
    }
    /// The firewall policy's id, parsed.
    pub fn firewall_policy(&self) -> Option<ResourceId> {
        ResourceId::parse(self.firewall_policy_id.as_deref()?)
            .filter(|r| r.is("Microsoft.Network/firewallPolicies"))
    }
    /// The private DNS zones' resource group, parsed.
    pub fn zones_group(&self) -> Option<ResourceId> {
        ResourceId::parse(&self.private_dns_zones).filter(|r| r.provider_type.is_none())
    }
}

impl Network {
    /// The existing hub, when the spec deploys into one.
    pub fn existing_hub(&self) -> Option<&ExistingHub> {
        self.hub.existing.as_ref()
    }
}

/// Hub subnets. Keys map to fixed Azure names (AzureFirewallSubnet, AzureBastionSubnet,
/// GatewaySubnet), so they cannot be misnamed. Absent = not deployed; `auto` = planner.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HubSubnets {
    /// AzureFirewallSubnet: a CIDR, or `auto` (a /26). Required: egress goes through the firewall.
    pub firewall: Option<Auto<Cidr>>,
    /// AzureBastionSubnet: a CIDR, or `auto` (a /26); omit it for no Bastion.
    pub bastion: Option<Auto<Cidr>>,
    /// GatewaySubnet for the VPN or ExpressRoute gateway: a CIDR, or `auto` (a /27).
    pub gateway: Option<Auto<Cidr>>,
    /// The domain controllers' own subnet: a CIDR, or `auto` (a /28); NET007 warns without one.
    pub domain_controllers: Option<Auto<Cidr>>,
    /// The operators' jump box (`cluster.access.path: jumpBox`), reached through Bastion.
    pub jump_box: Option<Auto<Cidr>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpokeVnet {
    pub address_space: Vec<Cidr>,
    #[serde(default)]
    pub subnets: SpokeSubnets,
    /// Network policies on the Private Link Service subnet; must be Disabled for a PLS.
    #[serde(default)]
    pub private_link_service_network_policies: Toggle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum Toggle {
    Enabled,
    #[default]
    Disabled,
}

/// Spoke subnets. Pools land in `systemNodes` / `linuxNodes` / `windowsNodes` by mode and OS
/// unless a pool names another with `subnet:`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpokeSubnets {
    /// The Linux system pool's subnet: a CIDR, or `auto` (sized for max + surge with 20 % free).
    pub system_nodes: Option<Auto<Cidr>>,
    /// The Linux user pools' subnet: a CIDR, or `auto`.
    pub linux_nodes: Option<Auto<Cidr>>,
    /// The Windows pools' subnet (kept apart from Linux, NET006): a CIDR, or `auto`.
    pub windows_nodes: Option<Auto<Cidr>>,
    /// Pod subnet, only for `azure-cni-pod-subnet`.
    pub pods: Option<Auto<Cidr>>,
    /// The internal load balancer's front ends (one per published workload): a CIDR, or `auto` (a
    /// /28).
    pub internal_load_balancer: Option<Auto<Cidr>>,
    /// The Private Link Service NAT addresses for Front Door's Private Link origin: a CIDR, or
    /// `auto` (a /28).
    pub private_link_service: Option<Auto<Cidr>>,
    /// The registry's and the vault's private endpoints: a CIDR, or `auto` (a /28).
    pub private_endpoints: Option<Auto<Cidr>>,
    /// The Microsoft Entra application proxy connector VMs: a CIDR, or `auto` (a /28).
    pub app_proxy_connectors: Option<Auto<Cidr>>,
}

/// The spoke subnet keys, in declaration order (for messages and lookups).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum SpokeSubnet {
    SystemNodes,
    LinuxNodes,
    WindowsNodes,
    Pods,
    InternalLoadBalancer,
    PrivateLinkService,
    PrivateEndpoints,
    AppProxyConnectors,
}

impl SpokeSubnet {
    pub const ALL: [SpokeSubnet; 8] = [
        SpokeSubnet::SystemNodes,
        SpokeSubnet::LinuxNodes,
        SpokeSubnet::WindowsNodes,
        SpokeSubnet::Pods,
        SpokeSubnet::InternalLoadBalancer,
        SpokeSubnet::PrivateLinkService,
        SpokeSubnet::PrivateEndpoints,
        SpokeSubnet::AppProxyConnectors,
    ];
    pub fn key(self) -> &'static str {
        match self {
            SpokeSubnet::SystemNodes => "systemNodes",
            SpokeSubnet::LinuxNodes => "linuxNodes",
            SpokeSubnet::WindowsNodes => "windowsNodes",
            SpokeSubnet::Pods => "pods",
            SpokeSubnet::InternalLoadBalancer => "internalLoadBalancer",
            SpokeSubnet::PrivateLinkService => "privateLinkService",
            SpokeSubnet::PrivateEndpoints => "privateEndpoints",
            SpokeSubnet::AppProxyConnectors => "appProxyConnectors",
        }
    }
}

impl SpokeSubnets {
    pub fn get(&self, which: SpokeSubnet) -> Option<&Auto<Cidr>> {
        match which {
            SpokeSubnet::SystemNodes => self.system_nodes.as_ref(),
            SpokeSubnet::LinuxNodes => self.linux_nodes.as_ref(),
            SpokeSubnet::WindowsNodes => self.windows_nodes.as_ref(),
            SpokeSubnet::Pods => self.pods.as_ref(),
            SpokeSubnet::InternalLoadBalancer => self.internal_load_balancer.as_ref(),
            SpokeSubnet::PrivateLinkService => self.private_link_service.as_ref(),
            SpokeSubnet::PrivateEndpoints => self.private_endpoints.as_ref(),
            SpokeSubnet::AppProxyConnectors => self.app_proxy_connectors.as_ref(),
        }
    }
}

// ------------------------------------------------------------------------------------ egress

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Egress {
    /// The hub's Azure Firewall: SKU, public IPs, and the rule sets akswin adds.
    #[serde(default)]
    pub firewall: Firewall,
    /// Let akswin open the Active Directory ports (DNS, Kerberos, LDAP, GC, RPC, SMB, ADWS)
    /// from the Windows node subnet to the domain controllers when gMSA is on (EGR004).
    #[serde(default = "yes")]
    pub allow_active_directory: bool,
    /// Extra NSG rules on the Windows node subnet, evaluated by priority before akswin's
    /// own rules (which start at priority 1000).
    #[serde(default)]
    pub nsg_rules: Vec<NsgRule>,
}

impl Default for Egress {
    fn default() -> Self {
        Egress {
            firewall: Firewall::default(),
            allow_active_directory: true,
            nsg_rules: Vec::new(),
        }
    }
}

/// An outbound NSG rule on the Windows node subnet.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NsgRule {
    /// The NSG rule's name, unique within the list.
    pub name: String,
    /// 100-4096; lower wins.
    pub priority: u32,
    /// `Allow` or `Deny`.
    pub access: NsgAccess,
    /// `tcp`, `udp` or `*`.
    pub protocol: String,
    /// A CIDR, `*`, or `domainControllers`.
    pub destination: String,
    /// Ports or ranges (`88`, `49152-65535`, `*`).
    pub ports: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum NsgAccess {
    Allow,
    Deny,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Firewall {
    /// Azure Firewall tier: `Basic`, `Standard` or `Premium`.
    #[serde(default)]
    pub sku: FirewallSku,
    /// Firewall public IPs (SNAT capacity); Microsoft recommends 20 for production.
    #[serde(default = "default_fw_ips")]
    pub public_ips: u32,
    /// Keep the Windows Update FQDNs reachable (the article: do not block them).
    #[serde(default = "yes")]
    pub allow_windows_update: bool,
    /// How the AKS required egress is allowed: the `AzureKubernetesService` FQDN tag (kept
    /// current by Microsoft), the explicit FQDN list, or `none` (EGR001).
    #[serde(default)]
    pub aks_required: AksRequiredEgress,
    /// Allow the egress of enabled add-ons (monitoring, policy, Key Vault) (EGR005).
    #[serde(default = "yes")]
    pub add_on_egress: bool,
    /// Public IPs below which EGR005 warns (Microsoft recommends 20 for production to avoid
    /// SNAT exhaustion; lower it knowingly for small clusters).
    #[serde(default = "default_recommended_ips")]
    pub recommended_public_ips: u32,
    #[serde(default)]
    pub extra_application_rules: Vec<ApplicationRule>,
    /// Your own network rules (protocols, destinations, ports), from the spoke's node subnets.
    #[serde(default)]
    pub extra_network_rules: Vec<NetworkRule>,
}

fn default_fw_ips() -> u32 {
    20
}

fn default_recommended_ips() -> u32 {
    20
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AksRequiredEgress {
    #[default]
    FqdnTag,
    FqdnList,
    None,
}

impl Default for Firewall {
    fn default() -> Self {
        Firewall {
            sku: FirewallSku::default(),
            public_ips: default_fw_ips(),
            allow_windows_update: true,
            aks_required: AksRequiredEgress::FqdnTag,
            add_on_egress: true,
            recommended_public_ips: default_recommended_ips(),
            extra_application_rules: Vec::new(),
            extra_network_rules: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum FirewallSku {
    Basic,
    #[default]
    Standard,
    Premium,
}

impl FirewallSku {
    /// The value ARM expects (`sku.tier` of the firewall and its policy); written out, never derived from `Debug`.
    pub fn arm_value(self) -> &'static str {
        match self {
            FirewallSku::Basic => "Basic",
            FirewallSku::Standard => "Standard",
            FirewallSku::Premium => "Premium",
        }
    }
}

/// An application (FQDN) rule. Protocols are `http:80` / `https:443` style strings.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationRule {
    /// The rule's name, unique within the list (one rule collection holds them).
    pub name: String,
    /// Hosts to allow (`api.nuget.org`, `*.example.com`; a wildcard only as the leftmost label).
    #[serde(default)]
    pub fqdns: Vec<String>,
    /// Azure Firewall FQDN tags to allow (`WindowsUpdate`, `AzureKubernetesService`).
    #[serde(default)]
    pub fqdn_tags: Vec<String>,
    /// PROTOCOL:PORT pairs: `https:443`, `http:80`, `mssql:1433`.
    pub protocols: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkRule {
    /// The rule's name, unique within the list.
    pub name: String,
    /// `TCP`, `UDP`, `ICMP` or `Any`.
    pub protocols: Vec<String>,
    /// CIDRs, addresses, service tags (`AzureMonitor`, `Storage.EastUS2`) or FQDNs (the firewall's
    /// DNS proxy resolves them).
    pub destinations: Vec<String>,
    /// Ports or ranges (`123`, `1024-65535`).
    pub ports: Vec<String>,
}

// ---------------------------------------------------------------------------------- identity

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Identity {
    /// The Active Directory domain gMSA and Kerberos use, and its domain controllers (omit for no
    /// AD).
    pub active_directory: Option<ActiveDirectory>,
    /// Group managed service accounts for Windows pods: the standard user's Key Vault secret and
    /// the accounts.
    #[serde(default)]
    pub gmsa: Gmsa,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActiveDirectory {
    /// DNS name of the domain, e.g. corp.contoso.com.
    pub domain: String,
    /// The domain's NetBIOS name (`CORP`), as credential specs and `DOMAIN\user` names use it.
    pub netbios: String,
    /// The forest root domain, when `domain` is a child domain (`corp.contoso.com` in a forest
    /// rooted at `contoso.com`): gMSA's CoreDNS forwarding (`gmsaProfile.rootDomainName`) then
    /// covers the whole forest, whose records (`_msdcs`, the global catalog) live under the
    /// root. Default: `domain`.
    #[serde(default)]
    pub forest_root: Option<Hostname>,
    /// Where the domain comes from: `replica` (new domain controllers in the hub join the
    /// existing, on-premises domain over `network.hybrid`: the production choice when the
    /// workloads' users are in that domain), `existing` (the existing domain controllers only),
    /// or `newForest` (new, empty forest: labs and tests; single sign-on finds no users).
    /// Derived when absent: `replica` with both `count` and `existing`, `newForest` with
    /// `count` only, `existing` otherwise.
    #[serde(default)]
    pub mode: Option<AdMode>,
    pub domain_controllers: DomainControllers,
}

/// How the Active Directory domain is provided (`identity.activeDirectory.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AdMode {
    /// New domain controllers in the hub that create a new forest.
    NewForest,
    /// New domain controllers in the hub that join the existing domain (replicas).
    Replica,
    /// Existing domain controllers only; nothing is created.
    Existing,
}

impl AdMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AdMode::NewForest => "newForest",
            AdMode::Replica => "replica",
            AdMode::Existing => "existing",
        }
    }
}

impl ActiveDirectory {
    /// `mode`, or the one the domain controllers describe.
    pub fn mode(&self) -> AdMode {
        let dc = &self.domain_controllers;
        self.mode
            .unwrap_or(match (dc.count.unwrap_or(0) > 0, dc.existing.is_some()) {
                (true, true) => AdMode::Replica,
                (true, false) => AdMode::NewForest,
                (false, _) => AdMode::Existing,
            })
    }

    /// Whether akswin creates domain controller VMs (new forest or replicas).
    pub fn creates_dcs(&self) -> bool {
        self.mode() != AdMode::Existing && self.domain_controllers.count.unwrap_or(0) > 0
    }
}

/// Either new domain controller VMs in the hub, or existing ones reached over the network.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DomainControllers {
    /// Number of new DC VMs in the hub's domainControllers subnet.
    #[serde(default)]
    pub count: Option<u32>,
    /// VM size of each new domain controller (default Standard_D2ds_v5).
    #[serde(default)]
    pub vm_size: Option<String>,
    /// Local admin password of new DC VMs (a reference, never a literal).
    #[serde(default)]
    pub admin_password: Option<SecretRef>,
    /// DSRM (safe mode) password for the AD DS promotion (a reference, never a literal).
    #[serde(default)]
    pub safe_mode_password: Option<SecretRef>,
    /// `replica`: the Key Vault secret holding `DOMAIN\user:password` of an account that may
    /// add domain controllers to the existing domain (Domain Admins). Only the new domain
    /// controllers' identity reads it, during promotion; remove or rotate it afterwards.
    #[serde(default)]
    pub join_credential: Option<SecretRef>,
    /// `replica`: the Active Directory site of the new domain controllers (created with the
    /// hub's and spoke's ranges as its subnets when missing). Default: `Azure-<location>`.
    #[serde(default)]
    pub site: Option<String>,
    /// Existing domain controllers (on-premises or elsewhere).
    #[serde(default)]
    pub existing: Option<ExistingDcs>,
}

/// The VM size of new domain controllers when `vmSize` is absent.
pub const DEFAULT_DC_VM_SIZE: &str = "Standard_D2ds_v5";

impl DomainControllers {
    /// `vmSize`, or [`DEFAULT_DC_VM_SIZE`].
    pub fn size(&self) -> &str {
        self.vm_size.as_deref().unwrap_or(DEFAULT_DC_VM_SIZE)
    }

    /// The secret references of new domain controllers: (spec key, reference, the Key Vault
    /// secret name used when the reference is absent).
    pub fn secrets(&self) -> [(&'static str, &Option<SecretRef>, &'static str); 3] {
        [
            ("adminPassword", &self.admin_password, "dc-admin-password"),
            (
                "safeModePassword",
                &self.safe_mode_password,
                "dc-dsrm-password",
            ),
            (
                "joinCredential",
                &self.join_credential,
                "ad-join-credential",
            ),
        ]
    }

    /// The Key Vault secret name of one of [`Self::secrets`].
    pub fn secret_name(&self, key: &str) -> Option<String> {
        self.secrets()
            .into_iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, r, default)| match r {
                Some(SecretRef::KeyVault(n)) => n.clone(),
                _ => default.to_string(),
            })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExistingDcs {
    pub dns_servers: Vec<Ip>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gmsa {
    /// Turn gMSA on: the cluster's gmsaProfile, the credential specs, the RBAC that lets each
    /// workload use its own.
    #[serde(default)]
    pub enabled: bool,
    /// Name of the Key Vault secret that holds DOMAIN\user:password (never the value).
    #[serde(default)]
    pub key_vault_secret: Option<SecretName>,
    /// gmsaProfile.dnsServer; leave unset when the VNet DNS points at the domain controllers.
    #[serde(default)]
    pub dns_server: Option<Ip>,
    /// The gMSAs to create in AD (Set-Gmsa.ps1) and render credential specs for; workloads name
    /// them in `gmsaAccount`.
    #[serde(default)]
    pub accounts: Vec<GmsaAccount>,
    /// The domain user whose credential the nodes use to fetch the gMSA passwords (its
    /// `DOMAIN\user:password` is the Key Vault secret). Environments in one domain need one
    /// each: `scripts/Set-Gmsa.ps1` resets its password. At most 20 characters.
    #[serde(default = "default_standard_user")]
    pub standard_user: String,
}

fn default_standard_user() -> String {
    "gmsa-standard-user".into()
}

impl Default for Gmsa {
    fn default() -> Self {
        Gmsa {
            enabled: false,
            key_vault_secret: None,
            dns_server: None,
            accounts: Vec::new(),
            standard_user: default_standard_user(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GmsaAccount {
    /// The gMSA's name in AD (at most 15 characters, its sAMAccountName without `$`).
    pub name: String,
    /// The AD group allowed to retrieve its password (default `aks-gmsa-hosts`, which holds the
    /// standard user the nodes act as).
    #[serde(default)]
    pub host_group: Option<String>,
}

// ----------------------------------------------------------------------------------- cluster

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cluster {
    pub kubernetes_version: KubeVersion,
    /// AKS pricing tier: `Free`, `Standard` (uptime SLA; the architecture's choice for production)
    /// or `Premium`.
    #[serde(default)]
    pub tier: Tier,
    /// A private API server (a private endpoint and a private DNS zone); operators reach it through
    /// the access path.
    #[serde(default = "yes")]
    pub private_cluster: bool,
    /// Authorized IP ranges for a public API server.
    #[serde(default)]
    pub api_server_authorized_ip_ranges: Vec<Cidr>,
    /// Keep Kubernetes local accounts (admin kubeconfig) disabled.
    #[serde(default = "yes")]
    pub disable_local_accounts: bool,
    /// How nodes reach the internet: `userDefinedRouting` (through the hub firewall, NET012's
    /// requirement); `loadBalancer`, the NAT gateway types and `none` bypass the firewall.
    #[serde(default)]
    pub outbound_type: OutboundType,
    /// The node pools: a Linux system pool, Linux and Windows user pools.
    pub node_pools: Vec<NodePool>,
    /// The Windows nodes' admin account (the password from Key Vault) and Azure Hybrid Benefit;
    /// required with Windows pools.
    #[serde(default)]
    pub windows_profile: Option<WindowsProfile>,
    /// VM sizes missing from akswin's embedded table, declared by the user.
    #[serde(default)]
    pub custom_vm_sizes: Vec<CustomVmSize>,
    /// Encrypt temp disks, caches and data flows at the host (node pools and domain
    /// controllers). Needs the subscription feature Microsoft.Compute/EncryptionAtHost.
    #[serde(default = "yes")]
    pub encryption_at_host: bool,
    /// Kubernetes network policy engine; Calico is the one that enforces on Windows nodes
    /// (Azure NPM is unsupported on Windows from 2026-09-30, Cilium does not run there).
    #[serde(default)]
    pub network_policy: NetworkPolicy,
    /// Object ids of Microsoft Entra groups that administer the cluster: each gets "Azure
    /// Kubernetes Service RBAC Cluster Admin" on it (Azure RBAC for Kubernetes is on and local
    /// accounts are off, so nobody else can). The operator who runs `deploy.sh` gets it too.
    #[serde(default)]
    pub admin_groups: Vec<ObjectId>,
    /// How operators reach the API server of a private cluster.
    #[serde(default)]
    pub access: ClusterAccess,
    /// The cluster exists already (deployed outside akswin, or before it). akswin then renders
    /// only what goes into it (`render --only k8s,workflows,scripts`), never its templates, and
    /// takes the names the workflows and scripts use from these ids. `--cluster aks.json`
    /// (the JSON of `az aks show`) writes this section, and the whole `cluster`, from the
    /// deployed cluster.
    #[serde(default)]
    pub existing: Option<ExistingCluster>,
}

/// A deployed cluster akswin did not create.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExistingCluster {
    /// The cluster's resource id
    /// (`/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>`).
    pub id: String,
    /// Its node resource group (`nodeResourceGroup`: the internal load balancers and the
    /// Private Link Services are there).
    #[serde(default)]
    pub node_resource_group: Option<String>,
    /// The resource id of its kubelet identity (`identityProfile.kubeletidentity.resourceId`):
    /// the gMSA scripts read its principal id.
    #[serde(default)]
    pub kubelet_identity_id: Option<String>,
}

impl ExistingCluster {
    /// The cluster's id, parsed (None when malformed: NAM003 says so).
    pub fn cluster(&self) -> Option<ResourceId> {
        ResourceId::parse(&self.id).filter(|r| r.is("Microsoft.ContainerService/managedClusters"))
    }
    /// The kubelet identity's id, parsed.
    pub fn kubelet_identity(&self) -> Option<ResourceId> {
        ResourceId::parse(self.kubelet_identity_id.as_deref()?)
            .filter(|r| r.is("Microsoft.ManagedIdentity/userAssignedIdentities"))
    }
}

/// How operators reach the cluster's API server. A private cluster's API server answers only
/// inside the network: <https://learn.microsoft.com/azure/aks/access-private-cluster>.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterAccess {
    /// `commandInvoke`: `az aks command invoke` runs kubectl inside the cluster (nothing to
    /// deploy; deploy.sh and the workflows use it). `jumpBox`: also a Linux VM in the hub
    /// (`network.hub.subnets.jumpBox`), without a public address, reached through Bastion with
    /// Microsoft Entra ID sign-in, for interactive kubectl.
    #[serde(default)]
    pub path: AccessPath,
    /// The jump box's VM size (a small general-purpose Linux size is plenty).
    #[serde(default = "default_jump_box_size")]
    pub vm_size: String,
}

fn default_jump_box_size() -> String {
    "Standard_D2ds_v5".into()
}

impl Default for ClusterAccess {
    fn default() -> Self {
        ClusterAccess {
            path: AccessPath::default(),
            vm_size: default_jump_box_size(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AccessPath {
    #[default]
    CommandInvoke,
    JumpBox,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum NetworkPolicy {
    #[default]
    Calico,
    Azure,
    Cilium,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum Tier {
    Free,
    #[default]
    Standard,
    Premium,
}

impl Tier {
    /// The value ARM expects (the managed cluster's `sku.tier`); written out, never derived from `Debug`.
    pub fn arm_value(self) -> &'static str {
        match self {
            Tier::Free => "Free",
            Tier::Standard => "Standard",
            Tier::Premium => "Premium",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum OutboundType {
    LoadBalancer,
    ManagedNATGateway,
    UserAssignedNATGateway,
    #[default]
    UserDefinedRouting,
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodePool {
    /// The pool's name: lowercase letters and digits starting with a letter, at most 12 (Linux) or
    /// 6 (Windows) characters.
    pub name: String,
    /// `System` (one Linux pool runs the cluster's own pods) or `User`.
    pub mode: Mode,
    /// `Linux` or `Windows`.
    pub os: Os,
    /// OS SKU; defaults by OS (Ubuntu for Linux, Windows2022 for Windows).
    #[serde(default)]
    pub os_sku: Option<OsSku>,
    /// The VM size (`Standard_D8ds_v5`); akswin sizes pods, disks and cost from its table or
    /// `customVmSizes`.
    pub vm_size: String,
    /// Manual node count (no autoscaler).
    #[serde(default)]
    pub count: Option<u32>,
    /// Autoscaler minimum.
    #[serde(default)]
    pub min: Option<u32>,
    /// Autoscaler maximum.
    #[serde(default)]
    pub max: Option<u32>,
    /// Pods per node (10-250; Windows at most 110); default 30 with `azure-cni-node-subnet`, 250
    /// with overlay, 110 with a pod subnet.
    #[serde(default)]
    pub max_pods: Option<u32>,
    #[serde(default)]
    pub max_surge: Option<MaxSurge>,
    /// How long an upgrade waits for a node's pods to be evicted before it fails (ARM
    /// `drainTimeoutInMinutes`, 1-1440; AKS's default 30). Windows pools without it get the
    /// planner's recommendation: twice the time a replacement pod needs to pull its image.
    #[serde(default)]
    pub drain_timeout_minutes: Option<u32>,
    /// How long an upgrade waits after draining a node before the next (ARM
    /// `nodeSoakDurationInMinutes`, 0-30; AKS's default 0). Windows pools without it get the
    /// planner's recommendation: the time moved pods need to pull their image and be ready.
    #[serde(default)]
    pub node_soak_minutes: Option<u32>,
    /// The OS disk: `Ephemeral` or `Managed`, and its size.
    #[serde(default)]
    pub os_disk: OsDisk,
    /// Availability zones (`[1, 2, 3]`); one zone is POOL010's warning.
    #[serde(default)]
    pub zones: Vec<Zone>,
    /// Node taints, `key=value:Effect` (`CriticalAddonsOnly=true:NoSchedule` on the system pool).
    #[serde(default)]
    pub taints: Vec<String>,
    /// Node labels (name: value), for workloads' selectors.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Spoke subnet key for the nodes; default by mode/OS.
    #[serde(default)]
    pub subnet: Option<SpokeSubnet>,
    /// Node pool Kubernetes version when it differs from the control plane.
    #[serde(default)]
    pub kubernetes_version: Option<KubeVersion>,
    /// FIPS-enabled node image (required for Windows2025).
    #[serde(default)]
    pub enable_fips: bool,
}

impl NodePool {
    pub fn os_sku(&self) -> OsSku {
        self.os_sku.unwrap_or(match self.os {
            Os::Linux => OsSku::Ubuntu,
            Os::Windows => OsSku::Windows2022,
        })
    }
    pub fn autoscaled(&self) -> bool {
        self.min.is_some() || self.max.is_some()
    }
    /// The largest node count the pool can reach (autoscaler max, else count).
    pub fn max_nodes(&self) -> u32 {
        self.max.or(self.count).or(self.min).unwrap_or(1)
    }
    /// The smallest node count (autoscaler min, else count).
    pub fn min_nodes(&self) -> u32 {
        self.min.or(self.count).unwrap_or(1)
    }
    pub fn is_windows(&self) -> bool {
        self.os == Os::Windows
    }
    /// The spoke subnet the nodes use.
    pub fn subnet_key(&self) -> SpokeSubnet {
        self.subnet.unwrap_or(match (self.mode, self.os) {
            (_, Os::Windows) => SpokeSubnet::WindowsNodes,
            (Mode::System, _) => SpokeSubnet::SystemNodes,
            _ => SpokeSubnet::LinuxNodes,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Mode {
    System,
    User,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Os {
    Linux,
    Windows,
}

/// ARM `osSKU` values (docs/sources.md#windows-os-skus-and-kubernetes-versions).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum OsSku {
    Ubuntu,
    Ubuntu2204,
    Ubuntu2404,
    AzureLinux,
    AzureLinux3,
    CBLMariner,
    AzureContainerLinux,
    Windows2019,
    Windows2022,
    Windows2025,
}

impl OsSku {
    pub fn as_str(self) -> &'static str {
        match self {
            OsSku::Ubuntu => "Ubuntu",
            OsSku::Ubuntu2204 => "Ubuntu2204",
            OsSku::Ubuntu2404 => "Ubuntu2404",
            OsSku::AzureLinux => "AzureLinux",
            OsSku::AzureLinux3 => "AzureLinux3",
            OsSku::CBLMariner => "CBLMariner",
            OsSku::AzureContainerLinux => "AzureContainerLinux",
            OsSku::Windows2019 => "Windows2019",
            OsSku::Windows2022 => "Windows2022",
            OsSku::Windows2025 => "Windows2025",
        }
    }
    pub fn is_windows(self) -> bool {
        matches!(
            self,
            OsSku::Windows2019 | OsSku::Windows2022 | OsSku::Windows2025
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OsDisk {
    /// `Ephemeral` (on the VM's cache or temp disk, when it fits: POOL005) or `Managed`.
    #[serde(default)]
    pub r#type: OsDiskType,
    /// OS disk size in GiB.
    #[serde(default = "default_os_disk")]
    pub size_gi_b: u32,
}

fn default_os_disk() -> u32 {
    128
}

impl Default for OsDisk {
    fn default() -> Self {
        OsDisk {
            r#type: OsDiskType::Ephemeral,
            size_gi_b: default_os_disk(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum OsDiskType {
    #[default]
    Ephemeral,
    Managed,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WindowsProfile {
    /// The Windows nodes' admin name (not one Azure disallows, such as `administrator`).
    pub admin_username: String,
    pub admin_password: SecretRef,
    /// Use Windows Server licences with Software Assurance (ARM `licenseType: Windows_Server`): the
    /// nodes are billed at the Linux rate.
    #[serde(default)]
    pub azure_hybrid_benefit: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomVmSize {
    /// The VM size's name, as `vmSize` writes it.
    pub name: String,
    /// Its vCPUs.
    pub vcpus: u32,
    /// Its memory, in GiB.
    pub memory_gi_b: f64,
    /// Its temporary (resource) disk, in GiB (0 when it has none).
    #[serde(default)]
    pub temp_gi_b: u32,
    /// Its cache for ephemeral OS disks, in GiB.
    #[serde(default)]
    pub cache_gi_b: u32,
    /// Its local NVMe disks, in GiB.
    #[serde(default)]
    pub nvme_gi_b: u32,
}

// ----------------------------------------------------------------------------------- ingress

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
/// How users reach the workloads: Front Door with its WAF, the application proxy, the internal
/// load balancer.
// Missing keys take the values of `Default` below (one source for the defaults).
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Ingress {
    pub front_door: Option<FrontDoor>,
    /// Microsoft Entra application proxy: pre-authentication and Kerberos single sign-on for `auth:
    /// kerberos` workloads.
    pub app_proxy: AppProxy,
    /// The AKS internal load balancer every published workload sits behind.
    pub internal_load_balancer: InternalLoadBalancer,
    /// `none` (the architecture's choice: no nginx or similar in the cluster), or the controller
    /// in use (`nginx`, `app-routing`, `traefik`, `other`: ING004 warns).
    pub in_cluster_ingress_controller: IngressController,
}

impl Ingress {
    /// Front Door's custom domains whose certificate comes from Key Vault: (host, secret name).
    pub fn key_vault_certificates(&self) -> Vec<(String, &str)> {
        self.front_door
            .iter()
            .flat_map(|f| f.custom_domains.iter())
            .filter(|d| d.certificate.source == CertificateSource::KeyVault)
            .filter_map(|d| {
                Some((
                    d.host.to_string(),
                    d.certificate.key_vault_secret.as_deref()?,
                ))
            })
            .collect()
    }
}

impl Default for Ingress {
    fn default() -> Self {
        Ingress {
            front_door: Some(FrontDoor::default()),
            app_proxy: AppProxy::default(),
            internal_load_balancer: InternalLoadBalancer::default(),
            in_cluster_ingress_controller: IngressController::None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
/// Azure Front Door: its SKU, origin, WAF policy, custom domains and TLS.
// Missing keys take the values of `Default` below (one source for the defaults).
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct FrontDoor {
    /// `Premium` (WAF managed rule sets and Private Link origins need it) or `Standard`.
    pub sku: FrontDoorSku,
    /// What Front Door forwards to: the application proxy's external URL, or the internal
    /// load balancer through Private Link. Default: appProxy when it is enabled.
    pub origin: Option<FrontDoorOrigin>,
    pub waf: Option<Waf>,
    /// The public host names Front Door serves, each with its certificate in Key Vault.
    pub custom_domains: Vec<CustomDomain>,
    /// Minimum TLS version clients may use on the custom domains ("1.2" or "1.3").
    pub minimum_tls_version: TlsVersion,
    /// Redirect HTTP to HTTPS on every route.
    pub https_redirect: bool,
    /// Accept plain HTTP at all (only ever with httpsRedirect).
    pub allow_http: bool,
}

impl Default for FrontDoor {
    fn default() -> Self {
        FrontDoor {
            sku: FrontDoorSku::Premium,
            origin: None,
            waf: Some(Waf::default()),
            custom_domains: Vec::new(),
            minimum_tls_version: TlsVersion::V1_2,
            https_redirect: true,
            allow_http: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum FrontDoorSku {
    Standard,
    #[default]
    Premium,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum FrontDoorOrigin {
    AppProxy,
    PrivateLink,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
/// The Front Door WAF policy.
// Missing keys take the values of `Default` below (one source for the defaults).
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Waf {
    /// `Prevention` (blocks) or `Detection` (logs only; ING002 warns).
    pub mode: WafMode,
    /// Managed rule sets (`Microsoft_DefaultRuleSet`, `Microsoft_BotManagerRuleSet`).
    pub managed_rule_sets: Vec<String>,
}

impl Default for Waf {
    fn default() -> Self {
        Waf {
            mode: WafMode::Prevention,
            managed_rule_sets: vec!["Microsoft_DefaultRuleSet".into()],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum WafMode {
    #[default]
    Prevention,
    Detection,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomDomain {
    pub host: Hostname,
    /// The domain's certificate: a Key Vault secret in the Front Door vault.
    pub certificate: Certificate,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Certificate {
    /// Key Vault secret with the TLS certificate (the architecture keeps it in Key Vault).
    #[serde(default)]
    pub key_vault_secret: Option<String>,
    /// `AzureManaged` lets Front Door issue its own certificate instead.
    #[serde(default)]
    pub source: CertificateSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum CertificateSource {
    #[default]
    KeyVault,
    AzureManaged,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppProxy {
    /// Publish `auth: kerberos` workloads through the application proxy.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Connector VMs in the spoke (at least 2 for resilience, ING009).
    #[serde(default = "default_connectors")]
    pub connectors: u32,
    /// The conditional access policy over the published apps (allowed client ranges).
    #[serde(default)]
    pub conditional_access: Option<ConditionalAccess>,
}

fn default_connectors() -> u32 {
    2
}

impl Default for AppProxy {
    fn default() -> Self {
        AppProxy {
            enabled: true,
            connectors: default_connectors(),
            conditional_access: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConditionalAccess {
    #[serde(default)]
    pub allowed_ip_ranges: Vec<Cidr>,
    /// Object ids of groups the policy never applies to: the tenant's emergency access
    /// (break-glass) accounts, as Microsoft recommends for every conditional access policy.
    #[serde(default)]
    pub exclude_groups: Vec<String>,
    /// `enabled` (default), or `reportOnly` to watch its effect in the sign-in logs first.
    #[serde(default)]
    pub state: CaState,
}

/// The state a conditional access policy is created in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CaState {
    #[default]
    Enabled,
    ReportOnly,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InternalLoadBalancer {
    /// A front-end address in the load balancer subnet, or `auto`.
    #[serde(default)]
    pub static_ip: Auto<Ip>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IngressController {
    #[default]
    None,
    Nginx,
    AppRouting,
    Traefik,
    Other,
}

// ------------------------------------------------------------------- registry and key vault

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registry {
    /// The registry's name (`<name>.azurecr.io`); derived from the naming prefix when absent.
    /// Set it when images already live in a registry so manifests and policy name the same one.
    #[serde(default)]
    pub name: Option<AcrName>,
    /// ACR tier (`Basic`, `Standard`, `Premium`): private endpoints and geo-replication need `Premium`.
    #[serde(default)]
    pub sku: AcrSku,
    #[serde(default)]
    pub geo_replicas: Vec<Region>,
    /// Keep the registry reachable from the internet (default off: nodes pull through the private
    /// endpoint).
    #[serde(default)]
    pub public_network_access: bool,
    /// The registry's admin user (default off; SEC002 warns when on).
    #[serde(default)]
    pub admin_user_enabled: bool,
    /// The images workloads pull: sizes for the scale-out model, sources for `deploy.sh images`.
    #[serde(default)]
    pub images: Vec<Image>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            name: None,
            sku: AcrSku::Premium,
            geo_replicas: Vec::new(),
            public_network_access: false,
            admin_user_enabled: false,
            images: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum AcrSku {
    Basic,
    Standard,
    #[default]
    Premium,
}

impl AcrSku {
    /// The value ARM expects (the registry's `sku.name`); written out, never derived from `Debug`.
    pub fn arm_value(self) -> &'static str {
        match self {
            AcrSku::Basic => "Basic",
            AcrSku::Standard => "Standard",
            AcrSku::Premium => "Premium",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    /// The image reference as workloads name it (`contosoacr.azurecr.io/legacy/web:4.8-ltsc2022`).
    pub name: String,
    /// Full image reference, e.g. contosoacr.azurecr.io/legacy/web:4.8-ltsc2022.
    pub r#ref: String,
    /// Compressed size in GiB (drives pre-pull, scale-out time and ACR cost).
    #[serde(default)]
    pub size_gi_b: Option<f64>,
    /// Where the image is built and pushed (a registry your CI reaches, e.g. a build registry
    /// or ghcr.io), fully qualified: `deploy.sh images` imports it into the deployment's
    /// registry as `ref` with `az acr import`, a management-plane copy that works while the
    /// registry is closed to public networks (ACR Tasks' agent pools in the network build Linux
    /// images only). Absent: you push `ref` yourself from inside the network.
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyVault {
    /// Keep the vault reachable from the internet once deployed (default off: the private endpoint
    /// only).
    #[serde(default)]
    pub public_network_access: bool,
    /// Purge protection (default on: a deleted vault and its secrets cannot be purged for 90 days).
    #[serde(default = "yes")]
    pub purge_protection: bool,
    /// The vault's name, when it is not the one akswin derives from `name` (an existing
    /// cluster's vault, `cluster.existing`): the gMSA credential and the certificates are
    /// read from it.
    #[serde(default)]
    pub name: Option<String>,
    /// The named vault's resource group (with `name`): `scripts/Set-Gmsa.ps1` stores the gMSA
    /// credential there through Azure Resource Manager.
    #[serde(default)]
    pub resource_group: Option<String>,
}

impl Default for KeyVault {
    fn default() -> Self {
        KeyVault {
            public_network_access: false,
            purge_protection: true,
            name: None,
            resource_group: None,
        }
    }
}

// -------------------------------------------------------------------------------- monitoring

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Monitoring {
    /// Container insights with its data collection rule and association (MON001 warns when off).
    #[serde(default = "yes")]
    pub container_insights: bool,
    /// Log Analytics workspace retention, in days.
    #[serde(default = "default_retention")]
    pub retention_days: u32,
    #[serde(default)]
    pub windows: WindowsMonitoring,
    /// Azure Monitor managed service for Prometheus: an Azure Monitor workspace, the cluster's
    /// metrics add-on, and with Windows pools the Windows exporter's and Windows kube-proxy's
    /// scrape targets and akswin's Windows recording rules (MON005 warns when Windows pools
    /// go without).
    #[serde(default)]
    pub prometheus: Prometheus,
    /// Your own alerts: a Log Analytics query each (a metric alert is not rendered yet, RND001).
    #[serde(default)]
    pub alerts: Vec<Alert>,
    /// Action groups (resource ids, `/subscriptions/.../providers/Microsoft.Insights/actionGroups/<name>`)
    /// every rendered alert notifies. Without them the alerts fire in Azure Monitor only.
    #[serde(default)]
    pub action_groups: Vec<String>,
}

fn default_retention() -> u32 {
    30
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            container_insights: true,
            retention_days: default_retention(),
            windows: WindowsMonitoring::default(),
            prometheus: Prometheus::default(),
            alerts: Vec::new(),
            action_groups: Vec::new(),
        }
    }
}

/// Azure Monitor managed service for Prometheus.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prometheus {
    /// Render the Azure Monitor workspace, its data collection endpoint and rule, the rule's
    /// association with the cluster and the cluster's metrics add-on
    /// (`azureMonitorProfile.metrics`). Default on.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// With Windows pools: turn on the add-on's Windows exporter and Windows kube-proxy scrape
    /// targets (off by default in the add-on) through `k8s/ama-metrics-settings-configmap.yaml`,
    /// and render akswin's Windows recording rules (node CPU, memory, disk and network per
    /// Windows node and pod). Default on.
    #[serde(default = "yes")]
    pub windows_metrics: bool,
    /// The Windows exporter image akswin deploys on every Windows node (`k8s/windows-exporter.yaml`,
    /// a HostProcess DaemonSet in `akswin-metrics` listening on port 9182 for the add-on):
    /// a `registry.images` name (imported into the registry) or a reference from an allowed
    /// registry, for example the community image `ghcr.io/prometheus-community/windows-exporter`
    /// imported into yours. The Azure Monitor add-on does not install the exporter; akswin names
    /// no default version (MON005 warns without it).
    #[serde(default)]
    pub windows_exporter_image: Option<String>,
}

impl Default for Prometheus {
    fn default() -> Self {
        Prometheus {
            enabled: true,
            windows_metrics: true,
            windows_exporter_image: None,
        }
    }
}

/// Windows event logs (XPath queries) and performance counters for the data collection rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WindowsMonitoring {
    /// XPath queries; default: System errors and warnings, Application errors, and the domain
    /// controllers' Directory Service and DNS Server errors and warnings.
    #[serde(default = "default_event_logs")]
    pub event_logs: Vec<String>,
    /// Counter specifiers `\\Object(Instance)\\Counter`; default: processor, memory, disk.
    #[serde(default = "default_counters")]
    pub performance_counters: Vec<String>,
    /// The Windows node canary (default on): a DaemonSet in `akswin-system` whose pod on every
    /// Windows node resolves the cluster's, the AD domain's and a public name through the
    /// cluster DNS each minute and logs the result, and two alerts over Container insights:
    /// repeated DNS failures on a node, and a Ready Windows node where the canary does not run
    /// (its pod was never created or never started there). Needs `containerInsights`.
    #[serde(default = "yes")]
    pub canary: bool,
}

fn default_event_logs() -> Vec<String> {
    vec![
        "System!*[System[(Level=1 or Level=2 or Level=3)]]".into(),
        "Application!*[System[(Level=1 or Level=2)]]".into(),
        // the domain controllers' own logs (servers without them collect nothing here)
        "Directory Service!*[System[(Level=1 or Level=2 or Level=3)]]".into(),
        "DNS Server!*[System[(Level=1 or Level=2 or Level=3)]]".into(),
    ]
}

fn default_counters() -> Vec<String> {
    vec![
        "\\Processor(_Total)\\% Processor Time".into(),
        "\\Memory\\Available MBytes".into(),
        "\\LogicalDisk(_Total)\\Free Megabytes".into(),
    ]
}

impl Default for WindowsMonitoring {
    fn default() -> Self {
        WindowsMonitoring {
            event_logs: default_event_logs(),
            performance_counters: default_counters(),
            canary: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Alert {
    /// The alert's name.
    pub name: String,
    /// Container insights metric name, e.g. memoryWorkingSetBytes.
    #[serde(default)]
    pub metric: Option<String>,
    /// Log Analytics (KQL) query.
    #[serde(default)]
    pub query: Option<String>,
    /// Which nodes it is about (`Windows`, `Linux` or `All`); a memory RSS query on Windows is
    /// MON003's error.
    #[serde(default)]
    pub os: AlertOs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum AlertOs {
    #[default]
    All,
    Linux,
    Windows,
}

// ------------------------------------------------------------------------------------ policy

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    /// Effect for the four Windows built-ins (overcommit, ContainerAdministrator, allowed
    /// users, HostProcess).
    #[serde(default)]
    pub windows_built_ins: PolicyEffect,
    /// The built-in policy that keeps Services internal: `Audit`, `Deny` or `Disabled`.
    #[serde(default = "deny")]
    pub internal_load_balancers_only: PolicyEffect,
    /// Registry hosts pods may pull from (the allowed-images policy, and audit's WIN012).
    #[serde(default)]
    pub allowed_registries: Vec<String>,
    /// `allowedUserNames` of "Windows containers should only run with approved user and
    /// domain user group"; default: ContainerUser (the non-administrator account).
    #[serde(default = "default_windows_users")]
    pub windows_allowed_user_names: Vec<String>,
    /// Other built-in policy definitions to assign to the cluster (POL003 checks each id).
    #[serde(default)]
    pub extra_assignments: Vec<PolicyAssignment>,
    /// akswin's own manifest rules enforced in the cluster at admission: custom Azure Policy
    /// definitions (Gatekeeper ConstraintTemplates with the rules in Rego) and an initiative
    /// over them, assigned to the cluster, for the Azure Policy add-on. `akswin policy list`
    /// shows which rules are enforced and why the others are not.
    #[serde(default)]
    pub admission: Admission,
}

/// akswin's manifest rules at admission (`policy.admission`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Admission {
    /// The effect of every enforced rule: `Audit` (non-compliant in Azure Policy, the object
    /// is admitted), `Deny` (the API server refuses the object) or `Disabled` (no definitions,
    /// no assignment).
    #[serde(default)]
    pub effect: PolicyEffect,
    /// A different effect for some rules, by code (`WIN001: Deny`); POL005 checks each code.
    #[serde(default)]
    pub rules: std::collections::BTreeMap<String, PolicyEffect>,
}

fn default_windows_users() -> Vec<String> {
    vec!["ContainerUser".into()]
}

fn deny() -> PolicyEffect {
    PolicyEffect::Deny
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            windows_built_ins: PolicyEffect::Audit,
            internal_load_balancers_only: PolicyEffect::Deny,
            allowed_registries: Vec::new(),
            windows_allowed_user_names: default_windows_users(),
            extra_assignments: Vec::new(),
            admission: Admission::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum PolicyEffect {
    #[default]
    Audit,
    Deny,
    Disabled,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyAssignment {
    /// `/providers/Microsoft.Authorization/policyDefinitions/<GUID>` (or policySetDefinitions).
    pub definition_id: String,
    /// The effect parameter, when the definition takes one (`Audit`, `Deny`).
    #[serde(default)]
    pub effect: Option<String>,
}

// ---------------------------------------------------------------------------------- upgrades

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
/// Upgrades: the cluster's and the node images' channels, and their maintenance windows.
// Missing keys take the values of `Default` below (one source for the defaults).
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Upgrades {
    /// Cluster auto-upgrade channel (control plane and node Kubernetes versions); AKS upgrades
    /// the control plane before the node pools, in `clusterWindow`.
    pub cluster_channel: ClusterChannel,
    /// AKS node OS upgrade channel: `NodeImage` (AKS reimages in the window), `SecurityPatch` (not
    /// for Windows: UPG001), `Unmanaged` or `None` (akswin's workflow does it).
    pub node_os_channel: NodeOsChannel,
    /// The node OS (node image) window: monthly, after Patch Tuesday (UPG002).
    pub windows_node_image: Option<MaintenanceWindow>,
    /// The cluster auto-upgrade window (Kubernetes patch versions, control plane first), apart
    /// from the node images' so that the two never run at once (UPG005). Default: the second
    /// Sunday of each month, 02:00 UTC for 6 hours, which always comes before the third
    /// Wednesday's node images: the cluster first.
    pub cluster_window: Option<MaintenanceWindow>,
    /// The GitHub Actions node-image workflow akswin renders when it owns the node images.
    pub workflow: UpgradeWorkflow,
    /// A staged node image rollout inside the cluster: the workflow upgrades this Windows
    /// pool first, waits `soakMinutes`, and goes on to the other Windows pools only when the
    /// pool's nodes are Ready and every pod on them runs Ready (UPG008). Needs the workflow to
    /// own the node images (`nodeOsChannel: None`): AKS's own channel upgrades every pool in
    /// its window. Across environments, give the non-production environment a window days
    /// before production's: `akswin envs` lists the order in which the environments take
    /// each of the next images, and says when two take it the same day.
    #[serde(default)]
    pub canary_pool: Option<CanaryPool>,
}

/// The Windows pool a staged node image rollout upgrades first.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CanaryPool {
    /// A Windows pool of `cluster.nodePools`.
    pub pool: String,
    /// Minutes between the canary pool's upgrade and its check (0 to 240: the workflow's job
    /// has 360 minutes for every pool). Default: 60.
    #[serde(default = "default_canary_soak")]
    pub soak_minutes: u32,
}

fn default_canary_soak() -> u32 {
    60
}

impl Default for Upgrades {
    fn default() -> Self {
        Upgrades {
            cluster_channel: ClusterChannel::Patch,
            node_os_channel: NodeOsChannel::NodeImage,
            windows_node_image: Some(MaintenanceWindow::default()),
            cluster_window: Some(MaintenanceWindow::cluster_default()),
            workflow: UpgradeWorkflow::GithubActions,
            canary_pool: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterChannel {
    None,
    #[default]
    Patch,
    Stable,
    Rapid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum NodeOsChannel {
    None,
    Unmanaged,
    SecurityPatch,
    #[default]
    NodeImage,
}

impl NodeOsChannel {
    /// The value ARM expects (`nodeOSUpgradeChannel`); written out, never derived from `Debug`.
    pub fn arm_value(self) -> &'static str {
        match self {
            NodeOsChannel::None => "None",
            NodeOsChannel::Unmanaged => "Unmanaged",
            NodeOsChannel::SecurityPatch => "SecurityPatch",
            NodeOsChannel::NodeImage => "NodeImage",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UpgradeWorkflow {
    #[default]
    GithubActions,
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
/// A maintenance window: a schedule, a start time with its UTC offset, and a length.
// Missing keys take the values of `Default` below (one source for the defaults).
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct MaintenanceWindow {
    pub schedule: Schedule,
    pub start_time: ClockTime,
    pub utc_offset: UtcOffset,
    /// The window's length, in hours (at least 4, UPG002).
    pub duration_hours: u32,
}

fn utc() -> UtcOffset {
    UtcOffset { minutes: 0 }
}

impl MaintenanceWindow {
    /// The cluster auto-upgrade window's default: the second Sunday, 02:00 UTC, 6 hours.
    pub fn cluster_default() -> Self {
        let mut w = MaintenanceWindow::default();
        w.schedule.relative_monthly = Some(RelativeMonthly {
            week_index: WeekIndex::Second,
            day_of_week: DayOfWeek::Sunday,
            interval_months: 1,
        });
        w
    }
}

impl Default for MaintenanceWindow {
    fn default() -> Self {
        MaintenanceWindow {
            schedule: Schedule {
                relative_monthly: Some(RelativeMonthly {
                    week_index: WeekIndex::Third,
                    day_of_week: DayOfWeek::Wednesday,
                    interval_months: 1,
                }),
                absolute_monthly: None,
                weekly: None,
            },
            start_time: ClockTime { hour: 2, minute: 0 },
            utc_offset: utc(),
            duration_hours: 6,
        }
    }
}

/// Exactly one schedule kind, as in AKS maintenance configurations.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Schedule {
    /// Every N months on the Nth weekday (`third Wednesday`: after Patch Tuesday).
    #[serde(default)]
    pub relative_monthly: Option<RelativeMonthly>,
    /// Every N months on a day of the month.
    #[serde(default)]
    pub absolute_monthly: Option<AbsoluteMonthly>,
    /// Every N weeks on a weekday.
    #[serde(default)]
    pub weekly: Option<Weekly>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RelativeMonthly {
    /// `First`, `Second`, `Third`, `Fourth` or `Last`.
    pub week_index: WeekIndex,
    /// The weekday (`Wednesday`).
    pub day_of_week: DayOfWeek,
    /// Every how many months (1: monthly, as Windows images ship).
    #[serde(default = "one")]
    pub interval_months: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AbsoluteMonthly {
    /// The day of the month (1-31).
    pub day_of_month: u32,
    /// Every how many months.
    #[serde(default = "one")]
    pub interval_months: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Weekly {
    /// The weekday.
    pub day_of_week: DayOfWeek,
    /// Every how many weeks.
    #[serde(default = "one")]
    pub interval_weeks: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum WeekIndex {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum DayOfWeek {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl DayOfWeek {
    /// The value ARM expects in maintenance schedules (`Monday` ... `Sunday`).
    pub fn arm_value(self) -> &'static str {
        match self {
            DayOfWeek::Monday => "Monday",
            DayOfWeek::Tuesday => "Tuesday",
            DayOfWeek::Wednesday => "Wednesday",
            DayOfWeek::Thursday => "Thursday",
            DayOfWeek::Friday => "Friday",
            DayOfWeek::Saturday => "Saturday",
            DayOfWeek::Sunday => "Sunday",
        }
    }
}

impl DayOfWeek {
    /// The same day as chrono's weekday: the one numbering every consumer uses
    /// (`num_days_from_monday`, `number_from_monday`).
    pub fn to_chrono(self) -> chrono::Weekday {
        match self {
            DayOfWeek::Monday => chrono::Weekday::Mon,
            DayOfWeek::Tuesday => chrono::Weekday::Tue,
            DayOfWeek::Wednesday => chrono::Weekday::Wed,
            DayOfWeek::Thursday => chrono::Weekday::Thu,
            DayOfWeek::Friday => chrono::Weekday::Fri,
            DayOfWeek::Saturday => chrono::Weekday::Sat,
            DayOfWeek::Sunday => chrono::Weekday::Sun,
        }
    }
}

// ----------------------------------------------------------------------------------- scaling

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scaling {
    /// The image pre-pull DaemonSet on the Windows pools, so new nodes start workloads without a
    /// multi-GiB pull.
    #[serde(default)]
    pub prepull: Prepull,
    /// Measured node provisioning to Ready, in minutes (inputs of the scale-out model).
    #[serde(default)]
    pub node_ready_minutes: Option<NodeReadyMinutes>,
    /// Measured image pull throughput per node in MiB/s (compressed bytes over the wire).
    /// Without `extractThroughputMiBps` it is taken as end-to-end (download and extraction
    /// together), so measure it that way. Default: the registry tier's historical download
    /// bandwidth (docs/sources.md#container-registry-tiers: Basic 30, Standard 60, Premium 100 MB/s), shared by the nodes
    /// pulling at once, without extraction: optimistic, so measure it.
    #[serde(default)]
    pub pull_throughput_mi_bps: Option<f64>,
    /// Measured layer extraction throughput per node in MiB/s of compressed image. When absent,
    /// extraction is assumed to be included in `pullThroughputMiBps`.
    #[serde(default)]
    pub extract_throughput_mi_bps: Option<f64>,
    /// Memory AKS keeps for Windows system processes on each Windows node beyond kube-reserved,
    /// in MiB (default 2048: reported by the AKS documentation, UNCONFIRMED in akswin's facts).
    #[serde(default)]
    pub windows_reserved_mi_b: Option<u32>,
    /// Extra Windows nodes held warm for weekly peaks (the autoscaler's minimum raised ahead of
    /// each).
    #[serde(default)]
    pub hot_spare: Option<HotSpare>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prepull {
    /// Render the pre-pull DaemonSets: one per Windows version of the Windows pools, each
    /// caching the image of every Windows workload on a pool of that version.
    #[serde(default)]
    pub enabled: bool,
    /// More images to cache (names from registry.images, or references) besides the
    /// workloads': an image no workload runs yet (the next Windows version's, during a
    /// migration), or a base image. Each goes to the Windows versions its tag allows.
    #[serde(default)]
    pub images: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeReadyMinutes {
    /// Minutes from a scale-out decision to a Ready Windows node.
    pub windows: f64,
    /// Minutes from a scale-out decision to a Ready Linux node.
    pub linux: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HotSpare {
    /// The Windows pool whose minimum is raised for the peaks.
    pub pool: String,
    /// The pool's minimum outside peaks.
    pub off_peak_nodes: u32,
    /// The pool's minimum during peaks (within the pool's bounds, SCL003).
    pub peak_nodes: u32,
    /// The weekly peaks: days, from, to, time zone.
    pub peaks: Vec<Peak>,
    /// How long before a peak the minimum is raised, so nodes are Ready when it starts.
    #[serde(default = "default_lead")]
    pub lead_minutes: u32,
    /// How the spare nodes are held: `workflow` (a GitHub Actions workflow raises the pool's
    /// autoscaler minimum with cloud credentials) or `placeholderPods` (low-priority pods that
    /// reserve a node each, scaled by CronJobs in the cluster: no cloud credentials; real pods
    /// preempt them at once).
    #[serde(default)]
    pub mode: HotSpareMode,
    /// With `placeholderPods`: the image the CronJobs run `kubectl scale` with (a
    /// `registry.images` name, imported into the registry, or a reference from an allowed
    /// registry). akswin names no default: Microsoft documents no kubectl image (SCL004).
    #[serde(default)]
    pub kubectl_image: Option<String>,
}

/// How the hot spare holds its nodes (`scaling.hotSpare.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum HotSpareMode {
    #[default]
    Workflow,
    PlaceholderPods,
}

fn default_lead() -> u32 {
    30
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Peak {
    /// The weekdays of the peak (`[Mon, Tue, Wed, Thu, Fri]`).
    pub days: Vec<Weekday>,
    pub from: ClockTime,
    pub to: ClockTime,
    /// IANA time zone name, e.g. America/New_York (default UTC).
    #[serde(default)]
    pub timezone: Option<TimeZone>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// The same day as chrono's weekday: the one numbering every consumer uses.
    pub fn to_chrono(self) -> chrono::Weekday {
        match self {
            Weekday::Mon => chrono::Weekday::Mon,
            Weekday::Tue => chrono::Weekday::Tue,
            Weekday::Wed => chrono::Weekday::Wed,
            Weekday::Thu => chrono::Weekday::Thu,
            Weekday::Fri => chrono::Weekday::Fri,
            Weekday::Sat => chrono::Weekday::Sat,
            Weekday::Sun => chrono::Weekday::Sun,
        }
    }

    pub fn from_chrono(d: chrono::Weekday) -> Weekday {
        match d {
            chrono::Weekday::Mon => Weekday::Mon,
            chrono::Weekday::Tue => Weekday::Tue,
            chrono::Weekday::Wed => Weekday::Wed,
            chrono::Weekday::Thu => Weekday::Thu,
            chrono::Weekday::Fri => Weekday::Fri,
            chrono::Weekday::Sat => Weekday::Sat,
            chrono::Weekday::Sun => Weekday::Sun,
        }
    }
}

// --------------------------------------------------------------------------------- workloads

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Workload {
    /// The workload's name: a DNS-1035 label; it names the Namespace, ServiceAccount, Deployment
    /// and Service.
    pub name: String,
    /// An image name from registry.images, or a full image reference.
    pub image: String,
    /// `Windows` or `Linux`.
    pub os: Os,
    /// Node pool name the workload runs on.
    #[serde(default)]
    pub pool: Option<String>,
    /// Pods to run.
    #[serde(default = "one")]
    pub replicas: u32,
    /// The container port it serves on (1-65535); without one it is not published.
    #[serde(default)]
    pub port: Option<u16>,
    /// How users reach it: `kerberos` (application proxy, gMSA), `entra` or `none` (Front Door's
    /// Private Link origin, or internal).
    #[serde(default)]
    pub auth: AuthMode,
    /// The host name users browse to: one of `ingress.frontDoor.customDomains`, routed by
    /// Front Door to this workload on its path (the application proxy for `auth: kerberos`,
    /// Private Link to the internal load balancer otherwise). Without it a workload is
    /// published only when it is the one workload with a port and Front Door has one custom
    /// domain; a Kerberos workload without Front Door is published on the application proxy's
    /// own domain.
    #[serde(default)]
    pub host: Option<Hostname>,
    /// The `*.msappproxy.net` host Microsoft Entra gives this workload's application proxy
    /// app (`scripts/Publish-AppProxy.ps1` prints it): Front Door's origin. When absent,
    /// `arm/frontdoor.json` asks for it as a parameter.
    #[serde(default)]
    pub app_proxy_external_host: Option<Hostname>,
    /// Behind the application proxy: the name its connectors use to reach the workload (the
    /// internal URL, the `HTTP/` SPN on the gMSA, the AD DNS record to the workload's load
    /// balancer address). Default: `<prefix>-<workload>.<AD domain>`, a name in the AD domain's
    /// own zone, apart from the public `host`: a record for the public name in AD DNS would send
    /// every user who resolves through AD (on premises too) to the load balancer, around
    /// Front Door. The proxy translates the Host header and response headers between the two.
    #[serde(default)]
    pub internal_host: Option<Hostname>,
    /// Behind the application proxy: send the internal host as the Host header (default
    /// true, Microsoft's default). Turn it off for an application that needs the public name
    /// in the Host header (an IIS binding to it, absolute URLs built from it).
    #[serde(default = "yes")]
    pub translate_host_header: bool,
    /// The gMSA of `identity.gmsa.accounts` the pods run with (Kerberos workloads need one, ID002).
    #[serde(default)]
    pub gmsa_account: Option<String>,
    /// The TLS certificate the workload serves (port 443 or 8443): a certificate in the
    /// platform Key Vault, mounted into the pod by the Key Vault CSI driver with the workload's
    /// own identity (workload identity, read access to this certificate only). Without it an
    /// HTTPS workload must bring its certificate in its image (ING014).
    #[serde(default)]
    pub certificate: Option<WorkloadCertificate>,
    /// The Windows user the container's entry point runs as (`runAsUserName`):
    /// `ContainerUser` (default, no administrator rights), `NetworkService` (a process that
    /// must use the gMSA on the network), or `ContainerAdministrator` (IIS images: ServiceMonitor
    /// starts and watches w3svc, which needs an administrator; the site's application pool runs
    /// as its own identity and uses the gMSA). WRK003 checks the choice against `gmsaAccount`.
    /// ContainerUser works for an application that only reads its image and its mounts (what
    /// akswin mounts is read-only). Where it does not: it cannot write at the root of a mounted
    /// volume (write to a subdirectory, or run as ContainerAdministrator; kubernetes/kubernetes
    /// issue 131341; `akswin audit` warns, WIN025) nor add a root CA to the machine's store at run time (import it in the
    /// Dockerfile, where the build runs as ContainerAdministrator; microsoft/Windows-Containers
    /// issue 506).
    #[serde(default)]
    pub run_as: Option<RunAs>,
    /// CPU and memory per pod (requests equal limits on Windows); the scale-out model sizes nodes
    /// with them.
    #[serde(default)]
    pub resources: Option<Resources>,
    /// The application needs the client's source IP (ING006 says where this ingress path loses it).
    #[serde(default)]
    pub needs_client_ip: bool,
    /// A domain-joined container is impossible on Windows; use gMSA.
    #[serde(default)]
    pub domain_joined: bool,
    /// Static private IP of the workload's internal load balancer Service.
    #[serde(default)]
    pub load_balancer_ip: Option<Auto<Ip>>,
    /// The Service's `externalTrafficPolicy`: `Cluster` or `Local`.
    #[serde(default)]
    pub external_traffic_policy: TrafficPolicy,
    /// Scale-out target in minutes: how long adding `scaleOutReplicas` replicas may take (SCL002).
    #[serde(default)]
    pub scale_out_target_minutes: Option<f64>,
    /// Replicas added in one burst by the scale-out model. Default: `replicas` (the load doubles).
    #[serde(default)]
    pub scale_out_replicas: Option<u32>,
    /// Windows only: the logs the application writes to files, the event log or ETW (IIS and
    /// .NET Framework do, and `kubectl logs` and Container Insights then show nothing),
    /// forwarded to the container's standard output by Microsoft's LogMonitor, which akswin
    /// makes the container's entry point (WRK004).
    #[serde(default)]
    pub logs: Option<WorkloadLogs>,
}

/// A Windows workload's log sources, forwarded to standard output by LogMonitor
/// (<https://github.com/microsoft/windows-container-tools/tree/main/LogMonitor>). akswin
/// renders the configuration as a ConfigMap mounted read-only and starts the container with
/// `LogMonitor.exe /Config <file> <command>`: LogMonitor starts `command`, forwards its output
/// and the sources below, and passes the stop signal on to it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadLogs {
    /// The image's own entry point, which LogMonitor starts and watches (a container `command`
    /// replaces the image's ENTRYPOINT), e.g. `["C:\\ServiceMonitor.exe", "w3svc"]` for IIS.
    /// LogMonitor joins the parts with spaces, so no part may contain one.
    pub command: Vec<String>,
    /// Where `LogMonitor.exe` is in the image (the image must contain it; Microsoft's IIS
    /// and ASP.NET images do not). Default: `C:\LogMonitor\LogMonitor.exe`.
    #[serde(default)]
    pub log_monitor_path: Option<String>,
    /// Event log channels to forward, with the least severe level forwarded.
    #[serde(default)]
    pub event_logs: Vec<EventLogSource>,
    /// Log files to follow (IIS writes `C:\inetpub\logs\LogFiles`).
    #[serde(default)]
    pub files: Vec<LogFileSource>,
    /// ETW providers to forward (by name, GUID or both).
    #[serde(default)]
    pub etw: Vec<EtwSource>,
}

/// The least severe level LogMonitor forwards (its names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum LogLevel {
    Critical,
    Error,
    Warning,
    Information,
    Verbose,
}

impl LogLevel {
    /// The name LogMonitor's configuration takes.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Critical => "Critical",
            LogLevel::Error => "Error",
            LogLevel::Warning => "Warning",
            LogLevel::Information => "Information",
            LogLevel::Verbose => "Verbose",
        }
    }
}

/// An event log channel LogMonitor forwards.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventLogSource {
    /// The channel: `System`, `Application`, or a provider's channel such as
    /// `Microsoft-Windows-IIS-Configuration/Operational`.
    pub channel: String,
    /// Default: `Error`.
    #[serde(default)]
    pub level: Option<LogLevel>,
}

/// A directory of log files LogMonitor follows.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogFileSource {
    /// An absolute Windows path in the container, e.g. `C:\inetpub\logs`.
    pub directory: String,
    /// A file name pattern, e.g. `*.log`. Default: every file.
    #[serde(default)]
    pub filter: Option<String>,
    /// Follow files in subdirectories too (IIS writes one per site). Default: false.
    #[serde(default)]
    pub include_subdirectories: bool,
}

/// An ETW provider LogMonitor forwards.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EtwSource {
    /// The provider's registered name, e.g. `Microsoft-Windows-IIS-Logging`.
    #[serde(default)]
    pub name: Option<String>,
    /// The provider's GUID (36 characters, or 38 in braces).
    #[serde(default)]
    pub guid: Option<String>,
    /// Default: `Error`.
    #[serde(default)]
    pub level: Option<LogLevel>,
}

/// Whether a port serves TLS by akswin's convention (443 or 8443).
pub fn port_serves_tls(port: u16) -> bool {
    matches!(port, 443 | 8443)
}

/// A certificate a workload serves, from the platform Key Vault.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadCertificate {
    /// The Key Vault certificate's name (import the PFX with `az keyvault certificate
    /// import`): its secret of the same name holds the certificate with its private key.
    pub key_vault_secret: SecretName,
}

/// A Windows container's user (Kubernetes `securityContext.windowsOptions.runAsUserName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RunAs {
    ContainerUser,
    NetworkService,
    ContainerAdministrator,
}

impl RunAs {
    /// The user name Kubernetes and the approved-users policy take.
    pub fn user_name(self) -> &'static str {
        match self {
            RunAs::ContainerUser => "ContainerUser",
            RunAs::NetworkService => "NT AUTHORITY\\NETWORK SERVICE",
            RunAs::ContainerAdministrator => "ContainerAdministrator",
        }
    }
}

impl Workload {
    /// The Windows user the workload runs as (ContainerUser unless the spec says otherwise).
    pub fn run_as(&self) -> RunAs {
        self.run_as.unwrap_or(RunAs::ContainerUser)
    }

    /// Whether the workload's port serves TLS: akswin's convention is 443 or 8443 (Front
    /// Door's and the application proxy's origins use HTTPS there, plain HTTP otherwise).
    pub fn serves_tls(&self) -> bool {
        self.port.is_some_and(port_serves_tls)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AuthMode {
    #[default]
    None,
    Entra,
    Kerberos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum TrafficPolicy {
    #[default]
    Cluster,
    Local,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resources {
    pub cpu: Quantity,
    pub memory: Quantity,
}

// -------------------------------------------------------------------------------------- cost

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cost {
    /// The currency prices are in (`USD`); only prices in it are used.
    #[serde(default = "usd")]
    pub currency: String,
    /// `embedded` (dated table) or the path (relative to the spec) of a file exported from the
    /// Azure Retail Prices API; `--prices FILE` overrides it.
    #[serde(default)]
    pub prices: PriceSource,
    /// Log Analytics ingestion estimate in GiB per day (measure it with the `Usage` table).
    /// Without it, ingestion is shown as not estimated.
    #[serde(default)]
    pub log_analytics_gi_b_per_day: Option<f64>,
    /// Data the firewall processes per month in GiB (egress and hub-spoke traffic through it).
    #[serde(default)]
    pub firewall_data_gi_b_per_month: Option<f64>,
}

fn usd() -> String {
    "USD".into()
}
impl Default for Cost {
    fn default() -> Self {
        Cost {
            currency: usd(),
            prices: PriceSource::Embedded,
            log_analytics_gi_b_per_day: None,
            firewall_data_gi_b_per_month: None,
        }
    }
}
