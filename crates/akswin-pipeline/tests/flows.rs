//! The flow verifier on akswin's own render, and on broken variants of it: each way a flow can
//! be refused is found, named, and located.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use akswin_pipeline::flows::{FlowResult, Verdict, verify_flows};
use serde_json::Value;

fn render(
    text: &str,
) -> (
    akswin_spec::Spec,
    akswin_plan::NetworkPlan,
    akswin_render::Tree,
) {
    let l = akswin_spec::load("s.yaml", text.as_bytes()).expect("spec loads");
    let plan = akswin_plan::plan(&l.spec);
    let tree = akswin_render::render(&l.spec, &plan, "test");
    (l.spec, plan, tree)
}

fn show(r: &[&FlowResult]) -> String {
    r.iter()
        .map(|f| {
            format!(
                "{} {} -> {} [{}] {:?}",
                f.id, f.from, f.to, f.expect, f.verdict
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The baseline: a VPN gateway in the hub, and new DCs in the hub (replicas of the
/// on-premises domain).
fn baseline_with_vpn() -> String {
    akswin_spec::BASELINE_YAML.to_string()
}

fn scenario(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../akswin-render/tests/scenarios")
            .join(name),
    )
    .unwrap()
}

/// Change `arm/main.json` and verify again.
fn mutated(edit: impl Fn(&mut Value)) -> Vec<FlowResult> {
    mutated_from(akswin_spec::BASELINE_YAML, edit)
}

/// Change the `arm/main.json` rendered from `text` and verify again.
fn mutated_from(text: &str, edit: impl Fn(&mut Value)) -> Vec<FlowResult> {
    let (spec, plan, mut tree) = render(text);
    let mut main: Value = serde_json::from_str(&tree.files["arm/main.json"]).unwrap();
    edit(&mut main);
    tree.files.insert(
        "arm/main.json".into(),
        serde_json::to_string(&main).unwrap(),
    );
    verify_flows(&spec, &plan, &tree)
}

/// Every resource of every nested template, mutable.
fn each_resource(v: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    for r in v["resources"].as_array_mut().into_iter().flatten() {
        f(r);
        if r["type"] == "Microsoft.Resources/deployments" {
            each_resource(&mut r["properties"]["template"], f);
        }
    }
}

/// Take the route table off the subnets `which` accepts, in every VNet of the templates.
fn drop_route_tables(m: &mut Value, which: &dyn Fn(&str) -> bool) {
    each_resource(m, &mut |r| {
        if r["type"] == "Microsoft.Network/virtualNetworks" {
            for sn in r["properties"]["subnets"]
                .as_array_mut()
                .into_iter()
                .flatten()
            {
                if which(sn["name"].as_str().unwrap_or_default()) {
                    sn["properties"]
                        .as_object_mut()
                        .unwrap()
                        .remove("routeTable");
                }
            }
        }
    });
}

/// Let the route tables whose name ends with `suffix` take the routes a gateway learns.
fn enable_bgp_propagation(m: &mut Value, suffix: &str) {
    each_resource(m, &mut |r| {
        if r["type"] == "Microsoft.Network/routeTables"
            && r["name"].as_str().is_some_and(|n| n.ends_with(suffix))
        {
            r["properties"]["disableBgpRoutePropagation"] = Value::Bool(false);
        }
    });
}

/// Flows the network gets wrong or cannot decide; the platform team's (an existing hub's own
/// subnets or an appliance akswin writes no rules for) are named, not failing.
fn failing(r: &[FlowResult]) -> Vec<&FlowResult> {
    r.iter()
        .filter(|f| !f.ok() && !matches!(f.verdict, Verdict::Platform { .. }))
        .collect()
}

fn existing_hub_scenario() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../akswin-render/tests/scenarios/existing-hub.yaml"),
    )
    .unwrap()
}

#[test]
fn an_existing_hub_with_its_policy_proves_the_flows_through_the_spokes_rule_collection_group() {
    let (spec, plan, tree) = render(&existing_hub_scenario());
    let r = verify_flows(&spec, &plan, &tree);
    assert!(failing(&r).is_empty(), "{}", show(&failing(&r)));
    // Through the hub's firewall, by the rules hub-side.json adds (and nothing else: main.json
    // has no firewall policy).
    assert!(!tree.files["arm/main.json"].contains("ruleCollectionGroups"));
    let by_rcg = r
        .iter()
        .filter(|f| matches!(&f.verdict, Verdict::Allowed { path } if path.iter().any(|h| h.starts_with("firewall afwp-hub-eastus2/rcg-contoso-legacy/"))))
        .count();
    assert!(by_rcg > 40, "{by_rcg}");
    // Windows Update from the Windows nodes, and AD to the on-premises DCs through the hub's
    // gateway.
    for id in ["windows-update", "ad-from-windows", "aks-required"] {
        assert!(
            r.iter()
                .any(|f| f.id == id && matches!(f.verdict, Verdict::Allowed { .. })),
            "{id}"
        );
    }
    // The platform's DNS resolver sits in the hub: its subnets are the platform team's.
    let dns: Vec<_> = r.iter().filter(|f| f.id == "dns-from-nodes").collect();
    assert!(!dns.is_empty());
    assert!(
        dns.iter().all(
            |f| matches!(&f.verdict, Verdict::Platform { what } if what.contains("10.100.1.4"))
        ),
        "{}",
        show(&dns)
    );
    // Deleting the spoke's rule collection group from hub-side.json drops Windows Update.
    let mut cut = tree.clone();
    let mut hs: serde_json::Value = serde_json::from_str(&cut.files["arm/hub-side.json"]).unwrap();
    let deps = hs["resources"].as_array_mut().unwrap();
    deps.retain(|d| {
        !d["name"]
            .as_str()
            .unwrap_or_default()
            .ends_with("-firewall-rules")
    });
    cut.files.insert("arm/hub-side.json".into(), hs.to_string());
    let r = verify_flows(&spec, &plan, &cut);
    assert!(r.iter().any(|f| f.id == "windows-update"
        && matches!(&f.verdict, Verdict::Dropped { at, .. } if at == "firewall")));
}

#[test]
fn an_existing_hub_without_a_policy_names_every_flow_through_its_firewall_as_the_platform_teams() {
    let text = existing_hub_scenario().replace(
        "      firewallPolicyId: /subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-connectivity-eastus2/providers/Microsoft.Network/firewallPolicies/afwp-hub-eastus2\n",
        "",
    );
    let (spec, plan, tree) = render(&text);
    assert!(
        spec.network
            .existing_hub()
            .unwrap()
            .firewall_policy_id
            .is_none()
    );
    assert!(!tree.files["arm/hub-side.json"].contains("ruleCollectionGroups"));
    let r = verify_flows(&spec, &plan, &tree);
    assert!(failing(&r).is_empty(), "{}", show(&failing(&r)));
    let wu: Vec<_> = r.iter().filter(|f| f.id == "windows-update").collect();
    assert!(!wu.is_empty());
    assert!(wu.iter().all(
        |f| matches!(&f.verdict, Verdict::Platform { what } if what.contains("firewall 10.100.0.4"))
    ));
}

#[test]
fn every_flow_of_the_baseline_does_what_the_architecture_needs() {
    let (spec, plan, tree) = render(akswin_spec::BASELINE_YAML);
    let r = verify_flows(&spec, &plan, &tree);
    assert!(r.len() > 80, "{}", r.len());
    let bad = failing(&r);
    assert!(bad.is_empty(), "{}", show(&bad));
    // The catalogue's refusals are refused, where the architecture says.
    let smb: Vec<&FlowResult> = r.iter().filter(|f| f.id == "linux-smb-refused").collect();
    assert!(!smb.is_empty());
    for f in smb {
        assert!(
            matches!(&f.verdict, Verdict::Dropped { at, .. } if at.contains("domain-controllers")),
            "{f:?}"
        );
    }
    for id in [
        "connectors-service",
        "dc-windows-update",
        "dc-servers",
        "bastion-rdp",
        "connectors-app",
    ] {
        assert!(r.iter().any(|f| f.id == id), "{id} applies to the baseline");
    }
}

#[test]
fn every_golden_scenario_passes_every_flow() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../akswin-render/tests/scenarios");
    let mut n = 0;
    let mut through_gateway = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let (spec, plan, tree) = render(&text);
        let r = verify_flows(&spec, &plan, &tree);
        let bad = failing(&r);
        assert!(bad.is_empty(), "{}", show(&bad));
        through_gateway += r
            .iter()
            .filter(|f| matches!(&f.verdict, Verdict::Allowed { path } if path.iter().any(|h| h.contains("to on-premises"))))
            .count();
        n += 1;
    }
    assert!(n >= 3, "{n}");
    // The hybrid scenarios reach their on-premises domain controllers through the gateway.
    assert!(through_gateway > 20, "{through_gateway}");
}

