//! akswin's manifest rules at admission, on the engine AKS already runs: the Azure Policy
//! add-on is Gatekeeper (OPA). For every manifest rule that can be judged from one object as
//! the API server admits it, this crate holds the rule in Rego (`rego/<code>.rego`, with the
//! shared helpers in `rego/lib.rego`) and builds from the rule registry:
//!
//! - a Gatekeeper `ConstraintTemplate` and a `Constraint` per rule ([`constraint_template`],
//!   [`constraint`]), for clusters that run Gatekeeper themselves;
//! - an Azure Policy custom definition per rule (mode `Microsoft.Kubernetes.Data`, the template
//!   inline as `Base64Encoded`) and an initiative over them ([`policy_definition`],
//!   [`initiative`]), for the Azure Policy add-on.
//!
//! Rules that cannot be judged at admission say why ([`Admission::NotAtAdmission`]); they are
//! left out, never approximated. `tests/parity.rs` evaluates every audit fixture with the Rego
//! (the regorus interpreter) and requires the Rust rule's verdict.
//!
//! This crate builds values; it does not print or touch files.

use akswin_audit::Context;
use akswin_diag::{RuleMeta, Severity};
use base64::Engine as _;
use serde_json::{Value, json};

/// The Rego helpers every template carries as a library (`data.lib.akswin`).
pub const LIB: &str = include_str!("../rego/lib.rego");

/// What a constraint's `match` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targets {
    /// Pods and the workloads that hold a pod template.
    Workloads,
    /// Services.
    Services,
    /// Workloads and Ingresses.
    WorkloadsAndIngresses,
    /// Workloads and RuntimeClasses.
    WorkloadsAndRuntimeClasses,
    /// GMSACredentialSpecs (cluster-scoped, the gMSA webhook's CRD).
    GmsaCredentialSpecs,
}

impl Targets {
    /// `(apiGroup, kinds)` pairs.
    pub fn kinds(self) -> Vec<(&'static str, Vec<&'static str>)> {
        let workloads = vec![
            ("", vec!["Pod", "ReplicationController"]),
            (
                "apps",
                vec!["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
            ),
            ("batch", vec!["Job", "CronJob"]),
        ];
        match self {
            Targets::Workloads => workloads,
            Targets::Services => vec![("", vec!["Service"])],
            Targets::WorkloadsAndIngresses => {
                let mut w = workloads;
                w.push(("networking.k8s.io", vec!["Ingress"]));
                w
            }
            Targets::WorkloadsAndRuntimeClasses => {
                let mut w = workloads;
                w.push(("node.k8s.io", vec!["RuntimeClass"]));
                w
            }
            Targets::GmsaCredentialSpecs => vec![("windows.k8s.io", vec!["GMSACredentialSpec"])],
        }
    }
}

/// A constraint parameter: its name, its OpenAPI schema, and its value for a cluster.
#[derive(Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub description: &'static str,
    /// `boolean` or `array` (of strings).
    pub kind: ParamKind,
    /// The value for a cluster the audit context describes.
    pub value: fn(&Context) -> Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Boolean,
    StringArray,
    /// The cluster's node pools: objects with `name`, `os`, `osSku`, `labels` and `taints`.
    PoolArray,
}

impl ParamKind {
    /// The Azure Policy parameter type and default (`true`: the rendered cluster has Windows
    /// pools; `[]`: no list, the rule does not judge).
    fn azure_policy(self) -> (&'static str, Value) {
        match self {
            ParamKind::Boolean => ("Boolean", json!(true)),
            ParamKind::StringArray | ParamKind::PoolArray => ("Array", json!([])),
        }
    }

    /// An Azure Policy parameter definition of this kind.
    fn definition(self, p: &Param) -> Value {
        let (ty, default) = self.azure_policy();
        json!({
            "type": ty,
            "metadata": { "displayName": p.name, "description": p.description },
            "defaultValue": default,
        })
    }
}

impl std::fmt::Debug for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Param")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish()
    }
}

