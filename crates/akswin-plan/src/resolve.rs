//! Values resolved once from the spec, for every consumer: the planner, the rules, the
//! renderers and the report read these instead of working defaults out for themselves, so
//! `check` judges exactly what `render` writes.
//!
//! - Pools: effective maxPods (by CNI mode), maxSurge (explicit, else [`DEFAULT_MAX_SURGE`],
//!   which akswin then renders explicitly), OS SKU, node subnet, node bounds.
//! - Workloads: the pool they run on ([`PoolChoice`]), the full image reference and the Windows
//!   version its tag names.

use akswin_spec::Spec;
use akswin_spec::spec::{Cni, Mode, NodePool, Os, OsSku, SpokeSubnet, Workload};
use akswin_spec::types::MaxSurge;
use serde::{Deserialize, Serialize};

/// The maxSurge akswin renders for a pool that sets none. The documented default conflicts
/// (the upgrade guide says one node, the API reference 10 %, rounded up; see
/// docs/sources.md), so akswin never leaves it to AKS: it renders 10 %, which is at least one
/// node for any pool, and plans addresses for exactly that.
pub const DEFAULT_MAX_SURGE: MaxSurge = MaxSurge::Percent(10);

/// maxPods of a pool, defaulted by CNI mode (30 with node-subnet CNI, 250 with overlay, 110
/// otherwise; docs/sources.md).
pub fn max_pods(cni: Cni, pool: &NodePool) -> u32 {
    pool.max_pods.unwrap_or(match cni {
        Cni::AzureCniNodeSubnet => 30,
        Cni::AzureCniOverlay => 250,
        _ => 110,
    })
}

/// The maxSurge a pool is deployed with: its own, or [`DEFAULT_MAX_SURGE`].
pub fn max_surge(pool: &NodePool) -> MaxSurge {
    pool.max_surge.unwrap_or(DEFAULT_MAX_SURGE)
}

/// Extra nodes during an upgrade of a pool at `nodes` nodes, for the surge it is deployed with.
pub fn surge_nodes(pool: &NodePool, nodes: u32) -> u32 {
    max_surge(pool).nodes(nodes)
}

/// The Windows Server version an image is built for, from its tag (`ltsc2025`, `ltsc2022`,
/// `ltsc2019` or `1809`). The one copy of this map: audit, rules and renderers use it.
///
/// The markers are whole parts of the tag between `-`, `_` and `.` (`4.8-windowsservercore-
/// ltsc2022`), so a build number such as `build-21809` is not read as Windows Server 2019.
pub fn image_windows_sku(image: &str) -> Option<OsSku> {
    let tag = image_tag(image).to_ascii_lowercase();
    let has = |m: &str| tag.split(['-', '_', '.']).any(|t| t == m);
    if has("ltsc2025") {
        Some(OsSku::Windows2025)
    } else if has("ltsc2022") {
        Some(OsSku::Windows2022)
    } else if has("ltsc2019") || has("1809") {
        Some(OsSku::Windows2019)
    } else {
        None
    }
}

/// The tag of an image reference: after the last `:` of its last path component, without a
/// digest (`@sha256:...`, whose hex could read as a version), or "" without one.
pub fn image_tag(image: &str) -> &str {
    let name = image.split_once('@').map_or(image, |(n, _)| n);
    let last = name.rsplit_once('/').map_or(name, |(_, l)| l);
    last.rsplit_once(':').map_or("", |(_, t)| t)
}

/// A full image reference for a workload's or pre-pull entry's `image` (a `registry.images`
/// name, or a reference as written).
pub fn image_ref(spec: &Spec, image: &str) -> String {
    spec.registry
        .images
        .iter()
        .find(|i| i.name == image)
        .map_or_else(|| image.to_string(), |i| i.r#ref.clone())
}

/// Which pool a workload runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum PoolChoice {
    /// `pool:` names this pool (index into `cluster.nodePools`).
    Named { index: usize },
    /// No `pool:`, and exactly one user pool of the workload's OS exists.
    Only { index: usize },
    /// `pool:` names no pool of the spec.
    Unknown { name: String },
    /// No `pool:`, and several user pools of the workload's OS exist.
    Ambiguous { candidates: Vec<String> },
    /// No `pool:`, and no user pool of the workload's OS exists.
    NoPool,
}

