use crate::objects::{containers, windows_reason};
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Linux-only security and pod fields on a Windows pod: `runAsUser`, `runAsGroup`,
    /// `seLinuxOptions`, `seccompProfile`, `capabilities`, `privileged`, `procMount`,
    /// `readOnlyRootFilesystem`, `allowPrivilegeEscalation` (container level); `runAsUser`,
    /// `runAsGroup`, `fsGroup`, `supplementalGroups`, `sysctls`, `seLinuxOptions`,
    /// `seccompProfile` (pod level); `hostPID`, `hostIPC`, `shareProcessNamespace`.
    ///
    /// ## Why it matters
    /// With `spec.os.name: windows` the API server rejects these; without it the kubelet
    /// ignores or fails on them, and security settings that look enforced are not. Linux
    /// hardening templates copied onto Windows workloads are the usual cause.
    ///
    /// ## How to fix
    /// Remove them; use `securityContext.windowsOptions.runAsUserName` (e.g. ContainerUser).
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/pods/#pod-os
    ///   (Pod OS field, `spec.os`, validation)
    /// - https://learn.microsoft.com/azure/aks/windows-vs-linux-containers
    /// - docs/sources.md#windows-pool-and-cluster-settings
    pub struct Win005 {
        code: "WIN005",
        name: "linux-only-fields-on-windows",
        severity: Error,
        summary: "Linux-only fields on a Windows pod",
    }
}

const CONTAINER: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "seLinuxOptions",
    "seccompProfile",
    "capabilities",
    "privileged",
    "procMount",
    "readOnlyRootFilesystem",
    "allowPrivilegeEscalation",
    "appArmorProfile",
];
const POD_SC: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "fsGroup",
    "fsGroupChangePolicy",
    "supplementalGroups",
    "sysctls",
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
];
const POD: &[&str] = &["hostPID", "hostIPC", "shareProcessNamespace"];

impl ManifestRule for Win005 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        if windows_reason(pod.node).is_none() {
            return;
        }
        let mut flag = |ptr: String, span, field: &str| {
            out.error(
                ptr,
                span,
                format!(
                    "{field} is a Linux-only field on the Windows pod {}/{}",
                    obj.kind, obj.name
                ),
                "remove it; on Windows use securityContext.windowsOptions",
            );
        };
        for f in POD {
            if pod.node.get(f).and_then(|n| n.bool()) == Some(true) {
                flag(
                    obj.ptr(&format!("{}/{f}", pod.ptr)),
                    pod.node.key_span(f),
                    f,
                );
            }
        }
        if let Some(sc) = pod.node.get("securityContext") {
            for f in POD_SC {
                if sc.get(f).is_some() {
                    flag(
                        obj.ptr(&format!("{}/securityContext/{f}", pod.ptr)),
                        sc.key_span(f),
                        f,
                    );
                }
            }
        }
        for (cptr, c) in containers(pod.node) {
            if let Some(sc) = c.get("securityContext") {
                for f in CONTAINER {
                    if sc.get(f).is_some() {
                        flag(
                            obj.ptr(&format!("{}{cptr}/securityContext/{f}", pod.ptr)),
                            sc.key_span(f),
                            f,
                        );
                    }
                }
            }
        }
    }
}
