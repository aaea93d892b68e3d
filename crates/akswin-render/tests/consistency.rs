//! One resolved model: what `check` judges is what `render` writes.
//!
//! - A pool without `maxSurge` is planned and rendered with the same surge.
//! - Over generated workload variations of the baseline (pool, OS, image version, port, name,
//!   quantities): whenever `check` reports no error, the rendered manifests pass akswin's own
//!   audit with the spec as cluster context, and every Windows workload is pinned to its pool.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use akswin_diag::Severity;
use proptest::prelude::*;
use serde_json::Value;

const TODAY: (i32, u32, u32) = (2026, 11, 26);

fn agent_pools(main: &Value, out: &mut Vec<Value>) {
    for r in main["resources"].as_array().into_iter().flatten() {
        if r["type"] == "Microsoft.Resources/deployments" {
            agent_pools(&r["properties"]["template"], out);
        } else if r["type"] == "Microsoft.ContainerService/managedClusters" {
            out.extend(
                r["properties"]["agentPoolProfiles"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
        } else if r["type"] == "Microsoft.ContainerService/managedClusters/agentPools" {
            let mut p = r["properties"].clone();
            p["name"] = r["name"].clone();
            out.push(p);
        }
    }
}

#[test]
fn a_pool_without_max_surge_is_planned_and_rendered_with_the_same_surge() {
    // The issue's case: a Windows pool of max 50 and no maxSurge.
    let text = akswin_spec::BASELINE_YAML
        .replace(", maxSurge: \"33%\"", "")
        .replace("min: 2, max: 8,", "min: 2, max: 50,");
    assert!(!text.contains("maxSurge"));
    let loaded = akswin_spec::load("t", text.as_bytes()).expect("loads");
    let plan = akswin_plan::plan(&loaded.spec);
    let tree = akswin_render::render(&loaded.spec, &plan, "test");
    let main: Value = serde_json::from_str(&tree.files["arm/main.json"]).expect("json");
    let mut rendered = Vec::new();
    agent_pools(&main, &mut rendered);
    assert_eq!(rendered.len(), plan.pools.len());
    for p in &plan.pools {
        assert!(!p.max_surge_explicit);
        let r = rendered
            .iter()
            .find(|r| {
                r["name"] == p.name.as_str()
                    || r["name"]
                        .as_str()
                        .is_some_and(|n| n.ends_with(&format!("/{}", p.name)))
            })
            .unwrap_or_else(|| panic!("pool {} not rendered", p.name));
        assert_eq!(
            r["upgradeSettings"]["maxSurge"],
            p.max_surge.to_string(),
            "pool {}",
            p.name
        );
    }
    // The Windows subnet is sized for exactly that surge: (50 + 5) nodes x (30 + 1) addresses.
    let win = plan
        .pools
        .iter()
        .find(|p| p.name == "win22")
        .expect("win22");
    assert_eq!(win.surge_nodes_at_max, 5);
    let subnet = plan
        .vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .find(|s| s.key == "windowsNodes")
        .expect("windows subnet");
    assert_eq!(subnet.demand.at_max_surge, (50 + 5) * 31);
}

fn workload_line(
    name: &str,
    os: &str,
    pool: Option<&str>,
    image: &str,
    port: Option<u16>,
    cpu: &str,
) -> String {
    let mut s = format!("  - {{ name: \"{name}\", image: \"{image}\", os: {os}, replicas: 2");
    if let Some(p) = pool {
        s.push_str(&format!(", pool: {p}"));
    }
    if let Some(p) = port {
        s.push_str(&format!(", port: {p}"));
    }
    s.push_str(&format!(", resources: {{ cpu: \"{cpu}\", memory: 2Gi }}"));
    if os == "Windows" {
        s.push_str(", auth: kerberos, gmsaAccount: legacyweb, runAs: ContainerAdministrator");
    }
    s.push_str(" }\n");
    s
}

/// The baseline with its workloads replaced by `workloads` (and nothing else changed).
fn with_workloads(workloads: &str) -> String {
    let b = akswin_spec::BASELINE_YAML;
    let start = b.find("\nworkloads:\n").expect("workloads") + 1;
    let end = b[start..]
        .find("\ncost:")
        .map(|i| start + i + 1)
        .expect("cost");
    format!("{}workloads:\n{workloads}{}", &b[..start], &b[end..])
}

/// `Ok(true)` when check was clean and the render passed; `Ok(false)` when check refused.
fn check_then_render(text: &str) -> Result<bool, String> {
    let loaded = match akswin_spec::load("t", text.as_bytes()) {
        Ok(l) => l,
        Err(_) => return Ok(false), // an input error: nothing to render, exit 2
    };
    let plan = akswin_plan::plan(&loaded.spec);
    let (y, m, d) = TODAY;
    let findings = akswin_rules::check_with_plan(
        &loaded,
        &plan,
        chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date"),
    );
    if findings.iter().any(|f| f.severity == Severity::Error) {
        return Ok(false); // check refuses: render would too
    }
    let tree = akswin_render::render(&loaded.spec, &plan, "test");
    let inputs = akswin_audit::inputs_under(&tree.files, "k8s/");
    let cx = akswin_audit::Context::from_spec(&loaded.spec).finish();
    let r = akswin_audit::audit(&inputs, &cx);
    let errors: Vec<String> = r
        .findings
        .iter()
        .filter(|(_, f)| f.severity == Severity::Error)
        .map(|(_, f)| format!("{} {}", f.code, f.message))
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "check passed, audit of the render failed: {errors:#?}"
        ));
    }
    // Every workload is pinned to the pool the plan resolved.
    for w in &plan.workloads {
        let Some(i) = w.pool.index() else {
            return Err(format!("check passed an unresolved pool for {}", w.name));
        };
        let pool = &plan.pools[i].name;
        let pinned = tree
            .files
            .iter()
            .filter(|(k, _)| k.starts_with("k8s/"))
            .any(|(_, v)| v.contains(&format!("kubernetes.azure.com/agentpool: {pool}")));
        if !pinned {
            return Err(format!("{} is not pinned to {pool}", w.name));
        }
    }
    Ok(true)
}

