use crate::objects::containers;
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out, Set};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// A pod that names a gMSA credential spec (`securityContext.windowsOptions.
    /// gmsaCredentialSpecName`, pod or container level) that is not defined in the audited set
    /// (a `GMSACredentialSpec` of that name), or that no Role/ClusterRole grants `use` on
    /// (`windows.k8s.io`, `gmsacredentialspecs`, that resource name) through a binding to the
    /// pod's service account. "Not defined" is judged only when the set holds at least one
    /// credential spec, and "not granted" only when it holds at least one Role or ClusterRole
    /// (otherwise they are managed elsewhere: akswin's own Set-Gmsa.ps1 writes the credential
    /// specs after AD and the cluster exist).
    ///
    /// ## Why it matters
    /// The gMSA admission webhook rejects the pod (spec missing, or "service account not
    /// authorized to use gMSA cred spec"); with a wrong spec, Kerberos fails at run time.
    ///
    /// ## How to fix
    /// Define the GMSACredentialSpec, a ClusterRole with `verbs: [use]` on it, and a RoleBinding
    /// to the pod's service account.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    ///   (RBAC: `use` on the credential spec)
    /// - docs/sources.md#gmsa-on-aks
    pub struct Win006 {
        code: "WIN006",
        name: "gmsa-spec-not-granted",
        severity: Error,
        summary: "A gMSA credential spec referenced but not defined, or not granted to the service account",
    }
}

fn defined(set: &Set<'_>, name: &str) -> bool {
    set.of_kind("GMSACredentialSpec").any(|o| o.name == name)
}

/// Roles (kind, name) granting `use` on the spec.
fn granting_roles(set: &Set<'_>, name: &str) -> Vec<(String, String, String)> {
    set.of_kind("ClusterRole")
        .chain(set.of_kind("Role"))
        .filter(|o| {
            o.node
                .get("rules")
                .map(Node::seq)
                .unwrap_or_default()
                .iter()
                .any(|r| {
                    let has = |k: &str, v: &str| {
                        r.get(k)
                            .map(Node::seq)
                            .unwrap_or_default()
                            .iter()
                            .any(|x| x.str() == Some(v) || x.str() == Some("*"))
                    };
                    has("apiGroups", "windows.k8s.io")
                        && has("resources", "gmsacredentialspecs")
                        && has("verbs", "use")
                        && (r.get("resourceNames").is_none() || has("resourceNames", name))
                })
        })
        .map(|o| (o.kind.clone(), o.name.clone(), o.namespace.clone()))
        .collect()
}

fn bound(set: &Set<'_>, roles: &[(String, String, String)], ns: &str, sa: &str) -> bool {
    set.of_kind("RoleBinding")
        .chain(set.of_kind("ClusterRoleBinding"))
        .any(|b| {
            let rk = b
                .node
                .path(&["roleRef", "kind"])
                .and_then(Node::str)
                .unwrap_or_default();
            let rn = b
                .node
                .path(&["roleRef", "name"])
                .and_then(Node::str)
                .unwrap_or_default();
            let role_ok = roles.iter().any(|(k, n, rns)| {
                k == rk && n == rn && (k == "ClusterRole" || rns == &b.namespace)
            });
            let subj = b
                .node
                .get("subjects")
                .map(Node::seq)
                .unwrap_or_default()
                .iter()
                .any(|s| {
                    s.get("kind").and_then(Node::str) == Some("ServiceAccount")
                        && s.get("name").and_then(Node::str) == Some(sa)
                        && s.get("namespace")
                            .and_then(Node::str)
                            .unwrap_or(&b.namespace)
                            == ns
                });
            role_ok && subj && (b.kind == "ClusterRoleBinding" || b.namespace == ns)
        })
}

impl ManifestRule for Win006 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, set: &Set<'_>, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        let judge_defined = set.of_kind("GMSACredentialSpec").next().is_some();
        let judge_granted = set
            .of_kind("ClusterRole")
            .chain(set.of_kind("Role"))
            .next()
            .is_some();
        if !judge_defined && !judge_granted {
            return;
        }
        let mut refs = Vec::new();
        let key = [
            "securityContext",
            "windowsOptions",
            "gmsaCredentialSpecName",
        ];
        if let Some(n) = pod.node.path(&key) {
            refs.push((
                format!(
                    "{}/securityContext/windowsOptions/gmsaCredentialSpecName",
                    pod.ptr
                ),
                n,
            ));
        }
        for (cptr, c) in containers(pod.node) {
            if let Some(n) = c.path(&key) {
                refs.push((
                    format!(
                        "{}{cptr}/securityContext/windowsOptions/gmsaCredentialSpecName",
                        pod.ptr
                    ),
                    n,
                ));
            }
        }
        let sa = pod
            .node
            .get("serviceAccountName")
            .and_then(Node::str)
            .unwrap_or("default");
        let ns = if obj.namespace.is_empty() {
            "default"
        } else {
            &obj.namespace
        };
        for (ptr, n) in refs {
            let Some(name) = n.str() else { continue };
            if judge_defined && !defined(set, name) {
                out.error(
                    obj.ptr(&ptr),
                    n.span,
                    format!(
                        "gMSA credential spec `{name}` is not defined in the audited manifests"
                    ),
                    "add the GMSACredentialSpec (akswin's Set-Gmsa.ps1 writes it)",
                );
                continue;
            }
            let roles = granting_roles(set, name);
            if judge_granted && (roles.is_empty() || !bound(set, &roles, ns, sa)) {
                out.error(obj.ptr(&ptr), n.span, format!("service account {ns}/{sa} is not granted `use` on gMSA credential spec `{name}`"), "bind a ClusterRole with verbs [use] on gmsacredentialspecs/{name} to the service account");
            }
        }
    }
}
