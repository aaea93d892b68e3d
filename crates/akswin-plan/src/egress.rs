//! The firewall model: the application and network rules Azure Firewall needs for AKS, the
//! Windows pools and the enabled add-ons (from `data/egress.csv`), the user's extra rules,
//! and the NSG rules that let the Windows nodes reach the domain controllers. Also the
//! validators for FQDNs, protocols and ports that EGR003 applies to user input.

use akswin_spec::Spec;
use akswin_spec::spec::{AksRequiredEgress, NsgAccess};
use serde::{Deserialize, Serialize};

pub const EGRESS_CSV: &str = include_str!("../data/egress.csv");

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

/// One row of `data/egress.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressFact {
    pub set: String,
    pub kind: String,
    pub destination: String,
    pub protocol: String,
    pub port: String,
    pub note: String,
}

/// The embedded egress table.
pub fn egress_facts() -> Vec<EgressFact> {
    EGRESS_CSV
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.splitn(6, ',').collect();
            (f.len() == 6).then(|| EgressFact {
                set: f[0].into(),
                kind: f[1].into(),
                destination: f[2].into(),
                protocol: f[3].into(),
                port: f[4].into(),
                note: f[5].into(),
            })
        })
        .collect()
}

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
    pub collection: String,
    pub name: String,
    pub fqdns: Vec<String>,
    pub fqdn_tags: Vec<String>,
    pub protocols: Vec<ProtoPort>,
    pub origin: RuleOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetRulePlan {
    pub collection: String,
    pub name: String,
    /// `TCP`, `UDP`, `ICMP` or `Any`.
    pub protocols: Vec<String>,
    pub destinations: Vec<String>,
    pub ports: Vec<String>,
    pub origin: RuleOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NsgRulePlan {
    pub name: String,
    pub priority: u32,
    pub allow: bool,
    /// `Tcp`, `Udp` or `*`.
    pub protocol: String,
    /// A CIDR, `*` or `domainControllers`.
    pub destination: String,
    pub ports: Vec<String>,
    pub origin: RuleOrigin,
}

/// Everything the firewall and the Windows node subnet's NSG allow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FirewallPlan {
    pub public_ips: u32,
    pub application_rules: Vec<AppRulePlan>,
    pub network_rules: Vec<NetRulePlan>,
    /// Outbound rules of the Windows node subnet's NSG, in evaluation (priority) order.
    pub windows_nsg_rules: Vec<NsgRulePlan>,
}

fn loc(s: &str, location: &str) -> String {
    s.replace("<location>", location)
}

/// Build the firewall model of a spec. User rules are carried as written (invalid parts are
/// dropped here and reported by EGR003).
pub fn firewall(spec: &Spec) -> FirewallPlan {
    let fw = &spec.egress.firewall;
    let facts = egress_facts();
    let location = spec.location.as_str();
    let has_windows = spec.cluster.node_pools.iter().any(|p| p.is_windows());
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
        if spec.monitoring.container_insights {
            sets.push("monitoring");
        }
        sets.push("policy");
        sets.push("keyvault");
    }
    if fw.aks_required == AksRequiredEgress::FqdnTag {
        plan.application_rules
            .push(tag_rule("aks", "aks-fqdn-tag", AKS_FQDN_TAG));
        // The tag covers the FQDNs, not the network rules (NTP).
        plan.network_rules.extend(
            facts
                .iter()
                .filter(|f| f.set == "aks" && f.kind == "network")
                .map(|f| net_rule("aks", f, location)),
        );
    }
    if has_windows && fw.allow_windows_update {
        plan.application_rules.push(tag_rule(
            "windows",
            "windows-update-tag",
            WINDOWS_UPDATE_TAG,
        ));
    }
    for set in sets {
        for f in facts.iter().filter(|f| f.set == set) {
            match f.kind.as_str() {
                "fqdn" => {
                    let port = f.port.parse().unwrap_or(443);
                    plan.application_rules.push(AppRulePlan {
                        collection: set.into(),
                        name: format!("{set}-{}", slug(&f.destination)),
                        fqdns: vec![loc(&f.destination, location)],
                        fqdn_tags: Vec::new(),
                        protocols: vec![ProtoPort {
                            protocol: f.protocol.clone(),
                            port,
                        }],
                        origin: RuleOrigin::Akswin,
                    });
                }
                "network" => plan.network_rules.push(net_rule(set, f, location)),
                _ => {}
            }
        }
    }
    for r in &fw.extra_application_rules {
        plan.application_rules.push(AppRulePlan {
            collection: "user".into(),
            name: r.name.clone(),
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
        plan.network_rules.push(NetRulePlan {
            collection: "user".into(),
            name: r.name.clone(),
            protocols: r.protocols.clone(),
            destinations: r.destinations.clone(),
            ports: r.ports.clone(),
            origin: RuleOrigin::User,
        });
    }
    // NSG on the Windows node subnet: the user's rules, then akswin's AD allowances.
    for r in &spec.egress.nsg_rules {
        plan.windows_nsg_rules.push(NsgRulePlan {
            name: r.name.clone(),
            priority: r.priority,
            allow: r.access == NsgAccess::Allow,
            protocol: r.protocol.clone(),
            destination: r.destination.clone(),
            ports: r.ports.clone(),
            origin: RuleOrigin::User,
        });
    }
    if spec.identity.gmsa.enabled && spec.egress.allow_active_directory {
        for (i, f) in facts.iter().filter(|f| f.set == "ad").enumerate() {
            plan.windows_nsg_rules.push(NsgRulePlan {
                name: format!("allow-ad-{}-{}", f.protocol.to_ascii_lowercase(), f.port),
                priority: AKSWIN_NSG_PRIORITY + i as u32,
                allow: true,
                protocol: title(&f.protocol),
                destination: "domainControllers".into(),
                ports: vec![f.port.clone()],
                origin: RuleOrigin::Akswin,
            });
        }
    }
    plan.windows_nsg_rules.sort_by_key(|r| r.priority);
    plan
}

/// An application rule for an FQDN tag on HTTP 80 and HTTPS 443.
fn tag_rule(collection: &str, name: &str, tag: &str) -> AppRulePlan {
    AppRulePlan {
        collection: collection.into(),
        name: name.into(),
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
    }
}

fn title(p: &str) -> String {
    let lower = p.to_ascii_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn net_rule(set: &str, f: &EgressFact, location: &str) -> NetRulePlan {
    NetRulePlan {
        collection: set.into(),
        name: format!("{set}-{}-{}", slug(&f.destination), f.port),
        protocols: vec![f.protocol.clone()],
        destinations: vec![loc(&f.destination, location)],
        ports: vec![f.port.clone()],
        origin: RuleOrigin::Akswin,
    }
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
    Ok(())
}

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
        let f = egress_facts();
        assert!(f.iter().filter(|x| x.set == "windows").count() == 5);
        assert!(f.iter().filter(|x| x.set == "ad").count() >= 12);
        for x in &f {
            if x.kind != "port" {
                assert!(parse_port_range(&x.port).is_ok(), "{x:?}");
            }
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
