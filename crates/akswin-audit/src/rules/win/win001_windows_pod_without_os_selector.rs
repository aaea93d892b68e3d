use crate::objects::{selected_os, windows_reason};
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Windows workloads without a `kubernetes.io/os: windows` node selector (or required node
    /// affinity). A pod counts as Windows when `spec.os.name` is `windows`, it selects a Windows
    /// `kubernetes.azure.com/os-sku`, or one of its images is a Windows image:
    /// `mcr.microsoft.com/windows/*`, `mcr.microsoft.com/dotnet/framework/*`, or a tag with
    /// `windowsservercore`, `nanoserver`, `ltsc2019`/`1809`, `ltsc2022`, `ltsc2025`.
    ///
    /// ## Why it matters
    /// Without the selector the scheduler may place the pod on a Linux node, where it sits in
    /// `ContainerCreating` with an image-OS mismatch ("using separate node pools for Linux-based
    /// and Windows-based workloads requires the use of a node selector").
    ///
    /// ## How to fix
    /// `nodeSelector: { kubernetes.io/os: windows, kubernetes.azure.com/os-sku: Windows2022 }`.
    ///
    /// ## References
    /// - Architecture, "Node pool topology"
    /// - https://learn.microsoft.com/azure/aks/upgrade-windows-os
    ///   (node selectors per OS and OS SKU)
    /// - docs/sources.md#windows-pool-and-cluster-settings
    pub struct Win001 {
        code: "WIN001",
        name: "windows-pod-without-os-selector",
        severity: Error,
        summary: "A Windows workload without a kubernetes.io/os=windows selector or affinity",
    }
}

impl ManifestRule for Win001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        let Some(why) = windows_reason(pod.node) else {
            return;
        };
        if selected_os(pod.node).as_deref() != Some("windows") {
            out.error(
                obj.ptr(pod.ptr),
                pod.node.key_span("containers"),
                format!("{} {} is a Windows workload ({why}) but does not select kubernetes.io/os=windows", obj.kind, obj.name),
                "add nodeSelector kubernetes.io/os: windows (and kubernetes.azure.com/os-sku)",
            );
        }
    }
}
