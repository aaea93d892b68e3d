use super::*;
use proptest::prelude::*;

fn baseline() -> Spec {
    akswin_spec::load("b", akswin_spec::BASELINE_YAML.as_bytes())
        .map(|l| l.spec)
        .unwrap_or_else(|e| panic!("{:?}", e.findings))
}

fn sub<'a>(p: &'a NetworkPlan, key: &str) -> &'a SubnetPlan {
    p.vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("no subnet {key}"))
}

fn c(s: &str) -> Cidr {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn baseline_plan_is_worked_out() {
    let p = plan(&baseline());
    // win22: max 8, surge 33% -> 3, (8 + 3) x (30 + 1) = 341 -> /23 with 20 % headroom
    let w = sub(&p, "windowsNodes");
    assert_eq!(w.demand.at_max_surge, 341);
    assert_eq!(w.demand.at_min, 2 * 31);
    assert_eq!(w.demand.at_max, 8 * 31);
    assert_eq!(w.prefix.map(|c| c.prefix_len()), Some(23));
    assert_eq!(w.headroom.map(|h| h.at_max_surge), Some(507 - 341));
    // system: max 4 + ceil(1.32) = 2 -> 6 x 31 = 186 -> /24
    assert_eq!(sub(&p, "systemNodes").demand.at_max_surge, 186);
    assert_eq!(
        sub(&p, "systemNodes").prefix.map(|c| c.prefix_len()),
        Some(24)
    );
    // linux: max 5 + ceil(1.65) = 2 -> 217 -> /23 (a /24 would leave < 20 %)
    assert_eq!(
        sub(&p, "linuxNodes").prefix.map(|c| c.prefix_len()),
        Some(23)
    );
    assert_eq!(sub(&p, "firewall").prefix, Some(c("10.200.0.0/26")));
    assert_eq!(sub(&p, "bastion").prefix, Some(c("10.200.0.64/26")));
    // The VPN gateway's /27 is placed before the DCs' /28 (larger blocks first).
    assert_eq!(sub(&p, "gateway").prefix, Some(c("10.200.0.128/27")));
    assert_eq!(
        sub(&p, "domainControllers").prefix,
        Some(c("10.200.0.160/28"))
    );
    assert_eq!(
        p.addresses.firewall_private_ip.map(|i| i.to_string()),
        Some("10.200.0.4".into())
    );
    assert_eq!(
        p.addresses
            .domain_controller_ips
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec!["10.200.0.164", "10.200.0.165"]
    );
    // The new DCs are promoted after the deployment: the VNets keep Azure DNS, and gMSA
    // reaches the domain through gmsaProfile (the first new DC).
    assert!(p.addresses.dns_servers.is_empty());
    assert_eq!(
        p.addresses.gmsa_dns_server,
        p.addresses.domain_controller_ips.first().copied()
    );
    let ilb = sub(&p, "internalLoadBalancer")
        .prefix
        .unwrap_or_else(|| panic!("ilb placed"));
    let ip = p
        .addresses
        .internal_load_balancer_ip
        .unwrap_or_else(|| panic!("ilb ip"));
    assert!(ilb.contains_addr(ip.0));
    assert_eq!(p.addresses.workload_load_balancer_ips[0].ip, ip);
    assert!(
        p.vnets
            .iter()
            .flat_map(|v| &v.subnets)
            .all(|s| s.shortfall.is_none())
    );
}

#[test]
fn plans_are_deterministic() {
    let a = serde_json::to_string(&plan(&baseline())).unwrap_or_default();
    let b = serde_json::to_string(&plan(&baseline())).unwrap_or_default();
    assert_eq!(a, b);
}

#[test]
fn explicit_subnets_are_kept_and_avoided() {
    let mut s = baseline();
    s.network.spoke.subnets.windows_nodes = Some(Auto::Value(c("10.240.0.0/22")));
    let p = plan(&s);
    assert_eq!(sub(&p, "windowsNodes").prefix, Some(c("10.240.0.0/22")));
    assert_eq!(sub(&p, "windowsNodes").origin, Origin::Explicit);
    for k in ["systemNodes", "linuxNodes", "internalLoadBalancer"] {
        let got = sub(&p, k).prefix.unwrap_or_else(|| panic!("{k} placed"));
        assert!(!got.overlaps(&c("10.240.0.0/22")), "{k} {got}");
    }
}

#[test]
fn shortfall_says_what_would_fit() {
    let mut s = baseline();
    s.network.spoke.address_space = vec![c("10.240.0.0/23")];
    let p = plan(&s);
    let w = sub(&p, "windowsNodes");
    let msg = w.shortfall.clone().unwrap_or_default();
    assert!(w.prefix.is_none());
    assert!(msg.contains("needs a /23 for 341 addresses"), "{msg}");
    assert!(msg.contains("free addresses"), "{msg}");
    assert!(msg.contains("at least a /"), "{msg}");
}

#[test]
fn cni_modes_change_demand() {
    let mut s = baseline();
    s.network.cni = Cni::AzureCniOverlay;
    s.network.pod_cidr = Some(c("192.168.0.0/16"));
    let p = plan(&s);
    // overlay: 1 address per node
    assert_eq!(sub(&p, "windowsNodes").demand.at_max_surge, 11);
    let pc = p.pod_cidr.clone().unwrap_or_else(|| panic!("pod cidr"));
    assert_eq!(pc.capacity_nodes, 256);
    assert_eq!(pc.demand_nodes, (4 + 2) + (5 + 2) + (8 + 3));

    let mut s = baseline();
    s.network.cni = Cni::AzureCniPodSubnet;
    s.network.spoke.subnets.pods = Some(Auto::Auto);
    let p = plan(&s);
    // dynamic: maxPods 30 -> 2 batches of 16 = 32 per node; 24 nodes at max + surge
    assert_eq!(sub(&p, "pods").demand.at_max_surge, 24 * 32);
    assert_eq!(pod_ips_per_node(PodIpAllocation::StaticBlock, 30), 32);
    assert_eq!(pod_ips_per_node(PodIpAllocation::StaticBlock, 31), 32);
    assert_eq!(pod_ips_per_node(PodIpAllocation::StaticBlock, 32), 48);
}

#[test]
fn documented_fifty_node_example() {
    // 50 nodes, surge 1, maxPods 30: (51) + (51 x 30) = 1,581 addresses.
    let mut s = baseline();
    s.cluster.node_pools.truncate(1);
    let p0 = &mut s.cluster.node_pools[0];
    p0.min = Some(50);
    p0.max = Some(50);
    p0.max_surge = Some(akswin_spec::types::MaxSurge::Count(1));
    let p = plan(&s);
    assert_eq!(sub(&p, "systemNodes").demand.at_max_surge, 1581);
}

#[test]
fn surge_default_is_the_larger_documented_value() {
    let mut s = baseline();
    let pool = &mut s.cluster.node_pools[2];
    pool.max_surge = None;
    assert_eq!(surge(pool, 8), 1);
    assert_eq!(surge(pool, 30), 3);
}

prop_compose! {
    fn spokes()(second in 0u32..250, len in 12u8..=22) -> Cidr {
        let base = u32::from(std::net::Ipv4Addr::new(10, 0, 0, 0)) + (second << 16);
        let net = ipnet::Ipv4Net::new(std::net::Ipv4Addr::from(base), len).map(|n| n.trunc());
        Cidr(net.unwrap_or_default())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn planned_subnets_are_sound(
        spoke in spokes(),
        win_max in 1u32..60,
        lin_max in 1u32..60,
        max_pods in 10u32..=250,
        surge_pct in 1u32..=100,
        cni_pick in 0u8..3,
        onprem_second in 0u32..250,
    ) {
        let mut s = baseline();
        s.network.spoke.address_space = vec![spoke];
        s.network.on_premises = vec![Cidr(ipnet::Ipv4Net::new(
            std::net::Ipv4Addr::from(u32::from(std::net::Ipv4Addr::new(10, 0, 0, 0)) + (onprem_second << 16)), 16
        ).unwrap_or_default())];
        s.network.cni = [Cni::AzureCniNodeSubnet, Cni::AzureCniPodSubnet, Cni::AzureCniOverlay][cni_pick as usize];
        if s.network.cni == Cni::AzureCniPodSubnet {
            s.network.spoke.subnets.pods = Some(Auto::Auto);
        }
        if s.network.cni == Cni::AzureCniOverlay {
            s.network.pod_cidr = Some(c("192.168.0.0/16"));
        }
        for p in &mut s.cluster.node_pools {
            p.max_pods = Some(max_pods);
            p.max_surge = Some(akswin_spec::types::MaxSurge::Percent(surge_pct));
        }
        s.cluster.node_pools[1].max = Some(lin_max.max(2));
        s.cluster.node_pools[2].max = Some(win_max.max(2));
        let p = plan(&s);
        let avoid: Vec<Cidr> = s.network.on_premises.iter().copied()
            .chain([s.network.service_cidr])
            .chain(s.network.pod_cidr)
            .collect();
        for v in &p.vnets {
            let placed: Vec<&SubnetPlan> = v.subnets.iter().filter(|x| x.prefix.is_some()).collect();
            for (i, a) in placed.iter().enumerate() {
                let pa = a.prefix.unwrap_or_else(|| c("0.0.0.0/32"));
                // inside the VNet
                prop_assert!(v.address_space.iter().any(|sp| sp.contains_net(&pa)), "{} {} outside", a.key, pa);
                // holds its demand
                prop_assert!(usable(pa.prefix_len()) >= a.demand.at_max_surge, "{} too small", a.key);
                // avoids reserved ranges
                for r in &avoid {
                    prop_assert!(!pa.overlaps(r), "{} {} overlaps {}", a.key, pa, r);
                }
                // no overlaps
                for b in &placed[i + 1..] {
                    let pb = b.prefix.unwrap_or_else(|| c("0.0.0.0/32"));
                    prop_assert!(!pa.overlaps(&pb), "{} {} overlaps {} {}", a.key, pa, b.key, pb);
                }
            }
            for x in v.subnets.iter().filter(|x| x.prefix.is_none()) {
                prop_assert!(x.shortfall.is_some(), "{} unplaced without a reason", x.key);
            }
        }
    }
}

mod calendar_2027 {
    use crate::calendar::{patch_tuesday, upcoming};
    use akswin_spec::Spec;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_else(|| panic!("{y}-{m}-{day}"))
    }

    fn window(yaml_window: &str) -> akswin_spec::spec::MaintenanceWindow {
        let y = akswin_spec::BASELINE_YAML.replace(
            "    schedule: { relativeMonthly: { weekIndex: Third, dayOfWeek: Wednesday } }\n    startTime: \"02:00\"\n    utcOffset: \"+00:00\"",
            yaml_window,
        );
        let spec: Spec = akswin_spec::load("w", y.as_bytes())
            .map(|l| l.spec)
            .unwrap_or_else(|e| panic!("{:?}", e.findings));
        spec.upgrades
            .windows_node_image
            .unwrap_or_else(|| panic!("no window"))
    }

    #[test]
    fn patch_tuesdays_of_2027() {
        // 2027-01-01 is a Friday: Tuesdays 5, 12 -> the 12th. September and December 2027
        // start on a Wednesday: Tuesdays 7, 14 -> the 14th.
        assert_eq!(patch_tuesday(2027, 1), Some(d(2027, 1, 12)));
        assert_eq!(patch_tuesday(2027, 2), Some(d(2027, 2, 9)));
        assert_eq!(patch_tuesday(2027, 9), Some(d(2027, 9, 14)));
        assert_eq!(patch_tuesday(2027, 12), Some(d(2027, 12, 14)));
    }

    #[test]
    fn third_wednesday_calendar_for_2027() {
        // The baseline window: third Wednesday, 02:00 UTC, 6 hours.
        let w = window(
            "    schedule: { relativeMonthly: { weekIndex: Third, dayOfWeek: Wednesday } }\n    startTime: \"02:00\"\n    utcOffset: \"+00:00\"",
        );
        let c = upcoming(&w, d(2027, 1, 1), 12);
        let days: Vec<(NaiveDate, i64)> = c
            .windows
            .iter()
            .map(|o| (o.local_start.date(), o.days_after_patch_tuesday))
            .collect();
        // Worked out by hand: the third Wednesday is 8 days after Patch Tuesday, except in
        // months that start on a Wednesday (September and December 2027), where it is the
        // very next day: too early for the month's node image.
        assert_eq!(
            days,
            vec![
                (d(2027, 1, 20), 8),
                (d(2027, 2, 17), 8),
                (d(2027, 3, 17), 8),
                (d(2027, 4, 21), 8),
                (d(2027, 5, 19), 8),
                (d(2027, 6, 16), 8),
                (d(2027, 7, 21), 8),
                (d(2027, 8, 18), 8),
                (d(2027, 9, 15), 1),
                (d(2027, 10, 20), 8),
                (d(2027, 11, 17), 8),
                (d(2027, 12, 15), 1),
            ]
        );
        let jan = &c.windows[0];
        assert_eq!(jan.utc_start.to_string(), "2027-01-20 02:00:00");
        assert_eq!(jan.utc_end.to_string(), "2027-01-20 08:00:00");
        assert!(c.interval_note.is_none());
    }

    #[test]
    fn local_offset_moves_the_utc_times() {
        // 22:00 at -05:00 on the third Thursday is 03:00 UTC the next day.
        let w = window(
            "    schedule: { relativeMonthly: { weekIndex: Third, dayOfWeek: Thursday } }\n    startTime: \"22:00\"\n    utcOffset: \"-05:00\"",
        );
        let c = upcoming(&w, d(2027, 3, 1), 1);
        let o = &c.windows[0];
        assert_eq!(o.local_start.to_string(), "2027-03-18 22:00:00");
        assert_eq!(o.utc_offset, "-05:00");
        assert_eq!(o.utc_start.to_string(), "2027-03-19 03:00:00");
        assert_eq!(o.days_after_patch_tuesday, 9);
    }

    #[test]
    fn from_date_is_inclusive_and_intervals_are_flagged() {
        let w = window(
            "    schedule: { relativeMonthly: { weekIndex: Third, dayOfWeek: Wednesday, intervalMonths: 2 } }\n    startTime: \"02:00\"\n    utcOffset: \"+00:00\"",
        );
        let c = upcoming(&w, d(2027, 1, 20), 2);
        assert_eq!(c.windows[0].local_start.date(), d(2027, 1, 20));
        assert!(c.interval_note.is_some());
    }
}

mod hot_spare_model {
    use crate::hot_spare::plan;
    use akswin_spec::spec::{HotSpare, Peak, Weekday};
    use akswin_spec::types::ClockTime;
    use chrono::NaiveDate;

    fn t(h: u8, m: u8) -> ClockTime {
        ClockTime { hour: h, minute: m }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_else(|| panic!("{y}-{m}-{day}"))
    }

    fn baseline() -> HotSpare {
        super::baseline()
            .scaling
            .hot_spare
            .unwrap_or_else(|| panic!("baseline has a hot-spare plan"))
    }

    #[test]
    fn baseline_week_worked_out() {
        // 6 nodes from 07:00 (07:30 minus 30 min lead) to 18:00 New York time, Monday to
        // Friday, 2 otherwise: (6 - 2) x 11 h x 5 days = 220 added node-hours a week, on top
        // of 2 x 168 = 336. January 2027: New York is UTC-5, so the peak is 12:00-23:00 UTC.
        let p = plan(&baseline(), d(2027, 1, 13));
        assert_eq!(p.week_start_utc, d(2027, 1, 11));
        assert!((p.added_node_hours_per_week - 220.0).abs() < 1e-9, "{p:?}");
        assert!((p.node_hours_per_week - 556.0).abs() < 1e-9);
        // a month is 365.25 / 12 / 7 weeks
        assert!((p.added_node_hours_per_month - 220.0 * 365.25 / 84.0).abs() < 1e-9);
        assert_eq!(p.hourly_nodes.len(), 168);
        assert_eq!(p.hourly_nodes[11], 2); // Mon 11:00 UTC = 06:00 New York
        assert_eq!(p.hourly_nodes[12], 6); // Mon 12:00 UTC = 07:00: scaled up (lead)
        assert_eq!(p.hourly_nodes[22], 6); // 17:00 New York
        assert_eq!(p.hourly_nodes[23], 2); // 18:00 New York: back down
        assert_eq!(p.hourly_nodes[5 * 24 + 12], 2); // Saturday
        assert_eq!(p.schedule[0].at, "07:00");
        assert_eq!(p.schedule[0].action, "scale-up");
        assert_eq!(p.schedule[1].at, "18:00");
        assert_eq!(p.schedule[1].nodes, 2);
    }

    #[test]
    fn daylight_saving_moves_the_utc_hours_not_the_total() {
        // July 2027: New York is UTC-4, so the peak is 11:00-22:00 UTC; same 220 node-hours.
        let p = plan(&baseline(), d(2027, 7, 14));
        assert!((p.added_node_hours_per_week - 220.0).abs() < 1e-9);
        assert_eq!(p.hourly_nodes[10], 2);
        assert_eq!(p.hourly_nodes[11], 6);
        assert_eq!(p.hourly_nodes[22], 2);
    }

    #[test]
    fn overnight_peaks_and_leads_across_midnight() {
        let hs = HotSpare {
            pool: "win".into(),
            off_peak_nodes: 1,
            peak_nodes: 3,
            peaks: vec![Peak {
                days: vec![Weekday::Mon],
                from: t(0, 15),
                to: t(2, 15),
                timezone: None,
            }],
            lead_minutes: 30,
            mode: Default::default(),
            kubectl_image: None,
        };
        let p = plan(&hs, d(2027, 1, 13));
        // Sunday 23:45 to Monday 02:15: 2.5 h x 2 extra nodes
        assert!((p.added_node_hours_per_week - 5.0).abs() < 1e-9, "{p:?}");
        assert_eq!(p.schedule[0].days, vec![Weekday::Sun]);
        assert_eq!(p.schedule[0].at, "23:45");
        let overnight = HotSpare {
            peaks: vec![Peak {
                days: vec![Weekday::Sat],
                from: t(22, 0),
                to: t(2, 0),
                timezone: Some(akswin_spec::types::TimeZone::UTC),
            }],
            lead_minutes: 0,
            ..hs
        };
        let p = plan(&overnight, d(2027, 1, 13));
        assert!((p.added_node_hours_per_week - 8.0).abs() < 1e-9, "{p:?}");
        assert_eq!(p.schedule[1].days, vec![Weekday::Sun]);
        assert_eq!(p.hourly_nodes[5 * 24 + 22], 3);
        assert_eq!(p.hourly_nodes[6 * 24 + 1], 3);
        assert_eq!(p.hourly_nodes[6 * 24 + 2], 1);
    }
}

// ------------------------------------------------------------------------------ scale-out

fn d8ds_v5(name: &str) -> Option<scale_out::NodeShape> {
    (name == "Standard_D8ds_v5").then_some(scale_out::NodeShape {
        vcpus: 8,
        memory_gib: 32.0,
    })
}

#[test]
fn quantities_parse_like_kubernetes() {
    use scale_out::{cpu_milli, memory_mib};
    assert_eq!(cpu_milli("2"), Some(2000));
    assert_eq!(cpu_milli("500m"), Some(500));
    assert_eq!(cpu_milli("0.25"), Some(250));
    assert_eq!(cpu_milli("-1"), None);
    assert_eq!(cpu_milli("2x"), None);
    assert_eq!(memory_mib("4Gi"), Some(4096));
    assert_eq!(memory_mib("512Mi"), Some(512));
    // 4G = 4e9 bytes = 3814.7 MiB, rounded up
    assert_eq!(memory_mib("4G"), Some(3815));
    assert_eq!(memory_mib("1048576"), Some(1));
    assert_eq!(memory_mib("lots"), None);
}

#[test]
fn allocatable_follows_the_aks_reservation_worked_examples() {
    use scale_out::{NodeShape, allocatable};
    // Microsoft's example: 8 GB, maxPods 30 -> 650 MB kube-reserved + 100 Mi eviction.
    let (cpu, mem) = allocatable(
        NodeShape {
            vcpus: 2,
            memory_gib: 8.0,
        },
        30,
    );
    assert_eq!(cpu, 2000 - 100);
    assert_eq!(mem, 8192 - 650 - 100);
    // 4 GB and maxPods 70: 25 % (1024) is less than 20 x 70 + 50 = 1450.
    let (cpu, mem) = allocatable(
        NodeShape {
            vcpus: 4,
            memory_gib: 4.0,
        },
        70,
    );
    assert_eq!(cpu, 4000 - 140);
    assert_eq!(mem, 4096 - 1024 - 100);
}

#[test]
fn baseline_scale_out_is_worked_out() {
    let p = scale_out::plan(&baseline(), &d8ds_v5);
    assert!(p.skipped.is_empty(), "{:?}", p.skipped);
    let w = &p.workloads[0];
    // maxPods 30 - 1 for the pre-pull DaemonSet = 29. D8ds_v5: 8000m - 180m = 7820m;
    // 32768 MiB - (20 x 29 + 50 = 630) - 100 eviction - 2048 Windows system = 29990 MiB.
    assert_eq!(
        (w.allocatable_cpu_milli, w.allocatable_memory_mi_b),
        (7820, 29990)
    );
    // requests 2 CPU / 4Gi: CPU allows 3 per node, memory 7 -> 3, CPU-bound.
    assert_eq!((w.pods_per_node, w.pods_per_node_limit), (3, "cpu"));
    // 5.2 GiB = 5324.8 MiB at a measured 60 MiB/s per node = 88.75 s = 1.48 min.
    assert_eq!(w.pull_minutes, Some(1.48));
    assert!(!w.pull_throughput_is_default);
    // 3 running + 9 added = 12 replicas = 4 nodes; min 2 nodes have 6 - 3 = 3 free slots.
    assert_eq!(w.nodes_for_burst, 4);
    assert_eq!(
        w.scenario("existing-prepulled").and_then(|s| s.minutes),
        None
    );
    // The autoscaler adds 2 nodes: 12 min to Ready + 1.48 min pull.
    let a = w.scenario("autoscaler");
    assert_eq!(a.map(|s| s.nodes_added), Some(2));
    assert_eq!(a.and_then(|s| s.minutes), Some(13.48));
    // Hot spare: 6 nodes x 3 = 18 slots, 15 free >= 9, image pre-pulled; spares are ready
    // 13.48 min after the scale-up, inside the 30 min lead.
    let h = w.scenario("hot-spare");
    assert_eq!(h.and_then(|s| s.minutes), Some(0.0));
    assert_eq!(w.configured, "hot-spare");
    assert_eq!(w.meets_target, Some(true));
    // Outside the peaks the same burst goes through the autoscaler from 2 nodes: 13.48 > 5.
    assert_eq!(w.scenario("off-peak").and_then(|s| s.minutes), Some(13.48));
    assert_eq!(w.meets_target_off_peak, Some(false));
}

#[test]
fn scale_out_without_hot_spare_misses_the_target_and_names_the_plan() {
    let mut s = baseline();
    s.scaling.hot_spare = None;
    let p = scale_out::plan(&s, &d8ds_v5);
    let w = &p.workloads[0];
    assert_eq!(w.configured, "autoscaler");
    assert_eq!(w.meets_target, Some(false));
    let advice = w.advice().unwrap_or_default();
    assert!(advice.contains("peakNodes >= 4"), "{advice}");
    // 1 replica on 2 nodes: one node has no replica and so no image. A burst of 3 fits the
    // 5 free slots; without pre-pull that node pulls for 1.48 min; pre-pull is the advice.
    s.workloads[0].replicas = 1;
    s.workloads[0].scale_out_replicas = Some(3);
    s.scaling.prepull.enabled = false;
    s.workloads[0].scale_out_target_minutes = Some(1.0);
    let p = scale_out::plan(&s, &d8ds_v5);
    let w = &p.workloads[0];
    assert_eq!(w.configured, "existing-pull");
    assert_eq!(
        w.scenario("existing-pull").and_then(|s| s.minutes),
        Some(1.48)
    );
    assert!(w.advice().unwrap_or_default().starts_with("pre-pull"));
    // With 3 replicas on 2 nodes every node already has the image: no pull at all.
    s.workloads[0].replicas = 3;
    let w = &scale_out::plan(&s, &d8ds_v5).workloads[0];
    assert_eq!(
        w.scenario("existing-pull").and_then(|s| s.minutes),
        Some(0.0)
    );
    assert_eq!(w.meets_target, Some(true));
    // Extraction at 40 MiB/s adds 5324.8 / 40 / 60 = 2.22 min (1 replica again).
    s.workloads[0].replicas = 1;
    s.scaling.extract_throughput_mi_bps = Some(40.0);
    let w = &scale_out::plan(&s, &d8ds_v5).workloads[0];
    assert_eq!(w.extract_minutes, Some(2.22));
    assert_eq!(
        w.scenario("existing-pull").and_then(|s| s.minutes),
        Some(3.7)
    );
}

#[test]
fn scale_out_beyond_the_pool_max_is_infeasible_and_a_short_lead_delays_the_spares() {
    let mut s = baseline();
    s.workloads[0].scale_out_replicas = Some(30); // 33 replicas -> 11 nodes > max 8
    let w = &scale_out::plan(&s, &d8ds_v5).workloads[0];
    assert_eq!(w.scenario("autoscaler").and_then(|s| s.minutes), None);
    assert_eq!(w.meets_target, Some(false));
    assert!(w.advice().unwrap_or_default().contains("raise max to 11"));
    // An unknown image size does not hide a burst that cannot fit at all.
    s.registry.images[0].size_gi_b = None;
    let w = &scale_out::plan(&s, &d8ds_v5).workloads[0];
    assert_eq!(w.meets_target, Some(false));
    // ... but a feasible burst with an unknown size is not estimable.
    s.workloads[0].scale_out_replicas = Some(9);
    s.scaling.hot_spare = None;
    let w = &scale_out::plan(&s, &d8ds_v5).workloads[0];
    assert_eq!(w.meets_target, None);
    // Lead 10 min, spares need 12 + 1.48: the first 3.48 min of the peak still wait.
    let mut s = baseline();
    if let Some(h) = s.scaling.hot_spare.as_mut() {
        h.lead_minutes = 10;
    }
    s.workloads[0].scale_out_target_minutes = Some(2.0);
    let w = &scale_out::plan(&s, &d8ds_v5).workloads[0];
    assert_eq!(w.scenario("hot-spare").and_then(|s| s.minutes), Some(3.48));
    assert!(w.advice().unwrap_or_default().contains("leadMinutes >= 14"));
    // Defaults when nothing is measured: Windows 15 min; Premium 100 MB/s = 95.37 MiB/s shared
    // by the 2 new nodes: 5324.8 / 95.37 / 60 = 0.93 min alone, 1.86 min each for two.
    let mut s = baseline();
    s.scaling.hot_spare = None;
    s.scaling.node_ready_minutes = None;
    s.scaling.pull_throughput_mi_bps = None;
    let w = &scale_out::plan(&s, &d8ds_v5).workloads[0];
    assert_eq!(w.node_ready_minutes.value, 15.0);
    assert!(w.node_ready_minutes.source.starts_with("default"));
    assert_eq!(w.pull_throughput_mi_bps.value, 95.37);
    assert!(w.pull_throughput_is_default);
    assert_eq!(
        w.scenario("autoscaler").and_then(|s| s.minutes),
        Some(16.86)
    );
    // A fixed pool cannot add nodes; the advice names `count`.
    let mut s = baseline();
    s.scaling.hot_spare = None;
    s.cluster.node_pools[2].min = None;
    s.cluster.node_pools[2].max = None;
    s.cluster.node_pools[2].count = Some(3);
    let w = &scale_out::plan(&s, &d8ds_v5).workloads[0];
    assert!(!w.scenario("autoscaler").is_some_and(|s| s.feasible));
    assert!(
        w.advice().unwrap_or_default().contains("raise count to 4"),
        "{:?}",
        w.advice()
    );
    // Unknown size: skipped with a reason, never guessed; requests larger than a node too.
    let p = scale_out::plan(&s, &|_: &str| None);
    assert!(p.skipped[0].reason.contains("size table"));
    let mut s = baseline();
    if let Some(r) = s.workloads[0].resources.as_mut() {
        r.cpu = "8".parse().expect("quantity");
    }
    let p = scale_out::plan(&s, &d8ds_v5);
    assert!(
        p.skipped[0].reason.contains("would stay Pending"),
        "{:?}",
        p.skipped
    );
}

#[test]
fn workloads_sharing_a_pool_take_their_requests_first() {
    let mut s = baseline();
    let mut other = s.workloads[0].clone();
    other.name = "reports".into();
    other.replicas = 6;
    other.scale_out_target_minutes = None;
    s.workloads.push(other);
    let p = scale_out::plan(&s, &d8ds_v5);
    let w = &p.workloads[0];
    assert_eq!(w.shared_with, vec!["reports".to_string()]);
    // reports: 6 x 2000m = 12000m. On 2 nodes (15640m) legacyweb fits (15640 - 12000) / 2000
    // = 1 replica: its 3 are already over, so nothing is free.
    assert!(w.scenario("existing-pull").is_some_and(|s| !s.feasible));
    // 12 replicas of legacyweb: n x 7820 - 12000 >= 24000 -> n >= 4.6 -> 5 nodes (alone: 4).
    assert_eq!(w.nodes_for_burst, 5);
}

// ----------------------------------------------------------------------------------- cost

fn vm_info(name: &str) -> Option<(u32, String)> {
    match name {
        "Standard_D2ds_v5" => Some((2, "Ddsv5".into())),
        "Standard_D4ds_v5" => Some((4, "Ddsv5".into())),
        "Standard_D8ds_v5" => Some((8, "Ddsv5".into())),
        _ => None,
    }
}

fn line<'a>(e: &'a cost::CostEstimate, starts: &str) -> &'a cost::CostLine {
    e.lines
        .iter()
        .find(|l| l.component.starts_with(starts))
        .unwrap_or_else(|| panic!("no line {starts}"))
}

