use crate::{Ctx, Out, Rule, declare_rule};
use akswin_plan::egress::{AKSWIN_NSG_PRIORITY, ad_ports, parse_port_range};
use akswin_spec::spec::NsgAccess;
use akswin_spec::types::{Cidr, Ip};

declare_rule! {
    /// ## What it checks
    /// With gMSA on, that the Windows node subnet can reach the domain controllers on every
    /// Active Directory port: DNS 53 (TCP and UDP), Kerberos 88, LDAP 389, LDAPS 636, global
    /// catalog 3268-3269, RPC 135 and 49152-65535, SMB 445, AD Web Services 9389:
    /// - `egress.allowActiveDirectory: false` removes akswin's allow rules;
    /// - a user NSG rule (`egress.nsgRules`) that denies one of them with a priority below
    ///   akswin's allow rules (which start at 1000) shadows it. A rule matches when its
    ///   protocol, a port and its destination (`*`, `domainControllers`, or a CIDR holding a
    ///   domain controller) all match.
    ///
    /// ## Why it matters
    /// gMSA retrieves its credentials from AD over these ports ("Active Directory Web Services
    /// ... must be reachable on port 9389"; SRV lookups need DNS over TCP). A single blocked
    /// port gives pods that start but fail every Kerberos login.
    ///
    /// ## How to fix
    /// Keep `allowActiveDirectory: true`; give deny rules a priority above 1100, or exclude the
    /// domain controllers from them.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    ///   (AD Web Services on 9389, DNS over TCP)
    /// - https://learn.microsoft.com/troubleshoot/windows-server/active-directory/config-firewall-for-ad-domains-and-trusts
    /// - docs/sources.md#ad-ds-ports; data/egress.csv (set `ad`)
    pub struct Egr004 {
        code: "EGR004",
        name: "active-directory-blocked",
        severity: Error,
        summary: "gMSA/AD traffic from the Windows nodes to the domain controllers is not allowed",
    }
}

fn dc_addresses(cx: &Ctx<'_>) -> Vec<Ip> {
    let mut v = cx.plan.addresses.domain_controller_ips.clone();
    if let Some(e) = cx
        .spec
        .identity
        .active_directory
        .as_ref()
        .and_then(|a| a.domain_controllers.existing.as_ref())
    {
        v.extend(e.dns_servers.iter().copied());
    }
    v
}

impl Rule for Egr004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        if !cx.spec.identity.gmsa.enabled {
            return;
        }
        if !cx.spec.egress.allow_active_directory {
            out.error(
                "/egress/allowActiveDirectory",
                "gMSA is on but the Windows nodes are not allowed to reach the domain controllers' AD ports".into(),
                "set `allowActiveDirectory: true`, or allow DNS, Kerberos, LDAP, GC, RPC, SMB and ADWS yourself",
            );
            return;
        }
        let dcs = dc_addresses(cx);
        let dc_subnet = cx.subnet_prefix("domainControllers");
        let ports: Vec<(&str, &str, &str)> = ad_ports()
            .into_iter()
            .map(|f| (f.protocol.as_str(), f.port.as_str(), f.note.as_str()))
            .collect();
        for (i, r) in cx.spec.egress.nsg_rules.iter().enumerate() {
            if r.access != NsgAccess::Deny || r.priority >= AKSWIN_NSG_PRIORITY {
                continue;
            }
            let d = r.destination.trim();
            let to_dcs = d == "*"
                || d == "domainControllers"
                || d.parse::<Cidr>().is_ok_and(|c| {
                    dcs.iter().any(|ip| c.contains_addr(ip.0))
                        || dc_subnet.is_some_and(|s| s.overlaps(&c))
                })
                || d.parse::<Ip>().is_ok_and(|ip| dcs.contains(&ip));
            if !to_dcs {
                continue;
            }
            let blocked: Vec<String> = ports
                .iter()
                .filter(|(proto, port, _)| {
                    let proto_ok = r.protocol == "*" || r.protocol.eq_ignore_ascii_case(proto);
                    let (a, b) = parse_port_range(port).unwrap_or((0, 0));
                    proto_ok
                        && r.ports
                            .iter()
                            .filter_map(|p| parse_port_range(p).ok())
                            .any(|(x, y)| x <= b && a <= y)
                })
                .map(|(proto, port, note)| format!("{note} {proto} {port}"))
                .collect();
            if !blocked.is_empty() {
                out.error(
                    &format!("/egress/nsgRules/{i}"),
                    format!(
                        "NSG rule `{}` (priority {}) denies traffic gMSA needs to the domain controllers: {}",
                        r.name,
                        r.priority,
                        blocked.join(", ")
                    ),
                    "give the deny rule a priority above 1100, or exclude the domain controllers",
                );
            }
        }
    }
}
