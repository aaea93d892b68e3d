//! Data collection for Windows nodes (event logs and performance counters).

use super::*;

impl Arm<'_> {
    pub(super) fn dcr(&self) -> Value {
        let n = self.n;
        let w = &self.spec.monitoring.windows;
        let law = rid_rg(
            &n.rg_shared,
            "Microsoft.OperationalInsights/workspaces",
            &n.law,
        );
        let mut sources = Map::new();
        let mut streams = Vec::new();
        if !w.performance_counters.is_empty() {
            sources.insert(
                "performanceCounters".into(),
                json!([ {
                "name": "windowsCounters",
                "streams": ["Microsoft-Perf"],
                "samplingFrequencyInSeconds": 60,
                "counterSpecifiers": w.performance_counters,
            } ]),
            );
            streams.push("Microsoft-Perf");
        }
        if !w.event_logs.is_empty() {
            sources.insert(
                "windowsEventLogs".into(),
                json!([ {
                "name": "windowsEvents",
                "streams": ["Microsoft-Event"],
                "xPathQueries": w.event_logs,
            } ]),
            );
            streams.push("Microsoft-Event");
        }
        json!({
            "type": "Microsoft.Insights/dataCollectionRules",
            "apiVersion": API_DCR,
            "name": n.dcr_windows,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "kind": "Windows",
            "properties": {
                "description": "Windows servers (domain controllers, application proxy connectors): event logs and performance counters (akswin)",
                "dataSources": sources,
                "destinations": { "logAnalytics": [ { "name": "workspace", "workspaceResourceId": law } ] },
                "dataFlows": [ { "streams": streams, "destinations": ["workspace"] } ],
            }
        })
    }
}

/// Diagnostic settings: the version Microsoft's pages use, the first with category groups.
pub const API_DIAG: &str = "2021-05-01-preview";
/// Scheduled query (log search) alert rules.
pub const API_ALERTS: &str = "2026-03-01";

/// The AKS control-plane logs akswin collects: the audit log without read-only and event
/// requests (`kube-audit-admin`, far smaller than `kube-audit`), the controller manager, the
/// cluster autoscaler (why a Windows node did or did not come) and Microsoft Entra ID sign-ins
/// to the API (`guard`).
pub const AKS_LOG_CATEGORIES: &[&str] = &[
    "kube-audit-admin",
    "kube-controller-manager",
    "cluster-autoscaler",
    "guard",
];

/// Azure Firewall's structured logs (the resource-specific `AZFW*` tables). `allLogs` would add
/// the legacy categories, which Microsoft keeps in a setting of their own, and the flow trace
/// categories, which need a feature of their own
/// (<https://learn.microsoft.com/azure/firewall/firewall-structured-logs>).
pub const FIREWALL_LOG_CATEGORIES: &[&str] = &[
    "AZFWNetworkRule",
    "AZFWApplicationRule",
    "AZFWNatRule",
    "AZFWThreatIntel",
    "AZFWIdpsSignature",
    "AZFWDnsQuery",
    "AZFWFqdnResolveFailure",
];

/// How a diagnostic setting selects logs.
pub(super) enum Logs {
    /// Every log category of the resource (`categoryGroup: allLogs`).
    All,
    /// The audit category group (Key Vault: every data-plane access).
    Audit,
    /// Named categories.
    Categories(&'static [&'static str]),
}

