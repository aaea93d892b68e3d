//! `akswin plan`: the resolved model as a table (human) or a document (JSON).
//!
//! The network plan, the scale-out model, the hot-spare week, the Windows node image upgrade
//! calendar and the cost model, as a terminal summary (human) or a document (JSON).

use akswin_diag::{Finding, Severity};
use akswin_plan::calendar::Calendar;
use akswin_plan::cost::{CostEstimate, PriceBook};
use akswin_plan::scale_out::ScaleOutPlan;
use akswin_plan::{NetworkPlan, Origin};
use akswin_spec::Loaded;
use akswin_spec::types::Cidr;
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::fmt::Write as _;

/// The models `plan` and `report` show, computed once.
pub struct Models {
    pub scale_out: ScaleOutPlan,
    pub cost: CostEstimate,
    pub prices: PriceBook,
    /// Every flow of the catalogue through the network `render` would deploy (empty when the
    /// spec cannot be rendered).
    pub flows: Vec<crate::flows::FlowResult>,
}

impl Models {
    pub fn new(l: &Loaded, prices: PriceBook, today: NaiveDate) -> Models {
        Models::build(l, prices, today, None)
    }

    /// The models of a checked spec: the flows come from the tree `check` verified (no second
    /// render); a spec with errors is rendered here for the flow matrix when it can be.
    pub fn of_checked(
        l: &Loaded,
        checked: &crate::Checked,
        prices: PriceBook,
        today: NaiveDate,
    ) -> Models {
        Models::build(l, prices, today, Some(checked))
    }

    fn build(
        l: &Loaded,
        prices: PriceBook,
        today: NaiveDate,
        checked: Option<&crate::Checked>,
    ) -> Models {
        let flows = match checked.and_then(|c| c.tree.as_ref().map(|t| (&c.plan, t))) {
            Some((network, tree)) => crate::flows::verify_flows(&l.spec, network, tree),
            None if akswin_render::supported(&l.spec).is_ok() => {
                let network = akswin_plan::plan(&l.spec);
                let tree = akswin_render::render(&l.spec, &network, "");
                crate::flows::verify_flows(&l.spec, &network, &tree)
            }
            None => Vec::new(),
        };
        Models {
            scale_out: akswin_plan::resolve::scale_out(&l.spec),
            cost: akswin_plan::resolve::cost(&l.spec, &prices, today),
            prices,
            flows,
        }
    }
}

/// The flows, one line per catalogue flow: how many of its paths do what the architecture
/// needs; the failing ones are findings (FLW001, FLW002).
fn flows_section(out: &mut String, flows: &[crate::flows::FlowResult]) {
    if flows.is_empty() {
        return;
    }
    let ok = flows.iter().filter(|f| f.ok()).count();
    let platform = flows
        .iter()
        .filter(|f| matches!(f.verdict, crate::flows::Verdict::Platform { .. }))
        .count();
    let _ = writeln!(
        out,
        "\nFlows through the rendered network: {ok} of {} paths as the architecture needs{} (`--format json` lists each with its hops)",
        flows.len(),
        if platform > 0 {
            format!(", {platform} decided by the platform team's part of the network")
        } else {
            String::new()
        }
    );
    let mut ids: Vec<&str> = flows.iter().map(|f| f.id.as_str()).collect();
    ids.dedup();
    for id in ids {
        let mine: Vec<&crate::flows::FlowResult> = flows.iter().filter(|f| f.id == id).collect();
        let good = mine.iter().filter(|f| f.ok()).count();
        let platform = mine
            .iter()
            .filter(|f| matches!(f.verdict, crate::flows::Verdict::Platform { .. }))
            .count();
        let expect = mine.first().map_or("allow", |f| f.expect.as_str());
        let mark = if good == mine.len() {
            "ok "
        } else if good + platform == mine.len() {
            "-- "
        } else {
            "!! "
        };
        let _ = writeln!(
            out,
            "  {mark}{id:<26} {good}/{} {}{}",
            mine.len(),
            if expect == "deny" {
                "refused as required"
            } else {
                "allowed"
            },
            if platform > 0 {
                format!(", {platform} the platform team's (the existing hub)")
            } else {
                String::new()
            }
        );
    }
}

