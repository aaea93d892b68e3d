//! Golden trees: the rendered output of every scenario, committed under tests/golden/<scenario>/.
//! Update them with `AKSWIN_UPDATE_GOLDEN=1 cargo test -p akswin-render --test golden`, never by
//! hand; review the diff like code.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn golden_dir(scenario: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(scenario)
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).expect("read"));
            }
        }
    }
    out
}

#[test]
fn rendered_trees_match_the_golden_files() {
    let update = std::env::var_os("AKSWIN_UPDATE_GOLDEN").is_some();
    let mut diffs = Vec::new();
    for (scenario, tree) in common::scenarios() {
        let dir = golden_dir(&scenario);
        if update {
            let _ = std::fs::remove_dir_all(&dir);
            for (rel, text) in &tree.files {
                let p = dir.join(rel);
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                std::fs::write(p, text).expect("write");
            }
            continue;
        }
        let golden = read_tree(&dir);
        if golden != tree.files {
            let keys: Vec<&String> = golden.keys().chain(tree.files.keys()).collect();
            for k in keys {
                if golden.get(k) != tree.files.get(k) {
                    diffs.push(format!("{scenario}/{k}"));
                }
            }
        }
    }
    diffs.dedup();
    assert!(
        diffs.is_empty(),
        "rendered output differs from tests/golden in: {diffs:?}\nIf the change is intended: AKSWIN_UPDATE_GOLDEN=1 cargo test -p akswin-render --test golden"
    );
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    for (name, text) in common::scenario_specs() {
        let spec = common::load(&text);
        let plan = akswin_plan::plan(&spec);
        let a = akswin_render::render(&spec, &plan, "test");
        let b = akswin_render::render(&spec, &plan, "test");
        assert_eq!(a, b, "{name}");
    }
}
