use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Documents that do not parse as YAML (or JSON), or that are not Kubernetes objects (no
    /// `kind`). Raised by the loader with the position of the problem; the audit goes on with
    /// the next document, so one broken file never hides the findings of the others.
    ///
    /// ## Why it matters
    /// `kubectl apply` stops at the first broken document of a file; Helm output with a template
    /// error often leaves one. Other scanners skip such a file silently or abort the whole run.
    ///
    /// ## How to fix
    /// Fix the YAML at the position shown (unclosed brackets, tabs, duplicate keys, a stray
    /// `---`).
    ///
    /// ## References
    /// - YAML 1.2 (document markers); Kubernetes object model (apiVersion, kind, metadata)
    pub struct K8s000 {
        code: "K8S000",
        name: "unparsable-document",
        severity: Error,
        summary: "A document that does not parse, or is not a Kubernetes object",
    }
}

impl ManifestRule for K8s000 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, _: &Object<'_>, _: &mut Out) {}
}
