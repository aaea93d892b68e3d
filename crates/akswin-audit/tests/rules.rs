//! Manifest rules: registry-wide checks and the fixture driver.
//!
//! Fixtures: `tests/fixtures/<CODE>/{pass,fail}_*.yaml`; lines ending `# expect: CODE` must
//! carry a finding of CODE, and no other line may. Header comments set the context:
//! `# context: spec` (pools, version and registries of tests/fixtures/context.yaml),
//! `# context: spec-mixed` (context-mixed.yaml: Windows2022 and Windows2025 pools, a tainted
//! Linux pool),
//! `# k8s-version: 1.35`, `# allowed-registry: HOST`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use akswin_audit::{Context, Input, audit, registry};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[path = "support/fixture_context.rs"]
mod fixture_context;

fn context_for(text: &str) -> Context {
    fixture_context::context_for(text, &dir()).expect("fixture context")
}

fn fixtures() -> BTreeMap<String, Vec<PathBuf>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir()).expect("fixtures") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&p)
                .expect("dir")
                .map(|e| e.expect("e").path())
                .collect();
            files.sort();
            out.insert(p.file_name().unwrap().to_string_lossy().into_owned(), files);
        }
    }
    out
}

#[test]
fn registry_is_sound() {
    let mut seen = BTreeSet::new();
    for r in registry() {
        let m = r.meta();
        assert!(seen.insert(m.code), "duplicate {}", m.code);
        let doc = akswin_diag::clean_doc(m.doc);
        for s in [
            "## What it checks",
            "## Why it matters",
            "## How to fix",
            "## References",
        ] {
            assert!(doc.contains(s), "{} lacks {s}", m.code);
        }
        assert!(
            akswin_rules::rule(m.code).is_none(),
            "{} clashes with a spec rule",
            m.code
        );
    }
    let expected: Vec<String> = std::iter::once("K8S000".to_string())
        .chain(std::iter::once("K8S001".to_string()))
        .chain(std::iter::once("K8S002".to_string()))
        .chain((1..=25).map(|i| format!("WIN{i:03}")))
        .collect();
    let codes: Vec<String> = registry()
        .iter()
        .map(|r| r.meta().code.to_string())
        .collect();
    assert_eq!(codes, expected);
    // every rule file is registered, in its area folder
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let mut files = BTreeSet::new();
    for area in ["k8s", "win"] {
        for f in std::fs::read_dir(root.join(area)).expect("area") {
            let n = f.expect("e").file_name().to_string_lossy().into_owned();
            if n != "mod.rs" {
                let code = n.split('_').next().unwrap().to_ascii_uppercase();
                assert!(code.to_ascii_lowercase().starts_with(area));
                files.insert(code);
            }
        }
    }
    assert_eq!(files, codes.into_iter().collect::<BTreeSet<_>>());
}

#[test]
fn every_rule_has_fixtures_and_they_fire_on_exactly_the_marked_lines() {
    let fx = fixtures();
    let mut failures = Vec::new();
    for r in registry() {
        let code = r.meta().code;
        let files = fx
            .get(code)
            .unwrap_or_else(|| panic!("{code} has no fixtures"));
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("pass_")),
            "{code}: no pass fixture"
        );
        assert!(
            names.iter().any(|n| n.starts_with("fail_")),
            "{code}: no fail fixture"
        );
    }
    for (code, files) in fx {
        assert!(
            akswin_audit::rule(&code).is_some(),
            "fixture folder {code} names no rule"
        );
        for path in files {
            let text = std::fs::read_to_string(&path).expect("read");
            let marker = format!("# expect: {code}");
            let expected: BTreeSet<u32> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains(&marker))
                .map(|(i, _)| i as u32 + 1)
                .collect();
            let fail = path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("fail_");
            assert_eq!(
                fail,
                !expected.is_empty(),
                "{}: marker lines vs fail/pass name",
                path.display()
            );
            let cx = context_for(&text);
            let result = audit(
                &[Input {
                    name: path.display().to_string(),
                    text: text.clone(),
                }][..],
                &cx,
            );
            let found: BTreeSet<u32> = result
                .findings
                .iter()
                .filter(|(i, f)| *i == 0 && f.code == code)
                .filter_map(|(_, f)| f.span.map(|s| s.line))
                .collect();
            if found != expected {
                let msgs: Vec<String> = result
                    .findings
                    .iter()
                    .filter(|(_, f)| f.code == code)
                    .map(|(_, f)| format!("{:?} {}", f.span.map(|s| s.line), f.message))
                    .collect();
                failures.push(format!(
                    "{}: expected {expected:?}, found {found:?}: {msgs:?}",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn malformed_input_never_stops_the_audit() {
    let inputs = vec![
        Input { name: "a.yaml".into(), text: "a: [\n".into() },
        Input { name: "b.yaml".into(), text: "\u{0}\u{1}binary".into() },
        Input { name: "c.yaml".into(), text: "apiVersion: v1\nkind: Service\nmetadata: { name: s }\nspec: { type: LoadBalancer }\n".into() },
    ];
    let r = audit(&inputs, &Context::default().finish());
    assert!(
        r.findings
            .iter()
            .any(|(i, f)| *i == 0 && f.code == "K8S000")
    );
    assert!(
        r.findings
            .iter()
            .any(|(i, f)| *i == 2 && f.code == "WIN010"),
        "{:?}",
        r.findings
    );
}