impl Arm<'_> {
    /// The deployment's Log Analytics workspace.
    pub(super) fn workspace_id(&self) -> Expr {
        rid_rg(
            &self.n.rg_shared,
            "Microsoft.OperationalInsights/workspaces",
            &self.n.law,
        )
    }

    /// A diagnostic setting that sends `target`'s logs to the workspace. `dedicated` writes
    /// them to the resource-specific tables (AKS, Azure Firewall) instead of AzureDiagnostics.
    /// `declared`: the target is declared in the same template (so it is a dependency).
    pub(super) fn diagnostic_setting(
        &self,
        target: Expr,
        logs: Logs,
        dedicated: bool,
        declared: bool,
    ) -> Value {
        let logs = match logs {
            Logs::All => json!([ { "categoryGroup": "allLogs", "enabled": true } ]),
            Logs::Audit => json!([ { "categoryGroup": "audit", "enabled": true } ]),
            Logs::Categories(c) => Value::Array(
                c.iter()
                    .map(|c| json!({ "category": c, "enabled": true }))
                    .collect(),
            ),
        };
        let mut props = json!({ "workspaceId": self.workspace_id(), "logs": logs });
        if dedicated {
            props["logAnalyticsDestinationType"] = s("Dedicated");
        }
        let mut d = json!({
            "type": "Microsoft.Insights/diagnosticSettings",
            "apiVersion": API_DIAG,
            "name": "akswin-log-analytics",
            "scope": target,
            "properties": props,
        });
        if declared {
            d["dependsOn"] = json!([target]);
        }
        d
    }

    /// Whether akswin places Windows servers whose logs its Windows rule collects: new domain
    /// controllers (the Azure Monitor agent is installed on them) and application proxy
    /// connectors (the operator's servers: the README says how to associate them); and the
    /// rule has something to collect (MON002 warns when both lists are emptied).
    pub(crate) fn monitors_windows_servers(&self) -> bool {
        let dcs = self
            .spec
            .identity
            .active_directory
            .as_ref()
            .is_some_and(|a| a.creates_dcs())
            && !self.plan.addresses.domain_controller_ips.is_empty();
        let w = &self.spec.monitoring.windows;
        (dcs || self.spec.ingress.app_proxy.enabled)
            && !(w.event_logs.is_empty() && w.performance_counters.is_empty())
    }

    /// The Windows rule's id (in the shared resource group, deployed first).
    pub(super) fn dcr_windows_id(&self) -> Expr {
        rid_rg(
            &self.n.rg_shared,
            "Microsoft.Insights/dataCollectionRules",
            &self.n.dcr_windows,
        )
    }

    /// Container insights with managed identity, as Microsoft's ARM onboarding does it: the
    /// `MSCI-<region>-<cluster>` rule with the ContainerInsights extension's default stream
    /// group (inventory, performance, events, ContainerLogV2 from Linux and Windows nodes), and
    /// its association with the cluster, where the add-on's agents read it.
    pub(super) fn container_insights(&self, cluster: &Expr) -> Vec<Value> {
        let n = self.n;
        let name: String = format!("MSCI-{}-{}", self.spec.location, n.cluster)
            .chars()
            .take(64)
            .collect();
        let dcr = rid("Microsoft.Insights/dataCollectionRules", &name);
        vec![
            json!({
                "type": "Microsoft.Insights/dataCollectionRules",
                "apiVersion": API_DCR,
                "name": name,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "kind": "Linux",
                "properties": {
                    "description": "Container insights (akswin)",
                    "dataSources": { "extensions": [ {
                        "name": "ContainerInsightsExtension",
                        "extensionName": "ContainerInsights",
                        "streams": ["Microsoft-ContainerInsights-Group-Default"],
                        "extensionSettings": { "dataCollectionSettings": {
                            "interval": "1m",
                            "namespaceFilteringMode": "Off",
                            "enableContainerLogV2": true,
                        } },
                    } ] },
                    "destinations": { "logAnalytics": [ { "name": "ciworkspace", "workspaceResourceId": self.workspace_id() } ] },
                    "dataFlows": [ { "streams": ["Microsoft-ContainerInsights-Group-Default"], "destinations": ["ciworkspace"] } ],
                }
            }),
            json!({
                "type": "Microsoft.Insights/dataCollectionRuleAssociations",
                "apiVersion": API_DCR,
                "name": "ContainerInsightsExtension",
                "scope": cluster,
                "properties": {
                    "dataCollectionRuleId": dcr,
                    "description": "Container insights: the cluster's monitoring agents read this rule (akswin)",
                },
                "dependsOn": [cluster.clone(), dcr.clone()],
            }),
        ]
    }

    /// Log search alerts for what the article says goes wrong with Windows on AKS, over the
    /// Container insights tables (the queries are in docs/monitoring.md), and the spec's own
    /// query alerts. The tables exist only once Container insights has sent data, so query
    /// validation is skipped at creation.
    pub(super) fn alerts(&self) -> Vec<Value> {
        let spec = self.spec;
        if !spec.monitoring.container_insights {
            return Vec::new();
        }
        type Rule<'a> = (String, String, String, u8, &'a str, &'a str, &'a [&'a str]);
        let mut rules: Vec<Rule> = Vec::new();
        if self.has_windows() {
            for a in akswin_plan::alerts::windows_alerts(spec) {
                rules.push((
                    a.name.to_string(),
                    a.description,
                    a.query,
                    a.severity,
                    a.frequency,
                    a.window,
                    a.split_by,
                ));
            }
        }
        for a in &spec.monitoring.alerts {
            if let Some(q) = &a.query {
                rules.push((
                    crate::k8s::k8s_name(&a.name),
                    format!("{} (monitoring.alerts in the spec)", a.name),
                    q.clone(),
                    3,
                    "PT5M",
                    "PT15M",
                    &[],
                ));
            }
        }
        let groups: Vec<Value> = spec
            .monitoring
            .action_groups
            .iter()
            .map(|g| Value::String(g.clone()))
            .collect();
        rules
            .into_iter()
            .map(|(name, description, query, severity, frequency, window, split_by)| {
                let mut props = json!({
                    "displayName": format!("{}: {name}", self.n.prefix),
                    "description": description,
                    "severity": severity,
                    "enabled": true,
                    "scopes": [self.workspace_id()],
                    "evaluationFrequency": frequency,
                    "windowSize": window,
                    "skipQueryValidation": true,
                    "autoMitigate": true,
                    "criteria": { "allOf": [ {
                        "query": query,
                        "timeAggregation": "Count",
                        "operator": "GreaterThan",
                        "threshold": 0,
                        "failingPeriods": { "numberOfEvaluationPeriods": 1, "minFailingPeriodsToAlert": 1 },
                    } ] },
                });
                if !split_by.is_empty() {
                    // one alert per value (node), each resolved on its own
                    props["criteria"]["allOf"][0]["dimensions"] = json!(split_by
                        .iter()
                        .map(|d| json!({ "name": d, "operator": "Include", "values": ["*"] }))
                        .collect::<Vec<_>>());
                }
                if !groups.is_empty() {
                    props["actions"] = json!({ "actionGroups": groups });
                }
                json!({
                    "type": "Microsoft.Insights/scheduledQueryRules",
                    "apiVersion": API_ALERTS,
                    "name": format!("{}-{name}", self.n.prefix),
                    "location": "[resourceGroup().location]",
                    "tags": self.tags(),
                    "kind": "LogAlert",
                    "properties": props,
                })
            })
            .collect()
    }
}

