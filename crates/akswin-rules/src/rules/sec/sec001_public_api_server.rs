use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// - a public API server (`cluster.privateCluster: false`) without
    ///   `apiServerAuthorizedIpRanges`;
    /// - Kubernetes local accounts enabled (`disableLocalAccounts: false`).
    ///
    /// ## Why it matters
    /// The AKS baseline this architecture extends runs a private cluster (the reference
    /// implementation does too). A public API server open to the internet, or a static admin
    /// kubeconfig that bypasses Entra ID, is the most direct way into the cluster.
    ///
    /// ## How to fix
    /// `privateCluster: true` (or authorized ranges) and `disableLocalAccounts: true`.
    ///
    /// ## References
    /// - https://github.com/Azure/aks-baseline-windows (reference implementation: private cluster)
    /// - https://learn.microsoft.com/azure/aks/policy-reference
    ///   (policies 993c2fcd "local authentication methods disabled", 040732e8 "private clusters")
    /// - docs/sources.md#azure-policy-built-in-ids
    pub struct Sec001 {
        code: "SEC001",
        name: "public-api-server",
        severity: Warning,
        summary: "Public API server without authorized IP ranges, or local accounts enabled",
    }
}

impl Rule for Sec001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let c = &cx.spec.cluster;
        if !c.private_cluster && c.api_server_authorized_ip_ranges.is_empty() {
            out.warning(
                "/cluster/privateCluster",
                "the API server is public and open to every address".into(),
                "set `privateCluster: true`, or list apiServerAuthorizedIpRanges",
            );
        }
        if !c.disable_local_accounts {
            out.warning(
                "/cluster/disableLocalAccounts",
                "Kubernetes local accounts are enabled (static admin credentials bypass Entra ID)"
                    .into(),
                "set `disableLocalAccounts: true`",
            );
        }
    }
}
