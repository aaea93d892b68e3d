//! The scale-out model: how long adding replicas of a Windows workload takes, on the nodes the
//! pool already has, with nodes the autoscaler adds, and with the hot-spare plan.
//!
//! Microsoft publishes no authoritative pull or provisioning times (facts.md §10), so every input
//! is a spec value the operator measures; when one is absent the model uses an explicit default
//! whose source it reports next to the number:
//!
//! - node provisioning to Ready: `scaling.nodeReadyMinutes` (default Windows 15, Linux 5: the
//!   15-minute Windows readiness timeout of Azure/azure-capi-cli-extension PR 162 and the
//!   5-15 minutes of Azure/AKS issue 1898, both anecdotal);
//! - image transfer: `registry.images[].sizeGiB` over `scaling.pullThroughputMiBps` (default:
//!   the registry tier's historical download bandwidth, Basic 30 / Standard 60 / Premium
//!   100 MB/s), plus extraction over `scaling.extractThroughputMiBps` when given;
//! - pods per node: the VM size's vCPUs and memory less AKS's node reservations (kube-reserved
//!   CPU by core count; memory `min(20 MB x maxPods + 50 MB, 25%)` plus the 100 Mi eviction
//!   threshold; learn.microsoft.com/azure/aks/node-resource-reservations), divided by the
//!   workload's requests, capped by maxPods.
//!
//! Simplifications the output states: each workload is sized as if alone on its pool; pod
//! start-up after the image is present, the autoscaler's reaction time and the scheduler are not
//! modelled (seconds against minutes); a node without the image is assumed to pull all of it.

use akswin_spec::Spec;
use akswin_spec::spec::{AcrSku, NodePool, Os, Workload};
use serde::Serialize;

/// Default node provisioning to Ready, minutes (see the module documentation for sources).
pub const DEFAULT_NODE_READY_WINDOWS: f64 = 15.0;
pub const DEFAULT_NODE_READY_LINUX: f64 = 5.0;

/// AKS kube-reserved CPU in millicores by host core count (node-resource-reservations).
const KUBE_RESERVED_CPU: [(u32, u32); 7] = [
    (1, 60),
    (2, 100),
    (4, 140),
    (8, 180),
    (16, 260),
    (32, 420),
    (64, 740),
];

/// The size of a VM, as the caller resolves it from its VM size table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeShape {
    pub vcpus: u32,
    pub memory_gib: f64,
}

/// An input value with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    pub value: f64,
    pub source: String,
}

/// One way of adding the replicas.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scenario {
    /// `existing-prepulled`, `existing-pull`, `autoscaler`, `hot-spare`.
    pub id: &'static str,
    pub label: String,
    /// Nodes the pool has when the burst starts.
    pub nodes_before: u32,
    /// Nodes that must be added.
    pub nodes_added: u32,
    /// Minutes until the last added replica can start; None when the plan cannot place them all.
    pub minutes: Option<f64>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadScaleOut {
    pub workload: String,
    pub pool: String,
    pub vm_size: String,
    pub image: String,
    pub image_size_gi_b: Option<f64>,
    pub prepulled: bool,
    pub allocatable_cpu_milli: u32,
    pub allocatable_memory_mi_b: u32,
    pub pods_per_node: u32,
    /// What limits pods per node: `cpu`, `memory` or `maxPods`.
    pub pods_per_node_limit: &'static str,
    pub replicas: u32,
    pub add_replicas: u32,
    pub node_ready_minutes: Input,
    pub pull_throughput_mi_bps: Input,
    pub pull_minutes: Option<f64>,
    pub extract_minutes: Option<f64>,
    pub scenarios: Vec<Scenario>,
    /// The scenario the spec as written gives (hot spare during peaks when the pool has one).
    pub configured: &'static str,
    pub target_minutes: Option<f64>,
    /// Whether the configured scenario meets the target (None without a target or an estimate).
    pub meets_target: Option<bool>,
    /// Nodes the pool needs during peaks for the burst to fit without new nodes.
    pub nodes_for_burst: u32,
}

