use crate::{Ctx, Out, Rule, declare_rule};
use akswin_facts::{EgressKind, facts};
use akswin_plan::egress::AKS_FQDN_TAG;
use akswin_spec::spec::AksRequiredEgress;

declare_rule! {
    /// ## What it checks
    /// That the firewall allows the AKS required egress: the `AzureKubernetesService` FQDN tag
    /// (`egress.firewall.aksRequired: fqdnTag`, the default) or every FQDN of the required list
    /// (`fqdnList`: mcr.microsoft.com, *.data.mcr.microsoft.com, management.azure.com,
    /// login.microsoftonline.com, packages.microsoft.com, acs-mirror.azureedge.net,
    /// packages.aks.azure.com, ...) on HTTPS 443. `aksRequired: none` fails, unless the user's
    /// own application rules cover every FQDN.
    ///
    /// ## Why it matters
    /// With `userDefinedRouting`, nodes reach nothing the firewall does not allow. Without the
    /// required egress, nodes never become Ready: image pulls from MCR, the node bootstrap
    /// binaries and Entra ID logins all fail, and the cluster creation times out.
    ///
    /// ## How to fix
    /// Leave `aksRequired: fqdnTag` (Microsoft keeps the tag current).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/outbound-rules-control-egress
    /// - https://learn.microsoft.com/azure/aks/limit-egress-traffic
    ///   (the `AzureKubernetesService` FQDN tag)
    /// - docs/sources.md#aks-required-egress
    pub struct Egr001 {
        code: "EGR001",
        name: "aks-required-egress-missing",
        severity: Error,
        summary: "Firewall lacks the AKS required egress",
    }
}

impl Rule for Egr001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let fw = &cx.plan.firewall;
        let tagged = fw
            .application_rules
            .iter()
            .any(|r| r.fqdn_tags.iter().any(|t| t == AKS_FQDN_TAG));
        if tagged {
            return;
        }
        let missing: Vec<String> = facts()
            .egress_set("aks")
            .filter(|f| f.kind == EgressKind::Fqdn)
            .filter(|f| {
                !crate::rules::egr::covered(
                    fw,
                    cx.subnet_prefix("systemNodes"),
                    &f.destination,
                    f.protocol.as_str(),
                    &f.port,
                )
            })
            .map(|f| f.destination.clone())
            .collect();
        if !missing.is_empty() {
            let ptr = if cx.spec.egress.firewall.aks_required == AksRequiredEgress::None {
                "/egress/firewall/aksRequired"
            } else {
                "/egress/firewall"
            };
            out.error(
                ptr,
                format!(
                    "the firewall does not allow the AKS required egress: {}",
                    missing.join(", ")
                ),
                "set `aksRequired: fqdnTag` (the AzureKubernetesService FQDN tag)",
            );
        }
    }
}
