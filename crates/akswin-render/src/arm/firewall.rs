//! Azure Firewall policy rule collection groups, from the planned firewall model.

use super::*;
use akswin_plan::egress::{PROMOTION_GROUP, RULE_GROUPS};

impl Arm<'_> {
    /// `arm/promotion-egress.json`: the rule collection group `deploy.sh domain-controllers`
    /// deploys before the promotion and deletes after it (Run Command's results), or `None`
    /// when no domain controller is promoted.
    pub fn promotion_egress(&self) -> Option<Value> {
        let fw = &self.plan.firewall;
        if !fw
            .network_rules
            .iter()
            .any(|r| r.group == PROMOTION_GROUP.0)
        {
            return None;
        }
        let mut t = rg_template(
            self.rule_collection_groups_of(&[PROMOTION_GROUP], false),
            json!({}),
            json!({}),
        );
        t["metadata"] = self.metadata();
        Some(t)
    }

    pub(super) fn rule_collection_groups(&self) -> Vec<Value> {
        self.rule_collection_groups_of(&RULE_GROUPS, true)
    }

    /// The groups, one after another; `with_policy`: the policy is declared in the same
    /// template (a dependency), else it already exists.
    fn rule_collection_groups_of(&self, groups: &[(&str, u32)], with_policy: bool) -> Vec<Value> {
        let n = self.n;
        let mut out = Vec::new();
        let mut previous: Option<String> = None;
        for &(group, priority) in groups {
            let collections = self.rule_collections(group, priority);
            // A group with nothing to allow (no connectors, no new DCs, no user rules) is still
            // rendered, empty: deployments are incremental and never delete, so leaving it out
            // would keep the rules an earlier deployment put there; an empty group replaces them.
            let mut deps = Vec::new();
            if with_policy {
                deps.push(v(rid(
                    "Microsoft.Network/firewallPolicies",
                    &n.firewall_policy,
                )));
            }
            // Rule collection groups of one policy must deploy one after another.
            if let Some(p) = &previous {
                deps.push(s(p));
            }
            let mut g = json!({
                "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
                "apiVersion": API_NETWORK,
                "name": format!("{}/{group}", n.firewall_policy),
                "properties": { "priority": priority, "ruleCollections": collections },
            });
            if !deps.is_empty() {
                g["dependsOn"] = json!(deps);
            }
            out.push(g);
            previous = Some(
                expr::resource_id(
                    "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
                    &[&n.firewall_policy, group],
                )
                .template(),
            );
        }
        out
    }

    /// The rule collections of one of akswin's groups (network rules at `priority`,
    /// application rules 10 after), none when the group allows nothing.
    pub(super) fn rule_collections(&self, group: &str, priority: u32) -> Vec<Value> {
        let fw = &self.plan.firewall;
        let app: Vec<Value> = fw
            .application_rules
            .iter()
            .filter(|r| r.group == group)
            .map(|r| {
                let mut rule = json!({
                    "ruleType": "ApplicationRule",
                    "name": r.name,
                    "sourceAddresses": r.sources,
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
            .filter(|r| r.group == group)
            .map(|r| {
                let mut rule = json!({
                    "ruleType": "NetworkRule",
                    "name": r.name,
                    "ipProtocols": r.protocols,
                    "sourceAddresses": r.sources,
                    "destinationPorts": r.ports,
                });
                if !r.destination_addresses.is_empty() {
                    rule["destinationAddresses"] = json!(r.destination_addresses);
                }
                if !r.destination_fqdns.is_empty() {
                    rule["destinationFqdns"] = json!(r.destination_fqdns);
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
        collections
    }

    /// An NSG's `securityRules` from the planned rules: one source, destination or port range
    /// is written in the singular property, several in the plural one.
    pub(super) fn nsg_rules(rules: &[akswin_plan::netsec::NsgRule]) -> Vec<Value> {
        use akswin_plan::netsec::{Access, Direction};
        let one_or_many = |props: &mut Value, one: &str, many: &str, v: &[String]| {
            if v.len() == 1 {
                props[one] = json!(v[0]);
            } else {
                props[many] = json!(v);
            }
        };
        rules
            .iter()
            .map(|r| {
                let mut props = json!({
                    "priority": r.priority,
                    "direction": match r.direction { Direction::Inbound => "Inbound", Direction::Outbound => "Outbound" },
                    "access": match r.access { Access::Allow => "Allow", Access::Deny => "Deny" },
                    "protocol": r.protocol.arm_value(),
                    "sourcePortRange": "*",
                });
                one_or_many(&mut props, "sourceAddressPrefix", "sourceAddressPrefixes", &r.sources);
                one_or_many(&mut props, "destinationAddressPrefix", "destinationAddressPrefixes", &r.destinations);
                one_or_many(&mut props, "destinationPortRange", "destinationPortRanges", &r.ports);
                json!({ "name": r.name, "properties": props })
            })
            .collect()
    }
}
