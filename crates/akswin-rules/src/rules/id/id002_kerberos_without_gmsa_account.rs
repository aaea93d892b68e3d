use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::AuthMode;

declare_rule! {
    /// ## What it checks
    /// That every `auth: kerberos` workload names a gMSA account (`gmsaAccount`), and that every
    /// named account is declared in `identity.gmsa.accounts`.
    ///
    /// ## Why it matters
    /// Windows containers cannot be domain joined; Kerberos from a container works only under a
    /// gMSA credential spec. An undeclared account gets no credential spec, no RBAC `use`
    /// grant, and the pod fails.
    ///
    /// ## How to fix
    /// `gmsaAccount: legacyweb` on the workload and `accounts: [ { name: legacyweb } ]`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    /// - docs/sources.md#gmsa-on-aks
    /// - Architecture, "Identity management"
    pub struct Id002 {
        code: "ID002",
        name: "kerberos-without-gmsa-account",
        severity: Error,
        summary: "A Kerberos workload without a gMSA account, or naming an undeclared account",
    }
}

impl Rule for Id002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let accounts: Vec<&str> = cx
            .spec
            .identity
            .gmsa
            .accounts
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        for (i, w) in cx.spec.workloads.iter().enumerate() {
            match &w.gmsa_account {
                None if w.auth == AuthMode::Kerberos => out.error(
                    &format!("/workloads/{i}"),
                    format!(
                        "workload `{}` uses Kerberos but names no gMSA account",
                        w.name
                    ),
                    "set `gmsaAccount: NAME` and declare it under identity.gmsa.accounts",
                ),
                Some(name) if !accounts.contains(&name.as_str()) => {
                    let hint = match akswin_spec::did_you_mean(name, &accounts) {
                        Some(s) => format!(
                            "did you mean `{s}`? Declared accounts are under identity.gmsa.accounts"
                        ),
                        None => "declare it under identity.gmsa.accounts".to_string(),
                    };
                    out.error(
                        &format!("/workloads/{i}/gmsaAccount"),
                        format!(
                            "workload `{}` names gMSA account `{name}`, which is not declared",
                            w.name
                        ),
                        &hint,
                    );
                }
                _ => {}
            }
        }
    }
}
