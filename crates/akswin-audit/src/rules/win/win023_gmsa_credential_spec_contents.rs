use crate::yaml::{Node, Value};
use crate::{Context, ManifestRule, Object, Out};
use akswin_spec::types::is_guid;

/// The AKS gMSA plug-in's CLSID: the `PluginGUID` of every credential spec on AKS.
pub const AKS_GMSA_PLUGIN: &str = "{CCC2A336-D7F3-4818-A213-272B7924213E}";

akswin_diag::declare_rule! {
    /// ## What it checks
    /// The contents of each `GMSACredentialSpec`, the way Container Credential Guard reads
    /// them on an AKS Windows node:
    /// - `credspec.CmsPlugins` lists `ActiveDirectory`;
    /// - `DomainJoinConfig`: `Sid` is a domain SID (`S-1-5-21-` and three numbers: an account's
    ///   SID has a fourth), `Guid` is the domain's GUID (8-4-4-4-12 hexadecimal digits, no
    ///   braces), `DnsName` is the domain's DNS name (with a dot) under `DnsTreeName` (the
    ///   forest root), `NetBiosName` the domain's NetBIOS name (1 to 15 characters, no dot),
    ///   `MachineAccountName` the gMSA without the trailing `$`;
    /// - `ActiveDirectoryConfig.GroupManagedServiceAccounts` has an entry for that gMSA;
    /// - `ActiveDirectoryConfig.HostAccountConfig` (AKS nodes are not domain-joined) names the
    ///   AKS plug-in (`PluginGUID` `{CCC2A336-D7F3-4818-A213-272B7924213E}`),
    ///   `PortableCcgVersion` `"1"` (a string), and a `PluginInput` of the form
    ///   `ObjectId=<kubelet identity object id>;SecretUri=https://<vault>/secrets/<name>`.
    ///
    /// Values that are still template variables (`${domainSid}`) fail the same checks: they
    /// reach the node as they are.
    ///
    /// ## Why it matters
    /// The webhook and the API server accept any credential spec; the mistakes show only when a
    /// pod starts: the container gets no Kerberos identity (`nltest /sc_verify` fails, IIS
    /// answers 401), and the event the node logs (CCG, event 1 or 2) is not in the pod's
    /// events. Swapped DNS and NetBIOS names, an account SID instead of the domain's, a `$`
    /// on the account name and a plug-in input without the kubelet identity are the usual
    /// causes.
    ///
    /// ## How to fix
    /// Generate the spec with `New-CredentialSpec` on a domain member (or akswin's
    /// `scripts/Set-Gmsa.ps1`, which fills it from Active Directory), then add the
    /// `HostAccountConfig` the AKS page shows, with the kubelet identity's object id and the
    /// Key Vault secret URI of the account that may read the gMSA password.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    /// - https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/manage-serviceaccounts
    /// - https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/gmsa-troubleshooting
    /// - https://github.com/microsoft/Windows-Containers/issues/405
    pub struct Win023 {
        code: "WIN023",
        name: "gmsa-credential-spec-contents",
        severity: Error,
        summary: "A GMSACredentialSpec whose names, SID, GUID or AKS plug-in input cannot work",
    }
}

