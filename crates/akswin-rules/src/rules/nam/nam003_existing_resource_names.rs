use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// The names and ids of resources that exist already, which akswin uses as they are:
    /// - `cluster.existing.id` is a Microsoft.ContainerService/managedClusters resource id, and
    ///   `kubeletIdentityId` (when given) a Microsoft.ManagedIdentity/userAssignedIdentities id;
    /// - `keyVault.name` is a vault name (3 to 24 letters, digits and hyphens, starting with a
    ///   letter, ending with a letter or digit, no two hyphens in a row), and
    ///   `keyVault.resourceGroup` a resource group name (1 to 90 letters, digits, `-`, `_`,
    ///   `.`, parentheses, not ending with `.`);
    /// - a warning when `keyVault.name` is given without `keyVault.resourceGroup`: the gMSA
    ///   script would store the credential in the group akswin would have created.
    ///
    /// ## Why it matters
    /// These values go as they are into the workflows and scripts akswin renders for an
    /// existing cluster (`az aks nodepool update`, the gMSA credential's deployment): a wrong
    /// id acts on the wrong cluster or fails at run time, far from the spec.
    ///
    /// ## How to fix
    /// Copy them from `az aks show --query id`, `az aks show --query
    /// identityProfile.kubeletidentity.resourceId` and `az keyvault show --query
    /// "[name, resourceGroup]"`; `--cluster aks.json` writes the cluster's for you.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
    /// - https://learn.microsoft.com/azure/aks/use-managed-identity
    pub struct Nam003 {
        code: "NAM003",
        name: "existing-resource-names",
        severity: Error,
        summary: "An existing cluster's ids, or a named Key Vault and its resource group, are malformed",
    }
}

/// A Key Vault name as Azure accepts it.
pub fn is_vault_name(s: &str) -> bool {
    (3..=24).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !s.contains("--")
}

/// A resource group name as Azure accepts it.
pub fn is_resource_group_name(s: &str) -> bool {
    (1..=90).contains(&s.len())
        && !s.ends_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.()".contains(c))
}

impl Rule for Nam003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        if let Some(e) = &cx.spec.cluster.existing {
            if e.cluster().is_none() {
                out.error(
                    "/cluster/existing/id",
                    format!(
                        "`{}` is not a Microsoft.ContainerService/managedClusters resource id",
                        e.id
                    ),
                    "copy it from `az aks show --resource-group <group> --name <cluster> --query id`",
                );
            }
            if e.kubelet_identity_id.is_some() && e.kubelet_identity().is_none() {
                out.error(
                    "/cluster/existing/kubeletIdentityId",
                    "kubeletIdentityId is not a Microsoft.ManagedIdentity/userAssignedIdentities resource id".into(),
                    "copy it from `az aks show --query identityProfile.kubeletidentity.resourceId`",
                );
            }
            if let Some(g) = &e.node_resource_group
                && !is_resource_group_name(g)
            {
                out.error(
                    "/cluster/existing/nodeResourceGroup",
                    format!("`{g}` is not a resource group name"),
                    "copy it from `az aks show --query nodeResourceGroup`",
                );
            }
        }
        let kv = &cx.spec.key_vault;
        if let Some(name) = &kv.name {
            if !is_vault_name(name) {
                out.error(
                    "/keyVault/name",
                    format!("`{name}` is not a Key Vault name (3-24 letters, digits and single hyphens, starting with a letter)"),
                    "copy it from `az keyvault show --name <vault> --query name`",
                );
            }
            if kv.resource_group.is_none() && cx.spec.identity.gmsa.enabled {
                out.warning(
                    "/keyVault/name",
                    "keyVault.name without keyVault.resourceGroup: scripts/Set-Gmsa.ps1 stores the gMSA credential through the vault's resource group, taken as akswin's shared group".into(),
                    "add keyVault.resourceGroup (az keyvault show --name <vault> --query resourceGroup)",
                );
            }
        }
        if let Some(g) = &kv.resource_group {
            if !is_resource_group_name(g) {
                out.error(
                    "/keyVault/resourceGroup",
                    format!("`{g}` is not a resource group name (1-90 letters, digits, `-`, `_`, `.`, parentheses)"),
                    "copy it from `az keyvault show --name <vault> --query resourceGroup`",
                );
            }
            if kv.name.is_none() {
                out.warning(
                    "/keyVault/resourceGroup",
                    "keyVault.resourceGroup without keyVault.name: akswin's own vault lives in its shared group, so this is ignored".into(),
                    "add keyVault.name for a vault of your own, or remove resourceGroup",
                );
            }
        }
    }
}
