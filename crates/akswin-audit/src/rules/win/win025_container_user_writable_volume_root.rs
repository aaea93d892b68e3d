use crate::objects::{containers, windows_reason};
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// On a Windows pod, a container that runs as `ContainerUser` (its own or the pod's
    /// `windowsOptions.runAsUserName`) and mounts a writable volume: an `emptyDir`, a
    /// `persistentVolumeClaim`, an `ephemeral` volume, an Azure Disk or Azure Files volume, or
    /// a CSI volume that is not read-only, without `readOnly: true` on the mount.
    ///
    /// ## Why it matters
    /// Windows gives the root of such a mount to Administrators and SYSTEM; `BUILTIN\Users`, and
    /// so ContainerUser, may read it and create directories in it, but not create files there.
    /// An application that writes its logs, uploads or cache straight into the mounted folder
    /// gets "Access is denied" on Windows while the same manifest works on Linux
    /// (kubernetes/kubernetes issue 131341, kubernetes-csi/csi-proxy issue 382). ContainerUser
    /// is the right default, so the answer is rarely to give it up.
    ///
    /// ## How to fix
    /// Let the application write into a directory it creates below the mount point (point its
    /// setting at `<mount>\data`), or mount the volume read-only when it only reads. Only when
    /// neither is possible, run that container as `ContainerAdministrator` with the reason in
    /// the pod's `akswin.io/container-administrator-reason` annotation (WIN008). A `subPath`
    /// mount is no way out on Windows (WIN019).
    ///
    /// ## References
    /// - https://github.com/kubernetes/kubernetes/issues/131341
    /// - https://github.com/kubernetes-csi/csi-proxy/issues/382 (the ACL of a mount's root)
    /// - https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/container-security
    ///   (ContainerUser and ContainerAdministrator)
    pub struct Win025 {
        code: "WIN025",
        name: "container-user-writable-volume-root",
        severity: Warning,
        summary: "ContainerUser with a writable volume: it cannot create files at the mount's root",
    }
}

/// The volume kinds a container can write to (a CSI volume only when it is not `readOnly`).
const WRITABLE: [&str; 6] = [
    "emptyDir",
    "persistentVolumeClaim",
    "ephemeral",
    "azureDisk",
    "azureFile",
    "csi",
];

const USER: [&str; 3] = ["securityContext", "windowsOptions", "runAsUserName"];

impl ManifestRule for Win025 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        if windows_reason(pod.node).is_none() {
            return;
        }
        let volumes = pod.node.get("volumes").map(Node::seq).unwrap_or_default();
        // name -> the writable kind of that volume
        let writable = |name: &str| -> Option<&'static str> {
            let v = volumes
                .iter()
                .find(|v| v.get("name").and_then(Node::str) == Some(name))?;
            WRITABLE.into_iter().find(|k| {
                v.get(k).is_some_and(|n| !n.is_null())
                    && !(*k == "csi"
                        && v.path(&["csi", "readOnly"]).and_then(Node::bool) == Some(true))
            })
        };
        let pod_user = pod.node.path(&USER).and_then(Node::str);
        for (cptr, c) in containers(pod.node) {
            let user = c.path(&USER).and_then(Node::str).or(pod_user);
            if !user.is_some_and(|u| u.eq_ignore_ascii_case("ContainerUser")) {
                continue;
            }
            let name = c.get("name").and_then(Node::str).unwrap_or("?");
            for (i, m) in c
                .get("volumeMounts")
                .map(Node::seq)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if m.get("readOnly").and_then(Node::bool) == Some(true)
                    || ["subPath", "subPathExpr"]
                        .iter()
                        .any(|k| m.get(k).and_then(Node::str).is_some_and(|s| !s.is_empty()))
                {
                    continue;
                }
                let Some(vol) = m.get("name").and_then(Node::str) else {
                    continue;
                };
                let Some(kind) = writable(vol) else { continue };
                let at = m.get("mountPath").and_then(Node::str).unwrap_or("?");
                out.warning(
                    obj.ptr(&format!("{}{cptr}/volumeMounts/{i}", pod.ptr)),
                    m.key_span("name"),
                    format!(
                        "container {name} of the Windows pod {}/{} runs as ContainerUser and mounts the {kind} volume {vol} writable at {at}: ContainerUser can create directories at its root but no files",
                        obj.kind, obj.name
                    ),
                    "write into a directory below the mount point (or mount it readOnly when the container only reads)",
                );
            }
        }
    }
}
