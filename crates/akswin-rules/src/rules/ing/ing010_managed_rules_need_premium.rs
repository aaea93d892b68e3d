use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::FrontDoorSku;

declare_rule! {
    /// ## What it checks
    /// That a Front Door WAF policy with managed rule sets
    /// (`ingress.frontDoor.waf.managedRuleSets`: the Default Rule Set, the Bot Manager rule
    /// set) belongs to Front Door Premium.
    ///
    /// ## Why it matters
    /// Managed rule sets and bot protection are Premium features; Front Door Standard's WAF
    /// runs custom rules only. A Standard profile with managed rule sets fails to deploy, or,
    /// with the rule sets dropped, leaves the application behind a WAF that blocks nothing the
    /// architecture expects it to block.
    ///
    /// ## How to fix
    /// `ingress.frontDoor.sku: Premium` (also what a Private Link origin needs: ING001), or
    /// remove `managedRuleSets` and accept a WAF of custom rules only.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/frontdoor/standard-premium/tier-comparison
    /// - https://learn.microsoft.com/azure/web-application-firewall/afds/waf-front-door-drs
    pub struct Ing010 {
        code: "ING010",
        name: "managed-rules-need-premium",
        severity: Error,
        summary: "Front Door WAF managed rule sets on a SKU other than Premium",
    }
}

impl Rule for Ing010 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(fd) = &cx.spec.ingress.front_door else {
            return;
        };
        let Some(waf) = &fd.waf else {
            return;
        };
        if fd.sku != FrontDoorSku::Premium && !waf.managed_rule_sets.is_empty() {
            out.error(
                "/ingress/frontDoor/waf/managedRuleSets",
                format!(
                    "Front Door {:?} has no managed WAF rule sets ({} asked for); they are a Premium feature",
                    fd.sku,
                    waf.managed_rule_sets.join(", ")
                ),
                "set `ingress.frontDoor.sku: Premium`, or remove managedRuleSets (custom rules only)",
            );
        }
    }
}
