//! The firewall model: the application and network rules Azure Firewall needs for AKS, the
//! Windows pools and the enabled add-ons (the egress table of akswin-facts), the user's extra
//! rules, each with its rule collection group and sources. Also the validators for FQDNs,
//! protocols and ports that EGR003 applies to user input. NSGs and routes: [`crate::netsec`].

use crate::{SPOKE, SubnetRole, VnetPlan};
use akswin_facts::{EgressKind, EgressRow, facts};
use akswin_spec::Spec;
use akswin_spec::spec::{AksRequiredEgress, SpokeSubnet};
use serde::{Deserialize, Serialize};

/// The FQDN tag Microsoft keeps current with the AKS required egress.
pub const AKS_FQDN_TAG: &str = "AzureKubernetesService";
/// The FQDN tag for Windows Update.
pub const WINDOWS_UPDATE_TAG: &str = "WindowsUpdate";
/// Azure Firewall FQDN tags akswin knows (docs/sources.md).
pub const KNOWN_FQDN_TAGS: [&str; 5] = [
    "AzureKubernetesService",
    "WindowsUpdate",
    "WindowsDiagnostics",
    "MicrosoftActiveProtectionService",
    "AzureBackup",
];
/// Priority of akswin's own NSG rules; user rules with a lower number are evaluated first.
pub const AKSWIN_NSG_PRIORITY: u32 = 1000;

/// The rule collection groups of the firewall policy, in priority order: AKS, Windows,
/// add-ons, then the user's rules. Each group gets a network collection at its priority and
/// an application collection ten above.
/// The rule collection group that exists only while `deploy.sh domain-controllers` runs
/// (`arm/promotion-egress.json`): Run Command returns the promotion's results over 443 to any
/// Azure address, far too broad to leave open for tier-0 servers.
pub const PROMOTION_GROUP: (&str, u32) = ("promotion", 350);

