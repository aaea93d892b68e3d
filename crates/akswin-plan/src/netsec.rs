//! The network security model: every NSG akswin deploys with its rules (sources and
//! destinations resolved to address ranges or service tags) and the subnets it guards, and
//! every route table with its routes and subnets. Renderers turn it into ARM as written; the
//! rules and, later, a flow verifier judge the same data.

use crate::egress::{AKSWIN_NSG_PRIORITY, RuleOrigin, ad_ports};
use crate::names::Names;
use crate::{Addresses, HUB, SPOKE, SubnetRole, VnetPlan};
use akswin_facts::EgressProtocol;
use akswin_spec::Spec;
use akswin_spec::spec::{NsgAccess, SpokeSubnet};
use akswin_spec::types::{Cidr, Ip};
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// Priority of the Windows node NSG's deny of everything else to the domain controllers: after
/// akswin's AD allows (1000+) and room for the user's own allows below it.
pub const DENY_OTHER_TO_DCS_PRIORITY: u32 = 4000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    Allow,
    Deny,
}

/// An NSG rule's protocol, as ARM spells it (`*` is any).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NsgProtocol {
    Tcp,
    Udp,
    Icmp,
    #[serde(rename = "*")]
    Any,
}

impl NsgProtocol {
    /// `tcp`, `UDP`, `icmp` in any case; anything else is any protocol.
    pub fn parse(s: &str) -> NsgProtocol {
        match s.trim().to_ascii_lowercase().as_str() {
            "tcp" => NsgProtocol::Tcp,
            "udp" => NsgProtocol::Udp,
            "icmp" => NsgProtocol::Icmp,
            _ => NsgProtocol::Any,
        }
    }
    pub fn arm_value(self) -> &'static str {
        match self {
            NsgProtocol::Tcp => "Tcp",
            NsgProtocol::Udp => "Udp",
            NsgProtocol::Icmp => "Icmp",
            NsgProtocol::Any => "*",
        }
    }
}

