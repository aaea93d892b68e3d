use crate::objects::{containers, windows_reason};
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// On a Windows pod, the volume features Windows nodes do not support:
    /// - a volume mount with `subPath` or `subPathExpr` (only a whole volume can be mounted in
    ///   a Windows container);
    /// - an `nfs` volume (NFS volumes are not supported on Windows nodes);
    /// - an `emptyDir` with `medium: Memory` (memory-backed volumes are not supported).
    ///
    /// ## Why it matters
    /// The pod fails at mount time, or hangs in ContainerCreating or Terminating, and the
    /// manifest that works on Linux gives no hint why (microsoft/Windows-Containers issue 518;
    /// kubernetes/kubernetes issues 65890 and 97802).
    ///
    /// ## How to fix
    /// Mount the whole volume at its own path (a ConfigMap or Secret with only the keys you
    /// need, via `items`), use Azure Files over SMB or Azure Disks instead of NFS, and a
    /// disk-backed `emptyDir`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/storage/windows-storage/ (limitations)
    /// - https://learn.microsoft.com/azure/aks/windows-faq (supported volume types)
    /// - https://github.com/microsoft/Windows-Containers/issues/518
    pub struct Win019 {
        code: "WIN019",
        name: "unsupported-volume-on-windows",
        severity: Error,
        summary: "subPath mounts, NFS or memory-backed volumes on a Windows pod",
    }
}

impl ManifestRule for Win019 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        if windows_reason(pod.node).is_none() {
            return;
        }
        for (cptr, c) in containers(pod.node) {
            for (i, m) in c
                .get("volumeMounts")
                .map(Node::seq)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                for key in ["subPath", "subPathExpr"] {
                    if m.get(key)
                        .and_then(Node::str)
                        .is_some_and(|s| !s.is_empty())
                    {
                        out.error(
                            obj.ptr(&format!("{}{cptr}/volumeMounts/{i}/{key}", pod.ptr)),
                            m.key_span(key),
                            format!(
                                "{key} on the Windows pod {}/{}: a Windows container can mount only a whole volume",
                                obj.kind, obj.name
                            ),
                            "mount the whole volume at its own path (a ConfigMap or Secret with `items` for single keys)",
                        );
                    }
                }
            }
        }
        for (i, v) in pod
            .node
            .get("volumes")
            .map(Node::seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let name = v.get("name").and_then(Node::str).unwrap_or("?");
            if v.get("nfs").is_some() {
                out.error(
                    obj.ptr(&format!("{}/volumes/{i}/nfs", pod.ptr)),
                    v.key_span("nfs"),
                    format!("volume {name} is NFS, which Windows nodes do not mount"),
                    "use Azure Files over SMB or an Azure Disk",
                );
            }
            if v.path(&["emptyDir", "medium"]).and_then(Node::str) == Some("Memory") {
                out.error(
                    obj.ptr(&format!("{}/volumes/{i}/emptyDir/medium", pod.ptr)),
                    v.key_span("emptyDir"),
                    format!("volume {name} is a memory-backed emptyDir, which Windows nodes do not support"),
                    "remove `medium: Memory` (a disk-backed emptyDir)",
                );
            }
        }
    }
}