impl PoolChoice {
    /// The pool's index, when the choice resolves to one.
    pub fn index(&self) -> Option<usize> {
        match self {
            PoolChoice::Named { index } | PoolChoice::Only { index } => Some(*index),
            _ => None,
        }
    }
}

/// Resolve a workload's pool (see [`PoolChoice`]).
pub fn pool_choice(spec: &Spec, w: &Workload) -> PoolChoice {
    let pools = &spec.cluster.node_pools;
    if let Some(name) = &w.pool {
        return match pools.iter().position(|p| &p.name == name) {
            Some(index) => PoolChoice::Named { index },
            None => PoolChoice::Unknown { name: name.clone() },
        };
    }
    let candidates: Vec<usize> = pools
        .iter()
        .enumerate()
        .filter(|(_, p)| p.os == w.os && p.mode == Mode::User)
        .map(|(i, _)| i)
        .collect();
    match candidates.as_slice() {
        [] => PoolChoice::NoPool,
        [index] => PoolChoice::Only { index: *index },
        many => PoolChoice::Ambiguous {
            candidates: many.iter().map(|&i| pools[i].name.clone()).collect(),
        },
    }
}

/// The pool a workload runs on, when it resolves to one.
pub fn workload_pool<'a>(spec: &'a Spec, w: &Workload) -> Option<&'a NodePool> {
    pool_choice(spec, w)
        .index()
        .and_then(|i| spec.cluster.node_pools.get(i))
}

/// The Windows OS SKUs of the spec's pools, each once, in SKU order.
pub fn windows_os_skus(spec: &Spec) -> Vec<OsSku> {
    let mut skus: Vec<OsSku> = spec
        .cluster
        .node_pools
        .iter()
        .filter(|p| p.os == Os::Windows)
        .map(NodePool::os_sku)
        .collect();
    skus.sort();
    skus.dedup();
    skus
}

/// The taints of the Windows pools of one OS SKU (what a DaemonSet for that SKU tolerates).
pub fn windows_sku_taints(spec: &Spec, sku: OsSku) -> Vec<String> {
    spec.cluster
        .node_pools
        .iter()
        .filter(|p| p.os == Os::Windows && p.os_sku() == sku)
        .flat_map(|p| p.taints.clone())
        .collect()
}

/// The images the pre-pull DaemonSets cache, per Windows OS SKU (in SKU order): with
/// `scaling.prepull.enabled`, every Windows workload's image on the SKU of its pool (on every
/// SKU its tag allows when the pool does not resolve), then each `scaling.prepull.images`
/// entry on the SKUs its tag allows. Each list is free of repeats; a SKU with nothing to pull
/// is left out.
pub fn prepull_images(spec: &Spec) -> Vec<(OsSku, Vec<String>)> {
    if !spec.scaling.prepull.enabled {
        return Vec::new();
    }
    let skus = windows_os_skus(spec);
    let fits = |r: &str, sku: OsSku| image_windows_sku(r).is_none_or(|s| s == sku);
    let mut out = Vec::new();
    for sku in skus {
        let mut images: Vec<String> = Vec::new();
        let mut add = |r: String| {
            if !images.contains(&r) {
                images.push(r);
            }
        };
        for w in spec.workloads.iter().filter(|w| w.os == Os::Windows) {
            let r = image_ref(spec, &w.image);
            let on = match workload_pool(spec, w) {
                Some(p) => p.os == Os::Windows && p.os_sku() == sku,
                None => fits(&r, sku),
            };
            if on {
                add(r);
            }
        }
        for i in &spec.scaling.prepull.images {
            let r = image_ref(spec, i);
            if fits(&r, sku) {
                add(r);
            }
        }
        if !images.is_empty() {
            out.push((sku, images));
        }
    }
    out
}

/// Whether the pre-pull DaemonSets cache this image reference on this Windows OS SKU.
pub fn is_prepulled(spec: &Spec, image_ref: &str, sku: OsSku) -> bool {
    prepull_images(spec)
        .iter()
        .any(|(s, images)| *s == sku && images.iter().any(|i| i == image_ref))
}

