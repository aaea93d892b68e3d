//! The pinned reference set: `conformance/reference.lock.csv` is well-formed, the derived files
//! shipped in the repository match it, and so does the reference directory the tests use.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use sha2::{Digest, Sha256};
use std::path::Path;

fn lock() -> Vec<(String, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance");
    let text = std::fs::read_to_string(root.join("reference.lock.csv")).expect("lock file");
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line == "path,url,sha256" {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 3, "line {}: {line}", i + 1);
        assert_eq!(f[2].len(), 64, "line {}: not a SHA-256", i + 1);
        assert!(
            f[1].is_empty() || f[1].starts_with("https://"),
            "line {}: {}",
            i + 1,
            f[1]
        );
        rows.push((f[0].to_string(), f[1].to_string(), f[2].to_string()));
    }
    rows
}

fn sha256(p: &Path) -> String {
    let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn derived_files_in_the_repository_match_the_lock() {
    let rows = lock();
    assert!(rows.len() > 150, "{} rows", rows.len());
    let derived = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/derived");
    let mut n = 0;
    for (path, url, sha) in &rows {
        if url.is_empty() {
            assert_eq!(&sha256(&derived.join(path)), sha, "{path}");
            n += 1;
        }
    }
    assert!(n >= 4, "{n} derived files");
}

#[test]
fn the_reference_directory_is_the_pinned_one() {
    let Some(dir) = akswin_testkit::reference(".", "reference set integrity") else {
        return;
    };
    for (path, _, sha) in lock() {
        assert_eq!(sha256(&dir.join(&path)), sha, "{path}");
    }
}