fn baseline_week() -> hot_spare::HotSparePlan {
    let s = baseline();
    let hs = s
        .scaling
        .hot_spare
        .as_ref()
        .unwrap_or_else(|| panic!("hot spare"));
    hot_spare::plan(
        hs,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default(),
    )
}

#[test]
fn embedded_price_table_parses_and_names_its_sources() {
    let b = cost::PriceBook::embedded();
    assert!(b.len() >= 16, "{}", b.len());
    assert_eq!(
        (
            b.region.as_str(),
            b.compiled_on.as_str(),
            b.currency.as_str()
        ),
        ("eastus", "2026-11-26", "USD")
    );
    for key in [
        "vm-linux-vcpu/Ddsv5",
        "windows-licence-vcpu",
        "firewall/Standard",
        "firewall-data/Standard",
        "acr/Premium",
    ] {
        let p = b.get(key).unwrap_or_else(|| panic!("{key}"));
        assert!(!p.source.is_empty() && p.unit_price >= 0.0, "{key}");
        assert_eq!(
            (p.currency.as_str(), p.origin.as_str()),
            ("USD", "embedded")
        );
    }
}

#[test]
fn baseline_cost_is_worked_out() {
    let s = baseline();
    let week = baseline_week();
    let e = cost::estimate(&s, &cost::PriceBook::embedded(), Some(&week), &vm_info);
    // system: D4ds_v5 = 4 vCPU x 0.0565 = 0.226/h; 3 nodes x 730 h = 2190 h -> 494.94
    assert_eq!(line(&e, "node pool system").monthly, Some(494.94));
    assert_eq!(line(&e, "node pool system").monthly_at_max, Some(659.92)); // 4 x 730 x 0.226
    // win22: D8ds_v5 = 0.452/h over the hot-spare week: 556 node-hours x 730/168 = 2415.95 h
    // -> 1092.01
    let win = line(&e, "node pool win22");
    assert_eq!(win.monthly, Some(1092.01));
    assert_eq!(win.monthly_at_min, Some(659.92)); // 2 x 730 = 1460 h
    assert_eq!(win.monthly_at_max, Some(2639.68)); // 8 x 730 = 5840 h
    // Windows licence: 8 vCPU x 0.046 = 0.368/h x 2415.95 h = 889.07, Hybrid Benefit off.
    assert_eq!(
        line(&e, "Windows licence, pool win22").monthly,
        Some(889.07)
    );
    assert_eq!(e.windows_licence.payg_monthly, Some(889.07));
    assert_eq!(e.windows_licence.as_specified_monthly, Some(889.07));
    // DCs: 2 x D2ds_v5 = 2 x 730 h at 0.113/h compute = 164.98, plus 0.092/h licence = 134.32
    assert_eq!(line(&e, "domain controllers").monthly, Some(164.98));
    assert_eq!(
        line(&e, "Windows licence, domain controllers").monthly,
        Some(134.32)
    );
    assert_eq!(e.windows_licence.domain_controllers_monthly, Some(134.32));
    assert_eq!(line(&e, "AKS control plane").monthly, Some(73.0));
    assert_eq!(line(&e, "Azure Firewall Standard").monthly, Some(912.5));
    assert_eq!(line(&e, "firewall public IPs").monthly, Some(73.0)); // 20 x 0.005 x 730
    assert_eq!(line(&e, "firewall data").monthly, Some(8.0)); // 500 GiB x 0.016
    assert_eq!(line(&e, "Azure Front Door Premium").monthly, Some(330.0));
    assert_eq!(line(&e, "Container Registry Premium").monthly, Some(50.71)); // 1.6671 x 30.42
    assert_eq!(line(&e, "Log Analytics").monthly, Some(139.92)); // 2 GiB x 30.42 x 2.30
    // Bastion Standard and the VPN gateway have no sourced price: unpriced, out of the totals,
    // and said so.
    assert_eq!(line(&e, "Azure Bastion").monthly, None);
    assert_eq!(
        e.unpriced,
        vec![
            "Azure Bastion Standard".to_string(),
            "VPN gateway VpnGw1AZ".to_string()
        ]
    );
    assert_eq!(e.total_monthly, 4699.71);
    assert_eq!(e.total_monthly_at_min, 3915.83);
    // The embedded table is East US; the baseline deploys to East US 2: all 14 priced lines
    // (the gateway's two public IPs among them) are named.
    assert_eq!(e.priced_from_another_region.len(), 14);
    assert!(
        e.warnings.iter().any(|w| w.contains("eastus2")),
        "{:?}",
        e.warnings
    );
    assert_eq!(e.acr_storage.extra_gi_b, 0.0);
}

