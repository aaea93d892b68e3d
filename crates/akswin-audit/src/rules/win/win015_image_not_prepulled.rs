use crate::objects::{containers, is_windows_image};
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Windows images of workloads that no pre-pull DaemonSet of the audited set pulls, when the
    /// set has at least one Windows DaemonSet whose containers are all pre-pull shaped (init
    /// containers that exit at once plus a pause container). Without such a DaemonSet the rule
    /// does not judge (pre-pull is a choice; SCL001 weighs it in the plan).
    ///
    /// ## Why it matters
    /// The architecture pre-pulls "the image from ACR to cache on every Windows node" so that
    /// scale-out does not wait minutes for a pull; an image missing from the list gets none of
    /// that.
    ///
    /// ## How to fix
    /// Add the image to the pre-pull DaemonSet. akswin renders one per Windows version with
    /// every Windows workload's image of the spec (`scaling.prepull.enabled`), and
    /// `scaling.prepull.images` for others.
    ///
    /// ## References
    /// - Architecture, "Node and pod scaling"
    pub struct Win015 {
        code: "WIN015",
        name: "image-not-prepulled",
        severity: Warning,
        summary: "A Windows image that no pre-pull DaemonSet in the set covers",
    }
}

/// Images pulled by pre-pull DaemonSets in the set (computed once per audit).
impl ManifestRule for Win015 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        if obj.kind == "DaemonSet" {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        for (cptr, c) in containers(pod.node) {
            let Some(img) = c.get("image").and_then(Node::str) else {
                continue;
            };
            if !is_windows_image(img) {
                continue;
            }
            let (ptr, span) = (
                obj.ptr(&format!("{}{cptr}/image", pod.ptr)),
                c.get("image").map_or(c.span, |n| n.span),
            );
            let img = img.to_string();
            out.defer(span, move |set, out| {
                if let Some(pulled) = &set.prepulled
                    && !pulled.contains(&img)
                {
                    out.warning(
                        ptr,
                        span,
                        format!("Windows image {img} is not pre-pulled"),
                        "add it to the pre-pull DaemonSet",
                    );
                }
            });
        }
    }
}
