use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// A workload whose port serves TLS (443 or 8443) with no `certificate`; a
    /// `certificate` on a workload whose port does not serve TLS; and a Windows workload with a
    /// `certificate` that runs as `ContainerUser`.
    ///
    /// ## Why it matters
    /// Without `certificate` the certificate and its private key must be baked into the image:
    /// every registry reader then holds the key, a renewal means a new image, and the proxy's
    /// or Front Door's certificate check fails the day it expires. With `certificate`, the Key
    /// Vault CSI driver mounts it into the pods with the workload's own identity, which can read
    /// that certificate and nothing else. A certificate on a plain-HTTP port is never used:
    /// Front Door and the application proxy reach such a workload over HTTP. On Windows the
    /// mounted PFX can be read by `ContainerUser`, but importing it into the machine's
    /// certificate store and binding it in HTTP.sys (what IIS needs) takes an administrator:
    /// only an application that loads the file itself (ASP.NET Core's Kestrel) can use it.
    ///
    /// ## How to fix
    /// Import the certificate into the platform Key Vault (`az keyvault certificate import`)
    /// and name it in `workloads[].certificate.keyVaultSecret`; or serve TLS on 443 or 8443,
    /// or drop the certificate from a workload that serves plain HTTP. For an IIS image, set
    /// `runAs: ContainerAdministrator`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/csi-secrets-store-driver
    /// - https://learn.microsoft.com/azure/aks/csi-secrets-store-identity-access
    pub struct Ing014 {
        code: "ING014",
        name: "workload-certificate",
        severity: Warning,
        summary: "An HTTPS workload without a certificate from Key Vault, or a certificate on a plain-HTTP port",
    }
}

impl Rule for Ing014 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, w) in cx.spec.workloads.iter().enumerate() {
            match (w.serves_tls(), &w.certificate) {
                (true, None) => out.warning(
                    &format!("/workloads/{i}/port"),
                    format!(
                        "workload `{}` serves TLS on port {} with no `certificate`: its certificate and private key would have to be in the image",
                        w.name,
                        w.port.unwrap_or_default()
                    ),
                    "import the certificate into the platform Key Vault and name it in `certificate: { keyVaultSecret: <name> }`; the Key Vault CSI driver mounts it with the workload's own identity",
                ),
                (false, Some(_)) => out.warning(
                    &format!("/workloads/{i}/certificate"),
                    match w.port {
                        Some(p) => format!(
                            "workload `{}` has a certificate but port {p} serves plain HTTP (akswin serves TLS on 443 or 8443 only): nothing uses it",
                            w.name
                        ),
                        None => format!(
                            "workload `{}` has a certificate but no port: nothing uses it",
                            w.name
                        ),
                    },
                    "serve TLS on port 443 or 8443, or remove `certificate`",
                ),
                (true, Some(_))
                    if w.os == akswin_spec::spec::Os::Windows
                        && w.run_as() == akswin_spec::spec::RunAs::ContainerUser =>
                {
                    out.warning(
                        &format!("/workloads/{i}/certificate"),
                        format!(
                            "workload `{}` runs as ContainerUser: it can read its PFX but cannot import it into the machine's certificate store or bind it in HTTP.sys, as IIS needs",
                            w.name
                        ),
                        "for an IIS image set `runAs: ContainerAdministrator`; an application that loads the PFX itself (Kestrel) can stay ContainerUser",
                    );
                }
                _ => {}
            }
        }
    }
}