pub const RULE_GROUPS: [(&str, u32); 8] = [
    ("aks", 200),
    ("windows", 300),
    ("connectors", 320),
    ("activedirectory", 330),
    ("domaincontrollers", 340),
    ("jumpbox", 345),
    ("addons", 400),
    ("user", 500),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleOrigin {
    Akswin,
    User,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtoPort {
    /// `Http`, `Https` or `Mssql` (ARM `protocolType`).
    pub protocol: String,
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRulePlan {
    /// The egress set the rule comes from (`aks`, `windows`, `monitoring`, ... or `user`).
    pub collection: String,
    /// The rule collection group it is deployed in ([`RULE_GROUPS`]).
    pub group: String,
    pub name: String,
    /// Source address ranges the rule allows.
    pub sources: Vec<String>,
    pub fqdns: Vec<String>,
    pub fqdn_tags: Vec<String>,
    pub protocols: Vec<ProtoPort>,
    pub origin: RuleOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetRulePlan {
    pub collection: String,
    /// The rule collection group it is deployed in ([`RULE_GROUPS`]).
    pub group: String,
    pub name: String,
    /// Source address ranges the rule allows.
    pub sources: Vec<String>,
    /// `TCP`, `UDP`, `ICMP` or `Any` (ARM `ipProtocols`; anything unrecognised is `Any` here
    /// and an EGR003 error).
    pub protocols: Vec<String>,
    /// Addresses, ranges and service tags.
    pub destination_addresses: Vec<String>,
    /// Host names the firewall resolves (its DNS proxy is on).
    pub destination_fqdns: Vec<String>,
    pub ports: Vec<String>,
    pub origin: RuleOrigin,
}

/// Everything the firewall allows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FirewallPlan {
    pub public_ips: u32,
    pub application_rules: Vec<AppRulePlan>,
    pub network_rules: Vec<NetRulePlan>,
}

fn loc(s: &str, location: &str) -> String {
    s.replace("<location>", location)
}

/// The group an egress set is deployed in.
fn group_of(collection: &str, origin: RuleOrigin) -> &'static str {
    match (origin, collection) {
        (RuleOrigin::User, _) => "user",
        (_, "aks") | (_, "aks-public") => "aks",
        (_, "windows") => "windows",
        _ => "addons",
    }
}

/// A network rule destination is a host name when it has a dot, does not start with a digit
/// (an address or range) and is not a service tag (`AzureCloud.eastus` starts upper-case).
fn is_fqdn_destination(d: &str) -> bool {
    d.contains('.')
        && !d.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !d.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// One network rule per row (an Active Directory port: [`ad_ports`], or [`dc_rows`] between
/// domain controllers), from `sources` to `dcs`, named `<prefix>-<protocol>-<port>`.
fn ad_rules(
    rows: Vec<&'static EgressRow>,
    collection: &str,
    group: &str,
    prefix: &str,
    sources: &[String],
    dcs: &[String],
) -> Vec<NetRulePlan> {
    rows.iter()
        .map(|f| NetRulePlan {
            collection: collection.into(),
            group: group.into(),
            name: format!(
                "{prefix}-{}-{}",
                f.protocol.as_str().to_ascii_lowercase(),
                port_label(&f.port)
            ),
            sources: sources.to_vec(),
            protocols: vec![f.protocol.as_str().into()],
            destination_addresses: dcs.to_vec(),
            destination_fqdns: Vec::new(),
            ports: vec![f.port.clone()],
            origin: RuleOrigin::Akswin,
        })
        .collect()
}

/// Build the firewall model of a spec over its planned VNets. Sources: the spoke's address
/// space, and for the Windows group only the Windows node subnet (when it is placed). User
/// rules are carried as written (invalid parts are dropped here and reported by EGR003).
pub fn firewall(spec: &Spec, vnets: &[VnetPlan], addresses: &crate::Addresses) -> FirewallPlan {
    let fw = &spec.egress.firewall;
    let egress = &facts().egress;
    let location = spec.location.as_str();
    let has_windows = spec.cluster.node_pools.iter().any(|p| p.is_windows());
    let spoke: Vec<String> = vnets
        .iter()
        .find(|v| v.name == SPOKE)
        .map(|v| v.address_space.iter().map(|c| c.to_string()).collect())
        .unwrap_or_default();
    let windows: Vec<String> = vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .find(|s| s.role == SubnetRole::Nodes && s.key == SpokeSubnet::WindowsNodes.key())
        .and_then(|s| s.prefix)
        .map(|p| vec![p.to_string()])
        .unwrap_or_else(|| spoke.clone());
    let subnet = |key: &str| -> Option<String> {
        vnets
            .iter()
            .flat_map(|v| &v.subnets)
            .find(|s| s.key == key)
            .and_then(|s| s.prefix)
            .map(|p| p.to_string())
    };
    let connectors = subnet(SpokeSubnet::AppProxyConnectors.key());
    let dcs = subnet("domainControllers");
    let jump_box = subnet("jumpBox");
    let sources = |group: &str| match group {
        "windows" => windows.clone(),
        "connectors" => connectors.iter().cloned().collect(),
        "domaincontrollers" => dcs.iter().cloned().collect(),
        "jumpbox" => jump_box.iter().cloned().collect(),
        _ => spoke.clone(),
    };
    let mut plan = FirewallPlan {
        public_ips: fw.public_ips,
        ..FirewallPlan::default()
    };
    let mut sets: Vec<&str> = Vec::new();
    if !spec.cluster.private_cluster && fw.aks_required != AksRequiredEgress::None {
        sets.push("aks-public");
    }
    if fw.aks_required == AksRequiredEgress::FqdnList {
        sets.push("aks");
    }
    if has_windows && fw.allow_windows_update {
        sets.push("windows");
    }
    if fw.add_on_egress {
        if spec.monitoring.container_insights || spec.monitoring.prometheus.enabled {
            sets.push("monitoring");
        }
        sets.push("policy");
        sets.push("keyvault");
    }
    // A network rule for an egress row: named `<prefix>-<destination>-<port>`, in `group`.
    let net_rule = |prefix: &str, set: &str, group: &str, f: &EgressRow| {
        let d = loc(&f.destination, location);
        let (fqdns, addrs) = if is_fqdn_destination(&d) {
            (vec![d], Vec::new())
        } else {
            (Vec::new(), vec![d])
        };
        NetRulePlan {
            collection: set.into(),
            group: group.into(),
            name: format!("{prefix}-{}-{}", slug(&f.destination), f.port),
            sources: sources(group),
            protocols: vec![f.protocol.as_str().into()],
            destination_addresses: addrs,
            destination_fqdns: fqdns,
            ports: vec![f.port.clone()],
            origin: RuleOrigin::Akswin,
        }
    };
    // An application rule for one FQDN row of an egress set: named `<set>-<destination>`, in
    // `group`, from the group's sources.
    let fqdn_rule = |set: &str, group: &str, f: &EgressRow| AppRulePlan {
        collection: set.into(),
        group: group.into(),
        name: format!("{set}-{}", slug(&f.destination)),
        sources: sources(group),
        fqdns: vec![loc(&f.destination, location)],
        fqdn_tags: Vec::new(),
        protocols: vec![ProtoPort {
            protocol: f.protocol.as_str().into(),
            port: f.port.parse().unwrap_or(443),
        }],
        origin: RuleOrigin::Akswin,
    };
    // An application rule for an FQDN tag on HTTP 80 and HTTPS 443.
    let tag_rule = |collection: &str, group: &str, name: &str, tag: &str| AppRulePlan {
        collection: collection.into(),
        group: group.into(),
        name: name.into(),
        sources: sources(group),
        fqdns: Vec::new(),
        fqdn_tags: vec![tag.into()],
        protocols: vec![
            ProtoPort {
                protocol: "Http".into(),
                port: 80,
            },
            ProtoPort {
                protocol: "Https".into(),
                port: 443,
            },
        ],
        origin: RuleOrigin::Akswin,
    };
    if fw.aks_required == AksRequiredEgress::FqdnTag {
        plan.application_rules
            .push(tag_rule("aks", "aks", "aks-fqdn-tag", AKS_FQDN_TAG));
        // The tag covers the FQDNs, not the network rules (NTP).
        plan.network_rules.extend(
            egress
                .iter()
                .filter(|f| f.set == "aks" && f.kind == EgressKind::Network)
                .map(|f| net_rule("aks", "aks", "aks", f)),
        );
    }
    if has_windows && fw.allow_windows_update {
        plan.application_rules.push(tag_rule(
            "windows",
            "windows",
            "windows-update-tag",
            WINDOWS_UPDATE_TAG,
        ));
    }
    for set in sets {
        for f in egress.iter().filter(|f| f.set == set) {
            match f.kind {
                EgressKind::Fqdn => plan.application_rules.push(fqdn_rule(
                    set,
                    group_of(set, RuleOrigin::Akswin),
                    f,
                )),
                EgressKind::Network => plan.network_rules.push(net_rule(
                    set,
                    set,
                    group_of(set, RuleOrigin::Akswin),
                    f,
                )),
                EgressKind::Port => {}
            }
        }
    }
    // Windows servers akswin places in the network, each through the firewall: the
    // application proxy connectors (their service, sign-in and revocation endpoints) and new
    // domain controllers; both need Windows Update and KMS activation.
    let mut servers: Vec<&str> = Vec::new();
    if spec.ingress.app_proxy.enabled && connectors.is_some() {
        servers.push("connectors");
    }
    let new_dcs = spec
        .identity
        .active_directory
        .as_ref()
        .is_some_and(|ad| ad.creates_dcs());
    if new_dcs && dcs.is_some() {
        servers.push("domaincontrollers");
    }
    for group in servers {
        // Windows servers need what the Windows nodes need besides Windows Update (certificate
        // trust lists and revocation, connectivity checks), then their own endpoints.
        // Both send their event logs and counters through the Azure Monitor agent (the
        // Windows data collection rule).
        let mut sets = vec!["windows", "servers", "monitoring"];
        if group == "connectors" {
            sets.insert(0, "appproxy");
        } else {
            sets.push("runcommand");
        }
        plan.application_rules.push(tag_rule(
            group,
            group,
            &format!("{group}-windows-update-tag"),
            WINDOWS_UPDATE_TAG,
        ));
        for set in sets {
            for f in egress.iter().filter(|f| f.set == set) {
                match f.kind {
                    EgressKind::Fqdn => {
                        let fqdns = vec![loc(&f.destination, location)];
                        let protocols = vec![ProtoPort {
                            protocol: f.protocol.as_str().into(),
                            port: f.port.parse().unwrap_or(443),
                        }];
                        // The same host and port from two sets (management.azure.com for the
                        // connectors and for the scripts) is one rule.
                        if plan.application_rules.iter().any(|r| {
                            r.group == group && r.fqdns == fqdns && r.protocols == protocols
                        }) {
                            continue;
                        }
                        // The same host on two ports (ctldl.windowsupdate.com on 80 and 443)
                        // needs two names: rule names are unique in a collection.
                        let mut name = format!("{group}-{}", slug(&f.destination));
                        if plan
                            .application_rules
                            .iter()
                            .any(|r| r.group == group && r.name == name)
                        {
                            name = format!("{name}-{}", f.port);
                        }
                        plan.application_rules.push(AppRulePlan {
                            collection: set.into(),
                            group: group.into(),
                            name,
                            sources: sources(group),
                            fqdns,
                            fqdn_tags: Vec::new(),
                            protocols,
                            origin: RuleOrigin::Akswin,
                        });
                    }
                    EgressKind::Network => {
                        // Run Command's way back (AzureCloud) is open only while deploy.sh
                        // promotes the domain controllers: a group of its own, outside main.json.
                        let mut r = net_rule(group, set, group, f);
                        if set == "runcommand" {
                            r.group = PROMOTION_GROUP.0.into();
                        }
                        plan.network_rules.push(r);
                    }
                    EgressKind::Port => {}
                }
            }
        }
    }
    // The operators' jump box: its sign-in, the Azure CLI, kubectl and kubelogin, and its
    // operating system's updates; nothing else.
    if spec.cluster.access.path == akswin_spec::spec::AccessPath::JumpBox && jump_box.is_some() {
        for f in egress
            .iter()
            .filter(|f| f.set == "jumpbox" && f.kind == EgressKind::Fqdn)
        {
            plan.application_rules
                .push(fqdn_rule("jumpbox", "jumpbox", f));
        }
    }
    // Domain controllers and DNS servers outside the planned VNets (existing, on premises): the
    // spoke's default route sends traffic for them to the firewall, which must let AD and DNS
    // through (inside the VNets, peering carries it and NSGs decide).
    let outside = |ip: &akswin_spec::types::Ip| {
        !vnets
            .iter()
            .flat_map(|v| &v.address_space)
            .any(|c| c.net().contains(&ip.0))
    };
    let existing_dcs: Vec<String> = spec
        .identity
        .active_directory
        .as_ref()
        .and_then(|a| a.domain_controllers.existing.as_ref())
        .map(|e| {
            e.dns_servers
                .iter()
                .filter(|i| outside(i))
                .map(|i| i.to_string())
                .collect()
        })
        .unwrap_or_default();
    // Replicas in the hub serve the Azure ranges (their own AD site), so nodes and connectors
    // reach only them; the existing domain controllers are for the replicas alone.
    let existing_mode = spec
        .identity
        .active_directory
        .as_ref()
        .is_some_and(|a| a.mode() == akswin_spec::spec::AdMode::Existing);
    if spec.identity.gmsa.enabled
        && spec.egress.allow_active_directory
        && existing_mode
        && !existing_dcs.is_empty()
    {
        let mut src = windows.clone();
        if spec.ingress.app_proxy.enabled {
            src.extend(connectors.iter().cloned());
        }
        plan.network_rules.extend(ad_rules(
            ad_ports(),
            "ad",
            "activedirectory",
            "ad",
            &src,
            &existing_dcs,
        ));
    }
    // Replicas in the hub to the on-premises domain controllers they join and replicate with
    // (the DC subnet's default route goes to the firewall). To every on-premises range, not
    // only the listed DCs: once promoted, AD picks the replication partners (bridgeheads) of
    // the site link itself, and any writable DC on premises may be one.
    let replica = spec
        .identity
        .active_directory
        .as_ref()
        .is_some_and(|a| a.mode() == akswin_spec::spec::AdMode::Replica);
    let on_prem: Vec<String> = spec
        .network
        .on_premises
        .iter()
        .map(|c| c.to_string())
        .collect();
    if let (true, true, Some(dc)) = (replica, new_dcs, &dcs)
        && !existing_dcs.is_empty()
    {
        plan.network_rules.extend(ad_rules(
            dc_rows(),
            "dcs-to-existing-dcs",
            "domaincontrollers",
            "replica-ad",
            std::slice::from_ref(dc),
            if on_prem.is_empty() {
                &existing_dcs
            } else {
                &on_prem
            },
        ));
    }
    // On-premises to new domain controllers in the hub (with hybrid connectivity): the
    // GatewaySubnet routes the DC subnet to the firewall, so AD and DNS from on-premises (a
    // trust, conditional forwarders, administration) need these rules; the DC NSG admits the
    // same sources.
    if let (true, Some(dc), Some(_)) = (new_dcs, &dcs, &spec.network.hybrid)
        && !on_prem.is_empty()
    {
        plan.network_rules.extend(ad_rules(
            dc_rows(),
            "onprem-to-dcs",
            "domaincontrollers",
            "onprem-ad",
            &on_prem,
            std::slice::from_ref(dc),
        ));
    }
    // The VNet's DNS servers, and the DC CoreDNS forwards the AD domain to (gmsaProfile),
    // when they are outside the VNets: every node may run CoreDNS or resolve through them.
    let mut outside_dns: Vec<String> = addresses
        .dns_servers
        .iter()
        .chain(addresses.gmsa_dns_server.iter())
        .filter(|i| outside(i))
        .map(|i| i.to_string())
        .collect();
    outside_dns.sort();
    outside_dns.dedup();
    if !outside_dns.is_empty() {
        plan.network_rules.push(NetRulePlan {
            collection: "dns".into(),
            group: "activedirectory".into(),
            name: "dns".into(),
            sources: spoke.clone(),
            protocols: vec!["UDP".into(), "TCP".into()],
            destination_addresses: outside_dns,
            destination_fqdns: Vec::new(),
            ports: vec!["53".into()],
            origin: RuleOrigin::Akswin,
        });
    }
    for r in &fw.extra_application_rules {
        plan.application_rules.push(AppRulePlan {
            collection: "user".into(),
            group: "user".into(),
            name: r.name.clone(),
            sources: spoke.clone(),
            fqdns: r
                .fqdns
                .iter()
                .filter(|f| validate_fqdn(f).is_ok())
                .cloned()
                .collect(),
            fqdn_tags: r.fqdn_tags.clone(),
            protocols: r
                .protocols
                .iter()
                .filter_map(|p| parse_proto_port(p).ok())
                .collect(),
            origin: RuleOrigin::User,
        });
    }
    for r in &fw.extra_network_rules {
        let (fqdns, addrs): (Vec<String>, Vec<String>) = r
            .destinations
            .iter()
            .cloned()
            .partition(|d| is_fqdn_destination(d));
        plan.network_rules.push(NetRulePlan {
            collection: "user".into(),
            group: "user".into(),
            name: r.name.clone(),
            sources: spoke.clone(),
            protocols: r.protocols.iter().map(|p| ip_protocol(p).into()).collect(),
            destination_addresses: addrs,
            destination_fqdns: fqdns,
            ports: r.ports.clone(),
            origin: RuleOrigin::User,
        });
    }
    plan
}

/// A network rule protocol as ARM spells it.
fn ip_protocol(p: &str) -> &'static str {
    match p.trim().to_ascii_lowercase().as_str() {
        "tcp" => "TCP",
        "udp" => "UDP",
        "icmp" => "ICMP",
        _ => "Any",
    }
}

/// The AD ports (protocol, port or range, what it carries) gMSA and Kerberos need to the
/// domain controllers, from the egress table (set `ad`).
pub fn ad_ports() -> Vec<&'static EgressRow> {
    facts().egress.iter().filter(|f| f.set == "ad").collect()
}

/// A port as a rule name may carry it: `49152-65535` -> `49152to65535`, `*` -> `any`.
pub fn port_label(port: &str) -> String {
    if port == "*" {
        "any".into()
    } else {
        port.replace('-', "to")
    }
}

/// Everything between domain controllers: [`ad_ports`] and [`dc_sync_ports`].
pub fn dc_rows() -> Vec<&'static EgressRow> {
    let mut rows = ad_ports();
    rows.extend(dc_sync_ports());
    rows
}

