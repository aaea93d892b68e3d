use crate::names;
use crate::objects::containers;
use crate::yaml::{Node, Value};
use crate::{Context, ManifestRule, Object, Out};
use akswin_diag::Span;
use akswin_spec::types::ImageReference;

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Values the Kubernetes API server refuses, or that keep a pod from ever starting,
    /// judged with the API server's own grammars before `kubectl apply`:
    /// - object names (RFC 1123 subdomain; Services an RFC 1035 label, Namespaces an RFC 1123
    ///   label), namespaces, container names, service account names, and the gMSA credential
    ///   spec a pod names (an RFC 1123 subdomain);
    /// - label and annotation keys, label values (metadata, pod templates, node selectors);
    /// - image references (the distribution grammar: the kubelet refuses anything else with
    ///   `InvalidImageName`, and the pod never starts);
    /// - ports (container and Service ports 1-65535, target ports, IANA port names, protocols;
    ///   a Service with several ports names each);
    /// - resource quantities (`500m`, `2Gi`), and a request above its limit.
    ///
    /// A value that looks like a template placeholder (`<Your Image Name>`, `{{ .Values.x }}`,
    /// `${IMAGE}`, `REPLACE_ME`) says so: the manifest was copied from a sample or rendered
    /// without its values.
    ///
    /// ## Why it matters
    /// `kubectl apply` fails at the first invalid object, halfway through a rollout; an invalid
    /// image or credential spec name passes admission on some paths and fails on the node, where
    /// the pod waits in `InvalidImageName` or `CreateContainerConfigError`.
    ///
    /// ## How to fix
    /// Replace the value with one of the grammar named in the finding; fill in placeholders
    /// (`helm template` with its values, or the real name).
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
    /// - https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
    /// - https://kubernetes.io/docs/concepts/containers/images/#image-names
    /// - https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
    pub struct K8s002 {
        code: "K8S002",
        name: "value-rejected-by-kubernetes",
        severity: Error,
        summary: "A name, label, image reference, port or quantity the API server or the kubelet refuses",
    }
}

/// Kinds whose names are RFC 1123 subdomains (the built-in workload and config kinds).
const SUBDOMAIN_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "PodDisruptionBudget",
    "Ingress",
    "IngressClass",
    "NetworkPolicy",
    "HorizontalPodAutoscaler",
    "PriorityClass",
    "StorageClass",
    "GMSACredentialSpec",
];

struct Judge<'o, 'a> {
    obj: &'o Object<'a>,
    out: &'o mut Out,
}

impl Judge<'_, '_> {
    fn bad(&mut self, ptr: &str, span: Span, what: &str, value: &str, why: &str) {
        let (message, help) = if names::placeholder(value) {
            (
                format!(
                    "{what} `{value}` looks like a template placeholder left in; it must be {why}"
                ),
                "fill in the real value (`helm template` with its values renders a chart's)",
            )
        } else {
            (
                format!("{what} `{value}` is not {why}"),
                "write it in that form: the API server refuses anything else",
            )
        };
        self.out.error(self.obj.ptr(ptr), span, message, help);
    }

    fn check(&mut self, ptr: &str, node: &Node, what: &str, grammar: names::Grammar) {
        if let Some(v) = node.str()
            && let Err(why) = grammar(v)
        {
            self.bad(ptr, node.span, what, v, &why);
        }
    }

    /// Keys and values of a label map (`values`: whether values are label values).
    fn labels(&mut self, ptr: &str, map: Option<&Node>, what: &str, values: bool) {
        let Some(map) = map else { return };
        for (k, kspan, v) in map.entries() {
            if let Err(why) = names::qualified_name(k) {
                self.bad(ptr, *kspan, &format!("{what} key"), k, &why);
            }
            if values
                && let Some(val) = scalar(v)
                && let Err(why) = names::label_value(&val)
            {
                let p = format!("{ptr}/{}", k.replace('~', "~0").replace('/', "~1"));
                self.bad(&p, v.span, &format!("{what} value"), &val, &why);
            }
        }
    }