#[test]
fn workloads_without_a_pool_are_pinned_to_the_only_pool_of_their_os() {
    // Not vacuous: these pass check, so the render and its audit run.
    let win = "contosoacr.azurecr.io/legacy/web:4.8-ltsc2022";
    let ws = workload_line("legacyweb", "Windows", None, win, Some(443), "2")
        + &workload_line(
            "api",
            "Linux",
            None,
            "contosoacr.azurecr.io/api:1.0",
            Some(8080),
            "1",
        );
    assert_eq!(check_then_render(&with_workloads(&ws)), Ok(true));
    let ws = workload_line(
        "legacyweb",
        "Windows",
        Some("win22"),
        win,
        Some(443),
        "500m",
    );
    assert_eq!(check_then_render(&with_workloads(&ws)), Ok(true));
}

#[test]
fn a_quantity_that_is_not_one_is_an_input_error_at_its_field() {
    let line = workload_line(
        "legacyweb",
        "Windows",
        Some("win22"),
        "contosoacr.azurecr.io/legacy/web:4.8-ltsc2022",
        Some(443),
        "two",
    );
    let e = akswin_spec::load("t", with_workloads(&line).as_bytes()).expect_err("cpu: two");
    let f = &e.findings[0];
    assert_eq!(f.code, "SPEC003", "{f:?}");
    assert!(
        f.message.contains("not a Kubernetes quantity"),
        "{}",
        f.message
    );
    assert!(
        f.pointer.contains("/workloads/0/resources/cpu"),
        "{}",
        f.pointer
    );
}

