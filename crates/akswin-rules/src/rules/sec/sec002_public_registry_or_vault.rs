use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::AcrSku;

declare_rule! {
    /// ## What it checks
    /// - ACR reachable from public networks, its admin user enabled, or a SKU below Premium
    ///   (private endpoints are Premium-only);
    /// - Key Vault reachable from public networks, or without purge protection.
    ///
    /// ## Why it matters
    /// Both hold what the cluster trusts: images and secrets (the gMSA credential, the Windows
    /// admin password, the TLS certificate). The architecture reaches them over private
    /// endpoints; the ACR admin user is a shared static password; without purge protection a
    /// deleted vault takes the gMSA secret with it for good.
    ///
    /// ## How to fix
    /// `registry: { sku: Premium, publicNetworkAccess: false, adminUserEnabled: false }`,
    /// `keyVault: { publicNetworkAccess: false, purgeProtection: true }` (the defaults).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/container-registry/container-registry-skus
    ///   (private endpoints are Premium only)
    /// - docs/sources.md#container-registry-tiers
    pub struct Sec002 {
        code: "SEC002",
        name: "public-registry-or-vault",
        severity: Warning,
        summary: "ACR or Key Vault public, ACR admin user on, or Key Vault without purge protection",
    }
}

impl Rule for Sec002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let r = &cx.spec.registry;
        if r.public_network_access {
            out.warning(
                "/registry/publicNetworkAccess",
                "the container registry is reachable from public networks".into(),
                "set `publicNetworkAccess: false`; nodes pull over the private endpoint",
            );
        }
        if r.admin_user_enabled {
            out.warning(
                "/registry/adminUserEnabled",
                "the registry admin user (a shared static password) is enabled".into(),
                "set `adminUserEnabled: false`; the kubelet pulls with AcrPull",
            );
        }
        if r.sku != AcrSku::Premium {
            out.warning(
                "/registry/sku",
                format!("ACR {:?} has no private endpoints (Premium only)", r.sku),
                "use `sku: Premium`",
            );
        }
        let kv = &cx.spec.key_vault;
        if kv.public_network_access {
            out.warning(
                "/keyVault/publicNetworkAccess",
                "Key Vault is reachable from public networks".into(),
                "set `publicNetworkAccess: false`",
            );
        }
        if !kv.purge_protection {
            out.warning(
                "/keyVault/purgeProtection",
                "Key Vault purge protection is off".into(),
                "set `purgeProtection: true`",
            );
        }
    }
}
