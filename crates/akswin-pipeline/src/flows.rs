//! The flow verifier: every flow of the catalogue (akswin-facts `data/flows.csv`) walked through
//! the rendered network, read from the ARM templates `render` writes (not from the plan's model):
//! the source subnet's NSG (outbound), its route table and the system routes (longest prefix; a
//! user route wins a tie), default outbound access by api-version and subnet property, the hub
//! firewall's policy (network rules first, then application rules, by priority), and the
//! destination subnet's NSG (inbound). Each flow ends allowed, dropped (where, and by what or for
//! want of what) or unknown (what could not be resolved): unknown is never counted as allowed.
//! With an existing hub, `arm/hub-side.json` is read as deployed and the hub itself is modelled
//! from the spec (its ranges, its firewall's address, system routes); what only the platform
//! team's network decides (its own subnets, an appliance akswin writes no rules for) ends as
//! the platform team's, named, never counted as allowed by akswin.
//!
//! What it does not model yet (issue 12 continues): gateways and BGP routes (destinations on
//! premises are unknown), DNAT rules, IP groups, NAT gateways, service tags as destinations other
//! than `Internet` and `VirtualNetwork`, and the Kubernetes side of the internal load balancer.

use akswin_facts::{EgressKind, FlowExpect, FlowRow, facts};
use akswin_plan::NetworkPlan;
use akswin_spec::Spec;
use ipnet::Ipv4Net;
use serde::Serialize;
use serde_json::Value;
use std::net::Ipv4Addr;

/// The outcome of one flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "verdict")]
pub enum Verdict {
    /// Every hop lets it through; `path` names them.
    Allowed { path: Vec<String> },
    /// Refused at `at` because of `why`.
    Dropped { at: String, why: String },
    /// Not decided: `what` could not be resolved.
    Unknown { what: String },
    /// Decided by the part of the network the platform team owns (an existing hub's
    /// firewall without a policy akswin writes to, or its own subnets): `what`, up to there.
    Platform { what: String },
}

/// One flow of the catalogue, instantiated for this spec, and what the network does with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowResult {
    pub id: String,
    /// The source role and the subnet it resolved to.
    pub from: String,
    /// The destination as written for a person: host, tag or address, with protocol and port.
    pub to: String,
    pub expect: String,
    pub verdict: Verdict,
    /// The spec field a finding points at.
    pub field: String,
    pub why: String,
    pub source: String,
}

impl FlowResult {
    /// The row the report shows.
    pub fn report(&self) -> akswin_render::report::ReportFlow {
        akswin_render::report::ReportFlow {
            id: self.id.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            expect: self.expect.clone(),
            outcome: match &self.verdict {
                Verdict::Allowed { path } => format!("allowed: {}", path.join(" > ")),
                Verdict::Dropped { at, why } => format!("dropped at {at}: {why}"),
                Verdict::Unknown { what } => format!("unknown: {what}"),
                Verdict::Platform { what } => format!("the platform team's: {what}"),
            },
            ok: self.ok() || matches!(self.verdict, Verdict::Platform { .. }),
        }
    }

    /// Whether the network does what the catalogue expects.
    pub fn ok(&self) -> bool {
        matches!(
            (&self.verdict, self.expect.as_str()),
            (Verdict::Allowed { .. }, "allow") | (Verdict::Dropped { .. }, "deny")
        )
    }
}

// ---------------------------------------------------------------------------------- the model

#[derive(Debug, Clone)]
struct Subnet {
    vnet: String,
    name: String,
    prefix: Ipv4Net,
    nsg: Option<String>,
    route_table: Option<String>,
    /// `defaultOutboundAccess` as written.
    default_outbound: Option<bool>,
    nat_gateway: bool,
}

#[derive(Debug, Clone)]
struct Vnet {
    name: String,
    api: String,
    spaces: Vec<Ipv4Net>,
}

#[derive(Debug, Clone)]
struct NsgRule {
    name: String,
    priority: u64,
    inbound: bool,
    allow: bool,
    protocol: String,
    sources: Vec<String>,
    destinations: Vec<String>,
    ports: Vec<String>,
}

#[derive(Debug, Clone)]
struct Route {
    prefix: Ipv4Net,
    next_hop: String,
    next_ip: Option<Ipv4Addr>,
}

#[derive(Debug, Clone)]
struct FwRule {
    collection: String,
    order: (u64, u64),
    allow: bool,
    network: bool,
    sources: Vec<String>,
    protocols: Vec<String>,
    /// Network rules: addresses; application rules: unused.
    addresses: Vec<String>,
    fqdns: Vec<String>,
    tags: Vec<String>,
    /// Network rules: ports; application rules: `Https:443`.
    ports: Vec<String>,
}

#[derive(Debug, Clone)]
struct Peering {
    local: String,
    remote: String,
    access: bool,
    gateway_transit: bool,
    use_remote_gateways: bool,
    forwarded_traffic: bool,
}

#[derive(Debug, Default)]
struct Net {
    vnets: Vec<Vnet>,
    subnets: Vec<Subnet>,
    nsgs: Vec<(String, Vec<NsgRule>)>,
    route_tables: Vec<(String, Vec<Route>)>,
    /// Route tables with `disableBgpRoutePropagation: true`.
    bgp_off: Vec<String>,
    peerings: Vec<Peering>,
    /// VNets with a virtual network gateway: one in the templates, or one a peering's
    /// `useRemoteGateways` requires (ARM refuses that flag when the remote VNet has none).
    gateways: Vec<String>,
    /// Address prefixes of local network gateways (the on-premises side of a VPN).
    local_prefixes: Vec<Ipv4Net>,
    firewall_ip: Option<Ipv4Addr>,
    firewall_dns_proxy: bool,
    fw_rules: Vec<FwRule>,
    /// Private IPs of NICs, by subnet name.
    nic_ips: Vec<(String, Ipv4Addr)>,
    /// Private endpoints: (group id, subnet name).
    private_endpoints: Vec<(String, String)>,
    /// An existing hub (`network.hub.existing`) whose firewall's rules akswin does not write
    /// (no `firewallPolicyId`): what crosses it is the platform team's to allow.
    platform_firewall: bool,
    /// An existing hub's address space: its subnets and NSGs are the platform team's.
    platform_spaces: Vec<Ipv4Net>,
}

/// The single-quoted literals of an expression, in order.
fn literals(expr: &str) -> Vec<String> {
    expr.split('\'')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, x)| x.to_string())
        .collect()
}

/// The last single-quoted literal of an expression: the name a `resourceId(...)` ends with.
fn last_literal(expr: &str) -> Option<String> {
    let mut out = None;
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            let mut lit = String::new();
            loop {
                match chars.next() {
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        chars.next();
                        lit.push('\'');
                    }
                    Some('\'') | None => break,
                    Some(x) => lit.push(x),
                }
            }
            out = Some(lit);
        }
    }
    out
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// A property written in the singular or the plural.
fn one_or_many(props: &Value, one: &str, many: &str) -> Vec<String> {
    match props[one].as_str() {
        Some(s) => vec![s.to_string()],
        None => strs(&props[many]),
    }
}

