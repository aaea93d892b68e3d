//! Monitoring that collects (issue 14): every data collection rule is associated with a
//! resource whose agent reads it, every resource of the architecture that writes logs sends
//! them to the workspace, and the alerts read tables Container insights fills.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use serde_json::Value;

/// Every resource of a template and of the templates nested in its deployments.
fn resources(t: &Value, out: &mut Vec<Value>) {
    for r in t["resources"].as_array().into_iter().flatten() {
        out.push(r.clone());
        if r["type"] == "Microsoft.Resources/deployments" {
            resources(&r["properties"]["template"], out);
        }
    }
}

fn all_resources(tree: &akswin_render::Tree) -> Vec<Value> {
    let mut out = Vec::new();
    for (file, text) in &tree.files {
        if file.starts_with("arm/") && !file.contains("parameters") {
            resources(&serde_json::from_str(text).unwrap(), &mut out);
        }
    }
    out
}

/// The last quoted name of a `resourceId(...)` expression.
fn last_name(id: &str) -> String {
    id.rsplit('\'').nth(1).unwrap_or_default().to_string()
}

#[test]
fn every_data_collection_rule_is_read_by_an_agent() {
    let mut associations = 0;
    for (scenario, tree) in common::scenarios() {
        let rs = all_resources(&tree);
        let spec = common::scenario_spec(&scenario);
        for dcr in rs
            .iter()
            .filter(|r| r["type"] == "Microsoft.Insights/dataCollectionRules")
        {
            let name = dcr["name"].as_str().unwrap();
            let dcras: Vec<&Value> = rs
                .iter()
                .filter(|r| {
                    r["type"] == "Microsoft.Insights/dataCollectionRuleAssociations"
                        && last_name(r["properties"]["dataCollectionRuleId"].as_str().unwrap())
                            == name
                })
                .collect();
            if dcras.is_empty() {
                // Only the Windows servers' rule, for connectors the operator builds: the README
                // then gives the association command for it.
                assert_eq!(
                    dcr["kind"], "Windows",
                    "{scenario}: {name} is read by nothing"
                );
                assert!(
                    spec.ingress.app_proxy.enabled,
                    "{scenario}: {name} is read by nothing"
                );
                let readme = &tree.files["README.md"];
                assert!(
                    readme.contains("az monitor data-collection rule association create")
                        && readme.contains(&format!("--name {name}")),
                    "{scenario}: {name} has no association and the README does not say how"
                );
                continue;
            }
            for a in dcras {
                associations += 1;
                let scope = a["scope"].as_str().unwrap();
                let target = last_name(scope);
                if dcr["properties"]["dataSources"]["extensions"][0]["extensionName"]
                    == "ContainerInsights"
                {
                    // Container insights: the cluster's monitoring add-on reads it.
                    assert!(
                        scope.contains("Microsoft.ContainerService/managedClusters"),
                        "{scenario}: {scope}"
                    );
                    let cluster = rs
                        .iter()
                        .find(|r| {
                            r["type"] == "Microsoft.ContainerService/managedClusters"
                                && r["name"] == target.as_str()
                        })
                        .expect("the cluster");
                    let oms = &cluster["properties"]["addonProfiles"]["omsagent"];
                    assert_eq!(oms["enabled"], true, "{scenario}");
                    assert_eq!(
                        oms["config"]["useAADAuth"], "true",
                        "{scenario}: the DCR path needs managed identity"
                    );
                    assert_eq!(a["name"], "ContainerInsightsExtension");
                } else {
                    // Windows events and counters: a VM with the Azure Monitor agent.
                    assert!(
                        scope.contains("Microsoft.Compute/virtualMachines"),
                        "{scenario}: {name} on {scope}"
                    );
                    assert!(
                        rs.iter().any(|r| r["type"]
                            == "Microsoft.Compute/virtualMachines/extensions"
                            && r["name"] == format!("{target}/AzureMonitorWindowsAgent").as_str()
                            && r["properties"]["type"] == "AzureMonitorWindowsAgent"),
                        "{scenario}: {target} has no Azure Monitor agent to read {name}"
                    );
                    assert_eq!(dcr["kind"], "Windows");
                }
            }
        }
    }
    assert!(associations >= 8, "only {associations} associations seen");
}