#[test]
fn on_premises_without_a_gateway_is_dropped_where_the_route_ends() {
    // The existing gateway is known from the spoke peering's useRemoteGateways; without it
    // (and without gateway transit) no route leads on premises.
    let r = mutated_from(&scenario("overlay-existing-dcs.yaml"), |m| {
        each_resource(m, &mut |r| {
            if r["type"] == "Microsoft.Network/virtualNetworks/virtualNetworkPeerings" {
                r["properties"]["useRemoteGateways"] = Value::Bool(false);
            }
        })
    });
    let kerberos: Vec<&FlowResult> = r
        .iter()
        .filter(|f| f.id == "ad-from-windows" && f.to.contains("TCP 88"))
        .collect();
    assert!(!kerberos.is_empty());
    for f in kerberos {
        assert!(
            matches!(&f.verdict, Verdict::Dropped { why, .. } if why.contains("no gateway")),
            "{f:?}"
        );
    }
}

#[test]
fn a_gateway_subnet_without_its_route_table_drops_the_reply_from_on_premises() {
    // The request goes through the firewall; the reply from on-premises would come straight
    // back over the peering, and the firewall drops a flow it saw only half of.
    let r = mutated_from(&scenario("hybrid-vpn-existing-dcs.yaml"), |m| {
        drop_route_tables(m, &|sn| sn == "GatewaySubnet")
    });
    let bad = failing(&r);
    assert!(
        bad.iter().any(|f| f.id == "ad-from-windows"),
        "{}",
        show(&bad)
    );
    for f in bad {
        assert!(
            matches!(&f.verdict, Verdict::Dropped { at, .. } if at.contains("reply from GatewaySubnet")),
            "{f:?}"
        );
    }
}