fn walk(resources: &Value, net: &mut Net) {
    let mut policies: Vec<(String, bool)> = Vec::new();
    for r in resources.as_array().into_iter().flatten() {
        let ty = r["type"].as_str().unwrap_or_default().to_ascii_lowercase();
        let name = r["name"].as_str().unwrap_or_default().to_string();
        let p = &r["properties"];
        match ty.as_str() {
            "microsoft.resources/deployments" => walk(&p["template"]["resources"], net),
            "microsoft.network/virtualnetworks" => {
                net.vnets.push(Vnet {
                    name: name.clone(),
                    api: r["apiVersion"].as_str().unwrap_or_default().to_string(),
                    spaces: strs(&p["addressSpace"]["addressPrefixes"])
                        .iter()
                        .filter_map(|c| c.parse().ok())
                        .collect(),
                });
                for sn in p["subnets"].as_array().into_iter().flatten() {
                    let sp = &sn["properties"];
                    let Some(prefix) = sp["addressPrefix"].as_str().and_then(|c| c.parse().ok())
                    else {
                        continue;
                    };
                    net.subnets.push(Subnet {
                        vnet: name.clone(),
                        name: sn["name"].as_str().unwrap_or_default().to_string(),
                        prefix,
                        nsg: sp["networkSecurityGroup"]["id"]
                            .as_str()
                            .and_then(last_literal),
                        route_table: sp["routeTable"]["id"].as_str().and_then(last_literal),
                        default_outbound: sp["defaultOutboundAccess"].as_bool(),
                        nat_gateway: !sp["natGateway"].is_null(),
                    });
                }
            }
            "microsoft.network/networksecuritygroups" => {
                let rules = p["securityRules"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|x| {
                        let q = &x["properties"];
                        NsgRule {
                            name: x["name"].as_str().unwrap_or_default().to_string(),
                            priority: q["priority"].as_u64().unwrap_or(u64::MAX),
                            inbound: q["direction"] == "Inbound",
                            allow: q["access"] == "Allow",
                            protocol: q["protocol"].as_str().unwrap_or("*").to_string(),
                            sources: one_or_many(q, "sourceAddressPrefix", "sourceAddressPrefixes"),
                            destinations: one_or_many(
                                q,
                                "destinationAddressPrefix",
                                "destinationAddressPrefixes",
                            ),
                            ports: one_or_many(q, "destinationPortRange", "destinationPortRanges"),
                        }
                    })
                    .collect();
                net.nsgs.push((name, rules));
            }
            "microsoft.network/routetables" => {
                let routes = p["routes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|x| {
                        let q = &x["properties"];
                        Some(Route {
                            prefix: q["addressPrefix"].as_str()?.parse().ok()?,
                            next_hop: q["nextHopType"].as_str().unwrap_or_default().to_string(),
                            next_ip: q["nextHopIpAddress"].as_str().and_then(|i| i.parse().ok()),
                        })
                    })
                    .collect();
                if p["disableBgpRoutePropagation"].as_bool() == Some(true) {
                    net.bgp_off.push(name.clone());
                }
                net.route_tables.push((name, routes));
            }
            "microsoft.network/virtualnetworks/virtualnetworkpeerings" => {
                // An expression names the VNet in its last literal; a literal id (a VNet in
                // another subscription: an existing hub) in its last segment.
                let remote_of = |id: &str| {
                    if id.starts_with('[') {
                        last_literal(id)
                    } else {
                        id.rsplit('/').next().map(str::to_string)
                    }
                };
                if let (Some(local), Some(remote)) = (
                    name.split('/').next(),
                    p["remoteVirtualNetwork"]["id"].as_str().and_then(remote_of),
                ) {
                    net.peerings.push(Peering {
                        local: local.to_string(),
                        remote,
                        access: p["allowVirtualNetworkAccess"].as_bool().unwrap_or(true),
                        gateway_transit: p["allowGatewayTransit"].as_bool().unwrap_or(false),
                        use_remote_gateways: p["useRemoteGateways"].as_bool().unwrap_or(false),
                        forwarded_traffic: p["allowForwardedTraffic"].as_bool().unwrap_or(false),
                    });
                }
            }
            "microsoft.network/azurefirewalls" => {
                // Azure gives the firewall the first address it hands out in its subnet (.4).
                let subnet = p["ipConfigurations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find_map(|c| {
                        c["properties"]["subnet"]["id"]
                            .as_str()
                            .and_then(last_literal)
                    });
                if subnet.as_deref() == Some(akswin_facts::FIREWALL_SUBNET.azure_name) {
                    net.firewall_ip = Some(Ipv4Addr::UNSPECIFIED); // resolved after the walk
                }
            }
            "microsoft.network/firewallpolicies" => {
                policies.push((
                    name,
                    p["dnsSettings"]["enableProxy"].as_bool().unwrap_or(false),
                ));
            }
            "microsoft.network/firewallpolicies/rulecollectiongroups" => {
                let group_priority = p["priority"].as_u64().unwrap_or(u64::MAX);
                for c in p["ruleCollections"].as_array().into_iter().flatten() {
                    let order = (group_priority, c["priority"].as_u64().unwrap_or(u64::MAX));
                    let allow = c["action"]["type"] == "Allow";
                    let collection = c["name"].as_str().unwrap_or_default().to_string();
                    for rule in c["rules"].as_array().into_iter().flatten() {
                        let network = rule["ruleType"] == "NetworkRule";
                        net.fw_rules.push(FwRule {
                            collection: format!("{name}/{collection}"),
                            order,
                            allow,
                            network,
                            sources: strs(&rule["sourceAddresses"]),
                            protocols: if network {
                                strs(&rule["ipProtocols"])
                            } else {
                                rule["protocols"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .map(|x| {
                                        format!(
                                            "{}:{}",
                                            x["protocolType"].as_str().unwrap_or_default(),
                                            x["port"].as_u64().unwrap_or(0)
                                        )
                                    })
                                    .collect()
                            },
                            addresses: strs(&rule["destinationAddresses"]),
                            fqdns: if network {
                                strs(&rule["destinationFqdns"])
                            } else {
                                strs(&rule["targetFqdns"])
                            },
                            tags: strs(&rule["fqdnTags"]),
                            ports: strs(&rule["destinationPorts"]),
                        });
                    }
                }
            }
            "microsoft.network/virtualnetworkgateways" => {
                // The VNet is the one whose GatewaySubnet the configuration names:
                // resourceId('Microsoft.Network/virtualNetworks/subnets', VNET, 'GatewaySubnet').
                for c in p["ipConfigurations"].as_array().into_iter().flatten() {
                    if let Some(id) = c["properties"]["subnet"]["id"].as_str()
                        && let Some(vnet) = literals(id).iter().rev().nth(1)
                        && !net.gateways.contains(vnet)
                    {
                        net.gateways.push(vnet.clone());
                    }
                }
            }
            "microsoft.network/privateendpoints" => {
                if let Some(subnet) = p["subnet"]["id"].as_str().and_then(last_literal) {
                    for c in p["privateLinkServiceConnections"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        for g in strs(&c["properties"]["groupIds"]) {
                            net.private_endpoints.push((g, subnet.clone()));
                        }
                    }
                }
            }
            "microsoft.network/localnetworkgateways" => {
                net.local_prefixes.extend(
                    strs(&p["localNetworkAddressSpace"]["addressPrefixes"])
                        .iter()
                        .filter_map(|c| c.parse::<Ipv4Net>().ok()),
                );
            }
            "microsoft.network/networkinterfaces" => {
                for c in p["ipConfigurations"].as_array().into_iter().flatten() {
                    let q = &c["properties"];
                    if let (Some(sn), Some(ip)) = (
                        q["subnet"]["id"].as_str().and_then(last_literal),
                        q["privateIPAddress"].as_str().and_then(|i| i.parse().ok()),
                    ) {
                        net.nic_ips.push((sn, ip));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some((_, proxy)) = policies.first() {
        net.firewall_dns_proxy = *proxy;
    }
}

/// Read the network out of the rendered templates.
fn read(spec: &Spec, plan: &NetworkPlan, tree: &akswin_render::Tree) -> Option<Net> {
    let main: Value = serde_json::from_str(tree.files.get("arm/main.json")?).ok()?;
    let mut net = Net::default();
    walk(&main["resources"], &mut net);
    // An existing hub: its side (hub-side.json, for the platform team) as if deployed, and
    // the hub itself as the spec declares it: its ranges, and the firewall at its address.
    if let Some(h) = spec.network.existing_hub() {
        let n = &plan.names;
        if let Some(t) = tree
            .files
            .get("arm/hub-side.json")
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
        {
            walk(&t["resources"], &mut net);
        }
        for p in &mut net.peerings {
            if p.remote == "spokeVnetId" {
                p.remote = n.vnet_spoke.clone();
            }
        }
        let spaces: Vec<Ipv4Net> = spec
            .network
            .hub
            .address_space
            .iter()
            .map(|c| c.net())
            .collect();
        net.vnets.push(Vnet {
            name: n.vnet_hub.clone(),
            api: String::new(),
            spaces: spaces.clone(),
        });
        let fw = h.firewall_private_ip.0;
        // The firewall forwards along its own subnet's routes: system routes only (the hub,
        // its peerings, the gateway's), as in a landing zone hub.
        net.subnets.push(Subnet {
            vnet: n.vnet_hub.clone(),
            name: akswin_facts::FIREWALL_SUBNET.azure_name.into(),
            prefix: Ipv4Net::from(fw),
            nsg: None,
            route_table: None,
            default_outbound: None,
            nat_gateway: false,
        });
        net.firewall_ip = Some(fw);
        // deploy.sh checks that the policy's DNS proxy is on before it deploys (network
        // rules with FQDNs need it).
        net.firewall_dns_proxy = h.firewall_policy().is_some();
        net.platform_firewall = h.firewall_policy().is_none();
        net.platform_spaces = spaces;
    }
    // The rules deploy.sh opens only while it promotes the domain controllers (the flows
    // that need them say so: `dc-run-command`).
    if let Some(p) = tree
        .files
        .get("arm/promotion-egress.json")
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
    {
        walk(&p["resources"], &mut net);
    }
    // A firewall of the templates: Azure gives it the first address it hands out in its subnet.
    if net.firewall_ip == Some(Ipv4Addr::UNSPECIFIED) {
        net.firewall_ip = net
            .subnets
            .iter()
            .find(|s| s.name == akswin_facts::FIREWALL_SUBNET.azure_name)
            .map(|s| Ipv4Addr::from(u32::from(s.prefix.network()) + 4));
    }
    net.fw_rules.sort_by_key(|r| (!r.network, r.order));
    for p in net.peerings.clone() {
        if p.use_remote_gateways && !net.gateways.contains(&p.remote) {
            net.gateways.push(p.remote.clone());
        }
    }
    Some(net)
}

// ------------------------------------------------------------------------------ evaluation

/// Where a flow goes: an address, or a public host (an FQDN or an FQDN tag).
#[derive(Debug, Clone)]
enum Dest {
    Ip(Ipv4Addr),
    Host(String),
    /// An FQDN tag (application rules).
    Tag(String),
    /// A service tag (network rules): Azure's address ranges for a service.
    ServiceTag(String),
    /// A destination the templates do not deploy (why).
    Missing(String),
}

#[derive(Debug, Clone)]
struct Probe {
    protocol: String,
    port: u16,
    dest: Dest,
}

fn port_matches(spec: &str, port: u16) -> bool {
    let t = spec.trim();
    if t == "*" {
        return true;
    }
    match t.split_once('-') {
        Some((a, b)) => {
            a.trim().parse::<u16>().is_ok_and(|a| a <= port)
                && b.trim().parse::<u16>().is_ok_and(|b| port <= b)
        }
        None => t.parse::<u16>() == Ok(port),
    }
}

fn transport(protocol: &str) -> &'static str {
    match protocol.to_ascii_lowercase().as_str() {
        "udp" => "udp",
        "icmp" => "icmp",
        _ => "tcp", // Http, Https and TCP all ride on TCP
    }
}

impl Net {
    fn vnet(&self, name: &str) -> Option<&Vnet> {
        self.vnets.iter().find(|v| v.name == name)
    }
    fn routes(&self, table: &str) -> &[Route] {
        self.route_tables
            .iter()
            .find(|(n, _)| n == table)
            .map_or(&[], |(_, r)| r.as_slice())
    }
    fn nsg(&self, name: &str) -> Option<&[NsgRule]> {
        self.nsgs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.as_slice())
    }
    /// The peering from `local` to `remote`, when both sides allow access.
    fn peering(&self, local: &str, remote: &str) -> Option<(&Peering, &Peering)> {
        let there = self
            .peerings
            .iter()
            .find(|p| p.access && p.local == local && p.remote == remote)?;
        let back = self
            .peerings
            .iter()
            .find(|p| p.access && p.local == remote && p.remote == local)?;
        Some((there, back))
    }
    /// VNets peered from `vnet` with access allowed both ways.
    fn peered(&self, vnet: &str) -> Vec<&Vnet> {
        self.peerings
            .iter()
            .filter(|p| p.local == vnet && self.peering(vnet, &p.remote).is_some())
            .filter_map(|p| self.vnet(&p.remote))
            .collect()
    }
    /// The VNet whose gateway a subnet of `vnet` learns routes from: its own, or a peered
    /// one's through gateway transit (useRemoteGateways here, allowGatewayTransit there).
    fn gateway_for(&self, vnet: &str) -> Option<&str> {
        if let Some(own) = self.gateways.iter().find(|g| *g == vnet) {
            return Some(own.as_str());
        }
        self.peerings
            .iter()
            .filter(|p| p.local == vnet && p.use_remote_gateways)
            .find(|p| {
                self.gateways.contains(&p.remote)
                    && self
                        .peering(vnet, &p.remote)
                        .is_some_and(|(_, back)| back.gateway_transit)
            })
            .map(|p| p.remote.as_str())
    }
    /// The `VirtualNetwork` service tag seen from `vnet`: its address space, peered VNets and
    /// the prefixes of user-defined routes on its subnets (Learn: service tags).
    fn virtual_network(&self, vnet: &str) -> Vec<Ipv4Net> {
        let mut out: Vec<Ipv4Net> = self
            .vnet(vnet)
            .map(|v| v.spaces.clone())
            .unwrap_or_default();
        for p in self.peered(vnet) {
            out.extend(p.spaces.iter().copied());
        }
        for s in self.subnets.iter().filter(|s| s.vnet == vnet) {
            if let Some(rt) = &s.route_table {
                out.extend(self.routes(rt).iter().map(|r| r.prefix));
            }
        }
        out
    }
    fn subnet_of(&self, ip: Ipv4Addr) -> Option<&Subnet> {
        self.subnets.iter().find(|s| s.prefix.contains(&ip))
    }
}

/// Whether an NSG address prefix (CIDR, address, `*` or a service tag) covers `addr` (a
/// subnet as source, or the destination), seen from `vnet`. None: a tag akswin cannot resolve.
fn nsg_covers(net: &Net, vnet: &str, pattern: &str, addr: &Addr) -> Option<bool> {
    let p = pattern.trim();
    if p == "*" {
        return Some(true);
    }
    if p.eq_ignore_ascii_case("VirtualNetwork") {
        let vn = net.virtual_network(vnet);
        return Some(match addr {
            Addr::Net(n) => vn.iter().any(|v| v.contains(n)),
            Addr::Public => vn.iter().any(|v| v.prefix_len() == 0),
        });
    }
    if p.eq_ignore_ascii_case("Internet") {
        return Some(matches!(addr, Addr::Public));
    }
    if p.eq_ignore_ascii_case("AzureLoadBalancer") {
        return Some(false);
    }
    if let Ok(c) = p.parse::<Ipv4Net>() {
        return Some(match addr {
            Addr::Net(n) => c.contains(n),
            Addr::Public => c.prefix_len() == 0,
        });
    }
    if let Ok(ip) = p.parse::<Ipv4Addr>() {
        return Some(match addr {
            Addr::Net(n) => n.prefix_len() == 32 && n.network() == ip,
            Addr::Public => false,
        });
    }
    None
}

/// An address as NSGs see it: a range inside the network, or somewhere public.
#[derive(Debug, Clone, Copy)]
enum Addr {
    Net(Ipv4Net),
    Public,
}

/// Evaluate an NSG in one direction: Ok(rule name) when allowed, Err(why) when denied, or
/// Unknown. Default rules follow the explicit ones.
fn nsg_eval(
    net: &Net,
    subnet: &Subnet,
    inbound: bool,
    src: Addr,
    dst: Addr,
    probe: &Probe,
) -> Result<String, Verdict> {
    let Some(nsg_name) = &subnet.nsg else {
        return Ok(format!("{} has no NSG", subnet.name));
    };
    let Some(rules) = net.nsg(nsg_name) else {
        return Err(Verdict::Unknown {
            what: format!("NSG {nsg_name} is not in the templates"),
        });
    };
    let mut rules: Vec<&NsgRule> = rules.iter().filter(|r| r.inbound == inbound).collect();
    rules.sort_by_key(|r| r.priority);
    let proto = transport(&probe.protocol);
    for r in rules {
        let proto_ok = r.protocol == "*" || r.protocol.eq_ignore_ascii_case(proto);
        if !proto_ok || !r.ports.iter().any(|p| port_matches(p, probe.port)) {
            continue;
        }
        let mut matched = true;
        for (patterns, addr) in [(&r.sources, src), (&r.destinations, dst)] {
            let mut any = false;
            for p in patterns {
                match nsg_covers(net, &subnet.vnet, p, &addr) {
                    Some(true) => any = true,
                    Some(false) => {}
                    None => {
                        return Err(Verdict::Unknown {
                            what: format!("service tag `{p}` in {nsg_name}/{}", r.name),
                        });
                    }
                }
            }
            matched &= any;
        }
        if matched {
            return if r.allow {
                Ok(format!("{nsg_name}/{}", r.name))
            } else {
                Err(Verdict::Dropped {
                    at: format!("NSG {nsg_name}"),
                    why: format!("rule `{}` (priority {}) denies it", r.name, r.priority),
                })
            };
        }
    }
    // Default rules: within the VirtualNetwork tag allowed, out to the internet allowed,
    // everything else denied.
    let vn = |a: Addr| nsg_covers(net, &subnet.vnet, "VirtualNetwork", &a) == Some(true);
    let default_allows = if inbound {
        vn(src) && vn(dst)
    } else {
        (vn(src) && vn(dst)) || matches!(dst, Addr::Public)
    };
    if default_allows {
        Ok(format!("{nsg_name} (default rules)"))
    } else {
        Err(Verdict::Dropped {
            at: format!("NSG {nsg_name}"),
            why: format!(
                "no rule allows it and the default {} rule denies it",
                if inbound {
                    "DenyAllInBound"
                } else {
                    "DenyAllOutBound"
                }
            ),
        })
    }
}

/// The firewall's verdict: Ok(rule) when a rule allows it, Err(verdict) otherwise.
fn firewall_eval(net: &Net, src: &Subnet, probe: &Probe) -> Result<String, Verdict> {
    let src_covered = |r: &FwRule| {
        r.sources.iter().any(|s| {
            s == "*"
                || s.parse::<Ipv4Net>().is_ok_and(|c| c.contains(&src.prefix))
                || s.parse::<Ipv4Addr>()
                    .is_ok_and(|ip| src.prefix.prefix_len() == 32 && src.prefix.network() == ip)
        })
    };
    let proto = transport(&probe.protocol);
    for r in net.fw_rules.iter().filter(|r| src_covered(r)) {
        let hit = if r.network {
            let proto_ok = r
                .protocols
                .iter()
                .any(|p| p.eq_ignore_ascii_case("Any") || p.eq_ignore_ascii_case(proto));
            let port_ok = r.ports.iter().any(|p| port_matches(p, probe.port));
            let dest_ok = match &probe.dest {
                Dest::Ip(ip) => r.addresses.iter().any(|a| {
                    a == "*"
                        || a.parse::<Ipv4Net>().is_ok_and(|c| c.contains(ip))
                        || a.parse::<Ipv4Addr>().is_ok_and(|x| x == *ip)
                }),
                Dest::Host(h) => {
                    net.firewall_dns_proxy && r.fqdns.iter().any(|f| f.eq_ignore_ascii_case(h))
                }
                Dest::Tag(_) | Dest::Missing(_) => false,
                Dest::ServiceTag(t) => r
                    .addresses
                    .iter()
                    .any(|a| a == "*" || a.eq_ignore_ascii_case(t)),
            };
            proto_ok && port_ok && dest_ok
        } else {
            let want = format!("{}:{}", probe.protocol, probe.port);
            let proto_ok = r.protocols.iter().any(|p| p.eq_ignore_ascii_case(&want));
            let dest_ok = match &probe.dest {
                Dest::Host(h) => {
                    r.fqdns
                        .iter()
                        .any(|f| akswin_plan::egress::fqdn_covers(f, h))
                        || r.tags.iter().any(|t| tag_covers(t, h))
                }
                Dest::Tag(t) => r.tags.iter().any(|x| x.eq_ignore_ascii_case(t)),
                Dest::Ip(_) | Dest::ServiceTag(_) | Dest::Missing(_) => false,
            };
            proto_ok && dest_ok
        };
        if hit {
            return if r.allow {
                Ok(format!("firewall {}", r.collection))
            } else {
                Err(Verdict::Dropped {
                    at: "firewall".into(),
                    why: format!("collection {} denies it", r.collection),
                })
            };
        }
    }
    Err(Verdict::Dropped {
        at: "firewall".into(),
        why: "no rule allows it (the firewall denies what no rule allows)".into(),
    })
}

/// The `AzureKubernetesService` tag covers the AKS required FQDNs (the egress set `aks`).
fn tag_covers(tag: &str, host: &str) -> bool {
    tag.eq_ignore_ascii_case(akswin_plan::egress::AKS_FQDN_TAG)
        && facts().egress_set("aks").any(|f| {
            f.kind == EgressKind::Fqdn && akswin_plan::egress::fqdn_covers(&f.destination, host)
        })
}

fn is_private(ip: Ipv4Addr) -> bool {
    ip.is_private() || ip.is_loopback() || ip.is_link_local()
}

/// The ranges a gateway's routes cover: the spec's on-premises ranges and the prefixes of the
/// local network gateways in the templates (ExpressRoute and BGP learn theirs at run time;
/// the spec's `network.onPremises` declares them).
fn gateway_prefixes(net: &Net, spec: &Spec) -> Vec<Ipv4Net> {
    let mut out: Vec<Ipv4Net> = spec.network.on_premises.iter().map(|c| c.net()).collect();
    out.extend(net.local_prefixes.iter().copied());
    out
}

/// The route a packet from `from` to `target` takes: user routes, then system routes (the
/// VNet, peered VNets, routes a gateway learns when the subnet's route table lets BGP routes
/// through, the default route to the internet), longest prefix first; on a tie a user route
/// wins over a BGP route, and a BGP route over a system route. The flag says whether the
/// route is a user route.
fn route(net: &Net, spec: &Spec, from: &Subnet, target: Ipv4Addr) -> Option<(Route, bool)> {
    // (prefix length, rank: 2 user, 1 BGP, 0 system, route)
    let mut candidates: Vec<(u8, u8, Route)> = Vec::new();
    if let Some(rt) = &from.route_table {
        for r in net.routes(rt) {
            if r.prefix.contains(&target) {
                candidates.push((r.prefix.prefix_len(), 2, r.clone()));
            }
        }
    }
    let mut system = |prefix: Ipv4Net, hop: &str| {
        if prefix.contains(&target) {
            candidates.push((
                prefix.prefix_len(),
                u8::from(hop == "VirtualNetworkGateway"),
                Route {
                    prefix,
                    next_hop: hop.into(),
                    next_ip: None,
                },
            ));
        }
    };
    if let Some(v) = net.vnet(&from.vnet) {
        for s in &v.spaces {
            system(*s, "VnetLocal");
        }
    }
    for p in net.peered(&from.vnet) {
        for s in &p.spaces {
            system(*s, "VNetPeering");
        }
    }
    let bgp = from
        .route_table
        .as_ref()
        .is_none_or(|rt| !net.bgp_off.contains(rt));
    if bgp && net.gateway_for(&from.vnet).is_some() {
        for p in gateway_prefixes(net, spec) {
            system(p, "VirtualNetworkGateway");
        }
    }
    system(Ipv4Net::new_assert(Ipv4Addr::UNSPECIFIED, 0), "Internet");
    candidates.sort_by_key(|(len, rank, _)| std::cmp::Reverse((*len, *rank)));
    candidates
        .into_iter()
        .next()
        .map(|(_, rank, r)| (r, rank == 2))
}

/// Where a packet for `target` leaves `from` once routed: delivered inside the VNets, handed
/// to the gateway (on premises), or out to the internet.
enum Exit {
    Deliver,
    Gateway,
    Internet,
}

/// How the packet leaves after the route was chosen (without the firewall).
fn exit_of(route: &Route) -> Option<Exit> {
    match route.next_hop.as_str() {
        "VnetLocal" | "VNetPeering" => Some(Exit::Deliver),
        "VirtualNetworkGateway" => Some(Exit::Gateway),
        "Internet" => Some(Exit::Internet),
        _ => None,
    }
}

/// The hub firewall's subnet.
fn firewall_subnet(net: &Net) -> Option<&Subnet> {
    net.subnets
        .iter()
        .find(|s| s.name == akswin_facts::FIREWALL_SUBNET.azure_name)
}

/// The GatewaySubnet of the VNet whose gateway `vnet` uses.
fn gateway_subnet<'a>(net: &'a Net, vnet: &str) -> Option<&'a Subnet> {
    let gw = net.gateway_for(vnet)?;
    net.subnets
        .iter()
        .find(|s| s.vnet == gw && s.name == akswin_facts::GATEWAY_SUBNET.azure_name)
}