/// The resource types of the architecture whose logs matter (written here, apart from the
/// renderer's own list, so a type the renderer forgets fails): the cluster's control plane, the
/// firewall, the vaults, the registry, Front Door and its WAF, Bastion, the gateway, the NSGs.
const LOGGED: &[&str] = &[
    "Microsoft.ContainerService/managedClusters",
    "Microsoft.Network/azureFirewalls",
    "Microsoft.KeyVault/vaults",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.Cdn/profiles",
    "Microsoft.Network/bastionHosts",
    "Microsoft.Network/virtualNetworkGateways",
    "Microsoft.Network/networkSecurityGroups",
];

#[test]
fn every_resource_that_writes_logs_sends_them_to_the_workspace() {
    let mut checked = 0;
    for (scenario, tree) in common::scenarios() {
        let rs = all_resources(&tree);
        let settings: Vec<(String, String, &Value)> = rs
            .iter()
            .filter(|r| r["type"] == "Microsoft.Insights/diagnosticSettings")
            .map(|r| {
                let scope = r["scope"].as_str().unwrap();
                let ty = scope.split('\'').nth(1).unwrap_or_default().to_string();
                (ty, last_name(scope), &r["properties"])
            })
            .collect();
        for r in rs
            .iter()
            .filter(|r| LOGGED.contains(&r["type"].as_str().unwrap()))
        {
            checked += 1;
            let (ty, name) = (r["type"].as_str().unwrap(), r["name"].as_str().unwrap());
            let s = settings
                .iter()
                .find(|(t, n, _)| t == ty && n == name)
                .unwrap_or_else(|| panic!("{scenario}: {ty} {name} has no diagnostic setting"));
            assert!(
                s.2["workspaceId"]
                    .as_str()
                    .unwrap()
                    .contains("Microsoft.OperationalInsights/workspaces"),
                "{scenario}: {name}"
            );
            let logs = s.2["logs"].as_array().unwrap();
            assert!(!logs.is_empty() && logs.iter().all(|l| l["enabled"] == true));
            if ty == "Microsoft.ContainerService/managedClusters" {
                assert!(
                    logs.iter().any(|l| l["category"] == "kube-audit-admin"),
                    "{scenario}"
                );
            }
        }
        // The workspace the settings name is the one the deployment creates.
        let law: Vec<&str> = rs
            .iter()
            .filter(|r| r["type"] == "Microsoft.OperationalInsights/workspaces")
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        for (_, _, p) in &settings {
            assert!(law.contains(&last_name(p["workspaceId"].as_str().unwrap()).as_str()));
        }
    }
    assert!(checked >= 40, "only {checked} logged resources seen");
}

#[test]
fn windows_alerts_read_tables_container_insights_fills() {
    let spec = common::load(akswin_spec::BASELINE_YAML);
    let tree = akswin_render::render(&spec, &akswin_plan::plan(&spec), "test");
    let rs = all_resources(&tree);
    let alerts: Vec<&Value> = rs
        .iter()
        .filter(|r| r["type"] == "Microsoft.Insights/scheduledQueryRules")
        .collect();
    let names: Vec<&str> = alerts.iter().map(|a| a["name"].as_str().unwrap()).collect();
    for want in [
        "windows-nodes-not-ready",
        "windows-node-image-age",
        "windows-pods-pending",
        "windows-gmsa-failures",
        "domain-controller-replication",
        "windows-dns-canary-failures",
        "windows-canary-silent",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(want)),
            "{want} missing: {names:?}"
        );
    }
    for a in alerts {
        let q = a["properties"]["criteria"]["allOf"][0]["query"]
            .as_str()
            .unwrap();
        let table = q.lines().next().unwrap();
        assert!(
            // Container insights' tables, and the Windows servers' events (the new DCs)
            [
                "KubeNodeInventory",
                "KubePodInventory",
                "KubeEvents",
                "ContainerLogV2",
                "Event"
            ]
            .contains(&table),
            "{table}"
        );
        assert_eq!(a["properties"]["skipQueryValidation"], true);
        assert!(
            a["properties"]["scopes"][0]
                .as_str()
                .unwrap()
                .contains("workspaces")
        );
    }
    // The pending alert names the Windows workloads' namespaces.
    let pending = &tree.files["arm/main.json"];
    assert!(pending.contains("where Namespace in (\\\"legacyweb\\\")"));
}

