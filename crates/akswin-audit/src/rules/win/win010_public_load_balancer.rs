use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Services of `type: LoadBalancer` without `service.beta.kubernetes.io/azure-load-balancer-
    /// internal: "true"`.
    ///
    /// ## Why it matters
    /// Such a Service gets a public IP, bypassing Front Door's WAF and the application proxy's
    /// pre-authentication: the architecture exposes workloads only through the internal load
    /// balancer. The built-in policy "Kubernetes clusters should use internal load balancers"
    /// (3fc4dc25) denies them.
    ///
    /// ## How to fix
    /// Add the annotation (and `azure-load-balancer-internal-subnet`).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/internal-lb
    /// - https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Kubernetes/LoadbalancerNoPublicIPs.json
    /// - docs/sources.md#azure-policy-built-in-ids
    pub struct Win010 {
        code: "WIN010",
        name: "public-load-balancer",
        severity: Error,
        summary: "A Service of type LoadBalancer without the internal annotation",
    }
}

pub const INTERNAL: &str = "service.beta.kubernetes.io/azure-load-balancer-internal";

impl ManifestRule for Win010 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        if obj.kind != "Service"
            || obj.node.path(&["spec", "type"]).and_then(Node::str) != Some("LoadBalancer")
        {
            return;
        }
        let internal = obj
            .node
            .path(&["metadata", "annotations", INTERNAL])
            .and_then(Node::str)
            == Some("true");
        if !internal {
            out.error(
                obj.ptr("/spec/type"),
                obj.node
                    .path(&["spec", "type"])
                    .map_or(obj.node.span, |n| n.span),
                format!("Service {} is a public load balancer", obj.name),
                "annotate service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"",
            );
        }
    }
}