    /// A port number (1-65535; `zero_ok` for hostPort).
    fn port(&mut self, ptr: &str, node: &Node, what: &str) {
        match node.int() {
            Some(p) if (1..=65535).contains(&p) => {}
            Some(p) => self.out.error(
                self.obj.ptr(ptr),
                node.span,
                format!("{what} {p} is outside 1-65535"),
                "use a port number from 1 to 65535",
            ),
            None => {
                let v = scalar(node).unwrap_or_default();
                self.bad(
                    ptr,
                    node.span,
                    what,
                    &v,
                    "a port number (an integer from 1 to 65535)",
                );
            }
        }
    }
}

/// A scalar's text, whatever its type (a label value `true` is the string "true").
fn scalar(n: &Node) -> Option<String> {
    match &n.value {
        Value::Scalar { text, .. } => Some(text.clone()),
        _ => None,
    }
}

impl ManifestRule for K8s002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        let mut j = Judge { obj, out };
        let meta = obj.node.get("metadata");
        if let Some(name) = meta.and_then(|m| m.get("name")) {
            let grammar: Option<names::Grammar> = match obj.kind.as_str() {
                "Service" => Some(names::dns1035_label),
                "Namespace" => Some(names::dns1123_label),
                k if SUBDOMAIN_KINDS.contains(&k) => Some(names::dns1123_subdomain),
                _ => None,
            };
            if let Some(g) = grammar {
                j.check("/metadata/name", name, &format!("{} name", obj.kind), g);
            }
        }
        if let Some(ns) = meta.and_then(|m| m.get("namespace")) {
            j.check("/metadata/namespace", ns, "namespace", names::dns1123_label);
        }
        j.labels(
            "/metadata/labels",
            meta.and_then(|m| m.get("labels")),
            "label",
            true,
        );
        j.labels(
            "/metadata/annotations",
            meta.and_then(|m| m.get("annotations")),
            "annotation",
            false,
        );
        if obj.kind == "Service" {
            service(&mut j);
        }
        let Some(pod) = obj.pod() else { return };
        let pp = pod.ptr;
        if obj.kind != "Pod" {
            let tmeta = match obj.kind.as_str() {
                "CronJob" => {
                    obj.node
                        .path(&["spec", "jobTemplate", "spec", "template", "metadata"])
                }
                _ => obj.node.path(&["spec", "template", "metadata"]),
            };
            let tptr = pp.trim_end_matches("/spec").to_string() + "/metadata/labels";
            j.labels(
                &tptr,
                tmeta.and_then(|m| m.get("labels")),
                "pod label",
                true,
            );
        }
        j.labels(
            &format!("{pp}/nodeSelector"),
            pod.node.get("nodeSelector"),
            "node selector",
            true,
        );
        if let Some(sa) = pod.node.get("serviceAccountName") {
            j.check(
                &format!("{pp}/serviceAccountName"),
                sa,
                "service account",
                names::dns1123_subdomain,
            );
        }
        let gmsa = [
            "securityContext",
            "windowsOptions",
            "gmsaCredentialSpecName",
        ];
        if let Some(g) = pod.node.path(&gmsa) {
            j.check(
                &format!("{pp}/securityContext/windowsOptions/gmsaCredentialSpecName"),
                g,
                "gMSA credential spec name",
                names::dns1123_subdomain,
            );
        }
        for (cptr, c) in containers(pod.node) {
            let base = format!("{pp}{cptr}");
            if let Some(n) = c.get("name") {
                j.check(
                    &format!("{base}/name"),
                    n,
                    "container name",
                    names::dns1123_label,
                );
            }
            if let Some(g) = c.path(&gmsa) {
                j.check(
                    &format!("{base}/securityContext/windowsOptions/gmsaCredentialSpecName"),
                    g,
                    "gMSA credential spec name",
                    names::dns1123_subdomain,
                );
            }
            match c.get("image") {
                Some(n) => {
                    let img = scalar(n).unwrap_or_default();
                    if let Err(why) = ImageReference::parse(&img) {
                        j.bad(
                            &format!("{base}/image"),
                            n.span,
                            "image",
                            &img,
                            &format!("an image reference the kubelet can pull ({why}; the pod would wait in InvalidImageName)"),
                        );
                    }
                }
                None if !cptr.starts_with("/ephemeralContainers") => j.out.error(
                    obj.ptr(&base),
                    c.span,
                    "a container without an image: the API server refuses the object".into(),
                    "give the container its image",
                ),
                None => {}
            }
            for (i, p) in c
                .get("ports")
                .map(Node::seq)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let pptr = format!("{base}/ports/{i}");
                if let Some(n) = p.get("containerPort") {
                    j.port(&format!("{pptr}/containerPort"), n, "containerPort");
                }
                if let Some(n) = p.get("hostPort")
                    && n.int() != Some(0)
                {
                    j.port(&format!("{pptr}/hostPort"), n, "hostPort");
                }
                if let Some(n) = p.get("name") {
                    j.check(
                        &format!("{pptr}/name"),
                        n,
                        "port name",
                        names::iana_svc_name,
                    );
                }
                if let Some(n) = p.get("protocol") {
                    protocol(&mut j, &format!("{pptr}/protocol"), n);
                }
            }
            resources(&mut j, &format!("{base}/resources"), c.get("resources"));
        }
    }
}

