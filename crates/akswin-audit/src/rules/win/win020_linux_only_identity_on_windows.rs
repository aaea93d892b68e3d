use crate::objects::windows_reason;
use crate::{Context, ManifestRule, Object, Out};

/// The workload identity webhook's annotation that injects its migration proxy sidecar.
const PROXY_SIDECAR: &str = "azure.workload.identity/inject-proxy-sidecar";
/// The label pod-managed identity (aad-pod-identity) binds a pod with.
const POD_IDENTITY: &str = "aadpodidbinding";

akswin_diag::declare_rule! {
    /// ## What it checks
    /// A Windows pod template that asks for an identity mechanism that only runs on Linux:
    /// - the workload identity proxy sidecar (`azure.workload.identity/inject-proxy-sidecar:
    ///   "true"`): the proxy image has no Windows variant;
    /// - pod-managed identity (the `aadpodidbinding` label): Linux node pools only, and
    ///   deprecated.
    ///
    /// ## Why it matters
    /// The pod never starts: the injected sidecar's image has "no match for platform in
    /// manifest" on a Windows node (Azure/azure-workload-identity issue 1017), and the pod
    /// identity components do not run there, so token requests fail.
    ///
    /// ## How to fix
    /// Use Microsoft Entra Workload ID directly (the `azure.workload.identity/use: "true"`
    /// label and a federated service account), which supports Windows pods, without the proxy
    /// sidecar; move off pod-managed identity.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/workload-identity-migrate-from-pod-identity (the sidecar is Linux-only)
    /// - https://learn.microsoft.com/azure/aks/use-azure-ad-pod-identity (Linux node pools only)
    /// - https://github.com/Azure/azure-workload-identity/issues/1017
    pub struct Win020 {
        code: "WIN020",
        name: "linux-only-identity-on-windows",
        severity: Error,
        summary: "The workload identity proxy sidecar or pod-managed identity on a Windows pod",
    }
}

impl ManifestRule for Win020 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        if windows_reason(pod.node).is_none() {
            return;
        }
        let (meta, keys): (&str, &[&str]) = match obj.kind.as_str() {
            "Pod" => ("/metadata", &["metadata"]),
            "CronJob" => (
                "/spec/jobTemplate/spec/template/metadata",
                &["spec", "jobTemplate", "spec", "template", "metadata"],
            ),
            _ => ("/spec/template/metadata", &["spec", "template", "metadata"]),
        };
        let meta_node = obj.node.path(keys);
        let span_of = |map: &str, key: &str| {
            meta_node
                .and_then(|m| m.get(map))
                .map_or(obj.node.span, |m| m.key_span(key))
        };
        if pod
            .annotations
            .iter()
            .any(|(k, v)| k == PROXY_SIDECAR && v == "true")
        {
            out.error(
                obj.ptr(&format!("{meta}/annotations")),
                span_of("annotations", PROXY_SIDECAR),
                format!(
                    "{}/{} is a Windows pod and asks for the workload identity proxy sidecar, which has no Windows image",
                    obj.kind, obj.name
                ),
                "remove the annotation: Workload ID works on Windows pods without the proxy",
            );
        }
        if pod.labels.iter().any(|(k, _)| k == POD_IDENTITY) {
            out.error(
                obj.ptr(&format!("{meta}/labels")),
                span_of("labels", POD_IDENTITY),
                format!(
                    "{}/{} is a Windows pod bound to pod-managed identity (aadpodidbinding), which runs on Linux nodes only",
                    obj.kind, obj.name
                ),
                "move to Microsoft Entra Workload ID (label azure.workload.identity/use: \"true\")",
            );
        }
    }
}
