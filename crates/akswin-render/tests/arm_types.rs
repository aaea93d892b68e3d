//! Every rendered ARM resource, at every depth of every template of every golden scenario,
//! against Microsoft's Bicep resource type data (strict: unknown properties, JSON types,
//! read-only and required properties, closed enums, discriminators, patterns and lengths).
//! Mutation tests prove a misspelled property, a wrong type and a bad enum value fail.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use akswin_render::armtypes::TypeIndex;
use serde_json::{Value, json};
use std::sync::OnceLock;

fn types() -> Option<&'static TypeIndex> {
    static T: OnceLock<Option<TypeIndex>> = OnceLock::new();
    T.get_or_init(|| {
        let dir = akswin_testkit::reference("bicep-types", "strict ARM resource type check")?;
        Some(TypeIndex::load(&dir).expect("bicep type data loads"))
    })
    .as_ref()
}

use akswin_render::armtypes::template_resources as resources;

/// Every resource of every ARM template of a rendered tree (parameters files have none).
fn tree_resources(files: &std::collections::BTreeMap<String, String>) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (file, text) in files {
        if !(file.starts_with("arm/") || file.starts_with("policy/"))
            || file.ends_with("parameters.json")
        {
            continue;
        }
        let t: Value = serde_json::from_str(text).expect("json");
        let mut rs = Vec::new();
        resources(&t, file, &mut rs);
        out.extend(rs.into_iter().map(|(at, r)| (at, r.clone())));
    }
    out
}

fn check_tree(
    ix: &TypeIndex,
    files: &std::collections::BTreeMap<String, String>,
) -> (usize, Vec<String>) {
    let rs = tree_resources(files);
    let errors = rs
        .iter()
        .flat_map(|(at, r)| ix.check_resource(r, at))
        .collect();
    (rs.len(), errors)
}

