use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// When `identity.gmsa.enabled` is true: a Windows pool exists, an Active Directory domain
    /// is declared (`identity.activeDirectory`), its domain controllers can be reached for DNS
    /// (new DCs with `count`, `existing.dnsServers`, or `gmsa.dnsServer`), and the Key Vault
    /// secret holding the standard domain user is named (`gmsa.keyVaultSecret`). Also flags
    /// gMSA accounts declared, or used by workloads, while gMSA is off, and a standard user
    /// (`gmsa.standardUser`) Active Directory cannot name (1 to 20 letters, digits, `-`, `_`,
    /// `.`).
    ///
    /// ## Why it matters
    /// gMSA needs the cluster's `gmsaProfile`, a domain (Active Directory Domain Services or
    /// on-premises AD; Microsoft Entra ID cannot be used), DNS that resolves the DCs, and the
    /// Key Vault secret the kubelet identity reads. Missing any of these, pods fail at start
    /// with `winapi error`.
    ///
    /// ## How to fix
    /// See the baseline's `identity:` section (`akswin init`).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    /// - docs/sources.md#gmsa-on-aks
    /// - Architecture, "Identity management"
    pub struct Id001 {
        code: "ID001",
        name: "gmsa-prerequisites-missing",
        severity: Error,
        summary: "gMSA requested without a Windows pool, a domain, DNS to it, or its Key Vault secret",
    }
}

impl Rule for Id001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let id = &cx.spec.identity;
        let u = &id.gmsa.standard_user;
        if !(1..=20).contains(&u.chars().count())
            || !u
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            out.error(
                "/identity/gmsa/standardUser",
                format!("`{u}` cannot be an Active Directory user's SAM account name (1-20 letters, digits, `-`, `_`, `.`)"),
                "choose a short name, e.g. gmsa-std-dev",
            );
        }
        if !id.gmsa.enabled {
            if !id.gmsa.accounts.is_empty() {
                out.error(
                    "/identity/gmsa/accounts",
                    "gMSA accounts are declared but gMSA is not enabled".into(),
                    "set `identity.gmsa.enabled: true`",
                );
            }
            for (i, w) in cx
                .spec
                .workloads
                .iter()
                .enumerate()
                .filter(|(_, w)| w.gmsa_account.is_some())
            {
                out.error(
                    &format!("/workloads/{i}/gmsaAccount"),
                    format!(
                        "workload `{}` uses a gMSA account but gMSA is not enabled",
                        w.name
                    ),
                    "set `identity.gmsa.enabled: true`",
                );
            }
            return;
        }
        if !cx.has_windows() {
            out.error(
                "/identity/gmsa/enabled",
                "gMSA is enabled but the cluster has no Windows pool".into(),
                "add a Windows user pool, or disable gMSA",
            );
        }
        match &id.active_directory {
            None => out.error(
                "/identity/gmsa/enabled",
                "gMSA is enabled but no Active Directory domain is declared".into(),
                "add identity.activeDirectory with domain, netbios and domainControllers",
            ),
            Some(ad) => {
                let dcs = &ad.domain_controllers;
                let reachable = dcs.count.unwrap_or(0) > 0
                    || dcs
                        .existing
                        .as_ref()
                        .is_some_and(|e| !e.dns_servers.is_empty())
                    || id.gmsa.dns_server.is_some();
                if !reachable {
                    out.error(
                        "/identity/activeDirectory/domainControllers",
                        "no domain controller is reachable for DNS: no new DCs, no existing DNS servers, no gmsa.dnsServer".into(),
                        "set `count: 2` for new DCs in the hub, or `existing: { dnsServers: [...] }`",
                    );
                }
            }
        }
        if id
            .gmsa
            .key_vault_secret
            .as_ref()
            .is_none_or(|s| s.as_str().trim().is_empty())
        {
            out.error(
                "/identity/gmsa",
                "gMSA is enabled but no Key Vault secret for the standard domain user is named"
                    .into(),
                "set `keyVaultSecret: gmsa-standard-user` (the secret holds DOMAIN\\user:password)",
            );
        }
    }
}