/// A log line's whole path: an alert over the `Event` table reads a log that the Windows
/// servers' data collection rule collects (and that rule is associated with the DCs, see
/// `every_data_collection_rule_is_read_by_an_agent`); without that log in the rule, the
/// replication alert is not rendered, rather than never firing.
#[test]
fn event_alerts_read_logs_the_windows_rule_collects() {
    for (name, text) in common::scenario_specs() {
        let spec = common::load(&text);
        let tree = akswin_render::render(&spec, &akswin_plan::plan(&spec), "test");
        let rs = all_resources(&tree);
        let collected: Vec<String> = rs
            .iter()
            .filter(|r| r["type"] == "Microsoft.Insights/dataCollectionRules")
            .flat_map(|r| {
                r["properties"]["dataSources"]["windowsEventLogs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|s| s["xPathQueries"].as_array().into_iter().flatten())
                    .filter_map(|q| q.as_str().and_then(|q| q.split('!').next()))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        for a in rs
            .iter()
            .filter(|r| r["type"] == "Microsoft.Insights/scheduledQueryRules")
        {
            let q = a["properties"]["criteria"]["allOf"][0]["query"]
                .as_str()
                .unwrap();
            if let Some(log) = q
                .split("EventLog == \"")
                .nth(1)
                .and_then(|r| r.split('"').next())
            {
                assert!(
                    collected.iter().any(|c| c == log),
                    "{name}: {} reads {log}, which no rule collects: {collected:?}",
                    a["name"]
                );
            }
        }
    }
    // Without the Directory Service log, no replication alert.
    let mut spec = common::scenario_spec("baseline");
    spec.monitoring
        .windows
        .event_logs
        .retain(|q| !q.starts_with("Directory Service!"));
    assert!(
        akswin_plan::alerts::windows_alerts(&spec)
            .iter()
            .all(|a| a.name != "domain-controller-replication")
    );
    assert!(
        akswin_plan::alerts::windows_alerts(&common::scenario_spec("baseline"))
            .iter()
            .any(|a| a.name == "domain-controller-replication")
    );
}

/// Kusto names a query must bracket (`['first']`) to use as a column: its keywords
/// (https://learn.microsoft.com/kusto/query/schema-entities/entity-names). The scheduled query
/// rules skip validation at deployment, so a column named `first` deploys, and the alert then
/// fails at every evaluation without paging anyone.
const KQL_KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "by",
    "on",
    "with",
    "in",
    "has",
    "first",
    "last",
    "asc",
    "desc",
    "nulls",
    "kind",
    "of",
    "to",
    "let",
    "where",
    "project",
    "extend",
    "summarize",
    "join",
    "union",
    "take",
    "top",
    "count",
    "between",
    "contains",
    "like",
    "step",
    "from",
    "true",
    "false",
    "typeof",
    "range",
    "set",
    "alias",
    "declare",
    "pattern",
    "restrict",
    "access",
    "materialize",
    "print",
    "render",
    "as",
    "evaluate",
    "invoke",
    "find",
    "search",
    "sort",
    "order",
    "limit",
    "parse",
    "datatable",
    "title",
    "hidden",
    "bin",
];

#[test]
fn alert_queries_name_no_column_after_a_kusto_keyword() {
    for (scenario, _) in common::scenario_specs() {
        let spec = common::scenario_spec(&scenario);
        for a in akswin_plan::alerts::windows_alerts(&spec) {
            let q = &a.query;
            // every `name =` (an assignment, not `==`) in summarize, extend and project
            let bytes = q.as_bytes();
            for (i, _) in q.match_indices(" = ") {
                let start = q[..i]
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(0, |p| p + 1);
                let name = &q[start..i];
                assert!(
                    !name.is_empty() && bytes[i + 3] != b'=',
                    "{}: odd assignment at {i}",
                    a.name
                );
                assert!(
                    !KQL_KEYWORDS.contains(&name.to_ascii_lowercase().as_str()),
                    "{scenario}/{}: the column `{name}` is a Kusto keyword: {q}",
                    a.name
                );
            }
        }
    }
    // the check sees the names it should
    assert!(KQL_KEYWORDS.contains(&"first") && KQL_KEYWORDS.contains(&"last"));
}
