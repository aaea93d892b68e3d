use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::IngressPath;

declare_rule! {
    /// ## What it checks
    /// That every workload Front Door publishes has a name of its own to be reached on:
    /// - a workload's `host` is one of `ingress.frontDoor.customDomains`;
    /// - no two published workloads share a host;
    /// - a published workload without a custom domain is the one that takes the endpoint's own
    ///   `*.azurefd.net` name (only one can);
    /// - every custom domain is some workload's `host` (warning: it would route nowhere);
    /// - `appProxyExternalHost` is set only on a workload behind the application proxy
    ///   (warning: it is ignored otherwise).
    ///
    /// ## Why it matters
    /// akswin renders one Front Door route per published workload, each matching `/*` on its
    /// domains. Two routes with the same pattern on one domain conflict, and Front Door rejects
    /// the deployment; a route with no domain cannot exist; a custom domain on no route answers
    /// nothing. Each workload takes the path its `auth` needs (Kerberos through the application
    /// proxy, others through Private Link), so each needs its own name.
    ///
    /// ## How to fix
    /// Give each published workload a `host` from `ingress.frontDoor.customDomains` (add the
    /// domain there with its Key Vault certificate), or remove the `port` of a workload that
    /// only serves inside the network.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/frontdoor/front-door-route-matching
    /// - https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-add-custom-domain
    pub struct Ing011 {
        code: "ING011",
        name: "front-door-route",
        severity: Error,
        summary: "A published workload with no Front Door domain of its own, or a custom domain that routes nowhere",
    }
}

impl Rule for Ing011 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let spec = cx.spec;
        for r in &cx.plan.ingress {
            let Some(w) = spec.workloads.get(r.index) else {
                continue;
            };
            if w.app_proxy_external_host.is_some() && r.path != IngressPath::AppProxy {
                out.warning(
                    &format!("/workloads/{}/appProxyExternalHost", r.index),
                    format!("workload `{}` is not published through the application proxy; its appProxyExternalHost is ignored", w.name),
                    "remove it, or publish the workload through the application proxy (auth: kerberos)",
                );
            }
        }
        let Some(fd) = &spec.ingress.front_door else {
            return;
        };
        let mut seen: Vec<&str> = Vec::new();
        for r in cx
            .plan
            .ingress
            .iter()
            .filter(|r| r.front_door_route.is_some())
        {
            let Some(w) = spec.workloads.get(r.index) else {
                continue;
            };
            if w.host.is_some() && !r.custom_domain {
                out.error(
                    &format!("/workloads/{}/host", r.index),
                    format!("`{}` is not one of Front Door's custom domains: Front Door cannot route it to `{}`", r.host, w.name),
                    "add it to ingress.frontDoor.customDomains with its certificate, or use one that is there",
                );
            } else if r.custom_domain {
                if seen.contains(&r.host.as_str()) {
                    out.error(
                        &format!("/workloads/{}/host", r.index),
                        format!("`{}` is already another workload's host: two Front Door routes for /* on one domain conflict", r.host),
                        "give each published workload a custom domain of its own",
                    );
                }
                seen.push(&r.host);
            } else if !r.default_domain {
                out.error(
                    &format!("/workloads/{}/port", r.index),
                    format!("workload `{}` is published through Front Door on no domain: the endpoint's own name already goes to another workload", w.name),
                    "set its `host` to one of ingress.frontDoor.customDomains, or remove its port to keep it internal",
                );
            }
        }
        for (j, d) in fd.custom_domains.iter().enumerate() {
            if !cx.plan.ingress.iter().any(|r| {
                r.custom_domain && r.front_door_route.is_some() && r.host == d.host.as_str()
            }) {
                out.warning(
                    &format!("/ingress/frontDoor/customDomains/{j}/host"),
                    format!("custom domain `{}` is no published workload's host: Front Door routes it nowhere", d.host),
                    "set it as the `host` of the workload it serves",
                );
            }
        }
    }
}
