use crate::rules::ing::front_door_origin;
use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{AuthMode, FrontDoorOrigin};

declare_rule! {
    /// ## What it checks
    /// That every workload with `auth: kerberos` is published through the Microsoft Entra
    /// application proxy: `ingress.appProxy.enabled` is true and Front Door's origin is the
    /// application proxy (not Private Link straight to the load balancer).
    ///
    /// ## Why it matters
    /// The application proxy "is the only way to route Kerberos authentication requests while
    /// using an Azure service that supports WAF" (Kerberos constrained delegation). Without it,
    /// Windows-authenticated apps prompt or fail.
    ///
    /// ## How to fix
    /// `ingress.appProxy.enabled: true` and leave `frontDoor.origin` unset (or `appProxy`).
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
        let ing = &cx.spec.ingress;
        let via_proxy = ing.app_proxy.enabled
            && (ing.front_door.is_none()
                || front_door_origin(cx.spec) == FrontDoorOrigin::AppProxy);
        if via_proxy {
            return;
        }
        for (i, w) in cx.spec.workloads.iter().enumerate() {
            if w.auth == AuthMode::Kerberos {
                out.error(
                    &format!("/workloads/{i}/auth"),
                    format!("workload `{}` uses Kerberos but is not published through the application proxy", w.name),
                    "enable ingress.appProxy and let Front Door's origin be the application proxy",
                );
            }
        }
    }
}