/// The resource types whose logs the architecture collects, and how: every one of them that a
/// template declares gets a diagnostic setting to the workspace (`Arm::with_diagnostics`).
/// Left out on purpose: virtual networks and public IP addresses (their only logs are DDoS
/// protection's, which akswin does not enable), network interfaces, route tables, private DNS
/// zones and endpoints, identities (no logs), and virtual machines (their logs come through the
/// Azure Monitor agent and a data collection rule instead).
pub(super) fn diagnostic_logs(resource_type: &str) -> Option<(Logs, bool)> {
    Some(match resource_type {
        "Microsoft.ContainerService/managedClusters" => {
            (Logs::Categories(AKS_LOG_CATEGORIES), true)
        }
        "Microsoft.Network/azureFirewalls" => (Logs::Categories(FIREWALL_LOG_CATEGORIES), true),
        "Microsoft.KeyVault/vaults" => (Logs::Audit, false),
        "Microsoft.ContainerRegistry/registries"
        | "Microsoft.Cdn/profiles"
        | "Microsoft.Network/bastionHosts"
        | "Microsoft.Network/virtualNetworkGateways"
        | "Microsoft.Network/networkSecurityGroups" => (Logs::All, false),
        _ => return None,
    })
}

impl Arm<'_> {
    /// A diagnostic setting for every resource in `res` whose type collects logs.
    pub(super) fn with_diagnostics(&self, res: &mut Vec<Value>) {
        let extra: Vec<Value> = res
            .iter()
            .filter_map(|r| {
                let ty = r["type"].as_str()?;
                let name = r["name"].as_str()?;
                let (logs, dedicated) = diagnostic_logs(ty)?;
                Some(self.diagnostic_setting(rid(ty, name), logs, dedicated, true))
            })
            .collect();
        res.extend(extra);
    }
}

/// The Azure Monitor workspace (managed Prometheus's store).
pub const API_MONITOR_WORKSPACE: &str = "2023-04-03";
/// Prometheus rule groups (recording rules and alerts).
pub const API_PROMETHEUS_RULES: &str = "2023-03-01";