#[test]
fn bgp_routes_on_a_spoke_subnet_bypass_the_firewall_and_break_the_reply() {
    let r = mutated_from(&scenario("hybrid-vpn-existing-dcs.yaml"), |m| {
        enable_bgp_propagation(m, "-egress")
    });
    let f = r
        .iter()
        .find(|f| f.id == "ad-from-windows" && f.to.contains("TCP 88"))
        .expect("kerberos flow");
    assert!(
        matches!(&f.verdict, Verdict::Dropped { why, .. } if why.contains("bypassed the firewall")),
        "{f:?}"
    );
}

#[test]
fn domain_controllers_learning_on_premises_routes_break_the_inspected_path_from_on_premises() {
    let text = baseline_with_vpn();
    let (spec, plan, tree) = render(&text);
    let ok = verify_flows(&spec, &plan, &tree);
    assert!(ok.iter().any(|f| f.id == "onprem-to-dcs"));
    assert!(failing(&ok).is_empty(), "{}", show(&failing(&ok)));
    let r = mutated_from(&text, |m| enable_bgp_propagation(m, "-dc-egress"));
    let bad = failing(&r);
    assert!(
        bad.iter().any(|f| f.id == "onprem-to-dcs"),
        "{}",
        show(&bad)
    );
    for f in bad.iter().filter(|f| f.id == "onprem-to-dcs") {
        assert!(
            matches!(&f.verdict, Verdict::Dropped { at, .. } if at.contains("reply from snet-domain-controllers")),
            "{f:?}"
        );
    }
}