#[test]
fn a_hot_spare_pool_above_min_off_peak_is_costed_for_its_week() {
    let mut s = baseline();
    if let Some(h) = s.scaling.hot_spare.as_mut() {
        h.off_peak_nodes = 4;
    }
    let hs = s.scaling.hot_spare.as_ref().unwrap_or_else(|| panic!("hs"));
    let week = hot_spare::plan(
        hs,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default(),
    );
    // 4 nodes all week = 672 node-hours, plus 2 more for 5 x 11 h = 110: 782 node-hours.
    assert_eq!(week.node_hours_per_week, 782.0);
    let e = cost::estimate(&s, &cost::PriceBook::embedded(), Some(&week), &vm_info);
    // 782 x 730/168 = 3397.98 h x 0.452 = 1535.89 (not min 2 x 730 + added).
    assert_eq!(line(&e, "node pool win22").monthly, Some(1535.89));
}

#[test]
fn hybrid_benefit_removes_the_pool_licences_and_nothing_else() {
    let mut s = baseline();
    let week = baseline_week();
    let book = cost::PriceBook::embedded();
    let off = cost::estimate(&s, &book, Some(&week), &vm_info);
    if let Some(w) = s.cluster.windows_profile.as_mut() {
        w.azure_hybrid_benefit = true;
    }
    let on = cost::estimate(&s, &book, Some(&week), &vm_info);
    assert_eq!(line(&on, "Windows licence, pool win22").monthly, Some(0.0));
    assert_eq!(on.windows_licence.as_specified_monthly, Some(0.0));
    assert_eq!(on.windows_licence.payg_monthly, Some(889.07));
    // 4699.71 - 889.07 = 3810.64: compute, the DCs' licences and everything else unchanged.
    assert_eq!(on.total_monthly, 3810.64);
    for l in [
        "node pool win22",
        "domain controllers",
        "Windows licence, domain controllers",
    ] {
        assert_eq!(line(&on, l).monthly, line(&off, l).monthly, "{l}");
    }
}

