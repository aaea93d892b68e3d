//! akswin-plan owns the network plan: how many addresses each subnet needs (from the CNI
//! mode, pool bounds, surge and maxPods: docs/sources.md), a deterministic, aligned packing of
//! every `auto` subnet into its VNet around explicit subnets and reserved ranges, the
//! headroom at min / max / max + surge, and the addresses akswin assigns (firewall, domain
//! controllers, internal load balancer front ends, DNS servers).
//!
//! The plan is data (serde): rules judge it (NET002-NET005), renderers consume it. This crate
//! must not judge (no findings), print, or touch files.

pub mod alerts;
pub mod calendar;
pub mod cost;
pub mod egress;
pub mod hot_spare;
pub mod ingress;
pub mod ipmath;
pub mod names;
pub mod netsec;
pub mod pool_upgrade;
pub mod resolve;
pub mod scale_out;

use akswin_spec::Spec;
use akswin_spec::spec::{Cni, IngressPath, NodePool, PodIpAllocation, SpokeSubnet};
use akswin_spec::types::{Auto, Cidr, Ip};
use ipmath::{Interval, Taken, prefix_for, prefix_with_headroom, usable};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// Version of the plan artifact (`akswin plan --out plan.json`).
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// Ranges AKS refuses for service, pod and VNet ranges (docs/sources.md); never planned into.
pub const FORBIDDEN_RANGES: [&str; 4] = [
    "169.254.0.0/16",
    "172.30.0.0/16",
    "172.31.0.0/16",
    "192.0.2.0/24",
];

/// Smallest size akswin gives the small service subnets (domain controllers, private
/// endpoints, application proxy connectors, load balancer and Private Link front ends): room
/// for 11 addresses, so a second DC, a geo-replica or a connector needs no re-plan.
pub const SMALL_SUBNET_PREFIX: u8 = 28;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPlan {
    pub schema_version: u32,
    pub cni: Cni,
    pub vnets: Vec<VnetPlan>,
    /// Overlay only: the pod CIDR and how many nodes it holds (a /24 each).
    pub pod_cidr: Option<PodCidrPlan>,
    pub service_cidr: Cidr,
    pub dns_service_ip: Ip,
    pub addresses: Addresses,
    /// Azure Firewall rules, each with its group and sources.
    pub firewall: egress::FirewallPlan,
    /// NSGs and route tables, with every rule resolved to addresses.
    pub netsec: netsec::NetSecPlan,
    /// Node pools as deployed (effective maxPods, maxSurge, OS SKU, subnet).
    pub pools: Vec<resolve::ResolvedPool>,
    /// Workloads as deployed (the pool each runs on, image reference, Windows version).
    pub workloads: Vec<resolve::ResolvedWorkload>,
    /// The Azure name of every resource akswin deploys.
    pub names: names::Names,
    /// Hybrid connectivity (`network.hybrid`): the gateway in the hub and what it connects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hybrid: Option<HybridPlan>,
    /// Every workload with a port and the path users take to it.
    #[serde(default)]
    pub ingress: Vec<ingress::IngressRoute>,
}

/// Whether the VNets resolve through DNS servers on premises, behind hybrid connectivity (they
/// must forward the private DNS zones back to Azure, and the nodes depend on the link).
pub fn dns_on_premises(spec: &Spec, plan: &NetworkPlan) -> bool {
    spec.network.hybrid.is_some()
        && plan
            .addresses
            .dns_servers
            .iter()
            .any(|ip| spec.network.is_on_premises(ip.0))
}

/// The gateway that connects the hub to on-premises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HybridPlan {
    pub kind: akswin_spec::spec::GatewayKind,
    /// The gateway's name (for `existing`: the last segment of `gatewayId`).
    pub gateway: String,
    /// `existing`: the gateway's resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_id: Option<String>,
    /// The SKU akswin deploys (none for `existing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The ranges behind the gateway (`network.onPremises`).
    pub on_premises: Vec<Cidr>,
    /// The GatewaySubnet's prefix, when placed.
    pub gateway_subnet: Option<Cidr>,
}

