//! akswin-audit owns `akswin audit`: loading Kubernetes manifests (files, directories, stdin,
//! multi-document YAML, JSON, `kind: List`, Helm output) with a position on every node, and
//! the manifest rules (K8S000-K8S002, WIN001-WIN018) that judge them, in parallel.
//!
//! Input it cannot read becomes a finding (K8S000) and the audit goes on. It must not print,
//! walk directories or decide exit codes (the CLI does).

pub mod context;
pub mod names;
pub mod objects;
mod rules;
pub mod yaml;

pub use context::{Context, Pool};
pub use objects::Object;

use akswin_diag::{Finding, RuleMeta, Severity, Source, Span};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// A manifest rule.
pub trait ManifestRule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Judge one object; `set` is everything in the audit (for cross-object rules).
    fn check(&self, cx: &Context, set: &Set, obj: &Object<'_>, out: &mut Out);
}

/// Findings of one rule on one object; the file is the object's.
pub struct Out {
    meta: &'static RuleMeta,
    pub findings: Vec<Finding>,
}

impl Out {
    pub fn new(meta: &'static RuleMeta) -> Self {
        Out {
            meta,
            findings: Vec::new(),
        }
    }
    pub fn emit(
        &mut self,
        severity: Severity,
        pointer: String,
        span: Span,
        message: String,
        help: &str,
    ) {
        let mut f = Finding::new(self.meta.code, severity, pointer, message).with_span(Some(span));
        if !help.is_empty() {
            f.help = Some(help.to_string());
        }
        self.findings.push(f);
    }
    pub fn error(&mut self, pointer: String, span: Span, message: String, help: &str) {
        self.emit(Severity::Error, pointer, span, message, help);
    }
    pub fn warning(&mut self, pointer: String, span: Span, message: String, help: &str) {
        self.emit(Severity::Warning, pointer, span, message, help);
    }
    pub fn info(&mut self, pointer: String, span: Span, message: String, help: &str) {
        self.emit(Severity::Info, pointer, span, message, help);
    }
}

/// Every manifest rule, in code order.
pub fn registry() -> &'static [&'static dyn ManifestRule] {
    rules::ALL
}

pub fn rule(code: &str) -> Option<&'static dyn ManifestRule> {
    registry()
        .iter()
        .copied()
        .find(|r| r.meta().code.eq_ignore_ascii_case(code))
}

/// One input: its name (path or `<stdin>`) and its text.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub text: String,
}

/// What rules that look across objects need to know of the whole audit, gathered in a first
/// pass that parses only the documents that can hold it (gMSA credential specs, roles and
/// bindings, PodDisruptionBudgets, DaemonSets) and keeps only these facts: the objects
/// themselves are judged in a second pass, one file at a time, so memory does not grow with
/// the input.
#[derive(Debug, Default)]
pub struct Set {
    /// Names of the GMSACredentialSpecs.
    pub credential_specs: HashSet<String>,
    /// Roles and ClusterRoles.
    pub roles: Vec<RoleFact>,
    /// RoleBindings and ClusterRoleBindings.
    pub bindings: Vec<BindingFact>,
    /// PodDisruptionBudgets: (namespace, matchLabels).
    pdbs: Vec<(String, Vec<(String, String)>)>,
    /// PodDisruptionBudgets by (namespace, first matchLabels key, value).
    pdb_index: HashMap<(String, String, String), Vec<usize>>,
    /// Images pulled by pre-pull shaped DaemonSets (None: the set has none).
    pub prepulled: Option<HashSet<String>>,
}

/// A Role or ClusterRole, as WIN006 needs it.
#[derive(Debug, Clone)]
pub struct RoleFact {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// Its rules granting `use` on gMSA credential specs: the resource names of each (None:
    /// every credential spec).
    pub gmsa_grants: Vec<Option<Vec<String>>>,
    /// It says where its credential specs come from (`akswin.io/credential-spec-source`).
    pub spec_source: bool,
}

impl RoleFact {
    /// Whether the role grants `use` on credential spec `name` (on any when None).
    pub fn grants(&self, name: Option<&str>) -> bool {
        self.gmsa_grants.iter().any(|g| match (g, name) {
            (None, _) | (Some(_), None) => true,
            (Some(names), Some(n)) => names.iter().any(|x| x == n || x == "*"),
        })
    }
}

/// A RoleBinding or ClusterRoleBinding, as WIN006 needs it.
#[derive(Debug, Clone)]
pub struct BindingFact {
    pub kind: String,
    pub namespace: String,
    pub role_kind: String,
    pub role_name: String,
    /// Service account subjects (namespace, name).
    pub service_accounts: Vec<(String, String)>,
}