#[test]
fn retail_prices_export_overrides_the_embedded_table() {
    let text = include_str!("../tests/data/retail-prices-sample.json");
    let mut book = cost::PriceBook::embedded();
    book.merge_retail("sample.json", text, "eastus2", "USD")
        .unwrap_or_else(|e| panic!("{e}"));
    let r = book.retail_file.clone().unwrap_or_else(|| panic!("import"));
    // 6 items: eastus E16 v3 (other region), westeurope Spot, eastus2 Spot: ignored.
    assert_eq!(r.items, 6);
    assert_eq!(r.ignored, 3);
    assert_eq!(
        r.matched,
        vec![
            "bastion/Standard",
            "vm/linux/Standard_D8ds_v5",
            "vm/windows/Standard_D8ds_v5"
        ]
    );
    assert_eq!(r.regions_in_file, vec!["eastus", "eastus2", "westeurope"]);
    let s = baseline();
    let week = baseline_week();
    let e = cost::estimate(&s, &book, Some(&week), &vm_info);
    // win22 at the file's 0.40/h Linux: 2415.95 h -> 966.38; licence 0.80 - 0.40 = 0.40/h.
    assert_eq!(line(&e, "node pool win22").monthly, Some(966.38));
    assert_eq!(
        line(&e, "Windows licence, pool win22").monthly,
        Some(966.38)
    );
    assert_eq!(line(&e, "Azure Bastion").monthly, Some(211.7)); // 0.29 x 730
    // The file holds no VPN gateway meter.
    assert_eq!(e.unpriced, vec!["VPN gateway VpnGw1AZ".to_string()]);
    // The other lines still come from the East US table, and the output says which.
    assert!(
        !e.priced_from_another_region
            .iter()
            .any(|c| c.contains("win22"))
    );
    assert!(
        e.priced_from_another_region
            .iter()
            .any(|c| c.contains("Firewall"))
    );
    // Not a response at all: a clear error with the position.
    let err = cost::PriceBook::embedded()
        .merge_retail("x.json", "{\"Items\": 3}", "eastus", "USD")
        .err()
        .unwrap_or_default();
    assert!(err.contains("`Items` is not an array"), "{err}");
    let err = cost::PriceBook::embedded()
        .merge_retail("x.json", "{\n  oops", "eastus", "USD")
        .err()
        .unwrap_or_default();
    assert!(err.starts_with("x.json:2:"), "{err}");
    // Another currency than the spec's: refused, never mixed with the USD table.
    let eur = text.replace("\"USD\"", "\"EUR\"");
    let err = cost::PriceBook::embedded()
        .merge_retail("eur.json", &eur, "eastus2", "USD")
        .err()
        .unwrap_or_default();
    assert!(
        err.contains("in EUR") && err.contains("currencyCode='USD'"),
        "{err}"
    );
    // A file without the spec's region: merged, nothing matched, and the estimate says so.
    let mut book = cost::PriceBook::embedded();
    book.merge_retail("sample.json", text, "westus3", "USD")
        .unwrap_or_else(|e| panic!("{e}"));
    let e = cost::estimate(&s, &book, Some(&week), &vm_info);
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("no price akswin uses for westus3")),
        "{:?}",
        e.warnings
    );
}

