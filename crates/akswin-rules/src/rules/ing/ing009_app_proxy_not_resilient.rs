use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// With the application proxy on: at least 2 connectors, and a conditional access policy
    /// with allowed IP ranges; its `excludeGroups` are group object ids (GUIDs), and without any
    /// an information finding says that no emergency access group is excluded.
    ///
    /// ## Why it matters
    /// One connector is a single point of failure for every Kerberos app (and goes down during
    /// its own updates). The architecture uses "a conditional access policy to prevent
    /// unauthorized IP ranges ... and users from accessing the site"; the proxy is the only hop
    /// that sees the client IP.
    ///
    /// ## How to fix
    /// `connectors: 2` (or more) and `conditionalAccess: { allowedIpRanges: [...] }`, with
    /// `excludeGroups: [<object id of the break-glass group>]`.
    ///
    /// ## References
    /// - Architecture, "Ingress design"
    /// - https://learn.microsoft.com/entra/identity/app-proxy/application-proxy-add-on-premises-application
    /// - docs/sources.md#application-proxy-connector-prerequisites
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access
    pub struct Ing009 {
        code: "ING009",
        name: "app-proxy-not-resilient",
        severity: Warning,
        summary: "Application proxy with fewer than 2 connectors or without conditional access",
    }
}

impl Rule for Ing009 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let ap = &cx.spec.ingress.app_proxy;
        if !ap.enabled {
            return;
        }
        if ap.connectors < 2 {
            out.warning(
                "/ingress/appProxy/connectors",
                format!(
                    "{} application proxy connector(s): a single point of failure",
                    ap.connectors
                ),
                "run at least 2 connectors",
            );
        }
        if let Some(ca) = ap
            .conditional_access
            .as_ref()
            .filter(|c| !c.allowed_ip_ranges.is_empty())
        {
            for (i, g) in ca.exclude_groups.iter().enumerate() {
                if g.parse::<akswin_spec::types::ObjectId>().is_err() {
                    out.error(
                        &format!("/ingress/appProxy/conditionalAccess/excludeGroups/{i}"),
                        format!("`{g}` is not a group object id (a GUID)"),
                        "use the group's object id from Microsoft Entra ID",
                    );
                }
            }
            if ca.exclude_groups.is_empty() {
                out.info(
                    "/ingress/appProxy/conditionalAccess",
                    "the conditional access policy excludes no emergency access (break-glass) group".into(),
                    "add `excludeGroups: [<object id>]` with the tenant's emergency access group",
                );
            }
        }
        if ap
            .conditional_access
            .as_ref()
            .is_none_or(|c| c.allowed_ip_ranges.is_empty())
        {
            out.warning(
                "/ingress/appProxy",
                "the application proxy has no conditional access IP ranges".into(),
                "add `conditionalAccess: { allowedIpRanges: [...] }`",
            );
        }
    }
}
