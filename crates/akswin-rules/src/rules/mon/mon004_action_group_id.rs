use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Each entry of `monitoring.actionGroups` is an action group's resource id:
    /// `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Insights/actionGroups/<name>`.
    /// Without any, when akswin renders alerts, an info says that they notify nobody.
    ///
    /// ## Why it matters
    /// Every rendered alert rule names these action groups; a name, an e-mail address or a
    /// portal URL in their place fails the deployment of the cluster's template, after the
    /// network, the firewall and the cluster have been created. Alerts without an action
    /// group fire in Azure Monitor only: nobody is paged when a Windows node stays NotReady.
    ///
    /// ## How to fix
    /// Copy the id from the action group's Properties page, or
    /// `az monitor action-group show --resource-group <group> --name <name> --query id`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/azure-monitor/alerts/action-groups
    pub struct Mon004 {
        code: "MON004",
        name: "action-group-id",
        severity: Error,
        summary: "An action group that is not an action group's resource id",
    }
}

/// Whether `id` has the shape of an action group's resource id.
pub fn is_action_group_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('/').collect();
    parts.len() == 9
        && parts[0].is_empty()
        && parts[1].eq_ignore_ascii_case("subscriptions")
        && parts[3].eq_ignore_ascii_case("resourceGroups")
        && parts[5].eq_ignore_ascii_case("providers")
        && parts[6].eq_ignore_ascii_case("Microsoft.Insights")
        && parts[7].eq_ignore_ascii_case("actionGroups")
        && parts
            .iter()
            .skip(1)
            .all(|p| !p.is_empty() && !p.contains(char::is_whitespace))
}

impl Rule for Mon004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        // akswin's own alerts read Container insights' tables: rendered only with it on.
        let own = if cx.spec.monitoring.container_insights {
            akswin_plan::alerts::windows_alerts(cx.spec).len()
        } else {
            0
        };
        let alerts = own + cx.spec.monitoring.alerts.len();
        if cx.spec.monitoring.action_groups.is_empty() && alerts > 0 {
            out.info(
                "/monitoring",
                format!("the {alerts} alert rules akswin renders notify nobody: no monitoring.actionGroups (they fire in Azure Monitor only)"),
                "add your on-call action group's resource id under monitoring.actionGroups",
            );
        }
        for (i, g) in cx.spec.monitoring.action_groups.iter().enumerate() {
            if !is_action_group_id(g) {
                out.error(
                    &format!("/monitoring/actionGroups/{i}"),
                    format!("`{g}` is not an action group's resource id"),
                    "give /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Insights/actionGroups/<name> (az monitor action-group show --query id)",
                );
            }
        }
    }
}
