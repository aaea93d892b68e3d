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
        "[parameters('appProxyHostLegacyweb')]"
    );
    // One origin, no probe (pre-authentication would answer it with a redirect).
    assert!(group["properties"].get("healthProbeSettings").is_none());
    // The proxy publishes the same name, with the certificate from Key Vault.
    let script = &tree.files["scripts/Publish-AppProxy.ps1"];
    assert!(
        script.contains(&format!("ExternalUrl = 'https://{host}/'")),
        "{script}"
    );
    assert!(script.contains("verifiedCustomDomainKeyCredential"));
    assert!(script.contains(&format!(
        "CertificateSecret = '{}'",
        spec.ingress.front_door.as_ref().unwrap().custom_domains[0]
            .certificate
            .key_vault_secret
            .as_deref()
            .unwrap()
    )));
    // The internal URL is a name in the AD domain, apart from the public one: a record for
    // the public name in AD DNS would send users who resolve through AD around Front Door.
    let route = &plan.ingress[0];
    assert_ne!(route.internal_host, host);
    assert!(route.internal_host.ends_with(".corp.contoso.com"));
    assert!(script.contains(&format!("InternalUrl = 'https://{}/'", route.internal_host)));
    assert_eq!(
        route.spn.as_deref(),
        Some(format!("HTTP/{}", route.internal_host).as_str())
    );
    let dns = &tree.files["scripts/Set-InternalDnsRecord.ps1"];
    assert!(!dns.contains(&format!("HostName = '{host}'")), "{dns}");
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
        "[parameters('appProxyHostLegacyweb')]"
    );
    let script = &tree.files["scripts/Publish-AppProxy.ps1"];
    assert!(script.contains("ExternalUrl = ''"), "{script}");
    assert!(script.contains("CertificateSecret = ''"));
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
    // main.json (which closes the platform vault) never redeploys it: it names it only as
    // the scope of its diagnostic setting (its audit log goes to the workspace).
    let main = &tree.files["arm/main.json"];
    assert!(!main.contains(&format!("\"{}\"", n.key_vault_front_door)));
    let named: Vec<&str> = main
        .lines()
        .filter(|l| l.contains(&format!("'{}'", n.key_vault_front_door)))
        .collect();
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(named[0].trim_start().starts_with("\"scope\""), "{named:?}");
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

/// Every workload with a port, in every scenario, is on its path and nowhere else: a Front
/// Door route with its own origin (the application proxy for Kerberos, the workload's Private
/// Link Service otherwise, the same one its Service creates), its custom domain; behind the
/// proxy its own application, SPN and DNS record; an internal workload on no route at all.
#[test]
fn every_workload_appears_in_front_doors_routes_on_its_path() {
    use akswin_spec::spec::IngressPath;
    for (name, text) in common::scenario_specs() {
        let spec = common::load(&text);
        let plan = akswin_plan::plan(&spec);
        let tree = akswin_render::render(&spec, &plan, "test");
        let Some(fd_text) = tree.files.get("arm/frontdoor.json") else {
            continue;
        };
        let fd: Value = serde_json::from_str(fd_text).unwrap();
        let res = fd["resources"].as_array().unwrap();
        let named = |ty: &str, suffix: &str| {
            res.iter()
                .find(|r| r["type"] == ty && r["name"].as_str().unwrap().ends_with(suffix))
                .cloned()
        };
        let routes = res
            .iter()
            .filter(|r| r["type"] == "Microsoft.Cdn/profiles/afdEndpoints/routes")
            .count();
        assert_eq!(
            routes,
            plan.ingress
                .iter()
                .filter(|r| r.front_door_route.is_some())
                .count(),
            "{name}: one route per published workload"
        );
        let publish = tree
            .files
            .get("scripts/Publish-AppProxy.ps1")
            .cloned()
            .unwrap_or_default();
        let gmsa = tree
            .files
            .get("scripts/Set-Gmsa.ps1")
            .cloned()
            .unwrap_or_default();
        let dns = tree
            .files
            .get("scripts/Set-InternalDnsRecord.ps1")
            .cloned()
            .unwrap_or_default();
        for r in &plan.ingress {
            let service = &tree.files[&format!("k8s/{}.yaml", r.workload)];
            let Some(route) = &r.front_door_route else {
                assert_eq!(r.path, IngressPath::Internal, "{name}/{}", r.workload);
                assert!(
                    !service.contains("azure-pls-create"),
                    "{name}/{}",
                    r.workload
                );
                assert!(!publish.contains(&format!("Workload = '{}'", r.workload)));
                continue;
            };
            let rt = named(
                "Microsoft.Cdn/profiles/afdEndpoints/routes",
                &format!("/{route}"),
            )
            .unwrap_or_else(|| panic!("{name}: no route for {}", r.workload));
            assert!(
                rt["properties"]["originGroup"]["id"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("'{route}')]")),
                "{name}: {rt}"
            );
            let domains = rt["properties"]["customDomains"].to_string();
            if r.custom_domain {
                assert!(
                    domains.contains(&r.host.replace('.', "-")),
                    "{name}: {domains}"
                );
            }
            let origin = named(
                "Microsoft.Cdn/profiles/originGroups/origins",
                &format!("/{route}/{route}"),
            )
            .unwrap_or_else(|| panic!("{name}: no origin for {}", r.workload));
            let p = &origin["properties"];
            match r.path {
                IngressPath::AppProxy => {
                    assert!(
                        p.get("sharedPrivateLinkResource").is_none(),
                        "{name}: {origin}"
                    );
                    let app = r.app_proxy_app.as_deref().unwrap();
                    assert!(
                        publish.contains(&format!("DisplayName = '{app}'")),
                        "{name}: {publish}"
                    );
                    if let Some(spn) = &r.spn {
                        assert!(gmsa.contains(&format!("$spn = '{spn}'")), "{name}: {gmsa}");
                    }
                    if let Some(ip) = r.ip {
                        assert!(
                            dns.contains(&format!(
                                "@{{ HostName = '{}'; Ip = '{ip}' }}",
                                r.internal_host
                            )),
                            "{name}: {dns}"
                        );
                    }
                }
                IngressPath::PrivateLink => {
                    let pls = r.private_link_service.as_deref().unwrap();
                    let id = p["sharedPrivateLinkResource"]["privateLink"]["id"].to_string();
                    assert!(id.contains(&format!("'{pls}'")), "{name}: {id}");
                    assert_eq!(p["hostName"], r.ip.unwrap().to_string().as_str());
                    assert_eq!(p["httpsPort"], r.port);
                    assert!(
                        service.contains(&format!("azure-pls-name: {pls}")),
                        "{name}: {service}"
                    );
                    assert!(!publish.contains(&format!("Workload = '{}'", r.workload)));
                }
                IngressPath::Internal => panic!("{name}: an internal workload on a route"),
            }
        }
    }
}

