use crate::objects::{containers, windows_reason};
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Containers of Windows pods without CPU and memory requests and limits, or with requests
    /// different from limits.
    ///
    /// ## Why it matters
    /// Windows nodes do not reclaim memory like Linux (no OOM killer semantics, no swap-based
    /// overcommit); an overcommitted Windows node degrades for every pod on it. The built-in
    /// policy "Windows containers should not overcommit cpu and memory" (a2abc456) enforces the
    /// same in the cluster.
    ///
    /// ## How to fix
    /// Set `resources.requests` equal to `resources.limits` for cpu and memory.
    ///
    /// ## References
    /// - https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Kubernetes/WindowsContainerResourceLimits.json
    /// - docs/sources.md#azure-policy-built-in-ids
    pub struct Win007 {
        code: "WIN007",
        name: "windows-resources-overcommit",
        severity: Warning,
        summary: "A Windows container without requests and limits, or with requests != limits",
    }
}

impl ManifestRule for Win007 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        if windows_reason(pod.node).is_none() {
            return;
        }
        for (cptr, c) in containers(pod.node)
            .into_iter()
            .filter(|(p, _)| p.starts_with("/containers"))
        {
            let name = c.get("name").and_then(Node::str).unwrap_or("?");
            let r = c.get("resources");
            let get = |kind: &str, res: &str| {
                r.and_then(|r| r.path(&[kind, res]))
                    .and_then(Node::str)
                    .map(str::to_string)
            };
            let ptr = obj.ptr(&format!("{}{cptr}/resources", pod.ptr));
            let span = c.key_span("resources");
            for res in ["cpu", "memory"] {
                match (get("requests", res), get("limits", res)) {
                    // By value, not by spelling: `1` and `1000m`, `1Gi` and `1024Mi` are equal.
                    (Some(a), Some(b))
                        if akswin_plan::resolve::quantity_nanos(&a)
                            .zip(akswin_plan::resolve::quantity_nanos(&b))
                            .is_none_or(|(x, y)| x != y) => out.warning(ptr.clone(), span, format!("container {name}: {res} request {a} differs from limit {b} (overcommit on a Windows node)"), "set requests equal to limits"),
                    (Some(_), Some(_)) => {}
                    _ => out.warning(ptr.clone(), span, format!("container {name}: no {res} request and limit"), "set requests and limits, equal, for cpu and memory"),
                }
            }
        }
    }
}