fn protocol(j: &mut Judge<'_, '_>, ptr: &str, n: &Node) {
    if let Some(v) = n.str()
        && !matches!(v, "TCP" | "UDP" | "SCTP")
    {
        j.bad(ptr, n.span, "protocol", v, "TCP, UDP or SCTP (upper case)");
    }
}

fn resources(j: &mut Judge<'_, '_>, ptr: &str, r: Option<&Node>) {
    let Some(r) = r else { return };
    for kind in ["requests", "limits"] {
        for (res, _, q) in r.get(kind).map(Node::entries).unwrap_or_default() {
            let v = scalar(q).unwrap_or_default();
            if let Err(why) = names::quantity(&v) {
                let p = format!("{ptr}/{kind}/{}", res.replace('~', "~0").replace('/', "~1"));
                j.bad(
                    &p,
                    q.span,
                    &format!("{res} {}", &kind[..kind.len() - 1]),
                    &v,
                    &why,
                );
            }
        }
    }
    // A request above its limit is refused ("must be less than or equal to ... limit").
    for (res, _, req) in r.get("requests").map(Node::entries).unwrap_or_default() {
        let Some(lim) = r.path(&["limits", res]) else {
            continue;
        };
        let (Some(a), Some(b)) = (scalar(req), scalar(lim)) else {
            continue;
        };
        if let (Some(x), Some(y)) = (
            akswin_spec::types::Quantity::nanos(&a),
            akswin_spec::types::Quantity::nanos(&b),
        ) && x > y
        {
            j.out.error(
                j.obj.ptr(&format!("{ptr}/requests/{res}")),
                req.span,
                format!(
                    "{res} request {a} is above its limit {b}: the API server refuses the object"
                ),
                "make the request at most the limit (on Windows, equal to it)",
            );
        }
    }
}

fn service(j: &mut Judge<'_, '_>) {
    let node = j.obj.node;
    j.labels(
        "/spec/selector",
        node.path(&["spec", "selector"]),
        "selector",
        true,
    );
    let ports = node
        .path(&["spec", "ports"])
        .map(Node::seq)
        .unwrap_or_default();
    for (i, p) in ports.iter().enumerate() {
        let pptr = format!("/spec/ports/{i}");
        match p.get("port") {
            Some(n) => j.port(&format!("{pptr}/port"), n, "Service port"),
            None => j.out.error(
                j.obj.ptr(&pptr),
                p.span,
                "a Service port without `port`: the API server refuses the object".into(),
                "give each Service port its number",
            ),
        }
        if let Some(t) = p.get("targetPort") {
            if t.int().is_some() {
                j.port(&format!("{pptr}/targetPort"), t, "targetPort");
            } else {
                j.check(
                    &format!("{pptr}/targetPort"),
                    t,
                    "targetPort",
                    names::iana_svc_name,
                );
            }
        }
        match p.get("name") {
            Some(n) => j.check(
                &format!("{pptr}/name"),
                n,
                "Service port name",
                names::dns1123_label,
            ),
            None if ports.len() > 1 => j.out.error(
                j.obj.ptr(&pptr),
                p.span,
                "a Service with several ports must name each: the API server refuses the object"
                    .into(),
                "give every port a `name`",
            ),
            None => {}
        }
        if let Some(n) = p.get("protocol") {
            protocol(j, &format!("{pptr}/protocol"), n);
        }
    }
}
