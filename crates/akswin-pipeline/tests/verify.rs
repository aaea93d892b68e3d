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
    let f = akswin_pipeline::verify(&l, &plan, &tree);
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
    let f = akswin_pipeline::verify(&l, &plan, &tree);
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
    let f = akswin_pipeline::verify(&l, &plan, &tree);
    assert!(f.iter().all(|x| x.code == "RND004"), "{f:#?}");
    assert!(
        f.iter().any(|x| x
            .message
            .contains("originResponseTimeoutSecond: unknown property")),
        "{f:#?}"
    );
    assert!(f.iter().any(|x| x.message.contains("sku/name")), "{f:#?}");
}

fn load(text: &str) -> akswin_spec::Loaded {
    akswin_spec::load("s.yaml", text.as_bytes()).expect("spec loads")
}

#[test]
fn an_overlong_name_is_one_located_naming_error_per_resource_type() {
    let text = akswin_spec::BASELINE_YAML.replacen(
        "name: contoso-legacy",
        &format!("name: {}", "a".repeat(85)),
        1,
    );
    let l = load(&text);
    let c = akswin_pipeline::check(&l, today(), "test");
    let names: Vec<_> = c.findings.iter().filter(|f| f.code == "RND005").collect();
    // One finding for the one cause, at the field, with the length that fits.
    assert_eq!(names.len(), 1, "{:#?}", c.findings);
    let f = names[0];
    let line = text
        .lines()
        .position(|l| l.starts_with("name: "))
        .map(|i| i as u32 + 1);
    assert_eq!(
        (f.pointer.as_str(), f.span.map(|s| s.line)),
        ("/name", line),
        "{f:#?}"
    );
    let count: usize = f
        .message
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count first");
    assert!(count > 30, "every name built from `name`: {}", f.message);
    assert!(
        f.message
            .contains(" rendered names break Azure's naming rules: "),
        "{}",
        f.message
    );
    // The worst first: `vnet-<name>-spoke` is 96 of 64 characters.
    assert!(
        f.message.contains("virtualNetworks name `vnet-aaa"),
        "{}",
        f.message
    );
    assert!(
        f.message.ends_with(&format!("; and {} more", count - 3)),
        "{}",
        f.message
    );
    assert_eq!(
        f.help.as_deref(),
        Some(
            "shorten `name` to at most 53 characters (letters, digits and hyphens, starting with a letter); akswin builds every resource name from it"
        )
    );
    // 53 characters fits every rule.
    let fits = akswin_spec::BASELINE_YAML.replacen(
        "name: contoso-legacy",
        &format!("name: {}", "a".repeat(53)),
        1,
    );
    let c53 = akswin_pipeline::check(&load(&fits), today(), "test");
    assert_eq!(c53.errors(), 0, "{:#?}", c53.findings);
    let c54 = akswin_pipeline::check(
        &load(&fits.replacen("name: a", "name: aa", 1)),
        today(),
        "test",
    );
    assert!(
        c54.findings.iter().any(|f| f.code == "RND005"),
        "54 does not fit"
    );
    // The strict type check does not report the same names again, unlocated.
    assert!(
        !c.findings
            .iter()
            .any(|f| f.code == "RND004" && f.message.contains("/name:")),
        "{:#?}",
        c.findings
    );
    assert!(c.tree.is_none());
}

#[test]
fn a_name_with_no_usable_characters_is_judged_at_its_field() {
    // Nothing of `___` survives into resource names: `kv-` ends with a hyphen.
    // (Without the suffix, which would end the names with something usable.)
    let text = akswin_spec::BASELINE_YAML
        .replacen("name: contoso-legacy", "name: \"___\"", 1)
        .replacen("nameSuffix: x4k9", "", 1);
    let l = load(&text);
    let c = akswin_pipeline::check(&l, today(), "test");
    let f: Vec<_> = c.findings.iter().filter(|f| f.code == "RND005").collect();
    assert!(f.iter().all(|f| f.pointer == "/name"), "{f:#?}");
    // One finding per name, though the vault is in two templates.
    assert_eq!(
        f.iter().filter(|f| f.message.contains("name `kv`")).count(),
        1,
        "{f:#?}"
    );
    assert!(
        f.iter().any(|f| f.message.contains("`afw-` ends with `-`")),
        "{:#?}",
        c.findings
    );
}

#[test]
fn a_renamed_resource_in_the_tree_breaks_the_naming_rules() {
    let l = baseline();
    let plan = akswin_plan::plan(&l.spec);
    let mut tree = akswin_render::render(&l.spec, &plan, "test");
    let text = tree.files["arm/main.json"].clone();
    // A Windows computer name of 16 characters and a vault name with `--`.
    let broken = text
        .replace(
            "\"computerName\": \"contosolegdc1\"",
            "\"computerName\": \"contosolegacydc1\"",
        )
        .replace(
            "\"name\": \"kv-contoso-legacy-x4k9\"",
            "\"name\": \"kv--contoso\"",
        );
    assert_ne!(broken, text);
    tree.files.insert("arm/main.json".into(), broken);
    let f = akswin_pipeline::verify(&l, &plan, &tree);
    let msgs: Vec<&str> = f
        .iter()
        .filter(|x| x.code == "RND005")
        .map(|x| x.message.as_str())
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("computerName `contosolegacydc1` is 16 characters")),
        "{f:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("`kv--contoso` holds `--`")),
        "{f:#?}"
    );
}

