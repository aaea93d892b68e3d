//! Registry-wide tests and the fixture driver.
//!
//! Fixtures live in `tests/fixtures/<CODE>/{pass,fail}_*.yaml`. Lines that must carry a finding
//! of CODE end with `# expect: CODE`; the driver asserts that findings of that code fire on
//! exactly those lines (pass fixtures: on none). Other rules may fire; they are not judged here.

#![allow(clippy::expect_used, clippy::unwrap_used)] // helpers outside #[test] fns

use akswin_rules::{Date, check, registry};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const TODAY: &str = "2026-11-26";

fn today() -> Date {
    Date::parse_from_str(TODAY, "%Y-%m-%d").expect("valid date")
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load(path: &Path) -> akswin_spec::Loaded {
    let bytes = std::fs::read(path).expect("fixture readable");
    match akswin_spec::load(&path.display().to_string(), &bytes) {
        Ok(l) => l,
        Err(e) => panic!("{} does not load: {:?}", path.display(), e.findings),
    }
}

/// Every fixture, grouped by rule code.
fn fixtures() -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(fixtures_dir()).expect("fixtures dir") {
        let entry = entry.expect("entry");
        if !entry.path().is_dir() {
            continue;
        }
        let code = entry.file_name().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(entry.path())
            .expect("code dir")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        out.insert(code, files);
    }
    out
}

/// The rule areas: the folders under `src/rules`.
fn areas() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    std::fs::read_dir(root)
        .expect("rules dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn codes_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for r in registry() {
        let m = r.meta();
        assert!(seen.insert(m.code), "duplicate code {}", m.code);
        let prefix: String = m
            .code
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        let digits = &m.code[prefix.len()..];
        // The areas are the folders under src/rules (derived, so a new area needs no edit here).
        assert!(
            areas().contains(&prefix.to_ascii_lowercase()),
            "{}: no area folder src/rules/{}",
            m.code,
            prefix.to_ascii_lowercase()
        );
        assert_eq!(digits.len(), 3, "{}", m.code);
        assert!(
            m.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
            "{}: name `{}` must be kebab-case",
            m.code,
            m.name
        );
    }
    let codes: Vec<&str> = registry().iter().map(|r| r.meta().code).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted, "ALL must list rules in code order");
}

#[test]
fn every_rule_file_is_registered_in_its_area_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let mut files = BTreeSet::new();
    for area in std::fs::read_dir(&root).expect("rules dir") {
        let area = area.expect("entry").path();
        if !area.is_dir() {
            continue;
        }
        let area_name = area
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for f in std::fs::read_dir(&area).expect("area dir") {
            let name = f.expect("entry").file_name().to_string_lossy().into_owned();
            if name == "mod.rs" {
                continue;
            }
            let code = name.split('_').next().unwrap_or("").to_ascii_uppercase();
            assert!(
                code.to_ascii_lowercase().starts_with(&area_name),
                "{name} is in folder {area_name}"
            );
            files.insert(code);
        }
    }
    let registered: BTreeSet<String> = registry()
        .iter()
        .map(|r| r.meta().code.to_string())
        .collect();
    assert_eq!(files, registered, "rule files and registered rules differ");
}

#[test]
fn every_rule_is_documented() {
    for r in registry() {
        let m = r.meta();
        let doc = akswin_rules::doc_text(m);
        for section in [
            "## What it checks",
            "## Why it matters",
            "## How to fix",
            "## References",
        ] {
            assert!(doc.contains(section), "{} lacks `{section}`", m.code);
        }
        assert!(!m.summary.is_empty(), "{}", m.code);
    }
}

#[test]
fn every_rule_has_pass_and_fail_fixtures_and_every_fixture_a_rule() {
    let fx = fixtures();
    for r in registry() {
        let code = r.meta().code;
        let files = fx
            .get(code)
            .unwrap_or_else(|| panic!("{code} has no fixtures"));
        let name = |p: &PathBuf| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        assert!(
            files.iter().any(|p| name(p).starts_with("pass_")),
            "{code} has no pass fixture"
        );
        assert!(
            files.iter().any(|p| name(p).starts_with("fail_")),
            "{code} has no fail fixture"
        );
        for p in files {
            let n = name(p);
            assert!(
                (n.starts_with("pass_") || n.starts_with("fail_")) && n.ends_with(".yaml"),
                "{}: fixtures are pass_*.yaml or fail_*.yaml",
                p.display()
            );
        }
    }
    for code in fx.keys() {
        assert!(
            akswin_rules::rule(code).is_some(),
            "fixture folder {code} names no rule"
        );
    }
}

