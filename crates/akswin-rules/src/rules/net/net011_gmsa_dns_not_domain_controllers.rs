use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// With gMSA on, that the Windows nodes resolve the domain through the domain controllers:
    /// - `network.dnsServers: []` (Azure-provided DNS) without `identity.gmsa.dnsServer`;
    /// - explicit `network.dnsServers` that include none of the domain controllers
    ///   (`domainControllers.existing.dnsServers`, or the addresses planned for new DCs);
    /// - `identity.gmsa.dnsServer` that is not one of the domain controllers.
    ///
    /// When `network.dnsServers` is absent, akswin points the spoke VNet's DNS at the domain
    /// controllers itself (or, when they are outside the planned VNets, keeps Azure DNS and
    /// sets `gmsaProfile.dnsServer` to the first of them, so the cluster is created without
    /// depending on the link to on-premises), so nothing is judged.
    ///
    /// ## Why it matters
    /// gMSA needs the domain controllers to be resolvable (`_ldap._tcp.dc._msdcs.<domain>`).
    /// Without it pods fail with `winapi error` and Kerberos never works.
    ///
    /// ## How to fix
    /// Remove `network.dnsServers` (akswin sets the DCs), or list the DC addresses.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    /// - docs/sources.md#gmsa-on-aks
    pub struct Net011 {
        code: "NET011",
        name: "gmsa-dns-not-domain-controllers",
        severity: Warning,
        summary: "gMSA in use but DNS does not point at the domain controllers",
    }
}

impl Rule for Net011 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let id = &cx.spec.identity;
        if !id.gmsa.enabled {
            return;
        }
        // The domain controllers' addresses: existing ones as declared, new ones as planned.
        let mut existing: Vec<_> = id
            .active_directory
            .as_ref()
            .and_then(|ad| ad.domain_controllers.existing.as_ref())
            .map(|e| e.dns_servers.clone())
            .unwrap_or_default();
        existing.extend(cx.plan.addresses.domain_controller_ips.iter().copied());
        if let Some(gdns) = id.gmsa.dns_server
            && !existing.is_empty()
            && !existing.contains(&gdns)
        {
            out.warning(
                "/identity/gmsa/dnsServer",
                format!("gmsa.dnsServer {gdns} is not one of the domain controllers"),
                "use a domain controller address, or remove it and let the VNet DNS point at the DCs",
            );
        }
        match &cx.spec.network.dns_servers {
            Some(list) if list.is_empty() && id.gmsa.dns_server.is_none() => out.warning(
                "/network/dnsServers",
                "gMSA is on but the spoke uses Azure-provided DNS, which cannot resolve the AD domain".into(),
                "remove `dnsServers` (akswin points it at the domain controllers) or set identity.gmsa.dnsServer",
            ),
            Some(list) if !list.is_empty() && !existing.is_empty() && !list.iter().any(|d| existing.contains(d)) => {
                out.warning(
                    "/network/dnsServers",
                    "gMSA is on but the spoke DNS servers include none of the domain controllers".into(),
                    "list the domain controllers' addresses in network.dnsServers",
                )
            }
            _ => {}
        }
    }
}
