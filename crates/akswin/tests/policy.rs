//! `akswin policy`: the manifest rules enforced at admission, listed and exported.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn akswin() -> Command {
    let mut c = Command::cargo_bin("akswin").expect("binary built");
    c.env("AKSWIN_TODAY", "2026-11-26").env("NO_COLOR", "1");
    c
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../akswin-rules/tests/fixtures")
        .join(rel)
}

#[test]
fn list_names_every_manifest_rule_and_why_some_are_left_out() {
    let a = akswin()
        .args(["policy", "list", "--format", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), akswin_audit::registry().len());
    let enforced: Vec<&str> = rules
        .iter()
        .filter(|r| r["enforced"] == true)
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(enforced.len(), akswin_admission::exported().len());
    assert!(enforced.contains(&"WIN001"));
    for r in rules.iter().filter(|r| r["enforced"] == false) {
        assert!(r["reason"].as_str().unwrap().len() > 40, "{r}");
    }
    let human = akswin().args(["policy", "list"]).assert().success();
    let text = String::from_utf8_lossy(&human.get_output().stdout).into_owned();
    assert!(text.contains("WIN006   not at admission:"), "{text}");
    assert!(
        text.contains("of 28 manifest rules are enforced at admission"),
        "{text}"
    );
}

#[test]
fn gatekeeper_export_writes_a_template_and_a_constraint_per_rule() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gk");
    akswin()
        .args([
            "policy",
            "export",
            "--format",
            "gatekeeper",
            "--effect",
            "by-severity",
            "--allowed-registry",
            "contosoacr.azurecr.io",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    for r in akswin_admission::exported() {
        let t: serde_json::Value = serde_saphyr::from_str(
            &std::fs::read_to_string(out.join(format!("templates/{}.yaml", r.template_name())))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(t["kind"], "ConstraintTemplate");
        assert_eq!(t["spec"]["crd"]["spec"]["names"]["kind"], r.kind());
        assert!(
            t["spec"]["targets"][0]["rego"]
                .as_str()
                .unwrap()
                .contains("violation[{\"msg\": msg}]")
        );
        let c: serde_json::Value = serde_saphyr::from_str(
            &std::fs::read_to_string(out.join(format!("constraints/{}.yaml", r.resource_name())))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(c["kind"], r.kind());
        let expected = if r.meta.severity == akswin_diag::Severity::Error {
            "deny"
        } else {
            "warn"
        };
        assert_eq!(c["spec"]["enforcementAction"], expected, "{}", r.meta.code);
        match r.meta.code {
            "WIN012" => assert_eq!(
                c["spec"]["parameters"]["allowedRegistries"][0],
                "contosoacr.azurecr.io"
            ),
            // told nothing of the cluster: assume Windows pools, and no pools to judge by
            // (a made-up pool would make WIN018 refuse every selector)
            "WIN002" => assert_eq!(c["spec"]["parameters"]["clusterHasWindowsPools"], true),
            "WIN004" | "WIN018" => {
                assert_eq!(c["spec"]["parameters"]["pools"], serde_json::json!([]))
            }
            _ => {}
        }
    }
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("kubectl apply -f templates/"));
    assert!(readme.contains("WIN006"));
    // a second export into the same, now non-empty, directory needs --force
    akswin()
        .args(["policy", "export", "--format", "gatekeeper", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    akswin()
        .args([
            "policy",
            "export",
            "--format",
            "gatekeeper",
            "--force",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn azure_policy_export_follows_the_specs_effects_and_carries_the_templates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ap");
    akswin()
        .args(["policy", "export", "--format", "azure-policy", "--spec"])
        .arg(fixture("POL005/pass_enforced_rules.yaml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let params: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("assignment.parameters.json")).unwrap(),
    )
    .unwrap();
    // the fixture: effect Audit, WIN001 Deny, WIN012 Deny, WIN014 Disabled
    assert_eq!(params["effectWIN001"]["value"], "Deny");
    assert_eq!(params["effectWIN003"]["value"], "Audit");
    assert_eq!(params["effectWIN014"]["value"], "Disabled");
    assert_eq!(
        params["allowedRegistries"]["value"][0],
        "contosoacr.azurecr.io"
    );
    assert_eq!(params["clusterHasWindowsPools"]["value"], true);
    // the spec's pools, for WIN004 and WIN018
    let pools = params["pools"]["value"].as_array().unwrap();
    assert!(
        pools
            .iter()
            .any(|p| p["os"] == "Windows" && p["osSku"] == "Windows2022")
    );
    assert!(pools.iter().any(|p| p["name"] == "system"));
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("azure-policy.json")).unwrap())
            .unwrap();
    let resources = t["resources"].as_array().unwrap();
    assert_eq!(resources.len(), akswin_admission::exported().len() + 1);
    use base64::Engine as _;
    for d in &resources[..resources.len() - 1] {
        assert_eq!(d["properties"]["mode"], "Microsoft.Kubernetes.Data");
        // ARM would evaluate `[parameters(...)]` at deployment: the definition's own
        // expressions are escaped for Azure Policy to evaluate
        assert_eq!(
            d["properties"]["policyRule"]["then"]["effect"],
            "[[parameters('effect')]"
        );
        let info = &d["properties"]["policyRule"]["then"]["details"]["templateInfo"];
        assert_eq!(info["sourceType"], "Base64Encoded");
        let yaml = base64::engine::general_purpose::STANDARD
            .decode(info["content"].as_str().unwrap())
            .unwrap();
        let template: serde_json::Value = serde_saphyr::from_slice(&yaml).unwrap();
        assert_eq!(template["kind"], "ConstraintTemplate");
    }
    let set = &resources[resources.len() - 1];
    assert_eq!(set["type"], "Microsoft.Authorization/policySetDefinitions");
    assert_eq!(
        set["properties"]["policyDefinitions"]
            .as_array()
            .unwrap()
            .len(),
        akswin_admission::exported().len()
    );
}
