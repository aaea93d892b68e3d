//! The render verification: clean on akswin's own output, and each kind of problem in a
//! rendered tree becomes a located finding with its code.

#![allow(clippy::expect_used, clippy::unwrap_used)]

fn today() -> akswin_rules::Date {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date")
}

fn baseline() -> akswin_spec::Loaded {
    akswin_spec::load("b.yaml", akswin_spec::BASELINE_YAML.as_bytes()).expect("baseline loads")
}

#[test]
fn the_baseline_checks_clean_and_yields_the_verified_tree() {
    let l = baseline();
    let c = akswin_pipeline::check(&l, today(), "test");
    assert_eq!(c.errors(), 0, "{:#?}", c.findings);
    let tree = c.tree.expect("a verified tree");
    assert!(tree.files.contains_key("arm/main.json"));
    assert!(tree.files.keys().any(|k| k.starts_with("k8s/")));
    // The tree check verified is the tree render writes.
    let plan = akswin_plan::plan(&l.spec);
    assert_eq!(tree, akswin_render::render(&l.spec, &plan, "test"));
}

#[test]
fn a_broken_manifest_is_reported_at_the_workload_it_comes_from() {
    let l = baseline();
    let plan = akswin_plan::plan(&l.spec);
    let mut tree = akswin_render::render(&l.spec, &plan, "test");
    let file = "k8s/legacyweb.yaml";
    let text = tree.files.get(file).expect("workload manifest").clone();
    // Pin the ltsc2022 image to a Windows2025 host: WIN004/WIN018 in the rendered manifest.
    let broken = text.replace(
        "kubernetes.azure.com/os-sku: Windows2022",
        "kubernetes.azure.com/os-sku: Windows2025",
    );
    assert_ne!(broken, text);
    tree.files.insert(file.into(), broken);
    let f = akswin_pipeline::verify(&l, &tree);
    assert!(!f.is_empty());
    for x in &f {
        assert_eq!(x.code, "RND002");
        assert!(x.pointer.starts_with("/workloads/0"), "{}", x.pointer);
        assert!(x.span.is_some(), "located");
        assert!(x.message.contains(file), "{}", x.message);
    }
}

#[test]
fn a_broken_template_is_an_akswin_bug_finding() {
    let l = baseline();
    let plan = akswin_plan::plan(&l.spec);
    let mut tree = akswin_render::render(&l.spec, &plan, "test");
    tree.files
        .insert("arm/main.json".into(), "{ not json".into());
    let mut frontdoor: serde_json::Value =
        serde_json::from_str(&tree.files["arm/frontdoor.json"]).expect("json");
    frontdoor["resources"][0]["dependsOn"] =
        serde_json::json!(["[resourceId('Microsoft.Cdn/profiles', 'nope')]"]);
    tree.files
        .insert("arm/frontdoor.json".into(), frontdoor.to_string());
    let f = akswin_pipeline::verify(&l, &tree);
    let codes: Vec<&str> = f.iter().map(|x| x.code.as_str()).collect();
    assert!(codes.iter().all(|c| *c == "RND003"), "{codes:?}");
    assert!(
        f.iter()
            .any(|x| x.message.contains("main.json is not valid JSON"))
    );
    assert!(f.iter().any(|x| x.message.contains("nope")), "{f:#?}");
}

#[test]
fn manifest_files_map_to_their_spec_fields() {
    let l = baseline();
    let o = |file: &str, code: &str| akswin_pipeline::manifest_origin(&l, file, code);
    assert_eq!(o("k8s/legacyweb.yaml", "WIN004"), "/workloads/0/image");
    assert_eq!(o("k8s/legacyweb.yaml", "WIN018"), "/workloads/0/pool");
    assert_eq!(o("k8s/legacyweb.yaml", "K8S001"), "/workloads/0");
    assert_eq!(
        o("k8s/prepull-windows2022.yaml", "WIN004"),
        "/scaling/prepull"
    );
    assert_eq!(o("k8s/00-akswin-system.yaml", "K8S001"), "/scaling/prepull");
    assert_eq!(o("k8s/unknown.yaml", "K8S001"), "");
}

#[test]
fn a_misspelled_or_mistyped_property_fails_the_strict_type_check() {
    let l = baseline();
    let plan = akswin_plan::plan(&l.spec);
    let mut tree = akswin_render::render(&l.spec, &plan, "test");
    let mut fd: serde_json::Value =
        serde_json::from_str(&tree.files["arm/frontdoor.json"]).expect("json");
    let profile = fd["resources"]
        .as_array_mut()
        .and_then(|a| a.iter_mut().find(|r| r["type"] == "Microsoft.Cdn/profiles"))
        .expect("profile");
    profile["properties"]["originResponseTimeoutSecond"] = serde_json::json!(60);
    profile["sku"]["name"] = serde_json::json!(true);
    tree.files
        .insert("arm/frontdoor.json".into(), fd.to_string());
    let f = akswin_pipeline::verify(&l, &tree);
    assert!(f.iter().all(|x| x.code == "RND004"), "{f:#?}");
    assert!(
        f.iter().any(|x| x
            .message
            .contains("originResponseTimeoutSecond: unknown property")),
        "{f:#?}"
    );
    assert!(f.iter().any(|x| x.message.contains("sku/name")), "{f:#?}");
}