/// Walk one probe from a source subnet (or from on-premises, as a subnet standing for the
/// range behind the gateway).
fn walk_probe(net: &Net, spec: &Spec, src: &Subnet, probe: &Probe) -> Verdict {
    if let Dest::Missing(why) = &probe.dest {
        return Verdict::Dropped {
            at: "the templates".into(),
            why: why.clone(),
        };
    }
    let mut path = vec![format!("{} ({})", src.name, src.prefix)];
    let dst_addr = match &probe.dest {
        Dest::Ip(ip) if is_private(*ip) => Addr::Net(Ipv4Net::from(*ip)),
        _ => Addr::Public,
    };
    // 1. The source NSG, outbound.
    match nsg_eval(net, src, false, Addr::Net(src.prefix), dst_addr, probe) {
        Ok(r) => path.push(r),
        Err(v) => return v,
    }
    // 2. Routing.
    let target = match &probe.dest {
        Dest::Ip(ip) => *ip,
        // A public host: only a default route covers it.
        _ => Ipv4Addr::new(8, 8, 8, 8),
    };
    let private_dest = matches!(&probe.dest, Dest::Ip(ip) if is_private(*ip));
    let Some((first, user)) = route(net, spec, src, target) else {
        return Verdict::Dropped {
            at: format!("route table of {}", src.name),
            why: "no route".into(),
        };
    };
    let (exit, via_firewall, from) = if first.next_hop == "VirtualAppliance" {
        let Some(fw) = net.firewall_ip else {
            return Verdict::Unknown {
                what: "a route to a virtual appliance, and no Azure Firewall in the templates"
                    .into(),
            };
        };
        if first.next_ip != Some(fw) {
            return Verdict::Unknown {
                what: format!(
                    "next hop {} is not the hub firewall ({fw})",
                    first.next_ip.map_or("?".into(), |i| i.to_string())
                ),
            };
        }
        path.push(format!("route {} to the firewall {fw}", first.prefix));
        if net.platform_firewall {
            return Verdict::Platform {
                what: format!(
                    "{} > the existing hub's firewall {fw}, whose rules akswin does not write (no network.hub.existing.firewallPolicyId)",
                    path.join(" > ")
                ),
            };
        }
        match firewall_eval(net, src, probe) {
            Ok(r) => path.push(r),
            Err(v) => return v,
        }
        // The firewall forwards along its own subnet's routes.
        let Some(fw_subnet) = firewall_subnet(net) else {
            return Verdict::Unknown {
                what: "the firewall's subnet is not in the templates".into(),
            };
        };
        let Some((next, _)) = route(net, spec, fw_subnet, target) else {
            return Verdict::Dropped {
                at: "firewall".into(),
                why: "no route".into(),
            };
        };
        let Some(exit) = exit_of(&next) else {
            return Verdict::Unknown {
                what: format!("the firewall's next hop type {}", next.next_hop),
            };
        };
        (exit, true, fw_subnet)
    } else {
        let Some(exit) = exit_of(&first) else {
            return Verdict::Unknown {
                what: format!("next hop type {}", first.next_hop),
            };
        };
        (exit, false, src)
    };
    // Traffic the firewall forwards into another VNet crosses the peering only when that
    // VNet's side allows forwarded traffic (its source is not the firewall's VNet).
    let forwarded_blocked = |into: &str| -> Option<Verdict> {
        let fw_vnet = firewall_subnet(net).map(|f| f.vnet.clone())?;
        if into == fw_vnet {
            return None;
        }
        match net.peering(into, &fw_vnet) {
            Some((p, _)) if p.forwarded_traffic => None,
            _ => Some(Verdict::Dropped {
                at: format!("the peering from {into} to {fw_vnet}"),
                why: "it does not allow forwarded traffic (allowForwardedTraffic), so what the firewall forwards into the VNet is dropped".into(),
            }),
        }
    };
    let verdict = match exit {
        Exit::Deliver => {
            if !via_firewall {
                path.push(format!("{} route {}", first.next_hop, first.prefix));
            } else if let Some(v) = net
                .subnet_of(target)
                .and_then(|d| forwarded_blocked(&d.vnet))
            {
                return v;
            }
            deliver(net, src, probe, path)
        }
        Exit::Gateway if !private_dest => {
            return Verdict::Dropped {
                at: format!("routing from {}", from.name),
                why: "the default route leads to the gateway (a 0.0.0.0/0 learned from on-premises): internet traffic is sent on premises; on the firewall's subnet, a user route 0.0.0.0/0 to the internet overrides it".into(),
            };
        }
        Exit::Gateway => {
            path.push(format!(
                "gateway of {} to on-premises (beyond the gateway is the on-premises network's to allow)",
                net.gateway_for(&from.vnet).unwrap_or("?")
            ));
            Verdict::Allowed { path }
        }
        Exit::Internet => {
            if private_dest {
                let why = if spec.network.is_on_premises(target) {
                    format!(
                        "{target} is on premises, and no gateway in the hub learns a route to it (network.hybrid)"
                    )
                } else {
                    format!("no route reaches {target}")
                };
                return Verdict::Dropped {
                    at: format!("routing from {}", from.name),
                    why,
                };
            }
            if !via_firewall {
                let private_subnet = src.default_outbound != Some(true)
                    && net
                        .vnet(&src.vnet)
                        .is_some_and(|v| v.api.as_str() >= "2025-07-01");
                if private_subnet && !src.nat_gateway {
                    return Verdict::Dropped {
                        at: format!("subnet {}", src.name),
                        why: "it is a private subnet (no default outbound access) and nothing routes it out: add a route to the firewall or a NAT gateway".into(),
                    };
                }
                path.push(format!(
                    "internet{}",
                    if user { " (user route)" } else { "" }
                ));
            } else {
                path.push("internet (firewall public IPs)".into());
            }
            Verdict::Allowed { path }
        }
    };
    // 3. The reply must come back the way the request went: through the firewall both ways
    // or neither, or the stateful firewall drops the half it did not see.
    if let (Verdict::Allowed { .. }, true) = (&verdict, private_dest) {
        let back_from = match exit {
            Exit::Gateway => gateway_subnet(net, &from.vnet),
            _ => net.subnet_of(target),
        };
        if let Some(back) = back_from
            && let Some((r, _)) = route(net, spec, back, src.prefix.network())
        {
            let back_via_firewall = r.next_hop == "VirtualAppliance";
            // The reply the firewall forwards back into the source's VNet.
            if back_via_firewall
                && via_firewall
                && let Some(v) = forwarded_blocked(&src.vnet)
            {
                return v;
            }
            if back_via_firewall != via_firewall {
                return Verdict::Dropped {
                    at: format!("the reply from {}", back.name),
                    why: if via_firewall {
                        format!(
                            "the request went through the firewall but the reply to {} takes {} route {}: the firewall drops the flow it saw only half of",
                            src.prefix, r.next_hop, r.prefix
                        )
                    } else {
                        format!(
                            "the request bypassed the firewall but the reply to {} is routed to it ({}): the firewall drops a reply to a request it never saw",
                            src.prefix, r.prefix
                        )
                    },
                };
            }
        }
    }
    verdict
}

