use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// That Container Insights is on (`monitoring.containerInsights`).
    ///
    /// ## Why it matters
    /// "Containers running Windows can be monitored with Azure Monitor and Container Insights,
    /// much like Linux containers." Without it there are no node, pod or container metrics and
    /// logs to find a slow Windows scale-out or a failing gMSA pod.
    ///
    /// ## How to fix
    /// `monitoring.containerInsights: true`.
    ///
    /// ## References
    /// - Architecture, "Monitoring"
    /// - https://learn.microsoft.com/azure/azure-monitor/containers/container-insights-overview
    /// - docs/sources.md#container-insights-and-data-collection-rules
    pub struct Mon001 {
        code: "MON001",
        name: "container-insights-off",
        severity: Warning,
        summary: "Container Insights off",
    }
}

impl Rule for Mon001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        if !cx.spec.monitoring.container_insights {
            out.warning(
                "/monitoring/containerInsights",
                "Container Insights is off".into(),
                "set `containerInsights: true`",
            );
        }
    }
}
