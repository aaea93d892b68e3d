//! `render --plan plan.json` renders from the artifact alone, byte for byte what `render SPEC`
//! renders, for every golden scenario and for generated variations of the baseline.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use akswin_pipeline::artifact::{ARTIFACT_SCHEMA_VERSION, PlanArtifact, render_artifact};
use proptest::prelude::*;
use std::path::Path;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date")
}

/// Check a spec; when clean, the artifact round trip through JSON must render the same tree.
/// `Ok(true)`: compared; `Ok(false)`: check refused (nothing to compare).
fn round_trip(name: &str, text: &str) -> Result<bool, String> {
    let Ok(loaded) = akswin_spec::load(name, text.as_bytes()) else {
        return Ok(false);
    };
    let checked = akswin_pipeline::check(&loaded, today(), "test");
    let Some(direct) = checked.tree.clone() else {
        return Ok(false);
    };
    let a = PlanArtifact::new(&loaded, &checked, today(), serde_json::json!({}), "test");
    let json = serde_json::to_string_pretty(&a).map_err(|e| e.to_string())?;
    let back = PlanArtifact::from_json(&json)?;
    if back.has_errors() {
        return Err("a clean check wrote an artifact with errors".into());
    }
    let from_plan = render_artifact(&back, "test").map_err(|f| format!("{f:#?}"))?;
    if from_plan.files.keys().ne(direct.files.keys()) {
        return Err(format!(
            "{name}: files differ: {:?} vs {:?}",
            from_plan.files.keys().collect::<Vec<_>>(),
            direct.files.keys().collect::<Vec<_>>()
        ));
    }
    for (k, v) in &direct.files {
        if from_plan.files[k] != *v {
            return Err(format!("{name}: {k} differs when rendered from the plan"));
        }
    }
    Ok(true)
}

#[test]
fn every_scenario_renders_the_same_from_its_plan() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../akswin-render/tests/scenarios");
    let mut specs = vec![(
        "baseline".to_string(),
        akswin_spec::BASELINE_YAML.to_string(),
    )];
    for e in std::fs::read_dir(dir).expect("scenarios") {
        let p = e.expect("entry").path();
        specs.push((
            p.display().to_string(),
            std::fs::read_to_string(&p).expect("read"),
        ));
    }
    let mut compared = 0;
    for (name, text) in specs {
        if round_trip(&name, &text).unwrap_or_else(|e| panic!("{e}")) {
            compared += 1;
        }
    }
    assert!(compared >= 3, "{compared}");
}

#[test]
fn artifacts_of_another_version_or_with_errors_are_refused() {
    let loaded = akswin_spec::load("b", akswin_spec::BASELINE_YAML.as_bytes()).expect("loads");
    let checked = akswin_pipeline::check(&loaded, today(), "test");
    let a = PlanArtifact::new(&loaded, &checked, today(), serde_json::json!({}), "test");
    let mut v = serde_json::to_value(&a).expect("json");
    assert_eq!(v["schemaVersion"], ARTIFACT_SCHEMA_VERSION);
    v["schemaVersion"] = serde_json::json!(1);
    let e = PlanArtifact::from_json(&v.to_string()).expect_err("old version");
    assert!(e.contains("schemaVersion 1"), "{e}");
    assert!(PlanArtifact::from_json("{").is_err());
    assert!(PlanArtifact::from_json("{\"schemaVersion\": 2}").is_err());
    // A spec with errors yields an artifact that says so.
    let bad = akswin_spec::BASELINE_YAML.replace("osSku: Windows2022", "osSku: Windows2019");
    let loaded = akswin_spec::load("b", bad.as_bytes()).expect("loads");
    let checked = akswin_pipeline::check(&loaded, today(), "test");
    let a = PlanArtifact::new(&loaded, &checked, today(), serde_json::json!({}), "test");
    assert!(a.has_errors());
}

/// The spec without Front Door (`frontDoor: null`).
fn without_front_door(text: &str) -> String {
    let a = text.find("  frontDoor:\n").expect("frontDoor");
    let b = text.find("  appProxy:").expect("appProxy");
    format!("{}  frontDoor: null\n{}", &text[..a], &text[b..])
}

#[test]
fn variations_are_compared_not_skipped() {
    let mut compared = 0;
    for cni in ["azure-cni-node-subnet", "azure-cni-overlay"] {
        for fd in [true, false] {
            let mut text = akswin_spec::BASELINE_YAML
                .replace("cni: azure-cni-node-subnet", &format!("cni: {cni}"));
            if cni == "azure-cni-overlay" {
                text = text.replace("podCidr: null", "podCidr: 192.168.0.0/16");
            }
            if !fd {
                text = without_front_door(&text);
            }
            if round_trip(cni, &text).unwrap_or_else(|e| panic!("{e}")) {
                compared += 1;
            }
        }
    }
    assert!(
        compared >= 3,
        "only {compared} of 4 variations passed check"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn generated_specs_render_the_same_from_their_plan(
        cni in prop::sample::select(vec!["azure-cni-node-subnet", "azure-cni-overlay"]),
        surge in prop::sample::select(vec![", maxSurge: \"33%\"", ""]),
        win_max in 2u32..40,
        replicas in 1u32..6,
        front_door in any::<bool>(),
        dcs in prop::sample::select(vec![1u32, 2, 3]),
    ) {
        let mut text = akswin_spec::BASELINE_YAML
            .replace(", maxSurge: \"33%\"", surge)
            .replace("min: 2, max: 8,", &format!("min: 2, max: {win_max},"))
            .replace("replicas: 3", &format!("replicas: {replicas}"))
            .replace("count: 2\n      vmSize: Standard_D2ds_v5", &format!("count: {dcs}\n      vmSize: Standard_D2ds_v5"));
        text = text.replace("cni: azure-cni-node-subnet", &format!("cni: {cni}"));
        if cni == "azure-cni-overlay" {
            text = text.replace("podCidr: null", "podCidr: 192.168.0.0/16");
        }
        if !front_door {
            text = without_front_door(&text);
        }
        if let Err(e) = round_trip("generated", &text) {
            prop_assert!(false, "{e}");
        }
    }
}
