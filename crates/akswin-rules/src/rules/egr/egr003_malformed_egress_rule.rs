use crate::{Ctx, Out, Rule, declare_rule};
use akswin_plan::egress::{KNOWN_FQDN_TAGS, parse_port_range, parse_proto_port, validate_fqdn};
use akswin_spec::types::{Cidr, Ip};

declare_rule! {
    /// ## What it checks
    /// Every value in the user's own egress rules:
    /// - `egress.firewall.extraApplicationRules`: FQDNs (a host needs a top-level domain that
    ///   the public suffix list knows, so `api.nuget.ogr` is refused with a hint; a wildcard
    ///   only as the leftmost label, `*.example.com`; no bare `*`; no IP addresses),
    ///   FQDN tags (known Azure Firewall tags), protocols `http:80` / `https:443` /
    ///   `mssql:1433` with ports 1-65535, and at least one FQDN or tag;
    /// - `egress.firewall.extraNetworkRules`: protocols TCP, UDP, ICMP or Any; destinations as
    ///   CIDR, IP, service tag (`AzureMonitor`, `Storage.EastUS2`) or FQDN; ports or ranges;
    /// - `egress.nsgRules`: priority 100-4096, protocol tcp, udp, icmp or `*`, destination CIDR,
    ///   IP, `*` or `domainControllers`, ports or ranges;
    /// - names: two rules of one list with the same name (they land in one rule collection, or
    ///   one NSG, where names are unique).
    ///
    /// ## Why it matters
    /// Azure Firewall and NSGs reject malformed values at deployment, after the network is half
    /// built; some mistakes deploy and silently allow nothing (a host without a domain) or
    /// everything (`*`).
    ///
    /// ## How to fix
    /// Follow the hint in each finding.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/templates/microsoft.network/firewallpolicies/rulecollectiongroups
    /// - https://learn.microsoft.com/azure/firewall/fqdn-tags
    /// - https://publicsuffix.org/ (the list, as compiled into the psl crate 2.1.247)
    /// - docs/sources.md#firewall-rules-and-fqdn-tags
    pub struct Egr003 {
        code: "EGR003",
        name: "malformed-egress-rule",
        severity: Error,
        summary: "A firewall or NSG rule names a malformed FQDN, port or protocol",
    }
}

fn destination(s: &str) -> Result<(), String> {
    let t = s.trim();
    if t.contains('/') {
        return t.parse::<Cidr>().map(|_| ());
    }
    if t.parse::<Ip>().is_ok() {
        return Ok(());
    }
    let is_tag = t.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && t.split('.').count() <= 2
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    if is_tag {
        return Ok(());
    }
    validate_fqdn(t)
}