/// How a manifest rule is enforced at admission.
#[derive(Debug, Clone, Copy)]
pub enum Admission {
    /// Judged by this Rego on the admitted object alone.
    Rego {
        rego: &'static str,
        targets: Targets,
        params: &'static [Param],
    },
    /// Not enforced at admission, and why.
    NotAtAdmission { reason: &'static str },
}

const HAS_WINDOWS_POOLS: Param = Param {
    name: "clusterHasWindowsPools",
    description: "Whether the cluster has Windows node pools (a Linux pod without an OS selector is only a risk then)",
    kind: ParamKind::Boolean,
    value: |cx| json!(cx.has_windows_pools() == Some(true)),
};

const ALLOWED_REGISTRIES: Param = Param {
    name: "allowedRegistries",
    description: "Registry hosts images may come from (empty: any)",
    kind: ParamKind::StringArray,
    value: |cx| json!(cx.allowed_registries),
};

const POOLS: Param = Param {
    name: "pools",
    description: "The cluster's node pools (name, os, osSku, labels, taints); empty: the rules that need them judge only what the pod itself says",
    kind: ParamKind::PoolArray,
    value: |cx| {
        let pools = cx.pools.as_deref().unwrap_or_default();
        Value::Array(
            pools
                .iter()
                .map(|p| {
                    let labels: serde_json::Map<String, Value> = p
                        .labels
                        .iter()
                        .map(|(k, v)| (k.clone(), json!(v)))
                        .collect();
                    json!({
                        "name": p.name,
                        "os": p.os,
                        "osSku": p.os_sku,
                        "labels": labels,
                        "taints": p.taints,
                    })
                })
                .collect(),
        )
    },
};

const API_SERVER: &str = "the API server itself refuses these objects (unparsable documents, removed API versions, invalid names and values) before any admission webhook sees them";

/// How the manifest rule `code` is enforced at admission; None for a code that is not a
/// manifest rule.
pub fn admission(code: &str) -> Option<Admission> {
    let rego = |rego, targets, params| Admission::Rego {
        rego,
        targets,
        params,
    };
    let not = |reason| Admission::NotAtAdmission { reason };
    use Targets::*;
    Some(match code {
        "K8S000" | "K8S001" | "K8S002" => not(API_SERVER),
        "WIN001" => rego(include_str!("../rego/win001.rego"), Workloads, &[]),
        "WIN002" => rego(
            include_str!("../rego/win002.rego"),
            Workloads,
            &[HAS_WINDOWS_POOLS],
        ),
        "WIN003" => rego(include_str!("../rego/win003.rego"), Workloads, &[]),
        "WIN004" => rego(include_str!("../rego/win004.rego"), Workloads, &[POOLS]),
        "WIN005" => rego(include_str!("../rego/win005.rego"), Workloads, &[]),
        "WIN006" => not(
            "it needs the GMSACredentialSpecs, Roles and RoleBindings of the cluster; Gatekeeper sees one object at admission and would need its inventory of every RBAC object replicated",
        ),
        "WIN007" => rego(include_str!("../rego/win007.rego"), Workloads, &[]),
        "WIN008" => rego(include_str!("../rego/win008.rego"), Workloads, &[]),
        "WIN009" => rego(include_str!("../rego/win009.rego"), Workloads, &[]),
        "WIN010" => rego(include_str!("../rego/win010.rego"), Services, &[]),
        "WIN011" => rego(
            include_str!("../rego/win011.rego"),
            WorkloadsAndIngresses,
            &[],
        ),
        "WIN012" => rego(
            include_str!("../rego/win012.rego"),
            Workloads,
            &[ALLOWED_REGISTRIES],
        ),
        "WIN013" => rego(include_str!("../rego/win013.rego"), Workloads, &[]),
        "WIN014" => rego(include_str!("../rego/win014.rego"), Workloads, &[]),
        "WIN015" => not(
            "it compares a workload's images with the pre-pull DaemonSets of the cluster: another object than the one admitted",
        ),
        "WIN016" => rego(include_str!("../rego/win016.rego"), Services, &[]),
        "WIN017" => not(
            "it looks for a PodDisruptionBudget that selects the workload: another object, which may be applied after it",
        ),
        "WIN018" => rego(include_str!("../rego/win018.rego"), Workloads, &[POOLS]),
        "WIN019" => rego(include_str!("../rego/win019.rego"), Workloads, &[]),
        "WIN020" => rego(include_str!("../rego/win020.rego"), Workloads, &[]),
        "WIN021" => rego(
            include_str!("../rego/win021.rego"),
            WorkloadsAndRuntimeClasses,
            &[],
        ),
        "WIN022" => rego(include_str!("../rego/win022.rego"), Workloads, &[]),
        "WIN024" => rego(include_str!("../rego/win024.rego"), Workloads, &[]),
        "WIN025" => rego(include_str!("../rego/win025.rego"), Workloads, &[]),
        "WIN023" => rego(
            include_str!("../rego/win023.rego"),
            GmsaCredentialSpecs,
            &[],
        ),
        _ => return None,
    })
}

/// A manifest rule enforced at admission.
#[derive(Debug, Clone, Copy)]
pub struct Exported {
    pub meta: &'static RuleMeta,
    pub rego: &'static str,
    pub targets: Targets,
    pub params: &'static [Param],
}

impl Exported {
    /// The Gatekeeper constraint kind (`AkswinWin001`).
    pub fn kind(&self) -> String {
        let code = self.meta.code;
        let (letters, digits) = code.split_at(code.len().min(3));
        let mut l = letters.to_ascii_lowercase();
        if let Some(first) = l.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        format!("Akswin{l}{digits}")
    }
    /// The ConstraintTemplate's name: the kind in lowercase, as Gatekeeper requires.
    pub fn template_name(&self) -> String {
        self.kind().to_ascii_lowercase()
    }
    /// The name of the Constraint and of the Azure Policy definition (`akswin-win001`).
    pub fn resource_name(&self) -> String {
        format!("akswin-{}", self.meta.code.to_ascii_lowercase())
    }
}

/// Every manifest rule enforced at admission, in code order.
pub fn exported() -> Vec<Exported> {
    akswin_audit::registry()
        .iter()
        .filter_map(|r| match admission(r.meta().code)? {
            Admission::Rego {
                rego,
                targets,
                params,
            } => Some(Exported {
                meta: r.meta(),
                rego,
                targets,
                params,
            }),
            Admission::NotAtAdmission { .. } => None,
        })
        .collect()
}

/// Every manifest rule left out at admission, with the reason.
pub fn left_out() -> Vec<(&'static RuleMeta, &'static str)> {
    akswin_audit::registry()
        .iter()
        .filter_map(|r| match admission(r.meta().code)? {
            Admission::NotAtAdmission { reason } => Some((r.meta(), reason)),
            Admission::Rego { .. } => None,
        })
        .collect()
}

/// What a rule does to an object that breaks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Admit it and report it (Gatekeeper `warn`: kubectl prints a warning; Azure Policy
    /// `Audit`: non-compliant).
    Audit,
    /// Refuse it.
    Deny,
}

