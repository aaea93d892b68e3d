//! Any bytes: the loader returns a spec or input-error findings, never panics; a spec that
//! loads goes through every rule and every output view, which must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let today = akswin_rules::Date::from_ymd(2026, 11, 26);
    match akswin_spec::load("fuzz.yaml", data) {
        Ok(loaded) => {
            let findings = akswin_rules::check(&loaded, today);
            let report = akswin_diag::Report::new(loaded.source.clone(), findings);
            let _ = akswin_diag::render::human(&report, Default::default());
            let _ = akswin_diag::render::sarif(&report, &akswin_rules::metas(), "fuzz");
        }
        Err(e) => {
            assert!(!e.findings.is_empty(), "a load error carries at least one finding");
            let report = akswin_diag::Report::new(e.input, e.findings);
            let _ = akswin_diag::render::human(&report, Default::default());
        }
    }
});