#[test]
fn a_missing_firewall_rule_collection_drops_the_connectors_at_the_firewall() {
    let r = mutated(|main| {
        each_resource(main, &mut |res| {
            if res["name"]
                .as_str()
                .is_some_and(|n| n.ends_with("/connectors"))
            {
                res["properties"]["ruleCollections"] = serde_json::json!([]);
            }
        })
    });
    let bad = failing(&r);
    let msappproxy = bad
        .iter()
        .find(|f| f.id == "connectors-service" && f.to.starts_with("*.msappproxy.net"))
        .unwrap_or_else(|| panic!("{}", show(&bad)));
    assert!(
        matches!(&msappproxy.verdict, Verdict::Dropped { at, why } if at == "firewall" && why.contains("no rule allows")),
        "{msappproxy:?}"
    );
    assert_eq!(msappproxy.field, "/ingress/appProxy");
}

#[test]
fn a_higher_priority_nsg_deny_drops_kerberos_from_the_windows_nodes() {
    let r = mutated(|main| {
        each_resource(main, &mut |res| {
            if res["name"] == "nsg-contoso-legacy-windows-nodes" {
                res["properties"]["securityRules"]
                    .as_array_mut()
                    .unwrap()
                    .push(serde_json::json!({ "name": "deny-kerberos", "properties": {
                        "priority": 900, "direction": "Outbound", "access": "Deny", "protocol": "*",
                        "sourceAddressPrefix": "*", "sourcePortRange": "*",
                        "destinationAddressPrefix": "*", "destinationPortRange": "88" } }));
            }
        })
    });
    let bad = failing(&r);
    assert!(!bad.is_empty());
    for f in &bad {
        assert!(f.to.contains(" 88"), "only port 88 is hit: {}", show(&bad));
        assert!(
            matches!(&f.verdict, Verdict::Dropped { why, .. } if why.contains("deny-kerberos") && why.contains("priority 900")),
            "{f:?}"
        );
    }
    assert!(bad.iter().any(|f| f.id == "ad-from-windows"));
}

#[test]
fn a_route_to_the_firewall_without_a_matching_rule_drops_kms() {
    let r = mutated(|main| {
        each_resource(main, &mut |res| {
            if res["type"] == "Microsoft.Network/firewallPolicies/ruleCollectionGroups" {
                for c in res["properties"]["ruleCollections"]
                    .as_array_mut()
                    .into_iter()
                    .flatten()
                {
                    if let Some(rules) = c["rules"].as_array_mut() {
                        rules.retain(|x| {
                            !x["destinationPorts"]
                                .as_array()
                                .is_some_and(|p| p.iter().any(|p| p.as_str() == Some("1688")))
                        });
                    }
                }
            }
        })
    });
    let kms: Vec<&FlowResult> = failing(&r)
        .into_iter()
        .filter(|f| f.to.ends_with("TCP 1688"))
        .collect();
    assert!(kms.iter().any(|f| f.id == "dc-servers"), "{}", show(&kms));
    assert!(
        kms.iter()
            .all(|f| matches!(&f.verdict, Verdict::Dropped { at, .. } if at == "firewall"))
    );
}

#[test]
fn a_private_subnet_without_a_route_out_drops_the_domain_controllers_updates() {
    let r = mutated(|main| drop_route_tables(main, &|_| true));
    let dc: Vec<&FlowResult> = failing(&r)
        .into_iter()
        .filter(|f| f.id == "dc-windows-update")
        .collect();
    assert!(!dc.is_empty());
    assert!(
        dc.iter().all(
            |f| matches!(&f.verdict, Verdict::Dropped { why, .. } if why.contains("private subnet"))
        ),
        "{}",
        show(&dc)
    );
}

#[test]
fn what_cannot_be_resolved_is_unknown_never_allowed() {
    let r = mutated(|main| {
        each_resource(main, &mut |res| {
            if res["name"] == "nsg-contoso-legacy-domain-controllers" {
                for rule in res["properties"]["securityRules"]
                    .as_array_mut()
                    .into_iter()
                    .flatten()
                {
                    if rule["name"] == "allow-ad-tcp-88" {
                        rule["properties"]["sourceAddressPrefix"] =
                            serde_json::json!("AzureCloud.eastus2");
                    }
                }
            }
        })
    });
    let k: Vec<&FlowResult> = r
        .iter()
        .filter(|f| f.id == "ad-from-windows" && f.to.ends_with("TCP 88"))
        .collect();
    assert!(!k.is_empty());
    for f in k {
        assert!(
            matches!(&f.verdict, Verdict::Unknown { what } if what.contains("AzureCloud.eastus2")),
            "{f:?}"
        );
        assert!(!f.ok());
    }
}

