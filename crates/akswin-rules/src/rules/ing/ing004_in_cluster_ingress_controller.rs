use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::IngressController;

declare_rule! {
    /// ## What it checks
    /// That `ingress.inClusterIngressController` is `none`.
    ///
    /// ## Why it matters
    /// "No in-cluster ingress controllers (like Nginx) are used in this architecture." The
    /// path is Front Door (WAF, TLS) -> application proxy (pre-authentication, Kerberos) ->
    /// AKS internal load balancer -> pods. A controller adds a hop that breaks Kerberos
    /// delegation and needs its own patching, on Linux nodes.
    ///
    /// ## How to fix
    /// `inClusterIngressController: none` and an internal LoadBalancer Service per workload.
    ///
    /// ## References
    /// - Architecture, "Ingress design"
    pub struct Ing004 {
        code: "ING004",
        name: "in-cluster-ingress-controller",
        severity: Warning,
        summary: "An in-cluster ingress controller is configured",
    }
}

impl Rule for Ing004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let c = cx.spec.ingress.in_cluster_ingress_controller;
        if c != IngressController::None {
            out.warning(
                "/ingress/inClusterIngressController",
                format!("an in-cluster ingress controller ({c:?}) is configured; the architecture uses none"),
                "set `inClusterIngressController: none` and expose workloads through the internal load balancer",
            );
        }
    }
}
