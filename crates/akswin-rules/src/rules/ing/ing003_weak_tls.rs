use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// - plain HTTP accepted (`allowHttp: true`) without a redirect to HTTPS
    ///   (`httpsRedirect: false`);
    /// - `minimumTlsVersion` below 1.2 (or not a TLS version at all).
    ///
    /// ## Why it matters
    /// "AFD is configured to only allow HTTPS traffic"; the client's traffic "is encrypted to
    /// make sure that the traffic between the client browser and gateway can't be inspected or
    /// changed". TLS 1.0 and 1.1 are deprecated.
    ///
    /// ## How to fix
    /// `httpsRedirect: true`, `minimumTlsVersion: "1.2"`.
    ///
    /// ## References
    /// - Architecture, "Ingress traffic flow"
    /// - https://learn.microsoft.com/azure/templates/microsoft.cdn/profiles/afdendpoints/routes
    ///   (route `httpsRedirect`)
    /// - docs/sources.md#front-door-and-private-link
    pub struct Ing003 {
        code: "ING003",
        name: "weak-tls",
        severity: Error,
        summary: "HTTP served without redirect to HTTPS, or minimum TLS below 1.2",
    }
}

impl Rule for Ing003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(fd) = &cx.spec.ingress.front_door else {
            return;
        };
        if fd.allow_http && !fd.https_redirect {
            out.error(
                "/ingress/frontDoor/httpsRedirect",
                "Front Door serves plain HTTP without redirecting to HTTPS".into(),
                "set `httpsRedirect: true` (or `allowHttp: false`)",
            );
        }
        let v = fd.minimum_tls_version;
        if v < akswin_spec::types::TlsVersion::V1_2 {
            out.error(
                "/ingress/frontDoor/minimumTlsVersion",
                format!("minimum TLS version {v} is deprecated"),
                "use \"1.2\" (or \"1.3\")",
            );
        }
    }
}