#[test]
fn a_refusal_the_architecture_needs_fails_when_the_network_lets_it_through() {
    let r = mutated(|main| {
        each_resource(main, &mut |res| {
            if res["name"] == "nsg-contoso-legacy-domain-controllers" {
                res["properties"]["securityRules"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|x| x["name"] != "deny-vnet-inbound");
            }
        })
    });
    let smb: Vec<&FlowResult> = failing(&r)
        .into_iter()
        .filter(|f| f.id == "linux-smb-refused")
        .collect();
    assert!(!smb.is_empty());
    assert!(
        smb.iter()
            .all(|f| matches!(f.verdict, Verdict::Allowed { .. }))
    );
}

/// Every rule collection and every NSG allow rule akswin renders is there for a flow: deleting
/// any one of them makes some flow of the catalogue fail (the user's own rules excepted).
#[test]
fn every_rendered_collection_and_nsg_allow_carries_a_flow() {
    for text in [
        akswin_spec::BASELINE_YAML.to_string(),
        baseline_with_vpn(),
        scenario("hybrid-vpn-existing-dcs.yaml"),
    ] {
        every_rule_carries_a_flow(&text);
    }
}

fn every_rule_carries_a_flow(text: &str) {
    let (spec, plan, tree) = render(text);
    let main: Value = serde_json::from_str(&tree.files["arm/main.json"]).unwrap();
    // (resource name, collection or rule name, is an NSG rule)
    let mut targets: Vec<(String, String, bool)> = Vec::new();
    fn collect(v: &Value, out: &mut Vec<(String, String, bool)>) {
        for r in v["resources"].as_array().into_iter().flatten() {
            let name = r["name"].as_str().unwrap_or_default().to_string();
            if r["type"] == "Microsoft.Network/firewallPolicies/ruleCollectionGroups"
                && !name.ends_with("/user")
            {
                for c in r["properties"]["ruleCollections"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    out.push((name.clone(), c["name"].as_str().unwrap().to_string(), false));
                }
            }
            if r["type"] == "Microsoft.Network/networkSecurityGroups" {
                for rule in r["properties"]["securityRules"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    if rule["properties"]["access"] == "Allow" {
                        out.push((
                            name.clone(),
                            rule["name"].as_str().unwrap().to_string(),
                            true,
                        ));
                    }
                }
            }
            if r["type"] == "Microsoft.Resources/deployments" {
                collect(&r["properties"]["template"], out);
            }
        }
    }
    collect(&main, &mut targets);
    assert!(targets.len() > 20, "{}", targets.len());
    let mut idle = Vec::new();
    for (res, item, nsg) in &targets {
        let mut m = main.clone();
        each_resource(&mut m, &mut |r| {
            if r["name"].as_str() == Some(res.as_str()) {
                let list = if *nsg {
                    &mut r["properties"]["securityRules"]
                } else {
                    &mut r["properties"]["ruleCollections"]
                };
                if let Some(a) = list.as_array_mut() {
                    a.retain(|x| x["name"].as_str() != Some(item.as_str()));
                }
            }
        });
        let mut t = tree.clone();
        t.files
            .insert("arm/main.json".into(), serde_json::to_string(&m).unwrap());
        if verify_flows(&spec, &plan, &t).iter().all(FlowResult::ok) {
            idle.push(format!("{res} {item}"));
        }
    }
    assert!(
        idle.is_empty(),
        "rendered, but no flow needs them:\n{}",
        idle.join("\n")
    );
}

