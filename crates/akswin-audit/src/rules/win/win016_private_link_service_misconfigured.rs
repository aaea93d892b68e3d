use crate::rules::win::win010_public_load_balancer::INTERNAL;
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Services with `service.beta.kubernetes.io/azure-pls-create: "true"` that are not internal
    /// load balancers, or that use `externalTrafficPolicy: Local` without a dedicated
    /// `azure-pls-ip-configuration-subnet` (the Private Link Service subnet must then differ from
    /// the pod subnet).
    ///
    /// ## Why it matters
    /// A Private Link Service can only front an internal Standard load balancer; with Local
    /// traffic policy on the pod subnet, Front Door's Private Link traffic is dropped.
    ///
    /// ## How to fix
    /// Add the internal annotation; set `azure-pls-ip-configuration-subnet` to a dedicated
    /// subnet or use `externalTrafficPolicy: Cluster`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/internal-lb (Private Link Service restrictions)
    /// - docs/sources.md#front-door-and-private-link
    pub struct Win016 {
        code: "WIN016",
        name: "private-link-service-misconfigured",
        severity: Warning,
        summary: "Private Link Service annotations on a non-internal Service, or with Local traffic policy on the pod subnet",
    }
}

impl ManifestRule for Win016 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        if obj.kind != "Service" {
            return;
        }
        let ann = obj.node.path(&["metadata", "annotations"]);
        let get = |k: &str| ann.and_then(|a| a.get(k)).and_then(Node::str);
        if get("service.beta.kubernetes.io/azure-pls-create") != Some("true") {
            return;
        }
        let span = ann.map_or(obj.node.span, |a| {
            a.key_span("service.beta.kubernetes.io/azure-pls-create")
        });
        let ptr = obj.ptr("/metadata/annotations/service.beta.kubernetes.io~1azure-pls-create");
        if get(INTERNAL) != Some("true") {
            out.warning(
                ptr.clone(),
                span,
                format!(
                    "Service {} creates a Private Link Service but is not internal",
                    obj.name
                ),
                "annotate azure-load-balancer-internal: \"true\"",
            );
        }
        if obj
            .node
            .path(&["spec", "externalTrafficPolicy"])
            .and_then(Node::str)
            == Some("Local")
            && get("service.beta.kubernetes.io/azure-pls-ip-configuration-subnet").is_none()
        {
            out.warning(ptr, span, format!("Service {} uses externalTrafficPolicy Local with the Private Link Service on the default subnet", obj.name), "set azure-pls-ip-configuration-subnet to a dedicated subnet, or use externalTrafficPolicy: Cluster");
        }
    }
}
