use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::IngressPath;

declare_rule! {
    /// ## What it checks
    /// A workload behind the application proxy that serves TLS (port 443 or 8443) without
    /// `internalHost`: akswin then makes up its internal name (`<prefix>-<workload>.<AD
    /// domain>`), which no certificate in the image carries.
    ///
    /// ## Why it matters
    /// The connector opens TLS to the internal URL and, for new applications, validates the
    /// backend certificate: it must carry the internal host and chain to a root the connector
    /// servers trust. A certificate issued for another name fails every request at the
    /// connector, while the pods look healthy.
    ///
    /// ## How to fix
    /// Set `internalHost` to the name the workload's certificate carries, a name in the AD
    /// domain (not the public `host`: a record for the public name in AD DNS sends users who
    /// resolve through AD around Front Door).
    ///
    /// ## References
    /// - https://learn.microsoft.com/graph/api/resources/onpremisespublishing?view=graph-rest-beta
    /// - https://learn.microsoft.com/entra/identity/app-proxy/application-proxy-add-on-premises-application
    pub struct Ing012 {
        code: "ING012",
        name: "backend-certificate-name",
        severity: Warning,
        summary: "A TLS workload behind the application proxy whose internal host akswin had to make up",
    }
}

impl Rule for Ing012 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for r in cx.plan.ingress.iter().filter(|r| {
            r.path == IngressPath::AppProxy && akswin_spec::spec::port_serves_tls(r.port)
        }) {
            let Some(w) = cx.spec.workloads.get(r.index) else {
                continue;
            };
            if w.internal_host.is_none() {
                out.warning(
                    &format!("/workloads/{}/port", r.index),
                    format!(
                        "workload `{}` serves TLS behind the application proxy, which validates its certificate against the internal host `{}` that akswin made up",
                        w.name, r.internal_host
                    ),
                    "set `internalHost` to the name the workload's certificate carries (a name in the AD domain)",
                );
            }
        }
    }
}
