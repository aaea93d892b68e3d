use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::AlertOs;

declare_rule! {
    /// ## What it checks
    /// Alerts (`monitoring.alerts`) whose metric or query uses memory RSS (`rss` in the name,
    /// e.g. `memoryRssBytes`, `memoryRssPercentage`) and that target Windows (`os: Windows`, or
    /// `os: All` in a cluster with Windows pools).
    ///
    /// ## Why it matters
    /// "Windows doesn't have a Memory RSS metric. As a result, it isn't available for Windows
    /// nodes and containers." The alert never fires for Windows: silent, not safe.
    ///
    /// ## How to fix
    /// Use the working set (`memoryWorkingSetBytes`, `memoryWorkingSetPercentage`).
    ///
    /// ## References
    /// - Architecture, "Monitoring" (no memory RSS metric on Windows)
    /// - docs/sources.md#container-insights-and-data-collection-rules
    pub struct Mon003 {
        code: "MON003",
        name: "memory-rss-on-windows",
        severity: Error,
        summary: "An alert or query on memory RSS for Windows targets",
    }
}

impl Rule for Mon003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, a) in cx.spec.monitoring.alerts.iter().enumerate() {
            let windows = a.os == AlertOs::Windows || (a.os == AlertOs::All && cx.has_windows());
            if !windows {
                continue;
            }
            for (key, text) in [("metric", &a.metric), ("query", &a.query)] {
                if text
                    .as_deref()
                    .is_some_and(|t| t.to_ascii_lowercase().contains("rss"))
                {
                    out.error(
                        &format!("/monitoring/alerts/{i}/{key}"),
                        format!("alert `{}` uses memory RSS, which Windows nodes and containers do not report", a.name),
                        "use the working set (memoryWorkingSetBytes) for Windows targets",
                    );
                }
            }
        }
    }
}
