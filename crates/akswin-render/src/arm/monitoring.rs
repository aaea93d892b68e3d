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
                "description": "Windows node event logs and performance counters (akswin)",
                "dataSources": sources,
                "destinations": { "logAnalytics": [ { "name": "workspace", "workspaceResourceId": law } ] },
                "dataFlows": [ { "streams": streams, "destinations": ["workspace"] } ],
            }
        })
    }
}
