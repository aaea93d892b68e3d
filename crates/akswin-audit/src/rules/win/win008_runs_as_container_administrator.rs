use crate::objects::{containers, windows_reason};
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Windows containers that run as `ContainerAdministrator`: set explicitly in
    /// `windowsOptions.runAsUserName` (pod or container), or left to the image default on
    /// Server Core based images (`servercore`, `windowsservercore`, `dotnet/framework`), whose
    /// default user is ContainerAdministrator. HostProcess pods are WIN009's. A pod whose
    /// template carries the annotation `akswin.io/container-administrator-reason` with a
    /// reason is a documented exception and is not reported (`akswin render` writes it on IIS
    /// workloads: ServiceMonitor needs an administrator to start w3svc).
    ///
    /// ## Why it matters
    /// ContainerAdministrator is an administrator inside the container; a compromise reaches
    /// everything mounted and the container's network identity. The built-in policy
    /// "Windows containers should not run as ContainerAdministrator" (5485eac0) denies it.
    ///
    /// ## How to fix
    /// `securityContext.windowsOptions.runAsUserName: ContainerUser`.
    ///
    /// ## References
    /// - https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Kubernetes/WindowsBlockContainerAdmin.json
    /// - docs/sources.md#azure-policy-built-in-ids
    pub struct Win008 {
        code: "WIN008",
        name: "runs-as-container-administrator",
        severity: Warning,
        summary: "A Windows container runs as ContainerAdministrator",
    }
}

const KEY: [&str; 3] = ["securityContext", "windowsOptions", "runAsUserName"];

impl ManifestRule for Win008 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        if windows_reason(pod.node).is_none()
            || pod
                .node
                .path(&["securityContext", "windowsOptions", "hostProcess"])
                .and_then(Node::bool)
                == Some(true)
        {
            return;
        }
        if pod
            .annotations
            .iter()
            .any(|(k, v)| k == akswin_facts::CONTAINER_ADMINISTRATOR_REASON && !v.trim().is_empty())
        {
            return;
        }
        let pod_user = pod.node.path(&KEY).and_then(Node::str);
        for (cptr, c) in containers(pod.node) {
            let user = c.path(&KEY).and_then(Node::str).or(pod_user);
            let img = c
                .get("image")
                .and_then(Node::str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            let servercore = img.contains("servercore") || img.contains("dotnet/framework");
            let name = c.get("name").and_then(Node::str).unwrap_or("?");
            match user {
                Some(u) if u.eq_ignore_ascii_case("ContainerAdministrator") => out.warning(
                    obj.ptr(&format!("{}{cptr}/securityContext/windowsOptions/runAsUserName", pod.ptr)),
                    c.path(&KEY).or_else(|| pod.node.path(&KEY)).map_or(c.span, |n| n.span),
                    format!("container {name} runs as ContainerAdministrator"),
                    "run as ContainerUser",
                ),
                None if servercore => out.warning(
                    obj.ptr(&format!("{}{cptr}", pod.ptr)),
                    c.get("image").map_or(c.span, |n| n.span),
                    format!("container {name} runs as ContainerAdministrator by default (Server Core image, no runAsUserName)"),
                    "set securityContext.windowsOptions.runAsUserName: ContainerUser",
                ),
                _ => {}
            }
        }
    }
}
