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
                } else if !dcr["properties"]["dataSources"]["prometheusForwarder"].is_null() {
                    prometheus_rule_is_read(&scenario, &rs, dcr, scope, &target);
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

/// Managed Prometheus: the cluster's metrics add-on reads the rule, which sends through an
/// endpoint the template creates to an Azure Monitor workspace the templates create.
fn prometheus_rule_is_read(scenario: &str, rs: &[Value], dcr: &Value, scope: &str, target: &str) {
    assert!(
        scope.contains("Microsoft.ContainerService/managedClusters"),
        "{scenario}: {scope}"
    );
    let cluster = rs
        .iter()
        .find(|r| r["type"] == "Microsoft.ContainerService/managedClusters" && r["name"] == target)
        .expect("the cluster");
    assert_eq!(
        cluster["properties"]["azureMonitorProfile"]["metrics"]["enabled"], true,
        "{scenario}: a Prometheus rule without the metrics add-on"
    );
    let p = &dcr["properties"];
    let dce = last_name(p["dataCollectionEndpointId"].as_str().unwrap());
    assert!(
        rs.iter().any(
            |r| r["type"] == "Microsoft.Insights/dataCollectionEndpoints"
                && r["name"] == dce.as_str()
        ),
        "{scenario}: endpoint {dce} is not rendered"
    );
    assert_eq!(
        p["dataSources"]["prometheusForwarder"][0]["streams"][0],
        "Microsoft-PrometheusMetrics"
    );
    let account = &p["destinations"]["monitoringAccounts"][0];
    let amw = last_name(account["accountResourceId"].as_str().unwrap());
    assert!(
        rs.iter()
            .any(|r| r["type"] == "Microsoft.Monitor/accounts" && r["name"] == amw.as_str()),
        "{scenario}: workspace {amw} is not rendered"
    );
    assert_eq!(p["dataFlows"][0]["destinations"][0], account["name"]);
    assert_eq!(
        p["dataFlows"][0]["streams"][0],
        "Microsoft-PrometheusMetrics"
    );
}

/// Every Prometheus rule akswin renders parses as PromQL (the Prometheus community's grammar,
/// in the `promql-parser` crate); the alerts that read recorded series read series a recording
/// rule writes; the rule groups scope the workspace and the cluster; and the Windows targets
/// are scraped exactly where the Windows rules exist (they read nothing otherwise).
#[test]
fn prometheus_rules_parse_and_read_what_is_collected() {
    let mut windows_groups = 0;
    for (scenario, tree) in common::scenarios() {
        let rs = all_resources(&tree);
        let spec = common::scenario_spec(&scenario);
        let groups: Vec<&Value> = rs
            .iter()
            .filter(|r| r["type"] == "Microsoft.AlertsManagement/prometheusRuleGroups")
            .collect();
        let configmap = tree.files.get("k8s/ama-metrics-settings-configmap.yaml");
        let windows = spec
            .cluster
            .node_pools
            .iter()
            .any(|p| p.os == akswin_spec::spec::Os::Windows);
        assert_eq!(
            groups.is_empty(),
            !(windows
                && spec.monitoring.prometheus.enabled
                && spec.monitoring.prometheus.windows_metrics),
            "{scenario}: Windows rule groups"
        );
        assert_eq!(
            groups.is_empty(),
            configmap.is_none(),
            "{scenario}: the settings ConfigMap"
        );
        if let Some(cm) = configmap {
            let cm: Value = serde_saphyr::from_str(cm).unwrap();
            assert_eq!(cm["metadata"]["namespace"], "kube-system");
            assert_eq!(cm["metadata"]["name"], "ama-metrics-settings-configmap");
            assert_eq!(cm["data"]["schema-version"], "v1");
            let targets = cm["data"]["default-scrape-settings-enabled"]
                .as_str()
                .unwrap();
            for t in ["windowsexporter = true", "windowskubeproxy = true"] {
                assert!(targets.lines().any(|l| l.trim() == t), "{scenario}: {t}");
            }
        }
        let recorded: Vec<&str> = groups
            .iter()
            .flat_map(|g| g["properties"]["rules"].as_array().unwrap())
            .filter_map(|r| r["record"].as_str())
            .collect();
        for g in &groups {
            windows_groups += 1;
            let scopes: Vec<&str> = g["properties"]["scopes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            assert!(
                scopes[0].contains("Microsoft.Monitor/accounts"),
                "{scenario}: {scopes:?}"
            );
            assert!(
                scopes[1].contains("Microsoft.ContainerService/managedClusters"),
                "{scenario}: {scopes:?}"
            );
            for r in g["properties"]["rules"].as_array().unwrap() {
                let e = r["expression"].as_str().unwrap();
                if let Err(err) = promql_parser::parser::parse(e) {
                    panic!("{scenario}: {} does not parse: {err}\n{e}", r);
                }
                // A series under akswin's prefix must be one a recording rule writes.
                for word in e.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                {
                    if word.starts_with("akswin_windows:") {
                        assert!(
                            recorded.contains(&word),
                            "{scenario}: {word} is recorded nowhere"
                        );
                    }
                }
                if r["alert"].is_string() {
                    assert!(r["for"].as_str().unwrap().starts_with("PT"));
                }
            }
        }
    }
    assert!(
        windows_groups >= 4,
        "only {windows_groups} Windows rule groups seen"
    );
}

/// The Windows exporter: where the Windows rules are rendered and the spec names its image, a
/// HostProcess DaemonSet on every Windows node, on the host's network at the port the add-on
/// scrapes, alone in a namespace that Microsoft's HostProcess and approved-users policies (and
/// only those) exclude; without the image, none, and the policies keep their defaults.
#[test]
fn the_windows_exporter_runs_where_the_add_on_scrapes_and_only_its_namespace_is_excluded() {
    let mut seen = 0;
    for (scenario, tree) in common::scenarios() {
        let spec = common::scenario_spec(&scenario);
        let rs = all_resources(&tree);
        let assignment = |name: &str| {
            rs.iter()
                .find(|r| {
                    r["type"] == "Microsoft.Authorization/policyAssignments" && r["name"] == name
                })
                .map(|r| r["properties"]["parameters"].clone())
        };
        let Some(text) = tree.files.get("k8s/windows-exporter.yaml") else {
            assert!(
                spec.monitoring.prometheus.windows_exporter_image.is_none()
                    || !tree
                        .files
                        .contains_key("k8s/ama-metrics-settings-configmap.yaml"),
                "{scenario}: an exporter image and Windows targets, but no exporter"
            );
            for name in ["windows-no-hostprocess", "windows-approved-users"] {
                if let Some(p) = assignment(name) {
                    assert!(p.get("excludedNamespaces").is_none(), "{scenario}: {name}");
                }
            }
            continue;
        };
        seen += 1;
        assert!(
            tree.files
                .contains_key("k8s/ama-metrics-settings-configmap.yaml")
        );
        let docs: Vec<Value> = text
            .split("\n---\n")
            .map(|d| serde_saphyr::from_str(d).unwrap())
            .collect();
        let ns = &docs[0];
        assert_eq!(ns["kind"], "Namespace");
        let ds = &docs[1];
        assert_eq!(ds["kind"], "DaemonSet");
        assert_eq!(ds["metadata"]["namespace"], ns["metadata"]["name"]);
        let pod = &ds["spec"]["template"]["spec"];
        assert_eq!(pod["hostNetwork"], true);
        assert_eq!(
            pod["securityContext"]["windowsOptions"]["hostProcess"],
            true
        );
        assert_eq!(pod["nodeSelector"]["kubernetes.io/os"], "windows");
        // On every Windows node: it tolerates every Windows pool's taints.
        for p in spec
            .cluster
            .node_pools
            .iter()
            .filter(|p| p.os == akswin_spec::spec::Os::Windows)
        {
            for t in &p.taints {
                let key = t.split(['=', ':']).next().unwrap();
                assert!(
                    pod["tolerations"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|x| x["key"] == key),
                    "{scenario}: {} does not tolerate {t}",
                    ds["metadata"]["name"]
                );
            }
        }
        let c = &pod["containers"][0];
        assert_eq!(
            c["ports"][0]["containerPort"], 9182,
            "the add-on's windowsexporter port"
        );
        let script = c["command"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_str()
            .unwrap();
        assert!(script.contains("--web.listen-address=:9182"), "{script}");
        assert!(
            script.contains("container"),
            "the container collector: {script}"
        );
        // The firewall rule admits the node subnets (and the overlay pod range), not the spoke's
        // other subnets (load balancers, private endpoints, connectors).
        let plan = akswin_plan::plan(&spec);
        for sub in plan
            .vnets
            .iter()
            .filter(|v| v.name == "spoke")
            .flat_map(|v| &v.subnets)
        {
            let Some(prefix) = sub.prefix else { continue };
            let listed = script.contains(&format!("'{prefix}'"));
            let node = matches!(
                sub.role,
                akswin_plan::SubnetRole::Nodes | akswin_plan::SubnetRole::Pods
            );
            assert_eq!(
                listed, node,
                "{scenario}: {} {prefix} in the exporter's firewall rule",
                sub.key
            );
        }
        if let Some(p) = spec.network.pod_cidr {
            assert!(
                script.contains(&format!("'{p}'")),
                "{scenario}: pod range {p}"
            );
        }
        let image = c["image"].as_str().unwrap();
        assert!(
            spec.policy
                .allowed_registries
                .iter()
                .any(|r| image.starts_with(&format!("{r}/"))),
            "{scenario}: {image} is not from an allowed registry"
        );
        for name in ["windows-no-hostprocess", "windows-approved-users"] {
            let p = assignment(name).expect(name);
            let excluded: Vec<&str> = p["excludedNamespaces"]["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(
                excluded,
                [
                    "kube-system",
                    "gatekeeper-system",
                    "azure-arc",
                    "azure-extensions-usage-system",
                    "akswin-metrics"
                ],
                "{scenario}: {name}"
            );
        }
        for name in ["windows-no-overcommit", "windows-no-containeradministrator"] {
            if let Some(p) = assignment(name) {
                assert!(p.get("excludedNamespaces").is_none(), "{scenario}: {name}");
            }
        }
        // Nothing else runs in the exporter's namespace.
        for (path, text) in tree
            .files
            .iter()
            .filter(|(p, _)| p.starts_with("k8s/") && *p != "k8s/windows-exporter.yaml")
        {
            assert!(
                !text.contains("namespace: akswin-metrics"),
                "{scenario}: {path}"
            );
        }
    }
    assert!(seen >= 6, "only {seen} scenarios deploy the exporter");
}

/// The built-in policies' `excludedNamespaces` default, which akswin repeats when it sets the
/// parameter, is what the reference definitions say.
#[test]
fn the_built_in_excluded_namespaces_are_the_definitions_defaults() {
    let Some(dir) = std::env::var_os("AKSWIN_REFERENCE_DIR") else {
        eprintln!("skipped: AKSWIN_REFERENCE_DIR is not set (the built-in policy definitions)");
        return;
    };
    let dir = std::path::PathBuf::from(dir).join("azure-policy/policyDefinitions/Kubernetes");
    for f in [
        "WindowsBlockHostProcess.json",
        "WindowsContainerAllowedUsername.json",
        "ContainerAllowedImages.json",
    ] {
        let Ok(text) = std::fs::read_to_string(dir.join(f)) else {
            panic!("{f} not in the reference set");
        };
        let d: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            d["properties"]["parameters"]["excludedNamespaces"]["defaultValue"],
            serde_json::json!([
                "kube-system",
                "gatekeeper-system",
                "azure-arc",
                "azure-extensions-usage-system"
            ]),
            "{f}"
        );
    }
}

/// A parser that accepts anything would pass the test above: it refuses broken PromQL.
#[test]
fn the_promql_parser_refuses_broken_expressions() {
    for bad in [
        "sum by (instance (rate(x[5m]))",
        "rate(x[5m]",
        "x / on (a group_left y",
        "avg by (cluster) rate(x[5m])",
    ] {
        assert!(promql_parser::parser::parse(bad).is_err(), "{bad} parsed");
    }
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
