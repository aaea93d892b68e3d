use crate::objects::{containers, windows_reason};
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// A container of a Windows pod with a `TZ` environment variable.
    ///
    /// ## Why it matters
    /// `TZ` is how Linux images choose their time zone. A Windows container keeps its own
    /// time zone setting, UTC unless the image or the container changes it; Windows APIs,
    /// .NET's `TimeZoneInfo.Local` and IIS log times ignore `TZ`, and only the C runtime's
    /// `localtime` reads it. The variable is copied from a Linux manifest, and the application
    /// keeps showing UTC (Azure/AKS issue 2617).
    ///
    /// ## How to fix
    /// Set the time zone in the image (`RUN tzutil /s "W. Europe Standard Time"` or
    /// `Set-TimeZone` in the Dockerfile), or at the container's start before the application,
    /// and remove `TZ`; better still, keep the application in UTC and convert for display.
    ///
    /// ## References
    /// - https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/virtual-time-zone
    /// - https://learn.microsoft.com/cpp/c-runtime-library/reference/tzset (the C runtime reads TZ)
    /// - https://github.com/Azure/AKS/issues/2617
    pub struct Win024 {
        code: "WIN024",
        name: "timezone-env-on-windows",
        severity: Warning,
        summary: "A TZ environment variable on a Windows container, which Windows and .NET ignore",
    }
}

impl ManifestRule for Win024 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        if windows_reason(pod.node).is_none() {
            return;
        }
        for (cptr, c) in containers(pod.node) {
            let env = c.get("env").map(Node::seq).unwrap_or_default();
            for (i, e) in env.iter().enumerate() {
                if e.get("name").and_then(Node::str) == Some("TZ") {
                    let name = c.get("name").and_then(Node::str).unwrap_or("?");
                    out.warning(
                        obj.ptr(&format!("{}{cptr}/env/{i}", pod.ptr)),
                        e.key_span("name"),
                        format!(
                            "container {name} of the Windows pod {}/{} sets TZ: Windows, .NET and IIS ignore it and keep the container's own time zone (UTC unless the image sets one)",
                            obj.kind, obj.name
                        ),
                        "set the time zone in the image (tzutil /s or Set-TimeZone) and remove TZ, or keep the application in UTC",
                    );
                }
            }
        }
    }
}
