use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// With Windows servers in the network (new domain controllers, application proxy
    /// connectors), that the Windows data collection rule collects event logs
    /// (`monitoring.windows.eventLogs`, XPath queries) and performance counters
    /// (`monitoring.windows.performanceCounters`). Both default to a useful set
    /// (System/Application errors; processor, memory, disk); this fires when a list is emptied.
    ///
    /// ## Why it matters
    /// Container Insights does not see Windows event logs; "you can also complement Container
    /// Insights by using data collection rules to collect events and performance counters from
    /// your Windows Server systems". akswin associates the rule with the domain controllers it
    /// creates (the Azure Monitor agent reads it there) and tells how to add the connectors; an
    /// emptied list leaves the directory's and the connectors' errors unseen.
    ///
    /// ## How to fix
    /// List at least one XPath query and one counter.
    ///
    /// ## References
    /// - Architecture, "Monitoring"
    /// - https://learn.microsoft.com/azure/templates/microsoft.insights/datacollectionrules
    ///   (DCR structure)
    /// - docs/sources.md#container-insights-and-data-collection-rules
    pub struct Mon002 {
        code: "MON002",
        name: "no-windows-data-collection",
        severity: Warning,
        summary: "No data collection rule for Windows event logs or performance counters",
    }
}

impl Rule for Mon002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let dcs = cx
            .spec
            .identity
            .active_directory
            .as_ref()
            .is_some_and(|a| a.creates_dcs());
        if !dcs && !cx.spec.ingress.app_proxy.enabled {
            return;
        }
        let w = &cx.spec.monitoring.windows;
        if w.event_logs.is_empty() {
            out.warning(
                "/monitoring/windows/eventLogs",
                "no Windows event logs are collected".into(),
                "add XPath queries such as \"System!*[System[(Level=1 or Level=2 or Level=3)]]\"",
            );
        }
        if w.performance_counters.is_empty() {
            out.warning(
                "/monitoring/windows/performanceCounters",
                "no Windows performance counters are collected".into(),
                "add counters such as \"\\\\Processor(_Total)\\\\% Processor Time\"",
            );
        }
    }
}