/// A string value: quoted, or a plain scalar that YAML's core schema does not read as null, a
/// boolean or a number (an integer, or a finite decimal with a point): what reaches an
/// admission webhook as a JSON string.
fn text(n: &Node) -> Option<&str> {
    match &n.value {
        Value::Scalar { text, quoted: true } => Some(text),
        Value::Scalar {
            text,
            quoted: false,
        } => {
            let t = text.as_str();
            let typed = matches!(
                t,
                "" | "~"
                    | "null"
                    | "Null"
                    | "NULL"
                    | "true"
                    | "True"
                    | "TRUE"
                    | "false"
                    | "False"
                    | "FALSE"
            ) || t.parse::<i64>().is_ok()
                || (t.contains('.') && t.parse::<f64>().is_ok_and(f64::is_finite));
            (!typed).then_some(t)
        }
        _ => None,
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `S-1-5-21-a-b-c`: a domain SID.
pub fn domain_sid(s: &str) -> bool {
    s.strip_prefix("S-1-5-21-").is_some_and(|rest| {
        let parts: Vec<&str> = rest.split('-').collect();
        parts.len() == 3 && parts.iter().all(|p| digits(p))
    })
}

/// `ObjectId=<guid>;SecretUri=https://...`: the AKS plug-in's input (some part of each).
pub fn plugin_input(s: &str) -> bool {
    let parts: Vec<&str> = s.split(';').collect();
    parts
        .iter()
        .any(|p| p.strip_prefix("ObjectId=").is_some_and(is_guid))
        && parts.iter().any(|p| {
            p.strip_prefix("SecretUri=")
                .is_some_and(|v| v.starts_with("https://") && v.contains("/secrets/"))
        })
}

impl ManifestRule for Win023 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        if obj.kind != "GMSACredentialSpec" {
            return;
        }
        let empty = Node {
            value: Value::Map(Vec::new()),
            span: obj.node.span,
        };
        let spec = obj.node.get("credspec").unwrap_or(&empty);
        let join = spec.get("DomainJoinConfig").unwrap_or(&empty);
        let ad = spec.get("ActiveDirectoryConfig").unwrap_or(&empty);
        let name = &obj.name;
        let mut report = |node: &Node, key: &str, ptr: &str, what: String, help: &str| {
            out.error(
                obj.ptr(ptr),
                node.key_span(key),
                format!("GMSACredentialSpec {name}: {what}"),
                help,
            );
        };
        let field = |n: &Node, k: &str| n.get(k).and_then(text).map(str::to_string);

        if !spec
            .get("CmsPlugins")
            .is_some_and(|p| p.seq().iter().any(|x| text(x) == Some("ActiveDirectory")))
        {
            report(
                spec,
                "CmsPlugins",
                "/credspec/CmsPlugins",
                "CmsPlugins does not list ActiveDirectory".into(),
                "CmsPlugins: [ActiveDirectory]",
            );
        }
        let sid = field(join, "Sid");
        if !sid.as_deref().is_some_and(domain_sid) {
            report(
                join,
                "Sid",
                "/credspec/DomainJoinConfig/Sid",
                format!(
                    "Sid {sid:?} is not a domain SID (S-1-5-21- and three numbers; an account's SID has a fourth)"
                ),
                "(Get-ADDomain).DomainSID.Value",
            );
        }
        let g = field(join, "Guid");
        if !g.as_deref().is_some_and(is_guid) {
            report(
                join,
                "Guid",
                "/credspec/DomainJoinConfig/Guid",
                format!(
                    "Guid {g:?} is not the domain's GUID (8-4-4-4-12 hexadecimal digits, no braces)"
                ),
                "(Get-ADDomain).ObjectGUID.Guid",
            );
        }
        let dns = field(join, "DnsName");
        let tree = field(join, "DnsTreeName");
        match (&dns, &tree) {
            (Some(d), Some(t))
                if d.contains('.')
                    && !d.ends_with('.')
                    && (d.eq_ignore_ascii_case(t)
                        || d.to_ascii_lowercase()
                            .ends_with(&format!(".{}", t.to_ascii_lowercase()))) => {}
            _ => report(
                join,
                "DnsName",
                "/credspec/DomainJoinConfig/DnsName",
                format!(
                    "DnsName {dns:?} is not a DNS domain name under DnsTreeName {tree:?} (a NetBIOS name in DnsName is the usual mistake)"
                ),
                "DnsName: the domain's DNS name (corp.contoso.com); DnsTreeName: its forest root",
            ),
        }
        let netbios = field(join, "NetBiosName");
        if !netbios
            .as_deref()
            .is_some_and(|n| !n.is_empty() && n.len() <= 15 && !n.contains('.'))
        {
            report(
                join,
                "NetBiosName",
                "/credspec/DomainJoinConfig/NetBiosName",
                format!(
                    "NetBiosName {netbios:?} is not a NetBIOS domain name (1 to 15 characters, no dot)"
                ),
                "(Get-ADDomain).NetBIOSName",
            );
        }
        let account = field(join, "MachineAccountName");
        match account.as_deref() {
            Some(a) if !a.is_empty() && !a.ends_with('$') => {
                let listed = ad.get("GroupManagedServiceAccounts").is_some_and(|s| {
                    s.seq().iter().any(|e| {
                        e.get("Name")
                            .and_then(text)
                            .is_some_and(|n| n.eq_ignore_ascii_case(a))
                    })
                });
                if !listed {
                    report(
                        ad,
                        "GroupManagedServiceAccounts",
                        "/credspec/ActiveDirectoryConfig/GroupManagedServiceAccounts",
                        format!("GroupManagedServiceAccounts has no entry for {a}"),
                        "add { Name: <gMSA>, Scope: <NetBIOS name> } and { Name: <gMSA>, Scope: <DNS name> }",
                    );
                }
            }
            _ => report(
                join,
                "MachineAccountName",
                "/credspec/DomainJoinConfig/MachineAccountName",
                format!(
                    "MachineAccountName {account:?} is not the gMSA's name without the trailing $"
                ),
                "the gMSA's sAMAccountName without $",
            ),
        }
        let Some(host) = ad.get("HostAccountConfig") else {
            report(spec, "ActiveDirectoryConfig", "/credspec/ActiveDirectoryConfig", "ActiveDirectoryConfig has no HostAccountConfig: AKS nodes are not domain-joined and fetch the gMSA through the AKS plug-in".into(), "add HostAccountConfig with PluginGUID \"{CCC2A336-D7F3-4818-A213-272B7924213E}\", PortableCcgVersion \"1\" and PluginInput ObjectId=...;SecretUri=...");
            return;
        };
        let plugin = field(host, "PluginGUID");
        if !plugin
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(AKS_GMSA_PLUGIN))
        {
            report(
                host,
                "PluginGUID",
                "/credspec/ActiveDirectoryConfig/HostAccountConfig/PluginGUID",
                format!(
                    "HostAccountConfig.PluginGUID {plugin:?} is not the AKS plug-in {AKS_GMSA_PLUGIN}: AKS nodes are not domain-joined and fetch the gMSA through it"
                ),
                "PluginGUID: \"{CCC2A336-D7F3-4818-A213-272B7924213E}\"",
            );
        }
        let version = host.get("PortableCcgVersion");
        if !version.is_some_and(
            |v| matches!(&v.value, Value::Scalar { text, quoted: true } if text == "1"),
        ) {
            report(
                host,
                "PortableCcgVersion",
                "/credspec/ActiveDirectoryConfig/HostAccountConfig/PortableCcgVersion",
                "HostAccountConfig.PortableCcgVersion is not the string \"1\"".into(),
                "PortableCcgVersion: \"1\"",
            );
        }
        let input = field(host, "PluginInput");
        if !input.as_deref().is_some_and(plugin_input) {
            report(
                host,
                "PluginInput",
                "/credspec/ActiveDirectoryConfig/HostAccountConfig/PluginInput",
                format!(
                    "HostAccountConfig.PluginInput {input:?} is not ObjectId=<kubelet identity object id>;SecretUri=https://<vault>/secrets/<name>"
                ),
                "ObjectId: the kubelet identity's object id (az aks show --query identityProfile.kubeletidentity.objectId); SecretUri: the Key Vault secret with the account that reads the gMSA password",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_guids_and_plugin_input() {
        assert!(domain_sid("S-1-5-21-2126449477-2524075714-3094792973"));
        assert!(!domain_sid(
            "S-1-5-21-2126449477-2524075714-3094792973-1105"
        ));
        assert!(!domain_sid("${domainSid}"));
        assert!(is_guid("244818ae-87ac-4fcd-92ec-e79e5252348a"));
        assert!(!is_guid("{244818ae-87ac-4fcd-92ec-e79e5252348a}"));
        assert!(plugin_input(
            "ObjectId=244818ae-87ac-4fcd-92ec-e79e5252348a;SecretUri=https://kv.vault.azure.net/secrets/gmsa"
        ));
        assert!(!plugin_input(
            "ObjectId=${kubeletObjectId};SecretUri=https://kv.vault.azure.net/secrets/gmsa"
        ));
        assert!(!plugin_input(
            "SecretUri=https://kv.vault.azure.net/secrets/gmsa"
        ));
    }
}
