//! The user's request for a Kerberos workload keeps one host name from the browser to the
//! application proxy: Front Door serves the custom domain, asks the proxy for the same name,
//! and the proxy publishes that name (with the same certificate) as the external URL.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use serde_json::Value;

fn origin_group_and_origin(frontdoor: &Value) -> (Value, Value) {
    let res = frontdoor["resources"].as_array().unwrap();
    let group = res
        .iter()
        .find(|r| r["type"] == "Microsoft.Cdn/profiles/originGroups")
        .unwrap()
        .clone();
    let origin = res
        .iter()
        .find(|r| r["type"] == "Microsoft.Cdn/profiles/originGroups/origins")
        .unwrap()
        .clone();
    (group, origin)
}

#[test]
fn a_kerberos_request_keeps_one_host_name_through_front_door_and_the_application_proxy() {
    let spec = common::load(akswin_spec::BASELINE_YAML);
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    let host = spec.ingress.front_door.as_ref().unwrap().custom_domains[0]
        .host
        .to_string();
    let fd: Value = serde_json::from_str(&tree.files["arm/frontdoor.json"]).unwrap();
    let (group, origin) = origin_group_and_origin(&fd);
    // Front Door asks the proxy for the custom domain, not for its msappproxy.net name.
    assert_eq!(origin["properties"]["originHostHeader"], host.as_str());
    assert_eq!(
        origin["properties"]["hostName"],
        "[parameters('appProxyExternalHost')]"
    );
    // One origin, no probe (pre-authentication would answer it with a redirect).
    assert!(group["properties"].get("healthProbeSettings").is_none());
    // The proxy publishes the same name, with the certificate from Key Vault.
    let script = &tree.files["scripts/Publish-AppProxy.ps1"];
    assert!(
        script.contains(&format!("[string] $ExternalUrl = 'https://{host}/'")),
        "{script}"
    );
    assert!(script.contains("verifiedCustomDomainKeyCredential"));
    assert!(script.contains(&format!(
        "$certificateSecret = '{}'",
        spec.ingress.front_door.as_ref().unwrap().custom_domains[0]
            .certificate
            .key_vault_secret
            .as_deref()
            .unwrap()
    )));
    // The internal URL is the same name (no link translation needed).
    assert!(script.contains(&format!("$internalUrl = 'https://{host}/'")));
}

#[test]
fn without_a_custom_domain_the_proxy_keeps_its_msappproxy_name() {
    let text = akswin_spec::BASELINE_YAML;
    let mut spec = common::load(text);
    if let Some(fd) = spec.ingress.front_door.as_mut() {
        fd.custom_domains.clear();
    }
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    let fd: Value = serde_json::from_str(&tree.files["arm/frontdoor.json"]).unwrap();
    let (_, origin) = origin_group_and_origin(&fd);
    assert_eq!(
        origin["properties"]["originHostHeader"],
        "[parameters('appProxyExternalHost')]"
    );
    let script = &tree.files["scripts/Publish-AppProxy.ps1"];
    assert!(script.contains("[string] $ExternalUrl = ''"), "{script}");
    assert!(script.contains("$certificateSecret = ''"));
}

#[test]
fn front_door_can_read_its_certificates_after_the_platform_vault_closes() {
    let spec = common::load(akswin_spec::BASELINE_YAML);
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    let n = &plan.names;
    let bootstrap: Value = serde_json::from_str(&tree.files["arm/bootstrap.json"]).unwrap();
    let fd_vault = bootstrap["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["type"] == "Microsoft.KeyVault/vaults" && r["name"] == n.key_vault_front_door.as_str()
        })
        .expect("Front Door's vault is bootstrapped");
    // Front Door reads through the trusted-services bypass; the operator imports from its IP.
    let p = &fd_vault["properties"];
    assert_eq!(p["publicNetworkAccess"], "Enabled");
    assert_eq!(p["networkAcls"]["defaultAction"], "Deny");
    assert_eq!(p["networkAcls"]["bypass"], "AzureServices");
    assert_eq!(p["enableRbacAuthorization"], true);
    // main.json (which closes the platform vault) never redeploys it.
    assert!(!tree.files["arm/main.json"].contains(&format!("'{}'", n.key_vault_front_door)));
    assert!(!tree.files["arm/main.json"].contains(&format!("\"{}\"", n.key_vault_front_door)));
    // Front Door's certificate secrets and its role assignments name that vault.
    let fd = &tree.files["arm/frontdoor.json"];
    assert!(fd.contains(&format!(
        "'Microsoft.KeyVault/vaults/secrets', '{}', 'legacy-contoso-tls'",
        n.key_vault_front_door
    )));
    assert!(fd.contains(&format!(
        "resourceId('Microsoft.KeyVault/vaults', '{}')",
        n.key_vault_front_door
    )));
    assert!(
        !fd.contains(&format!("'{}'", n.key_vault)),
        "no platform vault in frontdoor.json"
    );
}
