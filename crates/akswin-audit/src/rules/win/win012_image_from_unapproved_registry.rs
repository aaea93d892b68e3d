use crate::objects::containers;
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Images whose registry is not in the allowed list (`--allowed-registry`, repeatable, or
    /// the spec's `policy.allowedRegistries`). An image without a registry host is Docker Hub.
    /// Without a list the rule does not judge, and the audit says so once.
    ///
    /// ## Why it matters
    /// Images from elsewhere bypass ACR (scanning, geo-replication, the private endpoint the
    /// nodes pull through, pre-pull) and, behind the firewall, fail to pull at all. The built-in
    /// policy "containers should only use allowed images" (febd0533) enforces it in the cluster.
    ///
    /// ## How to fix
    /// Import the image into your ACR (`az acr import`) and reference it there.
    ///
    /// ## References
    /// - https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Kubernetes/ContainerAllowedImages.json
    /// - docs/sources.md#azure-policy-built-in-ids
    pub struct Win012 {
        code: "WIN012",
        name: "image-from-unapproved-registry",
        severity: Warning,
        summary: "An image from a registry outside the allowed list",
    }
}

/// The registry host of an image reference (`docker.io` when none is written).
pub fn registry(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

impl ManifestRule for Win012 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Context, obj: &Object<'_>, out: &mut Out) {
        if cx.allowed_registries.is_empty() {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        for (cptr, c) in containers(pod.node) {
            let Some(img) = c.get("image").and_then(Node::str) else {
                continue;
            };
            let reg = registry(img);
            if !cx
                .allowed_registries
                .iter()
                .any(|a| a.eq_ignore_ascii_case(reg))
            {
                out.warning(
                    obj.ptr(&format!("{}{cptr}/image", pod.ptr)),
                    c.get("image").map_or(c.span, |n| n.span),
                    format!("image {img} comes from {reg}, which is not an allowed registry"),
                    &format!("allowed: {}", cx.allowed_registries.join(", ")),
                );
            }
        }
    }
}
