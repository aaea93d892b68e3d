use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Workloads that declare `needsClientIp: true`.
    ///
    /// ## Why it matters
    /// "Client source IP preservation is not supported" on this path (Front Door, the
    /// application proxy and Windows nodes all hide it). Apps that log, rate-limit or authorise
    /// by source IP see proxy addresses instead.
    ///
    /// ## How to fix
    /// Move the logic out of the cluster: Front Door WAF rules or conditional access by IP, or
    /// read the `X-Forwarded-For` header Front Door sets.
    ///
    /// ## References
    /// - Architecture, "Ingress design"
    /// - https://learn.microsoft.com/azure/aks/windows-faq (client source IP preservation)
    /// - docs/sources.md#windows-networking-limits
    pub struct Ing006 {
        code: "ING006",
        name: "client-ip-not-preserved",
        severity: Warning,
        summary: "A workload needs the client source IP, which this ingress path does not preserve",
    }
}

impl Rule for Ing006 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, w) in cx
            .spec
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| w.needs_client_ip)
        {
            out.warning(
                &format!("/workloads/{i}/needsClientIp"),
                format!("workload `{}` needs the client source IP, which this ingress path does not preserve", w.name),
                "use Front Door WAF or conditional access IP rules, or X-Forwarded-For",
            );
        }
    }
}