#[test]
fn a_dropped_flow_is_one_located_finding_per_flow() {
    let l = baseline();
    let plan = akswin_plan::plan(&l.spec);
    let mut tree = akswin_render::render(&l.spec, &plan, "test");
    let mut main: serde_json::Value =
        serde_json::from_str(&tree.files["arm/main.json"]).expect("json");
    fn strip(v: &mut serde_json::Value) {
        for r in v["resources"].as_array_mut().into_iter().flatten() {
            if r["name"]
                .as_str()
                .is_some_and(|n| n.ends_with("/connectors"))
            {
                r["properties"]["ruleCollections"] = serde_json::json!([]);
            }
            if r["type"] == "Microsoft.Resources/deployments" {
                strip(&mut r["properties"]["template"]);
            }
        }
    }
    strip(&mut main);
    tree.files.insert("arm/main.json".into(), main.to_string());
    let f = akswin_pipeline::verify(&l, &plan, &tree);
    let flw: Vec<_> = f.iter().filter(|x| x.code == "FLW001").collect();
    assert!(!flw.is_empty(), "{f:#?}");
    let svc = flw
        .iter()
        .find(|x| x.message.starts_with("flow `connectors-service`"))
        .expect("the connectors' service flow");
    assert_eq!(svc.pointer, "/ingress/appProxy");
    assert!(svc.span.is_some());
    assert!(
        svc.message
            .contains("dropped at firewall: no rule allows it"),
        "{}",
        svc.message
    );
    // One finding for all of the flow's dropped paths (management.azure.com and
    // login.microsoftonline.com stay allowed: the AKS rules allow them for the whole spoke).
    let more: usize = svc
        .message
        .rsplit("; and ")
        .next()
        .and_then(|t| t.strip_suffix(" more"))
        .and_then(|n| n.parse().ok())
        .expect("a count of the paths not shown");
    assert!(more > 10, "{}", svc.message);
    assert_eq!(
        flw.iter()
            .filter(|x| x.message.starts_with("flow `connectors-service`"))
            .count(),
        1
    );
    // A finding per flow and outcome, not per path.
    let ids: Vec<&str> = flw
        .iter()
        .map(|x| x.message.split('`').nth(1).unwrap_or(""))
        .collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
}

/// RND006: akswin's secret-scoped grants pass; the kubelet's gMSA grant widened to the whole
/// vault (or to its resource group) is found.
#[test]
fn a_vault_wide_grant_is_found() {
    let l = baseline();
    let plan = akswin_plan::plan(&l.spec);
    let tree = akswin_render::render(&l.spec, &plan, "test");
    assert!(
        akswin_pipeline::verify(&l, &plan, &tree)
            .iter()
            .all(|f| f.code != "RND006")
    );
    for widened in [
        serde_json::json!("[resourceId('Microsoft.KeyVault/vaults', 'kv-contoso-legacy-x4k9')]"),
        serde_json::Value::Null,
    ] {
        let mut main: serde_json::Value =
            serde_json::from_str(&tree.files["arm/main.json"]).expect("json");
        fn widen(v: &mut serde_json::Value, to: &serde_json::Value) -> bool {
            let mut done = false;
            if let Some(a) = v["resources"].as_array_mut() {
                for r in a.iter_mut() {
                    if r["type"] == "Microsoft.Authorization/roleAssignments"
                        && r["properties"]["principalId"]
                            .to_string()
                            .contains("aks-kubelet")
                        && r["scope"].to_string().contains("secrets")
                    {
                        if to.is_null() {
                            r.as_object_mut().map(|o| o.remove("scope"));
                        } else {
                            r["scope"] = to.clone();
                        }
                        done = true;
                    }
                    if r["type"] == "Microsoft.Resources/deployments" {
                        done |= widen(&mut r["properties"]["template"], to);
                    }
                }
            }
            done
        }
        assert!(
            widen(&mut main, &widened),
            "the kubelet's grant is rendered"
        );
        let mut t = tree.clone();
        t.files.insert("arm/main.json".into(), main.to_string());
        let f = akswin_pipeline::verify(&l, &plan, &t);
        let rnd: Vec<_> = f.iter().filter(|f| f.code == "RND006").collect();
        assert_eq!(rnd.len(), 1, "{f:#?}");
        assert!(rnd[0].message.contains("Key Vault Secrets User"), "{rnd:?}");
    }
}
