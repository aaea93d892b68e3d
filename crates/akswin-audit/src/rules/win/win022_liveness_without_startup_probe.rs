use crate::objects::{containers, windows_reason};
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// A container of a Windows pod with a `livenessProbe` and no `startupProbe`.
    ///
    /// ## Why it matters
    /// IIS and .NET Framework applications start slowly (the application pool warms up, the
    /// first request compiles), and a new Windows node may still be busy extracting images:
    /// a liveness probe sized for the running application kills the container before it has
    /// started, and the pod restarts in a loop. A startup probe holds the liveness probe back
    /// until the application is up (Kubernetes disables the other probes until it succeeds).
    ///
    /// ## How to fix
    /// Add a `startupProbe` on the same endpoint, with `failureThreshold` x `periodSeconds`
    /// covering the slowest start (for example 30 x 10 s), and keep the liveness probe short.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
    pub struct Win022 {
        code: "WIN022",
        name: "liveness-without-startup-probe",
        severity: Warning,
        summary: "A Windows container with a liveness probe and no startup probe",
    }
}

impl ManifestRule for Win022 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        if windows_reason(pod.node).is_none() {
            return;
        }
        for (cptr, c) in containers(pod.node) {
            // init and ephemeral containers take no probes
            if !cptr.starts_with("/containers/") {
                continue;
            }
            if c.get("livenessProbe").is_some() && c.get("startupProbe").is_none() {
                let name = c.get("name").and_then(|n| n.str()).unwrap_or("?");
                out.warning(
                    obj.ptr(&format!("{}{cptr}/livenessProbe", pod.ptr)),
                    c.key_span("livenessProbe"),
                    format!(
                        "container {name} of the Windows pod {}/{} has a liveness probe and no startup probe: a slow IIS or .NET start is killed and restarted",
                        obj.kind, obj.name
                    ),
                    "add a startupProbe on the same endpoint whose failureThreshold x periodSeconds covers the slowest start",
                );
            }
        }
    }
}
