use crate::objects::containers;
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// HostProcess pods (`windowsOptions.hostProcess: true`): without `hostNetwork: true`, with
    /// some containers HostProcess and others not, or running as a user other than
    /// `NT AUTHORITY\SYSTEM`, `NT AUTHORITY\LOCAL SERVICE` or `NT AUTHORITY\NETWORK SERVICE`.
    ///
    /// ## Why it matters
    /// The API server rejects all three. HostProcess containers run on the host with host
    /// privileges; the built-in policy "Windows pods should not run HostProcess containers"
    /// (077f0ce1) keeps them out of workload namespaces.
    ///
    /// ## How to fix
    /// Set `hostNetwork: true`, make every container HostProcess, and run as a system account.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/ (Windows
    ///   HostProcess containers)
    /// - https://learn.microsoft.com/azure/aks/windows-vs-linux-containers
    ///   (HostProcess instead of privileged containers)
    /// - https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Kubernetes/WindowsBlockHostProcess.json
    /// - docs/sources.md#azure-policy-built-in-ids
    pub struct Win009 {
        code: "WIN009",
        name: "invalid-hostprocess-pod",
        severity: Error,
        summary: "A HostProcess pod without hostNetwork, mixed, or with a non-system user",
    }
}

const HP: [&str; 3] = ["securityContext", "windowsOptions", "hostProcess"];
const USER: [&str; 3] = ["securityContext", "windowsOptions", "runAsUserName"];

impl ManifestRule for Win009 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        let pod_hp = pod.node.path(&HP).and_then(Node::bool);
        let cs = containers(pod.node);
        let flags: Vec<bool> = cs
            .iter()
            .map(|(_, c)| c.path(&HP).and_then(Node::bool).or(pod_hp).unwrap_or(false))
            .collect();
        if !flags.iter().any(|x| *x) {
            return;
        }
        let here = obj.ptr(pod.ptr);
        if pod.node.get("hostNetwork").and_then(Node::bool) != Some(true) {
            out.error(
                here.clone(),
                pod.node.key_span("containers"),
                format!(
                    "HostProcess pod {}/{} without hostNetwork: true",
                    obj.kind, obj.name
                ),
                "set hostNetwork: true",
            );
        }
        if flags.iter().any(|x| !*x) {
            out.error(
                here.clone(),
                pod.node.key_span("containers"),
                "a pod mixes HostProcess and non-HostProcess containers".into(),
                "make every container HostProcess, or none",
            );
        }
        let pod_user = pod.node.path(&USER).and_then(Node::str);
        for (cptr, c) in &cs {
            let user = c.path(&USER).and_then(Node::str).or(pod_user).unwrap_or("");
            let ok = [
                "NT AUTHORITY\\SYSTEM",
                "NT AUTHORITY\\LOCAL SERVICE",
                "NT AUTHORITY\\NETWORK SERVICE",
            ]
            .iter()
            .any(|u| u.eq_ignore_ascii_case(user));
            if !ok {
                out.error(
                    obj.ptr(&format!("{}{cptr}", pod.ptr)),
                    c.path(&USER).map_or(c.span, |n| n.span),
                    format!("HostProcess container runs as `{user}`, not a system account"),
                    "run as NT AUTHORITY\\SYSTEM, LOCAL SERVICE or NETWORK SERVICE",
                );
            }
        }
    }
}
