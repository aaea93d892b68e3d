//! A Windows Server version migration: from one Windows pool to a new pool of another Windows
//! version (a pool's OS version cannot change in place). The plan adds the new pool beside
//! the old one, checks that intermediate spec with every rule (addresses for both pools at
//! max + surge, the new SKU's requirements), and writes the runbook: add the pool, rebuild the
//! images for the new ltsc, pre-pull, move the workloads, drain, remove the old pool, each
//! step with the check or audit that proves it.

use akswin_diag::Severity;
use akswin_spec::spec::{Os, OsSku};
use akswin_spec::{Loaded, Spec};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationPlan {
    pub schema_version: u32,
    pub from_pool: String,
    pub from_os_sku: String,
    pub to_pool: String,
    pub to_os_sku: String,
    /// Findings of the intermediate spec (both pools), errors and warnings only.
    pub intermediate_findings: Vec<MigrationFinding>,
    /// The subnet that holds both pools while they coexist.
    pub subnet: Option<MigrationSubnet>,
    pub workloads: Vec<MigratedWorkload>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationFinding {
    pub code: String,
    pub severity: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationSubnet {
    pub name: String,
    pub prefix: Option<String>,
    pub usable: Option<u64>,
    /// Addresses both pools need at max + surge.
    pub demand_at_max_surge: u64,
    /// Why the subnet cannot hold them, when it cannot.
    pub shortfall: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigratedWorkload {
    pub name: String,
    pub image: String,
    /// The same image's tag for the new Windows version, when the tag names the old one.
    pub new_image: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub title: String,
    pub what: String,
    pub commands: Vec<String>,
    pub verify: Vec<String>,
}

/// The ltsc marker of a Windows SKU in image tags.
fn ltsc(sku: OsSku) -> Option<&'static str> {
    match sku {
        OsSku::Windows2019 => Some("ltsc2019"),
        OsSku::Windows2022 => Some("ltsc2022"),
        OsSku::Windows2025 => Some("ltsc2025"),
        _ => None,
    }
}

/// Plan the move of the Windows pool `from` to a new pool `to_name` of `to`.
pub fn plan_migration(
    loaded: &Loaded,
    from: &str,
    to: OsSku,
    to_name: Option<&str>,
    today: akswin_rules::Date,
    tool_version: &str,
) -> Result<MigrationPlan, String> {
    let spec = &loaded.spec;
    let (index, old) = spec
        .cluster
        .node_pools
        .iter()
        .enumerate()
        .find(|(_, p)| p.name == from)
        .ok_or_else(|| {
            format!(
                "no pool `{from}` in cluster.nodePools (pools: {})",
                spec.cluster
                    .node_pools
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    if old.os != Os::Windows {
        return Err(format!(
            "`{from}` is a Linux pool: only Windows pools change Windows version"
        ));
    }
    let (Some(old_ltsc), Some(new_ltsc)) = (ltsc(old.os_sku()), ltsc(to)) else {
        return Err(format!("`{}` is not a Windows OS SKU", to.as_str()));
    };
    if old.os_sku() == to {
        return Err(format!("`{from}` already runs {}", to.as_str()));
    }
    let new_name = to_name.map_or_else(
        || format!("win{}", &new_ltsc[new_ltsc.len() - 2..]),
        str::to_string,
    );
    if spec.cluster.node_pools.iter().any(|p| p.name == new_name) {
        return Err(format!(
            "a pool `{new_name}` exists already: name the new pool with --name"
        ));
    }
    // The intermediate spec: both pools, the workloads where they are.
    let mut both: Spec = spec.clone();
    let mut new_pool = old.clone();
    new_pool.name = new_name.clone();
    new_pool.os_sku = Some(to);
    // AKS requires the FIPS image for Windows Server 2025.
    new_pool.enable_fips = old.enable_fips || to == OsSku::Windows2025;
    both.cluster.node_pools.push(new_pool.clone());
    let inter = Loaded {
        spec: both,
        index: loaded.index.clone(),
        source: loaded.source.clone(),
    };
    let checked = crate::check(&inter, today, tool_version);
    let intermediate_findings = checked
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .map(|f| MigrationFinding {
            code: f.code.clone(),
            severity: format!("{:?}", f.severity).to_ascii_lowercase(),
            message: f.message.clone(),
        })
        .collect();
    let subnet = checked
        .plan
        .vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .find(|s| s.pools.contains(&new_name))
        .map(|s| MigrationSubnet {
            name: s.azure_name.clone(),
            prefix: s.prefix.map(|p| p.to_string()),
            usable: s.usable,
            demand_at_max_surge: s.demand.at_max_surge,
            shortfall: s.shortfall.clone(),
        });
    // The intermediate plan: the spec's pools and workloads as they are (the new pool comes
    // last), plus the new pool.
    let plan = &checked.plan;
    let n = akswin_plan::names::Names::new(spec);
    let workloads: Vec<MigratedWorkload> = plan
        .workloads
        .iter()
        .filter(|w| {
            matches!(w.pool, akswin_plan::resolve::PoolChoice::Named { index: i }
                | akswin_plan::resolve::PoolChoice::Only { index: i } if i == index)
        })
        .map(|w| MigratedWorkload {
            name: w.name.clone(),
            image: w.image.clone(),
            new_image: w
                .image
                .rsplit_once(':')
                .filter(|(_, tag)| tag.contains(old_ltsc))
                .map(|(repo, tag)| format!("{repo}:{}", tag.replace(old_ltsc, new_ltsc))),
        })
        .collect();
    let subnet_name = subnet.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let resolved = plan.pools.iter().find(|p| p.name == from);
    let mut add = format!(
        "az aks nodepool add --resource-group {rg} --cluster-name {cluster} --name {new_name} --mode User --os-type Windows --os-sku {sku} --node-vm-size {size} --max-pods {pods} --max-surge {surge} --vnet-subnet-id $(az network vnet subnet show --resource-group {rg} --vnet-name {vnet} --name {subnet_name} --query id --output tsv)",
        rg = n.rg_spoke,
        cluster = n.cluster,
        sku = to.as_str(),
        size = old.vm_size,
        pods = resolved.map_or(30, |p| p.max_pods),
        surge = resolved.map_or_else(|| "33%".into(), |p| p.max_surge.to_string()),
        vnet = n.vnet_spoke,
    );
    add.push_str(&format!(
        " --node-osdisk-type {} --node-osdisk-size {}",
        match old.os_disk.r#type {
            akswin_spec::spec::OsDiskType::Ephemeral => "Ephemeral",
            akswin_spec::spec::OsDiskType::Managed => "Managed",
        },
        old.os_disk.size_gi_b
    ));
    match resolved {
        Some(p) if p.autoscaled => add.push_str(&format!(
            " --enable-cluster-autoscaler --min-count {} --max-count {}",
            p.min_nodes, p.max_nodes
        )),
        Some(p) => add.push_str(&format!(" --node-count {}", p.min_nodes)),
        None => {}
    }
    if !old.zones.is_empty() {
        add.push_str(&format!(
            " --zones {}",
            old.zones
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    if new_pool.enable_fips {
        add.push_str(" --enable-fips-image");
    }
    if spec.cluster.encryption_at_host {
        add.push_str(" --enable-encryption-at-host");
    }
    if !old.taints.is_empty() {
        add.push_str(&format!(" --node-taints {}", old.taints.join(",")));
    }
    if !old.labels.is_empty() {
        add.push_str(&format!(
            " --labels {}",
            old.labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    let hot_spare_on_old = spec
        .scaling
        .hot_spare
        .as_ref()
        .is_some_and(|h| h.pool == from);
    let invoke = |cmd: &str| {
        format!(
            "az aks command invoke --resource-group {} --name {} --command '{cmd}'",
            n.rg_spoke, n.cluster
        )
    };
    let names = workloads
        .iter()
        .map(|w| format!("`{}`", w.name))
        .collect::<Vec<_>>()
        .join(", ");
    let steps = vec![
        Step {
            title: format!("Add the {} pool `{new_name}` beside `{from}`", to.as_str()),
            what: format!(
                "Add the pool to cluster.nodePools (a copy of `{from}` with `name: {new_name}`, `osSku: {}`{}), then create it with the same settings. The intermediate spec is checked below: both pools share `{subnet_name}` at max + surge while they coexist. Use a current Azure CLI (`az upgrade`), and finish before the cluster's next Kubernetes minor upgrade if it drops {} (the support table: `akswin explain POOL004`).{}",
                to.as_str(),
                if new_pool.enable_fips { ", `enableFips: true`" } else { "" },
                old.os_sku().as_str(),
                if new_pool.enable_fips { " The FIPS image changes what the host allows: test the workloads on it first (FIPS-disallowed cryptography in .NET Framework code, no CIFS mounts: https://learn.microsoft.com/azure/aks/enable-fips-nodes)." } else { "" }
            ),
            commands: vec!["akswin check akswin.yaml".into(), add],
            verify: vec![
                format!(
                    "az aks nodepool show --resource-group {} --cluster-name {} --name {new_name} --query \"{{state: provisioningState, osSku: osSku, fips: enableFips, disk: osDiskSizeGb, size: vmSize}}\" --output json   # Succeeded, with the settings above",
                    n.rg_spoke, n.cluster
                ),
                "akswin render akswin.yaml --out deploy --force && ./deploy/deploy.sh   # answer N after the what-if: the cluster must show no change for the new pool (the template declares every pool, and a pool's OS disk cannot change)".into(),
            ],
        },
        Step {
            title: format!("Rebuild the images for {new_ltsc}"),
            what: format!(
                "akswin pins each workload to the pool whose Windows version its image tag names (WRK001), and process isolation wants the host's version: rebuild each image of {names} from the {new_ltsc} variant of its base image (for .NET Framework, the windowsservercore-{new_ltsc} tags). Add each as a second entry of registry.images (a new `name`, the new `ref`, its `source`) beside the old one, import it (`./deploy.sh images`), and add the new name to scaling.prepull.images: the old entry stays until step 6, because the workloads still run it."
            ),
            commands: workloads
                .iter()
                .map(|w| match &w.new_image {
                    Some(i) => format!("# {}: {} -> {i}", w.name, w.image),
                    None => format!("# {}: {} -> a tag built for {new_ltsc}", w.name, w.image),
                })
                .collect(),
            verify: vec!["akswin check akswin.yaml   # WRK001 and SCL001 judge the images against the pools".into()],
        },
        Step {
            title: format!("Pre-pull on `{new_name}`"),
            what: "Render and apply: with the new image in scaling.prepull.images, the pre-pull DaemonSet for the new Windows version caches it on every node of the new pool before a workload moves there.".into(),
            commands: vec![
                "akswin render akswin.yaml --out deploy --force".into(),
                "akswin audit deploy/k8s --spec akswin.yaml".into(),
                "./deploy/deploy.sh k8s".into(),
            ],
            verify: vec![format!(
                "{}   # a Running pre-pull pod on each {new_name} node",
                invoke("kubectl get pods -n akswin-system -o wide")
            )],
        },
        Step {
            title: format!("Move the workloads to `{new_name}`"),
            what: format!(
                "Set `pool: {new_name}` and the new image on {names}{hot}; render, audit (WIN004: the image's Windows version against the pool's) and apply. The Deployments roll onto the new pool, a new pod Ready before an old one goes.",
                hot = if hot_spare_on_old {
                    format!(", and `scaling.hotSpare.pool: {new_name}` (commit the re-rendered `.github/workflows/hot-spare.yml`, and disable it until step 6 is done: `gh workflow disable hot-spare.yml`, else a peak scales `{from}` back up)")
                } else {
                    String::new()
                }
            ),
            commands: vec![
                "akswin check akswin.yaml".into(),
                "akswin render akswin.yaml --out deploy --force".into(),
                "akswin audit deploy/k8s --spec akswin.yaml".into(),
                "./deploy/deploy.sh k8s".into(),
            ],
            verify: workloads
                .iter()
                .map(|w| {
                    invoke(&format!(
                        "kubectl get pods -n {} -o wide",
                        akswin_plan::names::k8s_name(&w.name)
                    ))
                })
                .collect(),
        },
        Step {
            title: format!("Cordon `{from}` and check it is empty"),
            what: "Cordon the old nodes so nothing new lands there, and check that only DaemonSet pods are left; `az aks nodepool delete` drains what remains itself, honouring the PodDisruptionBudgets (https://learn.microsoft.com/azure/aks/delete-node-pool).".into(),
            commands: vec![invoke(&format!(
                "kubectl cordon -l kubernetes.azure.com/agentpool={from}"
            ))],
            verify: vec![format!(
                "{}   # DaemonSet pods only (pre-pull, CSI, monitoring)",
                invoke(&format!(
                    "kubectl get pods -A -o wide | grep -F {from} || true"
                ))
            )],
        },
        Step {
            title: format!("Remove `{from}`"),
            what: format!("Delete the pool, then remove it from the spec, with the old image entries (registry.images, scaling.prepull.images){}; re-render and commit what changed. The plan's cost and addresses drop back.", if hot_spare_on_old { ", and enable the hot-spare workflow again (`gh workflow enable hot-spare.yml`)" } else { "" }),
            commands: vec![
                format!(
                    "az aks nodepool delete --resource-group {} --cluster-name {} --name {from}",
                    n.rg_spoke, n.cluster
                ),
                "akswin check akswin.yaml".into(),
                "akswin render akswin.yaml --out deploy --force".into(),
            ],
            verify: vec![format!(
                "az aks show --resource-group {} --name {} --output json > aks.json && akswin diff akswin.yaml --cluster aks.json   # no drift",
                n.rg_spoke, n.cluster
            )],
        },
    ];
    Ok(MigrationPlan {
        schema_version: 1,
        from_pool: from.into(),
        from_os_sku: old.os_sku().as_str().into(),
        to_pool: new_name,
        to_os_sku: to.as_str().into(),
        intermediate_findings,
        subnet,
        workloads,
        steps,
    })
}

impl MigrationPlan {
    /// The runbook as Markdown.
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "# Migrating `{}` ({}) to `{}` ({})\n\nA new pool takes the workloads, then the old one goes: the supported way to change a pool's Windows version (https://learn.microsoft.com/azure/aks/upgrade-windows-os; an in-place OS SKU update exists only in preview).\n\n",
            self.from_pool, self.from_os_sku, self.to_pool, self.to_os_sku
        );
        s.push_str("## The intermediate spec (both pools)\n\n");
        if let Some(sub) = &self.subnet {
            s.push_str(&format!(
                "- `{}` ({}): {} addresses needed at max + surge, {} usable{}\n",
                sub.name,
                sub.prefix.as_deref().unwrap_or("not placed"),
                sub.demand_at_max_surge,
                sub.usable.map_or_else(|| "-".into(), |u| u.to_string()),
                sub.shortfall
                    .as_ref()
                    .map_or(String::new(), |x| format!(": does not fit ({x})"))
            ));
        }
        if self.intermediate_findings.is_empty() {
            s.push_str("- `akswin check` finds no error or warning in it.\n");
        } else {
            for f in &self.intermediate_findings {
                s.push_str(&format!("- {} {}: {}\n", f.severity, f.code, f.message));
            }
        }
        s.push_str("\n## Steps\n");
        for (i, st) in self.steps.iter().enumerate() {
            s.push_str(&format!(
                "\n### {}. {}\n\n{}\n\n```sh\n",
                i + 1,
                st.title,
                st.what
            ));
            for c in &st.commands {
                s.push_str(c);
                s.push('\n');
            }
            s.push_str("```\n\nVerify:\n\n```sh\n");
            for v in &st.verify {
                s.push_str(v);
                s.push('\n');
            }
            s.push_str("```\n");
        }
        s
    }

    /// Whether the intermediate spec has errors (the migration cannot start as planned).
    pub fn blocked(&self) -> bool {
        self.intermediate_findings
            .iter()
            .any(|f| f.severity == "error")
    }
}
