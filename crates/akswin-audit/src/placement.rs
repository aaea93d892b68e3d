//! Where a pod can run, as the scheduler reads it: its `nodeSelector` (every entry must hold)
//! and its required node affinity (any one of the `nodeSelectorTerms`, each the conjunction of
//! its `matchExpressions`), judged against the node pools of the cluster context.
//!
//! The context knows a pool's OS, Windows OS SKU, name and its own labels; it does not know
//! the other labels Kubernetes and AKS put on nodes (zone, hostname, instance type, mode) nor
//! nodes outside the pools (virtual nodes, node auto-provisioning). A requirement on such a
//! key is "unknown": it never rules a pool out, and it makes the placement uncertain, so that
//! WIN004 and WIN018 judge only what they can prove (at admission, with Deny, a wrong guess
//! refuses a valid pod).

use crate::context::Pool;
use crate::yaml::Node;

/// One requirement: `key op values` (a nodeSelector entry is `key In [value]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: String,
    pub values: Vec<String>,
}

/// A required node affinity term: its expressions, and whether it also has `matchFields`
/// (node names, which the context cannot see).
#[derive(Debug, Clone, Default)]
pub struct Term {
    pub requirements: Vec<Requirement>,
    pub fields: bool,
}

/// A pod's placement constraints.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub selector: Vec<Requirement>,
    /// `Some` when the pod has required node affinity terms.
    pub terms: Option<Vec<Term>>,
    /// `spec.nodeName`: the pod skips the scheduler and goes to one named node.
    pub node_name: bool,
}

const OS_KEYS: [&str; 2] = ["kubernetes.io/os", "beta.kubernetes.io/os"];
const OS_SKU: &str = "kubernetes.azure.com/os-sku";
const POOL_KEYS: [&str; 2] = ["kubernetes.azure.com/agentpool", "agentpool"];
const OPS: [&str; 4] = ["In", "NotIn", "Exists", "DoesNotExist"];

fn strings(n: Option<&Node>) -> Vec<String> {
    n.map(Node::seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.str().map(str::to_string))
        .collect()
}

