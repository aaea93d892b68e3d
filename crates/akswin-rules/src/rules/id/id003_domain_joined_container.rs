use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Workloads with `domainJoined: true`.
    ///
    /// ## Why it matters
    /// "Windows containers cannot be domain joined." Migrated apps that relied on the machine's
    /// domain membership must run under a gMSA credential spec instead.
    ///
    /// ## How to fix
    /// Remove `domainJoined`, set `auth: kerberos` and `gmsaAccount: NAME`.
    ///
    /// ## References
    /// - Architecture, "Identity management"
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    /// - docs/sources.md#gmsa-on-aks
    pub struct Id003 {
        code: "ID003",
        name: "domain-joined-container",
        severity: Error,
        summary: "A workload asks for a domain-joined container",
    }
}

impl Rule for Id003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, w) in cx
            .spec
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| w.domain_joined)
        {
            out.error(
                &format!("/workloads/{i}/domainJoined"),
                format!(
                    "workload `{}` asks to be domain joined; Windows containers cannot be",
                    w.name
                ),
                "use gMSA: `auth: kerberos` and `gmsaAccount: NAME`",
            );
        }
    }
}