impl Effect {
    pub fn azure_policy(self) -> &'static str {
        match self {
            Effect::Audit => "Audit",
            Effect::Deny => "Deny",
        }
    }
    pub fn gatekeeper(self) -> &'static str {
        match self {
            Effect::Audit => "warn",
            Effect::Deny => "deny",
        }
    }
    /// Deny for error rules, audit for the rest.
    pub fn by_severity(meta: &RuleMeta) -> Effect {
        if meta.severity == Severity::Error {
            Effect::Deny
        } else {
            Effect::Audit
        }
    }
}

/// Namespaces no akswin constraint judges: Kubernetes' and the policy engine's own (the
/// defaults of Microsoft's built-in Kubernetes policies), and those AKS itself runs pods in:
/// Calico's (its Windows DaemonSets, with network policy `calico`) and `aks-command` (the pods
/// of `az aks command invoke`). akswin's own `akswin-system` is judged like any other: its
/// pre-pull DaemonSets pass every rule.
pub const EXCLUDED_NAMESPACES: [&str; 7] = [
    "kube-system",
    "gatekeeper-system",
    "azure-arc",
    "azure-extensions-usage-system",
    "calico-system",
    "tigera-operator",
    "aks-command",
];

fn schema(p: &Param) -> Value {
    match p.kind {
        ParamKind::Boolean => json!({ "type": "boolean", "description": p.description }),
        ParamKind::StringArray => {
            json!({ "type": "array", "items": { "type": "string" }, "description": p.description })
        }
        ParamKind::PoolArray => json!({
            "type": "array",
            "description": p.description,
            "items": {
                "type": "object",
                "required": ["name", "os", "osSku"],
                "properties": {
                    "name": { "type": "string" },
                    "os": { "type": "string", "enum": ["Linux", "Windows"] },
                    "osSku": { "type": "string" },
                    "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                    "taints": { "type": "array", "items": { "type": "string" }, "description": "key=value:Effect, as AKS writes them" },
                },
            },
        }),
    }
}

