//! `--cluster aks.json`: the `cluster` section of a spec, read from a deployed cluster (the JSON
//! of `az aks show`) instead of written by hand. The section is generated as YAML and appended
//! to the spec's text, so that the one loader, the rules and the views judge it as any spec:
//! findings about it point into the generated lines, which say where each value came from.
//! The spec must then have no `cluster` section of its own (the deployed cluster is the source;
//! `akswin diff` compares a written one with it).

use akswin_spec::{LoadError, Loaded};
use serde_json::{Map, Value, json};

/// The header line of the generated section: views quote it above the values.
pub const GENERATED: &str = "# --- cluster: generated from";

/// The spec's `cluster` section for the deployed cluster `aks` (from `file`), as YAML text.
pub fn cluster_yaml(aks: &Value, file: &str) -> Result<String, String> {
    // Field names as `az aks show` or the REST API spell them (osSku, osSKU): without case.
    let str_at = |v: &Value, p: &str| crate::drift::path(v, p)?.as_str().map(str::to_string);
    let bool_at = |v: &Value, p: &str| crate::drift::path(v, p)?.as_bool();
    let id = str_at(aks, "id").ok_or("no `id`: expected the JSON of `az aks show`")?;
    let profiles = aks
        .get("agentPoolProfiles")
        .and_then(Value::as_array)
        .ok_or("no `agentPoolProfiles`: expected the JSON of `az aks show`")?;
    let version = str_at(aks, "kubernetesVersion")
        .or_else(|| str_at(aks, "currentKubernetesVersion"))
        .ok_or("no `kubernetesVersion`")?;
    // The spec's version is the minor the cluster runs: a patch pinned here would be read as
    // the spec's choice.
    let minor: String = version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
    let mut cluster = Map::new();
    let mut existing = Map::new();
    existing.insert("id".into(), json!(id));
    if let Some(g) = str_at(aks, "nodeResourceGroup") {
        existing.insert("nodeResourceGroup".into(), json!(g));
    }
    if let Some(k) = str_at(aks, "identityProfile.kubeletidentity.resourceId") {
        existing.insert("kubeletIdentityId".into(), json!(k));
    }
    cluster.insert("existing".into(), Value::Object(existing));
    cluster.insert("kubernetesVersion".into(), json!(minor));
    if let Some(t) = str_at(aks, "sku.tier") {
        cluster.insert("tier".into(), json!(t));
    }
    cluster.insert(
        "privateCluster".into(),
        json!(bool_at(aks, "apiServerAccessProfile.enablePrivateCluster").unwrap_or(false)),
    );
    cluster.insert(
        "disableLocalAccounts".into(),
        json!(bool_at(aks, "disableLocalAccounts").unwrap_or(false)),
    );
    if let Some(o) = str_at(aks, "networkProfile.outboundType") {
        cluster.insert("outboundType".into(), json!(o));
    }
    cluster.insert(
        "networkPolicy".into(),
        json!(str_at(aks, "networkProfile.networkPolicy").unwrap_or_else(|| "none".into())),
    );
    cluster.insert(
        "encryptionAtHost".into(),
        json!(
            profiles
                .iter()
                .all(|p| bool_at(p, "enableEncryptionAtHost") == Some(true))
        ),
    );
    let mut pools = Vec::new();
    for (i, p) in profiles.iter().enumerate() {
        let name = str_at(p, "name").ok_or(format!("agentPoolProfiles[{i}] has no name"))?;
        let mut pool = Map::new();
        pool.insert("name".into(), json!(name));
        for (key, from) in [
            ("mode", "mode"),
            ("os", "osType"),
            ("osSku", "osSku"),
            ("vmSize", "vmSize"),
        ] {
            if let Some(v) = str_at(p, from) {
                pool.insert(key.into(), json!(v));
            }
        }
        let count = |k: &str| p.get(k).and_then(Value::as_u64);
        if bool_at(p, "enableAutoScaling") == Some(true) {
            pool.insert("min".into(), json!(count("minCount").unwrap_or(0)));
            pool.insert("max".into(), json!(count("maxCount").unwrap_or(0)));
        } else if let Some(c) = count("count") {
            pool.insert("count".into(), json!(c));
        }
        if let Some(m) = count("maxPods") {
            pool.insert("maxPods".into(), json!(m));
        }
        if let Some(s) = str_at(p, "upgradeSettings.maxSurge") {
            pool.insert("maxSurge".into(), json!(s));
        }
        let mut disk = Map::new();
        if let Some(t) = str_at(p, "osDiskType") {
            disk.insert("type".into(), json!(t));
        }
        if let Some(g) = count("osDiskSizeGb") {
            disk.insert("sizeGiB".into(), json!(g));
        }
        if !disk.is_empty() {
            pool.insert("osDisk".into(), Value::Object(disk));
        }
        let zones: Vec<u64> = p
            .get("availabilityZones")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|z| z.as_str().and_then(|s| s.parse().ok()).or(z.as_u64()))
            .collect();
        if !zones.is_empty() {
            pool.insert("zones".into(), json!(zones));
        }
        if let Some(t) = p.get("nodeTaints").filter(|t| t.is_array()) {
            pool.insert("taints".into(), t.clone());
        }
        if let Some(l) = p.get("nodeLabels").filter(|l| l.is_object()) {
            pool.insert("labels".into(), l.clone());
        }
        if bool_at(p, "enableFips") == Some(true) {
            pool.insert("enableFips".into(), json!(true));
        }
        pools.push(Value::Object(pool));
    }
    cluster.insert("nodePools".into(), Value::Array(pools));
    if let Some(user) = str_at(aks, "windowsProfile.adminUsername") {
        cluster.insert(
            "windowsProfile".into(),
            json!({
                "adminUsername": user,
                // `az aks show` never returns the password; akswin renders nothing that needs
                // it for an existing cluster.
                "adminPassword": { "parameter": "existingWindowsAdminPassword" },
                "azureHybridBenefit": str_at(aks, "windowsProfile.licenseType").as_deref() == Some("Windows_Server"),
            }),
        );
    }
    // JSON is YAML: the section is a flow mapping, indented under its key.
    let body = serde_json::to_string_pretty(&Value::Object(cluster))
        .map_err(|e| e.to_string())?
        .lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(format!(
        "{GENERATED} {file} (`az aks show`, --cluster); not in the spec file ---\ncluster:\n{body}\n"
    ))
}

