use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{FrontDoorSku, IngressPath};

declare_rule! {
    /// ## What it checks
    /// That Front Door reaching the internal load balancer through Private Link
    /// (`ingress.frontDoor.origin: privateLink`, the default when the application proxy is off)
    /// is the Premium SKU.
    ///
    /// ## Why it matters
    /// Private Link origins are a Front Door Premium feature: "AFD Premium is used in this
    /// design as it allows the use of Private Link, which locks internal app traffic to
    /// private networking." Standard cannot reach a private origin at all.
    ///
    /// ## How to fix
    /// `ingress.frontDoor.sku: Premium`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/frontdoor/private-link
    /// - https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-enable-private-link-internal-load-balancer
    /// - docs/sources.md#front-door-and-private-link
    /// - Architecture, "Ingress design"
    pub struct Ing001 {
        code: "ING001",
        name: "private-link-needs-premium",
        severity: Error,
        summary: "Front Door Private Link origin with a SKU other than Premium",
    }
}

impl Rule for Ing001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(fd) = &cx.spec.ingress.front_door else {
            return;
        };
        if fd.sku == FrontDoorSku::Premium {
            return;
        }
        let via: Vec<&str> = cx
            .plan
            .ingress
            .iter()
            .filter(|r| r.path == IngressPath::PrivateLink && r.front_door_route.is_some())
            .map(|r| r.workload.as_str())
            .collect();
        if !via.is_empty() {
            out.error(
                "/ingress/frontDoor/sku",
                format!(
                    "Front Door {:?} cannot use a Private Link origin, which {} needs; Private Link needs Premium",
                    fd.sku,
                    via.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
                ),
                "set `sku: Premium`",
            );
        }
    }
}