/// The last hop to a private address: the destination subnet's NSG, inbound.
fn deliver(net: &Net, src: &Subnet, probe: &Probe, mut path: Vec<String>) -> Verdict {
    let Dest::Ip(ip) = probe.dest else {
        return Verdict::Allowed { path };
    };
    // The firewall itself answers only DNS, and only with its DNS proxy on.
    if Some(ip) == net.firewall_ip {
        return if net.firewall_dns_proxy && probe.port == 53 {
            path.push(format!("the firewall's DNS proxy on {ip}"));
            Verdict::Allowed { path }
        } else {
            Verdict::Dropped {
                at: "firewall".into(),
                why: if probe.port == 53 {
                    "its DNS proxy is off (firewall policy dnsSettings.enableProxy)".into()
                } else {
                    format!("the firewall does not serve port {} itself", probe.port)
                },
            }
        };
    }
    if net.subnet_of(ip).is_none() && net.platform_spaces.iter().any(|c| c.contains(&ip)) {
        path.push(format!("{ip} in the existing hub"));
        return Verdict::Platform {
            what: format!(
                "{} (its subnets and NSGs are the platform team's)",
                path.join(" > ")
            ),
        };
    }
    let Some(dst) = net.subnet_of(ip) else {
        return Verdict::Dropped {
            at: "delivery".into(),
            why: format!("{ip} is in no subnet of the templates"),
        };
    };
    match nsg_eval(
        net,
        dst,
        true,
        Addr::Net(src.prefix),
        Addr::Net(Ipv4Net::from(ip)),
        probe,
    ) {
        Ok(r) => {
            path.push(r);
            path.push(format!("{ip} in {}", dst.name));
            Verdict::Allowed { path }
        }
        Err(v) => v,
    }
}