#[test]
fn tiered_and_look_alike_meters_pick_the_pay_as_you_go_price() {
    let item = |meter: &str, tier: f64, price: f64| {
        format!(
            r#"{{"currencyCode":"USD","tierMinimumUnits":{tier},"retailPrice":{price},"armRegionName":"eastus2","meterName":"{meter}","productName":"Log Analytics","skuName":"Analytics Logs","serviceName":"Log Analytics","unitOfMeasure":"1 GB","type":"Consumption"}}"#
        )
    };
    let text = format!(
        "[{},{},{},{}]",
        item("Analytics Logs Data Ingestion", 0.0, 0.0),
        item("Analytics Logs Data Ingestion", 5.0, 2.99),
        item("Basic Logs Data Ingestion", 0.0, 0.5),
        item("Auxiliary Logs Data Ingestion", 0.0, 0.05)
    );
    let mut book = cost::PriceBook::embedded();
    book.merge_retail("la.json", &text, "eastus2", "USD")
        .unwrap_or_else(|e| panic!("{e}"));
    // The free 5 GB grant is not the price; Basic and Auxiliary logs are other meters.
    assert_eq!(
        book.get("loganalytics-ingestion").map(|p| p.unit_price),
        Some(2.99)
    );
}

#[test]
fn a_spec_in_another_currency_uses_no_usd_price() {
    let mut s = baseline();
    s.cost.currency = "EUR".into();
    let e = cost::estimate(
        &s,
        &cost::PriceBook::embedded(),
        Some(&baseline_week()),
        &vm_info,
    );
    assert_eq!(e.total_monthly, 0.0);
    assert_eq!(e.unpriced.len(), e.lines.len());
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("cost.currency is EUR"))
    );
}

