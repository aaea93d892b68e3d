//! akswin-audit owns `akswin audit`: loading Kubernetes manifests (files, directories, stdin,
//! multi-document YAML, JSON, `kind: List`, Helm output) with a position on every node, and
//! the manifest rules (K8S000-K8S002, WIN001-WIN018) that judge them, in parallel.
//!
//! Input it cannot read becomes a finding (K8S000) and the audit goes on. It must not print,
//! walk directories or decide exit codes (the CLI does).

pub mod context;
pub mod names;
pub mod objects;
pub mod placement;
mod rules;
pub mod yaml;

pub use context::{Context, Pool};
pub use objects::Object;

use akswin_diag::{Finding, RuleMeta, Severity, Source, Span};
use akswin_spec::waivers;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// A manifest rule.
pub trait ManifestRule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Judge one object. A judgement that needs the whole audit (another object of the set)
    /// is deferred with [`Out::defer`] and made once every file has been read.
    fn check(&self, cx: &Context, obj: &Object<'_>, out: &mut Out);
}

/// A judgement made once the whole [`Set`] is known: the span it may report at (its line
/// is kept for the snippet) and the judgement itself, which owns what it needs of the object.
pub struct Deferred {
    meta: &'static RuleMeta,
    span: Span,
    judge: Judgement,
}

/// A deferred judgement's body.
type Judgement = Box<dyn FnOnce(&Set, &mut Out) + Send>;

/// Findings of one rule on one object; the file is the object's.
pub struct Out {
    meta: &'static RuleMeta,
    pub findings: Vec<Finding>,
    pub deferred: Vec<Deferred>,
}

