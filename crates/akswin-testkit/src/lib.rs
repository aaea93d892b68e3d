//! Test support: the third-party reference data (official ARM schemas, the SARIF and GitHub
//! workflow schemas, Bicep resource types) that conformance tests validate akswin's output
//! against. The data is not part of the repository; tests find it here:
//!
//! 1. `AKSWIN_REFERENCE_DIR`, when set (`.ci/run` sets it; `scripts/fetch-reference.sh DIR`
//!    assembles such a directory);
//! 2. otherwise the test skips the conformance check and says so on the terminal (uncaptured,
//!    so `cargo test` lists what it skipped), unless `AKSWIN_REQUIRE_REFERENCE` is set, when a
//!    missing directory or file fails the test instead.
//!
//! `scripts/fetch-reference.sh DIR` downloads the pinned files and checks their SHA-256.

use std::io::Write;
use std::path::PathBuf;

/// The environment variable that names the reference directory.
pub const REFERENCE_ENV: &str = "AKSWIN_REFERENCE_DIR";
/// Set (to anything) to make a missing reference a failure rather than a skip.
pub const REQUIRE_ENV: &str = "AKSWIN_REQUIRE_REFERENCE";

/// The reference directory named by `AKSWIN_REFERENCE_DIR`, if set.
pub fn reference_dir() -> Option<PathBuf> {
    std::env::var_os(REFERENCE_ENV)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// The reference file or folder `rel` (e.g. `sarif/sarif-schema-2.1.0.json`) for the check
/// described by `what`, or `None` after printing `skipped: <what>` when it is not available.
///
/// # Panics
/// When `AKSWIN_REQUIRE_REFERENCE` is set and the path does not exist: CI must not skip.
pub fn reference(rel: &str, what: &str) -> Option<PathBuf> {
    let found = reference_dir().map(|d| d.join(rel)).filter(|p| p.exists());
    if found.is_none() {
        let why = match reference_dir() {
            Some(d) => format!("{} has no {rel}", d.display()),
            None => format!("no reference data: {REFERENCE_ENV} is unset"),
        };
        if std::env::var_os(REQUIRE_ENV).is_some() {
            panic!("{what}: {why}, and {REQUIRE_ENV} is set");
        }
        // Written to the real stderr, not the test harness's capture: the run shows it.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: {what} ({why}; see scripts/fetch-reference.sh)"
        );
    }
    found
}
