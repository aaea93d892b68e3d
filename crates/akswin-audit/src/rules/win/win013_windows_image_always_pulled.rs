use crate::objects::{containers, is_windows_image, windows_reason};
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Windows images pulled with `imagePullPolicy: Always`, or referenced by `:latest` or with
    /// no tag at all (which defaults to Always). An image is a Windows image when the pod is a
    /// Windows pod (`os.name: windows`, a Windows selector) whatever its name says, so a
    /// private registry's `contosoacr.azurecr.io/app` counts, or when its name or tag says so.
    ///
    /// ## Why it matters
    /// Windows images are gigabytes; pulling on every start defeats the pre-pull DaemonSet and
    /// the node's cache and turns a scale-out into minutes. `latest` also hides which Windows
    /// version the image is for (WIN004).
    ///
    /// ## How to fix
    /// Pin a versioned tag (or digest) with the ltsc version, and `imagePullPolicy: IfNotPresent`.
    ///
    /// ## References
    /// - Architecture, "Node and pod scaling"
    /// - docs/sources.md#windows-image-sizes-and-pull-times
    pub struct Win013 {
        code: "WIN013",
        name: "windows-image-always-pulled",
        severity: Warning,
        summary: "A Windows image pulled with imagePullPolicy Always, or by :latest",
    }
}

impl ManifestRule for Win013 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        // By the pod's OS first: a private image's name says nothing of its OS.
        let windows_pod = windows_reason(pod.node).is_some();
        for (cptr, c) in containers(pod.node) {
            let Some(img) = c.get("image").and_then(Node::str) else {
                continue;
            };
            // An unusable reference is K8S002's.
            if (!windows_pod && !is_windows_image(img) && !img.contains("windows"))
                || akswin_spec::types::ImageReference::parse(img).is_err()
            {
                continue;
            }
            let last = img.rsplit('/').next().unwrap_or(img);
            let untagged = !last.contains(':') && !img.contains('@');
            let latest = last.ends_with(":latest");
            let name = c.get("name").and_then(Node::str).unwrap_or("?");
            if c.get("imagePullPolicy").and_then(Node::str) == Some("Always") {
                out.warning(
                    obj.ptr(&format!("{}{cptr}/imagePullPolicy", pod.ptr)),
                    c.get("imagePullPolicy").map_or(c.span, |n| n.span),
                    format!("container {name} pulls its Windows image on every start"),
                    "use imagePullPolicy: IfNotPresent",
                );
            } else if untagged || latest {
                out.warning(obj.ptr(&format!("{}{cptr}/image", pod.ptr)), c.get("image").map_or(c.span, |n| n.span), format!("container {name} uses {img}: `latest` is pulled on every start and hides the Windows version"), "pin a versioned tag with the ltsc version");
            }
        }
    }
}