#[test]
fn every_rendered_resource_passes_the_strict_type_check() {
    let Some(ix) = types() else { return };
    let mut total = 0;
    let mut failures = Vec::new();
    let existing = [(
        "existing cluster".to_string(),
        common::existing_cluster_tree(),
    )];
    for (scenario, tree) in common::scenarios().into_iter().chain(existing) {
        let (n, errors) = check_tree(ix, &tree.files);
        total += n;
        failures.extend(errors.into_iter().map(|e| format!("{scenario}: {e}")));
    }
    assert!(total > 100, "only {total} resources checked");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The baseline's managed cluster, for mutations.
fn cluster() -> Value {
    let (_, tree) = common::scenarios().into_iter().next().expect("baseline");
    let t: Value = serde_json::from_str(&tree.files["arm/main.json"]).expect("json");
    let mut rs = Vec::new();
    resources(&t, "main", &mut rs);
    rs.into_iter()
        .map(|(_, r)| r.clone())
        .find(|r| r["type"] == "Microsoft.ContainerService/managedClusters")
        .expect("a managed cluster")
}

/// A change made to a resource, to see the check catch it.
type Mutation = Box<dyn Fn(&mut Value)>;

#[test]
fn mutations_fail_the_strict_type_check() {
    let Some(ix) = types() else { return };
    assert!(
        ix.check_resource(&cluster(), "c").is_empty(),
        "{:?}",
        ix.check_resource(&cluster(), "c")
    );
    let cases: Vec<(&str, Mutation, &str)> = vec![
        (
            "misspelled property",
            Box::new(|c: &mut Value| {
                let v = c["properties"]["enableRBAC"].take();
                c["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("enableRBAC");
                c["properties"]["enableRbac"] = v;
            }),
            "unknown property",
        ),
        (
            "misspelled nested property",
            Box::new(|c: &mut Value| {
                c["properties"]["agentPoolProfiles"][0]["maxPod"] = json!(30);
            }),
            "agentPoolProfiles/0/maxPod: unknown property",
        ),
        (
            "wrong type",
            Box::new(|c: &mut Value| {
                c["properties"]["agentPoolProfiles"][0]["maxPods"] = json!("thirty");
            }),
            "expected an integer",
        ),
        (
            "read-only property",
            Box::new(|c: &mut Value| {
                c["properties"]["provisioningState"] = json!("Succeeded");
            }),
            "read-only",
        ),
        (
            "missing required property",
            Box::new(|c: &mut Value| {
                c["properties"]["agentPoolProfiles"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("name");
            }),
            "missing required property `name`",
        ),
        (
            "out of range",
            Box::new(|c: &mut Value| {
                c["properties"]["agentPoolProfiles"][0]["osDiskSizeGB"] = json!(5000);
            }),
            "above the maximum",
        ),
    ];
    for (what, mutate, expect) in cases {
        let mut c = cluster();
        mutate(&mut c);
        let errors = ix.check_resource(&c, "c");
        assert!(
            errors.iter().any(|e| e.contains(expect)),
            "{what}: expected `{expect}` in {errors:#?}"
        );
    }
    // AKS enums are open (any string is accepted); Key Vault's SKU name is a closed enum.
    let (_, tree) = common::scenarios().into_iter().next().expect("baseline");
    let t: Value = serde_json::from_str(&tree.files["arm/bootstrap.json"]).expect("json");
    let mut vault = t["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["type"] == "Microsoft.KeyVault/vaults")
        .cloned()
        .expect("vault");
    assert!(ix.check_resource(&vault, "kv").is_empty());
    vault["properties"]["sku"]["name"] = json!("platinum");
    let errors = ix.check_resource(&vault, "kv");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("is not one of `standard`, `premium`")),
        "{errors:#?}"
    );
    // A template expression passes wherever it stands.
    let mut c = cluster();
    c["properties"]["agentPoolProfiles"][0]["maxPods"] = json!("[parameters('maxPods')]");
    assert!(ix.check_resource(&c, "c").is_empty());
    // A type the data does not know is reported, not passed.
    let mut c = cluster();
    c["apiVersion"] = json!("2099-01-01");
    assert!(ix.check_resource(&c, "c")[0].contains("no type data"));
}

#[test]
fn the_embedded_subset_passes_every_rendered_resource_without_the_reference_set() {
    // What `check` uses: no reference directory needed, every rendered type present.
    let ix = TypeIndex::embedded();
    for (scenario, tree) in common::scenarios() {
        let (n, errors) = check_tree(ix, &tree.files);
        assert!(n > 30, "{scenario}: {n}");
        assert!(errors.is_empty(), "{scenario}:\n{}", errors.join("\n"));
    }
}

/// Whether two type graphs are the same, ignoring descriptions and how nodes are numbered.
fn same(
    a: &[Value],
    na: usize,
    b: &[Value],
    nb: usize,
    seen: &mut std::collections::HashSet<(usize, usize)>,
) -> Result<(), String> {
    if !seen.insert((na, nb)) {
        return Ok(());
    }
    fn walk(
        x: &Value,
        y: &Value,
        a: &[Value],
        b: &[Value],
        seen: &mut std::collections::HashSet<(usize, usize)>,
        at: &str,
    ) -> Result<(), String> {
        match (x, y) {
            (Value::Object(mx), Value::Object(my)) => {
                // Description texts are dropped from the subset; a property named
                // `description` (an object) is kept.
                let keep = |m: &serde_json::Map<String, Value>| -> Vec<String> {
                    m.iter()
                        .filter(|(k, v)| !(*k == "description" && v.is_string()))
                        .map(|(k, _)| k.clone())
                        .collect()
                };
                let (kx, ky) = (keep(mx), keep(my));
                if kx != ky {
                    return Err(format!("{at}: keys {kx:?} vs {ky:?}"));
                }
                for k in &kx {
                    if k == "$ref" {
                        let r = |v: &Value| {
                            v.as_str()
                                .and_then(|s| s.strip_prefix("#/"))
                                .and_then(|n| n.parse::<usize>().ok())
                        };
                        match (r(&mx[k]), r(&my[k])) {
                            (Some(p), Some(q)) => same(a, p, b, q, seen)?,
                            _ => return Err(format!("{at}: bad $ref")),
                        }
                    } else {
                        walk(&mx[k], &my[k], a, b, seen, &format!("{at}/{k}"))?;
                    }
                }
                Ok(())
            }
            (Value::Array(ax), Value::Array(ay)) if ax.len() == ay.len() => {
                for (i, (p, q)) in ax.iter().zip(ay).enumerate() {
                    walk(p, q, a, b, seen, &format!("{at}/{i}"))?;
                }
                Ok(())
            }
            _ if x == y => Ok(()),
            _ => Err(format!("{at}: {x} vs {y}")),
        }
    }
    walk(&a[na], &b[nb], a, b, seen, &format!("node {na}"))
}

#[test]
fn the_embedded_subset_is_the_reference_data_and_lists_what_akswin_renders() {
    let emb = TypeIndex::embedded();
    let list: Vec<String> = include_str!("../data/arm-types.list")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.trim().to_ascii_lowercase())
        .collect();
    let mut sorted = list.clone();
    sorted.sort();
    assert_eq!(
        emb.resource_keys(),
        sorted,
        "data/arm-types.list and the embedded subset differ: rerun scripts/subset-arm-types.py"
    );
    // Every type akswin renders is listed.
    for (scenario, tree) in common::scenarios() {
        for (at, r) in tree_resources(&tree.files) {
            let key = format!(
                "{}@{}",
                r["type"].as_str().unwrap_or(""),
                r["apiVersion"].as_str().unwrap_or("")
            )
            .to_ascii_lowercase();
            let documented = akswin_render::armtypes::WITHOUT_TYPE_DATA
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(&key));
            assert!(
                list.contains(&key) || documented,
                "{scenario} {at}: {key} is not in data/arm-types.list"
            );
        }
    }
    // And it is the reference data, node for node.
    let Some(reference) = types() else { return };
    for key in emb.resource_keys() {
        let (a, na) = emb.resource_node(&key).expect("embedded");
        let (b, nb) = reference
            .resource_node(&key)
            .unwrap_or_else(|| panic!("{key} not in the reference data"));
        same(a, na, b, nb, &mut Default::default()).unwrap_or_else(|e| panic!("{key}: {e}"));
    }
}

