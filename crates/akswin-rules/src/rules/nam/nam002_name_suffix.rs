use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// `nameSuffix`, which ends the names that must be unique across all of Azure (the Key
    /// Vaults, a registry without `registry.name`): an error when it is not 2 to 8 lowercase
    /// letters and digits; a warning when it is absent and akswin names such a resource.
    ///
    /// ## Why it matters
    /// Key Vault and registry names are global. `kv-<name>` is taken as soon as anyone,
    /// anywhere, deploys a spec with the same `name`, and a deleted vault keeps its name for
    /// the 90 days of purge protection: the bootstrap then fails with "already exists", or
    /// a second environment from the same spec collides with the first.
    ///
    /// ## How to fix
    /// Set `nameSuffix` to a short random value and keep it for the life of the deployment
    /// (`akswin init` writes one). Changing it later means new vaults and a new registry.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
    /// - https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview
    pub struct Nam002 {
        code: "NAM002",
        name: "global-name-suffix",
        severity: Warning,
        summary: "Globally unique names without a suffix, or a suffix that is not 2-8 lowercase letters and digits",
    }
}

impl Rule for Nam002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        match cx.spec.name_suffix.as_deref() {
            Some(s) => {
                let ok = (2..=8).contains(&s.len())
                    && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
                if !ok {
                    out.error(
                        "/nameSuffix",
                        format!("`{s}` is not 2 to 8 lowercase letters and digits"),
                        "use a short random value such as `k7q2` (Key Vault and registry names allow nothing else here)",
                    );
                }
            }
            None => out.warning(
                "/name",
                format!(
                    "no `nameSuffix`: the Key Vaults (`kv-{0}`, `kvfd-{0}`) take names that must be unique across Azure, and anyone with the same spec name collides",
                    cx.spec.name
                ),
                "add `nameSuffix: <2-8 random lowercase letters and digits>` and keep it (`akswin init` writes one)",
            ),
        }
    }
}
