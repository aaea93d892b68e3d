//! The scale-out model: how long adding replicas of a Windows workload takes, on the nodes the
//! pool already has, with nodes the autoscaler adds, and with the hot-spare plan.
//!
//! Microsoft publishes no authoritative pull or provisioning times (docs/sources.md), so every input
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
    /// `existing-prepulled`, `existing-pull`, `autoscaler`, `hot-spare`, `off-peak`.
    pub id: &'static str,
    pub label: String,
    /// Nodes the pool has when the burst starts.
    pub nodes_before: u32,
    /// Nodes that must be added.
    pub nodes_added: u32,
    /// Minutes until the last added replica can start; None when the plan cannot place them all
    /// or the image size is unknown.
    pub minutes: Option<f64>,
    /// Whether the plan can place the whole burst (within the pool's max).
    pub feasible: bool,
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
    /// Per node. When it is the default (the registry's bandwidth), nodes pulling at the same
    /// time share it, and each scenario's pull time counts them.
    pub pull_throughput_mi_bps: Input,
    pub pull_throughput_is_default: bool,
    /// Memory AKS keeps for Windows system processes, subtracted from allocatable (Windows pools).
    pub windows_reserved_mi_b: u32,
    pub pull_minutes: Option<f64>,
    pub extract_minutes: Option<f64>,
    pub scenarios: Vec<Scenario>,
    /// The scenario the spec as written gives (hot spare during peaks when the pool has one).
    pub configured: &'static str,
    pub target_minutes: Option<f64>,
    /// Whether the configured scenario meets the target (None without a target, or when only
    /// the unknown image size keeps it from being estimated).
    pub meets_target: Option<bool>,
    /// With a hot-spare plan: whether a burst outside the peaks (scenario `off-peak`) meets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meets_target_off_peak: Option<bool>,
    /// Nodes the pool needs during peaks for the burst to fit without new nodes.
    pub nodes_for_burst: u32,
    /// The pool's other workloads, whose requests are counted first.
    pub shared_with: Vec<String>,
    /// With a hot-spare plan whose spares are not ready when the peak starts: the lead needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_minutes_needed: Option<f64>,
    pub pool_max: u32,
    pub pool_autoscaled: bool,
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

pub const ASSUMPTIONS: [&str; 6] = [
    "workloads sharing a pool are packed in aggregate (their requests summed), not node by node",
    "replicas spread over the nodes (topology spread), so every node that runs one has the image",
    "pod start-up after the image is present, the autoscaler's reaction time and scheduling are not modelled",
    "a node without the image pulls all of it (Windows base layers cached on AKS node images are not subtracted)",
    "a measured pullThroughputMiBps is per node; the default (the registry's bandwidth) is shared by the nodes pulling at once",
    "DaemonSet pods other than akswin's pre-pull DaemonSet are not subtracted from maxPods",
];

/// Memory AKS keeps for system processes on a Windows node beyond kube-reserved, MiB. Reported in
/// the AKS documentation ("an additional 2 GB for system processes in Windows nodes");
/// UNCONFIRMED in docs/sources.md, so `scaling.windowsReservedMiB` overrides it.
pub const DEFAULT_WINDOWS_RESERVED_MIB: u32 = 2048;

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

/// Allocatable CPU (millicores) and memory (MiB) of a Linux node of `shape` with `max_pods`
/// (subtract the Windows system reservation for Windows nodes).
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

/// Default per-node pull throughput for a registry tier, MiB/s (docs/sources.md, historical).
pub fn default_pull_throughput(sku: AcrSku) -> f64 {
    let mb_per_s = match sku {
        AcrSku::Basic => 30.0,
        AcrSku::Standard => 60.0,
        AcrSku::Premium => 100.0,
    };
    mb_per_s * 1e6 / 1_048_576.0
}

/// maxPods as deployed (`resolve::max_pods`), as the network planner assumes.
fn max_pods(spec: &Spec, pool: &NodePool) -> u32 {
    crate::max_pods(spec.network.cni, pool)
}