/// The rule's ConstraintTemplate (Gatekeeper `templates.gatekeeper.sh/v1`).
pub fn constraint_template(r: &Exported) -> Value {
    let mut properties = serde_json::Map::new();
    for p in r.params {
        properties.insert(p.name.to_string(), schema(p));
    }
    json!({
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {
            "name": r.template_name(),
            "annotations": {
                "metadata.gatekeeper.sh/title": format!("akswin {}: {}", r.meta.code, r.meta.summary),
                "description": format!(
                    "{} ({}). Explained by `akswin explain {}` and in akswin's docs/rules.md.",
                    r.meta.summary, r.meta.name, r.meta.code
                ),
            },
        },
        "spec": {
            "crd": { "spec": {
                "names": { "kind": r.kind() },
                "validation": { "openAPIV3Schema": { "type": "object", "properties": properties } },
            } },
            "targets": [{
                "target": "admission.k8s.gatekeeper.sh",
                "rego": r.rego,
                "libs": [LIB],
            }],
        },
    })
}

/// The `match` of a constraint.
fn match_kinds(r: &Exported) -> Value {
    Value::Array(
        r.targets
            .kinds()
            .into_iter()
            .map(|(g, k)| json!({ "apiGroups": [g], "kinds": k }))
            .collect(),
    )
}

/// The rule's parameters for the cluster the context describes.
pub fn parameters(r: &Exported, cx: &Context) -> serde_json::Map<String, Value> {
    r.params
        .iter()
        .map(|p| (p.name.to_string(), (p.value)(cx)))
        .collect()
}

/// The rule's Constraint (`constraints.gatekeeper.sh/v1beta1`) for the cluster the context
/// describes.
pub fn constraint(r: &Exported, cx: &Context, effect: Effect) -> Value {
    let mut c = json!({
        "apiVersion": "constraints.gatekeeper.sh/v1beta1",
        "kind": r.kind(),
        "metadata": { "name": r.resource_name() },
        "spec": {
            "enforcementAction": effect.gatekeeper(),
            "match": {
                "kinds": match_kinds(r),
                "excludedNamespaces": EXCLUDED_NAMESPACES,
            },
        },
    });
    let params = parameters(r, cx);
    if !params.is_empty() {
        c["spec"]["parameters"] = Value::Object(params);
    }
    c
}

/// The ConstraintTemplate as YAML (what Azure Policy carries, base64-encoded).
pub fn template_yaml(r: &Exported) -> String {
    serde_saphyr::to_string(&constraint_template(r)).unwrap_or_default()
}

