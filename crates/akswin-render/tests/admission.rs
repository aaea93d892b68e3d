//! akswin's manifest rules at admission in `main.json` (issue 17): one custom definition per
//! enforced rule and the initiative at subscription scope, the cluster's deployment after
//! them, and the initiative assigned to the cluster with the effects of `policy.admission`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use serde_json::Value;

fn find<'a>(v: &'a Value, ty: &str, out: &mut Vec<&'a Value>) {
    for r in v["resources"].as_array().into_iter().flatten() {
        if r["type"] == ty {
            out.push(r);
        }
        if r["type"] == "Microsoft.Resources/deployments" {
            find(&r["properties"]["template"], ty, out);
        }
    }
}

fn main_json(text: &str) -> Value {
    let spec = common::load(text);
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    serde_json::from_str(&tree.files["arm/main.json"]).unwrap()
}

#[test]
fn the_baseline_defines_assigns_and_orders_the_admission_rules() {
    let main = main_json(akswin_spec::BASELINE_YAML);
    let top: Vec<&Value> = main["resources"].as_array().unwrap().iter().collect();
    let defs: Vec<&&Value> = top
        .iter()
        .filter(|r| r["type"] == "Microsoft.Authorization/policyDefinitions")
        .collect();
    assert_eq!(defs.len(), akswin_admission::exported().len());
    let set = top
        .iter()
        .find(|r| r["type"] == "Microsoft.Authorization/policySetDefinitions")
        .expect("the initiative");
    assert_eq!(set["dependsOn"].as_array().unwrap().len(), defs.len());
    let cluster = top
        .iter()
        .find(|r| r["name"] == "akswin-cluster")
        .expect("the cluster deployment");
    assert!(
        cluster["dependsOn"]
            .to_string()
            .contains("policySetDefinitions', 'akswin-windows-admission'"),
        "the cluster (and its assignment) waits for the initiative"
    );
    let mut assignments = Vec::new();
    find(
        &main,
        "Microsoft.Authorization/policyAssignments",
        &mut assignments,
    );
    let a = assignments
        .iter()
        .find(|a| a["name"] == "akswin-windows-admission")
        .expect("the assignment");
    let p = &a["properties"]["parameters"];
    // the baseline: effect Audit, WIN001 Deny
    assert_eq!(p["effectWIN001"]["value"], "Deny");
    assert_eq!(p["effectWIN009"]["value"], "Audit");
    assert_eq!(p["effectWIN007"]["value"], "Audit");
    assert_eq!(p["clusterHasWindowsPools"]["value"], true);
    // assigned to the cluster, not to its whole resource group
    assert!(
        a["scope"]
            .to_string()
            .contains("Microsoft.ContainerService/managedClusters"),
        "{a}"
    );
    assert_eq!(
        p["allowedRegistries"]["value"],
        serde_json::json!(["contosoacr.azurecr.io", "mcr.microsoft.com"])
    );
}

#[test]
fn disabled_admission_renders_no_definitions() {
    let text = akswin_spec::BASELINE_YAML.replacen(
        "    effect: Audit\n    rules: { WIN001: Deny }",
        "    effect: Disabled",
        1,
    );
    assert_ne!(text, akswin_spec::BASELINE_YAML);
    let main = main_json(&text);
    let mut found = Vec::new();
    find(
        &main,
        "Microsoft.Authorization/policyDefinitions",
        &mut found,
    );
    find(
        &main,
        "Microsoft.Authorization/policySetDefinitions",
        &mut found,
    );
    assert!(found.is_empty());
    let mut assignments = Vec::new();
    find(
        &main,
        "Microsoft.Authorization/policyAssignments",
        &mut assignments,
    );
    assert!(
        assignments
            .iter()
            .all(|a| a["name"] != "akswin-windows-admission")
    );
}

/// The path of a deployment: Azure Policy refuses an assignment that passes a parameter its
/// initiative does not declare, and an initiative whose member passes a parameter the
/// definition does not declare (InvalidPolicyParameters), after the cluster exists. Every
/// name passed must be declared one level down.
#[test]
fn every_parameter_passed_is_declared_where_it_lands() {
    let main = main_json(akswin_spec::BASELINE_YAML);
    let top = main["resources"].as_array().unwrap();
    let set = top
        .iter()
        .find(|r| r["type"] == "Microsoft.Authorization/policySetDefinitions")
        .unwrap();
    let declared = |params: &Value, name: &str| params.get(name).is_some();
    let mut assignments = Vec::new();
    find(
        &main,
        "Microsoft.Authorization/policyAssignments",
        &mut assignments,
    );
    let a = assignments
        .iter()
        .find(|a| a["name"] == "akswin-windows-admission")
        .unwrap();
    for name in a["properties"]["parameters"].as_object().unwrap().keys() {
        assert!(
            declared(&set["properties"]["parameters"], name),
            "the assignment passes `{name}`, which the initiative does not declare"
        );
    }
    for member in set["properties"]["policyDefinitions"].as_array().unwrap() {
        let code = member["policyDefinitionReferenceId"].as_str().unwrap();
        let def = top
            .iter()
            .find(|r| {
                r["type"] == "Microsoft.Authorization/policyDefinitions"
                    && r["name"] == format!("akswin-{}", code.to_ascii_lowercase())
            })
            .unwrap_or_else(|| panic!("no definition for {code}"));
        for (name, value) in member["parameters"].as_object().unwrap() {
            assert!(
                declared(&def["properties"]["parameters"], name),
                "{code}: the initiative passes `{name}`, which the definition does not declare"
            );
            // and what it passes is one of the initiative's own parameters
            let inner = value["value"].as_str().unwrap();
            let referenced = inner
                .trim_start_matches("[[parameters('")
                .trim_end_matches("')]");
            assert!(
                declared(&set["properties"]["parameters"], referenced),
                "{code}: `{inner}` names no initiative parameter"
            );
        }
        // each value the definition hands to Gatekeeper names one of its parameters
        for (name, value) in def["properties"]["policyRule"]["then"]["details"]["values"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let referenced = value
                .as_str()
                .unwrap()
                .trim_start_matches("[[parameters('")
                .trim_end_matches("')]");
            assert!(
                declared(&def["properties"]["parameters"], referenced),
                "{code}: details.values.{name} names no parameter"
            );
        }
    }
}
