//! The parameters each Constraint (and Azure Policy assignment) passes conform to the schema its
//! ConstraintTemplate declares: Gatekeeper refuses a Constraint whose `spec.parameters` do not
//! validate against the template's `openAPIV3Schema`. Checked with the `jsonschema` crate, for
//! clusters described by an akswin spec, by `az aks show`, and by nothing. The schema itself
//! is structural, as Kubernetes requires of a CRD (every node typed; never `properties` and
//! `additionalProperties` together).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use akswin_admission::{Effect, constraint, constraint_template, exported};
use akswin_audit::Context;
use serde_json::{Value, json};
use std::path::Path;

fn contexts() -> Vec<(&'static str, Context)> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../akswin-audit/tests/fixtures");
    let mut out = vec![("no context", Context::default())];
    for file in ["context.yaml", "context-mixed.yaml"] {
        let text = std::fs::read(fixtures.join(file)).unwrap();
        let loaded = akswin_spec::load(file, &text).unwrap();
        out.push((file, Context::from_spec(&loaded.spec)));
    }
    out.push((
        "az aks show",
        Context::from_aks_show(&json!({
            "currentKubernetesVersion": "1.35.2",
            "agentPoolProfiles": [
                { "name": "system", "osType": "Linux", "osSku": "AzureLinux", "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"] },
                { "name": "win25", "osType": "Windows", "osSku": "Windows2025", "nodeLabels": { "tier": "web" } },
                { "name": "win22", "osType": "Windows" }
            ]
        }))
        .unwrap(),
    ));
    out
}

/// Kubernetes' structural schema rules that a hand-written schema can break.
fn structural(schema: &Value, at: &str, problems: &mut Vec<String>) {
    let Some(obj) = schema.as_object() else {
        problems.push(format!("{at}: not an object"));
        return;
    };
    if obj.get("type").and_then(Value::as_str).is_none() {
        problems.push(format!("{at}: no type"));
    }
    if obj.contains_key("properties") && obj.contains_key("additionalProperties") {
        problems.push(format!(
            "{at}: properties and additionalProperties together"
        ));
    }
    for (k, v) in obj
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        structural(v, &format!("{at}.properties.{k}"), problems);
    }
    for key in ["items", "additionalProperties"] {
        if let Some(v) = obj.get(key).filter(|v| v.is_object()) {
            structural(v, &format!("{at}.{key}"), problems);
        }
    }
}

#[test]
fn every_constraint_validates_against_its_templates_schema() {
    let mut checked = 0;
    let mut with_params = 0;
    for r in exported() {
        let template = constraint_template(&r);
        let schema = &template["spec"]["crd"]["spec"]["validation"]["openAPIV3Schema"];
        let mut problems = Vec::new();
        structural(schema, r.meta.code, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let validator = jsonschema::validator_for(schema).unwrap();
        for (name, cx) in contexts() {
            let c = constraint(&r, &cx, Effect::Deny);
            assert_eq!(c["kind"], template["spec"]["crd"]["spec"]["names"]["kind"]);
            let params = c["spec"].get("parameters").cloned().unwrap_or(json!({}));
            let errors: Vec<String> = validator
                .iter_errors(&params)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{} with {name}: the parameters break the template's schema: {errors:?}",
                r.meta.code
            );
            checked += 1;
            if params.as_object().is_some_and(|p| !p.is_empty()) {
                with_params += 1;
            }
        }
    }
    // every rule under every context, and the parameterised ones really carry values
    assert_eq!(checked, exported().len() * contexts().len());
    assert!(with_params >= 4 * contexts().len());
}

#[test]
fn the_pools_parameter_describes_each_pool_of_the_context() {
    let win004 = exported()
        .into_iter()
        .find(|r| r.meta.code == "WIN004")
        .unwrap();
    let (_, cx) = contexts().remove(3);
    let pools = akswin_admission::parameters(&win004, &cx)
        .remove("pools")
        .unwrap();
    assert_eq!(
        pools,
        json!([
            { "name": "system", "os": "Linux", "osSku": "AzureLinux", "labels": {}, "taints": ["CriticalAddonsOnly=true:NoSchedule"] },
            { "name": "win25", "os": "Windows", "osSku": "Windows2025", "labels": { "tier": "web" }, "taints": [] },
            { "name": "win22", "os": "Windows", "osSku": "Windows2022", "labels": {}, "taints": [] }
        ])
    );
    // without pools the parameter is empty, and the rules judge only what the pod says
    let none = akswin_admission::parameters(&win004, &Context::default());
    assert_eq!(none["pools"], json!([]));
}