/// Managed Prometheus's two types have no type data in the reference set (when it gains them,
/// this fails: move them to data/arm-types.list), and their documented bodies refuse what the
/// type data would.
#[test]
fn types_without_type_data_are_checked_by_their_documented_bodies() {
    if let Some(reference) = types() {
        for (key, _) in akswin_render::armtypes::WITHOUT_TYPE_DATA {
            assert!(
                reference.resource_node(key).is_none(),
                "{key} is in the reference data now: list it in data/arm-types.list"
            );
        }
    }
    let ix = TypeIndex::embedded();
    let group = serde_json::json!({
        "type": "Microsoft.AlertsManagement/prometheusRuleGroups",
        "apiVersion": "2023-03-01",
        "name": "akswin-windows-alerts-aks-x",
        "location": "eastus2",
        "tags": { "a": "b" },
        "properties": {
            "scopes": ["[resourceId('Microsoft.Monitor/accounts', 'amw-x')]"],
            "clusterName": "aks-x",
            "enabled": true,
            "interval": "PT1M",
            "rules": [
                { "record": "a:b", "expression": "sum(x)" },
                { "alert": "A", "expression": "x > 1", "for": "PT5M", "severity": 2,
                  "actions": [ { "actionGroupId": "/subscriptions/0/x" } ],
                  "resolveConfiguration": { "autoResolved": true, "timeToResolve": "PT10M" } },
            ],
        },
    });
    assert_eq!(ix.check_resource(&group, "at"), Vec::<String>::new());
    let broken = |path: &str, v: Value| {
        let mut g = group.clone();
        *g.pointer_mut(path).unwrap() = v;
        let errors = ix.check_resource(&g, "at");
        assert!(
            !errors.is_empty(),
            "{path} = {} passed",
            g.pointer(path).unwrap()
        );
        errors
    };
    broken("/properties/interval", serde_json::json!("PT20M"));
    broken("/properties/scopes", serde_json::json!([]));
    broken("/properties/enabled", serde_json::json!("yes"));
    broken("/properties/rules/1/severity", serde_json::json!(5));
    broken(
        "/properties/rules/0",
        serde_json::json!({ "record": "a", "alert": "b", "expression": "x" }),
    );
    broken("/properties/rules/0", serde_json::json!({ "record": "a" }));
    broken(
        "/properties/rules/0",
        serde_json::json!({ "record": "a", "expression": "x", "for": "PT5M" }),
    );
    broken(
        "/properties/rules/1/resolveConfiguration",
        serde_json::json!({ "autoResolve": true }),
    );
    broken("/name", serde_json::json!("a:b"));
    let e = broken(
        "/properties",
        serde_json::json!({ "scopes": ["s"], "rules": [ { "record": "a", "expression": "x" } ], "evaluationFrequency": "PT1M" }),
    );
    assert!(
        e.iter()
            .any(|e| e.contains("evaluationFrequency: unknown property")),
        "{e:?}"
    );
    let account = serde_json::json!({
        "type": "Microsoft.Monitor/accounts",
        "apiVersion": "2023-04-03",
        "name": "amw-x",
        "location": "eastus2",
    });
    assert_eq!(ix.check_resource(&account, "at"), Vec::<String>::new());
    let mut a = account.clone();
    a["properties"] = serde_json::json!({ "publicNetworkAccess": "Disabled" });
    assert!(
        !ix.check_resource(&a, "at").is_empty(),
        "a read-only property passed"
    );
    let mut a = account.clone();
    a["name"] = serde_json::json!("-amw");
    assert!(!ix.check_resource(&a, "at").is_empty(), "a bad name passed");
    let mut a = account;
    a.as_object_mut().unwrap().remove("location");
    assert!(
        !ix.check_resource(&a, "at").is_empty(),
        "no location passed"
    );
}
