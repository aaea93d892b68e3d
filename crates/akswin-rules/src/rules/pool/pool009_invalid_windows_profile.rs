use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// - Windows pools without `cluster.windowsProfile`;
    /// - an admin username that Azure disallows (`administrator`, `admin`, `user`, `root`,
    ///   `guest`, ... see `data/windows_admin_names.txt`), longer than 20 characters, or ending
    ///   in `.`;
    /// - an admin password written as a literal instead of `{ keyVaultSecret: NAME }` or
    ///   `{ parameter: NAME }` (the value itself is never shown). Literal secrets elsewhere in
    ///   the spec are ID004's.
    ///
    /// ## Why it matters
    /// `windowsProfile` must be set when the cluster is created: Windows pools cannot be added
    /// to a cluster created without it. A disallowed username fails the deployment. A password
    /// in the spec ends up in Git history and in every rendered file.
    ///
    /// ## How to fix
    /// ```yaml
    /// windowsProfile:
    ///   adminUsername: akswinadmin
    ///   adminPassword: { keyVaultSecret: windows-admin-password }
    /// ```
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/create-node-pools
    /// - https://learn.microsoft.com/azure/templates/microsoft.containerservice/managedclusters
    ///   (`windowsProfile`)
    /// - docs/sources.md#windows-pool-and-cluster-settings
    pub struct Pool009 {
        code: "POOL009",
        name: "invalid-windows-profile",
        severity: Error,
        summary: "Windows pools without windowsProfile, a disallowed admin name, or a literal password",
    }
}

impl Rule for Pool009 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(wp) = &cx.spec.cluster.windows_profile else {
            if cx.has_windows() {
                out.error(
                    "/cluster",
                    "the cluster has Windows pools but no windowsProfile".into(),
                    "add cluster.windowsProfile with adminUsername and adminPassword: { keyVaultSecret: NAME }; it cannot be added after creation",
                );
            }
            return;
        };
        let name = wp.admin_username.trim();
        let ptr = "/cluster/windowsProfile/adminUsername";
        if cx
            .facts
            .admin_names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
        {
            out.error(
                ptr,
                format!("`{name}` is a disallowed Windows admin username"),
                "choose a specific name such as `akswinadmin`",
            );
        } else if name.is_empty() || name.chars().count() > 20 || name.ends_with('.') {
            out.error(
                ptr,
                format!(
                    "Windows admin username `{name}` must be 1-20 characters and not end in `.`"
                ),
                "choose a specific name such as `akswinadmin`",
            );
        }
        if wp.admin_password.is_literal() {
            out.error(
                "/cluster/windowsProfile/adminPassword",
                "the Windows admin password is written in the spec (value not shown)".into(),
                "use `adminPassword: { keyVaultSecret: NAME }` and rotate the exposed password",
            );
        }
    }
}
