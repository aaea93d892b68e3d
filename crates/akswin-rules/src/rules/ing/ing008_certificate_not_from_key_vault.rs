use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::CertificateSource;

declare_rule! {
    /// ## What it checks
    /// That every Front Door custom domain takes its TLS certificate from Key Vault
    /// (`certificate: { keyVaultSecret: NAME }`), not a Front Door managed certificate and not
    /// nothing.
    ///
    /// ## Why it matters
    /// "The TLS certificate is stored in Azure Key Vault" in this architecture: one place for
    /// rotation, access policy and audit, and the same certificate can serve the application
    /// proxy's custom domain.
    ///
    /// ## How to fix
    /// `certificate: { keyVaultSecret: legacy-contoso-tls }`.
    ///
    /// ## References
    /// - Architecture, "Ingress traffic flow"
    /// - https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-configure-https-custom-domain
    /// - docs/sources.md#key-vault-rbac
    pub struct Ing008 {
        code: "ING008",
        name: "certificate-not-from-key-vault",
        severity: Error,
        summary: "Custom domain certificate not taken from Key Vault",
    }
}

impl Rule for Ing008 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(fd) = &cx.spec.ingress.front_door else {
            return;
        };
        for (i, d) in fd.custom_domains.iter().enumerate() {
            let ptr = format!("/ingress/frontDoor/customDomains/{i}/certificate");
            if d.certificate.source == CertificateSource::AzureManaged {
                out.error(
                    &format!("{ptr}/source"),
                    format!("custom domain {} uses a Front Door managed certificate, not one from Key Vault", d.host),
                    "store the certificate in Key Vault and set `keyVaultSecret: NAME`",
                );
            } else if d
                .certificate
                .key_vault_secret
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
            {
                out.error(
                    &ptr,
                    format!("custom domain {} names no Key Vault certificate", d.host),
                    "set `certificate: { keyVaultSecret: NAME }`",
                );
            }
        }
    }
}
