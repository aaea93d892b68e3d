use crate::{Ctx, Out, Rule, declare_rule};
use akswin_facts::{EgressKind, facts};

declare_rule! {
    /// ## What it checks
    /// With Windows pools, that the firewall allows the Windows FQDNs AKS documents:
    /// `onegetcdn.azureedge.net` and `go.microsoft.com` on HTTPS 443; `*.mp.microsoft.com`,
    /// `www.msftconnecttest.com` and `ctldl.windowsupdate.com` on HTTP 80. akswin adds them
    /// (and the `WindowsUpdate` FQDN tag) while `egress.firewall.allowWindowsUpdate` is true;
    /// with it false, the user's own application rules must cover each one. Whether the
    /// `WindowsUpdate` tag alone covers these five is not documented, so the tag does not
    /// count here.
    ///
    /// ## Why it matters
    /// "In order to take advantage of automatic Windows Server updates, you must not block the
    /// required FQDNs in your Azure Firewall ruleset." Blocked, Windows nodes only get fixes
    /// with a node image upgrade, and the installation of Windows binaries fails.
    ///
    /// ## How to fix
    /// `allowWindowsUpdate: true` (the default).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/outbound-rules-control-egress
    ///   (Windows Server node pools)
    /// - https://learn.microsoft.com/azure/firewall/fqdn-tags (`WindowsUpdate`)
    /// - docs/sources.md#windows-update-egress
    /// - Architecture, "Egress traffic flow"
    pub struct Egr002 {
        code: "EGR002",
        name: "windows-update-blocked",
        severity: Error,
        summary: "Windows pools present and the Windows FQDNs not allowed",
    }
}

impl Rule for Egr002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        if !cx.has_windows() {
            return;
        }
        let fw = &cx.plan.firewall;
        let missing: Vec<String> = facts()
            .egress_set("windows")
            .filter(|f| f.kind == EgressKind::Fqdn)
            .filter(|f| {
                !crate::rules::egr::covered(
                    fw,
                    cx.subnet_prefix("windowsNodes"),
                    &f.destination,
                    f.protocol.as_str(),
                    &f.port,
                )
            })
            .map(|f| {
                format!(
                    "{} ({} {})",
                    f.destination,
                    f.protocol.as_str().to_ascii_uppercase(),
                    f.port
                )
            })
            .collect();
        if !missing.is_empty() {
            out.error(
                "/egress/firewall/allowWindowsUpdate",
                format!("Windows pools cannot reach: {}", missing.join(", ")),
                "set `allowWindowsUpdate: true`, or add application rules for each of them",
            );
        }
    }
}
