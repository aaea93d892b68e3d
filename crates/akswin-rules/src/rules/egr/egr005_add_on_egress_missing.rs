use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// - `egress.firewall.addOnEgress: false` while add-ons that need egress are on (Container
    ///   insights: `*.ods.opinsights.azure.com`, `*.ingest.monitor.azure.com`, ...; the Azure
    ///   Policy add-on: `data.policy.core.windows.net`, `store.policy.core.windows.net`; the
    ///   Key Vault CSI driver: `vault.azure.net`);
    /// - fewer firewall public IPs (`egress.firewall.publicIps`) than
    ///   `recommendedPublicIps` (default 20: Microsoft's production guidance against SNAT
    ///   port exhaustion; lower the threshold knowingly for small clusters).
    ///
    /// ## Why it matters
    /// Without their egress, add-ons fail quietly: no Container insights data, no policy
    /// enforcement, no secrets mounted. SNAT exhaustion drops outbound connections under load,
    /// first from the nodes that pull the largest images: the Windows ones.
    ///
    /// ## How to fix
    /// `addOnEgress: true` (default); `publicIps: 20`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/outbound-rules-control-egress (add-on egress)
    /// - https://learn.microsoft.com/azure/aks/limit-egress-traffic (firewall public IPs)
    /// - docs/sources.md#add-on-egress-and-firewall-sizing
    pub struct Egr005 {
        code: "EGR005",
        name: "add-on-egress-missing",
        severity: Warning,
        summary: "An enabled add-on's egress is missing, or fewer firewall public IPs than recommended",
    }
}

impl Rule for Egr005 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let fw = &cx.spec.egress.firewall;
        if !fw.add_on_egress {
            let mut on = vec!["Azure Policy", "Key Vault CSI"];
            if cx.spec.monitoring.container_insights {
                on.insert(0, "Container insights");
            }
            out.warning(
                "/egress/firewall/addOnEgress",
                format!(
                    "add-on egress is off, but these add-ons need it: {}",
                    on.join(", ")
                ),
                "set `addOnEgress: true`",
            );
        }
        // An existing hub's firewall and its public IPs are the platform team's.
        if fw.public_ips < fw.recommended_public_ips && cx.spec.network.existing_hub().is_none() {
            out.warning(
                "/egress/firewall/publicIps",
                format!("{} firewall public IP(s), fewer than the {} recommended against SNAT exhaustion", fw.public_ips, fw.recommended_public_ips),
                "use `publicIps: 20` for production, or lower `recommendedPublicIps` for a small cluster",
            );
        }
    }
}