/// The name of the hub VNet in [`NetworkPlan::vnets`] (peered spokes may not use it).
pub const HUB: &str = "hub";
/// The name of akswin's spoke VNet in [`NetworkPlan::vnets`].
pub const SPOKE: &str = "spoke";

impl NetworkPlan {
    /// A VNet by its role ([`HUB`], [`SPOKE`]) or a peered spoke's name; never by position.
    pub fn vnet(&self, name: &str) -> Option<&VnetPlan> {
        self.vnets.iter().find(|v| v.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VnetPlan {
    /// `hub`, `spoke`, or the name of a peered spoke.
    pub name: String,
    pub address_space: Vec<Cidr>,
    pub subnets: Vec<SubnetPlan>,
    /// Addresses of the address space not used by any subnet.
    pub free_addresses: u64,
    /// The largest aligned free block left (prefix length), if any.
    pub largest_free_block: Option<u8>,
    /// Already there, checked and drawn, never deployed: a spoke of `network.peeredSpokes`,
    /// or the hub of `network.hub.existing`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub existing: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// Written in the spec.
    Explicit,
    /// `auto`, placed by the planner.
    Planned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubnetRole {
    Nodes,
    Pods,
    Firewall,
    Bastion,
    Gateway,
    DomainControllers,
    /// The operators' jump box (hub).
    JumpBox,
    InternalLoadBalancer,
    PrivateLinkService,
    PrivateEndpoints,
    AppProxyConnectors,
    /// A subnet of an existing peered spoke.
    Existing,
}

/// Addresses needed at the pools' minimum, maximum, and maximum plus upgrade surge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Demand {
    pub at_min: u64,
    pub at_max: u64,
    pub at_max_surge: u64,
}

/// Usable minus demand (negative: the subnet is too small).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Headroom {
    pub at_min: i64,
    pub at_max: i64,
    pub at_max_surge: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubnetPlan {
    /// The spec key (`windowsNodes`, `firewall`, ...).
    pub key: String,
    /// The name the subnet gets in Azure.
    pub azure_name: String,
    pub role: SubnetRole,
    /// Where the subnet is declared in the spec.
    pub pointer: String,
    pub origin: Origin,
    /// None when an `auto` subnet could not be placed.
    pub prefix: Option<Cidr>,
    pub usable: Option<u64>,
    pub demand: Demand,
    pub headroom: Option<Headroom>,
    /// The smallest prefix that holds the demand (for nodes: with 20 % headroom).
    pub needed_prefix: Option<u8>,
    /// How the demand was computed.
    pub basis: String,
    /// Pools whose nodes (or pods) live here.
    pub pools: Vec<String>,
    /// Why an `auto` subnet could not be placed, with what would fit.
    pub shortfall: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodCidrPlan {
    pub prefix: Option<Cidr>,
    /// Nodes the pod CIDR holds (a /24 each).
    pub capacity_nodes: u64,
    /// Nodes at max + surge across all pools.
    pub demand_nodes: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Addresses {
    /// Azure Firewall's private IP: the 0.0.0.0/0 next hop of the spoke route table.
    pub firewall_private_ip: Option<Ip>,
    /// Static IPs of new domain controller VMs.
    pub domain_controller_ips: Vec<Ip>,
    /// The spoke VNet's DNS servers (empty: Azure-provided DNS).
    pub dns_servers: Vec<Ip>,
    /// The cluster's `gmsaProfile.dnsServer` (with `rootDomainName`, the AD domain): CoreDNS
    /// forwards the domain to it. `identity.gmsa.dnsServer`, or, when the domain controllers
    /// are outside the planned VNets and `network.dnsServers` is absent, the first of them:
    /// the VNets then keep Azure DNS, so the cluster is created without depending on a link
    /// to on-premises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gmsa_dns_server: Option<Ip>,
    /// The operators' jump box (`cluster.access.path: jumpBox`): the first address of its
    /// subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jump_box_ip: Option<Ip>,
    /// The internal load balancer front end the application proxy targets.
    pub internal_load_balancer_ip: Option<Ip>,
    /// One internal load balancer front end per workload that exposes a port.
    pub workload_load_balancer_ips: Vec<WorkloadIp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadIp {
    pub workload: String,
    pub ip: Ip,
}

/// Extra nodes during an upgrade of a pool at `nodes` nodes, for the maxSurge the pool is
/// deployed with ([`resolve::max_surge`]: its own, else the default akswin renders).
pub fn surge(pool: &NodePool, nodes: u32) -> u32 {
    resolve::surge_nodes(pool, nodes)
}

pub use resolve::max_pods;

/// Node-subnet addresses per node: maxPods + 1 with node-subnet CNI, else 1 (facts §1.3).
pub fn node_ips_per_node(cni: Cni, pool: &NodePool) -> u64 {
    match cni {
        Cni::AzureCniNodeSubnet => u64::from(max_pods(cni, pool)) + 1,
        _ => 1,
    }
}

/// Pod-subnet addresses per node: dynamic allocation hands out batches of 16 up to maxPods;
/// static block allocation reserves /28 blocks for maxPods + 1 (facts §1.3).
pub fn pod_ips_per_node(alloc: PodIpAllocation, max_pods: u32) -> u64 {
    let mp = u64::from(max_pods);
    match alloc {
        PodIpAllocation::Dynamic => mp.div_ceil(16).max(1) * 16,
        PodIpAllocation::StaticBlock => (mp + 1).div_ceil(16) * 16,
    }
}

/// Addresses a set of pools needs, with `per_node` addresses per node.
pub fn demand_of(pools: &[&NodePool], per_node: impl Fn(&NodePool) -> u64) -> Demand {
    let mut d = Demand::default();
    for p in pools {
        let k = per_node(p);
        let (min, max) = (u64::from(p.min_nodes()), u64::from(p.max_nodes()));
        let s = u64::from(surge(p, p.max_nodes()));
        d.at_min += min * k;
        d.at_max += max * k;
        d.at_max_surge += (max + s) * k;
    }
    d
}

fn azure_name(role: SubnetRole, key: &str) -> String {
    match role {
        SubnetRole::Firewall | SubnetRole::Bastion | SubnetRole::Gateway => {
            akswin_facts::special_subnet(key)
                .map_or_else(|| key.to_string(), |s| s.azure_name.to_string())
        }
        _ => {
            let mut s = String::from("snet-");
            for c in key.chars() {
                if c.is_ascii_uppercase() {
                    s.push('-');
                    s.push(c.to_ascii_lowercase());
                } else {
                    s.push(c);
                }
            }
            s
        }
    }
}

/// A hub subnet: key, declared value, role, smallest prefix, demand, basis.
type HubEntry<'a> = (&'a str, &'a Option<Auto<Cidr>>, SubnetRole, u8, u64, String);

struct Request {
    vnet: usize,
    index: usize,
    len: u8,
}

fn host(c: &Cidr, n: u32) -> Ip {
    Ip(Ipv4Addr::from(u32::from(c.first()).saturating_add(n)))
}

/// Plan the network of a spec. Never fails: what cannot be placed is recorded in the
/// subnet's `shortfall` for the rules to report.
pub fn plan(spec: &Spec) -> NetworkPlan {
    let n = &spec.network;
    let cni = n.cni;
    let pools = &spec.cluster.node_pools;

    let mut vnets = vec![
        VnetPlan {
            name: HUB.into(),
            address_space: n.hub.address_space.clone(),
            subnets: Vec::new(),
            free_addresses: 0,
            largest_free_block: None,
            existing: n.hub.existing.is_some(),
        },
        VnetPlan {
            name: SPOKE.into(),
            address_space: n.spoke.address_space.clone(),
            subnets: Vec::new(),
            free_addresses: 0,
            largest_free_block: None,
            existing: false,
        },
    ];

    // ---- hub subnets
    let h = &n.hub.subnets;
    let dcs = spec
        .identity
        .active_directory
        .as_ref()
        .and_then(|ad| ad.domain_controllers.count)
        .unwrap_or(0);
    let fixed = |floor: u8, demand: u64| -> (Demand, Option<u8>) {
        let d = Demand {
            at_min: demand,
            at_max: demand,
            at_max_surge: demand,
        };
        (d, prefix_for(demand).map(|p| p.min(floor)))
    };
    // Azure's names and minimum sizes for these subnets (akswin-facts).
    use akswin_facts::{BASTION_SUBNET, FIREWALL_SUBNET, GATEWAY_SUBNET};
    let hub_entries: [HubEntry<'_>; 5] = [
        (
            "firewall",
            &h.firewall,
            SubnetRole::Firewall,
            FIREWALL_SUBNET.min_prefix,
            0,
            format!(
                "{}: /{} minimum",
                FIREWALL_SUBNET.azure_name, FIREWALL_SUBNET.min_prefix
            ),
        ),
        (
            "bastion",
            &h.bastion,
            SubnetRole::Bastion,
            BASTION_SUBNET.min_prefix,
            0,
            format!(
                "{}: /{} minimum",
                BASTION_SUBNET.azure_name, BASTION_SUBNET.min_prefix
            ),
        ),
        (
            "gateway",
            &h.gateway,
            SubnetRole::Gateway,
            GATEWAY_SUBNET.min_prefix,
            0,
            format!(
                "{}: /{} minimum",
                GATEWAY_SUBNET.azure_name, GATEWAY_SUBNET.min_prefix
            ),
        ),
        (
            "domainControllers",
            &h.domain_controllers,
            SubnetRole::DomainControllers,
            SMALL_SUBNET_PREFIX,
            u64::from(dcs),
            format!("{dcs} domain controller(s), /{SMALL_SUBNET_PREFIX} minimum"),
        ),
        (
            "jumpBox",
            &h.jump_box,
            SubnetRole::JumpBox,
            SMALL_SUBNET_PREFIX,
            1,
            format!("the operators' jump box, /{SMALL_SUBNET_PREFIX} minimum"),
        ),
    ];
    // An existing hub's subnets are the platform team's: akswin plans none there (NET017
    // reports any written under network.hub.subnets).
    let hub_entries = if n.hub.existing.is_some() {
        Vec::new()
    } else {
        hub_entries.to_vec()
    };
    for (key, value, role, floor, demand, basis) in hub_entries {
        let Some(value) = value else { continue };
        let (d, needed) = fixed(floor, demand);
        vnets[0].subnets.push(subnet(
            key,
            "hub",
            role,
            value,
            d,
            needed,
            basis,
            Vec::new(),
        ));
    }

    // ---- spoke subnets
    let s = &n.spoke.subnets;
    for key in SpokeSubnet::ALL {
        let Some(value) = s.get(key) else { continue };
        let (role, demand, needed, basis, names) = match key {
            SpokeSubnet::SystemNodes | SpokeSubnet::LinuxNodes | SpokeSubnet::WindowsNodes => {
                let here: Vec<&NodePool> = pools.iter().filter(|p| p.subnet_key() == key).collect();
                let d = demand_of(&here, |p| node_ips_per_node(cni, p));
                let per = match cni {
                    Cni::AzureCniNodeSubnet => "(nodes + surge) x (maxPods + 1)",
                    _ => "1 address per node (+ surge)",
                };
                let names = here.iter().map(|p| p.name.clone()).collect();
                let basis = format!("{} pool(s): {per}, 20 % headroom", here.len());
                (
                    SubnetRole::Nodes,
                    d,
                    prefix_with_headroom(d.at_max_surge),
                    basis,
                    names,
                )
            }
            SpokeSubnet::Pods => {
                let here: Vec<&NodePool> = pools.iter().collect();
                let d = if cni == Cni::AzureCniPodSubnet {
                    demand_of(&here, |p| {
                        pod_ips_per_node(n.pod_ip_allocation, max_pods(cni, p))
                    })
                } else {
                    Demand::default()
                };
                let basis = match n.pod_ip_allocation {
                    PodIpAllocation::Dynamic => {
                        "pod subnet, dynamic: maxPods in batches of 16 per node"
                    }
                    PodIpAllocation::StaticBlock => {
                        "pod subnet, static block: /28 blocks for maxPods + 1 per node"
                    }
                };
                let names = here.iter().map(|p| p.name.clone()).collect();
                (
                    SubnetRole::Pods,
                    d,
                    prefix_with_headroom(d.at_max_surge),
                    basis.to_string(),
                    names,
                )
            }
            SpokeSubnet::InternalLoadBalancer => {
                let fe = ilb_frontends(spec);
                let (d, p) = fixed(SMALL_SUBNET_PREFIX, fe);
                (
                    SubnetRole::InternalLoadBalancer,
                    d,
                    p,
                    format!("{fe} load balancer front end(s)"),
                    Vec::new(),
                )
            }
            SpokeSubnet::PrivateLinkService => {
                let nat = pls_nat_ips(spec);
                let (d, p) = fixed(SMALL_SUBNET_PREFIX, nat);
                (
                    SubnetRole::PrivateLinkService,
                    d,
                    p,
                    format!("{nat} Private Link Service NAT address(es)"),
                    Vec::new(),
                )
            }
            SpokeSubnet::PrivateEndpoints => {
                let replicas = spec.registry.geo_replicas.len() as u64;
                let pe = 3 + replicas;
                let (d, p) = fixed(SMALL_SUBNET_PREFIX, pe);
                let basis = format!(
                    "ACR (registry + data endpoint per region: {}) + Key Vault",
                    2 + replicas
                );
                (SubnetRole::PrivateEndpoints, d, p, basis, Vec::new())
            }
            SpokeSubnet::AppProxyConnectors => {
                let c = if spec.ingress.app_proxy.enabled {
                    u64::from(spec.ingress.app_proxy.connectors)
                } else {
                    0
                };
                let (d, p) = fixed(SMALL_SUBNET_PREFIX, c);
                (
                    SubnetRole::AppProxyConnectors,
                    d,
                    p,
                    format!("{c} connector VM(s)"),
                    Vec::new(),
                )
            }
        };
        vnets[1].subnets.push(subnet(
            key.key(),
            "spoke",
            role,
            value,
            demand,
            needed,
            basis,
            names,
        ));
    }

    // ---- existing spokes peered to the hub: explicit subnets only, never deployed
    for (i, ps) in n.peered_spokes.iter().enumerate() {
        vnets.push(VnetPlan {
            name: ps.name.clone(),
            address_space: ps.address_space.clone(),
            subnets: ps
                .subnets
                .iter()
                .map(|(name, prefix)| SubnetPlan {
                    key: format!("{}/{name}", ps.name),
                    azure_name: name.clone(),
                    role: SubnetRole::Existing,
                    pointer: format!(
                        "/network/peeredSpokes/{i}/subnets/{}",
                        akswin_diag::escape_pointer_token(name)
                    ),
                    origin: Origin::Explicit,
                    prefix: Some(*prefix),
                    usable: None,
                    demand: Demand::default(),
                    headroom: None,
                    needed_prefix: None,
                    basis: "existing subnet of a peered spoke".into(),
                    pools: Vec::new(),
                    shortfall: None,
                })
                .collect(),
            free_addresses: 0,
            largest_free_block: None,
            existing: true,
        });
    }

    // ---- obstacles shared by every VNet: ranges that must stay free of subnets
    let mut global = Taken::default();
    for c in n
        .on_premises
        .iter()
        .chain(std::iter::once(&n.service_cidr))
        .chain(n.pod_cidr.iter())
    {
        global.add(Interval::of(c));
    }
    for f in FORBIDDEN_RANGES {
        if let Ok(c) = f.parse::<Cidr>() {
            global.add(Interval::of(&c));
        }
    }

    pack(&mut vnets, &global);

    let pod_cidr = (cni == Cni::AzureCniOverlay).then(|| {
        let demand_nodes: u64 = pools
            .iter()
            .map(|p| u64::from(p.max_nodes()) + u64::from(surge(p, p.max_nodes())))
            .sum();
        PodCidrPlan {
            prefix: n.pod_cidr,
            capacity_nodes: n.pod_cidr.map_or(0, |c| {
                if c.prefix_len() <= 24 {
                    1u64 << (24 - u32::from(c.prefix_len()))
                } else {
                    0
                }
            }),
            demand_nodes,
        }
    });

    let addresses = assign_addresses(spec, &vnets);
    let names = names::Names::new(spec);
    let ingress = ingress::routes(spec, &addresses, &names);
    let firewall = egress::firewall(spec, &vnets, &addresses);
    let netsec = netsec::netsec(spec, &vnets, &addresses, &names);
    let hybrid = spec.network.hybrid.as_ref().map(|h| HybridPlan {
        kind: h.gateway,
        gateway: match (&h.gateway, &h.gateway_id) {
            (akswin_spec::spec::GatewayKind::Existing, Some(id)) => id
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string(),
            _ => names.gateway.clone(),
        },
        gateway_id: h.gateway_id.clone(),
        sku: h.effective_sku().map(str::to_string),
        on_premises: n.on_premises.clone(),
        gateway_subnet: vnets
            .iter()
            .flat_map(|v| &v.subnets)
            .find(|s| s.role == SubnetRole::Gateway)
            .and_then(|s| s.prefix),
    });
    NetworkPlan {
        schema_version: PLAN_SCHEMA_VERSION,
        cni,
        vnets,
        pod_cidr,
        service_cidr: n.service_cidr,
        dns_service_ip: n.dns_service_ip,
        addresses,
        firewall,
        netsec,
        pools: resolve::pools(spec),
        workloads: resolve::workloads(spec),
        names,
        hybrid,
        ingress,
    }
}

/// Place every `auto` subnet (those with `origin: Planned` and a `needed_prefix`) into its
/// VNet: largest first, then VNet and declaration order, each at the lowest aligned free block
/// that avoids explicit subnets and the `global` ranges (on-premises, service, pod, forbidden).
/// Then fill in usable addresses, headroom and free space. Deterministic: same input, same
/// output. What cannot be placed gets a `shortfall` explaining what would fit.
pub fn pack(vnets: &mut [VnetPlan], global: &Taken) {
    // ---- pack auto subnets, largest first, then VNet and declaration order
    let mut taken: Vec<Taken> = vnets
        .iter()
        .map(|v| {
            let mut t = global.clone();
            for sn in v.subnets.iter().filter(|s| s.origin == Origin::Explicit) {
                if let Some(p) = sn.prefix {
                    t.add(Interval::of(&p));
                }
            }
            t
        })
        .collect();
    let mut requests: Vec<Request> = Vec::new();
    for (vi, v) in vnets.iter().enumerate() {
        for (si, sn) in v.subnets.iter().enumerate() {
            if sn.origin == Origin::Planned
                && let Some(len) = sn.needed_prefix
            {
                requests.push(Request {
                    vnet: vi,
                    index: si,
                    len,
                });
            }
        }
    }
    requests.sort_by_key(|r| (r.len, r.vnet, r.index));
    for r in &requests {
        let space = vnets[r.vnet].address_space.clone();
        let placed = space
            .iter()
            .find_map(|a| taken[r.vnet].find_block(Interval::of(a), r.len));
        match placed {
            Some(c) => {
                taken[r.vnet].add(Interval::of(&c));
                vnets[r.vnet].subnets[r.index].prefix = Some(c);
            }
            None => {
                let free: u64 = space
                    .iter()
                    .map(|a| taken[r.vnet].free_in(Interval::of(a)))
                    .sum();
                let largest = space
                    .iter()
                    .filter_map(|a| taken[r.vnet].largest_free_block(Interval::of(a)))
                    .min();
                // What the whole VNet would need: every subnet at its size, packed.
                let total: u64 = vnets[r.vnet]
                    .subnets
                    .iter()
                    .map(|s| match (s.origin, s.prefix, s.needed_prefix) {
                        (Origin::Explicit, Some(p), _) => p.size(),
                        (_, _, Some(len)) => 1u64 << (32 - u32::from(len)),
                        _ => 0,
                    })
                    .sum();
                let whole = (0..=32u8)
                    .rev()
                    .find(|l| (1u64 << (32 - u32::from(*l))) >= total)
                    .unwrap_or(0);
                let vname = vnets[r.vnet].name.clone();
                let sn = &mut vnets[r.vnet].subnets[r.index];
                let what = match sn.role {
                    SubnetRole::Nodes | SubnetRole::Pods => {
                        format!("for {} addresses at max + surge", sn.demand.at_max_surge)
                    }
                    _ => format!("({})", sn.basis),
                };
                let room = match (free, largest) {
                    (0, _) => "no free addresses".to_string(),
                    (f, Some(l)) => {
                        format!("{f} free addresses in no aligned block larger than /{l}")
                    }
                    (f, None) => format!("{f} free addresses, none in an aligned block"),
                };
                sn.shortfall = Some(format!(
                    "{} needs a /{} {what}; the {vname} VNet has {room}; its subnets need {total} addresses in all (at least a /{whole} address space)",
                    sn.key, r.len
                ));
            }
        }
    }

    // ---- usable, headroom, free space
    for (vi, v) in vnets.iter_mut().enumerate() {
        for sn in &mut v.subnets {
            if let Some(p) = sn.prefix {
                let u = usable(p.prefix_len());
                sn.usable = Some(u);
                let hr = |d: u64| u as i64 - d as i64;
                sn.headroom = Some(Headroom {
                    at_min: hr(sn.demand.at_min),
                    at_max: hr(sn.demand.at_max),
                    at_max_surge: hr(sn.demand.at_max_surge),
                });
            }
        }
        let mut own = Taken::default();
        for sn in &v.subnets {
            if let Some(p) = sn.prefix {
                own.add(Interval::of(&p));
            }
        }
        v.free_addresses = v
            .address_space
            .iter()
            .map(|a| own.free_in(Interval::of(a)))
            .sum();
        v.largest_free_block = v
            .address_space
            .iter()
            .filter_map(|a| taken[vi].largest_free_block(Interval::of(a)))
            .min();
    }
}

/// A subnet entry before packing.
#[allow(clippy::too_many_arguments)]
pub fn subnet(
    key: &str,
    vnet: &str,
    role: SubnetRole,
    value: &Auto<Cidr>,
    demand: Demand,
    needed: Option<u8>,
    basis: String,
    pools: Vec<String>,
) -> SubnetPlan {
    SubnetPlan {
        key: key.to_string(),
        azure_name: azure_name(role, key),
        role,
        pointer: format!("/network/{vnet}/subnets/{key}"),
        origin: match value {
            Auto::Auto => Origin::Planned,
            Auto::Value(_) => Origin::Explicit,
        },
        prefix: value.value().copied(),
        usable: None,
        demand,
        headroom: None,
        needed_prefix: needed,
        basis,
        pools,
        shortfall: None,
    }
}

/// Internal load balancer front ends: one per workload that exposes a port, at least one.
pub fn ilb_frontends(spec: &Spec) -> u64 {
    (spec.workloads.iter().filter(|w| w.port.is_some()).count() as u64).max(1)
}

/// Private Link Service NAT addresses: one per Service Front Door reaches through Private
/// Link (the annotation's default ip-address-count), at least one.
pub fn pls_nat_ips(spec: &Spec) -> u64 {
    (spec
        .front_door_workloads()
        .filter(|(_, w)| spec.ingress_path(w) == IngressPath::PrivateLink)
        .count() as u64)
        .max(1)
}

fn find<'a>(vnets: &'a [VnetPlan], key: &str) -> Option<&'a SubnetPlan> {
    vnets.iter().flat_map(|v| &v.subnets).find(|s| s.key == key)
}

fn assign_addresses(spec: &Spec, vnets: &[VnetPlan]) -> Addresses {
    // Azure hands out a subnet's addresses from .4 up; the first is predictable.
    let existing_hub = spec.network.existing_hub();
    let mut a = Addresses {
        firewall_private_ip: match existing_hub {
            Some(h) => Some(h.firewall_private_ip),
            None => find(vnets, "firewall")
                .and_then(|s| s.prefix)
                .map(|p| host(&p, 4)),
        },
        ..Addresses::default()
    };
    let dcs = spec
        .identity
        .active_directory
        .as_ref()
        .map(|ad| &ad.domain_controllers);
    let creates = spec
        .identity
        .active_directory
        .as_ref()
        .is_some_and(|ad| ad.creates_dcs());
    if let (Some(dc), Some(p), true) = (
        dcs,
        find(vnets, "domainControllers").and_then(|s| s.prefix),
        creates,
    ) {
        let count = dc.count.unwrap_or(0).min(usable(p.prefix_len()) as u32);
        a.domain_controller_ips = (0..count).map(|i| host(&p, 4 + i)).collect();
    }
    if spec.cluster.access.path == akswin_spec::spec::AccessPath::JumpBox
        && let Some(p) = find(vnets, "jumpBox").and_then(|s| s.prefix)
    {
        a.jump_box_ip = Some(host(&p, 4));
    }
    let existing: Option<Vec<Ip>> = dcs
        .and_then(|d| d.existing.as_ref())
        .map(|e| e.dns_servers.clone());
    // Existing DCs outside every planned VNet (on premises): the nodes keep Azure DNS, which
    // answers the private DNS zones at cluster creation, and gMSA reaches the DCs through
    // gmsaProfile instead of the VNet's DNS.
    let outside = existing.as_ref().is_some_and(|e| {
        !e.is_empty()
            && e.iter().all(|ip| {
                !vnets
                    .iter()
                    .flat_map(|v| &v.address_space)
                    .any(|c| c.net().contains(&ip.0))
            })
    });
    // New domain controllers are promoted after the deployment (`deploy.sh
    // domain-controllers`), so the cluster is created while they answer no DNS: the VNets keep
    // Azure DNS and gMSA reaches the domain through gmsaProfile (the first new DC). The same
    // holds for existing DCs outside every VNet (on premises, behind a link that comes later).
    let new_dcs = !a.domain_controller_ips.is_empty();
    // An existing hub's DNS servers are the landing zone's: they resolve the private DNS zones
    // (linked to the hub) and forward the AD domain.
    let platform_dns = existing_hub
        .map(|h| h.dns_servers.clone())
        .filter(|d| !d.is_empty());
    a.dns_servers = match (&spec.network.dns_servers, platform_dns) {
        (Some(list), _) => list.clone(),
        (None, Some(list)) => list,
        (None, None) if !spec.identity.gmsa.enabled || new_dcs || outside => Vec::new(),
        (None, None) => existing.clone().unwrap_or_default(),
    };
    a.gmsa_dns_server = match spec.identity.gmsa.dns_server {
        Some(ip) => Some(ip),
        None if !spec.identity.gmsa.enabled || spec.network.dns_servers.is_some() => None,
        None if new_dcs => a.domain_controller_ips.first().copied(),
        None if outside => existing.and_then(|e| e.first().copied()),
        None => None,
    };
    let ilb = find(vnets, "internalLoadBalancer").and_then(|s| s.prefix);
    let mut used: Vec<Ip> = spec
        .workloads
        .iter()
        .filter_map(|w| w.load_balancer_ip.and_then(|l| l.value().copied()))
        .collect();
    if let Auto::Value(ip) = spec.ingress.internal_load_balancer.static_ip {
        used.push(ip);
    }
    let mut next = 4u32;
    let mut take = |used: &mut Vec<Ip>| -> Option<Ip> {
        let p = ilb?;
        let last = u32::from(p.last()) - u32::from(p.first());
        while next < last {
            let ip = host(&p, next);
            next += 1;
            if !used.contains(&ip) {
                used.push(ip);
                return Some(ip);
            }
        }
        None
    };
    a.internal_load_balancer_ip = match spec.ingress.internal_load_balancer.static_ip {
        Auto::Value(ip) => Some(ip),
        Auto::Auto => take(&mut used),
    };
    // The first workload without an address of its own is the application proxy's target:
    // it takes the internal load balancer address.
    let mut ilb_given = spec.workloads.iter().any(|w| {
        w.load_balancer_ip.and_then(|l| l.value().copied()) == a.internal_load_balancer_ip
    });
    for w in spec.workloads.iter().filter(|w| w.port.is_some()) {
        let ip = match w.load_balancer_ip {
            Some(Auto::Value(ip)) => Some(ip),
            _ if !ilb_given => {
                ilb_given = true;
                a.internal_load_balancer_ip
            }
            _ => take(&mut used),
        };
        if let Some(ip) = ip {
            a.workload_load_balancer_ips.push(WorkloadIp {
                workload: w.name.clone(),
                ip,
            });
        }
    }
    a
}

#[cfg(test)]
mod tests;
