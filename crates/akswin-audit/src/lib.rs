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

/// A manifest rule.
pub trait ManifestRule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Judge one object; `set` is everything in the audit (for cross-object rules).
    fn check(&self, cx: &Context, set: &Set<'_>, obj: &Object<'_>, out: &mut Out);
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

/// Everything parsed in one audit, for rules that look across objects. Indexes over the set
/// are built once, on first use, so cross-object rules stay linear in the number of objects.
pub struct Set<'a> {
    pub objects: Vec<Object<'a>>,
    /// Images pulled by pre-pull shaped DaemonSets (None: the set has none).
    pub prepulled: std::sync::OnceLock<Option<std::collections::HashSet<String>>>,
    /// Indexes of the objects of each kind.
    by_kind: std::sync::OnceLock<std::collections::HashMap<String, Vec<usize>>>,
    /// PodDisruptionBudgets by (namespace, first matchLabels key, value).
    pdbs: std::sync::OnceLock<std::collections::HashMap<(String, String, String), Vec<usize>>>,
}

impl<'a> Set<'a> {
    pub fn new(objects: Vec<Object<'a>>) -> Self {
        Set {
            objects,
            prepulled: std::sync::OnceLock::new(),
            by_kind: std::sync::OnceLock::new(),
            pdbs: std::sync::OnceLock::new(),
        }
    }

    /// Whether a PodDisruptionBudget in `namespace` selects pods with these labels.
    pub fn pdb_covers(&self, namespace: &str, labels: &[(String, String)]) -> bool {
        let idx = self.pdbs.get_or_init(|| {
            let mut m: std::collections::HashMap<(String, String, String), Vec<usize>> =
                std::collections::HashMap::new();
            for (i, o) in self
                .objects
                .iter()
                .enumerate()
                .filter(|(_, o)| o.kind == "PodDisruptionBudget")
            {
                let first = o
                    .node
                    .path(&["spec", "selector", "matchLabels"])
                    .and_then(|m| m.entries().first())
                    .and_then(|(k, _, v)| Some((k.clone(), v.str()?.to_string())));
                if let Some((k, v)) = first {
                    m.entry((o.namespace.clone(), k, v)).or_default().push(i);
                }
            }
            m
        });
        labels.iter().any(|(k, v)| {
            idx.get(&(namespace.to_string(), k.clone(), v.clone()))
                .into_iter()
                .flatten()
                .any(|i| {
                    let m = self.objects[*i]
                        .node
                        .path(&["spec", "selector", "matchLabels"])
                        .map(yaml::Node::entries)
                        .unwrap_or_default();
                    m.iter().all(|(mk, _, mv)| {
                        labels
                            .iter()
                            .any(|(pk, pv)| pk == mk && Some(pv.as_str()) == mv.str())
                    })
                })
        })
    }

    /// The objects of one kind.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &Object<'a>> {
        let idx = self.by_kind.get_or_init(|| {
            let mut m: std::collections::HashMap<String, Vec<usize>> =
                std::collections::HashMap::new();
            for (i, o) in self.objects.iter().enumerate() {
                m.entry(o.kind.clone()).or_default().push(i);
            }
            m
        });
        idx.get(kind)
            .into_iter()
            .flatten()
            .map(move |i| &self.objects[*i])
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

/// Audit the inputs. Never fails: unreadable documents are K8S000 findings.
pub fn audit(inputs: &[Input], cx: &Context) -> AuditResult {
    // Lone CRs are YAML line breaks: normalise once so positions and snippets agree.
    let normalized: Vec<Input> = inputs
        .iter()
        .map(|i| Input {
            name: i.name.clone(),
            text: akswin_diag::normalize_newlines(&i.text).into_owned(),
        })
        .collect();
    let inputs = &normalized[..];
    // Split every file into documents, then parse all documents in parallel.
    let docs: Vec<(usize, yaml::RawDoc<'_>)> = inputs
        .iter()
        .enumerate()
        .flat_map(|(i, inp)| yaml::split(&inp.text).into_iter().map(move |d| (i, d)))
        .collect();
    let parsed: Vec<(usize, usize, Result<Option<yaml::Node>, yaml::ParseError>)> = docs
        .par_iter()
        .map(|(file, d)| (*file, d.index, yaml::parse(d)))
        .collect();
    let mut findings: Vec<(usize, Finding)> = Vec::new();
    let mut roots: Vec<(usize, usize, yaml::Node)> = Vec::new();
    for (file, doc, r) in parsed {
        match r {
            Ok(Some(n)) => roots.push((file, doc, n)),
            Ok(None) => {}
            Err(e) => {
                let f = Finding::new(
                    "K8S000",
                    Severity::Error,
                    format!("/{doc}"),
                    format!("document {} does not parse: {}", doc + 1, e.message),
                )
                .with_span(Some(e.span))
                .with_help("fix the YAML; the other documents were audited");
                findings.push((file, f));
            }
        }
    }
    let mut objects = Vec::new();
    for (file, doc, root) in &roots {
        objects.extend(objects::objects(*file, *doc, root, &mut |f, fi| {
            findings.push((f, fi))
        }));
    }
    let set = Set::new(objects);
    let more: Vec<(usize, Finding)> = set
        .objects
        .par_iter()
        .flat_map_iter(|obj| {
            let mut all = Vec::new();
            for r in registry() {
                let mut out = Out::new(r.meta());
                r.check(cx, &set, obj, &mut out);
                all.extend(out.findings.into_iter().map(|f| (obj.file, f)));
            }
            all
        })
        .collect();
    findings.extend(more);
    findings.extend(cx.notes.iter().cloned().map(|f| (usize::MAX, f)));
    findings.sort_by(|(fa, a), (fb, b)| {
        fa.cmp(fb)
            .then_with(|| {
                a.span
                    .map(|s| (s.line, s.col))
                    .cmp(&b.span.map(|s| (s.line, s.col)))
            })
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup();
    AuditResult {
        sources: inputs
            .iter()
            .map(|i| Source::new(&i.name, &i.text))
            .collect(),
        findings,
        documents: docs.len(),
        objects: set.objects.len(),
    }
}