/// The version of akswin's custom definitions: the akswin version that built them.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The `properties` of the rule's Azure Policy custom definition (mode
/// `Microsoft.Kubernetes.Data`; the ConstraintTemplate inline, `Base64Encoded`). Its
/// parameters: `effect` (Audit, Deny, Disabled), `excludedNamespaces`, `namespaces`, and the
/// rule's own.
pub fn policy_definition(r: &Exported, default_effect: Effect) -> Value {
    let content = base64::engine::general_purpose::STANDARD.encode(template_yaml(r));
    let mut parameters = json!({
        "effect": {
            "type": "String",
            "metadata": { "displayName": "Effect", "description": "Audit reports a breaking object as non-compliant; Deny refuses it; Disabled turns the rule off." },
            "allowedValues": ["Audit", "Deny", "Disabled"],
            "defaultValue": default_effect.azure_policy(),
        },
        "excludedNamespaces": {
            "type": "Array",
            "metadata": { "displayName": "Namespace exclusions", "description": "Namespaces the rule does not judge." },
            "defaultValue": EXCLUDED_NAMESPACES,
        },
        "namespaces": {
            "type": "Array",
            "metadata": { "displayName": "Namespace inclusions", "description": "Namespaces the rule judges (empty: all)." },
            "defaultValue": [],
        },
    });
    let mut values = serde_json::Map::new();
    for p in r.params {
        parameters[p.name] = p.kind.definition(p);
        values.insert(
            p.name.to_string(),
            json!(format!("[parameters('{}')]", p.name)),
        );
    }
    let (groups, kinds): (Vec<&str>, Vec<&str>) = {
        let k = r.targets.kinds();
        (
            k.iter().map(|(g, _)| *g).collect(),
            k.iter().flat_map(|(_, ks)| ks.iter().copied()).collect(),
        )
    };
    let mut details = json!({
        "templateInfo": { "sourceType": "Base64Encoded", "content": content },
        "apiGroups": groups,
        "kinds": kinds,
        "excludedNamespaces": "[parameters('excludedNamespaces')]",
        "namespaces": "[parameters('namespaces')]",
    });
    if !values.is_empty() {
        details["values"] = Value::Object(values);
    }
    json!({
        "displayName": format!("akswin {}: {}", r.meta.code, r.meta.summary),
        "policyType": "Custom",
        "mode": "Microsoft.Kubernetes.Data",
        "description": format!(
            "{} ({}). Explained by `akswin explain {}` and in akswin's docs/rules.md.",
            r.meta.summary, r.meta.name, r.meta.code
        ),
        "metadata": { "category": "Kubernetes", "version": VERSION, "akswinRule": r.meta.code },
        "parameters": parameters,
        "policyRule": {
            "if": { "field": "type", "in": ["Microsoft.ContainerService/managedClusters"] },
            "then": { "effect": "[parameters('effect')]", "details": details },
        },
    })
}

/// The name of akswin's initiative.
pub const INITIATIVE: &str = "akswin-windows-admission";

/// The `properties` of the initiative over every exported rule: one effect parameter per rule
/// (`effectWIN001`), the rules' own parameters, and the excluded namespaces. `definition_id`
/// gives the id of a rule's definition (a subscription-scoped resource id in ARM, or a
/// management-group id).
pub fn initiative(rules: &[Exported], definition_id: impl Fn(&Exported) -> String) -> Value {
    let mut parameters = serde_json::Map::new();
    parameters.insert(
        "excludedNamespaces".into(),
        json!({ "type": "Array", "metadata": { "displayName": "Namespace exclusions" }, "defaultValue": EXCLUDED_NAMESPACES }),
    );
    let mut members = Vec::new();
    for r in rules {
        let effect = format!("effect{}", r.meta.code);
        parameters.insert(
            effect.clone(),
            json!({
                "type": "String",
                "metadata": { "displayName": format!("Effect of {}", r.meta.code) },
                "allowedValues": ["Audit", "Deny", "Disabled"],
                // Audit until an assignment says otherwise: a new rule never starts refusing
                // objects on its own.
                "defaultValue": Effect::Audit.azure_policy(),
            }),
        );
        let mut values = json!({
            "effect": { "value": format!("[parameters('{effect}')]") },
            "excludedNamespaces": { "value": "[parameters('excludedNamespaces')]" },
        });
        for p in r.params {
            parameters
                .entry(p.name.to_string())
                .or_insert_with(|| p.kind.definition(p));
            values[p.name] = json!({ "value": format!("[parameters('{}')]", p.name) });
        }
        members.push(json!({
            "policyDefinitionReferenceId": r.meta.code,
            "policyDefinitionId": definition_id(r),
            "parameters": values,
        }));
    }
    json!({
        "displayName": "akswin: Windows container rules at admission",
        "policyType": "Custom",
        "description": "akswin's manifest rules that can be judged when the API server admits an object, enforced by the Azure Policy add-on (Gatekeeper).",
        "metadata": { "category": "Kubernetes", "version": VERSION },
        "parameters": parameters,
        "policyDefinitions": members,
    })
}
