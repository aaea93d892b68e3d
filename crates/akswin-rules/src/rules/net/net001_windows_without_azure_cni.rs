use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// That a cluster with Windows pools uses one of the Azure CNI modes:
    /// `azure-cni-overlay`, `azure-cni-pod-subnet` or `azure-cni-node-subnet`.
    /// `kubenet`, `none` and `byocni` are rejected.
    ///
    /// ## Why it matters
    /// "AKS clusters with Windows node pools require Azure CNI." Kubenet "isn't supported for
    /// Windows Server containers" (and retires on 2028-03-31); bring-your-own CNI is not
    /// supported on Windows. The deployment fails, or worse, the cluster is created and the
    /// Windows pool cannot be added.
    ///
    /// ## How to fix
    /// `network.cni: azure-cni-overlay` (Microsoft's recommended mode) or
    /// `azure-cni-node-subnet` (the reference implementation's).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/concepts-network-cni-overview
    /// - https://learn.microsoft.com/azure/aks/quotas-skus-regions
    ///   (kubenet not supported for Windows)
    /// - https://learn.microsoft.com/azure/aks/windows-vs-linux-containers (no BYOCNI on Windows)
    /// - docs/sources.md#windows-and-the-cni-modes
    /// - Architecture, "IP address planning"
    pub struct Net001 {
        code: "NET001",
        name: "windows-without-azure-cni",
        severity: Error,
        summary: "Windows node pools with a CNI other than Azure CNI",
    }
}

impl Rule for Net001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let cni = cx.spec.network.cni;
        if cx.has_windows() && !cni.is_azure() {
            out.error(
                "/network/cni",
                format!(
                    "Windows node pools require Azure CNI; `{}` is not supported for Windows",
                    cni.as_str()
                ),
                "use `cni: azure-cni-overlay` (recommended) or `azure-cni-node-subnet`",
            );
        }
    }
}