fn scale_out_section(out: &mut String, p: &ScaleOutPlan) {
    if p.workloads.is_empty() && p.skipped.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nScale-out (Windows workloads)");
    for w in &p.workloads {
        let _ = writeln!(
            out,
            "  {} on {} ({}): {} pods per node ({}-bound: {}m CPU, {} MiB allocatable); {} running, burst +{}",
            w.workload,
            w.pool,
            w.vm_size,
            w.pods_per_node,
            w.pods_per_node_limit,
            w.allocatable_cpu_milli,
            w.allocatable_memory_mi_b,
            w.replicas,
            w.add_replicas
        );
        let _ = writeln!(
            out,
            "    inputs: node Ready {} min [{}]; pull {} MiB/s [{}]; image {}{}",
            w.node_ready_minutes.value,
            w.node_ready_minutes.source,
            w.pull_throughput_mi_bps.value,
            w.pull_throughput_mi_bps.source,
            w.image_size_gi_b
                .map_or("size unknown".to_string(), |g| format!("{g} GiB")),
            w.pull_minutes
                .map(|m| format!(" = {m} min to pull"))
                .unwrap_or_default()
                + &w.extract_minutes
                    .map(|m| format!(" + {m} min to extract"))
                    .unwrap_or_default()
        );
        let mut rows = vec![
            ["PLAN", "NODES", "ADDED", "MINUTES", "NOTE"]
                .map(String::from)
                .to_vec(),
        ];
        for s in &w.scenarios {
            rows.push(vec![
                format!(
                    "{}{}",
                    s.label,
                    if s.id == w.configured {
                        " (configured)"
                    } else {
                        ""
                    }
                ),
                s.nodes_before.to_string(),
                s.nodes_added.to_string(),
                s.minutes.map_or("cannot".into(), |m| format!("{m:.1}")),
                s.note.clone(),
            ]);
        }
        out.push_str(&table(&rows));
        if let Some(v) = w.verdict() {
            let _ = writeln!(out, "    {v}");
        }
    }
    for s in &p.skipped {
        let _ = writeln!(out, "  {}: not modelled: {}", s.workload, s.reason);
    }
    let _ = writeln!(out, "  assumptions: {}", p.assumptions.join("; "));
}

fn cost_section(out: &mut String, c: &CostEstimate, book: &PriceBook) {
    let _ = writeln!(
        out,
        "\nMonthly cost ({}, {} h/month; prices: {})",
        c.currency,
        c.hours_per_month,
        book.retail_file.as_ref().map_or_else(
            || format!(
                "embedded table for {}, compiled {} from mostly third-party sources",
                book.region, book.compiled_on
            ),
            |r| format!(
                "{} ({} items, {} used for {}) over the embedded {} table",
                r.path,
                r.items,
                r.matched.len(),
                r.region,
                book.region
            )
        )
    );
    let money = |v: Option<f64>| v.map_or("unpriced".to_string(), |v| format!("{v:.2}"));
    let mut rows = vec![
        ["COMPONENT", "EXPECTED", "AT MIN", "AT MAX", "QUANTITY"]
            .map(String::from)
            .to_vec(),
    ];
    for l in &c.lines {
        rows.push(vec![
            l.component.clone(),
            money(l.monthly),
            money(l.monthly_at_min.or(l.monthly)),
            money(l.monthly_at_max.or(l.monthly)),
            l.quantity.clone(),
        ]);
    }
    rows.push(vec![
        "TOTAL (priced lines)".into(),
        format!("{:.2}", c.total_monthly),
        format!("{:.2}", c.total_monthly_at_min),
        format!("{:.2}", c.total_monthly_at_max),
        String::new(),
    ]);
    out.push_str(&table(&rows));
    for l in c.lines.iter().filter(|l| !l.note.is_empty()) {
        let _ = writeln!(out, "  note, {}: {}", l.component, l.note);
    }
    let wl = &c.windows_licence;
    let _ = writeln!(
        out,
        "  Windows licences of the pools: {} pay-as-you-go; {:.2} with Azure Hybrid Benefit (now {}); domain controllers: {}",
        money(wl.payg_monthly),
        wl.with_hybrid_benefit_monthly,
        if wl.azure_hybrid_benefit { "on" } else { "off" },
        money(wl.domain_controllers_monthly)
    );
    let a = &c.acr_storage;
    let _ = writeln!(
        out,
        "  registry storage: {:.1} GiB of images x {} = {:.1} GiB billed of {:.0} GiB included",
        a.images_gi_b,
        if a.replicas == 0 {
            "1 region".to_string()
        } else {
            format!("{} regions", 1 + a.replicas)
        },
        a.billed_gi_b,
        a.included_gi_b
    );
    if !c.unpriced.is_empty() {
        let _ = writeln!(
            out,
            "  unpriced (no sourced {} price; left out of the totals; export prices and pass --prices): {}",
            c.currency,
            c.unpriced.join(", ")
        );
    }
    for w in &c.warnings {
        let _ = writeln!(out, "  note: {w}");
    }
    let _ = writeln!(out, "  not modelled: {}", c.not_modelled.join("; "));
}

