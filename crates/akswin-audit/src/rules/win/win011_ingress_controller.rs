use crate::objects::containers;
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// `Ingress` objects, and workloads that run a known in-cluster ingress controller image
    /// (ingress-nginx, Traefik, HAProxy ingress, Contour/Envoy, the AKS application routing
    /// add-on's nginx).
    ///
    /// ## Why it matters
    /// "No in-cluster ingress controllers (like Nginx) are used in this architecture": the path
    /// is Front Door, the application proxy, then the internal load balancer; a controller adds
    /// a Linux hop that breaks Kerberos delegation and needs its own patching.
    ///
    /// ## How to fix
    /// Expose each workload with an internal LoadBalancer Service.
    ///
    /// ## References
    /// - Architecture, "Ingress design"
    pub struct Win011 {
        code: "WIN011",
        name: "ingress-controller",
        severity: Warning,
        summary: "Ingress objects or an in-cluster ingress controller",
    }
}

const CONTROLLERS: [&str; 6] = [
    "ingress-nginx",
    "nginx-ingress",
    "traefik",
    "haproxy-ingress",
    "contour",
    "oss/kubernetes/ingress/nginx",
];

impl ManifestRule for Win011 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        if obj.kind == "Ingress" {
            out.warning(
                obj.ptr("/kind"),
                obj.node.get("kind").map_or(obj.node.span, |n| n.span),
                format!(
                    "Ingress {}: the architecture uses no in-cluster ingress",
                    obj.name
                ),
                "expose the workload through an internal LoadBalancer Service behind Front Door",
            );
            return;
        }
        let Some(pod) = obj.pod() else { return };
        for (cptr, c) in containers(pod.node) {
            let img = c.get("image").and_then(Node::str).unwrap_or_default();
            if CONTROLLERS.iter().any(|k| img.contains(k)) {
                out.warning(obj.ptr(&format!("{}{cptr}/image", pod.ptr)), c.get("image").map_or(c.span, |n| n.span), format!("{} {} runs an ingress controller ({img})", obj.kind, obj.name), "remove it; ingress is Front Door -> application proxy -> internal load balancer");
            }
        }
    }
}