#[test]
fn on_premises_dns_needs_the_firewall_dns_proxy() {
    // The spoke's DNS servers are the on-premises DCs (written in the spec): they forward the
    // private zones to the firewall's DNS proxy.
    let text = scenario("hybrid-vpn-existing-dcs.yaml").replacen(
        "  serviceCidr:",
        "  dnsServers: [10.1.0.4, 10.1.0.5]\n  serviceCidr:",
        1,
    );
    let (spec, plan, tree) = render(&text);
    let ok = verify_flows(&spec, &plan, &tree);
    assert!(failing(&ok).is_empty(), "{}", show(&failing(&ok)));
    assert_eq!(
        ok.iter()
            .filter(|f| f.id.starts_with("onprem-dns-proxy"))
            .count(),
        2
    );
    let r = mutated_from(&text, |m| {
        each_resource(m, &mut |r| {
            if r["type"] == "Microsoft.Network/firewallPolicies" {
                r["properties"]["dnsSettings"]["enableProxy"] = Value::Bool(false);
            }
        })
    });
    let dns: Vec<&FlowResult> = r
        .iter()
        .filter(|f| f.id.starts_with("onprem-dns-proxy"))
        .collect();
    assert_eq!(dns.len(), 2);
    for f in dns {
        assert!(
            matches!(&f.verdict, Verdict::Dropped { why, .. } if why.contains("DNS proxy is off")),
            "{f:?}"
        );
    }
}

#[test]
fn a_default_route_from_on_premises_needs_the_firewalls_route_to_the_internet() {
    // On-premises advertises 0.0.0.0/0 (forced tunneling). With the firewall subnet's route
    // to the internet, egress still leaves from the firewall; without it, it goes on premises.
    let advertise_default = |m: &mut Value| {
        each_resource(m, &mut |r| {
            if r["type"] == "Microsoft.Network/localNetworkGateways" {
                r["properties"]["localNetworkAddressSpace"]["addressPrefixes"] =
                    serde_json::json!(["10.0.0.0/12", "0.0.0.0/0"]);
            }
        })
    };
    let text = scenario("hybrid-vpn-existing-dcs.yaml");
    let kept = mutated_from(&text, advertise_default);
    assert!(failing(&kept).is_empty(), "{}", show(&failing(&kept)));
    let r = mutated_from(&text, |m| {
        advertise_default(m);
        drop_route_tables(m, &|sn| sn == "AzureFirewallSubnet");
    });
    let f = r
        .iter()
        .find(|f| f.id == "aks-required")
        .expect("aks-required applies");
    assert!(
        matches!(&f.verdict, Verdict::Dropped { why, .. } if why.contains("0.0.0.0/0 learned from on-premises")),
        "{f:?}"
    );
}

#[test]
fn a_missing_private_endpoint_is_a_dropped_flow_not_a_silent_one() {
    let r = mutated(|m| {
        fn drop_vault_endpoint(v: &mut Value) {
            if let Some(a) = v["resources"].as_array_mut() {
                a.retain(|r| {
                    !(r["type"] == "Microsoft.Network/privateEndpoints"
                        && r["name"].as_str().is_some_and(|n| n.starts_with("pe-kv-")))
                });
                for r in a.iter_mut() {
                    if r["type"] == "Microsoft.Resources/deployments" {
                        drop_vault_endpoint(&mut r["properties"]["template"]);
                    }
                }
            }
        }
        drop_vault_endpoint(m);
    });
    let bad = failing(&r);
    assert!(!bad.is_empty());
    for f in bad {
        assert!(
            f.id == "vault-private-endpoint" || f.id == "dc-to-vault",
            "{f:?}"
        );
        assert!(
            matches!(&f.verdict, Verdict::Dropped { why, .. } if why.contains("no private endpoint for vault")),
            "{f:?}"
        );
    }
}

#[test]
fn replies_the_firewall_forwards_into_the_spoke_need_forwarded_traffic_on_its_peering() {
    // Spoke to on-premises goes through the firewall; the reply comes back through it and
    // into the spoke over the peering, which must allow forwarded traffic.
    let r = mutated_from(&scenario("hybrid-vpn-existing-dcs.yaml"), |m| {
        each_resource(m, &mut |r| {
            if r["type"] == "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
                && r["name"]
                    .as_str()
                    .is_some_and(|n| n.ends_with("/spoke-to-hub"))
            {
                r["properties"]["allowForwardedTraffic"] = Value::Bool(false);
            }
        })
    });
    let f = r
        .iter()
        .find(|f| f.id == "ad-from-windows" && f.to.contains("TCP 88"))
        .expect("kerberos flow");
    assert!(
        matches!(&f.verdict, Verdict::Dropped { why, .. } if why.contains("allowForwardedTraffic")),
        "{f:?}"
    );
}