impl BindingFact {
    /// Whether the binding names service account `ns/sa` (and can apply to it).
    pub fn binds(&self, ns: &str, sa: &str) -> bool {
        self.service_accounts
            .iter()
            .any(|(n, s)| n == ns && s == sa)
            && (self.kind == "ClusterRoleBinding" || self.namespace == ns)
    }
}

/// Kind names whose documents the first pass parses (a substring test on the raw text: a
/// document that does not mention one of these holds nothing `Set` keeps).
const SET_KINDS: &[&str] = &[
    "GMSACredentialSpec",
    "Role",
    "PodDisruptionBudget",
    "DaemonSet",
];

fn pairs(n: Option<&yaml::Node>) -> Vec<(String, String)> {
    n.map(|l| {
        l.entries()
            .iter()
            .filter_map(|(k, _, v)| Some((k.clone(), v.str()?.to_string())))
            .collect()
    })
    .unwrap_or_default()
}

impl Set {
    /// A set from the objects given (tests, and each document of the first pass).
    pub fn of<'a>(objects: impl IntoIterator<Item = &'a Object<'a>>) -> Set {
        let mut s = Set::default();
        for o in objects {
            s.add(o);
        }
        s.finish()
    }

    fn add(&mut self, o: &Object<'_>) {
        use yaml::Node;
        match o.kind.as_str() {
            "GMSACredentialSpec" => {
                self.credential_specs.insert(o.name.clone());
            }
            "Role" | "ClusterRole" => {
                let gmsa_grants = o
                    .node
                    .get("rules")
                    .map(Node::seq)
                    .unwrap_or_default()
                    .iter()
                    .filter(|r| {
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
                    })
                    .map(|r| {
                        r.get("resourceNames").map(|n| {
                            n.seq()
                                .iter()
                                .filter_map(|x| x.str().map(str::to_string))
                                .collect()
                        })
                    })
                    .collect();
                let spec_source = o
                    .node
                    .path(&[
                        "metadata",
                        "annotations",
                        akswin_facts::CREDENTIAL_SPEC_SOURCE,
                    ])
                    .and_then(Node::str)
                    .is_some_and(|v| !v.trim().is_empty());
                self.roles.push(RoleFact {
                    kind: o.kind.clone(),
                    name: o.name.clone(),
                    namespace: o.namespace.clone(),
                    gmsa_grants,
                    spec_source,
                });
            }
            "RoleBinding" | "ClusterRoleBinding" => {
                let get = |k: &str| {
                    o.node
                        .path(&["roleRef", k])
                        .and_then(Node::str)
                        .unwrap_or_default()
                        .to_string()
                };
                let service_accounts = o
                    .node
                    .get("subjects")
                    .map(Node::seq)
                    .unwrap_or_default()
                    .iter()
                    .filter(|s| s.get("kind").and_then(Node::str) == Some("ServiceAccount"))
                    .filter_map(|s| {
                        let name = s.get("name").and_then(Node::str)?;
                        let ns = s
                            .get("namespace")
                            .and_then(Node::str)
                            .unwrap_or(&o.namespace);
                        Some((ns.to_string(), name.to_string()))
                    })
                    .collect();
                self.bindings.push(BindingFact {
                    kind: o.kind.clone(),
                    namespace: o.namespace.clone(),
                    role_kind: get("kind"),
                    role_name: get("name"),
                    service_accounts,
                });
            }
            "PodDisruptionBudget" => {
                let m = pairs(o.node.path(&["spec", "selector", "matchLabels"]));
                if !m.is_empty() {
                    self.pdbs.push((o.namespace.clone(), m));
                }
            }
            "DaemonSet" => {
                let Some(pod) = o.pod() else { return };
                let inits = pod
                    .node
                    .get("initContainers")
                    .map(Node::seq)
                    .unwrap_or_default();
                let mains = pod
                    .node
                    .get("containers")
                    .map(Node::seq)
                    .unwrap_or_default();
                let pause = mains.len() == 1
                    && mains[0]
                        .get("image")
                        .and_then(Node::str)
                        .is_some_and(|i| i.contains("pause"));
                if !inits.is_empty() && pause {
                    self.prepulled.get_or_insert_with(HashSet::new).extend(
                        inits
                            .iter()
                            .filter_map(|c| c.get("image").and_then(Node::str).map(str::to_string)),
                    );
                }
            }
            _ => {}
        }
    }

    fn merge(mut self, other: Set) -> Set {
        self.credential_specs.extend(other.credential_specs);
        self.roles.extend(other.roles);
        self.bindings.extend(other.bindings);
        self.pdbs.extend(other.pdbs);
        if let Some(p) = other.prepulled {
            self.prepulled.get_or_insert_with(HashSet::new).extend(p);
        }
        self
    }

    fn finish(mut self) -> Set {
        // One order whatever the threads did.
        self.roles.sort_by(|a, b| {
            (&a.kind, &a.namespace, &a.name).cmp(&(&b.kind, &b.namespace, &b.name))
        });
        self.pdb_index.clear();
        for (i, (ns, m)) in self.pdbs.iter().enumerate() {
            if let Some((k, v)) = m.first() {
                self.pdb_index
                    .entry((ns.clone(), k.clone(), v.clone()))
                    .or_default()
                    .push(i);
            }
        }
        self
    }

    /// Whether a PodDisruptionBudget in `namespace` selects pods with these labels.
    pub fn pdb_covers(&self, namespace: &str, labels: &[(String, String)]) -> bool {
        labels.iter().any(|(k, v)| {
            self.pdb_index
                .get(&(namespace.to_string(), k.clone(), v.clone()))
                .into_iter()
                .flatten()
                .any(|i| {
                    self.pdbs[*i]
                        .1
                        .iter()
                        .all(|(mk, mv)| labels.iter().any(|(pk, pv)| pk == mk && pv == mv))
                })
        })
    }

    /// The roles of one kind and name (a Role's namespace must match).
    pub fn role(&self, kind: &str, name: &str, namespace: &str) -> Option<&RoleFact> {
        self.roles.iter().find(|r| {
            r.kind == kind && r.name == name && (kind == "ClusterRole" || r.namespace == namespace)
        })
    }
}

