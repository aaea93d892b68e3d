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
    assert_eq!(
        sub(&p, "domainControllers").prefix,
        Some(c("10.200.0.128/28"))
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
        vec!["10.200.0.132", "10.200.0.133"]
    );
    assert_eq!(p.addresses.dns_servers, p.addresses.domain_controller_ips);
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
                timezone: Some("UTC".into()),
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

    #[test]
    fn unknown_time_zones_are_reported_and_counted_in_utc() {
        let mut hs = baseline();
        hs.peaks[0].timezone = Some("Mars/Olympus".into());
        let p = plan(&hs, d(2027, 1, 13));
        assert_eq!(p.unknown_time_zones, vec!["Mars/Olympus".to_string()]);
        assert_eq!(p.hourly_nodes[7], 6);
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
    // D8ds_v5: 8000m - 180m = 7820m; 32768 MiB - (20 x 30 + 50) - 100 = 32018 MiB.
    assert_eq!(
        (w.allocatable_cpu_milli, w.allocatable_memory_mi_b),
        (7820, 32018)
    );
    // requests 2 CPU / 4Gi: CPU allows 3 per node, memory 7 -> 3, CPU-bound.
    assert_eq!((w.pods_per_node, w.pods_per_node_limit), (3, "cpu"));
    // 5.2 GiB = 5324.8 MiB at 60 MiB/s = 88.75 s = 1.48 min.
    assert_eq!(w.pull_minutes, Some(1.48));
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
}

#[test]
fn scale_out_without_hot_spare_misses_the_target_and_names_the_plan() {
    let mut s = baseline();
    s.scaling.hot_spare = None;
    let p = scale_out::plan(&s, &d8ds_v5);
    let w = &p.workloads[0];
    assert_eq!(w.configured, "autoscaler");
    assert_eq!(w.meets_target, Some(false));
    let advice = w.advice(8).unwrap_or_default();
    assert!(advice.contains("peakNodes >= 4"), "{advice}");
    // A burst that fits the existing nodes: pre-pull is the cheaper advice.
    s.workloads[0].scale_out_replicas = Some(3);
    s.scaling.prepull.images.clear();
    s.workloads[0].scale_out_target_minutes = Some(1.0);
    let p = scale_out::plan(&s, &d8ds_v5);
    let w = &p.workloads[0];
    assert_eq!(w.configured, "existing-pull");
    assert_eq!(
        w.scenario("existing-pull").and_then(|s| s.minutes),
        Some(1.48)
    );
    assert!(w.advice(8).unwrap_or_default().starts_with("pre-pull"));
    // Extraction at 40 MiB/s adds 5324.8 / 40 / 60 = 2.22 min.
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
    assert!(w.advice(8).unwrap_or_default().contains("raise max to 11"));
    // Lead 10 min, spares need 12 + 1.48: the first 3.48 min of the peak still wait.
    let mut s = baseline();
    if let Some(h) = s.scaling.hot_spare.as_mut() {
        h.lead_minutes = 10;
    }
    let w = &scale_out::plan(&s, &d8ds_v5).workloads[0];
    assert_eq!(w.scenario("hot-spare").and_then(|s| s.minutes), Some(3.48));
    // Defaults when nothing is measured: Windows 15 min, Premium 100 MB/s.
    let mut s = baseline();
    s.scaling.node_ready_minutes = None;
    s.scaling.pull_throughput_mi_bps = None;
    let w = &scale_out::plan(&s, &d8ds_v5).workloads[0];
    assert_eq!(w.node_ready_minutes.value, 15.0);
    assert!(w.node_ready_minutes.source.starts_with("default"));
    assert_eq!(w.pull_throughput_mi_bps.value, 95.37);
    // Unknown size: skipped with a reason, never guessed.
    let p = scale_out::plan(&s, &|_: &str| None);
    assert!(p.skipped[0].reason.contains("size table"));
}
