//! Azure Firewall policy rule collection groups, from the planned firewall model.

use super::*;

impl Arm<'_> {
    pub(super) fn rule_collection_groups(&self) -> Vec<Value> {
        let n = self.n;
        let fw = &self.plan.firewall;
        let spoke = self
            .plan
            .vnet(akswin_plan::SPOKE)
            .map(|v| v.address_space.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>();
        let windows_src: Vec<String> = self
            .subnet(SpokeSubnet::WindowsNodes.key())
            .and_then(|s| s.prefix)
            .map(|p| vec![p.to_string()])
            .unwrap_or_else(|| spoke.clone());
        let group_of = |collection: &str, origin: RuleOrigin| -> &'static str {
            match (origin, collection) {
                (RuleOrigin::User, _) => "user",
                (_, "aks") | (_, "aks-public") => "aks",
                (_, "windows") => "windows",
                _ => "addons",
            }
        };
        let mut out = Vec::new();
        let mut previous: Option<String> = None;
        for (priority, group) in [
            (200, "aks"),
            (300, "windows"),
            (400, "addons"),
            (500, "user"),
        ] {
            let app: Vec<Value> = fw
                .application_rules
                .iter()
                .filter(|r| group_of(&r.collection, r.origin) == group)
                .map(|r| {
                    let src = if group == "windows" { windows_src.clone() } else { spoke.clone() };
                    let mut rule = json!({
                        "ruleType": "ApplicationRule",
                        "name": r.name,
                        "sourceAddresses": src,
                        "protocols": r.protocols.iter().map(|p| json!({ "protocolType": p.protocol, "port": p.port })).collect::<Vec<_>>(),
                    });
                    if !r.fqdns.is_empty() {
                        rule["targetFqdns"] = json!(r.fqdns);
                    }
                    if !r.fqdn_tags.is_empty() {
                        rule["fqdnTags"] = json!(r.fqdn_tags);
                    }
                    rule
                })
                .collect();
            let net: Vec<Value> = fw
                .network_rules
                .iter()
                .filter(|r| group_of(&r.collection, r.origin) == group)
                .map(|r| {
                    let (fqdns, addrs): (Vec<&String>, Vec<&String>) =
                        r.destinations.iter().partition(|d| {
                            d.contains('.')
                                && !d.chars().next().is_some_and(|c| c.is_ascii_digit())
                                && !d.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                        });
                    let mut rule = json!({
                        "ruleType": "NetworkRule",
                        "name": r.name,
                        "ipProtocols": r.protocols.iter().map(|p| title(p)).collect::<Vec<_>>(),
                        "sourceAddresses": spoke,
                        "destinationPorts": r.ports,
                    });
                    if !addrs.is_empty() {
                        rule["destinationAddresses"] = json!(addrs);
                    }
                    if !fqdns.is_empty() {
                        rule["destinationFqdns"] = json!(fqdns);
                    }
                    rule
                })
                .collect();
            let mut collections = Vec::new();
            if !net.is_empty() {
                collections.push(json!({
                    "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                    "name": format!("{group}-network"),
                    "priority": priority,
                    "action": { "type": "Allow" },
                    "rules": net,
                }));
            }
            if !app.is_empty() {
                collections.push(json!({
                    "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                    "name": format!("{group}-application"),
                    "priority": priority + 10,
                    "action": { "type": "Allow" },
                    "rules": app,
                }));
            }
            let mut deps = vec![s(&rid(
                "Microsoft.Network/firewallPolicies",
                &n.firewall_policy,
            ))];
            // Rule collection groups of one policy must deploy one after another.
            if let Some(p) = &previous {
                deps.push(s(p));
            }
            out.push(json!({
                "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
                "apiVersion": API_NETWORK,
                "name": format!("{}/{group}", n.firewall_policy),
                "properties": { "priority": priority, "ruleCollections": collections },
                "dependsOn": deps,
            }));
            previous = Some(format!(
                "[resourceId('Microsoft.Network/firewallPolicies/ruleCollectionGroups', '{}', '{group}')]",
                n.firewall_policy
            ));
        }
        out
    }
}

/// The AD ports (protocol, port or range) from the egress table.
pub(super) fn ad_ports() -> Vec<(String, String)> {
    akswin_plan::egress::egress_facts()
        .into_iter()
        .filter(|f| f.set == "ad")
        .map(|f| {
            (
                if f.protocol.eq_ignore_ascii_case("tcp") {
                    "Tcp".into()
                } else {
                    "Udp".into()
                },
                f.port,
            )
        })
        .collect()
}