/// A node pool as it is deployed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedPool {
    pub name: String,
    pub mode: Mode,
    pub os: Os,
    pub os_sku: OsSku,
    pub vm_size: String,
    pub min_nodes: u32,
    pub max_nodes: u32,
    pub autoscaled: bool,
    pub max_pods: u32,
    /// The maxSurge rendered into `upgradeSettings`.
    pub max_surge: MaxSurge,
    /// Whether `maxSurge` is the spec's (false: [`DEFAULT_MAX_SURGE`]).
    pub max_surge_explicit: bool,
    /// Extra nodes while the pool upgrades at its maximum size.
    pub surge_nodes_at_max: u32,
    pub subnet: SpokeSubnet,
}

/// A workload as it is deployed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedWorkload {
    pub name: String,
    pub os: Os,
    pub pool: PoolChoice,
    /// The full image reference rendered into the pod.
    pub image: String,
    /// The Windows version the image's tag names, if any.
    pub image_windows_sku: Option<OsSku>,
}

/// Every pool of the spec, resolved.
pub fn pools(spec: &Spec) -> Vec<ResolvedPool> {
    let cni = spec.network.cni;
    spec.cluster
        .node_pools
        .iter()
        .map(|p| ResolvedPool {
            name: p.name.clone(),
            mode: p.mode,
            os: p.os,
            os_sku: p.os_sku(),
            vm_size: p.vm_size.clone(),
            min_nodes: p.min_nodes(),
            max_nodes: p.max_nodes(),
            autoscaled: p.autoscaled(),
            max_pods: max_pods(cni, p),
            max_surge: max_surge(p),
            max_surge_explicit: p.max_surge.is_some(),
            surge_nodes_at_max: surge_nodes(p, p.max_nodes()),
            subnet: p.subnet_key(),
        })
        .collect()
}

/// Every workload of the spec, resolved.
pub fn workloads(spec: &Spec) -> Vec<ResolvedWorkload> {
    spec.workloads
        .iter()
        .map(|w| {
            let image = image_ref(spec, &w.image);
            ResolvedWorkload {
                name: w.name.clone(),
                os: w.os,
                pool: pool_choice(spec, w),
                image_windows_sku: image_windows_sku(&image),
                image,
            }
        })
        .collect()
}

/// A Kubernetes quantity in billionths of its unit, exactly (`akswin_spec::types::Quantity`,
/// the one parser): `1` = `1000m`, `1Gi` = `1024Mi`.
pub fn quantity_nanos(q: &str) -> Option<i128> {
    akswin_spec::types::Quantity::nanos(q)
}

/// A VM size from the spec's `cluster.customVmSizes`, else from the embedded table
/// (`akswin_facts`). The one lookup every consumer uses.
pub fn vm_size(spec: &Spec, name: &str) -> Option<akswin_facts::VmSize> {
    if let Some(c) = spec
        .cluster
        .custom_vm_sizes
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
    {
        return Some(akswin_facts::VmSize {
            name: c.name.clone(),
            family: "custom".into(),
            vcpus: c.vcpus,
            memory_gib: c.memory_gi_b,
            temp_gib: c.temp_gi_b,
            cache_gib: c.cache_gi_b,
            nvme_gib: c.nvme_gi_b,
            burstable: c.name.to_ascii_lowercase().starts_with("standard_b"),
        });
    }
    akswin_facts::facts().vm_size(name).cloned()
}

/// The cost model with VM sizes resolved by [`vm_size`] and the hot-spare hours of the week
/// containing `today`.
pub fn cost(
    spec: &Spec,
    book: &crate::cost::PriceBook,
    today: chrono::NaiveDate,
) -> crate::cost::CostEstimate {
    let week = spec
        .scaling
        .hot_spare
        .as_ref()
        .map(|hs| crate::hot_spare::plan(hs, today));
    crate::cost::estimate(spec, book, week.as_ref(), &|name| {
        vm_size(spec, name).map(|v| (v.vcpus, v.family))
    })
}

/// The scale-out model with VM sizes resolved by [`vm_size`].
pub fn scale_out(spec: &Spec) -> crate::scale_out::ScaleOutPlan {
    crate::scale_out::plan(spec, &|name| {
        vm_size(spec, name).map(|v| crate::scale_out::NodeShape {
            vcpus: v.vcpus,
            memory_gib: v.memory_gib,
        })
    })
}

/// Every Windows pool's upgrade (drain timeout, node soak, duration against the window).
pub fn pool_upgrades(spec: &Spec) -> Vec<crate::pool_upgrade::PoolUpgrade> {
    crate::pool_upgrade::plan(spec, &scale_out(spec))
}
