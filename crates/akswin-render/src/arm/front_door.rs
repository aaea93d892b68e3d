//! `frontdoor.json`: Front Door profile, WAF policy, origin, routes, custom domains and certificates.

use super::*;
use akswin_spec::spec::IngressPath;

impl Arm<'_> {
    /// The workloads Front Door routes to, with their resolved paths.
    pub(super) fn front_door_routes(&self) -> Vec<&akswin_plan::ingress::IngressRoute> {
        self.plan
            .ingress
            .iter()
            .filter(|r| r.front_door_route.is_some())
            .collect()
    }

    /// Front Door (resource-group scope, shared resource group). A separate, later step: its
    /// origin exists only once the application is published in the application proxy (or,
    /// with Private Link, once the Kubernetes Service has created the Private Link Service).
    pub fn front_door(&self) -> Option<Value> {
        self.spec.ingress.front_door.as_ref()?;
        let mut t = self.front_door_template();
        t["metadata"] = self.metadata();
        Some(t)
    }

    /// The parameters `frontdoor.json` takes: the application proxy's external host of each
    /// workload published through it whose host the spec does not give.
    pub fn front_door_host_parameters(&self) -> Vec<&akswin_plan::ingress::IngressRoute> {
        self.front_door_routes()
            .into_iter()
            .filter(|r| r.external_host_parameter.is_some())
            .collect()
    }

    pub(super) fn front_door_template(&self) -> Value {
        let n = self.n;
        let Some(fd) = &self.spec.ingress.front_door else {
            return rg_template(Vec::new(), json!({}), json!({}));
        };
        let mut res = Vec::new();
        let sku = match fd.sku {
            akswin_spec::spec::FrontDoorSku::Premium => "Premium_AzureFrontDoor",
            akswin_spec::spec::FrontDoorSku::Standard => "Standard_AzureFrontDoor",
        };
        if let Some(waf) = &fd.waf {
            let sets: Vec<Value> = waf
                .managed_rule_sets
                .iter()
                .map(|r| {
                    let version = RULE_SET_VERSIONS
                        .iter()
                        .find(|(n, _)| n == r)
                        .map_or("1.0", |(_, v)| *v);
                    let mut set = json!({ "ruleSetType": r, "ruleSetVersion": version });
                    if r.contains("DefaultRuleSet") {
                        set["ruleSetAction"] = s("Block");
                    }
                    set
                })
                .collect();
            res.push(json!({
                "type": "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies",
                "apiVersion": API_FD_WAF,
                "name": n.waf,
                "location": "Global",
                "tags": self.tags(),
                "sku": { "name": sku },
                "properties": {
                    "policySettings": {
                        "enabledState": "Enabled",
                        "mode": match waf.mode { WafMode::Prevention => "Prevention", WafMode::Detection => "Detection" },
                        "requestBodyCheck": "Enabled",
                    },
                    "managedRules": { "managedRuleSets": sets },
                }
            }));
        }
        res.push(json!({
            "type": "Microsoft.Cdn/profiles",
            "apiVersion": API_CDN,
            "name": n.front_door,
            "location": "global",
            "tags": self.tags(),
            "sku": { "name": sku },
            // Its own identity reads the certificates from Key Vault (RBAC on this vault only),
            // instead of the multi-tenant Front Door application every profile shares.
            "identity": { "type": "SystemAssigned" },
            "properties": { "originResponseTimeoutSeconds": 60 },
        }));
        let profile = rid("Microsoft.Cdn/profiles", &n.front_door);
        // Front Door's identity reads each certificate's secret and nothing else in the vault:
        // one Key Vault Secrets User assignment per certificate, scoped to that secret.
        let mut cert_readers: std::collections::BTreeMap<String, Expr> = Default::default();
        for d in &fd.custom_domains {
            if d.certificate.source == CertificateSource::KeyVault
                && let Some(secret) = &d.certificate.key_vault_secret
                && !cert_readers.contains_key(secret)
            {
                let scope = secret_scope(&n.key_vault_front_door, secret);
                let seed = format!("front-door-certificate-{secret}");
                res.push(role_assignment(
                    &seed,
                    &scope,
                    ROLE_KV_SECRETS_USER,
                    &expr::reference_full(profile.clone(), API_CDN)
                        .prop("identity")
                        .prop("principalId"),
                    std::slice::from_ref(&profile),
                ));
                cert_readers.insert(
                    secret.clone(),
                    expr::call(
                        "extensionResourceId",
                        vec![
                            scope.clone(),
                            expr::lit("Microsoft.Authorization/roleAssignments"),
                            role_assignment_name(&scope, ROLE_KV_SECRETS_USER, &seed),
                        ],
                    ),
                );
            }
        }
        res.push(json!({
            "type": "Microsoft.Cdn/profiles/afdEndpoints",
            "apiVersion": API_CDN,
            "name": format!("{}/{}", n.front_door, n.afd_endpoint),
            "location": "global",
            "properties": { "enabledState": "Enabled" },
            "dependsOn": [profile],
        }));
        let mut domain_ids = Vec::new();
        for d in &fd.custom_domains {
            let dn = custom_domain_name(&d.host);
            let mut tls = json!({ "certificateType": "ManagedCertificate", "minimumTlsVersion": fd.minimum_tls_version.front_door() });
            let mut deps = vec![profile.clone()];
            if d.certificate.source == CertificateSource::KeyVault
                && let Some(secret) = &d.certificate.key_vault_secret
            {
                let sname = format!("cert-{dn}");
                res.push(json!({
                    "type": "Microsoft.Cdn/profiles/secrets",
                    "apiVersion": API_CDN,
                    "name": format!("{}/{sname}", n.front_door),
                    "properties": {
                        "parameters": {
                            "type": "CustomerCertificate",
                            "secretSource": { "id": expr::concat(vec![expr::resource_id("Microsoft.KeyVault/vaults", &[&n.key_vault_front_door]), expr::lit(format!("/secrets/{secret}"))]) },
                            "useLatestVersion": true,
                        }
                    },
                    "dependsOn": std::iter::once(profile.clone()).chain(cert_readers.get(secret).cloned()).collect::<Vec<_>>(),
                }));
                tls = json!({
                    "certificateType": "CustomerCertificate",
                    "minimumTlsVersion": fd.minimum_tls_version.front_door(),
                    "secret": { "id": expr::resource_id("Microsoft.Cdn/profiles/secrets", &[&n.front_door, &sname]) },
                });
                deps.push(expr::resource_id(
                    "Microsoft.Cdn/profiles/secrets",
                    &[&n.front_door, &sname],
                ));
            }
            res.push(json!({
                "type": "Microsoft.Cdn/profiles/customDomains",
                "apiVersion": API_CDN,
                "name": format!("{}/{dn}", n.front_door),
                "properties": { "hostName": d.host, "tlsSettings": tls },
                "dependsOn": deps,
            }));
            domain_ids.push(expr::resource_id(
                "Microsoft.Cdn/profiles/customDomains",
                &[&n.front_door, &dn],
            ));
        }
        // One origin group, origin and route per published workload, each on its own path.
        // One origin per group: no health probes, as Front Door recommends for a single origin
        // (a probe can only take the one origin out of service); behind the application
        // proxy's pre-authentication a probe would get a redirect, never a 200, anyway.
        let endpoint = expr::resource_id(
            "Microsoft.Cdn/profiles/afdEndpoints",
            &[&n.front_door, &n.afd_endpoint],
        );
        for r in self.front_door_routes() {
            let Some(route) = r.front_door_route.as_deref() else {
                continue;
            };
            let group_id = expr::resource_id(
                "Microsoft.Cdn/profiles/originGroups",
                &[&n.front_door, route],
            );
            res.push(json!({
                "type": "Microsoft.Cdn/profiles/originGroups",
                "apiVersion": API_CDN,
                "name": format!("{}/{route}", n.front_door),
                "properties": {
                    "loadBalancingSettings": { "sampleSize": 4, "successfulSamplesRequired": 3, "additionalLatencyInMilliseconds": 50 },
                    "sessionAffinityState": "Disabled",
                },
                "dependsOn": [profile],
            }));
            let mut origin = json!({
                "type": "Microsoft.Cdn/profiles/originGroups/origins",
                "apiVersion": API_CDN,
                "name": format!("{}/{route}/{route}", n.front_door),
                "properties": {
                    "httpPort": 80,
                    "httpsPort": 443,
                    "priority": 1,
                    "weight": 1000,
                    "enabledState": "Enabled",
                    "enforceCertificateNameCheck": true,
                    // One host name end to end: the origin is asked for the name users
                    // browse to and answers with it (redirects, cookies, Kerberos SPN).
                    "originHostHeader": r.host,
                },
                "dependsOn": [group_id.template()],
            });
            match r.path {
                IngressPath::AppProxy => {
                    let host = match (&r.app_proxy_external_host, &r.external_host_parameter) {
                        (Some(h), _) => h.clone(),
                        (None, Some(p)) => format!("[parameters('{p}')]"),
                        (None, None) => String::new(),
                    };
                    origin["properties"]["hostName"] = s(&host);
                    if !r.custom_domain {
                        // The application proxy answers for its own external host only.
                        origin["properties"]["originHostHeader"] = s(&host);
                    }
                }
                IngressPath::PrivateLink | IngressPath::Internal => {
                    let ip = r.ip.map(|i| i.to_string()).unwrap_or_default();
                    origin["properties"]["hostName"] = s(&ip);
                    // Through Private Link to the Service's port on the load balancer.
                    origin["properties"]["httpsPort"] = json!(r.port);
                    origin["properties"]["httpPort"] = json!(r.port);
                    if let Some(pls) = &r.private_link_service {
                        origin["properties"]["sharedPrivateLinkResource"] = json!({
                            "privateLink": { "id": rid_rg(&n.rg_nodes, "Microsoft.Network/privateLinkServices", pls) },
                            "privateLinkLocation": self.spec.location,
                            "requestMessage": format!("Front Door {} to {} ({})", n.front_door, n.cluster, r.workload),
                        });
                    }
                }
            }
            res.push(origin);
            let domain = fd
                .custom_domains
                .iter()
                .find(|d| r.custom_domain && d.host.as_str() == r.host)
                .map(|d| {
                    expr::resource_id(
                        "Microsoft.Cdn/profiles/customDomains",
                        &[&n.front_door, &d.host.replace('.', "-")],
                    )
                });
            let mut route_deps = vec![
                endpoint.clone(),
                expr::resource_id(
                    "Microsoft.Cdn/profiles/originGroups/origins",
                    &[&n.front_door, route, route],
                ),
            ];
            route_deps.extend(domain.iter().cloned());
            res.push(json!({
                "type": "Microsoft.Cdn/profiles/afdEndpoints/routes",
                "apiVersion": API_CDN,
                "name": format!("{}/{}/{route}", n.front_door, n.afd_endpoint),
                "properties": {
                    "originGroup": { "id": group_id },
                    "customDomains": domain.iter().map(|d| json!({ "id": d })).collect::<Vec<_>>(),
                    "supportedProtocols": if fd.allow_http { json!(["Http", "Https"]) } else { json!(["Https"]) },
                    "patternsToMatch": ["/*"],
                    // TLS to the origin, except a Private Link origin that serves plain HTTP
                    // (a port other than 443 or 8443): its traffic stays on Private Link.
                    "forwardingProtocol": if r.path == IngressPath::PrivateLink && !akswin_spec::spec::port_serves_tls(r.port) { "HttpOnly" } else { "HttpsOnly" },
                    // The endpoint's own *.azurefd.net name reaches the first workload only: two
                    // routes cannot both match /* on one domain.
                    "linkToDefaultDomain": if r.default_domain { "Enabled" } else { "Disabled" },
                    "httpsRedirect": if fd.https_redirect { "Enabled" } else { "Disabled" },
                    "enabledState": "Enabled",
                },
                "dependsOn": route_deps,
            }));
        }
        if fd.waf.is_some() {
            let mut domains = vec![json!({ "id": endpoint })];
            domains.extend(domain_ids.iter().map(|d| json!({ "id": d })));
            let mut deps = vec![
                endpoint.clone(),
                rid(
                    "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies",
                    &n.waf,
                ),
            ];
            deps.extend(domain_ids.iter().cloned());
            res.push(json!({
                "type": "Microsoft.Cdn/profiles/securityPolicies",
                "apiVersion": API_CDN,
                "name": format!("{}/waf", n.front_door),
                "properties": {
                    "parameters": {
                        "type": "WebApplicationFirewall",
                        "wafPolicy": { "id": rid("Microsoft.Network/FrontDoorWebApplicationFirewallPolicies", &n.waf) },
                        "associations": [ { "domains": domains, "patternsToMatch": ["/*"] } ],
                    }
                },
                "dependsOn": deps,
            }));
        }
        let mut params = serde_json::Map::new();
        for r in self.front_door_host_parameters() {
            if let Some(p) = &r.external_host_parameter {
                params.insert(p.clone(), json!({ "type": "string", "minLength": 1, "metadata": { "description": format!("External host name Microsoft Entra application proxy assigned to {} (the application {}; scripts/Publish-AppProxy.ps1 prints it, e.g. {}-contoso.msappproxy.net)", r.workload, r.app_proxy_app.as_deref().unwrap_or_default(), r.workload) } }));
            }
        }
        let params = Value::Object(params);
        self.with_diagnostics(&mut res);
        rg_template(res, params, json!({}))
    }
}

/// The name of a custom domain's resource in the Front Door profile.
pub fn custom_domain_name(host: &str) -> String {
    host.replace('.', "-")
}
