use crate::objects::windows_reason;
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Windows pods (WIN001's heuristics) without `spec.os.name: windows`.
    ///
    /// ## Why it matters
    /// With the field, the API server validates the pod for Windows (rejecting Linux-only
    /// fields, WIN005) and Pod Security admission applies the Windows rules; without it, those
    /// mistakes surface at run time.
    ///
    /// ## How to fix
    /// `spec.os.name: windows` in the pod template.
    ///
    /// ## References
    /// - Kubernetes: Pod OS field (GA since 1.25)
    pub struct Win014 {
        code: "WIN014",
        name: "windows-pod-without-os-field",
        severity: Info,
        summary: "A Windows pod without spec.os.name: windows",
    }
}

impl ManifestRule for Win014 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        if windows_reason(pod.node).is_some()
            && pod.node.path(&["os", "name"]).and_then(Node::str) != Some("windows")
        {
            out.info(
                obj.ptr(pod.ptr),
                pod.node.key_span("containers"),
                format!(
                    "Windows pod {}/{} does not set spec.os.name: windows",
                    obj.kind, obj.name
                ),
                "add os: { name: windows } to the pod spec",
            );
        }
    }
}
