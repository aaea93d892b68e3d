use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::WafMode;

declare_rule! {
    /// ## What it checks
    /// - error: Front Door without a WAF policy, or a WAF policy without managed rule sets;
    /// - warning: the WAF in Detection mode (it logs attacks but lets them through).
    ///
    /// ## Why it matters
    /// Front Door's WAF is the architecture's only protection "against common web application
    /// exploits and vulnerabilities"; there is no in-cluster ingress controller behind it.
    ///
    /// ## How to fix
    /// ```yaml
    /// waf: { mode: Prevention, managedRuleSets: [Microsoft_DefaultRuleSet, Microsoft_BotManagerRuleSet] }
    /// ```
    ///
    /// ## References
    /// - Architecture, "Ingress design" and "Ingress traffic flow"
    pub struct Ing002 {
        code: "ING002",
        name: "waf-missing",
        severity: Error,
        summary: "No WAF policy or no managed rule set; WAF in Detection mode",
    }
}

impl Rule for Ing002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(fd) = &cx.spec.ingress.front_door else {
            return;
        };
        let Some(waf) = &fd.waf else {
            out.error(
                "/ingress/frontDoor",
                "Front Door has no WAF policy".into(),
                "add `waf: { mode: Prevention, managedRuleSets: [Microsoft_DefaultRuleSet] }`",
            );
            return;
        };
        if waf.managed_rule_sets.is_empty() {
            out.error(
                "/ingress/frontDoor/waf/managedRuleSets",
                "the WAF policy has no managed rule set, so it blocks nothing by default".into(),
                "add Microsoft_DefaultRuleSet (and Microsoft_BotManagerRuleSet)",
            );
        }
        if waf.mode == WafMode::Detection {
            out.warning(
                "/ingress/frontDoor/waf/mode",
                "the WAF is in Detection mode: attacks are logged, not blocked".into(),
                "switch to `mode: Prevention` once false positives are tuned",
            );
        }
    }
}
