//! Scenarios shared by the render tests: the baseline and the specs in tests/scenarios/.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;

pub fn load(text: &str) -> akswin_spec::Spec {
    akswin_spec::load("scenario", text.as_bytes())
        .map(|l| l.spec)
        .unwrap_or_else(|e| panic!("{:?}", e.findings))
}

/// (name, spec text)
pub fn scenario_specs() -> Vec<(String, String)> {
    let mut out = vec![(
        "baseline".to_string(),
        akswin_spec::BASELINE_YAML.to_string(),
    )];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for f in files {
        let name = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((name, std::fs::read_to_string(&f).expect("read")));
    }
    out
}

pub fn scenarios() -> Vec<(String, akswin_render::Tree)> {
    scenario_specs()
        .into_iter()
        .map(|(name, text)| {
            let spec = load(&text);
            let plan = akswin_plan::plan(&spec);
            (name, akswin_render::render(&spec, &plan, "test"))
        })
        .collect()
}