impl Arm<'_> {
    /// Whether akswin renders managed Prometheus (a new cluster only: an existing cluster's
    /// add-ons are its owners').
    pub(crate) fn prometheus_enabled(&self) -> bool {
        akswin_plan::alerts::prometheus_rendered(self.spec)
    }

    /// The Azure Monitor workspace's id (shared resource group, deployed first).
    pub(super) fn monitor_workspace_id(&self) -> Expr {
        rid_rg(
            &self.n.rg_shared,
            "Microsoft.Monitor/accounts",
            &self.n.monitor_workspace,
        )
    }

    /// The Azure Monitor workspace, in the shared resource group next to Log Analytics. Its
    /// body has no writable property (public network access is read-only at 2023-04-03): the
    /// metrics reach it through the data collection endpoint, over the firewall's Azure
    /// Monitor rules.
    pub(super) fn monitor_workspace(&self) -> Value {
        json!({
            "type": "Microsoft.Monitor/accounts",
            "apiVersion": API_MONITOR_WORKSPACE,
            "name": self.n.monitor_workspace,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
        })
    }

    /// Managed Prometheus as Microsoft's ARM onboarding builds it
    /// (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable-arm):
    /// the data collection endpoint and the `prometheusForwarder` rule that sends the metrics
    /// add-on's samples to the Azure Monitor workspace, the rule's association with the
    /// cluster (where the add-on reads it), and with Windows pools akswin's Windows rule groups
    /// (recording rules and alerts, `akswin_plan::alerts::windows_prometheus_rules`).
    pub(super) fn prometheus(&self, cluster: &Expr) -> Vec<Value> {
        let n = self.n;
        let dce = rid(
            "Microsoft.Insights/dataCollectionEndpoints",
            &n.dce_prometheus,
        );
        let dcr = rid("Microsoft.Insights/dataCollectionRules", &n.dcr_prometheus);
        let mut out = vec![
            json!({
                "type": "Microsoft.Insights/dataCollectionEndpoints",
                "apiVersion": API_DCR,
                "name": n.dce_prometheus,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "kind": "Linux",
                "properties": {
                    "description": "Managed Prometheus: the cluster's metrics add-on sends here (akswin)",
                    "networkAcls": { "publicNetworkAccess": "Enabled" },
                },
            }),
            json!({
                "type": "Microsoft.Insights/dataCollectionRules",
                "apiVersion": API_DCR,
                "name": n.dcr_prometheus,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "kind": "Linux",
                "properties": {
                    "description": "Managed Prometheus: the cluster's metrics to the Azure Monitor workspace (akswin)",
                    "dataCollectionEndpointId": dce,
                    "dataSources": { "prometheusForwarder": [ {
                        "name": "PrometheusDataSource",
                        "streams": ["Microsoft-PrometheusMetrics"],
                        "labelIncludeFilter": {},
                    } ] },
                    "destinations": { "monitoringAccounts": [ {
                        "name": "MonitoringAccount1",
                        "accountResourceId": self.monitor_workspace_id(),
                    } ] },
                    "dataFlows": [ { "streams": ["Microsoft-PrometheusMetrics"], "destinations": ["MonitoringAccount1"] } ],
                },
                "dependsOn": [dce.clone()],
            }),
            json!({
                "type": "Microsoft.Insights/dataCollectionRuleAssociations",
                "apiVersion": API_DCR,
                "name": n.dcr_prometheus,
                "scope": cluster,
                "properties": {
                    "dataCollectionRuleId": dcr,
                    "description": "Managed Prometheus: the cluster's metrics add-on reads this rule (akswin)",
                },
                "dependsOn": [cluster.clone(), dcr.clone()],
            }),
        ];
        let rules = akswin_plan::alerts::windows_prometheus_rules(self.spec);
        let groups: Vec<Value> = self
            .spec
            .monitoring
            .action_groups
            .iter()
            .map(|g| json!({ "actionGroupId": g }))
            .collect();
        for (suffix, alerts, what) in [
            ("windows-recording-rules", false, "recording rules"),
            ("windows-alerts", true, "alerts"),
        ] {
            let rules: Vec<Value> = rules
                .iter()
                .filter(|r| r.alert == alerts)
                .map(|r| {
                    if r.alert {
                        let mut a = json!({
                            "alert": r.name,
                            "expression": r.expression,
                            "for": r.for_duration,
                            "severity": r.severity,
                            "enabled": true,
                            "annotations": { "description": r.description },
                            "resolveConfiguration": { "autoResolved": true, "timeToResolve": "PT10M" },
                        });
                        if !groups.is_empty() {
                            a["actions"] = json!(groups);
                        }
                        a
                    } else {
                        json!({ "record": r.name, "expression": r.expression })
                    }
                })
                .collect();
            if rules.is_empty() {
                continue;
            }
            out.push(json!({
                "type": "Microsoft.AlertsManagement/prometheusRuleGroups",
                "apiVersion": API_PROMETHEUS_RULES,
                "name": format!("akswin-{suffix}-{}", n.cluster),
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "properties": {
                    "description": format!("akswin's Windows {what} over the Windows exporter's metrics (the deployment README's monitoring section)"),
                    "scopes": [self.monitor_workspace_id(), cluster.clone()],
                    "clusterName": n.cluster,
                    "enabled": true,
                    "interval": "PT1M",
                    "rules": rules,
                },
                "dependsOn": [cluster.clone()],
            }));
        }
        out
    }
}
