//! Firewall policy shape: Azure identifies a rule by its name within its rule collection, so
//! two rules of one collection may not share a name (a duplicate fails the deployment of the
//! whole rule collection group).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use serde_json::Value;

fn groups(v: &Value, out: &mut Vec<Value>) {
    for r in v["resources"].as_array().into_iter().flatten() {
        if r["type"] == "Microsoft.Network/firewallPolicies/ruleCollectionGroups" {
            out.push(r.clone());
        }
        if r["type"] == "Microsoft.Resources/deployments" {
            groups(&r["properties"]["template"], out);
        }
    }
}

#[test]
fn rule_names_are_unique_in_every_collection_of_every_scenario() {
    let mut checked = 0;
    for (name, text) in common::scenario_specs() {
        let spec = common::load(&text);
        let plan = akswin_plan::plan(&spec);
        let tree = akswin_render::render(&spec, &plan, "test");
        let main: Value = serde_json::from_str(&tree.files["arm/main.json"]).unwrap();
        let mut gs = Vec::new();
        groups(&main, &mut gs);
        let mut group_priorities: Vec<u64> = Vec::new();
        for g in &gs {
            let p = g["properties"]["priority"].as_u64().unwrap();
            assert!(
                !group_priorities.contains(&p),
                "{name}: two groups at priority {p}"
            );
            group_priorities.push(p);
            for c in g["properties"]["ruleCollections"].as_array().unwrap() {
                let mut names: Vec<&str> = c["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["name"].as_str().unwrap())
                    .collect();
                let n = names.len();
                names.sort_unstable();
                names.dedup();
                assert_eq!(
                    names.len(),
                    n,
                    "{name}: {} {}: duplicate rule names",
                    g["name"],
                    c["name"]
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "{checked}");
}
