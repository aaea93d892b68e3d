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
                        u.ends_with("/adminPassword")
                            || u.contains("/protectedSettings/")
                            // A gateway connection's keys: write-only on the connection.
                            || u.ends_with("/properties/sharedKey")
                            || u.ends_with("/properties/authorizationKey"),
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

/// Every role assignment anywhere in a template tree: (scope, role id, principal).
fn role_assignments(t: &Value, out: &mut Vec<(String, String, String)>) {
    for r in t["resources"].as_array().into_iter().flatten() {
        if r["type"] == "Microsoft.Resources/deployments" {
            role_assignments(&r["properties"]["template"], out);
        } else if r["type"] == "Microsoft.Authorization/roleAssignments" {
            out.push((
                r["scope"].as_str().unwrap_or_default().to_string(),
                r["properties"]["roleDefinitionId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                r["properties"]["principalId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
    }
}

#[test]
fn only_the_operator_reaches_the_whole_vault_and_workloads_read_only_their_secret() {
    const SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";
    const SECRETS_OFFICER: &str = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    const CERTIFICATES_OFFICER: &str = "a4417e6f-fecd-4de8-b567-7b0420556985";
    let mut checked = 0;
    for (scenario, tree) in common::scenarios() {
        let spec = common::scenario_spec(&scenario);
        let gmsa = spec
            .identity
            .gmsa
            .key_vault_secret
            .as_ref()
            .map(|s| s.as_str().to_string());
        // The new domain controllers' identity reads their promotion secrets, no others.
        let dc_secrets: Vec<String> = spec
            .identity
            .active_directory
            .iter()
            .filter(|a| a.creates_dcs())
            .flat_map(|a| {
                let keys: &[&str] = match a.mode() {
                    akswin_spec::spec::AdMode::Replica => &["safeModePassword", "joinCredential"],
                    _ => &["safeModePassword", "adminPassword"],
                };
                keys.iter()
                    .filter_map(|k| a.domain_controllers.secret_name(k))
                    .collect::<Vec<_>>()
            })
            .collect();
        let certs: Vec<String> = spec
            .ingress
            .front_door
            .iter()
            .flat_map(|f| f.custom_domains.iter())
            .filter_map(|d| d.certificate.key_vault_secret.clone())
            .collect();
        // Each workload with a certificate: its own identity reads that certificate.
        let workload_certs: Vec<(String, String)> = spec
            .workloads
            .iter()
            .filter_map(|w| {
                Some((
                    format!("'id-contoso-legacy-{}'", w.name),
                    w.certificate
                        .as_ref()?
                        .key_vault_secret
                        .as_str()
                        .to_string(),
                ))
            })
            .collect();
        for (file, text) in &tree.files {
            if !file.ends_with(".json") || file.contains("parameters") {
                continue;
            }
            let root: Value = serde_json::from_str(text).expect("json");
            let mut ras = Vec::new();
            role_assignments(&root, &mut ras);
            for (scope, role, principal) in ras {
                if !scope.contains("Microsoft.KeyVault/vaults") {
                    continue;
                }
                checked += 1;
                if scope.contains("Microsoft.KeyVault/vaults/secrets") {
                    let secret = scope
                        .rsplit('\'')
                        .nth(1)
                        .expect("secret name in the scope")
                        .to_string();
                    // The one write on a single secret: the new domain controllers store the
                    // gMSA standard user's credential (deploy.sh active-directory).
                    if role.contains(SECRETS_OFFICER) {
                        assert!(
                            principal.contains("-dc'") && gmsa.as_deref() == Some(secret.as_str()),
                            "{scenario}/{file}: {principal} may write {secret}"
                        );
                        continue;
                    }
                    assert!(role.contains(SECRETS_USER), "{scenario}/{file}: {role}");
                    let kubelet = principal.contains("aks-kubelet");
                    let front_door = principal.contains("Microsoft.Cdn/profiles");
                    let dcs = principal.contains("-dc'");
                    assert!(
                        (kubelet && gmsa.as_deref() == Some(secret.as_str()))
                            || (front_door && certs.contains(&secret))
                            || (dcs && dc_secrets.contains(&secret))
                            || workload_certs
                                .iter()
                                .any(|(id, c)| principal.contains(id.as_str()) && *c == secret),
                        "{scenario}/{file}: {principal} may read {secret}"
                    );
                } else {
                    // Vault-wide: only the operator who sets the secrets.
                    assert!(
                        (role.contains(SECRETS_OFFICER) || role.contains(CERTIFICATES_OFFICER))
                            && principal.contains("parameters('operatorObjectId')"),
                        "{scenario}/{file}: vault-wide {role} for {principal}"
                    );
                }
            }
        }
    }
    assert!(checked >= 6, "only {checked} vault role assignments seen");
}
