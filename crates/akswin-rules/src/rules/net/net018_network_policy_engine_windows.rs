use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{NetworkPolicy, OsSku};
use chrono::NaiveDate;

/// The day Azure Network Policy Manager stops being supported on Windows nodes.
const NPM_WINDOWS_END: (i32, u32, u32) = (2026, 9, 30);

declare_rule! {
    /// ## What it checks
    /// `cluster.networkPolicy` against the cluster's Windows pools:
    /// - error: `azure` (Azure Network Policy Manager) from 2026-09-30, when its support on
    ///   Windows nodes ends (a warning before that date);
    /// - error: `cilium` (Azure CNI powered by Cilium runs on Linux only, and a cluster with
    ///   Windows pools cannot move to it);
    /// - info: `calico` with a Windows2025 pool (AKS documents Calico on Windows Server 2019
    ///   and 2022 only; there is no other engine for Windows nodes, so this asks for a test
    ///   rather than a change);
    /// - info: `none` with Windows pools (NetworkPolicy objects are accepted and enforced
    ///   nowhere).
    ///
    /// ## Why it matters
    /// A network policy the engine does not enforce on Windows nodes is a silent gap: the
    /// Windows pods (the domain-joined, Kerberos-using ones) stay open to every pod in the
    /// cluster while the manifests say otherwise.
    ///
    /// ## How to fix
    /// `networkPolicy: calico` (the engine AKS documents for Windows pools, with Azure CNI).
    /// On Windows2025 pools, prove it with a test policy (a denied connection that is refused)
    /// before relying on it, and keep the NSGs on the Windows subnet as the outer fence.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/use-network-policies
    /// - https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay (Azure NPM on Windows ends 2026-09-30)
    /// - https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium (limitations: Linux only)
    /// - https://github.com/Azure/AKS/issues/3129
    /// - docs/sources.md#windows-and-the-cni-modes
    pub struct Net018 {
        code: "NET018",
        name: "network-policy-engine-windows",
        severity: Error,
        summary: "A network policy engine that does not enforce on the cluster's Windows pools",
    }
}

impl Rule for Net018 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        if !cx.has_windows() {
            return;
        }
        let ptr = "/cluster/networkPolicy";
        match cx.spec.cluster.network_policy {
            NetworkPolicy::Azure => {
                let (y, m, d) = NPM_WINDOWS_END;
                let end = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
                let msg = format!(
                    "Azure Network Policy Manager is not supported on Windows nodes from {end}: the Windows pods' network policies are not enforced"
                );
                let help = "use `networkPolicy: calico`";
                if cx.today >= end {
                    out.error(ptr, msg, help);
                } else {
                    out.warning(ptr, msg, help);
                }
            }
            NetworkPolicy::Cilium => out.error(
                ptr,
                "Azure CNI powered by Cilium runs on Linux nodes only; a cluster with Windows pools cannot use it".to_string(),
                "use `networkPolicy: calico`",
            ),
            NetworkPolicy::Calico => {
                for (i, p) in cx.windows_pools() {
                    if p.os_sku() == OsSku::Windows2025 {
                        out.info(
                            &format!("{}/osSku", Ctx::pool_ptr(i)),
                            format!(
                                "pool {}: AKS documents Calico network policy on Windows Server 2019 and 2022 only, not on Windows2025",
                                p.name
                            ),
                            "confirm Calico enforces on the Windows2025 nodes (a test policy) before relying on it, or keep the pool on Windows2022",
                        );
                    }
                }
            }
            NetworkPolicy::None => out.info(
                ptr,
                "no network policy engine: NetworkPolicy objects are accepted and enforced on no node, Windows or Linux".to_string(),
                "use `networkPolicy: calico` to enforce them on Windows nodes too",
            ),
        }
    }
}
