use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::AuthMode;

declare_rule! {
    /// ## What it checks
    /// New domain controllers that create a new forest (`domainControllers.count` without
    /// `existing`) for workloads that sign users in with Kerberos through the application
    /// proxy. Reported as information: the spec is valid for a lab, not for users.
    ///
    /// ## Why it matters
    /// The application proxy connector asks Active Directory for a Kerberos ticket on behalf
    /// of the signed-in user, found by the user's UPN (or on-premises SAM account name). A new
    /// forest has no users, no trust and no directory synchronisation: single sign-on fails for
    /// everyone until the users exist there. The article's workloads come with their
    /// on-premises Active Directory.
    ///
    /// ## How to fix
    /// Use the existing domain (`domainControllers.existing`, with `network.hybrid`), or give
    /// the new forest a trust with the users' forest and the users' UPN suffix, or accept it
    /// as a test environment.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/identity/app-proxy/how-to-configure-sso-with-kcd
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    pub struct Id005 {
        code: "ID005",
        name: "new-forest-has-no-users",
        severity: Info,
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
        let dcs = &ad.domain_controllers;
        let kerberos = cx
            .spec
            .workloads
            .iter()
            .any(|w| w.auth == AuthMode::Kerberos);
        if dcs.count.unwrap_or(0) > 0
            && dcs.existing.is_none()
            && kerberos
            && cx.spec.ingress.app_proxy.enabled
        {
            out.info(
                "/identity/activeDirectory/domainControllers/count",
                format!(
                    "the domain controllers create a new forest {}: Kerberos single sign-on finds users by UPN, and a new forest has none (no trust, no synchronisation), so sign-in works for nobody until users exist there",
                    ad.domain
                ),
                "for users, use the existing domain (`existing: { dnsServers: [...] }` with network.hybrid); keep a new forest for tests",
            );
        }
    }
}
