use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

/// Whether a RuntimeClass handler or name asks for Hyper-V isolation (containerd's
/// `runhcs-wcow-hypervisor` handlers, or a class named for it).
pub fn hyperv(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("hypervisor") || n.contains("hyperv") || n.contains("hyper-v")
}

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Hyper-V isolation asked of AKS: a RuntimeClass whose handler is a Hyper-V one
    /// (`runhcs-wcow-hypervisor...`), or a pod whose `runtimeClassName` names Hyper-V.
    ///
    /// ## Why it matters
    /// AKS runs Windows containers with process isolation only; Hyper-V isolation is an open
    /// feature request (Azure/AKS issue 1792). A pod asking for it never starts ("no runtime
    /// for handler"), and the reason people ask for it (an image of another Windows version
    /// than the node's) stays unsolved.
    ///
    /// ## How to fix
    /// Remove the RuntimeClass, build the image for the pool's Windows version (ltsc2022 for a
    /// Windows2022 pool), and place the pod on that pool.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/windows-best-practices (process isolation only)
    /// - https://github.com/Azure/AKS/issues/1792
    /// - https://kubernetes.io/docs/concepts/windows/intro/ (no Hyper-V isolation)
    pub struct Win021 {
        code: "WIN021",
        name: "hyperv-isolation-on-aks",
        severity: Error,
        summary: "Hyper-V isolation (a RuntimeClass or runtimeClassName) that AKS does not offer",
    }
}

impl ManifestRule for Win021 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        if obj.kind == "RuntimeClass"
            && let Some(h) = obj.node.get("handler").and_then(Node::str)
            && hyperv(h)
        {
            out.error(
                obj.ptr("/handler"),
                obj.node.key_span("handler"),
                format!(
                    "RuntimeClass {} uses the Hyper-V handler {h}: AKS runs Windows containers with process isolation only",
                    obj.name
                ),
                "remove it; build images for the pool's Windows version instead",
            );
        }
        let Some(pod) = obj.pod() else { return };
        if let Some(rc) = pod.node.get("runtimeClassName").and_then(Node::str)
            && hyperv(rc)
        {
            out.error(
                obj.ptr(&format!("{}/runtimeClassName", pod.ptr)),
                pod.node.key_span("runtimeClassName"),
                format!(
                    "{}/{} asks for the runtime class {rc}: AKS has no Hyper-V isolation",
                    obj.kind, obj.name
                ),
                "remove runtimeClassName; build the image for the pool's Windows version",
            );
        }
    }
}