#[test]
fn fixtures_fire_on_exactly_the_marked_lines() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (code, files) in fixtures() {
        for path in files {
            count += 1;
            let text = std::fs::read_to_string(&path).expect("readable");
            let marker = format!("# expect: {code}");
            let expected: BTreeSet<u32> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains(&marker))
                .map(|(i, _)| i as u32 + 1)
                .collect();
            let is_fail = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("fail_"));
            if is_fail == expected.is_empty() {
                failures.push(format!(
                    "{}: fail fixtures need `{marker}` lines, pass fixtures none",
                    path.display()
                ));
                continue;
            }
            let loaded = load(&path);
            let found: BTreeSet<u32> = check(&loaded, today())
                .iter()
                .filter(|f| f.code == code)
                .map(|f| f.span.map_or(0, |s| s.line))
                .collect();
            if found != expected {
                let msgs: Vec<String> = check(&loaded, today())
                    .iter()
                    .filter(|f| f.code == code)
                    .map(|f| {
                        format!(
                            "{}:{} {}",
                            f.span.map_or(0, |s| s.line),
                            f.pointer,
                            f.message
                        )
                    })
                    .collect();
                failures.push(format!(
                    "{}: expected lines {expected:?}, found {found:?}: {msgs:?}",
                    path.display()
                ));
            }
        }
    }
    assert!(count > 80, "only {count} fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fixture_base_and_baseline_check_clean() {
    // COST001 (information) is expected: both leave Azure Hybrid Benefit off on purpose, because
    // turning it on without eligible licences is a licensing violation. ID005 (information) too:
    // both build a new forest, a test environment. ING009 (information) for the baseline: it
    // cannot know the tenant's emergency access group, nor MON004 (information) its on-call
    // action group. WRK004 (information) for their Windows workload: whether its image carries
    // LogMonitor is the team's to say (a LogMonitor entry point without it never starts).
    // Nothing else may fire.
    let not_cost001 = |f: Vec<akswin_diag::Finding>| -> Vec<akswin_diag::Finding> {
        f.into_iter()
            .filter(|f| {
                f.code != "COST001"
                    && f.code != "ID005"
                    && !(f.code == "ING009" && f.severity == akswin_diag::Severity::Info)
                    && !(f.code == "MON004" && f.severity == akswin_diag::Severity::Info)
                    && !(f.code == "WRK004" && f.severity == akswin_diag::Severity::Info)
            })
            .collect()
    };
    let base = load(&fixtures_dir().join("base.yaml"));
    let f = check(&base, today());
    assert!(f.iter().any(|f| f.code == "COST001"), "{f:?}");
    let f = not_cost001(f);
    assert!(f.is_empty(), "fixture base: {f:?}");
    let baseline = akswin_spec::load(
        akswin_spec::BASELINE_NAME,
        akswin_spec::BASELINE_YAML.as_bytes(),
    )
    .expect("baseline loads");
    let f = not_cost001(check(&baseline, today()));
    assert!(f.is_empty(), "baseline: {f:?}");
}

#[test]
fn literal_secrets_never_reach_findings() {
    let dir = fixtures_dir();
    for (file, secret) in [
        (
            "POOL009/fail_literal_password.yaml",
            "Sup3r-Secret-Literal!",
        ),
        ("ID004/fail_literal_dc_password.yaml", "Literal-Passw0rd!"),
        (
            "ID004/fail_credential_as_secret_name.yaml",
            "Hunter2-Literal",
        ),
    ] {
        let loaded = load(&dir.join(file));
        let all = format!("{:?} {:?}", check(&loaded, today()), loaded.spec);
        assert!(!all.contains(secret), "{file}: secret leaked");
        let json = serde_json::to_string(&loaded.spec).expect("serialises");
        assert!(!json.contains(secret), "{file}: secret in JSON");
    }
}