/// What domain controllers need between themselves besides [`ad_ports`] (W32Time, ICMP).
pub fn dc_sync_ports() -> Vec<&'static EgressRow> {
    facts()
        .egress
        .iter()
        .filter(|f| f.set == "dcsync")
        .collect()
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Whether an FQDN pattern of a rule covers `host` (exact, or `*.domain` covering subdomains).
pub fn fqdn_covers(pattern: &str, host: &str) -> bool {
    let (p, h) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    if p == h || p == "*" {
        return true;
    }
    match p.strip_prefix("*.") {
        Some(suffix) => {
            // `*.mp.microsoft.com` covers `x.mp.microsoft.com` and the pattern itself
            h.strip_prefix("*.").map_or_else(
                || h.ends_with(&format!(".{suffix}")),
                |hs| hs == suffix || hs.ends_with(&format!(".{suffix}")),
            )
        }
        None => false,
    }
}

/// A host name or `*.`-wildcard for an application rule.
pub fn validate_fqdn(s: &str) -> Result<(), String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty FQDN".into());
    }
    if t == "*" {
        return Err("`*` allows every host and defeats the firewall".into());
    }
    let body = t.strip_prefix("*.").unwrap_or(t);
    if body.contains('*') {
        return Err(format!(
            "`{t}`: a wildcard may only be the leftmost label (`*.example.com`)"
        ));
    }
    if body.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err(format!(
            "`{t}` is an IP address; use a network rule for addresses"
        ));
    }
    if t.len() > 253 {
        return Err(format!("`{t}` is longer than 253 characters"));
    }
    let labels: Vec<&str> = body.split('.').collect();
    if labels.len() < 2 {
        return Err(format!("`{t}` has no top-level domain (e.g. `{t}.com`)"));
    }
    for l in &labels {
        if l.is_empty() || l.len() > 63 {
            return Err(format!("`{t}` has an empty or over-long label"));
        }
        if !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            || l.starts_with('-')
            || l.ends_with('-')
        {
            return Err(format!(
                "`{t}`: label `{l}` may hold only letters, digits and inner hyphens"
            ));
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(format!("`{t}`: `{tld}` is not a top-level domain"));
    }
    // A top-level domain the public suffix list does not know (`api.nuget.ogr`) resolves
    // nowhere on the internet: the rule would allow nothing.
    if !psl::suffix(body.to_ascii_lowercase().as_bytes()).is_some_and(|s| s.is_known()) {
        let hint = akswin_spec::did_you_mean(tld, COMMON_TLDS)
            .map(|d| format!(" (did you mean `{d}`?)"))
            .unwrap_or_default();
        return Err(format!(
            "`{t}`: `{tld}` is no top-level domain of the public suffix list{hint}, so the name resolves nowhere on the internet"
        ));
    }
    Ok(())
}