#[test]
fn acr_storage_counts_every_geo_replica() {
    let mut s = baseline();
    s.registry.sku = akswin_spec::spec::AcrSku::Basic;
    s.registry.images[0].size_gi_b = Some(4.0);
    s.registry.geo_replicas = vec!["westus2".parse().unwrap_or_else(|e| panic!("{e:?}"))];
    // (Basic cannot replicate: the estimate says so below; the storage arithmetic is the same.)
    // 4 GiB x (1 + 1) = 8 GiB <= 10 included; a second 3 GiB image: 14 GiB -> 4 extra.
    assert_eq!(cost::acr_storage(&s).extra_gi_b, 0.0);
    s.registry.images.push(akswin_spec::spec::Image {
        name: "b".into(),
        r#ref: "contosoacr.azurecr.io/b:1".into(),
        size_gi_b: Some(3.0),
        source: None,
    });
    let a = cost::acr_storage(&s);
    assert_eq!((a.billed_gi_b, a.extra_gi_b), (14.0, 4.0));
    let e = cost::estimate(&s, &cost::PriceBook::embedded(), None, &vm_info);
    // 4 GiB x 30.4167 days x 0.003 = 0.365 -> 0.37
    assert_eq!(line(&e, "Container Registry storage").monthly, Some(0.37));
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("needs the Premium tier"))
    );
    assert!(!e.lines.iter().any(|l| l.component.contains("geo-replicas")));
}