#[test]
fn each_consistency_problem_of_the_issue_is_refused_by_check() {
    let win = "contosoacr.azurecr.io/legacy/web:4.8-ltsc2022";
    for (what, line) in [
        (
            "unknown pool",
            workload_line("legacyweb", "Windows", Some("win2"), win, Some(443), "2"),
        ),
        (
            "Windows on Linux",
            workload_line("legacyweb", "Windows", Some("linux"), win, Some(443), "2"),
        ),
        (
            "ltsc2019 on Windows2022",
            workload_line(
                "legacyweb",
                "Windows",
                Some("win22"),
                "contosoacr.azurecr.io/legacy/web:4.8-ltsc2019",
                Some(443),
                "2",
            ),
        ),
        (
            "port 0",
            workload_line("legacyweb", "Windows", Some("win22"), win, Some(0), "2"),
        ),
        (
            "cpu zero",
            workload_line("legacyweb", "Windows", Some("win22"), win, Some(443), "0"),
        ),
        (
            "85 characters",
            workload_line(
                &"a".repeat(85),
                "Windows",
                Some("win22"),
                win,
                Some(443),
                "2",
            ),
        ),
    ] {
        let loaded = akswin_spec::load("t", with_workloads(&line).as_bytes()).expect(what);
        let plan = akswin_plan::plan(&loaded.spec);
        let (y, m, d) = TODAY;
        let f = akswin_rules::check_with_plan(
            &loaded,
            &plan,
            chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date"),
        );
        let errors: Vec<&str> = f
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.code.as_str())
            .collect();
        assert!(
            errors.iter().any(|c| c.starts_with("WRK")),
            "{what}: {errors:?}"
        );
        // Located at the workload (a pointer under /workloads/0 with a line).
        let w = f
            .iter()
            .find(|f| f.code.starts_with("WRK"))
            .expect("finding");
        assert!(
            w.pointer.starts_with("/workloads/0"),
            "{what}: {}",
            w.pointer
        );
        assert!(w.span.is_some(), "{what}: no location");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn check_clean_means_the_rendered_manifests_audit_clean(
        pool in prop::sample::select(vec![None, Some("win22"), Some("linux"), Some("system"), Some("win2")]),
        os in prop::sample::select(vec!["Windows", "Linux"]),
        tag in prop::sample::select(vec!["4.8-ltsc2022", "4.8-ltsc2019", "4.8-ltsc2025", "1.0"]),
        port in prop::sample::select(vec![None, Some(0u16), Some(443u16), Some(8080u16)]),
        name in prop::sample::select(vec!["legacyweb", "web-2", "Legacy_Web", "x"]),
        cpu in prop::sample::select(vec!["2", "500m", "two", "0"]),
        second in any::<bool>(),
    ) {
        let image = format!("contosoacr.azurecr.io/legacy/web:{tag}");
        let mut ws = workload_line(name, os, pool, &image, port, cpu);
        if second {
            ws.push_str(&workload_line("api", "Linux", None, "contosoacr.azurecr.io/api:1.0", Some(8080), "1"));
        }
        let text = with_workloads(&ws);
        if let Err(e) = check_then_render(&text) {
            prop_assert!(false, "{e}\n--- workloads:\n{ws}");
        }
    }
}

#[test]
fn the_minimum_tls_version_renders_as_written() {
    // "1.3" passed check while the templates said TLS12: the value was silently ignored.
    let text = akswin_spec::BASELINE_YAML
        .replace("minimumTlsVersion: \"1.2\"", "minimumTlsVersion: \"1.3\"");
    assert!(text.contains("\"1.3\""));
    let loaded = akswin_spec::load("t", text.as_bytes()).expect("loads");
    let plan = akswin_plan::plan(&loaded.spec);
    let tree = akswin_render::render(&loaded.spec, &plan, "test");
    let fd = &tree.files["arm/frontdoor.json"];
    assert!(
        fd.contains("\"TLS13\"") && !fd.contains("\"TLS12\""),
        "{fd}"
    );
    // Not a TLS version: an input error at the field.
    let bad = akswin_spec::BASELINE_YAML
        .replace("minimumTlsVersion: \"1.2\"", "minimumTlsVersion: banana");
    let e = akswin_spec::load("t", bad.as_bytes()).expect_err("banana");
    assert_eq!(
        e.findings[0].pointer,
        "/ingress/frontDoor/minimumTlsVersion"
    );
}
