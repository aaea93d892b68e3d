//! Azure resource names, derived from the spec's `name` (CAF-style abbreviations), each kept
//! within its resource type's length and character rules.

use akswin_spec::Spec;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Names {
    pub prefix: String,
    /// The hub's resource group: akswin's, or the existing hub's (`network.hub.existing`).
    pub rg_hub: String,
    pub rg_spoke: String,
    pub rg_shared: String,
    pub rg_nodes: String,
    /// The hub VNet: akswin's, or the existing hub's.
    pub vnet_hub: String,
    /// The existing hub's subscription (`network.hub.existing`); absent when akswin deploys
    /// the hub into the deployment's own subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub_subscription: Option<String>,
    pub vnet_spoke: String,
    pub firewall: String,
    pub firewall_policy: String,
    pub bastion: String,
    pub route_table: String,
    /// The domain controllers' route table (hub): their egress through the firewall.
    pub route_table_dc: String,
    /// The GatewaySubnet's route table (hub): traffic from on-premises to the VNets goes
    /// through the firewall.
    pub route_table_gateway: String,
    /// The firewall subnet's route table (hub, with hybrid connectivity): its direct route to
    /// the internet.
    pub route_table_firewall: String,
    /// The virtual network gateway akswin creates (hybrid `vpn` or `expressRoute`).
    pub gateway: String,
    /// The on-premises VPN device (local network gateway).
    pub local_gateway: String,
    /// The gateway's connection to on-premises.
    pub connection: String,
    pub nsg_windows: String,
    pub nsg_nodes: String,
    pub nsg_dc: String,
    pub nsg_services: String,
    /// The operators' jump box (`cluster.access.path: jumpBox`): its VM, NSG and route table.
    pub jump_box: String,
    pub nsg_jump_box: String,
    pub route_table_jump_box: String,
    pub law: String,
    pub key_vault: String,
    /// The vault's resource group when the spec names a vault of its own
    /// (`keyVault.resourceGroup`); `rg_shared` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_vault_group: Option<String>,
    /// Front Door's certificates, apart from the platform secrets (Microsoft's advice for
    /// Front Door): only the operator and Front Door's identity reach it.
    pub key_vault_front_door: String,
    pub acr: String,
    pub id_cluster: String,
    pub id_kubelet: String,
    /// The kubelet identity's resource group, when it is not `rg_shared` (an existing cluster's,
    /// `cluster.existing.kubeletIdentityId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_identity_group: Option<String>,
    /// The new domain controllers' identity: reads their promotion secrets, nothing else.
    pub id_dc: String,
    pub cluster: String,
    /// The cluster's DNS prefix (at most 54 characters, so it can be shorter than the name).
    pub dns_prefix: String,
    pub dcr_windows: String,
    /// Managed Prometheus: the Azure Monitor workspace (shared resource group), and the data
    /// collection endpoint and rule that send the cluster's metrics there (cluster resource
    /// group; Microsoft's `MSProm-<region>-<cluster>`, cut to 44 and 64 characters).
    pub monitor_workspace: String,
    pub dce_prometheus: String,
    pub dcr_prometheus: String,
    pub front_door: String,
    pub waf: String,
    pub afd_endpoint: String,
    pub pls: String,
    /// Names cut to their type's maximum length: the name akswin would have given, and the
    /// one it gives. A global name (Key Vault, registry) shortened this way can collide with
    /// another deployment whose `name` starts the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shortened: Vec<Shortened>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shortened {
    pub resource_type: String,
    pub full: String,
    pub used: String,
    /// The name must be unique across all of Azure.
    pub global: bool,
}

