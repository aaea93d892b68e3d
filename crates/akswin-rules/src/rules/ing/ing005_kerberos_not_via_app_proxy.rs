use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{AuthMode, IngressPath};

declare_rule! {
    /// ## What it checks
    /// That every workload with `auth: kerberos` is published through the Microsoft Entra
    /// application proxy: it has a `port`, `ingress.appProxy.enabled` is true, and Front
    /// Door's origin for it is the application proxy (not Private Link straight to the load
    /// balancer, which `ingress.frontDoor.origin: privateLink` forces for every workload).
    ///
    /// ## Why it matters
    /// The application proxy "is the only way to route Kerberos authentication requests while
    /// using an Azure service that supports WAF" (Kerberos constrained delegation). Without it,
    /// Windows-authenticated apps prompt or fail.
    ///
    /// ## How to fix
    /// Give the workload its `port`, set `ingress.appProxy.enabled: true` and leave
    /// `frontDoor.origin` unset (each workload then takes the path its `auth` needs).
    ///
    /// ## References
    /// - Architecture, "Ingress design"
    pub struct Ing005 {
        code: "ING005",
        name: "kerberos-not-via-app-proxy",
        severity: Error,
        summary: "A Kerberos workload not published through the application proxy",
    }
}

impl Rule for Ing005 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, w) in cx.spec.workloads.iter().enumerate() {
            if w.auth != AuthMode::Kerberos {
                continue;
            }
            if w.port.is_none() {
                out.error(
                    &format!("/workloads/{i}/auth"),
                    format!("workload `{}` signs users in with Kerberos but has no port: the application proxy publishes nothing for it", w.name),
                    "give it the `port` it serves on",
                );
            } else if cx.spec.ingress_path(w) != IngressPath::AppProxy {
                out.error(
                    &format!("/workloads/{i}/auth"),
                    format!("workload `{}` uses Kerberos but is not published through the application proxy", w.name),
                    "enable ingress.appProxy and leave ingress.frontDoor.origin unset (or appProxy)",
                );
            }
        }
    }
}
