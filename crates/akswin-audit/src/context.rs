//! What the audit knows about the cluster: its pools (from an akswin spec or the JSON of
//! `az aks show`), its Kubernetes version, the allowed registries. Rules that need a piece of
//! context that is absent say so once, instead of guessing.

use akswin_diag::{Finding, Severity};

#[derive(Debug, Clone, PartialEq)]
pub struct Pool {
    pub name: String,
    /// `Linux` or `Windows`.
    pub os: String,
    pub os_sku: String,
    pub labels: Vec<(String, String)>,
    pub taints: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Context {
    pub pools: Option<Vec<Pool>>,
    /// Kubernetes minor version (1.MINOR).
    pub k8s_minor: Option<u32>,
    pub allowed_registries: Vec<String>,
    /// The day waivers in the manifests (`# akswin: allow CODE until DATE: reason`) are judged
    /// against; None: such comments are not read.
    pub today: Option<chrono::NaiveDate>,
    /// Notes about missing context, reported once per audit.
    pub notes: Vec<Finding>,
    /// No pools are known, but the cluster is taken to have Windows pools (`akswin policy
    /// export` for a cluster it was told nothing about). The audit never sets it.
    pub assume_windows_pools: bool,
}

impl Context {
    pub fn has_windows_pools(&self) -> Option<bool> {
        match &self.pools {
            Some(p) => Some(p.iter().any(|x| x.os == "Windows")),
            None if self.assume_windows_pools => Some(true),
            None => None,
        }
    }

    /// Pools from an akswin spec.
    pub fn from_spec(spec: &akswin_spec::Spec) -> Context {
        let pools = spec
            .cluster
            .node_pools
            .iter()
            .map(|p| Pool {
                name: p.name.clone(),
                os: format!("{:?}", p.os),
                os_sku: p.os_sku().as_str().to_string(),
                labels: p
                    .labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                taints: p.taints.clone(),
            })
            .collect();
        let mut regs = spec.policy.allowed_registries.clone();
        regs.sort();
        Context {
            pools: Some(pools),
            k8s_minor: Some(spec.cluster.kubernetes_version.minor),
            allowed_registries: regs,
            today: None,
            notes: Vec::new(),
            assume_windows_pools: false,
        }
    }

    /// Pools and version from the JSON of `az aks show`.
    pub fn from_aks_show(json: &serde_json::Value) -> Result<Context, String> {
        let profiles = json
            .get("agentPoolProfiles")
            .and_then(|p| p.as_array())
            .ok_or("no agentPoolProfiles: expected the JSON of `az aks show`")?;
        let s = |v: &serde_json::Value, k: &str| {
            v.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let pools = profiles
            .iter()
            .map(|p| {
                let os = s(p, "osType");
                let mut sku = s(p, "osSku");
                if sku.is_empty() {
                    // the API's defaults when osSku is not set
                    sku = if os == "Windows" {
                        "Windows2022"
                    } else {
                        "Ubuntu"
                    }
                    .into();
                }
                Pool {
                    name: s(p, "name"),
                    os,
                    os_sku: sku,
                    labels: p
                        .get("nodeLabels")
                        .and_then(|l| l.as_object())
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| {
                                    (k.clone(), v.as_str().unwrap_or_default().to_string())
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    taints: p
                        .get("nodeTaints")
                        .and_then(|t| t.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect();
        let minor = json
            .get("currentKubernetesVersion")
            .or_else(|| json.get("kubernetesVersion"))
            .and_then(|v| v.as_str())
            .and_then(|v| v.split('.').nth(1))
            .and_then(|m| m.parse().ok());
        Ok(Context {
            pools: Some(pools),
            k8s_minor: minor,
            allowed_registries: Vec::new(),
            today: None,
            notes: Vec::new(),
            assume_windows_pools: false,
        })
    }

    /// Record, once, which rules could not judge for lack of context.
    pub fn finish(mut self) -> Context {
        if self.pools.is_none() {
            self.notes.push(
                Finding::new(
                    "WIN018",
                    Severity::Info,
                    "",
                    "no cluster context: WIN002, WIN004 (pool OS SKU), WIN018 judged without pools"
                        .to_string(),
                )
                .with_help("pass --spec akswin.yaml or --cluster <az aks show JSON>"),
            );
        }
        if self.k8s_minor.is_none() {
            self.notes.push(Finding::new("K8S001", Severity::Info, "", "no Kubernetes version: K8S001 checks removed APIs against the newest version it knows".to_string())
                .with_help("pass --k8s-version, --spec or --cluster"));
        }
        if self.allowed_registries.is_empty() {
            self.notes.push(
                Finding::new(
                    "WIN012",
                    Severity::Info,
                    "",
                    "no allowed registries: WIN012 not checked".to_string(),
                )
                .with_help("pass --allowed-registry (repeatable) or --spec"),
            );
        }
        self
    }

    /// The pools a pod can land on: those its placement allows (nodeSelector and required
    /// node affinity, see [`crate::placement`]) and whose taints it tolerates, if the context
    /// knows the pools.
    pub fn reachable_pools<'a>(&'a self, pod: &crate::yaml::Node) -> Option<Vec<&'a Pool>> {
        let pools = self.pools.as_ref()?;
        Some(
            crate::placement::placement(pod)
                .pools(pools)
                .into_iter()
                .filter(|p| p.taints.iter().all(|t| crate::objects::tolerates(pod, t)))
                .collect(),
        )
    }
}