#[test]
fn quantities_compare_by_value() {
    use crate::resolve::quantity_nanos as q;
    assert_eq!(q("1"), q("1000m"));
    assert_eq!(q("0.5"), q("500m"));
    assert_eq!(q("1Gi"), q("1024Mi"));
    assert_eq!(q("1G"), q("1000M"));
    assert_eq!(q("1e3"), q("1k"));
    assert_ne!(q("1Gi"), q("1G"));
    assert_ne!(q("2"), q("1999m"));
    assert_eq!(q("4Gi"), Some(4 * (1i128 << 30) * 1_000_000_000));
    for bad in ["two", "", ".", "1.2.3", "5x", "-1", "1e99", "0.0000000001"] {
        assert_eq!(q(bad), None, "{bad}");
    }
}

#[test]
fn peered_subnet_pointers_escape_their_names() {
    let mut spec = baseline();
    let text = r#"{ "name": "vnet-x", "addressSpace": ["10.99.0.0/16"], "subnets": { "a/b~c": "10.99.0.0/24" } }"#;
    let ps: akswin_spec::spec::PeeredSpoke = serde_json::from_str(text).expect("peered spoke");
    spec.network.peered_spokes.push(ps);
    let p = plan(&spec);
    let s = p
        .vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .find(|s| s.azure_name == "a/b~c")
        .expect("peered subnet");
    assert!(s.pointer.ends_with("/subnets/a~1b~0c"), "{}", s.pointer);
}