pub fn node_ready(spec: &Spec, os: Os) -> Input {
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
            source: "default (docs/sources.md#windows-image-sizes-and-pull-times, anecdotal: 15-minute Windows readiness timeout); measure it".into(),
        },
        (None, Os::Linux) => Input {
            value: DEFAULT_NODE_READY_LINUX,
            source: "default (docs/sources.md#windows-image-sizes-and-pull-times, anecdotal: autoscaler adds a node in 5-15 minutes); measure it".into(),
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
                "default: ACR {:?}'s historical registry bandwidth (docs/sources.md#container-registry-tiers), shared by the nodes pulling at once, extraction not included; reports of real Windows pulls are 10-20 min: measure it",
                spec.registry.sku
            ),
        },
    }
}

/// The image reference and size (GiB) a workload runs, and whether the pre-pull DaemonSet of
/// its pool's Windows version caches it.
fn image_of<'a>(spec: &'a Spec, w: &'a Workload, pool: &NodePool) -> (&'a str, Option<f64>, bool) {
    let (r, size) = match spec.registry.images.iter().find(|i| i.name == w.image) {
        Some(i) => (i.r#ref.as_str(), i.size_gi_b),
        None => (w.image.as_str(), None),
    };
    let prepulled = pool.os == Os::Windows && crate::resolve::is_prepulled(spec, r, pool.os_sku());
    (r, size, prepulled)
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
        let Some(pool) = crate::resolve::workload_pool(spec, w) else {
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

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The shared arithmetic of one workload on one pool.
struct Burst {
    per_node: u32,
    /// Requests of this workload (millicores, MiB), when given.
    req: Option<(u64, u64)>,
    alloc: (u64, u64),
    max_pods: u64,
    /// The other workloads of the pool: their summed requests and pods.
    others: (u64, u64, u64),
    replicas: u32,
    add: u32,
    max: u32,
    needed_total: u32,
    ready: f64,
    /// Minutes for one node to pull and extract the image alone; None when the size is unknown.
    image_one: Option<f64>,
    shared: bool,
    extract: Option<f64>,
}

impl Burst {
    /// Replicas of this workload that `nodes` nodes hold next to the pool's other workloads
    /// (their requests summed: packed in aggregate, not node by node).
    fn slots(&self, nodes: u32) -> u32 {
        let n = u64::from(nodes);
        let (ocpu, omem, opods) = self.others;
        let mut s = n.saturating_mul(u64::from(self.per_node));
        if let Some((cpu, mem)) = self.req {
            s = s.min(n.saturating_mul(self.alloc.0).saturating_sub(ocpu) / cpu.max(1));
            s = s.min(n.saturating_mul(self.alloc.1).saturating_sub(omem) / mem.max(1));
        }
        s = s.min(n.saturating_mul(self.max_pods).saturating_sub(opods));
        u32::try_from(s).unwrap_or(u32::MAX)
    }

    fn free(&self, nodes: u32) -> u32 {
        self.slots(nodes).saturating_sub(self.replicas)
    }

    /// The fewest nodes that hold `total` replicas (1001: more than a pool's 1,000-node limit).
    fn nodes_for(&self, total: u32) -> u32 {
        (1..=1000).find(|n| self.slots(*n) >= total).unwrap_or(1001)
    }

    /// Minutes for `k` nodes pulling at once: the registry's bandwidth is shared by default; a
    /// measured throughput is per node.
    fn image(&self, k: u32) -> Option<f64> {
        self.image_one.map(|one| {
            let pull = one - self.extract.unwrap_or(0.0);
            let factor = if self.shared {
                f64::from(k.max(1))
            } else {
                1.0
            };
            pull * factor + self.extract.unwrap_or(0.0)
        })
    }

    /// Nodes among `nodes` that have no replica yet (replicas spread one per node first).
    fn without_image(&self, nodes: u32) -> u32 {
        nodes.saturating_sub(self.replicas)
    }

    /// Add the burst starting from `nodes` nodes; `prepulled`: the image is on every node.
    fn from(&self, nodes: u32, prepulled: bool) -> (Option<f64>, bool, u32, String) {
        let fmt = |m: Option<f64>| {
            m.map_or("unknown (no image size)".to_string(), |m| {
                format!("{m:.1} min")
            })
        };
        if self.add <= self.free(nodes) {
            let k = self.without_image(nodes);
            if prepulled {
                (
                    Some(0.0),
                    true,
                    0,
                    format!(
                        "{} free slots on {nodes} nodes; the image is on every node",
                        self.free(nodes)
                    ),
                )
            } else if k == 0 {
                (
                    Some(0.0),
                    true,
                    0,
                    format!(
                        "{} free slots on {nodes} nodes, each already running a replica, so the image is cached",
                        self.free(nodes)
                    ),
                )
            } else {
                let m = self.image(k);
                (
                    m,
                    true,
                    0,
                    format!(
                        "{} free slots on {nodes} nodes; {} without a replica pull the image: {}",
                        self.free(nodes),
                        plural(k, "node", "nodes"),
                        fmt(m)
                    ),
                )
            }
        } else if self.needed_total > self.max {
            (
                None,
                false,
                self.max.saturating_sub(nodes),
                format!(
                    "needs {} but the pool's max is {}: at most {} can be added",
                    plural(self.needed_total, "node", "nodes"),
                    self.max,
                    plural(self.free(self.max), "replica", "replicas")
                ),
            )
        } else {
            let added = self.needed_total - nodes;
            let m = self.image(added).map(|i| self.ready + i);
            (
                m,
                true,
                added,
                format!(
                    "{}: Ready after {:.1} min, then the image ({}); pre-pull cannot help a node that does not exist yet",
                    plural(added, "new node", "new nodes"),
                    self.ready,
                    fmt(self.image(added))
                ),
            )
        }
    }
}

fn one(
    spec: &Spec,
    w: &Workload,
    pool: &NodePool,
    node: NodeShape,
) -> Result<WorkloadScaleOut, String> {
    let (image, size, prepulled) = image_of(spec, w, pool);
    // akswin's pre-pull DaemonSet takes one pod slot on every Windows node.
    let ds_pods = u32::from(spec.scaling.prepull.enabled && pool.os == Os::Windows);
    let max_pods = max_pods(spec, pool).saturating_sub(ds_pods);
    let (alloc_cpu, mut alloc_mem) = allocatable(node, max_pods);
    let win_reserved = if pool.os == Os::Windows {
        spec.scaling
            .windows_reserved_mi_b
            .unwrap_or(DEFAULT_WINDOWS_RESERVED_MIB)
    } else {
        0
    };
    alloc_mem = alloc_mem.saturating_sub(win_reserved);
    let (mut per_node, mut limit) = (max_pods, "maxPods");
    let mut req = None;
    if let Some(r) = &w.resources {
        let cpu = cpu_milli(r.cpu.as_str())
            .ok_or_else(|| format!("resources.cpu {:?} is not a Kubernetes CPU quantity", r.cpu))?;
        let mem = memory_mib(r.memory.as_str()).ok_or_else(|| {
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
        req = Some((u64::from(cpu), u64::from(mem)));
    }
    // The pool's other workloads take their share first.
    let mut others = (0u64, 0u64, 0u64);
    let mut shared_with = Vec::new();
    for o in spec
        .workloads
        .iter()
        .filter(|o| o.name != w.name && o.pool.as_deref() == Some(pool.name.as_str()))
    {
        let n = u64::from(o.replicas);
        if let Some(r) = &o.resources {
            others.0 += n * u64::from(cpu_milli(r.cpu.as_str()).unwrap_or(0));
            others.1 += n * u64::from(memory_mib(r.memory.as_str()).unwrap_or(0));
        }
        others.2 += n;
        shared_with.push(o.name.clone());
    }
    if per_node == 0 {
        return Err(format!(
            "one replica's requests do not fit on a {} node ({alloc_cpu}m CPU, {alloc_mem} MiB allocatable): its pods would stay Pending",
            pool.vm_size
        ));
    }
    let ready = node_ready(spec, pool.os);
    let pull = throughput(spec);
    let shared = spec.scaling.pull_throughput_mi_bps.is_none();
    let pull_minutes = size.map(|g| g * 1024.0 / pull.value / 60.0);
    let extract_minutes = match (size, spec.scaling.extract_throughput_mi_bps) {
        (Some(g), Some(x)) => Some(g * 1024.0 / x / 60.0),
        _ => None,
    };
    let add = w.scale_out_replicas.unwrap_or(w.replicas);
    let (min, max) = (pool.min_nodes(), pool.max_nodes());
    let mut b = Burst {
        per_node,
        req,
        alloc: (u64::from(alloc_cpu), u64::from(alloc_mem)),
        max_pods: u64::from(max_pods),
        others,
        replicas: w.replicas,
        add,
        max,
        needed_total: 0,
        ready: ready.value,
        image_one: pull_minutes.map(|p| p + extract_minutes.unwrap_or(0.0)),
        shared,
        extract: extract_minutes,
    };
    b.needed_total = b.nodes_for(w.replicas.saturating_add(add));

    let mut scenarios = Vec::new();
    let fits_existing = add <= b.free(min);
    let not_fit = format!(
        "only {} free slots on {min} nodes ({per_node} per node{}); needs {}",
        b.free(min),
        if shared_with.is_empty() {
            String::new()
        } else {
            format!(", shared with {}", shared_with.join(", "))
        },
        plural(
            b.needed_total.saturating_sub(min),
            "more node",
            "more nodes"
        )
    );
    let (m, f, _, note) = b.from(min, true);
    scenarios.push(Scenario {
        id: "existing-prepulled",
        label: "existing nodes, image pre-pulled".into(),
        nodes_before: min,
        nodes_added: 0,
        minutes: if fits_existing { m } else { None },
        feasible: fits_existing && f,
        note: if fits_existing { note } else { not_fit.clone() },
    });
    let (m, f, _, note) = b.from(min, false);
    scenarios.push(Scenario {
        id: "existing-pull",
        label: "existing nodes, no pre-pull".into(),
        nodes_before: min,
        nodes_added: 0,
        minutes: if fits_existing { m } else { None },
        feasible: fits_existing && f,
        note: if fits_existing { note } else { not_fit },
    });
    let autoscaled = pool.autoscaled();
    let (m, f, added, note) = b.from(min, prepulled);
    scenarios.push(Scenario {
        id: "autoscaler",
        label: if autoscaled {
            format!("autoscaler adds nodes ({min}-{max})")
        } else {
            format!("fixed {min} nodes (no autoscaler)")
        },
        nodes_before: min,
        nodes_added: if autoscaled { added } else { 0 },
        minutes: if autoscaled || fits_existing { m } else { None },
        feasible: f && (autoscaled || fits_existing),
        note: if autoscaled || fits_existing {
            note
        } else {
            format!(
                "the pool has no autoscaler: raise count to {}",
                b.needed_total
            )
        },
    });
    let hot = spec
        .scaling
        .hot_spare
        .as_ref()
        .filter(|h| h.pool == pool.name);
    let mut lead_needed = None;
    if let Some(h) = hot {
        let peak = h.peak_nodes.clamp(min, max.max(min));
        let off = h.off_peak_nodes.clamp(min, max.max(min));
        let (m, f, added, note) = b.from(peak, prepulled);
        // Spares start `leadMinutes` before the peak; until they are Ready (with the image
        // pre-pulled) the first minutes of the peak still wait.
        let spares = peak.saturating_sub(off);
        let warm = if prepulled {
            b.image(spares).map(|i| ready.value + i)
        } else {
            Some(ready.value)
        };
        let late = warm.map(|w| (w - f64::from(h.lead_minutes)).max(0.0));
        if late.is_some_and(|l| l > 0.0) {
            lead_needed = warm.map(f64::ceil);
        }
        let minutes = match (m, late) {
            (Some(m), Some(l)) if added == 0 => Some(m.max(l)),
            (m, _) => m,
        };
        scenarios.push(Scenario {
            id: "hot-spare",
            label: format!("hot spare: {peak} nodes during peaks"),
            nodes_before: peak,
            nodes_added: added,
            minutes,
            feasible: f,
            note: if late.is_some_and(|l| l > 0.0) && added == 0 {
                format!(
                    "{note}; but the spares need {:.1} min to be ready and start {} min before the peak",
                    warm.unwrap_or(0.0),
                    h.lead_minutes
                )
            } else {
                note
            },
        });
        let (m, f, added, note) = b.from(off, prepulled);
        scenarios.push(Scenario {
            id: "off-peak",
            label: format!("outside peaks: {off} nodes, autoscaler"),
            nodes_before: off,
            nodes_added: added,
            minutes: m,
            feasible: f,
            note,
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
    let judge = |id: &str| {
        let s = scenarios.iter().find(|s| s.id == id)?;
        let t = w.scale_out_target_minutes?;
        match (s.feasible, s.minutes) {
            (false, _) => Some(false),
            (true, Some(m)) => Some(m <= t),
            (true, None) => None,
        }
    };
    let meets_target = judge(configured);
    let meets_target_off_peak = hot.and_then(|_| judge("off-peak"));
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
        pull_throughput_is_default: shared,
        windows_reserved_mi_b: win_reserved,
        pull_minutes: pull_minutes.map(round2),
        extract_minutes: extract_minutes.map(round2),
        scenarios,
        configured,
        target_minutes: w.scale_out_target_minutes,
        meets_target,
        meets_target_off_peak,
        nodes_for_burst: b.needed_total,
        shared_with,
        lead_minutes_needed: lead_needed,
        pool_max: max,
        pool_autoscaled: autoscaled,
    })
}

impl WorkloadScaleOut {
    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// The target's verdict in words, as `plan` and `report` show it (None without a target).
    pub fn verdict(&self) -> Option<String> {
        let t = self.target_minutes?;
        let off_peak = self.scenario("off-peak").map(|s| {
            s.minutes.map_or_else(
                || format!("outside peaks the burst cannot be added ({})", s.note),
                |m| format!("outside peaks the autoscaler takes {m:.1} min"),
            )
        });
        Some(match (self.meets_target, self.meets_target_off_peak) {
            (Some(true), Some(false)) => format!(
                "target {t} min: met during peaks (hot spare); {}",
                off_peak.unwrap_or_default()
            ),
            (Some(true), _) => format!("target {t} min: met"),
            (Some(false), _) => format!(
                "target {t} min: MISSED (SCL002): {}",
                self.advice().unwrap_or_default()
            ),
            (None, _) => format!("target {t} min: not estimable (the image size is unknown)"),
        })
    }

    /// The first plan (in order of cost: an earlier start of the spares, pre-pull, then a hot
    /// spare) that meets the target, as advice. None when the workload has no target or meets it.
    pub fn advice(&self) -> Option<String> {
        let target = self.target_minutes?;
        if self.meets_target != Some(false) {
            return None;
        }
        if let (Some(lead), Some(hs)) = (self.lead_minutes_needed, self.scenario("hot-spare"))
            && hs.feasible
            && hs.nodes_added == 0
        {
            return Some(format!(
                "start the spares earlier: leadMinutes >= {lead:.0}, so they are Ready with the image when the peak starts"
            ));
        }
        let prepulled = self.scenario("existing-prepulled");
        if !self.prepulled
            && prepulled
                .and_then(|s| s.minutes)
                .is_some_and(|m| m <= target)
        {
            return Some(format!(
                "pre-pull the image (scaling.prepull.enabled: the DaemonSet caches every Windows workload's image): the burst fits on the {} existing nodes",
                prepulled.map_or(0, |s| s.nodes_before)
            ));
        }
        let bound = if self.pool_autoscaled { "max" } else { "count" };
        if self.nodes_for_burst <= self.pool_max {
            let have = self.scenario("hot-spare").map(|s| s.nodes_before);
            return Some(match have {
                Some(n) => format!(
                    "raise the hot spare's peakNodes from {n} to {} on pool {}{}",
                    self.nodes_for_burst,
                    self.pool,
                    if self.prepulled {
                        ""
                    } else {
                        " and pre-pull the image"
                    }
                ),
                None => format!(
                    "a hot-spare plan with peakNodes >= {} on pool {} and the image pre-pulled: the burst then needs no new node",
                    self.nodes_for_burst, self.pool
                ),
            });
        }
        Some(format!(
            "no plan fits pool {}'s {bound} of {} nodes: raise {bound} to {} and keep that many nodes during peaks (hot spare) with pre-pull",
            self.pool, self.pool_max, self.nodes_for_burst
        ))
    }
}
