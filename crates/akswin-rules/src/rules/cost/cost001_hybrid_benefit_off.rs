use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// A cluster with Windows node pools and `cluster.windowsProfile.azureHybridBenefit` off.
    /// The finding shows what the Windows licences cost a month at the expected node-hours
    /// (autoscaler minimum plus the hot-spare hours), priced from the embedded table; `akswin
    /// plan --prices FILE` prices it from a Retail Prices API export.
    ///
    /// ## Why it matters
    /// The article: "The licensing costs for Windows Server increase the cost of nodes". With
    /// Azure Hybrid Benefit, Windows Server licences with Software Assurance (or subscriptions)
    /// cover the Windows nodes and only the Linux-equivalent compute price is charged.
    ///
    /// ## How to fix
    /// If the organisation holds eligible licences, set `azureHybridBenefit: true` (ARM
    /// `windowsProfile.licenseType: Windows_Server`; `az aks update --enable-ahub` on an existing
    /// cluster). Otherwise this is information only.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/azure-hybrid-benefit
    /// - docs/sources.md#prices
    pub struct Cost001 {
        code: "COST001",
        name: "hybrid-benefit-off",
        severity: Info,
        summary: "Windows node pools pay for Windows licences (Azure Hybrid Benefit off)",
    }
}

impl Rule for Cost001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        if !cx.has_windows() {
            return;
        }
        let wp = cx.spec.cluster.windows_profile.as_ref();
        if wp.is_some_and(|w| w.azure_hybrid_benefit) {
            return;
        }
        // The same prices `plan` uses (`--prices`, `cost.prices`, else the embedded table).
        let e = crate::cost(cx.spec, cx.prices, cx.today);
        let source = match &cx.prices.retail_file {
            Some(f) => format!("priced from {} where it has a price", f.path),
            None => format!(
                "embedded {} prices compiled {}; `--prices` for yours",
                e.embedded_price_region, e.price_book_compiled_on
            ),
        };
        let amount = e.windows_licence.payg_monthly.map_or_else(
            || "an amount akswin cannot price (no price for a pool's VM size)".to_string(),
            |v| {
                format!(
                    "about {v:.2} {} a month at the expected node-hours ({source})",
                    e.currency
                )
            },
        );
        let ptr = if wp.is_some() {
            "/cluster/windowsProfile/azureHybridBenefit"
        } else {
            "/cluster"
        };
        out.info(
            ptr,
            format!("Azure Hybrid Benefit is off: Windows licences for the Windows pools cost {amount}"),
            "set `azureHybridBenefit: true` if the organisation has eligible Windows Server licences",
        );
    }
}
