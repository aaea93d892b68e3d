//! Any bytes as a manifest file: the audit loader splits, parses and judges without panicking,
//! and every finding it reports has a location inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let cx = akswin_audit::Context::default().finish();
    let r = akswin_audit::audit(&[akswin_audit::Input { name: "f.yaml".into(), text }], &cx);
    // positions are in the text as shown (lone CRs normalised to line breaks)
    let lines = r.sources[0].text.split('\n').count() as u32;
    for (i, f) in &r.findings {
        if *i == 0 {
            let s = f.span.expect("findings about the input have a location");
            assert!(s.line >= 1 && s.line <= lines + 1, "line {} of {lines}", s.line);
        }
    }
    let _ = akswin_diag::render::multi_human(&akswin_diag::render::Multi { sources: &r.sources, findings: &r.findings }, Default::default());
});