/// A pod spec's placement.
pub fn placement(pod: &Node) -> Placement {
    let selector = pod
        .get("nodeSelector")
        .map(|s| {
            s.entries()
                .iter()
                .filter_map(|(k, _, v)| {
                    Some(Requirement {
                        key: k.clone(),
                        op: "In".into(),
                        values: vec![v.str()?.to_string()],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let terms = pod
        .path(&[
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
        ])
        .map(|terms| {
            terms
                .seq()
                .iter()
                .map(|t| Term {
                    requirements: t
                        .get("matchExpressions")
                        .map(Node::seq)
                        .unwrap_or_default()
                        .iter()
                        .map(|e| Requirement {
                            key: e.get("key").and_then(Node::str).unwrap_or_default().into(),
                            op: e
                                .get("operator")
                                .and_then(Node::str)
                                .unwrap_or_default()
                                .into(),
                            values: strings(e.get("values")),
                        })
                        .collect(),
                    fields: t.get("matchFields").is_some_and(|f| !f.seq().is_empty()),
                })
                .collect()
        });
    Placement {
        selector,
        terms,
        node_name: pod
            .get("nodeName")
            .and_then(Node::str)
            .is_some_and(|n| !n.is_empty()),
    }
}

/// What the context knows of a node label on a pool's nodes.
enum Label {
    Value(String),
    /// Certainly not set (another pool sets the key; this one does not).
    Absent,
    /// A Linux pool's OS SKU label: never a Windows value; its Linux value is not modelled.
    LinuxSku,
    Unknown,
}

/// Whether the context models a key: OS, OS SKU, pool name, or a label some pool sets.
fn modelled(pools: &[Pool], key: &str) -> bool {
    OS_KEYS.contains(&key)
        || key == OS_SKU
        || POOL_KEYS.contains(&key)
        || pools.iter().any(|p| p.labels.iter().any(|(k, _)| k == key))
}

fn label(pools: &[Pool], p: &Pool, key: &str) -> Label {
    if OS_KEYS.contains(&key) {
        Label::Value(p.os.to_ascii_lowercase())
    } else if key == OS_SKU {
        if p.os == "Windows" {
            Label::Value(p.os_sku.clone())
        } else {
            Label::LinuxSku
        }
    } else if POOL_KEYS.contains(&key) {
        Label::Value(p.name.clone())
    } else if let Some((_, v)) = p.labels.iter().find(|(k, _)| k == key) {
        Label::Value(v.clone())
    } else if modelled(pools, key) {
        Label::Absent
    } else {
        Label::Unknown
    }
}

/// Whether a requirement can hold on a pool's nodes (unknown: it can).
fn holds(pools: &[Pool], p: &Pool, r: &Requirement) -> bool {
    let op = r.op.as_str();
    match label(pools, p, &r.key) {
        Label::Unknown => true,
        Label::Value(v) => match op {
            "In" => r.values.contains(&v),
            "NotIn" => !r.values.contains(&v),
            "Exists" => true,
            "DoesNotExist" => false,
            _ => true,
        },
        Label::Absent => matches!(op, "NotIn" | "DoesNotExist"),
        Label::LinuxSku => match op {
            "In" => r.values.iter().any(|v| !v.starts_with("Windows")),
            "DoesNotExist" => false,
            _ => true,
        },
    }
}

impl Placement {
    /// No selector and no required affinity.
    pub fn is_empty(&self) -> bool {
        self.selector.is_empty() && self.terms.is_none()
    }

    /// The pools whose labels allow the pod (taints aside).
    pub fn pools<'a>(&self, pools: &'a [Pool]) -> Vec<&'a Pool> {
        pools
            .iter()
            .filter(|p| {
                self.selector.iter().all(|r| holds(pools, p, r))
                    && self.terms.as_ref().is_none_or(|terms| {
                        terms.iter().any(|t| {
                            (!t.requirements.is_empty() || t.fields)
                                && t.requirements.iter().all(|r| holds(pools, p, r))
                        })
                    })
            })
            .collect()
    }

    /// Whether the context can tell exactly which pools the pod reaches: no `nodeName`, no
    /// `matchFields`, only the operators In, NotIn, Exists and DoesNotExist, and only keys it
    /// models.
    pub fn certain(&self, pools: &[Pool]) -> bool {
        let reqs = self
            .selector
            .iter()
            .chain(self.terms.iter().flatten().flat_map(|t| &t.requirements));
        !self.node_name
            && !self.terms.iter().flatten().any(|t| t.fields)
            && reqs
                .into_iter()
                .all(|r| OPS.contains(&r.op.as_str()) && modelled(pools, &r.key))
    }

    /// The OS SKU the pod pins without pool context: its nodeSelector's, or the one value of
    /// an `os-sku In` expression in its only affinity term.
    pub fn os_sku(&self) -> Option<&str> {
        if let Some(r) = self.selector.iter().find(|r| r.key == OS_SKU) {
            return r.values.first().map(String::as_str);
        }
        match self.terms.as_deref() {
            Some([t]) => {
                let skus: Vec<&Requirement> = t
                    .requirements
                    .iter()
                    .filter(|r| r.key == OS_SKU && r.op == "In")
                    .collect();
                match skus.as_slice() {
                    [r] if r.values.len() == 1 => r.values.first().map(String::as_str),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The constraints in words (`kubernetes.io/os=windows, and one of the required affinity
    /// terms (agentpool In [win19])`).
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .selector
            .iter()
            .map(|r| format!("{}={}", r.key, r.values.join(",")))
            .collect();
        if let Some(terms) = &self.terms {
            let ts: Vec<String> = terms
                .iter()
                .map(|t| {
                    t.requirements
                        .iter()
                        .map(|r| match r.op.as_str() {
                            "Exists" | "DoesNotExist" => format!("{} {}", r.key, r.op),
                            _ => format!("{} {} [{}]", r.key, r.op, r.values.join(", ")),
                        })
                        .collect::<Vec<_>>()
                        .join(" and ")
                })
                .collect();
            parts.push(format!("the required node affinity ({})", ts.join(" or ")));
        }
        parts.join(", ")
    }
}
