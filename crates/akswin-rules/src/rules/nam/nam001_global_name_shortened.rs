use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Names that must be unique across all of Azure and that akswin derives from the spec's
    /// `name`: the Key Vault (`kv-<name>`, at most 24 characters) and, without
    /// `registry.name`, the container registry (`acr<letters and digits of name>`, at most 50).
    /// When the derived name is longer than its type allows, akswin shortens it; this rule
    /// says so.
    ///
    /// ## Why it matters
    /// A shortened name keeps only the start of `name`, so two deployments whose names differ
    /// only after that point (`contoso-legacy-production-eastus` and `...-westus`) ask for
    /// the same vault. The second deployment fails because the name is taken, and a deleted
    /// vault keeps its name reserved while it is soft-deleted.
    ///
    /// ## How to fix
    /// Shorten `name` so that the derived names fit (the message gives the length), or set
    /// `registry.name` for the registry.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
    /// - https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview
    /// - docs/sources.md#azure-resource-names
    pub struct Nam001 {
        code: "NAM001",
        name: "global-name-shortened",
        severity: Warning,
        summary: "A name that must be unique across Azure was shortened to fit its type",
    }
}

impl Rule for Nam001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let prefix = cx.plan.names.prefix.chars().count();
        for s in cx.plan.names.shortened.iter().filter(|s| s.global) {
            let over = s
                .full
                .chars()
                .count()
                .saturating_sub(s.used.chars().count());
            out.warning(
                "/name",
                format!(
                    "{} name `{}` is `{}` shortened to fit: names of this type are unique across Azure, and another deployment whose `name` starts the same gets the same one",
                    s.resource_type, s.used, s.full
                ),
                &format!(
                    "shorten `name` to at most {} characters so the name is kept whole",
                    prefix.saturating_sub(over)
                ),
            );
        }
    }
}