impl From<EgressProtocol> for NsgProtocol {
    fn from(p: EgressProtocol) -> Self {
        match p {
            EgressProtocol::Udp => NsgProtocol::Udp,
            EgressProtocol::Icmp => NsgProtocol::Icmp,
            _ => NsgProtocol::Tcp,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NsgRule {
    pub name: String,
    pub priority: u32,
    pub direction: Direction,
    pub access: Access,
    pub protocol: NsgProtocol,
    /// Address ranges, addresses, service tags or `*`.
    pub sources: Vec<String>,
    pub destinations: Vec<String>,
    /// Destination ports: a port, a `low-high` range, or `*`.
    pub ports: Vec<String>,
    pub origin: RuleOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NsgPlan {
    /// The Azure name.
    pub name: String,
    /// [`HUB`] or [`SPOKE`]: the VNet (and resource group) it is deployed with.
    pub vnet: String,
    /// Spec keys of the subnets it is attached to.
    pub subnets: Vec<String>,
    /// In priority order within each direction.
    pub rules: Vec<NsgRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutePlan {
    pub name: String,
    pub prefix: Cidr,
    /// The virtual appliance (the hub firewall) the route sends traffic to; none: the
    /// internet (next hop type `Internet`).
    #[serde(default)]
    pub next_hop: Option<Ip>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTablePlan {
    pub name: String,
    pub vnet: String,
    pub subnets: Vec<String>,
    pub disable_bgp_route_propagation: bool,
    pub routes: Vec<RoutePlan>,
}

/// NSGs and route tables of the planned network.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetSecPlan {
    pub nsgs: Vec<NsgPlan>,
    pub route_tables: Vec<RouteTablePlan>,
}

impl NetSecPlan {
    /// The NSG attached to a subnet (by spec key).
    pub fn nsg_of(&self, subnet: &str) -> Option<&NsgPlan> {
        self.nsgs
            .iter()
            .find(|n| n.subnets.iter().any(|s| s == subnet))
    }
    /// The route table attached to a subnet (by spec key).
    pub fn route_table_of(&self, subnet: &str) -> Option<&RouteTablePlan> {
        self.route_tables
            .iter()
            .find(|n| n.subnets.iter().any(|s| s == subnet))
    }
}

fn prefix_of(vnets: &[VnetPlan], key: &str) -> Option<Cidr> {
    vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .find(|s| s.key == key)
        .and_then(|s| s.prefix)
}

/// 0.0.0.0/0.
fn default_prefix() -> Cidr {
    Cidr(Ipv4Net::new_assert(Ipv4Addr::UNSPECIFIED, 0))
}

/// Build the NSGs and route tables.
pub fn netsec(spec: &Spec, vnets: &[VnetPlan], a: &Addresses, n: &Names) -> NetSecPlan {
    let mut out = NetSecPlan::default();
    let dc_prefix = prefix_of(vnets, "domainControllers");

    // ---- spoke: Windows nodes (the user's rules, then the AD allowances), other nodes and
    // pods, everything else.
    if let Some(spoke) = vnets.iter().find(|v| v.name == SPOKE) {
        let mut win = NsgPlan {
            name: n.nsg_windows.clone(),
            vnet: SPOKE.into(),
            subnets: Vec::new(),
            rules: Vec::new(),
        };
        let mut nodes = NsgPlan {
            name: n.nsg_nodes.clone(),
            vnet: SPOKE.into(),
            subnets: Vec::new(),
            rules: Vec::new(),
        };
        let mut services = NsgPlan {
            name: n.nsg_services.clone(),
            vnet: SPOKE.into(),
            subnets: Vec::new(),
            rules: Vec::new(),
        };
        for sn in spoke.subnets.iter().filter(|s| s.prefix.is_some()) {
            match (sn.role, sn.key.as_str()) {
                (SubnetRole::Nodes, k) if k == SpokeSubnet::WindowsNodes.key() => &mut win,
                (SubnetRole::Nodes | SubnetRole::Pods, _) => &mut nodes,
                _ => &mut services,
            }
            .subnets
            .push(sn.key.clone());
        }
        // `domainControllers` in a rule: the DC subnet; without one (existing DCs), the first
        // DNS server stands for the DCs.
        let existing: Vec<String> = spec
            .identity
            .active_directory
            .as_ref()
            .and_then(|ad| ad.domain_controllers.existing.as_ref())
            .map(|e| e.dns_servers.iter().map(|i| i.to_string()).collect())
            .unwrap_or_default();
        // Every DC: the DC subnet, else each existing DC (or DNS server) by address.
        let dcs: Vec<String> = match dc_prefix {
            Some(p) => vec![p.to_string()],
            None if !existing.is_empty() => existing,
            None if !a.dns_servers.is_empty() => {
                a.dns_servers.iter().map(|i| i.to_string()).collect()
            }
            None => vec!["VirtualNetwork".into()],
        };
        for r in &spec.egress.nsg_rules {
            win.rules.push(NsgRule {
                name: r.name.clone(),
                priority: r.priority,
                direction: Direction::Outbound,
                access: match r.access {
                    NsgAccess::Allow => Access::Allow,
                    NsgAccess::Deny => Access::Deny,
                },
                protocol: NsgProtocol::parse(&r.protocol),
                sources: vec!["*".into()],
                destinations: match r.destination.trim() {
                    "domainControllers" => dcs.clone(),
                    d => vec![d.to_string()],
                },
                ports: r.ports.clone(),
                origin: RuleOrigin::User,
            });
        }
        if spec.identity.gmsa.enabled && spec.egress.allow_active_directory {
            for (i, f) in ad_ports().iter().enumerate() {
                win.rules.push(NsgRule {
                    name: format!(
                        "allow-ad-{}-{}",
                        f.protocol.as_str().to_ascii_lowercase(),
                        f.port
                    ),
                    priority: AKSWIN_NSG_PRIORITY + i as u32,
                    direction: Direction::Outbound,
                    access: Access::Allow,
                    protocol: f.protocol.into(),
                    sources: vec!["*".into()],
                    destinations: dcs.clone(),
                    ports: vec![f.port.clone()],
                    origin: RuleOrigin::Akswin,
                });
            }
        }
        // The Windows nodes reach the domain controllers on the AD ports above and nothing
        // else: without this deny, the default AllowVnetOutBound would let everything through
        // and the allows would mean nothing.
        if spec.identity.gmsa.enabled
            && spec.egress.allow_active_directory
            && !dcs.iter().any(|d| d == "VirtualNetwork")
        {
            win.rules.push(NsgRule {
                name: "deny-other-to-domain-controllers".into(),
                priority: DENY_OTHER_TO_DCS_PRIORITY,
                direction: Direction::Outbound,
                access: Access::Deny,
                protocol: NsgProtocol::Any,
                sources: vec!["*".into()],
                destinations: dcs.clone(),
                ports: vec!["*".into()],
                origin: RuleOrigin::Akswin,
            });
        }
        win.rules.sort_by_key(|r| r.priority);
        out.nsgs.extend([win, nodes, services]);

        if let Some(ip) = a.firewall_private_ip {
            let subnets = spoke
                .subnets
                .iter()
                .filter(|s| {
                    s.prefix.is_some()
                        && matches!(
                            s.role,
                            SubnetRole::Nodes | SubnetRole::Pods | SubnetRole::AppProxyConnectors
                        )
                })
                .map(|s| s.key.clone())
                .collect();
            out.route_tables.push(RouteTablePlan {
                name: n.route_table.clone(),
                vnet: SPOKE.into(),
                subnets,
                disable_bgp_route_propagation: true,
                routes: vec![RoutePlan {
                    name: "default-via-hub-firewall".into(),
                    prefix: default_prefix(),
                    next_hop: Some(ip),
                }],
            });
        }
    }

    // ---- hub: new domain controllers leave through the firewall too. Their subnet is private
    // (no default outbound access from Microsoft.Network 2025-07-01), so without this route
    // they reach no Windows Update and no KMS.
    let new_dcs = spec
        .identity
        .active_directory
        .as_ref()
        .is_some_and(|ad| ad.creates_dcs());
    if let (true, Some(_), Some(ip)) = (new_dcs, dc_prefix, a.firewall_private_ip) {
        out.route_tables.push(RouteTablePlan {
            name: n.route_table_dc.clone(),
            vnet: HUB.into(),
            subnets: vec!["domainControllers".into()],
            // Off: with a gateway in the hub, learned on-premises routes (longer than 0/0)
            // would send the DCs' replies to on-premises around the firewall, which saw the
            // request (the GatewaySubnet routes it there) and drops the asymmetric flow.
            disable_bgp_route_propagation: true,
            routes: vec![RoutePlan {
                name: "default-via-firewall".into(),
                prefix: default_prefix(),
                next_hop: Some(ip),
            }],
        });
    }

    // ---- hub: the operators' jump box leaves through the firewall too (its subnet is private
    // like the DCs'); the VNets' own ranges stay on the peering routes.
    let jump_prefix = prefix_of(vnets, "jumpBox");
    if let (true, Some(_), Some(ip)) = (
        spec.cluster.access.path == akswin_spec::spec::AccessPath::JumpBox,
        jump_prefix,
        a.firewall_private_ip,
    ) {
        out.route_tables.push(RouteTablePlan {
            name: n.route_table_jump_box.clone(),
            vnet: HUB.into(),
            subnets: vec!["jumpBox".into()],
            disable_bgp_route_propagation: true,
            routes: vec![RoutePlan {
                name: "default-via-firewall".into(),
                prefix: default_prefix(),
                next_hop: Some(ip),
            }],
        });
    }

    // ---- hub: the GatewaySubnet. Traffic from on-premises to the spoke (and to the DCs)
    // goes through the firewall, as the traffic towards on-premises does: both directions are
    // inspected and the firewall sees both halves of every flow. BGP propagation must stay on
    // here, and a 0.0.0.0/0 route is not supported on this subnet.
    let gw_prefix = prefix_of(vnets, akswin_facts::GATEWAY_SUBNET.key);
    if let (Some(_), Some(_), Some(ip)) = (
        spec.network.hybrid.as_ref(),
        gw_prefix,
        a.firewall_private_ip,
    ) {
        let mut routes: Vec<RoutePlan> = vnets
            .iter()
            .filter(|v| v.name == SPOKE)
            .flat_map(|v| &v.address_space)
            .enumerate()
            .map(|(i, c)| RoutePlan {
                name: format!("spoke-{}-via-firewall", i + 1),
                prefix: *c,
                next_hop: Some(ip),
            })
            .collect();
        if let (true, Some(dc)) = (new_dcs, dc_prefix) {
            routes.push(RoutePlan {
                name: "domain-controllers-via-firewall".into(),
                prefix: dc,
                next_hop: Some(ip),
            });
        }
        out.route_tables.push(RouteTablePlan {
            name: n.route_table_gateway.clone(),
            vnet: HUB.into(),
            subnets: vec![akswin_facts::GATEWAY_SUBNET.key.into()],
            disable_bgp_route_propagation: false,
            routes,
        });
    }

    // ---- hub: the firewall's subnet. With a gateway, a default route learned over BGP
    // (forced tunneling from on-premises) would take the firewall's internet access away; a
    // user route to the internet overrides it. BGP stays on: the firewall needs the routes to
    // on-premises.
    if spec.network.hybrid.is_some()
        && prefix_of(vnets, akswin_facts::FIREWALL_SUBNET.key).is_some()
    {
        out.route_tables.push(RouteTablePlan {
            name: n.route_table_firewall.clone(),
            vnet: HUB.into(),
            subnets: vec![akswin_facts::FIREWALL_SUBNET.key.into()],
            disable_bgp_route_propagation: false,
            routes: vec![RoutePlan {
                name: "default-to-internet".into(),
                prefix: default_prefix(),
                next_hop: None,
            }],
        });
    }

    // ---- hub: the domain controllers' subnet.
    if let Some(dc) = dc_prefix {
        let dc_s = dc.to_string();
        let mut rules = Vec::new();
        let mut push = |name: String,
                        priority: u32,
                        protocol: NsgProtocol,
                        sources: Vec<String>,
                        port: &str,
                        access: Access| {
            rules.push(NsgRule {
                name,
                priority,
                direction: Direction::Inbound,
                access,
                protocol,
                sources,
                destinations: vec![dc_s.clone()],
                ports: vec![port.into()],
                origin: RuleOrigin::Akswin,
            });
        };
        // Who talks AD to the DCs: Windows nodes (gMSA, Kerberos), the application proxy
        // connectors (Kerberos constrained delegation), on-premises DCs and clients.
        let on_prem: Vec<String> = spec
            .network
            .on_premises
            .iter()
            .map(|c| c.to_string())
            .collect();
        let sources: Vec<(&str, u32, Vec<String>)> = [
            (
                "ad",
                1000,
                prefix_of(vnets, SpokeSubnet::WindowsNodes.key()).map(|p| vec![p.to_string()]),
            ),
            (
                "ad-connectors",
                1100,
                prefix_of(vnets, SpokeSubnet::AppProxyConnectors.key())
                    .map(|p| vec![p.to_string()]),
            ),
            // Only with hybrid connectivity can anything on premises reach the hub.
            (
                "ad-onprem",
                1200,
                (spec.network.hybrid.is_some() && !on_prem.is_empty()).then_some(on_prem),
            ),
        ]
        .into_iter()
        .filter_map(|(k, p, src)| src.map(|s| (k, p, s)))
        .collect();
        for (key, base, src) in sources {
            // On-premises domain controllers also keep time with these (W32Time).
            let rows = if key == "ad-onprem" {
                crate::egress::dc_rows()
            } else {
                ad_ports()
            };
            // DNS comes in through allow-dns-* below (every subnet resolves through the DCs).
            for (i, f) in rows.iter().filter(|f| f.port != "53").enumerate() {
                push(
                    format!(
                        "allow-{key}-{}-{}",
                        f.protocol.as_str().to_ascii_lowercase(),
                        crate::egress::port_label(&f.port)
                    ),
                    base + i as u32,
                    f.protocol.into(),
                    src.clone(),
                    &f.port,
                    Access::Allow,
                );
            }
        }
        // Replication between the DCs: every port.
        push(
            "allow-dc-to-dc".into(),
            1300,
            NsgProtocol::Any,
            vec![dc_s.clone()],
            "*",
            Access::Allow,
        );
        // The spoke's and the hub's DNS servers are the DCs: every subnet resolves through
        // them (nodes, CoreDNS upstream, private endpoint lookups).
        // With hybrid connectivity, on-premises DNS servers forward to them too (the
        // conditional forwarders the rendered README lists).
        let mut vnet_ranges: Vec<String> = vnets
            .iter()
            .filter(|v| !v.existing)
            .flat_map(|v| v.address_space.iter().map(|c| c.to_string()))
            .collect();
        if spec.network.hybrid.is_some() {
            vnet_ranges.extend(spec.network.on_premises.iter().map(|c| c.to_string()));
        }
        push(
            "allow-dns-tcp".into(),
            1310,
            NsgProtocol::Tcp,
            vnet_ranges.clone(),
            "53",
            Access::Allow,
        );
        push(
            "allow-dns-udp".into(),
            1311,
            NsgProtocol::Udp,
            vnet_ranges,
            "53",
            Access::Allow,
        );
        if let Some(b) = prefix_of(vnets, akswin_facts::BASTION_SUBNET.key) {
            push(
                "allow-bastion-rdp".into(),
                1320,
                NsgProtocol::Tcp,
                vec![b.to_string()],
                "3389",
                Access::Allow,
            );
        }
        // Everything else from the virtual networks (and whatever is peered or connected) is
        // refused; the default AllowVnetInBound (65000) would otherwise let it in.
        push(
            "deny-vnet-inbound".into(),
            4096,
            NsgProtocol::Any,
            vec!["VirtualNetwork".into()],
            "*",
            Access::Deny,
        );
        out.nsgs.push(NsgPlan {
            name: n.nsg_dc.clone(),
            vnet: HUB.into(),
            subnets: vec!["domainControllers".into()],
            rules,
        });
    }

    // ---- hub: the jump box's subnet: SSH from Bastion, nothing else from the networks.
    if let Some(j) = jump_prefix {
        let dest = vec![j.to_string()];
        let mut rules = Vec::new();
        if let Some(b) = prefix_of(vnets, akswin_facts::BASTION_SUBNET.key) {
            rules.push(NsgRule {
                name: "allow-bastion-ssh".into(),
                priority: 1000,
                direction: Direction::Inbound,
                access: Access::Allow,
                protocol: NsgProtocol::Tcp,
                sources: vec![b.to_string()],
                destinations: dest.clone(),
                ports: vec!["22".into()],
                origin: RuleOrigin::Akswin,
            });
        }
        rules.push(NsgRule {
            name: "deny-vnet-inbound".into(),
            priority: 4096,
            direction: Direction::Inbound,
            access: Access::Deny,
            protocol: NsgProtocol::Any,
            sources: vec!["VirtualNetwork".into()],
            destinations: dest,
            ports: vec!["*".into()],
            origin: RuleOrigin::Akswin,
        });
        out.nsgs.push(NsgPlan {
            name: n.nsg_jump_box.clone(),
            vnet: HUB.into(),
            subnets: vec!["jumpBox".into()],
            rules,
        });
    }
    out
}