/// The line of a top-level `cluster:` key in a spec's text, if any (block style).
fn cluster_key_line(text: &str) -> Option<u32> {
    text.lines()
        .position(|l| {
            l.strip_prefix("cluster")
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i as u32 + 1)
}

/// Load a spec whose `cluster` section comes from a deployed cluster. The outer error is one
/// message for the CLI (the spec already has a `cluster`, or `aks` is no `az aks show`
/// output); the inner result is the loader's, as for any spec.
pub fn load_with_cluster(
    name: &str,
    spec: &[u8],
    file: &str,
    aks: &Value,
) -> Result<Result<Loaded, LoadError>, String> {
    let section = cluster_yaml(aks, file)?;
    let Ok(text) = std::str::from_utf8(spec) else {
        // Not text: the loader says where, as for any spec.
        return Ok(akswin_spec::load(name, spec));
    };
    if let Some(line) = cluster_key_line(text) {
        return Err(format!(
            "{name}:{line}:1: the spec has a `cluster` section, and --cluster {file} gives the deployed one: remove the section (the deployed cluster is the source), or compare the two with `akswin diff {name} --cluster {file}`"
        ));
    }
    let combined = format!("{}\n\n{section}", text.trim_end());
    Ok(akswin_spec::load(
        &format!("{name} + {file}"),
        combined.as_bytes(),
    ))
}

/// `EXISTING-CLUSTER.md`: what the rendered parts assume of a cluster akswin did not deploy,
/// each read from `az aks show` where it says, with the command that provides what is missing.
pub fn prerequisites(
    aks: &Value,
    spec: &akswin_spec::Spec,
    n: &akswin_plan::names::Names,
) -> String {
    let at = |p: &str| crate::drift::path(aks, p).filter(|v| !v.is_null());
    let on = |p: &str| at(p).and_then(Value::as_bool) == Some(true);
    let mut out = String::new();
    let mut item = |ok: Option<bool>, text: String| {
        let mark = match ok {
            Some(true) => "[x]",
            Some(false) => "[ ] **missing**:",
            None => "[ ]",
        };
        out.push_str(&format!("- {mark} {text}\n"));
    };
    let (rg, cluster) = (&n.rg_spoke, &n.cluster);
    let kubelet = at("identityProfile.kubeletidentity.objectId")
        .and_then(Value::as_str)
        .unwrap_or("<the kubelet identity's object id>");
    if spec.identity.gmsa.enabled {
        let ad = spec.identity.active_directory.as_ref();
        let domain = ad.map_or("<domain>", |a| a.domain.as_str());
        let dns = spec
            .identity
            .gmsa
            .dns_server
            .map(|i| i.to_string())
            .or_else(|| {
                ad.and_then(|a| a.domain_controllers.existing.as_ref())
                    .and_then(|e| e.dns_servers.first())
                    .map(|i| i.to_string())
            })
            .unwrap_or_else(|| "<a domain controller>".into());
        item(
            Some(on("windowsProfile.gmsaProfile.enabled")),
            format!(
                "gMSA on the cluster (`windowsProfile.gmsaProfile`): `az aks update --resource-group {rg} --name {cluster} --enable-windows-gmsa --gmsa-dns-server {dns} --gmsa-root-domain-name {domain}` (without the DNS server and domain, the VNet's DNS must resolve {domain}; https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts)"
            ),
        );
        if let Some(secret) = &spec.identity.gmsa.key_vault_secret {
            item(
                None,
                format!(
                    "the kubelet identity ({kubelet}) reads the gMSA credential `{}` in `{}`: `az role assignment create --assignee-object-id {kubelet} --assignee-principal-type ServicePrincipal --role \"Key Vault Secrets User\" --scope $(az keyvault show --name {} --query id --output tsv)/secrets/{}` (a vault with access policies: `az keyvault set-policy --name {} --object-id {kubelet} --secret-permissions get`); then `scripts/Set-Gmsa.ps1` on a domain-joined machine creates the accounts and stores the credential",
                    secret.as_str(),
                    n.key_vault,
                    n.key_vault,
                    secret.as_str(),
                    n.key_vault
                ),
            );
        }
    }
    if !spec.registry.images.is_empty() {
        item(
            None,
            format!(
                "the kubelet identity pulls from `{}`: `az aks update --resource-group {rg} --name {cluster} --attach-acr {}` (AcrPull), and the images are there (`az acr import --name {} --source <where they are built> --image <repository:tag>`)",
                n.acr, n.acr, n.acr
            ),
        );
    }
    if spec.policy.windows_built_ins != akswin_spec::spec::PolicyEffect::Disabled
        || !spec.policy.allowed_registries.is_empty()
    {
        item(
            Some(on("addonProfiles.azurepolicy.enabled")),
            format!(
                "the Azure Policy add-on, for `policy/assignments.json` to act in the cluster: `az aks enable-addons --addons azure-policy --resource-group {rg} --name {cluster}`; deploy the assignments with `az deployment group create --resource-group {rg} --template-file policy/assignments.json`"
            ),
        );
    }
    let rbac = on("aadProfile.enableAzureRbac");
    item(
        Some(rbac),
        format!(
            "Azure RBAC for Kubernetes (`aadProfile.enableAzureRBAC`): the workflows run kubectl through `az aks command invoke` as their identity, which needs Azure Kubernetes Service Contributor Role on `{cluster}` and a role with `Microsoft.ContainerService/managedClusters/nodes/read` (https://learn.microsoft.com/azure/aks/manage-azure-rbac); set the repository variables AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID for its federated credential"
        ),
    );
    let ilb = n.vnet_spoke.clone();
    item(
        None,
        format!(
            "the spec's `network` describes the cluster's own network: the manifests put the internal load balancers in the subnet akswin planned in `{ilb}` ({}); prove it with `az network vnet show --ids <the cluster's VNet> --output json > vnet.json` and `akswin diff SPEC --cluster aks.json --vnet vnet.json`. The cluster identity needs Network Contributor on that subnet (https://learn.microsoft.com/azure/aks/internal-lb)",
            "`akswin plan SPEC --cluster aks.json` lists it"
        ),
    );
    item(
        None,
        "egress: the Windows nodes reach Windows Update, and the domain controllers on the AD ports; `akswin plan SPEC --cluster aks.json` lists the firewall rules akswin would deploy (`akswin diff --rule-collection-groups` compares a policy's)".into(),
    );
    format!(
        "# What the cluster {cluster} must have\n\nRendered by akswin for a cluster it did not deploy (`--cluster`): only what goes into it (`k8s/`, `.github/workflows/`, `scripts/`, `policy/`). The parts assume what follows; `[x]` is read from `az aks show`, `[ ]` is for you to check or do.\n\n{out}\nThen apply the manifests: `az aks command invoke --resource-group {rg} --name {cluster} --file k8s --command 'kubectl apply -f 00-akswin-system.yaml && kubectl apply -f .'` (after `scripts/Set-Gmsa.ps1` wrote the gMSA credential specs into `k8s/`).\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_with_its_own_cluster_section_is_refused() {
        assert_eq!(cluster_key_line("name: x\ncluster:\n  a: 1\n"), Some(2));
        assert_eq!(cluster_key_line("name: x\ncluster :\n"), Some(2));
        assert_eq!(
            cluster_key_line("name: x\n  cluster: 1\nclusters: 2\n"),
            None
        );
    }
}
