//! `frontdoor.json`: Front Door profile, WAF policy, origin, routes, custom domains and certificates.

use super::*;

impl Arm<'_> {
    pub(super) fn needs_app_proxy_host(&self) -> bool {
        self.spec.ingress.front_door.is_some()
            && self.front_door_origin() == FrontDoorOrigin::AppProxy
    }

    pub(super) fn front_door_origin(&self) -> FrontDoorOrigin {
        self.spec.ingress.front_door_origin()
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

    /// Whether `frontdoor.json` takes the application proxy's external host as a parameter.
    pub fn front_door_needs_host(&self) -> bool {
        self.needs_app_proxy_host() && self.spec.ingress.app_proxy.external_host.is_none()
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
        // One origin: no health probes, as Front Door recommends for a single origin (a probe
        // can only take the one origin out of service); behind the application proxy's
        // pre-authentication a probe would get a redirect, never a 200, anyway.
        res.push(json!({
            "type": "Microsoft.Cdn/profiles/originGroups",
            "apiVersion": API_CDN,
            "name": format!("{}/app", n.front_door),
            "properties": {
                "loadBalancingSettings": { "sampleSize": 4, "successfulSamplesRequired": 3, "additionalLatencyInMilliseconds": 50 },
                "sessionAffinityState": "Disabled",
            },
            "dependsOn": [profile],
        }));
        let mut origin = json!({
            "type": "Microsoft.Cdn/profiles/originGroups/origins",
            "apiVersion": API_CDN,
            "name": format!("{}/app/app", n.front_door),
            "properties": {
                "httpPort": 80,
                "httpsPort": 443,
                "priority": 1,
                "weight": 1000,
                "enabledState": "Enabled",
                "enforceCertificateNameCheck": true,
            },
            "dependsOn": [expr::resource_id("Microsoft.Cdn/profiles/originGroups", &[&n.front_door, "app"]).template()],
        });
        match self.front_door_origin() {
            FrontDoorOrigin::AppProxy => {
                let host = self
                    .spec
                    .ingress
                    .app_proxy
                    .external_host
                    .clone()
                    .unwrap_or_else(|| "[parameters('appProxyExternalHost')]".into());
                origin["properties"]["hostName"] = s(&host);
                // One host name end to end: the application proxy publishes the custom domain
                // too, so the origin is asked for it and answers with it (redirects, cookies).
                origin["properties"]["originHostHeader"] = s(&fd
                    .custom_domains
                    .first()
                    .map(|d| d.host.to_string())
                    .unwrap_or(host));
            }
            FrontDoorOrigin::PrivateLink => {
                let ip = self
                    .plan
                    .addresses
                    .internal_load_balancer_ip
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                origin["properties"]["hostName"] = s(&ip);
                origin["properties"]["originHostHeader"] = s(&fd
                    .custom_domains
                    .first()
                    .map(|d| d.host.to_string())
                    .unwrap_or(ip));
                origin["properties"]["sharedPrivateLinkResource"] = json!({
                    "privateLink": { "id": rid_rg(&n.rg_nodes, "Microsoft.Network/privateLinkServices", &n.pls) },
                    "privateLinkLocation": self.spec.location,
                    "requestMessage": format!("Front Door {} to {}", n.front_door, n.cluster),
                });
            }
        }
        res.push(origin);
        let mut domain_ids = Vec::new();
        for d in &fd.custom_domains {
            let dn = d.host.replace('.', "-");
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
        let endpoint = expr::resource_id(
            "Microsoft.Cdn/profiles/afdEndpoints",
            &[&n.front_door, &n.afd_endpoint],
        );
        let mut route_deps = vec![
            endpoint.clone(),
            expr::resource_id(
                "Microsoft.Cdn/profiles/originGroups/origins",
                &[&n.front_door, "app", "app"],
            ),
        ];
        route_deps.extend(domain_ids.iter().cloned());
        res.push(json!({
            "type": "Microsoft.Cdn/profiles/afdEndpoints/routes",
            "apiVersion": API_CDN,
            "name": format!("{}/{}/app", n.front_door, n.afd_endpoint),
            "properties": {
                "originGroup": { "id": expr::resource_id("Microsoft.Cdn/profiles/originGroups", &[&n.front_door, "app"]) },
                "customDomains": domain_ids.iter().map(|d| json!({ "id": d })).collect::<Vec<_>>(),
                "supportedProtocols": if fd.allow_http { json!(["Http", "Https"]) } else { json!(["Https"]) },
                "patternsToMatch": ["/*"],
                "forwardingProtocol": "HttpsOnly",
                "linkToDefaultDomain": "Enabled",
                "httpsRedirect": if fd.https_redirect { "Enabled" } else { "Disabled" },
                "enabledState": "Enabled",
            },
            "dependsOn": route_deps,
        }));
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
        let params = if self.front_door_needs_host() {
            json!({ "appProxyExternalHost": { "type": "string", "minLength": 1, "metadata": { "description": "External host name Microsoft Entra application proxy assigned to the published application (e.g. app-contoso.msappproxy.net)" } } })
        } else {
            json!({})
        };
        rg_template(res, params, json!({}))
    }
}
