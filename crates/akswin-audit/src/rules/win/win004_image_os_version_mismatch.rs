use crate::objects::{containers, image_windows_version};
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out, Set};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// A Windows image whose OS version (from its tag: `ltsc2019`/`1809`, `ltsc2022`,
    /// `ltsc2025`) differs from the OS SKU the pod targets: the `kubernetes.azure.com/os-sku`
    /// selector, or, with cluster context, the OS SKU of every pool its selectors can reach.
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
    fn check(&self, cx: &Context, _: &Set<'_>, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        let selector: Vec<(String, String)> = pod
            .node
            .get("nodeSelector")
            .map(|s| {
                s.entries()
                    .iter()
                    .filter_map(|(k, _, v)| Some((k.clone(), v.str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let mut skus: Vec<String> = selector
            .iter()
            .filter(|(k, _)| k == "kubernetes.azure.com/os-sku")
            .map(|(_, v)| v.clone())
            .collect();
        if skus.is_empty()
            && let Some(pools) = cx.pools_for(&selector)
        {
            skus = pools
                .iter()
                .filter(|p| p.os == "Windows")
                .map(|p| p.os_sku.clone())
                .collect();
            skus.sort();
            skus.dedup();
        }
        if skus.is_empty() {
            return;
        }
        for (cptr, c) in containers(pod.node) {
            let Some(img) = c.get("image").and_then(Node::str) else {
                continue;
            };
            let Some(v) = image_windows_version(img) else {
                continue;
            };
            if !skus.iter().any(|s| s == v) {
                out.error(
                    obj.ptr(&format!("{}{cptr}/image", pod.ptr)),
                    c.get("image").map_or(c.span, |n| n.span),
                    format!("image {img} is built for {v}; the pod targets {}", skus.join(", ")),
                    "rebuild the image for the pool's Windows version, or target a pool of the image's version",
                );
            }
        }
    }
}