pub(crate) fn table(rows: &[Vec<String>]) -> String {
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

/// A pool's maxPods as deployed (`akswin_plan::resolve`), and whether the spec sets it.
fn max_pods(l: &Loaded, p: &akswin_spec::spec::NodePool) -> (u32, bool) {
    (
        akswin_plan::max_pods(l.spec.network.cni, p),
        p.max_pods.is_some(),
    )
}

fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    let c = |s| findings.iter().filter(|f| f.severity == s).count();
    (c(Severity::Error), c(Severity::Warning), c(Severity::Info))
}

/// The upgrade calendar from `today` (12 windows), when the spec has a Windows node image window.
pub fn calendar(l: &Loaded, today: NaiveDate) -> Option<Calendar> {
    l.spec
        .upgrades
        .windows_node_image
        .as_ref()
        .map(|w| akswin_plan::calendar::upcoming(w, today, 12))
}

/// The cluster auto-upgrade window's calendar from `today` (12 windows), when the spec has one.
pub fn cluster_calendar(l: &Loaded, today: NaiveDate) -> Option<Calendar> {
    l.spec
        .upgrades
        .cluster_window
        .as_ref()
        .map(|w| akswin_plan::calendar::upcoming(w, today, 12))
}

fn calendar_section(out: &mut String, l: &Loaded, cal: &Calendar, today: NaiveDate) {
    let up = &l.spec.upgrades;
    let who = if matches!(
        up.node_os_channel,
        akswin_spec::spec::NodeOsChannel::NodeImage
            | akswin_spec::spec::NodeOsChannel::SecurityPatch
    ) {
        "AKS reimages the nodes in these windows"
    } else {
        "the node-image workflow upgrades Linux pools, then Windows pools"
    };
    let _ = writeln!(
        out,
        "\nWindows node image upgrade calendar (next {} windows; channel {:?}: {who})",
        cal.windows.len(),
        up.node_os_channel
    );
    if up.cluster_channel != akswin_spec::spec::ClusterChannel::None
        && let Some(next) = cluster_calendar(l, today).and_then(|c| c.windows.into_iter().next())
    {
        let _ = writeln!(
            out,
            "Kubernetes patches (cluster channel, aksManagedAutoUpgradeSchedule) come first, in their own window: next {} {} ({} UTC)",
            next.local_start.format("%a %Y-%m-%d %H:%M"),
            next.utc_offset,
            next.utc_start.format("%Y-%m-%d %H:%M"),
        );
    }
    let mut rows = vec![
        [
            "LOCAL START",
            "UTC START",
            "UTC END",
            "PATCH TUESDAY",
            "AFTER PT",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for o in &cal.windows {
        rows.push(vec![
            format!(
                "{} {}",
                o.local_start.format("%a %Y-%m-%d %H:%M"),
                o.utc_offset
            ),
            o.utc_start.format("%Y-%m-%d %H:%M").to_string(),
            o.utc_end.format("%Y-%m-%d %H:%M").to_string(),
            o.patch_tuesday.format("%Y-%m-%d").to_string(),
            format!(
                "{:+} d{}",
                o.days_after_patch_tuesday,
                o.patch_note()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
        ]);
    }
    out.push_str(&table(&rows));
    if let Some(n) = &cal.interval_note {
        let _ = writeln!(out, "  note: {n}");
    }
}

/// Each Windows pool's node image upgrade: the drain timeout and node soak rendered, and the
/// estimated duration against the maintenance window.
fn pool_upgrades_section(out: &mut String, ups: &[akswin_plan::pool_upgrade::PoolUpgrade]) {
    use akswin_plan::pool_upgrade::Source;
    if ups.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nWindows pool upgrades (drain timeout and node soak rendered; estimate at the pool's largest size)"
    );
    let mut rows = vec![
        [
            "POOL",
            "NODES/SURGE",
            "PULL",
            "DRAIN TIMEOUT",
            "NODE SOAK",
            "ESTIMATE",
            "WINDOW",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let src = |s: Source| match s {
        Source::Spec => "spec",
        Source::Recommended => "recommended",
    };
    for u in ups {
        rows.push(vec![
            u.pool.clone(),
            format!("{}/{} ({} batches)", u.max_nodes, u.surge_nodes, u.batches),
            u.replacement_minutes
                .map_or("unknown".into(), |r| format!("{r:.1} min")),
            format!(
                "{} min ({})",
                u.drain_timeout_minutes,
                src(u.drain_timeout_source)
            ),
            format!("{} min ({})", u.node_soak_minutes, src(u.node_soak_source)),
            u.estimated_minutes
                .map_or("unknown (image size)".into(), |m| format!("{m:.0} min")),
            u.window_minutes
                .map_or("none".into(), |w| format!("{w} min")),
        ]);
    }
    out.push_str(&table(&rows));
}

/// The hot-spare plan for the week of `today`, when the spec has one.
pub fn hot_spare(l: &Loaded, today: NaiveDate) -> Option<akswin_plan::hot_spare::HotSparePlan> {
    l.spec
        .scaling
        .hot_spare
        .as_ref()
        .map(|hs| akswin_plan::hot_spare::plan(hs, today))
}

fn hot_spare_section(out: &mut String, p: &akswin_plan::hot_spare::HotSparePlan) {
    let _ = writeln!(
        out,
        "\nHot spare (pool {}): {} nodes off peak, {} at peak; week of {} (UTC)",
        p.pool, p.off_peak_nodes, p.peak_nodes, p.week_start_utc
    );
    for a in &p.schedule {
        let days: Vec<String> = a.days.iter().map(|d| format!("{d:?}")).collect();
        let _ = writeln!(
            out,
            "  {:<10} to {} node(s) at {} {} on {}",
            a.action,
            a.nodes,
            a.at,
            a.timezone,
            days.join(",")
        );
    }
    let _ = writeln!(
        out,
        "  node-hours: {:.1} a week, of which {:.1} added by the plan ({:.1} a month)",
        p.node_hours_per_week, p.added_node_hours_per_week, p.added_node_hours_per_month
    );
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let _ = writeln!(out, "  nodes by UTC hour (00-23):");
    for (i, day) in p.hourly_nodes.chunks(24).enumerate() {
        let cells: Vec<String> = day.iter().map(|n| format!("{n:>2}")).collect();
        let _ = writeln!(out, "    {} {}", names[i % 7], cells.join(""));
    }
}

pub fn human(
    l: &Loaded,
    network: &NetworkPlan,
    findings: &[Finding],
    models: &Models,
    today: NaiveDate,
) -> String {
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
        let (mp, explicit) = max_pods(l, p);
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
    out.push('\n');
    out.push_str(&network_section(network));

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

    if !network.ingress.is_empty() {
        let _ = writeln!(
            out,
            "\nIngress (each workload with a port, on the path its auth needs)"
        );
        let mut rows = vec![
            ["WORKLOAD", "PATH", "HOST", "FRONT END", "VIA"]
                .map(String::from)
                .to_vec(),
        ];
        for r in &network.ingress {
            let via = match r.path {
                akswin_spec::spec::IngressPath::AppProxy => format!(
                    "application proxy app {}, internal URL https://{}/",
                    r.app_proxy_app.as_deref().unwrap_or("-"),
                    r.internal_host
                ),
                akswin_spec::spec::IngressPath::PrivateLink => format!(
                    "Private Link Service {}",
                    r.private_link_service.as_deref().unwrap_or("-")
                ),
                akswin_spec::spec::IngressPath::Internal => "not published".into(),
            };
            rows.push(vec![
                r.workload.clone(),
                match r.path {
                    akswin_spec::spec::IngressPath::AppProxy => "appProxy",
                    akswin_spec::spec::IngressPath::PrivateLink => "privateLink",
                    akswin_spec::spec::IngressPath::Internal => "internal",
                }
                .into(),
                if r.path == akswin_spec::spec::IngressPath::Internal {
                    "-".into()
                } else {
                    r.host.clone()
                },
                r.ip.map_or("-".into(), |i| format!("{i}:{}", r.port)),
                via,
            ]);
        }
        out.push_str(&table(&rows));
    }

    flows_section(&mut out, &models.flows);
    scale_out_section(&mut out, &models.scale_out);
    if let Some(hs) = hot_spare(l, today) {
        hot_spare_section(&mut out, &hs);
    }
    if let Some(cal) = calendar(l, today) {
        calendar_section(&mut out, l, &cal, today);
    }
    pool_upgrades_section(&mut out, &akswin_plan::resolve::pool_upgrades(&l.spec));
    cost_section(&mut out, &models.cost, &models.prices);

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

fn pct(part: i64, whole: u64) -> String {
    if whole == 0 {
        return "-".into();
    }
    format!("{}%", (part as f64 * 100.0 / whole as f64).floor())
}

/// The address plan table, assigned addresses, pod CIDR and firewall summary.
fn network_section(p: &NetworkPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Address plan ({}; addresses needed at pool min / max / max + surge; auto node subnets keep 20 % free)",
        p.cni.as_str()
    );
    let mut rows = vec![
        [
            "VNET",
            "SUBNET",
            "AZURE NAME",
            "PREFIX",
            "FROM",
            "USABLE",
            "MIN",
            "MAX",
            "MAX+SURGE",
            "FREE AT MAX+SURGE",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut shortfalls = Vec::new();
    for v in &p.vnets {
        for sn in &v.subnets {
            rows.push(vec![
                v.name.clone(),
                sn.key.clone(),
                sn.azure_name.clone(),
                sn.prefix.map_or("-".into(), |c| c.to_string()),
                match sn.origin {
                    Origin::Explicit => "spec".into(),
                    Origin::Planned => "auto".into(),
                },
                sn.usable.map_or("-".into(), |u| u.to_string()),
                sn.demand.at_min.to_string(),
                sn.demand.at_max.to_string(),
                sn.demand.at_max_surge.to_string(),
                match (sn.headroom, sn.usable) {
                    (Some(h), Some(u)) => {
                        format!("{} ({})", h.at_max_surge, pct(h.at_max_surge, u))
                    }
                    _ => "-".into(),
                },
            ]);
            if let Some(why) = &sn.shortfall {
                shortfalls.push(why.clone());
            }
        }
    }
    out.push_str(&table(&rows));
    for v in &p.vnets {
        if v.existing && v.name == akswin_plan::HUB {
            let _ = writeln!(
                out,
                "  hub {}: existing (network.hub.existing), the platform team's; akswin places nothing there",
                join(&v.address_space)
            );
            continue;
        }
        let _ = writeln!(
            out,
            "  {} {}: {} addresses unused{}",
            v.name,
            join(&v.address_space),
            v.free_addresses,
            v.largest_free_block
                .map(|l| format!(", largest free aligned block /{l}"))
                .unwrap_or_default()
        );
    }
    for s in &shortfalls {
        let _ = writeln!(out, "  cannot place: {s}");
    }
    if let Some(pc) = &p.pod_cidr {
        let _ = writeln!(
            out,
            "  pod CIDR {}: {} nodes (a /24 each), {} needed at max + surge",
            pc.prefix.map_or("unset".into(), |c| c.to_string()),
            pc.capacity_nodes,
            pc.demand_nodes
        );
    }
    let a = &p.addresses;
    let ips = |v: &[akswin_spec::types::Ip]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "\nAddresses");
    let mut rows = Vec::new();
    if let Some(ip) = a.firewall_private_ip {
        rows.push(vec![
            "firewall private IP".into(),
            format!("{ip} (next hop of the spoke's 0.0.0.0/0 route)"),
        ]);
    }
    if !a.domain_controller_ips.is_empty() {
        rows.push(vec![
            "domain controllers".into(),
            ips(&a.domain_controller_ips),
        ]);
    }
    rows.push(vec![
        "spoke DNS servers".into(),
        if a.dns_servers.is_empty() {
            "Azure-provided".into()
        } else {
            ips(&a.dns_servers)
        },
    ]);
    if let Some(ip) = a.internal_load_balancer_ip {
        rows.push(vec![
            "internal load balancer".into(),
            format!("{ip} (the application proxy's target)"),
        ]);
    }
    for w in &a.workload_load_balancer_ips {
        rows.push(vec![format!("service {}", w.workload), w.ip.to_string()]);
    }
    rows.push(vec![
        "service CIDR".into(),
        format!("{} (cluster DNS {})", p.service_cidr, p.dns_service_ip),
    ]);
    out.push_str(&table(&rows));
    let f = &p.firewall;
    let existing_hub = p.vnet(akswin_plan::HUB).is_some_and(|v| v.existing);
    let _ = writeln!(
        out,
        "\nFirewall{}: {} application rule(s), {} network rule(s){}; Windows node NSG: {} outbound rule(s)",
        if existing_hub {
            " (the existing hub's: this spoke's rules, for arm/hub-side.json or the platform team)"
        } else {
            ""
        },
        f.application_rules.len(),
        f.network_rules.len(),
        if existing_hub {
            String::new()
        } else {
            format!(", {} public IP(s)", f.public_ips)
        },
        p.netsec
            .nsg_of(akswin_spec::spec::SpokeSubnet::WindowsNodes.key())
            .map_or(0, |g| g.rules.len())
    );
    out
}

/// `akswin plan network`: the address plan alone.
pub fn network_human(p: &NetworkPlan, findings: &[Finding]) -> String {
    let mut out = network_section(p);
    let net: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code.starts_with("NET") || f.code.starts_with("EGR"))
        .collect();
    let summary = if net.is_empty() {
        "no findings".to_string()
    } else {
        let mut c: Vec<&str> = net.iter().map(|f| f.code.as_str()).collect();
        c.sort();
        c.dedup();
        format!(
            "{} finding(s) [{}]; `akswin check` shows them",
            net.len(),
            c.join(", ")
        )
    };
    let _ = writeln!(out, "\nNET/EGR rules: {summary}");
    out
}

pub fn json(
    l: &Loaded,
    network: &NetworkPlan,
    findings: &[Finding],
    models: &Models,
    version: &str,
    today: NaiveDate,
) -> Value {
    let (e, w, i) = counts(findings);
    json!({
        "schemaVersion": 1,
        "tool": { "name": "akswin", "version": version },
        "source": l.source.name,
        "spec": l.spec,
        "network": network,
        "pools": l.spec.cluster.node_pools.iter().map(|p| {
            let (mp, explicit) = max_pods(l, p);
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
        "hotSpare": hot_spare(l, today),
        "upgradeCalendar": calendar(l, today),
        "clusterUpgradeCalendar": cluster_calendar(l, today),
        "poolUpgrades": akswin_plan::resolve::pool_upgrades(&l.spec),
        "scaleOut": models.scale_out,
        "cost": models.cost,
        "prices": models.prices,
        "flows": models.flows,
        "rules": { "errors": e, "warnings": w, "infos": i, "codes": codes(findings) },
    })
}
