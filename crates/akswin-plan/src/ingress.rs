//! Ingress, resolved per workload: the path each published workload's requests take from the
//! browser to its pods, and every name and address along it (Front Door route, application
//! proxy app and SPN, Private Link Service, internal load balancer front end). The renderers,
//! the report, the flow verifier and the rules read this instead of deciding again.

use crate::Addresses;
use crate::names::Names;
use akswin_spec::Spec;
use akswin_spec::spec::{AuthMode, CertificateSource, IngressPath};
use akswin_spec::types::Ip;
use serde::{Deserialize, Serialize};

/// One workload with a port, and how it is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressRoute {
    pub workload: String,
    /// Index in `workloads` (for locations).
    pub index: usize,
    pub path: IngressPath,
    /// The name users browse to (Front Door's custom domain and, behind the application
    /// proxy, its external URL: one name from the browser to the proxy). Without a `host`,
    /// `<prefix>-<workload>.<AD domain>` (or `.internal`), a name only the network resolves.
    pub host: String,
    /// Behind the application proxy: the name the connectors reach the workload by (internal
    /// URL, SPN, AD DNS record). `internalHost`, else `<prefix>-<workload>.<AD domain>` (or
    /// `.internal`), apart from the public name.
    pub internal_host: String,
    /// Behind the application proxy: the Host header is the internal host (else the public one).
    pub translate_host_header: bool,
    /// Front Door serves `host` as one of its custom domains.
    pub custom_domain: bool,
    /// The custom domain's certificate: a secret in Front Door's vault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_secret: Option<String>,
    /// Front Door also routes its endpoint's own `*.azurefd.net` name here (the first
    /// workload it publishes).
    pub default_domain: bool,
    pub port: u16,
    /// The workload's internal load balancer front end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ip>,
    /// Front Door's origin group, origin and route for this workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front_door_route: Option<String>,
    /// The application proxy app's display name (`appProxy` path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_proxy_app: Option<String>,
    /// The app's `*.msappproxy.net` host, when the spec knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_proxy_external_host: Option<String>,
    /// The `arm/frontdoor.json` parameter (and `deploy.sh` variable, upper-cased with
    /// `AKSWIN_APP_PROXY_HOST_`) that takes the external host when the spec does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_host_parameter: Option<String>,
    /// Kerberos single sign-on: the SPN of the internal URL, on this gMSA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gmsa_account: Option<String>,
    /// The Private Link Service AKS creates on the front end (`privateLink` path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_link_service: Option<String>,
}

impl IngressRoute {
    /// The Kubernetes Service's environment-variable style suffix: `legacy-web` -> `LEGACY_WEB`.
    pub fn env_suffix(&self) -> String {
        self.workload
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    }

    /// The `deploy.sh` variable that carries the external host.
    pub fn external_host_variable(&self) -> String {
        format!("AKSWIN_APP_PROXY_HOST_{}", self.env_suffix())
    }
}

fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The route of every workload that has a port, in spec order.
pub fn routes(spec: &Spec, addresses: &Addresses, n: &Names) -> Vec<IngressRoute> {
    let fd = spec.ingress.front_door.as_ref();
    let mut default_taken = false;
    let mut out = Vec::new();
    for (index, w) in spec.workloads.iter().enumerate() {
        let Some(port) = w.port else { continue };
        let path = spec.ingress_path(w);
        let given = spec.workload_host(w);
        let domain = given
            .as_ref()
            .and_then(|h| fd.and_then(|f| f.custom_domains.iter().find(|d| d.host == *h)));
        let private_name = {
            let label = format!("{}-{}", n.prefix, w.name);
            match &spec.identity.active_directory {
                Some(ad) => format!("{label}.{}", ad.domain),
                None => format!("{label}.internal"),
            }
        };
        let host = given
            .map(|h| h.to_string())
            .unwrap_or_else(|| private_name.clone());
        let internal_host = w
            .internal_host
            .as_ref()
            .map_or(private_name, |h| h.to_string());
        let through_front_door = fd.is_some() && path != IngressPath::Internal;
        let default_domain = through_front_door && !default_taken;
        default_taken |= default_domain;
        let proxy = path == IngressPath::AppProxy;
        let external = w.app_proxy_external_host.as_ref().map(|h| h.to_string());
        let name = w.name.to_ascii_lowercase();
        out.push(IngressRoute {
            workload: w.name.clone(),
            index,
            path,
            host: host.clone(),
            internal_host: internal_host.clone(),
            translate_host_header: w.translate_host_header,
            custom_domain: domain.is_some(),
            certificate_secret: domain
                .filter(|d| d.certificate.source == CertificateSource::KeyVault)
                .and_then(|d| d.certificate.key_vault_secret.clone()),
            default_domain,
            port,
            ip: addresses
                .workload_load_balancer_ips
                .iter()
                .find(|x| x.workload == w.name)
                .map(|x| x.ip),
            front_door_route: through_front_door.then(|| name.clone()),
            app_proxy_app: proxy.then(|| format!("{}-{}", n.prefix, w.name)),
            external_host_parameter: (proxy && through_front_door && external.is_none())
                .then(|| format!("appProxyHost{}", pascal(&w.name))),
            app_proxy_external_host: external.filter(|_| proxy),
            spn: (proxy && w.auth == AuthMode::Kerberos && w.gmsa_account.is_some())
                .then(|| format!("HTTP/{internal_host}")),
            gmsa_account: w.gmsa_account.clone(),
            private_link_service: (path == IngressPath::PrivateLink && fd.is_some())
                .then(|| format!("{}-{name}", n.pls).chars().take(80).collect()),
        });
    }
    out
}
