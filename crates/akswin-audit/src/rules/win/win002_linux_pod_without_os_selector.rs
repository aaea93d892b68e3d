use crate::objects::{selected_os, windows_reason};
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Linux workloads (pods that are not Windows by WIN001's heuristics) without an OS selector,
    /// in a cluster whose context (`--spec` or `--cluster`) has Windows pools. Without context
    /// the rule does not judge, and the audit says so once.
    ///
    /// ## Why it matters
    /// Helm charts written for Linux-only clusters rarely set the selector; in a mixed cluster
    /// their pods land on Windows nodes and fail to start. Taints on the Windows pool help, but
    /// the selector is the contract.
    ///
    /// ## How to fix
    /// `nodeSelector: { kubernetes.io/os: linux }`.
    ///
    /// ## References
    /// - Architecture, "Node pool topology"
    pub struct Win002 {
        code: "WIN002",
        name: "linux-pod-without-os-selector",
        severity: Warning,
        summary: "A Linux workload without an OS selector in a cluster with Windows pools",
    }
}

impl ManifestRule for Win002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Context, obj: &Object<'_>, out: &mut Out) {
        if cx.has_windows_pools() != Some(true) {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        if windows_reason(pod.node).is_none() && selected_os(pod.node).is_none() {
            out.warning(
                obj.ptr(pod.ptr),
                pod.node.key_span("containers"),
                format!(
                    "{} {} has no OS selector; the cluster has Windows pools",
                    obj.kind, obj.name
                ),
                "add nodeSelector kubernetes.io/os: linux",
            );
        }
    }
}