// ------------------------------------------------------------------------------ the catalogue

fn applies(when: &str, spec: &Spec, plan: &NetworkPlan) -> bool {
    let ad = spec.identity.active_directory.as_ref();
    let new_dcs = !plan.addresses.domain_controller_ips.is_empty();
    let kerberos = spec
        .workloads
        .iter()
        .any(|w| w.auth == akswin_spec::spec::AuthMode::Kerberos);
    match when {
        "always" => true,
        "windows" => spec.cluster.node_pools.iter().any(|p| p.is_windows()),
        "gmsa" => spec.identity.gmsa.enabled,
        "dns" => !plan.addresses.dns_servers.is_empty(),
        "appProxy" => spec.ingress.app_proxy.enabled,
        "appProxyKerberos" => spec.ingress.app_proxy.enabled && kerberos,
        "privateLink" => plan
            .ingress
            .iter()
            .any(|r| r.private_link_service.is_some()),
        "newDcs" => new_dcs,
        "hybrid" => spec.network.hybrid.is_some() && !spec.network.on_premises.is_empty(),
        "gmsaDns" => spec.identity.gmsa.enabled && plan.addresses.gmsa_dns_server.is_some(),
        // The VNet's DNS servers are on premises: they forward the private zones to Azure.
        "onPremisesDns" => akswin_plan::dns_on_premises(spec, plan),
        "newDcsHybrid" => new_dcs && spec.network.hybrid.is_some(),
        "replica" => new_dcs && ad.is_some_and(|a| a.mode() == akswin_spec::spec::AdMode::Replica),
        "newDcsPair" => plan.addresses.domain_controller_ips.len() > 1,
        "addOns" => spec.egress.firewall.add_on_egress,
        "containerInsights" => {
            spec.egress.firewall.add_on_egress
                && (spec.monitoring.container_insights || spec.monitoring.prometheus.enabled)
        }
        "jumpBox" => {
            spec.cluster.access.path == akswin_spec::spec::AccessPath::JumpBox
                && plan.addresses.jump_box_ip.is_some()
                && plan
                    .vnets
                    .iter()
                    .flat_map(|v| &v.subnets)
                    .any(|s| s.key == "bastion" && s.prefix.is_some())
        }
        "newDcsBastion" => {
            new_dcs
                && plan
                    .vnets
                    .iter()
                    .flat_map(|v| &v.subnets)
                    .any(|s| s.key == "bastion" && s.prefix.is_some())
        }
        _ => false,
    }
}

