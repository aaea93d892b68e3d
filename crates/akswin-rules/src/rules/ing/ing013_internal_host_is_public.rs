use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::IngressPath;

declare_rule! {
    /// ## What it checks
    /// That a workload's `internalHost` (the application proxy's internal URL, which
    /// `Set-InternalDnsRecord.ps1` writes into AD DNS) is not a name users reach from outside:
    /// not one of Front Door's custom domains, and inside the AD domain.
    ///
    /// ## Why it matters
    /// AD DNS answers for a name it holds a zone or record for. A public name there sends
    /// every user who resolves through AD, on premises too, to the internal load balancer,
    /// around Front Door and pre-authentication, where the firewall refuses them (split-brain
    /// DNS). A name outside the AD domain makes the script create a zone of its own for it.
    ///
    /// ## How to fix
    /// Use a name in the AD domain (`legacyweb.corp.contoso.com`) that the workload's
    /// certificate carries; keep the public name for `host`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/identity/app-proxy/how-to-configure-custom-domain
    /// - https://learn.microsoft.com/entra/identity/app-proxy/application-proxy-configure-hard-coded-link-translation
    pub struct Ing013 {
        code: "ING013",
        name: "internal-host-is-public",
        severity: Warning,
        summary: "An application proxy internal host that is a public name, or outside the AD domain",
    }
}

impl Rule for Ing013 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let custom: Vec<&str> = cx
            .spec
            .ingress
            .front_door
            .iter()
            .flat_map(|f| f.custom_domains.iter().map(|d| d.host.as_str()))
            .collect();
        let domain = cx
            .spec
            .identity
            .active_directory
            .as_ref()
            .map(|a| a.domain.to_ascii_lowercase());
        for r in cx
            .plan
            .ingress
            .iter()
            .filter(|r| r.path == IngressPath::AppProxy)
        {
            let Some(given) = cx
                .spec
                .workloads
                .get(r.index)
                .and_then(|w| w.internal_host.as_ref())
            else {
                continue;
            };
            let at = format!("/workloads/{}/internalHost", r.index);
            if custom.contains(&given.as_str()) {
                out.warning(
                    &at,
                    format!("internalHost `{given}` is a Front Door custom domain: its AD DNS record would send users who resolve through AD around Front Door"),
                    "use a name in the AD domain that the workload's certificate carries",
                );
            } else if let Some(d) = &domain
                && !given.as_str().ends_with(&format!(".{d}"))
            {
                out.warning(
                    &at,
                    format!("internalHost `{given}` is outside the AD domain `{d}`: Set-InternalDnsRecord.ps1 would create a zone of its own for it in AD DNS"),
                    "use a name in the AD domain that the workload's certificate carries",
                );
            }
        }
    }
}
