//! Secrets flow only as Key Vault references and secure parameters.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use serde_json::Value;

/// Every use of a securestring parameter, with the JSON path it sits at.
fn secure_uses(v: &Value, secure: &[String], path: &str, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            for p in secure {
                if s.contains(&format!("parameters('{p}')")) {
                    out.push(path.to_string());
                }
            }
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| secure_uses(x, secure, &format!("{path}/{i}"), out)),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| secure_uses(x, secure, &format!("{path}/{k}"), out)),
        _ => {}
    }
}

fn templates(t: &Value, out: &mut Vec<Value>) {
    out.push(t.clone());
    for r in t["resources"].as_array().into_iter().flatten() {
        if r["type"] == "Microsoft.Resources/deployments" {
            templates(&r["properties"]["template"], out);
        }
    }
}

#[test]
fn secure_values_only_reach_password_fields_and_protected_settings() {
    for (scenario, tree) in common::scenarios() {
        for (file, text) in &tree.files {
            if !file.ends_with(".json") {
                continue;
            }
            let root: Value = serde_json::from_str(text).expect("json");
            let mut all = Vec::new();
            templates(&root, &mut all);
            for t in &all {
                let secure: Vec<String> = t["parameters"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(_, d)| d["type"] == "securestring")
                    .map(|(k, _)| k.clone())
                    .collect();
                let mut uses = Vec::new();
                for (i, r) in t["resources"].as_array().into_iter().flatten().enumerate() {
                    if r["type"] == "Microsoft.Resources/deployments" {
                        continue;
                    }
                    secure_uses(r, &secure, &format!("/resources/{i}"), &mut uses);
                }
                let mut out_uses = Vec::new();
                secure_uses(&t["outputs"], &secure, "/outputs", &mut out_uses);
                assert!(
                    out_uses.is_empty(),
                    "{scenario}/{file}: secure value in outputs {out_uses:?}"
                );
                for u in &uses {
                    assert!(
                        u.ends_with("/adminPassword") || u.contains("/protectedSettings/"),
                        "{scenario}/{file}: secure value used at {u}"
                    );
                    assert!(
                        !u.contains("/settings/"),
                        "{scenario}/{file}: secure value in public settings at {u}"
                    );
                }
            }
            // Deployment parameters of secure values are Key Vault references, never values.
            for t in &all {
                for r in t["resources"].as_array().into_iter().flatten() {
                    if r["type"] != "Microsoft.Resources/deployments" {
                        continue;
                    }
                    let inner = &r["properties"]["template"]["parameters"];
                    for (k, p) in r["properties"]["parameters"]
                        .as_object()
                        .into_iter()
                        .flatten()
                    {
                        if inner[k]["type"] == "securestring" {
                            assert!(
                                p.get("reference").is_some() && p.get("value").is_none(),
                                "{scenario}/{file}: {k} is not a Key Vault reference"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn no_rendered_file_holds_a_literal_secret() {
    // Plant recognisable values everywhere a secret can be named, and look for them.
    let text = akswin_spec::BASELINE_YAML.replace(
        "adminPassword: { keyVaultSecret: windows-admin-password }",
        "adminPassword: { keyVaultSecret: planted-windows-secret-name }",
    );
    let spec = common::load(&text);
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    let joined: String = tree.files.values().cloned().collect();
    assert!(
        joined.contains("planted-windows-secret-name"),
        "the secret's name is referenced"
    );
    for (file, text) in &tree.files {
        let lower = text.to_ascii_lowercase();
        for needle in [
            "\"password\": \"",
            "adminpassword\": \"p",
            "-----begin",
            "accountkey=",
        ] {
            assert!(!lower.contains(needle), "{file} holds `{needle}`");
        }
    }
}
