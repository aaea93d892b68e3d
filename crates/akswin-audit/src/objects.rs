//! Kubernetes objects in a document (a `kind: List` holds several) and the pod specs inside
//! workloads, with the JSON pointers findings use.

use crate::yaml::Node;
use akswin_diag::{Finding, Severity};

#[derive(Debug, Clone)]
pub struct Object<'a> {
    pub file: usize,
    pub doc: usize,
    pub node: &'a Node,
    /// Pointer of the object inside its document ("" or "/items/3").
    pub prefix: String,
    pub kind: String,
    pub api_version: String,
    pub name: String,
    pub namespace: String,
    /// The pod spec, found once (every rule asks for it).
    pod: std::cell::OnceCell<Option<Pod<'a>>>,
}

/// A pod spec inside an object, with its pointer (relative to the object).
#[derive(Debug, Clone)]
pub struct Pod<'a> {
    pub node: &'a Node,
    pub ptr: &'static str,
    /// Labels of the pod template (for PDB selectors).
    pub labels: Vec<(String, String)>,
    /// Annotations of the pod template (documented exceptions).
    pub annotations: Vec<(String, String)>,
}

impl<'a> Object<'a> {
    pub fn ptr(&self, rel: &str) -> String {
        format!("{}{}", self.prefix, rel)
    }

    /// The pod spec of a workload or Pod.
    pub fn pod(&self) -> Option<&Pod<'a>> {
        self.pod.get_or_init(|| self.find_pod()).as_ref()
    }

    fn find_pod(&self) -> Option<Pod<'a>> {
        let (keys, ptr): (&[&str], &'static str) = match self.kind.as_str() {
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "Job"
            | "ReplicationController" => (&["spec", "template", "spec"], "/spec/template/spec"),
            "CronJob" => (
                &["spec", "jobTemplate", "spec", "template", "spec"],
                "/spec/jobTemplate/spec/template/spec",
            ),
            "Pod" => (&["spec"], "/spec"),
            _ => return None,
        };
        let node = self.node.path(keys)?;
        let labels_node = match self.kind.as_str() {
            "Pod" => self.node.path(&["metadata", "labels"]),
            "CronJob" => self.node.path(&[
                "spec",
                "jobTemplate",
                "spec",
                "template",
                "metadata",
                "labels",
            ]),
            _ => self.node.path(&["spec", "template", "metadata", "labels"]),
        };
        let labels = pairs(labels_node);
        let annotations_node = match self.kind.as_str() {
            "Pod" => self.node.path(&["metadata", "annotations"]),
            "CronJob" => self.node.path(&[
                "spec",
                "jobTemplate",
                "spec",
                "template",
                "metadata",
                "annotations",
            ]),
            _ => self
                .node
                .path(&["spec", "template", "metadata", "annotations"]),
        };
        let annotations = pairs(annotations_node);
        Some(Pod {
            node,
            ptr,
            labels,
            annotations,
        })
    }
}

fn text(n: &Node, keys: &[&str]) -> String {
    n.path(keys)
        .and_then(Node::str)
        .unwrap_or_default()
        .to_string()
}

/// The string entries of a mapping (labels, selectors), in order.
pub(crate) fn pairs(n: Option<&Node>) -> Vec<(String, String)> {
    n.map(|l| {
        l.entries()
            .iter()
            .filter_map(|(k, _, v)| Some((k.clone(), v.str()?.to_string())))
            .collect()
    })
    .unwrap_or_default()
}

/// The objects of one document. A document that is not an object (no kind) is reported.
pub fn objects<'a>(
    file: usize,
    doc: usize,
    root: &'a Node,
    report: &mut dyn FnMut(usize, Finding),
) -> Vec<Object<'a>> {
    let mut out = Vec::new();
    let mut add = |node: &'a Node, prefix: String, out: &mut Vec<Object<'a>>| {
        let kind = text(node, &["kind"]);
        if kind.is_empty() || !node.is_map() {
            report(
                file,
                Finding::new(
                    "K8S000",
                    Severity::Error,
                    prefix.clone(),
                    "not a Kubernetes object: no `kind`".to_string(),
                )
                .with_span(Some(node.span))
                .with_help("every document needs apiVersion, kind and metadata"),
            );
            return;
        }
        out.push(Object {
            file,
            doc,
            node,
            prefix,
            api_version: text(node, &["apiVersion"]),
            name: text(node, &["metadata", "name"]),
            namespace: text(node, &["metadata", "namespace"]),
            kind,
            pod: std::cell::OnceCell::new(),
        });
    };
    if text(root, &["kind"]).ends_with("List") && root.get("items").is_some() {
        for (i, item) in root
            .get("items")
            .map(Node::seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            add(item, format!("/items/{i}"), &mut out);
        }
    } else {
        add(root, String::new(), &mut out);
    }
    out
}