impl Rule for Egr003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let fw = &cx.spec.egress.firewall;
        // One list, one collection (or NSG): a name twice is refused at deployment.
        let mut dup = |list: &str, names: Vec<&str>| {
            for (i, n) in names.iter().enumerate() {
                if let Some(first) = names[..i].iter().position(|m| m.eq_ignore_ascii_case(n)) {
                    out.error(
                        &format!("/egress/{list}/{i}/name"),
                        format!("rule name `{n}` is used twice in {list} (first at index {first}): names are unique in a rule collection and in an NSG"),
                        "give each rule its own name",
                    );
                }
            }
        };
        dup(
            "firewall/extraApplicationRules",
            fw.extra_application_rules
                .iter()
                .map(|r| r.name.as_str())
                .collect(),
        );
        dup(
            "firewall/extraNetworkRules",
            fw.extra_network_rules
                .iter()
                .map(|r| r.name.as_str())
                .collect(),
        );
        dup(
            "nsgRules",
            cx.spec
                .egress
                .nsg_rules
                .iter()
                .map(|r| r.name.as_str())
                .collect(),
        );
        for (i, r) in fw.extra_application_rules.iter().enumerate() {
            let base = format!("/egress/firewall/extraApplicationRules/{i}");
            if r.fqdns.is_empty() && r.fqdn_tags.is_empty() {
                out.error(
                    &base,
                    format!(
                        "application rule `{}` names no FQDN and no FQDN tag",
                        r.name
                    ),
                    "add `fqdns: [...]` or `fqdnTags: [...]`",
                );
            }
            for (j, f) in r.fqdns.iter().enumerate() {
                if let Err(e) = validate_fqdn(f) {
                    out.error(
                        &format!("{base}/fqdns/{j}"),
                        e,
                        "write a host like api.nuget.org or *.blob.core.windows.net",
                    );
                }
            }
            for (j, t) in r.fqdn_tags.iter().enumerate() {
                if !KNOWN_FQDN_TAGS.contains(&t.as_str()) {
                    let hint = match akswin_spec::did_you_mean(t, &KNOWN_FQDN_TAGS) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("known tags: {}", KNOWN_FQDN_TAGS.join(", ")),
                    };
                    out.error(
                        &format!("{base}/fqdnTags/{j}"),
                        format!("`{t}` is not an Azure Firewall FQDN tag"),
                        &hint,
                    );
                }
            }
            if r.protocols.is_empty() {
                out.error(
                    &base,
                    format!("application rule `{}` names no protocol", r.name),
                    "add `protocols: [https:443]`",
                );
            }
            for (j, p) in r.protocols.iter().enumerate() {
                if let Err(e) = parse_proto_port(p) {
                    out.error(
                        &format!("{base}/protocols/{j}"),
                        e,
                        "use http:80, https:443 or mssql:1433",
                    );
                }
            }
        }
        for (i, r) in fw.extra_network_rules.iter().enumerate() {
            let base = format!("/egress/firewall/extraNetworkRules/{i}");
            for (j, p) in r.protocols.iter().enumerate() {
                if !["tcp", "udp", "icmp", "any"].contains(&p.to_ascii_lowercase().as_str()) {
                    out.error(
                        &format!("{base}/protocols/{j}"),
                        format!("`{p}` is not a network rule protocol"),
                        "use TCP, UDP, ICMP or Any",
                    );
                }
            }
            for (j, d) in r.destinations.iter().enumerate() {
                if let Err(e) = destination(d) {
                    out.error(
                        &format!("{base}/destinations/{j}"),
                        e,
                        "use a CIDR, an IP, a service tag or an FQDN",
                    );
                }
            }
            for (j, p) in r.ports.iter().enumerate() {
                if let Err(e) = parse_port_range(p) {
                    out.error(
                        &format!("{base}/ports/{j}"),
                        e,
                        "use a port 1-65535, a range like 49152-65535, or *",
                    );
                }
            }
        }
        for (i, r) in cx.spec.egress.nsg_rules.iter().enumerate() {
            let base = format!("/egress/nsgRules/{i}");
            if !(100..=4096).contains(&r.priority) {
                out.error(
                    &format!("{base}/priority"),
                    format!("NSG priority {} is outside 100-4096", r.priority),
                    "use 100-4096 (lower wins)",
                );
            }
            if !["tcp", "udp", "icmp", "*"].contains(&r.protocol.to_ascii_lowercase().as_str()) {
                out.error(
                    &format!("{base}/protocol"),
                    format!("`{}` is not an NSG protocol", r.protocol),
                    "use tcp, udp, icmp or *",
                );
            }
            let d = r.destination.trim();
            let valid = d == "*"
                || d == "domainControllers"
                || d.parse::<Cidr>().is_ok()
                || d.parse::<Ip>().is_ok();
            if !valid {
                out.error(
                    &format!("{base}/destination"),
                    format!("`{d}` is not an NSG destination"),
                    "use a CIDR, an IP, * or domainControllers",
                );
            }
            for (j, p) in r.ports.iter().enumerate() {
                if let Err(e) = parse_port_range(p) {
                    out.error(
                        &format!("{base}/ports/{j}"),
                        e,
                        "use a port 1-65535, a range like 49152-65535, or *",
                    );
                }
            }
            if r.ports.is_empty() {
                out.error(
                    &format!("{base}/ports"),
                    format!("NSG rule `{}` lists no ports: Azure refuses a rule without a destination port", r.name),
                    "list ports or ranges, or `*` for every port",
                );
            }
        }
    }
}
