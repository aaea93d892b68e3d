use crate::objects::containers;
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out, Set};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// A pod that names a gMSA credential spec (`securityContext.windowsOptions.
    /// gmsaCredentialSpecName`, pod or container level) that is not defined in the audited set
    /// (a `GMSACredentialSpec` of that name), or that no Role/ClusterRole grants `use` on
    /// (`windows.k8s.io`, `gmsacredentialspecs`, that resource name) through a binding to the
    /// pod's service account. "Not defined" is judged when the set holds gMSA objects (a
    /// credential spec, or a role on credential specs), and "not granted" when it holds a Role
    /// or ClusterRole, or a binding of the pod's service account to a role nothing in the set
    /// defines (named in the finding). A set with none of these leaves both to the cluster. A
    /// role that grants the use and carries `akswin.io/credential-spec-source` (what writes the
    /// spec: akswin renders it, and `deploy.sh active-directory` writes the spec once Active
    /// Directory answers) stands for the spec.
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

/// Whether the set defines credential spec `name`, or a role granting its use says where it
/// comes from instead (the `akswin.io/credential-spec-source` annotation akswin renders).
fn defined(set: &Set<'_>, name: &str) -> bool {
    set.of_kind("GMSACredentialSpec").any(|o| o.name == name)
        || set
            .of_kind("ClusterRole")
            .chain(set.of_kind("Role"))
            .any(|o| {
                grants_gmsa(o.node, Some(name))
                    && o.node
                        .path(&[
                            "metadata",
                            "annotations",
                            akswin_facts::CREDENTIAL_SPEC_SOURCE,
                        ])
                        .and_then(Node::str)
                        .is_some_and(|v| !v.trim().is_empty())
            })
}

/// Roles (kind, name) granting `use` on the spec.
/// Whether a Role/ClusterRole grants `use` on gMSA credential specs (on `name`, or on any
/// when `name` is None).
fn grants_gmsa(role: &Node, name: Option<&str>) -> bool {
    role.get("rules")
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
                && match name {
                    Some(name) => r.get("resourceNames").is_none() || has("resourceNames", name),
                    None => true,
                }
        })
}

fn granting_roles(set: &Set<'_>, name: &str) -> Vec<(String, String, String)> {
    set.of_kind("ClusterRole")
        .chain(set.of_kind("Role"))
        .filter(|o| grants_gmsa(o.node, Some(name)))
        .map(|o| (o.kind.clone(), o.name.clone(), o.namespace.clone()))
        .collect()
}

/// Whether a binding names service account `ns/sa` among its subjects (and can apply to it).
fn binds(b: &Object<'_>, ns: &str, sa: &str) -> bool {
    let subject = b
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
    subject && (b.kind == "ClusterRoleBinding" || b.namespace == ns)
}

fn role_ref<'n>(b: &'n Object<'_>) -> (&'n str, &'n str) {
    let get = |k: &str| {
        b.node
            .path(&["roleRef", k])
            .and_then(Node::str)
            .unwrap_or_default()
    };
    (get("kind"), get("name"))
}

fn bound(set: &Set<'_>, roles: &[(String, String, String)], ns: &str, sa: &str) -> bool {
    set.of_kind("RoleBinding")
        .chain(set.of_kind("ClusterRoleBinding"))
        .any(|b| {
            let (rk, rn) = role_ref(b);
            roles.iter().any(|(k, n, rns)| {
                k == rk && n == rn && (k == "ClusterRole" || rns == &b.namespace)
            }) && binds(b, ns, sa)
        })
}

/// The roles (`ClusterRole x`, `Role ns/x`) that bindings of service account `ns/sa` refer
/// to and that nothing in the set defines.
fn undefined_roles(set: &Set<'_>, ns: &str, sa: &str) -> Vec<String> {
    let mut out: Vec<String> = set
        .of_kind("RoleBinding")
        .chain(set.of_kind("ClusterRoleBinding"))
        .filter(|b| binds(b, ns, sa))
        .filter_map(|b| {
            let (rk, rn) = role_ref(b);
            if rk.is_empty() || rn.is_empty() {
                return None;
            }
            let exists = set
                .of_kind(rk)
                .any(|r| r.name == rn && (rk == "ClusterRole" || r.namespace == b.namespace));
            (!exists).then(|| match rk {
                "Role" => format!("Role {}/{rn}", b.namespace),
                _ => format!("{rk} {rn}"),
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

impl ManifestRule for Win006 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, set: &Set<'_>, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
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
        if refs.is_empty() {
            return;
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
        // The set holds gMSA objects (credential specs, or roles on them): then the credential
        // spec a pod names belongs there too.
        let judge_defined = set.of_kind("GMSACredentialSpec").next().is_some()
            || set
                .of_kind("ClusterRole")
                .chain(set.of_kind("Role"))
                .any(|o| grants_gmsa(o.node, None));
        // Bindings of the pod's service account to roles nothing in the set defines.
        let undefined = undefined_roles(set, ns, sa);
        let judge_granted = set
            .of_kind("ClusterRole")
            .chain(set.of_kind("Role"))
            .next()
            .is_some()
            || !undefined.is_empty();
        if !judge_defined && !judge_granted {
            return;
        }
        for (ptr, n) in refs {
            let Some(name) = n.str() else { continue };
            if judge_defined && !defined(set, name) {
                out.error(
                    obj.ptr(&ptr),
                    n.span,
                    format!(
                        "gMSA credential spec `{name}` is not defined in the audited manifests, which hold other gMSA objects"
                    ),
                    "add the GMSACredentialSpec (akswin's Set-Gmsa.ps1 writes it), or correct the name",
                );
                continue;
            }
            let roles = granting_roles(set, name);
            if !judge_granted || (!roles.is_empty() && bound(set, &roles, ns, sa)) {
                continue;
            }
            if undefined.is_empty() {
                out.error(obj.ptr(&ptr), n.span, format!("service account {ns}/{sa} is not granted `use` on gMSA credential spec `{name}`"), "bind a ClusterRole with verbs [use] on gmsacredentialspecs/{name} to the service account");
            } else {
                out.error(
                    obj.ptr(&ptr),
                    n.span,
                    format!(
                        "service account {ns}/{sa} is bound to {}, which nothing in the audited manifests defines: its `use` of gMSA credential spec `{name}` is unproven",
                        undefined.join(", ")
                    ),
                    "add the role (verbs [use] on gmsacredentialspecs) to the manifests, or correct the binding's roleRef",
                );
            }
        }
    }
}
