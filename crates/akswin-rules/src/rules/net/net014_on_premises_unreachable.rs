use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::types::Ip;

declare_rule! {
    /// ## What it checks
    /// That every domain controller and DNS server the cluster depends on outside the planned
    /// VNets can be reached:
    /// - an address inside `network.onPremises` (existing domain controllers, the VNet's DNS
    ///   servers, `identity.gmsa.dnsServer`) needs `network.hybrid`: without a gateway in the
    ///   hub nothing routes to on-premises;
    /// - an address that is in no planned or peered VNet and not in `network.onPremises`
    ///   either has no route at all (the firewall would send it to the internet, where a
    ///   private address goes nowhere);
    /// - a warning for `network.dnsServers` on premises behind a gateway the same deployment
    ///   creates: the link cannot be up while the cluster is created.
    ///
    /// ## Why it matters
    /// The spoke's route table sends everything to the hub firewall. The firewall reaches
    /// on-premises only through routes a VPN or ExpressRoute gateway in the hub learns. Without
    /// one, DNS, Kerberos and LDAP to the domain controllers time out: nodes cannot resolve,
    /// and gMSA pods never start. The deployment succeeds; the failure shows up as pods stuck
    /// in ContainerCreating.
    ///
    /// ## How to fix
    /// Add `network.hybrid` (`gateway: vpn`, `expressRoute` or `existing`), or list the range
    /// the address lives in under `network.onPremises` (and connect it), or correct the address.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke
    /// - https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview
    ///   (gateway transit)
    /// - docs/sources.md#network-flows
    pub struct Net014 {
        code: "NET014",
        name: "on-premises-unreachable",
        severity: Error,
        summary: "A domain controller or DNS server on premises with no hybrid connectivity",
    }
}

impl Rule for Net014 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let n = &cx.spec.network;
        let mut addrs: Vec<(String, Ip, &str)> = Vec::new();
        if let Some(e) = cx
            .spec
            .identity
            .active_directory
            .as_ref()
            .and_then(|a| a.domain_controllers.existing.as_ref())
        {
            for (i, ip) in e.dns_servers.iter().enumerate() {
                addrs.push((
                    format!("/identity/activeDirectory/domainControllers/existing/dnsServers/{i}"),
                    *ip,
                    "domain controller",
                ));
            }
        }
        for (i, ip) in n.dns_servers.iter().flatten().enumerate() {
            addrs.push((format!("/network/dnsServers/{i}"), *ip, "DNS server"));
        }
        if let Some(ip) = cx.spec.identity.gmsa.dns_server {
            addrs.push(("/identity/gmsa/dnsServer".into(), ip, "gMSA DNS server"));
        }
        let in_vnet = |ip: &Ip| {
            cx.plan
                .vnets
                .iter()
                .flat_map(|v| &v.address_space)
                .any(|c| c.net().contains(&ip.0))
        };
        // DNS servers on premises behind a gateway this same deployment creates: the nodes
        // resolve nothing until someone connects on-premises, and the cluster is created
        // before that.
        if let Some(h) = &n.hybrid
            && h.gateway != akswin_spec::spec::GatewayKind::Existing
        {
            for (i, ip) in n.dns_servers.iter().flatten().enumerate() {
                if n.is_on_premises(ip.0) {
                    out.warning(
                        &format!("/network/dnsServers/{i}"),
                        format!(
                            "DNS server {ip} is on premises, behind the gateway this deployment creates: the link is down while the cluster is created, so nodes cannot resolve the private API server, the registry or MCR, and the cluster fails to start"
                        ),
                        "remove network.dnsServers: akswin then keeps Azure DNS and points gMSA at the domain controllers (gmsaProfile.dnsServer)",
                    );
                }
            }
        }
        for (ptr, ip, what) in addrs {
            if in_vnet(&ip) {
                continue;
            }
            let on_prem = n.is_on_premises(ip.0);
            if on_prem && n.hybrid.is_none() {
                out.error(
                    &ptr,
                    format!(
                        "{what} {ip} is on premises (network.onPremises), but nothing connects the hub to on-premises: DNS, Kerberos and LDAP to it would time out"
                    ),
                    "add `network.hybrid` with `gateway: vpn`, `expressRoute` or `existing` (a gateway already in the hub)",
                );
            } else if !on_prem {
                out.error(
                    &ptr,
                    format!(
                        "{what} {ip} is in no VNet akswin plans or peers and not in network.onPremises: no route leads to it"
                    ),
                    "add its range to `network.onPremises` (with `network.hybrid`), or correct the address",
                );
            }
        }
    }
}