/// Where the inputs' texts come from: read when a pass needs them, so an audit holds only the
/// files its workers are on.
pub trait Inputs: Sync {
    fn count(&self) -> usize;
    fn name(&self, i: usize) -> String;
    /// The text of input `i`; an error (unreadable, binary) is reported as K8S000.
    fn text(&self, i: usize) -> Result<std::borrow::Cow<'_, str>, String>;
}

impl Inputs for [Input] {
    fn count(&self) -> usize {
        self.len()
    }
    fn name(&self, i: usize) -> String {
        self[i].name.clone()
    }
    fn text(&self, i: usize) -> Result<std::borrow::Cow<'_, str>, String> {
        Ok(std::borrow::Cow::Borrowed(&self[i].text))
    }
}

impl Inputs for Vec<Input> {
    fn count(&self) -> usize {
        self.len()
    }
    fn name(&self, i: usize) -> String {
        self[i].name.clone()
    }
    fn text(&self, i: usize) -> Result<std::borrow::Cow<'_, str>, String> {
        Ok(std::borrow::Cow::Borrowed(&self[i].text))
    }
}

/// The result: the inputs (for snippets) and the findings with the index of their input.
#[derive(Debug, Clone)]
pub struct AuditResult {
    pub sources: Vec<Source>,
    pub findings: Vec<(usize, Finding)>,
    pub documents: usize,
    pub objects: usize,
}

/// The files of a rendered tree (path -> text) whose path starts with `prefix` (`k8s/`), as
/// audit inputs named by their path.
pub fn inputs_under(
    files: &std::collections::BTreeMap<String, String>,
    prefix: &str,
) -> Vec<Input> {
    files
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| Input {
            name: k.clone(),
            text: v.clone(),
        })
        .collect()
}

/// The K8S000 rule's metadata (it is raised by the loader, not by a rule's check).
pub fn k8s000() -> &'static RuleMeta {
    &rules::k8s::k8s000_unparsable_document::K8s000::META
}

