//! Pre-pull that follows the workloads (issue 17, item 4): with `scaling.prepull.enabled`, the
//! DaemonSet of each Windows version caches every Windows workload's image on a pool of that
//! version, without listing it in `scaling.prepull.images`; and `akswin audit` (WIN015) finds
//! every rendered Windows workload covered.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

fn images(yaml: &str) -> Vec<String> {
    let docs: Vec<serde_json::Value> = yaml
        .split("\n---\n")
        .map(|d| serde_saphyr::from_str(d).unwrap())
        .collect();
    docs.iter()
        .filter(|d| d["kind"] == "DaemonSet")
        .flat_map(|d| {
            d["spec"]["template"]["spec"]["initContainers"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|c| c["image"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_windows_workload_is_prepulled_on_its_windows_version() {
    let text = akswin_spec::BASELINE_YAML.replacen(
        "  prepull: { enabled: true, images: [legacyweb] }",
        "  prepull: { enabled: true }",
        1,
    );
    assert_ne!(
        text,
        akswin_spec::BASELINE_YAML,
        "the baseline pre-pulls legacyweb"
    );
    let spec = common::load(&text);
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    let windows: Vec<&akswin_spec::spec::Workload> = spec
        .workloads
        .iter()
        .filter(|w| w.os == akswin_spec::spec::Os::Windows)
        .collect();
    assert!(!windows.is_empty());
    for w in &windows {
        let pool = akswin_plan::resolve::workload_pool(&spec, w).unwrap();
        let file = format!(
            "k8s/prepull-{}.yaml",
            pool.os_sku().as_str().to_ascii_lowercase()
        );
        let r = akswin_plan::resolve::image_ref(&spec, &w.image);
        assert!(images(&tree.files[&file]).contains(&r), "{file} lacks {r}");
    }
    // The rendered set audits clean for WIN015: every Windows workload's image is covered.
    let inputs: Vec<akswin_audit::Input> = tree
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("k8s/") && p.ends_with(".yaml"))
        .map(|(p, t)| akswin_audit::Input {
            name: p.clone(),
            text: t.clone(),
        })
        .collect();
    let cx = akswin_audit::Context::from_spec(&spec).finish();
    let result = akswin_audit::audit(&inputs[..], &cx);
    let win015: Vec<String> = result
        .findings
        .iter()
        .filter(|(_, f)| f.code == "WIN015")
        .map(|(_, f)| f.message.clone())
        .collect();
    assert!(win015.is_empty(), "{win015:?}");
}

#[test]
fn prepull_off_renders_no_daemonset() {
    let text = akswin_spec::BASELINE_YAML.replacen(
        "  prepull: { enabled: true, images: [legacyweb] }",
        "  prepull: { enabled: false }",
        1,
    );
    let spec = common::load(&text);
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    assert!(!tree.files.keys().any(|k| k.contains("prepull")));
}
