use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::PolicyEffect;

declare_rule! {
    /// ## What it checks
    /// That "Kubernetes clusters should use internal load balancers" (3fc4dc25-...) is not
    /// `Disabled`, and that `policy.allowedRegistries` lists at least one registry for
    /// "Kubernetes cluster containers should only use allowed images" (febd0533-...).
    ///
    /// ## Why it matters
    /// The architecture exposes workloads only through the internal load balancer behind Front
    /// Door and the application proxy; a public LoadBalancer Service bypasses WAF and
    /// pre-authentication. Images from unknown registries bypass ACR scanning and pre-pull.
    ///
    /// ## How to fix
    /// `internalLoadBalancersOnly: Deny` and `allowedRegistries: [<acr>.azurecr.io, mcr.microsoft.com]`.
    ///
    /// ## References
    /// - facts.md §8
    pub struct Pol002 {
        code: "POL002",
        name: "ingress-or-registry-policy-missing",
        severity: Warning,
        summary: "Internal-load-balancer-only or allowed-registries policy not assigned",
    }
}

impl Rule for Pol002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let p = &cx.spec.policy;
        if p.internal_load_balancers_only == PolicyEffect::Disabled {
            out.warning(
                "/policy/internalLoadBalancersOnly",
                "the internal-load-balancers-only policy is disabled".into(),
                "set `internalLoadBalancersOnly: Deny`",
            );
        }
        if p.allowed_registries.is_empty() {
            out.warning(
                "/policy/allowedRegistries",
                "no allowed registries: the allowed-images policy is not assigned".into(),
                "list your ACR login server and mcr.microsoft.com",
            );
        }
    }
}