/// Top-level domains a misspelling is most likely of, for the hint.
const COMMON_TLDS: &[&str] = &[
    "com", "net", "org", "io", "ms", "azure", "windows", "cloud", "dev", "app", "info", "us", "uk",
    "de", "fr", "nl", "ca", "au", "jp", "in", "cn", "eu",
];

/// `https:443`, `http:80`, `mssql:1433` (case-insensitive).
pub fn parse_proto_port(s: &str) -> Result<ProtoPort, String> {
    let t = s.trim();
    let (p, port) = t
        .split_once(':')
        .ok_or_else(|| format!("`{t}`: expected PROTOCOL:PORT, e.g. https:443"))?;
    let protocol = match p.to_ascii_lowercase().as_str() {
        "http" => "Http",
        "https" => "Https",
        "mssql" => "Mssql",
        _ => {
            return Err(format!(
                "`{t}`: application rules take http, https or mssql"
            ));
        }
    };
    let port = parse_port(port).map_err(|e| format!("`{t}`: {e}"))?;
    Ok(ProtoPort {
        protocol: protocol.into(),
        port,
    })
}

/// A port 1-65535.
pub fn parse_port(s: &str) -> Result<u16, String> {
    match s.trim().parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(p as u16),
        _ => Err(format!("port `{}` is not 1-65535", s.trim())),
    }
}