#[test]
fn every_deployed_subnet_has_its_nsg_and_egress_route() {
    use crate::netsec::{Access, Direction};
    let spec = baseline();
    let p = plan(&spec);
    let ns = &p.netsec;
    for v in p.vnets.iter().filter(|v| v.name == SPOKE) {
        for s in v.subnets.iter().filter(|s| s.prefix.is_some()) {
            let nsgs = ns
                .nsgs
                .iter()
                .filter(|g| g.subnets.contains(&s.key))
                .count();
            assert_eq!(nsgs, 1, "{} has {nsgs} NSGs", s.key);
        }
    }
    // Nodes, pods and connectors leave through the firewall; nothing else is routed.
    let rt = &ns.route_tables[0];
    let fw = p.addresses.firewall_private_ip.expect("firewall ip");
    assert_eq!(rt.routes[0].next_hop, Some(fw));
    assert_eq!(rt.routes[0].prefix.to_string(), "0.0.0.0/0");
    for key in ["windowsNodes", "systemNodes", "appProxyConnectors"] {
        assert!(
            rt.subnets.iter().any(|s| s == key),
            "{key} not routed: {:?}",
            rt.subnets
        );
    }
    assert!(!rt.subnets.iter().any(|s| s == "privateEndpoints"));
    // The Windows nodes' AD rules name the DC subnet; the DC NSG admits them and denies the
    // rest of the virtual network last.
    let dc = sub(&p, "domainControllers")
        .prefix
        .expect("dc subnet")
        .to_string();
    let win = ns.nsg_of("windowsNodes").expect("windows nsg");
    let ad: Vec<_> = win
        .rules
        .iter()
        .filter(|r| r.name.starts_with("allow-ad-"))
        .collect();
    assert_eq!(ad.len(), crate::egress::ad_ports().len());
    assert!(
        ad.iter()
            .all(|r| r.destinations == [dc.clone()] && r.direction == Direction::Outbound)
    );
    let dcn = ns.nsg_of("domainControllers").expect("dc nsg");
    let win_prefix = sub(&p, "windowsNodes").prefix.expect("win").to_string();
    assert!(
        dcn.rules
            .iter()
            .any(|r| r.sources == [win_prefix.clone()] && r.ports == ["88"])
    );
    let last = dcn.rules.last().expect("rules");
    assert_eq!(
        (last.access, last.sources.as_slice()),
        (Access::Deny, &["VirtualNetwork".to_string()][..])
    );
    // Windows update rules are sourced from the Windows node subnet only.
    assert!(
        p.firewall
            .application_rules
            .iter()
            .filter(|r| r.group == "windows")
            .all(|r| r.sources == [win_prefix.clone()])
    );
}

#[test]
fn a_user_nsg_rule_to_the_domain_controllers_names_their_subnet() {
    let mut spec = baseline();
    spec.egress.nsg_rules.push(akswin_spec::spec::NsgRule {
        name: "deny-dc-smb".into(),
        priority: 900,
        access: akswin_spec::spec::NsgAccess::Deny,
        protocol: "tcp".into(),
        destination: "domainControllers".into(),
        ports: vec!["445".into()],
    });
    let p = plan(&spec);
    let dc = sub(&p, "domainControllers")
        .prefix
        .expect("dc subnet")
        .to_string();
    let win = p.netsec.nsg_of("windowsNodes").expect("windows nsg");
    let r = win
        .rules
        .iter()
        .find(|r| r.name == "deny-dc-smb")
        .expect("user rule");
    assert_eq!(r.destinations, vec![dc]);
    // User rules come first: they are evaluated before akswin's at 1000+.
    assert_eq!(win.rules[0].name, "deny-dc-smb");
}

/// The baseline's Windows pool: a 5.2 GiB image at 60 MiB/s plus extraction, so the AKS
/// default drain timeout (30) covers twice the pull, the soak is the pull rounded up, and
/// three batches of three surge nodes (33 % of 8) take about 46 minutes of the 6-hour window.
#[test]
fn baseline_windows_pool_upgrade_is_worked_out() {
    use crate::pool_upgrade::{Source, recommended_drain_timeout, recommended_node_soak};
    let spec = baseline();
    let ups = crate::resolve::pool_upgrades(&spec);
    assert_eq!(ups.len(), 1);
    let u = &ups[0];
    assert_eq!(u.pool, "win22");
    assert_eq!((u.max_nodes, u.surge_nodes, u.batches), (8, 3, 3));
    let r = u.replacement_minutes.unwrap();
    assert!((1.4..2.0).contains(&r), "{r}");
    assert_eq!(u.slowest_workload.as_deref(), Some("legacyweb"));
    assert_eq!(
        (u.drain_timeout_minutes, u.drain_timeout_source),
        (30, Source::Recommended)
    );
    assert_eq!(
        (u.node_soak_minutes, u.node_soak_source),
        (2, Source::Recommended)
    );
    let est = u.estimated_minutes.unwrap();
    let want = 3.0 * (u.node_ready_minutes + r + 2.0);
    assert!((est - want).abs() < 0.1, "{est} vs {want}");
    assert_eq!(u.window_minutes, Some(360));
    // the recommendations' bounds
    assert_eq!(recommended_drain_timeout(None), 30);
    assert_eq!(recommended_drain_timeout(Some(20.2)), 41);
    assert_eq!(recommended_drain_timeout(Some(1000.0)), 1440);
    assert_eq!(recommended_node_soak(None), 0);
    assert_eq!(recommended_node_soak(Some(5.4)), 6);
    assert_eq!(recommended_node_soak(Some(45.0)), 30);
}

/// Explicit settings are what deploys, whatever the recommendation.
#[test]
fn explicit_pool_upgrade_settings_win() {
    let mut spec = baseline();
    let p = spec
        .cluster
        .node_pools
        .iter_mut()
        .find(|p| p.name == "win22")
        .unwrap();
    p.drain_timeout_minutes = Some(90);
    p.node_soak_minutes = Some(0);
    let u = &crate::resolve::pool_upgrades(&spec)[0];
    assert_eq!(u.drain_timeout_minutes, 90);
    assert_eq!(u.node_soak_minutes, 0);
    assert_eq!(u.recommended_node_soak_minutes, 2);
    assert_eq!(u.drain_timeout_source, crate::pool_upgrade::Source::Spec);
}
