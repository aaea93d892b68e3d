//! The hot spare in the cluster (issue 17, item 3): placeholder pods scaled by CronJobs with
//! `timeZone`. The week the CronJobs make must be the week the plan shows (and the workflow
//! mode makes), every week of 2026 to 2030, across daylight saving; and what is rendered must
//! pass akswin's own manifest rules.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone};
use serde_json::Value;

const KUBECTL: &str = "contosoacr.azurecr.io/tools/kubectl:v1.35.0";

fn spec() -> akswin_spec::Spec {
    let text = akswin_spec::BASELINE_YAML.replacen(
        "    leadMinutes: 30\n",
        "    leadMinutes: 30\n    mode: placeholderPods\n    kubectlImage: kubectl\n",
        1,
    );
    assert_ne!(
        text,
        akswin_spec::BASELINE_YAML,
        "the baseline has a hot spare"
    );
    let mut spec = common::load(&text);
    spec.registry.images.push(
        serde_json::from_value(serde_json::json!({ "name": "kubectl", "ref": KUBECTL, "source": "registry.k8s.io/kubectl:v1.35.0" }))
            .unwrap(),
    );
    spec
}

fn docs(spec: &akswin_spec::Spec) -> Vec<Value> {
    let plan = akswin_plan::plan(spec);
    let tree = akswin_render::render(spec, &plan, "test");
    assert!(
        !tree.files.contains_key(".github/workflows/hot-spare.yml"),
        "no workflow in this mode"
    );
    tree.files["k8s/hot-spare.yaml"]
        .split("\n---\n")
        .map(|d| serde_saphyr::from_str(d).unwrap())
        .collect()
}

/// (UTC instant, replicas) of every CronJob run between two local dates.
fn runs(cronjobs: &[&Value], from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDateTime, u32)> {
    let mut out = Vec::new();
    for c in cronjobs {
        let sched = c["spec"]["schedule"].as_str().unwrap();
        let f: Vec<&str> = sched.split(' ').collect();
        let (minute, hour): (u32, u32) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        let days: Vec<u32> = f[4].split(',').map(|d| d.parse().unwrap()).collect();
        let tz: chrono_tz::Tz = c["spec"]["timeZone"].as_str().unwrap().parse().unwrap();
        let cmd = c["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"]
            .as_array()
            .unwrap();
        let replicas: u32 = cmd
            .iter()
            .find_map(|a| a.as_str()?.strip_prefix("--replicas=")?.parse().ok())
            .unwrap();
        let mut d = from;
        while d <= to {
            if days.contains(&d.weekday().num_days_from_sunday()) {
                let local = d.and_hms_opt(hour, minute, 0).unwrap();
                // a time in the spring-forward gap does not run; a repeated one runs once
                if let Some(t) = tz.from_local_datetime(&local).earliest() {
                    out.push((t.naive_utc(), replicas));
                }
            }
            d += Duration::days(1);
        }
    }
    out.sort();
    out
}

#[test]
fn the_cronjobs_make_the_planned_week_every_week_of_2026_to_2030() {
    let spec = spec();
    let hs = spec.scaling.hot_spare.clone().unwrap();
    let docs = docs(&spec);
    let cronjobs: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "CronJob").collect();
    assert_eq!(cronjobs.len(), 2 * hs.peaks.len());
    let mut monday = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let mut weeks = 0;
    while monday.year() <= 2030 {
        let start = monday.and_hms_opt(0, 0, 0).unwrap();
        let all = runs(
            &cronjobs,
            monday - Duration::days(9),
            monday + Duration::days(8),
        );
        // the replicas at an instant: the last run at or before it
        let at = |t: NaiveDateTime| all.iter().rfind(|(r, _)| *r <= t).map_or(0, |(_, n)| *n);
        let mut hourly = Vec::new();
        for h in 0..168 {
            let (a, b) = (start + Duration::hours(h), start + Duration::hours(h + 1));
            let most = all
                .iter()
                .filter(|(t, _)| *t > a && *t < b)
                .map(|(_, n)| *n)
                .fold(at(a), u32::max);
            hourly.push(hs.off_peak_nodes + most);
        }
        let planned = akswin_plan::hot_spare::plan(&hs, monday).hourly_nodes;
        let diff: Vec<usize> = (0..168).filter(|h| hourly[*h] != planned[*h]).collect();
        assert!(
            diff.is_empty(),
            "week of {monday}: the CronJobs and the plan differ at UTC hours {diff:?} (cron {:?}, plan {:?})",
            diff.iter().map(|h| hourly[*h]).collect::<Vec<_>>(),
            diff.iter().map(|h| planned[*h]).collect::<Vec<_>>()
        );
        weeks += 1;
        monday += Duration::days(7);
    }
    assert!(weeks >= 260);
}

#[test]
fn the_placeholders_hold_a_node_each_and_may_only_scale_themselves() {
    let spec = spec();
    let docs = docs(&spec);
    let deploy = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    let pod = &deploy["spec"]["template"]["spec"];
    assert_eq!(pod["priorityClassName"], "akswin-hot-spare");
    assert_eq!(
        pod["nodeSelector"]["kubernetes.azure.com/agentpool"],
        "win22"
    );
    let req = &pod["containers"][0]["resources"];
    assert_eq!(
        req["requests"], req["limits"],
        "Windows: requests equal limits"
    );
    let pc = docs.iter().find(|d| d["kind"] == "PriorityClass").unwrap();
    assert!(pc["value"].as_i64().unwrap() < 0);
    let role = docs.iter().find(|d| d["kind"] == "Role").unwrap();
    for rule in role["rules"].as_array().unwrap() {
        assert_eq!(
            rule["resourceNames"],
            serde_json::json!([deploy["metadata"]["name"]])
        );
        assert!(!rule["verbs"].to_string().contains("delete"));
    }
    // akswin's manifest rules pass on what it renders, with the spec as context
    let text = akswin_render::k8s::yaml(&docs);
    let cx = akswin_audit::Context::from_spec(&spec).finish();
    let r = akswin_audit::audit(
        &[akswin_audit::Input {
            name: "hot-spare.yaml".into(),
            text,
        }][..],
        &cx,
    );
    let bad: Vec<String> = r
        .findings
        .iter()
        .filter(|(_, f)| f.severity >= akswin_diag::Severity::Warning)
        .map(|(_, f)| format!("{} {}", f.code, f.message))
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
}