/// Audit the inputs. Never fails: unreadable inputs and documents are K8S000 findings.
///
/// Two passes over the inputs, each in parallel over files and over the documents of a file:
/// the first gathers the [`Set`] (parsing only the documents that can add to it), the second
/// parses every document and judges each object. A file's text lives only while a pass is on
/// it; what the result keeps of it is the lines its findings quote (secrets masked), so memory
/// follows the findings, not the input.
pub fn audit<I: Inputs + ?Sized>(inputs: &I, cx: &Context) -> AuditResult {
    let n = inputs.count();
    let set = (0..n)
        .into_par_iter()
        .map(|i| {
            let Ok(text) = inputs.text(i) else {
                return Set::default();
            };
            let text = akswin_diag::normalize_newlines(&text);
            yaml::split(&text)
                .par_iter()
                .filter(|d| SET_KINDS.iter().any(|k| d.text.contains(k)))
                .map(|d| match yaml::parse(d) {
                    Ok(Some(root)) => {
                        let objs = objects::objects(i, d.index, &root, &mut |_, _| {});
                        let mut s = Set::default();
                        for o in &objs {
                            s.add(o);
                        }
                        s
                    }
                    _ => Set::default(),
                })
                .reduce(Set::default, Set::merge)
        })
        .reduce(Set::default, Set::merge)
        .finish();
    let files: Vec<FileResult> = (0..n)
        .into_par_iter()
        .map(|i| judge_file(inputs, i, cx, &set))
        .collect();
    let mut findings: Vec<(usize, Finding)> = Vec::new();
    let mut sources = Vec::with_capacity(n);
    let (mut documents, mut objects) = (0, 0);
    for (i, f) in files.into_iter().enumerate() {
        findings.extend(f.findings.into_iter().map(|x| (i, x)));
        sources.push(f.source);
        documents += f.documents;
        objects += f.objects;
    }
    findings.extend(cx.notes.iter().cloned().map(|f| (usize::MAX, f)));
    AuditResult {
        sources,
        findings,
        documents,
        objects,
    }
}

/// One file's part of the result.
struct FileResult {
    source: Source,
    findings: Vec<Finding>,
    documents: usize,
    objects: usize,
}

fn judge_file<I: Inputs + ?Sized>(inputs: &I, i: usize, cx: &Context, set: &Set) -> FileResult {
    let name = inputs.name(i);
    let text = match inputs.text(i) {
        Ok(t) => t,
        Err(message) => {
            let f = Finding::new("K8S000", Severity::Error, "", message)
                .with_help("audit YAML or JSON manifests; `helm template` renders a chart");
            return FileResult {
                source: Source::new(name, ""),
                findings: vec![f],
                documents: 0,
                objects: 0,
            };
        }
    };
    // Lone CRs are YAML line breaks: normalise once so positions and snippets agree.
    let text = akswin_diag::normalize_newlines(&text);
    let docs = yaml::split(&text);
    let per_doc: Vec<(Vec<Finding>, usize)> = docs
        .par_iter()
        .map(|d| {
            let mut findings = Vec::new();
            let root = match yaml::parse(d) {
                Ok(Some(n)) => n,
                Ok(None) => return (findings, 0),
                Err(e) => {
                    findings.push(
                        Finding::new(
                            "K8S000",
                            Severity::Error,
                            format!("/{}", d.index),
                            format!("document {} does not parse: {}", d.index + 1, e.message),
                        )
                        .with_span(Some(e.span))
                        .with_help("fix the YAML; the other documents were audited"),
                    );
                    return (findings, 0);
                }
            };
            let objs = objects::objects(i, d.index, &root, &mut |_, f| findings.push(f));
            for obj in &objs {
                for r in registry() {
                    let mut out = Out::new(r.meta());
                    r.check(cx, set, obj, &mut out);
                    findings.extend(out.findings);
                }
            }
            (findings, objs.len())
        })
        .collect();
    let objects = per_doc.iter().map(|(_, n)| n).sum();
    let mut findings: Vec<Finding> = per_doc.into_iter().flat_map(|(f, _)| f).collect();
    findings.sort_by(|a, b| {
        a.span
            .map(|s| (s.line, s.col))
            .cmp(&b.span.map(|s| (s.line, s.col)))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup();
    FileResult {
        source: Source::new(name, quoted_lines(&text, &findings)),
        findings,
        documents: docs.len(),
        objects,
    }
}

/// The lines of `text` that findings quote, secrets masked, every other line empty (line
/// numbers stay those of the file): what a view needs of a file once it is audited.
fn quoted_lines(text: &str, findings: &[Finding]) -> String {
    let mut wanted: Vec<u32> = findings
        .iter()
        .filter_map(|f| f.span)
        .flat_map(|s| s.line..=s.end_line.max(s.line).min(s.line + 4))
        .collect();
    if wanted.is_empty() {
        return String::new();
    }
    wanted.sort_unstable();
    wanted.dedup();
    let masked = akswin_spec::secrets::mask(text);
    let last = *wanted.last().unwrap_or(&0);
    let mut out = String::new();
    let mut next = wanted.iter().peekable();
    for (idx, line) in masked.split('\n').enumerate() {
        let no = idx as u32 + 1;
        if no > last {
            break;
        }
        if next.peek() == Some(&&no) {
            next.next();
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}