/// Kubernetes-safe name: lowercase alphanumerics and hyphens (a namespace, a service account).
pub fn k8s_name(s: &str) -> String {
    let n: String = s
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    n.trim_matches('-').chars().take(63).collect()
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

fn cut(s: String, max: usize) -> String {
    let mut s: String = s.chars().take(max).collect();
    while s.ends_with('-') {
        s.pop();
    }
    s
}

impl Names {
    pub fn new(spec: &Spec) -> Names {
        let p = clean(&spec.name);
        let alnum: String = p.chars().filter(char::is_ascii_alphanumeric).collect();
        let mut shortened = Vec::new();
        let mut note = |resource_type: &str, full: String, used: &str, global: bool| {
            if full.trim_end_matches('-') != used {
                shortened.push(Shortened {
                    resource_type: resource_type.into(),
                    full,
                    used: used.into(),
                    global,
                });
            }
        };
        // Global names end in the spec's suffix (kept whole: the prefix gives way to the cut).
        let sfx = spec
            .name_suffix
            .as_deref()
            .map(|s| format!("-{}", clean(s)))
            .unwrap_or_default();
        let global = |kind: &str| {
            let head = cut(format!("{kind}-{p}"), 24 - sfx.len().min(9));
            (format!("{kind}-{p}{sfx}"), format!("{head}{sfx}"))
        };
        let (full, key_vault) = global("kv");
        // A vault the spec names (an existing cluster's) is used as it is.
        let key_vault = match &spec.key_vault.name {
            Some(name) => name.clone(),
            None => {
                note("Microsoft.KeyVault/vaults", full, &key_vault, true);
                key_vault
            }
        };
        // A prefix of its own, so that shortening never makes it the platform vault's name.
        let (full, key_vault_front_door) = global("kvfd");
        // An existing cluster's team has its own vault (keyVault.name) and no Front Door vault
        // of akswin's: the certificates are read from theirs.
        let key_vault_front_door = match (&spec.cluster.existing, &spec.key_vault.name) {
            (Some(_), Some(own)) => own.clone(),
            _ => {
                note(
                    "Microsoft.KeyVault/vaults",
                    full,
                    &key_vault_front_door,
                    true,
                );
                key_vault_front_door
            }
        };
        let acr = spec.acr_name();
        if spec.registry.name.is_none() {
            let sfx = spec.suffix_alnum();
            note(
                "Microsoft.ContainerRegistry/registries",
                format!("acr{alnum}{sfx}"),
                &acr,
                true,
            );
        }
        let cluster = cut(format!("aks-{p}"), 63);
        note(
            "Microsoft.ContainerService/managedClusters",
            format!("aks-{p}"),
            &cluster,
            false,
        );
        let afd_endpoint = cut(format!("fde-{p}"), 46);
        note(
            "Microsoft.Cdn/profiles/afdEndpoints",
            format!("fde-{p}"),
            &afd_endpoint,
            false,
        );
        let existing = spec.network.existing_hub().and_then(|h| h.vnet());
        // An existing cluster (cluster.existing) keeps its own names: the workflows and scripts
        // act on it.
        let ec = spec.cluster.existing.as_ref();
        let ec_id = ec.and_then(|e| e.cluster());
        let kubelet = ec.and_then(|e| e.kubelet_identity());
        let cluster = ec_id
            .as_ref()
            .and_then(|r| r.name.clone())
            .unwrap_or(cluster);
        let prometheus = format!("MSProm-{}-{cluster}", spec.location);
        Names {
            rg_hub: existing
                .as_ref()
                .map_or_else(|| format!("rg-{p}-hub"), |r| r.resource_group.clone()),
            hub_subscription: existing.as_ref().map(|r| r.subscription.clone()),
            rg_spoke: ec_id
                .as_ref()
                .map_or_else(|| format!("rg-{p}-spoke"), |r| r.resource_group.clone()),
            rg_shared: format!("rg-{p}-shared"),
            rg_nodes: ec
                .and_then(|e| e.node_resource_group.clone())
                .unwrap_or_else(|| format!("rg-{p}-aks-nodes")),
            vnet_hub: existing
                .as_ref()
                .and_then(|r| r.name.clone())
                .unwrap_or_else(|| format!("vnet-{p}-hub")),
            vnet_spoke: format!("vnet-{p}-spoke"),
            firewall: format!("afw-{p}"),
            firewall_policy: format!("afwp-{p}"),
            bastion: format!("bas-{p}"),
            route_table: format!("rt-{p}-egress"),
            route_table_dc: format!("rt-{p}-dc-egress"),
            route_table_gateway: format!("rt-{p}-gateway"),
            route_table_firewall: format!("rt-{p}-firewall"),
            gateway: format!("vgw-{p}"),
            local_gateway: format!("lgw-{p}-onprem"),
            connection: format!("con-{p}-onprem"),
            nsg_windows: format!("nsg-{p}-windows-nodes"),
            nsg_nodes: format!("nsg-{p}-nodes"),
            nsg_dc: format!("nsg-{p}-domain-controllers"),
            nsg_services: format!("nsg-{p}-services"),
            // Linux VM names: at most 64 characters.
            jump_box: cut(format!("vm-{p}-jumpbox"), 64),
            nsg_jump_box: format!("nsg-{p}-jumpbox"),
            route_table_jump_box: format!("rt-{p}-jumpbox-egress"),
            law: format!("log-{p}"),
            // Key Vault: 3-24 characters, letters, digits, hyphens.
            key_vault,
            key_vault_group: spec.key_vault.resource_group.clone(),
            key_vault_front_door,
            // ACR: 5-50 letters and digits.
            acr,
            id_cluster: format!("id-{p}-aks-cluster"),
            id_kubelet: kubelet
                .as_ref()
                .and_then(|r| r.name.clone())
                .unwrap_or_else(|| format!("id-{p}-aks-kubelet")),
            kubelet_identity_group: kubelet.as_ref().map(|r| r.resource_group.clone()),
            id_dc: format!("id-{p}-dc"),
            cluster,
            dns_prefix: cut(format!("aks-{p}"), 54),
            dcr_windows: format!("dcr-{p}-windows"),
            monitor_workspace: format!("amw-{p}"),
            dce_prometheus: cut(prometheus.clone(), 44),
            dcr_prometheus: cut(prometheus, 64),
            front_door: format!("afd-{p}"),
            // WAF policy names: letters and digits only, starting with a letter.
            waf: cut(format!("waf{alnum}"), 128),
            afd_endpoint,
            pls: format!("pls-{p}"),
            prefix: p,
            shortened,
        }
    }

    /// A domain controller VM's name (Windows computer names: at most 15 characters).
    pub fn dc_vm(&self, i: u32) -> String {
        let base: String = self
            .prefix
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(10)
            .collect();
        format!("{base}dc{}", i + 1)
    }

    /// A workload's own managed identity (workload identity: it reads the workload's
    /// certificate and nothing else). User-assigned identity names take up to 128 characters.
    pub fn workload_identity(&self, workload: &str) -> String {
        cut(format!("id-{}-{}", self.prefix, clean(workload)), 128)
    }
}
