use crate::objects::containers;
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out, Set};
use akswin_diag::Span;

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
fn defined(set: &Set, name: &str) -> bool {
    set.credential_specs.contains(name)
        || set
            .roles
            .iter()
            .any(|r| r.spec_source && r.grants(Some(name)))
}

/// Whether a binding of service account `ns/sa` refers to a role granting `use` on `name`.
fn granted(set: &Set, name: &str, ns: &str, sa: &str) -> bool {
    set.bindings.iter().any(|b| {
        b.binds(ns, sa)
            && set
                .role(&b.role_kind, &b.role_name, &b.namespace)
                .is_some_and(|r| r.grants(Some(name)))
    })
}

/// The roles (`ClusterRole x`, `Role ns/x`) that bindings of service account `ns/sa` refer
/// to and that nothing in the set defines.
fn undefined_roles(set: &Set, ns: &str, sa: &str) -> Vec<String> {
    let mut out: Vec<String> = set
        .bindings
        .iter()
        .filter(|b| b.binds(ns, sa) && !b.role_kind.is_empty() && !b.role_name.is_empty())
        .filter(|b| set.role(&b.role_kind, &b.role_name, &b.namespace).is_none())
        .map(|b| match b.role_kind.as_str() {
            "Role" => format!("Role {}/{}", b.namespace, b.role_name),
            k => format!("{k} {}", b.role_name),
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
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
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
            .unwrap_or("default")
            .to_string();
        let ns = if obj.namespace.is_empty() {
            "default".to_string()
        } else {
            obj.namespace.clone()
        };
        for (ptr, n) in refs {
            let Some(name) = n.str().map(str::to_string) else {
                continue;
            };
            let (ptr, span) = (obj.ptr(&ptr), n.span);
            let (ns, sa) = (ns.clone(), sa.clone());
            out.defer(span, move |set, out| {
                judge(set, &name, &ns, &sa, ptr, span, out)
            });
        }
    }
}

/// The judgement of one reference to credential spec `name` by a pod of service account
/// `ns/sa`, once the whole set is known.
fn judge(set: &Set, name: &str, ns: &str, sa: &str, ptr: String, span: Span, out: &mut Out) {
    // The set holds gMSA objects (credential specs, or roles on them): then the credential
    // spec a pod names belongs there too.
    let judge_defined =
        !set.credential_specs.is_empty() || set.roles.iter().any(|r| r.grants(None));
    // Bindings of the pod's service account to roles nothing in the set defines.
    let undefined = undefined_roles(set, ns, sa);
    let judge_granted = !set.roles.is_empty() || !undefined.is_empty();
    if judge_defined && !defined(set, name) {
        out.error(
            ptr,
            span,
            format!(
                "gMSA credential spec `{name}` is not defined in the audited manifests, which hold other gMSA objects"
            ),
            "add the GMSACredentialSpec (akswin's Set-Gmsa.ps1 writes it), or correct the name",
        );
        return;
    }
    if !judge_granted || granted(set, name, ns, sa) {
        return;
    }
    if undefined.is_empty() {
        out.error(ptr, span, format!("service account {ns}/{sa} is not granted `use` on gMSA credential spec `{name}`"), "bind a ClusterRole with verbs [use] on gmsacredentialspecs/{name} to the service account");
    } else {
        out.error(
            ptr,
            span,
            format!(
                "service account {ns}/{sa} is bound to {}, which nothing in the audited manifests defines: its `use` of gMSA credential spec `{name}` is unproven",
                undefined.join(", ")
            ),
            "add the role (verbs [use] on gmsacredentialspecs) to the manifests, or correct the binding's roleRef",
        );
    }
}
