use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Secrets written as literals in the spec: domain controller `adminPassword` and
    /// `safeModePassword` given as strings instead of `{ keyVaultSecret: NAME }` /
    /// `{ parameter: NAME }`, and a `gmsa.keyVaultSecret` that looks like the credential itself
    /// (`DOMAIN\user:password`) rather than a secret's name. The Windows admin password is
    /// POOL009's. Values are never shown.
    ///
    /// ## Why it matters
    /// A spec lives in Git. A secret there is in every clone, every CI log and every rendered
    /// file; akswin renders only references, so a literal can only leak.
    ///
    /// ## How to fix
    /// Store the value in Key Vault and reference it by name; rotate the exposed secret.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    ///   (the gMSA credential is a Key Vault secret)
    /// - docs/sources.md#gmsa-on-aks
    /// - ARCHITECTURE.md, "Secrets": akswin never prints a secret's value
    pub struct Id004 {
        code: "ID004",
        name: "literal-secret",
        severity: Error,
        summary: "A secret given as a literal in the spec",
    }
}

impl Rule for Id004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let id = &cx.spec.identity;
        if let Some(ad) = &id.active_directory {
            let dcs = &ad.domain_controllers;
            for (key, s, _) in dcs.secrets() {
                if s.as_ref().is_some_and(|s| s.is_literal()) {
                    out.error(
                        &format!("/identity/activeDirectory/domainControllers/{key}"),
                        format!(
                            "domain controllers' {key} is written in the spec (value not shown)"
                        ),
                        "use `{ keyVaultSecret: NAME }` and rotate the exposed password",
                    );
                }
            }
        }
        if let Some(s) = &id.gmsa.key_vault_secret
            && s.looks_like_credential()
        {
            out.error(
                "/identity/gmsa/keyVaultSecret",
                "gmsa.keyVaultSecret looks like a credential (DOMAIN\\user:password), not a secret name (value not shown)".into(),
                "store the credential in Key Vault and put the secret's name here; rotate the password",
            );
        }
    }
}