impl Out {
    pub fn new(meta: &'static RuleMeta) -> Self {
        Out {
            meta,
            findings: Vec::new(),
            deferred: Vec::new(),
        }
    }
    /// Judge later, against the whole set; `span` is where a finding would point.
    pub fn defer(&mut self, span: Span, judge: impl FnOnce(&Set, &mut Out) + Send + 'static) {
        self.deferred.push(Deferred {
            meta: self.meta,
            span,
            judge: Box::new(judge),
        });
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

/// What rules that look across objects need to know of the whole audit (gMSA credential
/// specs, roles and bindings, PodDisruptionBudgets, pre-pull DaemonSets), gathered from every
/// object as it is judged and kept as these facts alone: the objects themselves are dropped
/// with their file, so memory does not grow with the input.
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

impl Set {
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
                let m = objects::pairs(o.node.path(&["spec", "selector", "matchLabels"]));
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

/// In memory: a slice, an array or a vector of inputs.
impl<T: AsRef<[Input]> + Sync + ?Sized> Inputs for T {
    fn count(&self) -> usize {
        self.as_ref().len()
    }
    fn name(&self, i: usize) -> String {
        self.as_ref()[i].name.clone()
    }
    fn text(&self, i: usize) -> Result<std::borrow::Cow<'_, str>, String> {
        Ok(std::borrow::Cow::Borrowed(&self.as_ref()[i].text))
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
/// One pass, in parallel over files and over the documents of a file: each document is
/// parsed once, its objects judged, and what cross-object rules need is kept as facts (the
/// [`Set`]); their judgements are deferred until every file is read. A file's text lives only
/// while the pass is on it; what the result keeps of it is the lines its findings (and
/// deferred judgements) may quote, secrets masked, so memory follows the findings, not the
/// input.
pub fn audit<I: Inputs + ?Sized>(inputs: &I, cx: &Context) -> AuditResult {
    let n = inputs.count();
    let files: Vec<FileResult> = (0..n)
        .into_par_iter()
        .map(|i| judge_file(inputs, i, cx))
        .collect();
    let mut set = Set::default();
    let mut findings: Vec<(usize, Finding)> = Vec::new();
    let mut sources = Vec::with_capacity(n);
    let mut deferred = Vec::new();
    let (mut documents, mut objects) = (0, 0);
    let mut per_file = Vec::with_capacity(n);
    for f in files {
        set = set.merge(f.facts);
        sources.push(f.source);
        documents += f.documents;
        objects += f.objects;
        deferred.push((f.deferred, f.waivers));
        per_file.push(f.findings);
    }
    let set = set.finish();
    let per_file: Vec<Vec<Finding>> = per_file
        .into_par_iter()
        .zip(deferred)
        .map(|(mut found, (deferred, waived))| {
            if deferred.is_empty() && waived.is_none() {
                return found;
            }
            for d in deferred {
                let mut out = Out::new(d.meta);
                (d.judge)(&set, &mut out);
                found.extend(out.findings);
            }
            if let (Some((w, m)), Some(today)) = (waived, cx.today) {
                let own = waivers::apply_parsed(w, m, &mut found, today, "WVR001");
                found.extend(own);
            }
            sort_findings(&mut found);
            found
        })
        .collect();
    for (i, found) in per_file.into_iter().enumerate() {
        findings.extend(found.into_iter().map(|x| (i, x)));
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
    deferred: Vec<Deferred>,
    /// Waivers written in the file, applied once its deferred judgements are made.
    waivers: Option<(Vec<waivers::Waiver>, Vec<waivers::Malformed>)>,
    facts: Set,
    documents: usize,
    objects: usize,
}

fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        a.span
            .map(|s| (s.line, s.col))
            .cmp(&b.span.map(|s| (s.line, s.col)))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup();
}

fn judge_file<I: Inputs + ?Sized>(inputs: &I, i: usize, cx: &Context) -> FileResult {
    let name = inputs.name(i);
    let text = match inputs.text(i) {
        Ok(t) => t,
        Err(message) => {
            let f = Finding::new("K8S000", Severity::Error, "", message)
                .with_help("audit YAML or JSON manifests; `helm template` renders a chart");
            return FileResult {
                source: Source::new(name, ""),
                findings: vec![f],
                deferred: Vec::new(),
                waivers: None,
                facts: Set::default(),
                documents: 0,
                objects: 0,
            };
        }
    };
    // Lone CRs are YAML line breaks: normalise once so positions and snippets agree.
    let text = akswin_diag::normalize_newlines(&text);
    let docs = yaml::split(&text);
    let per_doc: Vec<(Vec<Finding>, Vec<Deferred>, Set, usize)> = docs
        .par_iter()
        .map(|d| {
            let mut findings = Vec::new();
            let mut deferred = Vec::new();
            let mut facts = Set::default();
            let root = match yaml::parse(d) {
                Ok(Some(n)) => n,
                Ok(None) => return (findings, deferred, facts, 0),
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
                    return (findings, deferred, facts, 0);
                }
            };
            let objs = objects::objects(i, d.index, &root, &mut |_, f| findings.push(f));
            for obj in &objs {
                facts.add(obj);
                for r in registry() {
                    let mut out = Out::new(r.meta());
                    r.check(cx, obj, &mut out);
                    findings.extend(out.findings);
                    deferred.extend(out.deferred);
                }
            }
            (findings, deferred, facts, objs.len())
        })
        .collect();
    let mut findings = Vec::new();
    let mut deferred = Vec::new();
    let mut facts = Set::default();
    let mut objects = 0;
    for (f, d, s, n) in per_doc {
        findings.extend(f);
        deferred.extend(d);
        facts = facts.merge(s);
        objects += n;
    }
    sort_findings(&mut findings);
    // Waivers in the file (`# akswin: allow ...`), read only when a day to judge them is given.
    let waivers = cx
        .today
        .filter(|_| text.contains("akswin:"))
        .map(|_| waivers::parse(&text));
    let spans: Vec<Span> = findings
        .iter()
        .filter_map(|f| f.span)
        .chain(deferred.iter().map(|d| d.span))
        .chain(
            waivers
                .iter()
                .flat_map(|(w, m)| w.iter().map(|w| w.at).chain(m.iter().map(|m| m.at))),
        )
        .collect();
    FileResult {
        source: Source::new(name, quoted_lines(&text, &spans)),
        findings,
        deferred,
        waivers,
        facts,
        documents: docs.len(),
        objects,
    }
}

/// The lines of `text` at `spans` (what findings quote), secrets masked, every other line
/// empty (line numbers stay those of the file): what a view needs of a file once it is
/// audited.
fn quoted_lines(text: &str, spans: &[Span]) -> String {
    let mut wanted: Vec<u32> = spans
        .iter()
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
