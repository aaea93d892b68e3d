//! akswin's own audit reports nothing on the manifests akswin renders, with the scenario's
//! spec as cluster context (pools, version, allowed registries).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

#[test]
fn akswin_audit_finds_nothing_in_what_akswin_renders() {
    for (name, text) in common::scenario_specs() {
        let spec = common::load(&text);
        let plan = akswin_plan::plan(&spec);
        let tree = akswin_render::render(&spec, &plan, "test");
        let inputs = akswin_audit::inputs_under(&tree.files, "k8s/");
        assert!(!inputs.is_empty(), "{name}: no manifests");
        let cx = akswin_audit::Context::from_spec(&spec).finish();
        let r = akswin_audit::audit(&inputs, &cx);
        assert!(r.objects > 0);
        let found: Vec<String> = r
            .findings
            .iter()
            .map(|(i, f)| {
                format!(
                    "{} {}:{:?} {}",
                    f.code,
                    r.sources.get(*i).map_or("-", |s| s.name.as_str()),
                    f.span.map(|s| s.line),
                    f.message
                )
            })
            .collect();
        assert!(found.is_empty(), "{name}: {found:#?}");
    }
}