/// A port, a range `a-b` or `*`, as (first, last).
pub fn parse_port_range(s: &str) -> Result<(u16, u16), String> {
    let t = s.trim();
    if t == "*" {
        return Ok((1, 65535));
    }
    match t.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (parse_port(a)?, parse_port(b)?);
            if a > b {
                return Err(format!("port range `{t}` runs backwards"));
            }
            Ok((a, b))
        }
        None => parse_port(t).map(|p| (p, p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses() {
        let f = &facts().egress;
        assert!(f.iter().filter(|x| x.set == "windows").count() == 5);
        assert!(ad_ports().len() >= 12);
        for x in f {
            assert!(parse_port_range(&x.port).is_ok(), "{x:?}");
        }
    }

    #[test]
    fn fqdns() {
        assert!(validate_fqdn("api.nuget.org").is_ok());
        assert!(validate_fqdn("*.mp.microsoft.com").is_ok());
        assert!(validate_fqdn("nuget").is_err());
        assert!(validate_fqdn("api.*.nuget.org").is_err());
        assert!(validate_fqdn("*").is_err());
        assert!(validate_fqdn("10.0.0.1").is_err());
        // The public suffix list: a misspelt top-level domain, with a hint; private suffixes.
        let e = validate_fqdn("api.nuget.ogr").unwrap_err();
        assert!(e.contains("did you mean `org`"), "{e}");
        assert!(validate_fqdn("*.blob.core.windows.net").is_ok());
        assert!(validate_fqdn("legacy.corp").is_err());
        assert!(validate_fqdn("bad_label.example.com").is_err());
        assert!(validate_fqdn("example.c0m").is_err());
        assert!(fqdn_covers("*.mp.microsoft.com", "x.mp.microsoft.com"));
        assert!(fqdn_covers("*.mp.microsoft.com", "*.mp.microsoft.com"));
        assert!(!fqdn_covers(
            "*.mp.microsoft.com",
            "mp.microsoft.com.evil.com"
        ));
        assert!(fqdn_covers("*.microsoft.com", "*.mp.microsoft.com"));
    }

    #[test]
    fn ports() {
        assert_eq!(parse_proto_port("https:443").map(|p| p.port), Ok(443));
        assert!(parse_proto_port("https:0").is_err());
        assert!(parse_proto_port("https:70000").is_err());
        assert!(parse_proto_port("ftp:21").is_err());
        assert_eq!(parse_port_range("49152-65535"), Ok((49152, 65535)));
        assert!(parse_port_range("9-1").is_err());
    }
}
