use crate::objects::{containers, image_windows_version};
use crate::placement::placement;
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// A Windows image whose OS version (from its tag: `ltsc2019`/`1809`, `ltsc2022`,
    /// `ltsc2025`) differs from the OS SKU the pod targets: the `kubernetes.azure.com/os-sku`
    /// selector, or, with cluster context, the OS SKU of any Windows pool the pod can reach
    /// (its selectors match and it tolerates the pool's taints). On a cluster with
    /// Windows2022 and Windows2025 pools, a pod that selects only `kubernetes.io/os: windows`
    /// can land on either, so an ltsc2022 image is an error there too. The pools a pod reaches
    /// follow its nodeSelector and its required node affinity terms (any one of them); when the
    /// placement uses `nodeName` or a label the context does not model, only an image that
    /// matches none of the pools it may reach is reported.
    ///
    /// ## Why it matters
    /// Windows containers on AKS run with process isolation only, so the container's OS version
    /// must match the host's; a mismatch fails at pod start ("The container operating system
    /// does not match the host operating system").
    ///
    /// ## How to fix
    /// Build the image for the pool's version (e.g. `-ltsc2022` for Windows2022), or select a
    /// pool of the image's version.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/windows-best-practices
    ///   (process isolation; image and host versions match)
    /// - docs/sources.md#windows-os-skus-and-kubernetes-versions
    pub struct Win004 {
        code: "WIN004",
        name: "image-os-version-mismatch",
        severity: Error,
        summary: "A Windows image's OS version differs from the targeted pool's OS SKU",
    }
}

impl ManifestRule for Win004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        let placement = placement(pod.node);
        // Where the pod can run: with cluster context, every Windows pool it can reach (a
        // selector of `kubernetes.io/os: windows` alone reaches every Windows pool); without,
        // or when it reaches none, the OS SKU it pins.
        let mut targets: Vec<(String, String)> = cx
            .reachable_pools(pod.node)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.os == "Windows")
            .map(|p| (format!("pool {} ({})", p.name, p.os_sku), p.os_sku.clone()))
            .collect();
        if targets.is_empty()
            && let Some(sku) = placement.os_sku()
        {
            targets.push((format!("os-sku {sku}"), sku.to_string()));
        }
        if targets.is_empty() {
            return;
        }
        // "can also land on" needs to know the pools exactly: not with nodeName, a node
        // name or a label the context does not model (it then judges only a pod that
        // mismatches every pool it may reach)
        let certain = placement.certain(cx.pools.as_deref().unwrap_or_default());
        for (cptr, c) in containers(pod.node) {
            let Some(img) = c.get("image").and_then(Node::str) else {
                continue;
            };
            let Some(v) = image_windows_version(img) else {
                continue;
            };
            let wrong: Vec<&str> = targets
                .iter()
                .filter(|(_, sku)| sku != v)
                .map(|(what, _)| what.as_str())
                .collect();
            if wrong.is_empty() {
                continue;
            }
            let ptr = obj.ptr(&format!("{}{cptr}/image", pod.ptr));
            let span = c.get("image").map_or(c.span, |n| n.span);
            if wrong.len() < targets.len() {
                if !certain {
                    continue;
                }
                out.error(
                    ptr,
                    span,
                    format!(
                        "image {img} is built for {v}, and the pod can also land on {}, where it never starts",
                        wrong.join(", ")
                    ),
                    &format!("pin the pod to the pools of the image's version: nodeSelector kubernetes.azure.com/os-sku: {v}"),
                );
            } else {
                out.error(
                    ptr,
                    span,
                    format!("image {img} is built for {v}; the pod targets {}", wrong.join(", ")),
                    "rebuild the image for the pool's Windows version, or target a pool of the image's version",
                );
            }
        }
    }
}
