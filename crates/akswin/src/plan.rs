//! `akswin plan`: the resolved model as a table (human) or a document (JSON).
//!
//! The IP planner, capacity, scale-out, hot-spare, calendar and cost models are later work;
//! this view says so instead of printing numbers it does not have.

use akswin_diag::{Finding, Severity};
use akswin_spec::Loaded;
use akswin_spec::spec::{Cni, SpokeSubnet};
use akswin_spec::types::{Auto, Cidr};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// What `plan` cannot compute yet, shown in both views.
pub const NOT_YET_PLANNED: &[&str] = &[
    "IP address plan (auto subnets, demand, headroom)",
    "capacity and scale-out time",
    "hot-spare schedule",
    "upgrade calendar",
    "cost",
];

fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{s:<w$}", w = widths[i]))
            .collect();
        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
    }
    out
}

fn max_pods(l: &Loaded, explicit: Option<u32>) -> (u32, bool) {
    match explicit {
        Some(m) => (m, true),
        None => (
            match l.spec.network.cni {
                Cni::AzureCniNodeSubnet => 30,
                Cni::AzureCniOverlay => 250,
                _ => 110,
            },
            false,
        ),
    }
}

fn subnet_text(v: Option<&Auto<Cidr>>) -> String {
    match v {
        None => "-".into(),
        Some(a) => a.to_string(),
    }
}

fn subnets(l: &Loaded) -> Vec<(String, String, String)> {
    let n = &l.spec.network;
    let h = &n.hub.subnets;
    let mut v = vec![
        (
            "hub".to_string(),
            "firewall".to_string(),
            subnet_text(h.firewall.as_ref()),
        ),
        (
            "hub".into(),
            "bastion".into(),
            subnet_text(h.bastion.as_ref()),
        ),
        (
            "hub".into(),
            "gateway".into(),
            subnet_text(h.gateway.as_ref()),
        ),
        (
            "hub".into(),
            "domainControllers".into(),
            subnet_text(h.domain_controllers.as_ref()),
        ),
    ];
    for k in SpokeSubnet::ALL {
        v.push((
            "spoke".into(),
            k.key().into(),
            subnet_text(n.spoke.subnets.get(k)),
        ));
    }
    v.retain(|(_, _, s)| s != "-");
    v
}

fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    let c = |s| findings.iter().filter(|f| f.severity == s).count();
    (c(Severity::Error), c(Severity::Warning), c(Severity::Info))
}