/// The source subnets of a role, by their Azure names.
fn sources(role: &str, net: &Net, plan: &NetworkPlan) -> Vec<Subnet> {
    use akswin_plan::SubnetRole;
    if role == "onPremises" {
        // Each on-premises range enters at the hub's GatewaySubnet and follows its routes.
        let Some(gw) = net.vnets.iter().find_map(|v| gateway_subnet(net, &v.name)) else {
            return Vec::new();
        };
        return plan
            .hybrid
            .iter()
            .flat_map(|h| &h.on_premises)
            .map(|c| Subnet {
                vnet: gw.vnet.clone(),
                name: format!("on-premises via {}", gw.name),
                prefix: c.net(),
                nsg: None,
                route_table: gw.route_table.clone(),
                default_outbound: Some(false),
                nat_gateway: false,
            })
            .collect();
    }
    let windows_key = akswin_spec::spec::SpokeSubnet::WindowsNodes.key();
    let windows_subnets: Vec<&str> = plan
        .pools
        .iter()
        .filter(|p| p.os == akswin_spec::spec::Os::Windows)
        .map(|p| p.subnet.key())
        .collect();
    let keys: Vec<&str> = plan
        .vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .filter(|s| match role {
            "nodes" => s.role == SubnetRole::Nodes,
            "windowsNodes" => {
                s.role == SubnetRole::Nodes
                    && (s.key == windows_key || windows_subnets.contains(&s.key.as_str()))
            }
            "linuxNodes" => {
                s.role == SubnetRole::Nodes
                    && s.key != windows_key
                    && !windows_subnets.contains(&s.key.as_str())
            }
            "appProxyConnectors" => s.role == SubnetRole::AppProxyConnectors,
            "domainControllers" => s.role == SubnetRole::DomainControllers,
            "bastion" => s.role == SubnetRole::Bastion,
            "jumpBox" => s.role == SubnetRole::JumpBox,
            "privateLinkService" => s.role == SubnetRole::PrivateLinkService,
            _ => false,
        })
        .map(|s| s.azure_name.as_str())
        .collect();
    net.subnets
        .iter()
        .filter(|s| keys.contains(&s.name.as_str()))
        .cloned()
        .collect()
}