/// The scale-out model of every Windows workload the model can size.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleOutPlan {
    pub workloads: Vec<WorkloadScaleOut>,
    /// Workloads the model could not size, with the reason.
    pub skipped: Vec<Skipped>,
    pub assumptions: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub workload: String,
    pub reason: String,
}

pub const ASSUMPTIONS: [&str; 4] = [
    "each workload is sized as if alone on its pool",
    "pod start-up after the image is present, the autoscaler's reaction time and scheduling are not modelled",
    "a node without the image pulls all of it (Windows base layers cached on AKS node images are not subtracted)",
    "pulls on different nodes do not slow each other down",
];

/// Parse a Kubernetes CPU quantity (`2`, `500m`, `0.5`) into millicores.
pub fn cpu_milli(q: &str) -> Option<u32> {
    let q = q.trim();
    let (num, scale) = match q.strip_suffix('m') {
        Some(n) => (n, 1.0),
        None => (q, 1000.0),
    };
    let v: f64 = num.parse().ok()?;
    let m = (v * scale).ceil();
    (v.is_finite() && v > 0.0 && m <= f64::from(u32::MAX)).then_some(m as u32)
}

/// Parse a Kubernetes memory quantity (`4Gi`, `512Mi`, `4G`, `1e9`, bytes) into MiB (rounded up).
pub fn memory_mib(q: &str) -> Option<u32> {
    let q = q.trim();
    const SUFFIXES: [(&str, f64); 12] = [
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("Pi", 1_125_899_906_842_624.0),
        ("Ei", 1_152_921_504_606_846_976.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    let (num, mult) = SUFFIXES
        .iter()
        .find_map(|(s, m)| q.strip_suffix(s).map(|n| (n, *m)))
        .unwrap_or((q, 1.0));
    let v: f64 = num.parse().ok()?;
    let mib = (v * mult / 1_048_576.0).ceil();
    (v.is_finite() && v > 0.0 && mib <= f64::from(u32::MAX)).then_some(mib as u32)
}

/// Allocatable CPU (millicores) and memory (MiB) of a node of `shape` with `max_pods`.
pub fn allocatable(shape: NodeShape, max_pods: u32) -> (u32, u32) {
    let reserved_cpu = KUBE_RESERVED_CPU
        .iter()
        .rev()
        .find(|(cores, _)| *cores <= shape.vcpus)
        .map_or(60, |(_, m)| *m);
    let cpu = shape
        .vcpus
        .saturating_mul(1000)
        .saturating_sub(reserved_cpu);
    let mem_mib = shape.memory_gib * 1024.0;
    let kube_reserved = (20.0 * f64::from(max_pods) + 50.0).min(0.25 * mem_mib);
    let mem = (mem_mib - kube_reserved - 100.0).max(0.0).floor() as u32;
    (cpu, mem)
}

/// Default per-node pull throughput for a registry tier, MiB/s (facts.md §10, historical).
pub fn default_pull_throughput(sku: AcrSku) -> f64 {
    let mb_per_s = match sku {
        AcrSku::Basic => 30.0,
        AcrSku::Standard => 60.0,
        AcrSku::Premium => 100.0,
    };
    mb_per_s * 1e6 / 1_048_576.0
}

/// maxPods (facts.md §1 defaults by CNI), as the network planner assumes.
fn max_pods(spec: &Spec, pool: &NodePool) -> u32 {
    crate::max_pods(spec.network.cni, pool)
}

fn node_ready(spec: &Spec, os: Os) -> Input {
    match (&spec.scaling.node_ready_minutes, os) {
        (Some(n), Os::Windows) => Input {
            value: n.windows,
            source: "scaling.nodeReadyMinutes.windows".into(),
        },
        (Some(n), Os::Linux) => Input {
            value: n.linux,
            source: "scaling.nodeReadyMinutes.linux".into(),
        },
        (None, Os::Windows) => Input {
            value: DEFAULT_NODE_READY_WINDOWS,
            source: "default (facts.md §10, anecdotal: 15-minute Windows readiness timeout); measure it".into(),
        },
        (None, Os::Linux) => Input {
            value: DEFAULT_NODE_READY_LINUX,
            source: "default (facts.md §10, anecdotal: autoscaler adds a node in 5-15 minutes); measure it".into(),
        },
    }
}

fn throughput(spec: &Spec) -> Input {
    match spec.scaling.pull_throughput_mi_bps {
        Some(v) => Input {
            value: v,
            source: "scaling.pullThroughputMiBps".into(),
        },
        None => Input {
            value: default_pull_throughput(spec.registry.sku),
            source: format!(
                "default: ACR {:?} historical download bandwidth (facts.md §10); measure it",
                spec.registry.sku
            ),
        },
    }
}

/// The image reference and size (GiB) a workload runs.
fn image_of<'a>(spec: &'a Spec, w: &'a Workload) -> (&'a str, Option<f64>, bool) {
    match spec.registry.images.iter().find(|i| i.name == w.image) {
        Some(i) => (
            i.r#ref.as_str(),
            i.size_gi_b,
            spec.scaling.prepull.enabled && spec.scaling.prepull.images.contains(&i.name),
        ),
        None => (w.image.as_str(), None, false),
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Run the model for every Windows workload. `shape` resolves a VM size name.
pub fn plan(spec: &Spec, shape: &dyn Fn(&str) -> Option<NodeShape>) -> ScaleOutPlan {
    let mut workloads = Vec::new();
    let mut skipped = Vec::new();
    for w in spec.workloads.iter().filter(|w| w.os == Os::Windows) {
        let skip = |reason: String| Skipped {
            workload: w.name.clone(),
            reason,
        };
        let Some(pool) = w
            .pool
            .as_deref()
            .and_then(|p| spec.cluster.node_pools.iter().find(|n| n.name == p))
            .or_else(|| {
                let mut windows = spec
                    .cluster
                    .node_pools
                    .iter()
                    .filter(|n| n.os == Os::Windows);
                match (windows.next(), windows.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            })
        else {
            skipped.push(skip(
                "no node pool: set `pool` to one of the Windows pools".into(),
            ));
            continue;
        };
        let Some(node) = shape(&pool.vm_size) else {
            skipped.push(skip(format!(
                "VM size {} is not in akswin's size table",
                pool.vm_size
            )));
            continue;
        };
        match one(spec, w, pool, node) {
            Ok(s) => workloads.push(s),
            Err(reason) => skipped.push(skip(reason)),
        }
    }
    ScaleOutPlan {
        workloads,
        skipped,
        assumptions: ASSUMPTIONS.to_vec(),
    }
}

fn one(
    spec: &Spec,
    w: &Workload,
    pool: &NodePool,
    node: NodeShape,
) -> Result<WorkloadScaleOut, String> {
    let max_pods = max_pods(spec, pool);
    let (alloc_cpu, alloc_mem) = allocatable(node, max_pods);
    let (mut per_node, mut limit) = (max_pods, "maxPods");
    if let Some(r) = &w.resources {
        let cpu = cpu_milli(&r.cpu)
            .ok_or_else(|| format!("resources.cpu {:?} is not a Kubernetes CPU quantity", r.cpu))?;
        let mem = memory_mib(&r.memory).ok_or_else(|| {
            format!(
                "resources.memory {:?} is not a Kubernetes memory quantity",
                r.memory
            )
        })?;
        if alloc_cpu / cpu < per_node {
            (per_node, limit) = (alloc_cpu / cpu, "cpu");
        }
        if alloc_mem / mem < per_node {
            (per_node, limit) = (alloc_mem / mem, "memory");
        }
    }
    if per_node == 0 {
        return Err(format!(
            "one replica's requests do not fit on a {} node ({alloc_cpu}m CPU, {alloc_mem} MiB allocatable)",
            pool.vm_size
        ));
    }
    let (image, size, prepulled) = image_of(spec, w);
    let ready = node_ready(spec, pool.os);
    let pull = throughput(spec);
    let pull_minutes = size.map(|g| g * 1024.0 / pull.value / 60.0);
    let extract_minutes = match (size, spec.scaling.extract_throughput_mi_bps) {
        (Some(g), Some(x)) => Some(g * 1024.0 / x / 60.0),
        _ => None,
    };
    let image_minutes = pull_minutes.map(|p| p + extract_minutes.unwrap_or(0.0));
    let add = w.scale_out_replicas.unwrap_or(w.replicas);
    let (min, max) = (pool.min_nodes(), pool.max_nodes());
    let free = |nodes: u32| nodes.saturating_mul(per_node).saturating_sub(w.replicas);
    let nodes_for = |replicas: u32| replicas.div_ceil(per_node);
    let needed_total = nodes_for(w.replicas.saturating_add(add));
    let fmt = |m: Option<f64>| {
        m.map_or("unknown (no image size)".to_string(), |m| {
            format!("{m:.1} min")
        })
    };

    let mut scenarios = Vec::new();
    let fits_existing = add <= free(min);
    scenarios.push(Scenario {
        id: "existing-prepulled",
        label: "existing nodes, image pre-pulled".into(),
        nodes_before: min,
        nodes_added: 0,
        minutes: fits_existing.then_some(0.0),
        note: if fits_existing {
            format!(
                "{} free slots on {min} nodes; the image is already on every node",
                free(min)
            )
        } else {
            format!(
                "only {} free slots on {min} nodes ({per_node} per node); {} more nodes needed",
                free(min),
                needed_total.saturating_sub(min)
            )
        },
    });
    scenarios.push(Scenario {
        id: "existing-pull",
        label: "existing nodes, no pre-pull".into(),
        nodes_before: min,
        nodes_added: 0,
        minutes: if fits_existing { image_minutes } else { None },
        note: if fits_existing {
            format!(
                "each node without the image pulls it: {}",
                fmt(image_minutes)
            )
        } else {
            "the burst does not fit on the existing nodes".into()
        },
    });
    let auto_added = needed_total.saturating_sub(min);
    let auto_ok = needed_total <= max;
    let auto_minutes = if auto_added == 0 {
        if prepulled { Some(0.0) } else { image_minutes }
    } else {
        image_minutes.map(|i| ready.value + i)
    };
    scenarios.push(Scenario {
        id: "autoscaler",
        label: format!("autoscaler adds nodes ({min}-{max})"),
        nodes_before: min,
        nodes_added: auto_added.min(max.saturating_sub(min)),
        minutes: if auto_ok { auto_minutes } else { None },
        note: if !auto_ok {
            format!(
                "needs {needed_total} nodes but the pool's max is {max}: at most {} replicas can be added",
                free(max)
            )
        } else if auto_added == 0 {
            "fits on the existing nodes; no node is added".into()
        } else {
            format!(
                "{auto_added} new nodes: Ready after {:.1} min, then the image ({}); pre-pull cannot help a node that does not exist yet",
                ready.value,
                fmt(image_minutes)
            )
        },
    });
    let hot = spec
        .scaling
        .hot_spare
        .as_ref()
        .filter(|h| h.pool == pool.name);
    if let Some(h) = hot {
        let peak = h.peak_nodes.clamp(min, max.max(min));
        let extra = needed_total.saturating_sub(peak);
        let ok = needed_total <= max;
        // Spare nodes are started `leadMinutes` before the peak: if they need longer than that to
        // become Ready (and pre-pull the image), the first minutes of the peak still wait.
        let warm = if prepulled {
            image_minutes.map(|i| ready.value + i)
        } else {
            Some(ready.value)
        };
        let late = warm.map(|w| (w - f64::from(h.lead_minutes)).max(0.0));
        let on_spares = if prepulled { Some(0.0) } else { image_minutes };
        let minutes = if extra == 0 {
            on_spares.zip(late).map(|(a, b)| a.max(b))
        } else {
            image_minutes.map(|i| ready.value + i)
        };
        scenarios.push(Scenario {
            id: "hot-spare",
            label: format!("hot spare: {peak} nodes during peaks"),
            nodes_before: peak,
            nodes_added: extra.min(max.saturating_sub(peak)),
            minutes: if ok { minutes } else { None },
            note: if !ok {
                format!("needs {needed_total} nodes but the pool's max is {max}")
            } else if extra > 0 {
                format!(
                    "{} free slots on {peak} nodes; the autoscaler adds {extra} more",
                    free(peak)
                )
            } else if late.is_some_and(|l| l > 0.0) {
                format!(
                    "spare nodes need {:.1} min to be ready but start {} min before the peak",
                    warm.unwrap_or(0.0),
                    h.lead_minutes
                )
            } else {
                format!(
                    "{} free slots on {peak} nodes{}",
                    free(peak),
                    if prepulled {
                        ", image pre-pulled"
                    } else {
                        "; each pulls the image"
                    }
                )
            },
        });
    }
    let configured = if hot.is_some() {
        "hot-spare"
    } else if fits_existing && prepulled {
        "existing-prepulled"
    } else if fits_existing {
        "existing-pull"
    } else {
        "autoscaler"
    };
    let configured_minutes = scenarios
        .iter()
        .find(|s| s.id == configured)
        .and_then(|s| s.minutes);
    let meets_target = w.scale_out_target_minutes.and_then(|t| {
        let feasible = scenarios
            .iter()
            .find(|s| s.id == configured)
            .is_some_and(|s| s.minutes.is_some() || image_minutes.is_some());
        match configured_minutes {
            Some(m) => Some(m <= t),
            None if feasible => Some(false),
            None => None,
        }
    });
    for s in &mut scenarios {
        s.minutes = s.minutes.map(round2);
    }
    Ok(WorkloadScaleOut {
        workload: w.name.clone(),
        pool: pool.name.clone(),
        vm_size: pool.vm_size.clone(),
        image: image.to_string(),
        image_size_gi_b: size,
        prepulled,
        allocatable_cpu_milli: alloc_cpu,
        allocatable_memory_mi_b: alloc_mem,
        pods_per_node: per_node,
        pods_per_node_limit: limit,
        replicas: w.replicas,
        add_replicas: add,
        node_ready_minutes: ready,
        pull_throughput_mi_bps: Input {
            value: round2(pull.value),
            source: pull.source,
        },
        pull_minutes: pull_minutes.map(round2),
        extract_minutes: extract_minutes.map(round2),
        scenarios,
        configured,
        target_minutes: w.scale_out_target_minutes,
        meets_target,
        nodes_for_burst: needed_total,
    })
}

impl WorkloadScaleOut {
    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// The first plan (in order of cost: pre-pull, then a hot spare) that meets the target, as
    /// advice. None when the workload has no target or meets it.
    pub fn advice(&self, pool_max: u32) -> Option<String> {
        let target = self.target_minutes?;
        if self.meets_target != Some(false) {
            return None;
        }
        let prepulled = self.scenario("existing-prepulled");
        if prepulled
            .and_then(|s| s.minutes)
            .is_some_and(|m| m <= target)
            && !self.prepulled
        {
            return Some(format!(
                "pre-pull the image (scaling.prepull.images): the burst fits on the {} existing nodes",
                prepulled.map_or(0, |s| s.nodes_before)
            ));
        }
        if self.nodes_for_burst <= pool_max {
            return Some(format!(
                "a hot-spare plan with peakNodes >= {} on pool {} and the image pre-pulled: the burst then needs no new node",
                self.nodes_for_burst, self.pool
            ));
        }
        Some(format!(
            "no plan fits pool {}'s max of {pool_max} nodes: raise max to {} and use a hot-spare plan of that many nodes with pre-pull",
            self.pool, self.nodes_for_burst
        ))
    }
}