pub fn human(l: &Loaded, findings: &[Finding]) -> String {
    let s = &l.spec;
    let c = &s.cluster;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "akswin plan: {} ({}) from {}",
        s.name, s.location, l.source.name
    );
    let _ = writeln!(
        out,
        "\nCluster: Kubernetes {}, tier {:?}, {} API server, outbound {}, CNI {}",
        c.kubernetes_version,
        c.tier,
        if c.private_cluster {
            "private"
        } else {
            "public"
        },
        name(&c.outbound_type),
        s.network.cni.as_str()
    );
    let _ = writeln!(out, "\nNode pools");
    let mut rows = vec![
        [
            "NAME", "MODE", "OS", "SKU", "VM SIZE", "NODES", "MAXPODS", "SURGE", "OS DISK",
            "ZONES", "SUBNET",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for p in &c.node_pools {
        let nodes = if p.autoscaled() {
            format!(
                "{}-{}",
                p.min.map_or("?".into(), |v| v.to_string()),
                p.max.map_or("?".into(), |v| v.to_string())
            )
        } else {
            format!("{} fixed", p.count.unwrap_or(1))
        };
        let (mp, explicit) = max_pods(l, p.max_pods);
        rows.push(vec![
            p.name.clone(),
            format!("{:?}", p.mode),
            format!("{:?}", p.os),
            p.os_sku().as_str().into(),
            p.vm_size.clone(),
            nodes,
            format!("{mp}{}", if explicit { "" } else { "*" }),
            p.max_surge.map_or("unset".into(), |m| m.to_string()),
            format!("{:?} {} GiB", p.os_disk.r#type, p.os_disk.size_gi_b),
            if p.zones.is_empty() {
                "-".into()
            } else {
                p.zones
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            },
            p.subnet_key().key().into(),
        ]);
    }
    out.push_str(&table(&rows));
    if c.node_pools.iter().any(|p| p.max_pods.is_none()) {
        let _ = writeln!(out, "  (* maxPods default for {})", s.network.cni.as_str());
    }

    let _ = writeln!(
        out,
        "\nAddress spaces: hub {}, spoke {}, on-premises {}, services {} (DNS {}){}",
        join(&s.network.hub.address_space),
        join(&s.network.spoke.address_space),
        if s.network.on_premises.is_empty() {
            "none".into()
        } else {
            join(&s.network.on_premises)
        },
        s.network.service_cidr,
        s.network.dns_service_ip,
        s.network
            .pod_cidr
            .map(|p| format!(", pods {p}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "\nSubnets as declared (`auto` is resolved by the IP planner, not built yet)"
    );
    let mut rows = vec![["VNET", "SUBNET", "PREFIX"].map(String::from).to_vec()];
    for (vnet, key, val) in subnets(l) {
        rows.push(vec![vnet, key, val]);
    }
    out.push_str(&table(&rows));

    if !s.workloads.is_empty() {
        let _ = writeln!(out, "\nWorkloads");
        let mut rows = vec![
            ["NAME", "OS", "POOL", "REPLICAS", "AUTH", "GMSA", "IMAGE"]
                .map(String::from)
                .to_vec(),
        ];
        for w in &s.workloads {
            let image = s
                .registry
                .images
                .iter()
                .find(|i| i.name == w.image)
                .map_or(w.image.clone(), |i| i.r#ref.clone());
            rows.push(vec![
                w.name.clone(),
                format!("{:?}", w.os),
                w.pool.clone().unwrap_or_else(|| "-".into()),
                w.replicas.to_string(),
                format!("{:?}", w.auth).to_lowercase(),
                w.gmsa_account.clone().unwrap_or_else(|| "-".into()),
                image,
            ]);
        }
        out.push_str(&table(&rows));
    }

    let (e, w, i) = counts(findings);
    let _ = writeln!(
        out,
        "\nRules: {e} error(s), {w} warning(s), {i} info(s){}",
        if findings.is_empty() {
            String::new()
        } else {
            format!(
                " [{}]; `akswin check` shows them",
                codes(findings).join(", ")
            )
        }
    );
    let _ = writeln!(
        out,
        "Not planned yet (later akswin releases): {}.",
        NOT_YET_PLANNED.join("; ")
    );
    out
}

/// The spelling a value has in the spec (its serde name).
fn name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::from("?"),
    }
}

fn codes(findings: &[Finding]) -> Vec<String> {
    let mut c: Vec<String> = findings.iter().map(|f| f.code.clone()).collect();
    c.sort();
    c.dedup();
    c
}

fn join(v: &[Cidr]) -> String {
    v.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn json(l: &Loaded, findings: &[Finding], version: &str) -> Value {
    let (e, w, i) = counts(findings);
    json!({
        "schemaVersion": 1,
        "tool": { "name": "akswin", "version": version },
        "source": l.source.name,
        "spec": l.spec,
        "subnets": subnets(l).into_iter().map(|(vnet, key, prefix)| json!({
            "vnet": vnet, "subnet": key, "prefix": prefix,
        })).collect::<Vec<_>>(),
        "pools": l.spec.cluster.node_pools.iter().map(|p| {
            let (mp, explicit) = max_pods(l, p.max_pods);
            json!({
                "name": p.name,
                "osSku": p.os_sku().as_str(),
                "minNodes": p.min_nodes(),
                "maxNodes": p.max_nodes(),
                "maxPods": mp,
                "maxPodsDefaulted": !explicit,
                "subnet": p.subnet_key().key(),
            })
        }).collect::<Vec<_>>(),
        "rules": { "errors": e, "warnings": w, "infos": i, "codes": codes(findings) },
        "notPlannedYet": NOT_YET_PLANNED,
    })
}