/// The domain controllers: the NICs in the DC subnet, else the existing DCs' DNS servers.
fn dc_addresses(net: &Net, spec: &Spec, plan: &NetworkPlan) -> Vec<Ipv4Addr> {
    let dc_subnet = plan
        .vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .find(|s| s.key == "domainControllers")
        .map(|s| s.azure_name.clone());
    let mut out: Vec<Ipv4Addr> = net
        .nic_ips
        .iter()
        .filter(|(sn, _)| Some(sn) == dc_subnet.as_ref())
        .map(|(_, ip)| *ip)
        .collect();
    if out.is_empty()
        && let Some(e) = spec
            .identity
            .active_directory
            .as_ref()
            .and_then(|a| a.domain_controllers.existing.as_ref())
    {
        out = e.dns_servers.iter().map(|i| i.0).collect();
    }
    out
}

/// The probes a catalogue row stands for.
fn probes(row: &FlowRow, net: &Net, spec: &Spec, plan: &NetworkPlan) -> Vec<(String, Probe)> {
    let location = spec.location.as_str();
    let mut out = Vec::new();
    let ports = |proto: &str, port: &str| -> Vec<(String, u16)> {
        if proto == "ad" {
            akswin_plan::egress::ad_ports()
                .iter()
                .filter_map(|f| {
                    let first = f.port.split('-').next()?.parse().ok()?;
                    Some((f.protocol.as_str().to_string(), first))
                })
                .collect()
        } else if port == "*" {
            // ICMP has no port: port 0 stands for it, and only `*` rules match it.
            vec![(proto.to_string(), 0)]
        } else {
            port.parse()
                .ok()
                .map(|p| (proto.to_string(), p))
                .into_iter()
                .collect()
        }
    };
    if let Some(set) = row.to.strip_prefix("egress:") {
        for f in facts().egress_set(set) {
            let host = f.destination.replace("<location>", location);
            let Some(port) = f.port.split('-').next().and_then(|p| p.parse().ok()) else {
                continue;
            };
            let dest = if let Ok(ip) = host.parse::<Ipv4Addr>() {
                Dest::Ip(ip)
            } else if f.kind == EgressKind::Network
                && (!host.contains('.')
                    || host.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            {
                // A service tag (AzureMonitor, AzureCloud.region).
                Dest::ServiceTag(host.clone())
            } else {
                Dest::Host(host.clone())
            };
            out.push((
                format!("{host} {} {port}", f.protocol.as_str()),
                Probe {
                    protocol: f.protocol.as_str().to_string(),
                    port,
                    dest,
                },
            ));
        }
    } else if let Some(tag) = row.to.strip_prefix("tag:") {
        for (proto, port) in [("Http", 80u16), ("Https", 443)] {
            out.push((
                format!("FQDN tag {tag} {proto} {port}"),
                Probe {
                    protocol: proto.into(),
                    port,
                    dest: Dest::Tag(tag.into()),
                },
            ));
        }
    } else {
        let addrs: Vec<Ipv4Addr> = match row.to.as_str() {
            "dcs" => dc_addresses(net, spec, plan),
            "existingDcs" => spec
                .identity
                .active_directory
                .as_ref()
                .and_then(|a| a.domain_controllers.existing.as_ref())
                .map(|e| e.dns_servers.iter().map(|i| i.0).collect())
                .unwrap_or_default(),
            "dns" => plan.addresses.dns_servers.iter().map(|i| i.0).collect(),
            // An on-premises address that is no domain controller and no DNS server.
            "onprem" => {
                let taken: Vec<Ipv4Addr> = dc_addresses(net, spec, plan)
                    .into_iter()
                    .chain(plan.addresses.dns_servers.iter().map(|i| i.0))
                    .collect();
                spec.network
                    .on_premises
                    .first()
                    .and_then(|c| c.net().hosts().find(|h| !taken.contains(h)))
                    .into_iter()
                    .collect()
            }
            // Each workload's own front end on its path: behind the application proxy (`ilb`),
            // behind a Private Link Service (`pls`), on the workload's port.
            "ilb" | "pls" => {
                let path = if row.to == "ilb" {
                    akswin_spec::spec::IngressPath::AppProxy
                } else {
                    akswin_spec::spec::IngressPath::PrivateLink
                };
                for r in plan.ingress.iter().filter(|r| r.path == path) {
                    if let Some(ip) = r.ip {
                        out.push((
                            format!("{} {ip} {} {}", r.workload, row.protocol, r.port),
                            Probe {
                                protocol: row.protocol.clone(),
                                port: r.port,
                                dest: Dest::Ip(ip.0),
                            },
                        ));
                    }
                }
                Vec::new()
            }
            // The domain controller CoreDNS forwards the AD domain to (gmsaProfile.dnsServer).
            "gmsaDns" => plan
                .addresses
                .gmsa_dns_server
                .map(|i| i.0)
                .into_iter()
                .collect(),
            // A private endpoint of a service (`pe:registry`, `pe:vault`): an address of its
            // subnet (Azure assigns the endpoint's address from it).
            to if to.starts_with("pe:") => {
                let group = to.trim_start_matches("pe:");
                match net
                    .private_endpoints
                    .iter()
                    .find(|(g, _)| g.eq_ignore_ascii_case(group))
                    .and_then(|(_, sn)| net.subnets.iter().find(|s| &s.name == sn))
                {
                    Some(sn) => vec![Ipv4Addr::from(u32::from(sn.prefix.network()) + 4)],
                    None => {
                        out.push((
                            format!("private endpoint {group}"),
                            Probe {
                                protocol: row.protocol.clone(),
                                port: row.port.parse().unwrap_or(443),
                                dest: Dest::Missing(format!(
                                    "no private endpoint for {group} in the templates"
                                )),
                            },
                        ));
                        Vec::new()
                    }
                }
            }
            // The firewall's private address, where its DNS proxy listens.
            "firewallDns" => net.firewall_ip.into_iter().collect(),
            // The jump box's NIC, as the templates give it.
            "jumpBox" => {
                let subnet = plan
                    .vnets
                    .iter()
                    .flat_map(|v| &v.subnets)
                    .find(|s| s.key == "jumpBox")
                    .map(|s| s.azure_name.clone());
                net.nic_ips
                    .iter()
                    .filter(|(sn, _)| Some(sn) == subnet.as_ref())
                    .map(|(_, ip)| *ip)
                    .collect()
            }
            // A private cluster's API server: AKS puts its private endpoint in the system
            // pool's subnet, so an address there stands for it.
            "apiServer" => {
                let system = plan
                    .pools
                    .iter()
                    .find(|p| p.mode == akswin_spec::spec::Mode::System)
                    .map(|p| p.subnet.key());
                plan.vnets
                    .iter()
                    .flat_map(|v| &v.subnets)
                    .find(|s| Some(s.key.as_str()) == system)
                    .and_then(|s| s.prefix)
                    .and_then(|p| net.subnets.iter().find(|s| s.prefix == p.net()))
                    .map(|sn| Ipv4Addr::from(u32::from(sn.prefix.network()) + 4))
                    .into_iter()
                    .collect()
            }
            _ => Vec::new(),
        };
        for ip in addrs {
            for (proto, port) in ports(&row.protocol, &row.port) {
                out.push((
                    format!("{ip} {proto} {port}"),
                    Probe {
                        protocol: proto,
                        port,
                        dest: Dest::Ip(ip),
                    },
                ));
            }
        }
    }
    out
}

/// Every flow of the catalogue that applies to this spec, walked through the rendered
/// network. Empty when the tree has no `arm/main.json`.
pub fn verify_flows(
    spec: &Spec,
    plan: &NetworkPlan,
    tree: &akswin_render::Tree,
) -> Vec<FlowResult> {
    let Some(net) = read(spec, plan, tree) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for row in facts()
        .flows
        .iter()
        .filter(|r| applies(&r.when, spec, plan))
    {
        let expect = match row.expect {
            FlowExpect::Allow => "allow",
            FlowExpect::Deny => "deny",
        };
        for src in sources(&row.from, &net, plan) {
            for (to, probe) in probes(row, &net, spec, plan) {
                let verdict = walk_probe(&net, spec, &src, &probe);
                out.push(FlowResult {
                    id: row.id.clone(),
                    from: format!("{} {} ({})", row.from, src.name, src.prefix),
                    to,
                    expect: expect.into(),
                    verdict,
                    field: row.field.clone(),
                    why: row.why.clone(),
                    source: row.source.clone(),
                });
            }
        }
    }
    out
}