/// A Private Link workload on a plain-HTTP port is reached over HTTP on that port (its traffic
/// stays on Private Link), and the runbook warns about redirect URIs for apps that sign in.
#[test]
fn a_plain_http_private_link_origin_forwards_http_on_its_port() {
    let mut spec = common::scenario_spec("mixed-auth");
    let orders = spec
        .workloads
        .iter_mut()
        .find(|w| w.name == "orders")
        .unwrap();
    orders.port = Some(8080);
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    let fd: Value = serde_json::from_str(&tree.files["arm/frontdoor.json"]).unwrap();
    let res = fd["resources"].as_array().unwrap();
    let route = res
        .iter()
        .find(|r| {
            r["name"].as_str().unwrap().ends_with("/orders")
                && r["type"] == "Microsoft.Cdn/profiles/afdEndpoints/routes"
        })
        .unwrap();
    assert_eq!(route["properties"]["forwardingProtocol"], "HttpOnly");
    let origin = res
        .iter()
        .find(|r| {
            r["type"] == "Microsoft.Cdn/profiles/originGroups/origins"
                && r["name"].as_str().unwrap().ends_with("/orders/orders")
        })
        .unwrap();
    assert_eq!(origin["properties"]["httpPort"], 8080);
    assert!(tree.files["README.md"].contains("over plain HTTP through Private Link"));
    let service = &tree.files["k8s/orders.yaml"];
    assert!(service.contains("name: http\n"), "{service}");
}

/// Publishing more workloads (mixed-auth is the baseline plus an Entra workload through
/// Private Link and an internal one) changes no platform template: the Private Link Service
/// comes from the Service, the routes from frontdoor.json. Guards the scenario against drifting
/// from the baseline it illustrates.
#[test]
fn more_workloads_change_no_platform_template() {
    let mixed = common::scenario_spec("mixed-auth");
    let base = common::load(akswin_spec::BASELINE_YAML);
    let render = |s: &akswin_spec::Spec| akswin_render::render(s, &akswin_plan::plan(s), "test");
    let (m, b) = (render(&mixed), render(&base));
    // Apart from the workloads' own identities (one per workload with a certificate).
    let platform = |t: &str| {
        let mut v: serde_json::Value = serde_json::from_str(t).unwrap();
        let rs = v["resources"].as_array_mut().unwrap();
        let ids: Vec<serde_json::Value> = rs
            .iter()
            .filter(|r| r["name"] == "akswin-workload-identity")
            .flat_map(|r| {
                r["properties"]["template"]["resources"]
                    .as_array()
                    .unwrap()
                    .clone()
            })
            .filter(|r| r["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities")
            .map(|r| r["name"].clone())
            .collect();
        rs.retain(|r| r["name"] != "akswin-workload-identity");
        // and apart from the alerts (they name the Windows workloads' namespaces) and the
        // policy assignments (they exempt the images that run as ContainerAdministrator).
        for d in rs.iter_mut() {
            if let Some(inner) = d["properties"]["template"]["resources"].as_array_mut() {
                inner.retain(|r| {
                    r["type"] != "Microsoft.Insights/scheduledQueryRules"
                        && r["type"] != "Microsoft.Authorization/policyAssignments"
                });
            }
        }
        (v, ids)
    };
    let (mp, mids) = platform(&m.files["arm/main.json"]);
    let (bp, bids) = platform(&b.files["arm/main.json"]);
    assert!(
        mp == bp,
        "mixed-auth's platform templates differ from the baseline's"
    );
    assert_eq!(bids, ["id-contoso-legacy-legacyweb"]);
    assert_eq!(
        mids,
        ["id-contoso-legacy-legacyweb", "id-contoso-legacy-orders"]
    );
    assert_ne!(m.files["arm/frontdoor.json"], b.files["arm/frontdoor.json"]);
}

/// `translateHostHeader: false` reaches the application proxy's publishing settings.
#[test]
fn host_header_translation_follows_the_spec() {
    let mut spec = common::load(akswin_spec::BASELINE_YAML);
    let plan = akswin_plan::plan(&spec);
    let on = akswin_render::render(&spec, &plan, "test");
    assert!(on.files["scripts/Publish-AppProxy.ps1"].contains("TranslateHostHeader = $true;"));
    spec.workloads[0].translate_host_header = false;
    let plan = akswin_plan::plan(&spec);
    let off = akswin_render::render(&spec, &plan, "test");
    let script = &off.files["scripts/Publish-AppProxy.ps1"];
    assert!(script.contains("TranslateHostHeader = $false;"), "{script}");
    assert!(script.contains("isTranslateHostHeaderEnabled = $a.TranslateHostHeader"));
}
