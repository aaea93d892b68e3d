use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::AuthMode;

declare_rule! {
    /// ## What it checks
    /// A new forest (`identity.activeDirectory.mode: newForest`, or `domainControllers.count`
    /// without `existing`) for workloads that sign users in with Kerberos through the
    /// application proxy. A warning: the spec deploys, and suits a lab, not users.
    ///
    /// ## Why it matters
    /// The application proxy connector asks Active Directory for a Kerberos ticket on behalf
    /// of the signed-in user, found by the user's UPN (or on-premises SAM account name). A new
    /// forest has no users, no trust and no directory synchronisation: single sign-on fails for
    /// everyone until the users exist there. The article's workloads come with their
    /// on-premises Active Directory.
    ///
    /// ## How to fix
    /// Extend the existing domain: `mode: replica` (new domain controllers in the hub join it
    /// over `network.hybrid`) or `mode: existing`. Or give the new forest a trust with the
    /// users' forest and the users' UPN suffix, or accept it as a test environment.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/identity/app-proxy/how-to-configure-sso-with-kcd
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    pub struct Id005 {
        code: "ID005",
        name: "new-forest-has-no-users",
        severity: Warning,
        summary: "Kerberos single sign-on against a new forest that has no users",
    }
}

impl Rule for Id005 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(ad) = &cx.spec.identity.active_directory else {
            return;
        };
        let kerberos = cx
            .spec
            .workloads
            .iter()
            .any(|w| w.auth == AuthMode::Kerberos);
        if ad.creates_dcs()
            && ad.mode() == akswin_spec::spec::AdMode::NewForest
            && kerberos
            && cx.spec.ingress.app_proxy.enabled
        {
            let at = if ad.mode.is_some() {
                "/identity/activeDirectory/mode"
            } else {
                "/identity/activeDirectory/domainControllers/count"
            };
            out.warning(
                at,
                format!(
                    "the domain controllers create a new forest {}: Kerberos single sign-on finds users by UPN, and a new forest has none (no trust, no synchronisation), so sign-in works for nobody until users exist there",
                    ad.domain
                ),
                "for users, extend the existing domain (`mode: replica` with `existing: { dnsServers: [...] }` and network.hybrid); keep a new forest for tests",
            );
        }
    }
}
