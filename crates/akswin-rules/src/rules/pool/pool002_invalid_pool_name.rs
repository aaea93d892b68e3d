use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Node pool names: Windows pools 1-6 characters, Linux pools 1-12, lowercase letters and
    /// digits, starting with a letter; and no two pools with the same name.
    ///
    /// ## Why it matters
    /// The Windows limit of 6 characters comes from Windows computer names (the pool name plus
    /// a VMSS suffix must fit in 15 characters). ARM's own pattern allows 12, so a 7-character
    /// Windows name passes template validation and fails during deployment.
    ///
    /// ## How to fix
    /// Rename the pool, e.g. `win22` or `win25` for Windows pools.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/windows-vs-linux-containers
    /// - https://learn.microsoft.com/azure/aks/create-node-pools
    /// - https://learn.microsoft.com/azure/aks/use-system-pools
    /// - https://learn.microsoft.com/azure/templates/microsoft.containerservice/managedclusters/agentpools
    ///   (ARM pattern `^[a-z][a-z0-9]{0,11}$`)
    /// - docs/sources.md#windows-pool-names
    pub struct Pool002 {
        code: "POOL002",
        name: "invalid-pool-name",
        severity: Error,
        summary: "Node pool name too long or not lowercase alphanumeric starting with a letter",
    }
}

fn valid(name: &str, max: usize) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && name.len() <= max
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

impl Rule for Pool002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let mut seen: Vec<&str> = Vec::new();
        for (i, p) in cx.pools() {
            let ptr = format!("{}/name", Ctx::pool_ptr(i));
            let (max, os) = if p.is_windows() {
                (6, "Windows")
            } else {
                (12, "Linux")
            };
            if !valid(&p.name, max) {
                out.error(
                    &ptr,
                    format!(
                        "{os} pool name `{}` is invalid: use 1-{max} lowercase letters and digits, starting with a letter",
                        p.name
                    ),
                    if p.is_windows() {
                        "Windows pool names are limited to 6 characters, e.g. `win22`"
                    } else {
                        "e.g. `system`, `linux`"
                    },
                );
            }
            if seen.contains(&p.name.as_str()) {
                out.error(
                    &ptr,
                    format!("two node pools are named `{}`", p.name),
                    "pool names must be unique",
                );
            }
            seen.push(&p.name);
        }
    }
}
