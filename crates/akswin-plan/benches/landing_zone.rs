//! Benchmark: plan a landing zone of one hub and 20 spokes with 10 node pools each (each pool
//! in its own auto subnet, plus the service subnets), and plan the built-in baseline spec.
//! Run with `cargo bench -p akswin-plan`; it prints wall time per plan and the peak RSS.
//! Not a timed test: numbers go in the notes, not in assertions.

use akswin_plan::ipmath::{Interval, Taken, prefix_for, prefix_with_headroom};
use akswin_plan::{Demand, SubnetRole, VnetPlan, demand_of, node_ips_per_node, pack, subnet};
use akswin_spec::spec::{Cni, Mode, NodePool, Os, OsDisk};
use akswin_spec::types::{Auto, Cidr, MaxSurge};
use std::hint::black_box;
use std::time::Instant;

const SPOKES: u32 = 20;
const POOLS: u32 = 10;

fn pool(name: String, max: u32, max_pods: u32, windows: bool) -> NodePool {
    NodePool {
        name,
        mode: Mode::User,
        os: if windows { Os::Windows } else { Os::Linux },
        os_sku: None,
        vm_size: "Standard_D8ds_v5".into(),
        count: None,
        min: Some(2),
        max: Some(max),
        max_pods: Some(max_pods),
        max_surge: Some(MaxSurge::Percent(33)),
        drain_timeout_minutes: None,
        node_soak_minutes: None,
        os_disk: OsDisk::default(),
        zones: Vec::new(),
        taints: Vec::new(),
        labels: Default::default(),
        subnet: None,
        kubernetes_version: None,
        enable_fips: false,
    }
}

fn cidr(s: &str) -> Cidr {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// The corpus: a deterministic landing zone (no randomness: the same numbers every run).
fn landing_zone() -> Vec<VnetPlan> {
    let mut vnets = Vec::new();
    let mut hub = VnetPlan {
        name: "hub".into(),
        address_space: vec![cidr("10.0.0.0/22")],
        subnets: Vec::new(),
        free_addresses: 0,
        largest_free_block: None,
        existing: false,
    };
    for (key, role, len) in [
        ("firewall", SubnetRole::Firewall, 26u8),
        ("bastion", SubnetRole::Bastion, 26),
        ("gateway", SubnetRole::Gateway, 27),
        ("domainControllers", SubnetRole::DomainControllers, 28),
    ] {
        hub.subnets.push(subnet(
            key,
            "hub",
            role,
            &Auto::Auto,
            Demand::default(),
            Some(len),
            String::new(),
            Vec::new(),
        ));
    }
    vnets.push(hub);
    for sp in 0..SPOKES {
        let mut v = VnetPlan {
            name: format!("spoke{sp}"),
            address_space: vec![cidr(&format!("10.{}.0.0/16", 10 + sp))],
            subnets: Vec::new(),
            free_addresses: 0,
            largest_free_block: None,
            existing: false,
        };
        for p in 0..POOLS {
            let max = 3 + (sp * 7 + p * 13) % 60;
            let max_pods = 30 + ((sp + p) % 4) * 20;
            let np = pool(format!("p{p}"), max, max_pods, p % 3 == 0);
            let d = demand_of(&[&np], |x| node_ips_per_node(Cni::AzureCniNodeSubnet, x));
            let key = format!("pool{p}");
            v.subnets.push(subnet(
                &key,
                &v.name,
                SubnetRole::Nodes,
                &Auto::Auto,
                d,
                prefix_with_headroom(d.at_max_surge),
                String::new(),
                vec![np.name],
            ));
        }
        for (key, role) in [
            ("internalLoadBalancer", SubnetRole::InternalLoadBalancer),
            ("privateLinkService", SubnetRole::PrivateLinkService),
            ("privateEndpoints", SubnetRole::PrivateEndpoints),
        ] {
            let d = Demand {
                at_min: 3,
                at_max: 3,
                at_max_surge: 3,
            };
            v.subnets.push(subnet(
                key,
                &v.name,
                role,
                &Auto::Auto,
                d,
                prefix_for(3).map(|p| p.min(28)),
                String::new(),
                Vec::new(),
            ));
        }
        vnets.push(v);
    }
    vnets
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn time<F: FnMut()>(label: &str, iters: u32, mut f: F) {
    f(); // warm up
    let mut best = f64::MAX;
    let start = Instant::now();
    for _ in 0..iters {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mean = start.elapsed().as_secs_f64() / f64::from(iters);
    println!(
        "{label}: mean {:.3} ms, best {:.3} ms over {iters} runs",
        mean * 1e3,
        best * 1e3
    );
}

fn main() {
    let mut global = Taken::default();
    for r in ["172.16.0.0/16", "192.168.0.0/16", "10.200.0.0/16"] {
        global.add(Interval::of(&cidr(r)));
    }
    let zone = landing_zone();
    let subnets: usize = zone.iter().map(|v| v.subnets.len()).sum();
    // check the corpus plans fully once
    let mut once = zone.clone();
    pack(&mut once, &global);
    let unplaced = once
        .iter()
        .flat_map(|v| &v.subnets)
        .filter(|s| s.prefix.is_none())
        .count();
    println!(
        "landing zone: 1 hub + {SPOKES} spokes x {POOLS} pools = {subnets} subnets, {unplaced} unplaced"
    );
    time("pack landing zone", 200, || {
        let mut z = zone.clone();
        pack(&mut z, &global);
        black_box(&z);
    });
    let spec = akswin_spec::load("b", akswin_spec::BASELINE_YAML.as_bytes())
        .map(|l| l.spec)
        .unwrap_or_else(|e| panic!("{:?}", e.findings));
    time("plan baseline spec (network + firewall)", 2000, || {
        black_box(akswin_plan::plan(black_box(&spec)));
    });
    if let Some(kib) = peak_rss_kib() {
        println!("peak RSS: {:.1} MiB", kib as f64 / 1024.0);
    }
}