/// The Windows Server version an image is built for, from its tag (the one map, in
/// `akswin_plan::resolve`), as the OS SKU name (`Windows2022`).
pub fn image_windows_version(image: &str) -> Option<&'static str> {
    akswin_plan::resolve::image_windows_sku(image).map(|s| s.as_str())
}

/// Whether an image is a Windows image (see WIN001's documentation for the heuristics).
pub fn is_windows_image(image: &str) -> bool {
    let i = image.to_ascii_lowercase();
    let tag = akswin_plan::resolve::image_tag(&i);
    i.contains("mcr.microsoft.com/windows/")
        || i.contains("mcr.microsoft.com/dotnet/framework/")
        || tag.contains("windowsservercore")
        || tag.contains("nanoserver")
        || image_windows_version(&i).is_some()
}

/// All containers of a pod (init and regular), with their pointers relative to the pod.
pub fn containers(pod: &Node) -> Vec<(String, &Node)> {
    let mut v = Vec::new();
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        for (i, c) in pod
            .get(key)
            .map(Node::seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            v.push((format!("/{key}/{i}"), c));
        }
    }
    v
}

/// The OS a pod targets by selector: `kubernetes.io/os` in nodeSelector, or a required node
/// affinity term with `kubernetes.io/os In [...]`.
pub fn selected_os(pod: &Node) -> Option<String> {
    if let Some(v) = pod
        .path(&["nodeSelector", "kubernetes.io/os"])
        .and_then(Node::str)
    {
        return Some(v.to_string());
    }
    affinity_values(pod, "kubernetes.io/os").into_iter().next()
}

/// Values of `key` in required node affinity `In` expressions (of every term, in order).
pub fn affinity_values(pod: &Node, key: &str) -> Vec<String> {
    crate::placement::placement(pod)
        .terms
        .into_iter()
        .flatten()
        .flat_map(|t| t.requirements)
        .filter(|r| r.key == key && r.op == "In")
        .flat_map(|r| r.values)
        .collect()
}

/// Whether a pod's tolerations admit a node taint written as AKS writes them
/// (`key=value:Effect` or `key:Effect`). A `PreferNoSchedule` taint never keeps a pod out.
pub fn tolerates(pod: &Node, taint: &str) -> bool {
    let (kv, effect) = taint.rsplit_once(':').unwrap_or((taint, "NoSchedule"));
    if effect == "PreferNoSchedule" {
        return true;
    }
    let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
    pod.get("tolerations")
        .map(Node::seq)
        .unwrap_or_default()
        .iter()
        .any(|t| {
            let tk = t.get("key").and_then(Node::str).unwrap_or_default();
            let op = t.get("operator").and_then(Node::str).unwrap_or("Equal");
            let tv = t.get("value").and_then(Node::str).unwrap_or_default();
            let te = t.get("effect").and_then(Node::str).unwrap_or_default();
            let key_ok = (tk.is_empty() && op == "Exists") || tk == key;
            let value_ok = op == "Exists" || tv == value;
            let effect_ok = te.is_empty() || te == effect;
            key_ok && value_ok && effect_ok
        })
}

/// Why a pod is a Windows pod, if it is one.
pub fn windows_reason(pod: &Node) -> Option<String> {
    if pod.path(&["os", "name"]).and_then(Node::str) == Some("windows") {
        return Some("spec.os.name is windows".into());
    }
    if selected_os(pod).as_deref() == Some("windows") {
        return Some("it selects kubernetes.io/os=windows".into());
    }
    if let Some(sku) = pod
        .path(&["nodeSelector", "kubernetes.azure.com/os-sku"])
        .and_then(Node::str)
        && sku.starts_with("Windows")
    {
        return Some(format!("it selects os-sku {sku}"));
    }
    for (_, c) in containers(pod) {
        if let Some(img) = c.get("image").and_then(Node::str)
            && is_windows_image(img)
        {
            return Some(format!("its image {img} is a Windows image"));
        }
    }
    None
}
