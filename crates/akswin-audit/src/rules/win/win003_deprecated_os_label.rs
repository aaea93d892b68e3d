use crate::objects::affinity_values;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Placement on the deprecated `beta.kubernetes.io/os` label (node selector or required
    /// affinity).
    ///
    /// ## Why it matters
    /// The beta label is deprecated; nodes carry `kubernetes.io/os`. Selectors on the old label
    /// stop matching when it disappears and the pod stays Pending.
    ///
    /// ## How to fix
    /// Use `kubernetes.io/os`.
    ///
    /// ## References
    /// - Kubernetes well-known labels (kubernetes.io/os)
    pub struct Win003 {
        code: "WIN003",
        name: "deprecated-os-label",
        severity: Warning,
        summary: "The deprecated beta.kubernetes.io/os label used for placement",
    }
}

impl ManifestRule for Win003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        let sel = pod.node.get("nodeSelector");
        if let Some(sel) = sel
            && sel.get("beta.kubernetes.io/os").is_some()
        {
            out.warning(
                obj.ptr(&format!("{}/nodeSelector/beta.kubernetes.io~1os", pod.ptr)),
                sel.key_span("beta.kubernetes.io/os"),
                format!(
                    "{} {} selects the deprecated beta.kubernetes.io/os label",
                    obj.kind, obj.name
                ),
                "use kubernetes.io/os",
            );
        } else if !affinity_values(pod.node, "beta.kubernetes.io/os").is_empty() {
            out.warning(
                obj.ptr(&format!("{}/affinity", pod.ptr)),
                pod.node.key_span("affinity"),
                format!(
                    "{} {} uses the deprecated beta.kubernetes.io/os label in its affinity",
                    obj.kind, obj.name
                ),
                "use kubernetes.io/os",
            );
        }
    }
}
