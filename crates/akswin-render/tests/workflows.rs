//! The rendered workflows: valid against the GitHub workflow schema (SchemaStore, offline), and
//! their guards pick exactly the intended days and times: the rendered bash is run against the
//! Rust reference rule for every day of 2026-2030 and across daylight-saving changes.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use akswin_render::workflows::{Event, event_fires, hot_spare_events, window_runs_on};
use akswin_spec::spec::MaintenanceWindow;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

fn workflow_validator() -> Option<jsonschema::Validator> {
    let path = akswin_testkit::reference(
        "github-workflow/github-workflow.json",
        "GitHub workflow schema conformance",
    )?;
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("json");
    Some(
        jsonschema::options()
            .should_validate_formats(false)
            .build(&schema)
            .expect("validator"),
    )
}

#[test]
fn every_rendered_workflow_validates_against_the_github_schema() {
    let Some(v) = workflow_validator() else {
        return;
    };
    let mut seen = 0;
    for (scenario, tree) in common::scenarios() {
        for (file, text) in tree
            .files
            .iter()
            .filter(|(k, _)| k.starts_with(".github/workflows/"))
        {
            seen += 1;
            let doc: Value = serde_saphyr::from_str(text).expect("yaml");
            let errors: Vec<String> = v
                .iter_errors(&doc)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{scenario}/{file}: {errors:?}");
            assert!(
                doc["on"]["workflow_dispatch"].is_object(),
                "{scenario}/{file}: no workflow_dispatch"
            );
            assert!(
                doc["concurrency"]["group"].is_string(),
                "{scenario}/{file}: no concurrency group"
            );
            assert_eq!(
                doc["permissions"]["id-token"], "write",
                "{scenario}/{file}: OIDC needs id-token: write"
            );
            assert!(
                !text.contains("secrets."),
                "{scenario}/{file}: stored secrets"
            );
        }
    }
    assert!(seen >= 4, "{seen} workflows");
}

/// Run `script` (defining FUNC) in one bash process for every epoch; return the verdicts.
fn run_bash(script: &str, func: &str, epochs: &[i64]) -> Vec<bool> {
    let mut body = String::from(script);
    body.push_str(&format!(
        "\nwhile read -r e; do if {func} \"$e\"; then echo 1; else echo 0; fi; done\n"
    ));
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(&body)
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("bash");
    let input: String = epochs.iter().map(|e| format!("{e}\n")).collect();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("run");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l == "1")
        .collect()
}

fn windows() -> Vec<(String, MaintenanceWindow)> {
    let mut out = Vec::new();
    let base = common::load(akswin_spec::BASELINE_YAML);
    out.push((
        "baseline third Wednesday 02:00 UTC".to_string(),
        base.upgrades.windows_node_image.clone().expect("window"),
    ));
    for (label, yaml) in [
        (
            "third Wednesday 02:00 +05:00",
            "{ schedule: { relativeMonthly: { weekIndex: Third, dayOfWeek: Wednesday } }, startTime: \"02:00\", utcOffset: \"+05:00\", durationHours: 6 }",
        ),
        (
            "last Sunday 22:00 -05:00",
            "{ schedule: { relativeMonthly: { weekIndex: Last, dayOfWeek: Sunday } }, startTime: \"22:00\", utcOffset: \"-05:00\", durationHours: 6 }",
        ),
        (
            "first Monday 00:30 +14:00",
            "{ schedule: { relativeMonthly: { weekIndex: First, dayOfWeek: Monday } }, startTime: \"00:30\", utcOffset: \"+14:00\", durationHours: 4 }",
        ),
        (
            "day 31 03:00 UTC",
            "{ schedule: { absoluteMonthly: { dayOfMonth: 31 } }, startTime: \"03:00\", durationHours: 4 }",
        ),
    ] {
        let w: MaintenanceWindow = serde_saphyr::from_str(yaml).expect("window");
        out.push((label.to_string(), w));
    }
    out
}

fn cron_allows(cron: &str, utc: NaiveDateTime) -> bool {
    let f: Vec<&str> = cron.split_whitespace().collect();
    let field = |s: &str, v: u32| -> bool {
        s == "*"
            || s.split(',').any(|p| match p.split_once('-') {
                Some((a, b)) => (a.parse().unwrap_or(99)..=b.parse().unwrap_or(0)).contains(&v),
                None => p.parse() == Ok(v),
            })
    };
    use chrono::Timelike;
    field(f[0], utc.minute())
        && field(f[1], utc.hour())
        && field(f[2], utc.day())
        && field(f[3], utc.month())
        && field(f[4], utc.weekday().num_days_from_sunday())
}

#[test]
fn node_image_guard_picks_exactly_the_intended_day_2026_to_2030() {
    for (label, w) in windows() {
        let script = akswin_render::workflows::guard_bash(&w);
        let cron = akswin_render::workflows::window_cron(&w);
        let mut epochs = Vec::new();
        let mut expected = Vec::new();
        let mut d = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        while d.year() <= 2030 {
            // the instant the window starts on local date d, in UTC
            let local = NaiveDateTime::new(
                d,
                NaiveTime::from_hms_opt(
                    u32::from(w.start_time.hour),
                    u32::from(w.start_time.minute),
                    0,
                )
                .expect("time"),
            );
            let utc = local - chrono::Duration::minutes(i64::from(w.utc_offset.minutes));
            let intended = window_runs_on(&w, d);
            if intended {
                assert!(
                    cron_allows(&cron, utc),
                    "{label}: cron `{cron}` never fires on {d} (UTC {utc})"
                );
            }
            epochs.push(utc.and_utc().timestamp());
            expected.push(intended);
            d = d.succ_opt().expect("next");
        }
        let got = run_bash(&script, "should_run", &epochs);
        assert_eq!(
            got.len(),
            expected.len(),
            "{label}: bash did not answer for every day"
        );
        let wrong: Vec<String> = got
            .iter()
            .zip(&expected)
            .enumerate()
            .filter(|(_, (g, e))| g != e)
            .map(|(i, (g, _))| format!("day {i}: bash says {g}"))
            .collect();
        assert!(wrong.is_empty(), "{label}: {wrong:?}");
        let months = expected.iter().filter(|x| **x).count();
        if label.contains("Wednesday")
            || label.contains("Sunday")
            || label.contains("Monday")
            || label.contains("31")
        {
            assert_eq!(months, 60, "{label}: one day in each of 60 months");
        }
    }
}

#[test]
fn hot_spare_guard_is_right_across_daylight_saving() {
    let spec = common::load(akswin_spec::BASELINE_YAML);
    let events = hot_spare_events(&spec);
    assert_eq!(events.len(), 2);
    let at = |s: &str| {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .map(|d| d.and_utc().timestamp())
            .expect("time")
    };
    // every 10 minutes over the weeks around the 2027 US changes (March 14, November 7)
    let mut epochs = Vec::new();
    for (from, to) in [
        ("2027-03-08 00:00", "2027-03-22 00:00"),
        ("2027-11-01 00:00", "2027-11-15 00:00"),
    ] {
        let mut t = at(from);
        while t < at(to) {
            epochs.push(t);
            t += 600;
        }
    }
    let tree = akswin_render::render(&spec, &akswin_plan::plan(&spec), "test");
    let text = &tree.files[".github/workflows/hot-spare.yml"];
    let doc: Value = serde_saphyr::from_str(text).expect("yaml");
    let run = doc["jobs"]["scale"]["steps"][1]["run"]
        .as_str()
        .expect("script")
        .to_string();
    for (i, (e, _)) in events.iter().enumerate() {
        let func = format!("fires_{i}");
        let start = run.find(&format!("{func}() {{")).expect("function");
        let end = start + run[start..].find("\n}\n").expect("end") + 3;
        let got = run_bash(&run[start..end], &func, &epochs);
        for (k, t) in epochs.iter().enumerate() {
            assert_eq!(
                got[k],
                event_fires(e, *t),
                "event {i} at {}",
                chrono::DateTime::from_timestamp(*t, 0).expect("t")
            );
        }
        // each weekday of the window fires exactly once per day in its 50-minute slot
        let fired: usize = got.iter().filter(|x| **x).count();
        assert_eq!(
            fired,
            4 * 5 * 5,
            "event {i}: 20 weekdays x 5 ten-minute slots"
        );
    }
    // scale-up at 07:00 New York: 12:00 UTC in winter, 11:00 UTC in summer
    let up = &events[0].0;
    assert_eq!(
        up,
        &Event {
            days: vec![1, 2, 3, 4, 5],
            minutes: 7 * 60,
            tz: "America/New_York".into()
        }
    );
    assert!(event_fires(up, at("2027-03-12 12:00")) && event_fires(up, at("2027-03-15 11:00")));
    assert!(!event_fires(up, at("2027-03-15 12:00")) && !event_fires(up, at("2027-03-12 11:00")));
}

/// The hot-spare workflow and `akswin plan`'s hot-spare week must describe the same schedule:
/// same actions, days, local times and time zones, for the baseline and for a peak whose lead
/// crosses midnight.
#[test]
fn hot_spare_workflow_agrees_with_the_planned_week() {
    let overnight = akswin_spec::BASELINE_YAML.replace(
        "from: \"07:30\", to: \"18:00\"",
        "from: \"00:15\", to: \"18:00\"",
    );
    assert_ne!(overnight, akswin_spec::BASELINE_YAML);
    // a night shift: the peak ends the next morning
    let night = akswin_spec::BASELINE_YAML.replace(
        "from: \"07:30\", to: \"18:00\"",
        "from: \"22:00\", to: \"06:00\"",
    );
    for text in [akswin_spec::BASELINE_YAML.to_string(), overnight, night] {
        let spec = akswin_spec::load("s", text.as_bytes())
            .map(|l| l.spec)
            .unwrap_or_else(|e| panic!("{:?}", e.findings));
        let hs = spec.scaling.hot_spare.as_ref().expect("hot spare");
        let planned =
            akswin_plan::hot_spare::plan(hs, NaiveDate::from_ymd_opt(2027, 1, 13).unwrap());
        let mut from_plan: Vec<(bool, Vec<u32>, String, String)> = planned
            .schedule
            .iter()
            .map(|a| {
                let mut days: Vec<u32> = a.days.iter().map(|d| *d as u32 + 1).collect();
                days.sort_unstable();
                (
                    a.action == "scale-up",
                    days,
                    a.at.clone(),
                    a.timezone.clone(),
                )
            })
            .collect();
        let mut from_workflow: Vec<(bool, Vec<u32>, String, String)> = hot_spare_events(&spec)
            .into_iter()
            .map(|(e, up)| {
                let mut days = e.days.clone();
                days.sort_unstable();
                (
                    up,
                    days,
                    format!("{:02}:{:02}", e.minutes / 60, e.minutes % 60),
                    e.tz,
                )
            })
            .collect();
        from_plan.sort();
        from_workflow.sort();
        assert_eq!(from_plan, from_workflow);
    }
}

/// The hot-spare workflow waits for the peak's Windows nodes to be Ready after raising the
/// autoscaler's minimum, and fails loudly when they do not come: its wait step, run against a
/// stand-in az that reports `ready` Ready nodes of the pool (and one NotReady).
/// Runs a rendered step's bash with stand-in programs (`(name, script)`, written executable
/// into `dir`, first on PATH) and extra environment; (exit code, stdout and stderr).
#[cfg(unix)]
fn run_with_stubs(
    dir: &std::path::Path,
    script: &str,
    stubs: &[(&str, String)],
    env: &[(&str, &str)],
) -> (i32, String) {
    use std::os::unix::fs::PermissionsExt;
    for (name, body) in stubs {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(script).env(
        "PATH",
        format!(
            "{}:{}",
            dir.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The node image workflow of UPG008's passing fixture: Linux pools, the canary win22, the
/// other Windows pool win22b.
#[cfg(unix)]
fn staged_workflow() -> Value {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../akswin-rules/tests/fixtures/UPG008/pass_canary_before_the_other_windows_pool.yaml",
    ))
    .unwrap();
    let spec = common::load(&text);
    let n = akswin_plan::names::Names::new(&spec);
    akswin_render::workflows::node_image_upgrade(&spec, &n).expect("workflow")
}

#[test]
#[cfg(unix)]
fn hot_spare_waits_for_ready_nodes_and_fails_when_they_do_not_come() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: hot-spare wait (no bash)");
        return;
    }
    let spec = common::load(akswin_spec::BASELINE_YAML);
    let n = akswin_plan::names::Names::new(&spec);
    let wf = akswin_render::workflows::hot_spare(&spec, &n).expect("hot spare");
    let steps = wf["jobs"]["scale"]["steps"].as_array().unwrap();
    let wait = steps
        .iter()
        .find(|s| {
            s["name"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Wait for")
        })
        .expect("a wait step");
    assert_eq!(wait["if"], "steps.scale.outputs.action == 'up'");
    let scale = steps.iter().find(|s| s["id"] == "scale").unwrap();
    assert!(
        scale["run"]
            .as_str()
            .unwrap()
            .contains("\"action=$action\" >> \"$GITHUB_OUTPUT\"")
    );
    let peak = spec.scaling.hot_spare.as_ref().unwrap().peak_nodes;
    let run = |ready: u32| -> (i32, String) {
        let dir = tempfile::tempdir().unwrap();
        let mut nodes = String::new();
        for i in 0..ready {
            nodes.push_str(&format!(
                "akswin22{i:06}   Ready    <none>   5m   v1.35.1\n"
            ));
        }
        nodes.push_str("akswin22999999   NotReady <none>   1m   v1.35.1\n");
        if ready == 0 {
            nodes = "Error from server (Forbidden): nodes is forbidden\n".into();
        }
        run_with_stubs(
            dir.path(),
            wait["run"].as_str().unwrap(),
            &[("az", format!("#!/bin/sh\ncat <<'EOF'\n{nodes}EOF\n"))],
            &[("AKSWIN_POLL_SECONDS", "0"), ("AKSWIN_WAIT_MINUTES", "0")],
        )
    };
    let (code, out) = run(peak);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("{peak} of {peak} nodes Ready")),
        "{out}"
    );
    let (code, out) = run(peak - 1);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("::error::only"), "{out}");
    // No right to list nodes: said at once, not blamed on quota after the wait.
    let (code, out) = run(0);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("may not list the cluster's nodes"), "{out}");
    // Signed in again right before the wait, and the API token taken at once.
    let names: Vec<&str> = steps
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default())
        .collect();
    let at = names
        .iter()
        .position(|n| n.starts_with("Wait for"))
        .unwrap();
    assert_eq!(names[at - 1], "Azure login again before the wait");
    assert!(
        wait["run"].as_str().unwrap().contains(
            "az account get-access-token --resource 6dae42f8-4368-4678-94ff-3960e28e3630"
        )
    );
}

/// The staged rollout: the canary Windows pool is upgraded before the other Windows pools, and
/// its check (run here with a stand-in `az`) stops the workflow when a node is not Ready, a
/// pod on the pool does not run Ready, or the identity may not look.
#[test]
#[cfg(unix)]
fn canary_pool_goes_first_and_its_check_stops_the_rest() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: canary check (no bash)");
        return;
    }
    let wf = staged_workflow();
    let steps = wf["jobs"]["upgrade"]["steps"].as_array().unwrap();
    let names: Vec<&str> = steps
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default())
        .collect();
    let at = |prefix: &str| {
        names
            .iter()
            .position(|n| n.starts_with(prefix))
            .unwrap_or_else(|| panic!("no step {prefix}: {names:?}"))
    };
    // Linux pools, the canary, its soak, a fresh sign-in, its check, then the other Windows pool
    assert!(at("Node image: linux") < at("Node image: win22 "));
    assert!(at("Node image: win22 ") < at("Canary: win22 soaks 60 minutes"));
    assert_eq!(
        names[at("Canary: win22's nodes") - 1],
        "Azure login again before the win22 check"
    );
    assert!(at("Canary: win22's nodes") < at("Node image: win22b"));
    let check = steps[at("Canary: win22's nodes")]["run"].as_str().unwrap();
    // kubectl answered: its output and the marker its command line echoes after it
    let ok = |out: &str| format!("{out}akswin-kubectl-ok\n");
    let whole_ok = "legacyweb   akswin-canary-windows2022   3   3\nkube-system   ama-metrics-win-node   3   3\nakswin-deployments\n";
    let run_all = |nodes: &str, pods: &str, whole: &str| -> (i32, String) {
        let dir = tempfile::tempdir().unwrap();
        let az = format!(
            "#!/bin/sh\ncase \"$*\" in\n  *'get nodes'*) cat <<'EOF'\n{nodes}EOF\n  ;;\n  *'get pods'*) cat <<'EOF'\n{pods}EOF\n  ;;\n  *'get daemonsets'*) cat <<'EOF'\n{whole}EOF\n  ;;\nesac\n"
        );
        run_with_stubs(dir.path(), check, &[("az", az)], &[])
    };
    let run = |nodes: &str, pods: &str| run_all(nodes, pods, &ok(whole_ok));
    let nodes = "akswin22000000   Ready    <none>   9m   v1.35.1\nakswin22000001   Ready    <none>   7m   v1.35.1\n";
    let good = "legacyweb   legacyweb-7d9f-abcde   Running   akswin22000000   true\nlegacyweb   legacyweb-7d9f-fghij   Running   akswin22000001   true,true\nbatch   report-29876-xyz   Succeeded   akswin22000001   false\napi   api-5c4d-kkkkk   Running   aks-linux-12345-vmss000000   false\n";
    let (code, out) = run(&ok(nodes), &ok(good));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("2 nodes Ready, every pod on them running Ready"),
        "{out}"
    );
    // a DaemonSet pod the scheduler could not place (no node, so no line above) stops it
    let (code, out) = run_all(
        &ok(nodes),
        &ok(good),
        &ok("legacyweb   akswin-canary-windows2022   3   2\nakswin-deployments\n"),
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("daemonset legacyweb/akswin-canary-windows2022: 2 of 3 Ready"),
        "{out}"
    );
    // so does a Deployment pinned to the canary that is not whole (none Ready reads <none>)
    let (code, out) = run_all(
        &ok(nodes),
        &ok(good),
        &ok(&format!(
            "{whole_ok}legacyweb-canary   legacyweb-canary   1   <none>\n"
        )),
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("deployment legacyweb-canary/legacyweb-canary: 0 of 1 Ready"),
        "{out}"
    );
    let (code, out) = run_all(
        &ok(nodes),
        &ok(good),
        &ok(&format!(
            "{whole_ok}legacyweb-canary   legacyweb-canary   1   1\n"
        )),
    );
    assert_eq!(code, 0, "{out}");
    // and it fails closed when that kubectl does not answer
    let (code, out) = run_all(
        &ok(nodes),
        &ok(good),
        "(Conflict) Another operation is in progress\n",
    );
    assert_eq!(code, 1, "{out}");
    // a pod on the canary that does not come Ready stops the rollout (a Linux pod elsewhere
    // that is not Ready does not)
    let (code, out) = run(
        &ok(nodes),
        &ok(&format!(
            "{good}legacyweb   legacyweb-7d9f-zzzzz   Running   akswin22000001   false\n"
        )),
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("legacyweb/legacyweb-7d9f-zzzzz Running ready=false"),
        "{out}"
    );
    assert!(out.contains("::error::pods on win22"), "{out}");
    let (code, out) = run(
        &ok(nodes),
        &ok(&format!(
            "{good}legacyweb   legacyweb-7d9f-yyyyy   Pending   akswin22000000   <none>\n"
        )),
    );
    assert_eq!(code, 1, "{out}");
    // a node that is not Ready
    let (code, out) = run(
        &ok(&format!(
            "{nodes}akswin22000002   NotReady <none>   2m   v1.35.1\n"
        )),
        &ok(good),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("2 of 3 win22 nodes are Ready"), "{out}");
    // no nodes at all is not a pass
    let (code, _) = run(&ok(""), &ok(good));
    assert_eq!(code, 1);
    // a node no pod list shows (its DaemonSets' pods missing) is not a pass
    let (code, out) = run(
        &ok(&format!(
            "{nodes}akswin22000002   Ready    <none>   2m   v1.35.1\n"
        )),
        &ok(good),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("akswin22000002 runs no pod"), "{out}");
    // kubectl never answered (throttled, a conflict, Unauthorized): fails closed
    let (code, out) = run(&ok(nodes), "(Conflict) Another operation is in progress\n");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("kubectl did not answer"), "{out}");
    let (code, out) = run(
        "error: You must be logged in to the server (Unauthorized)\n",
        &ok(good),
    );
    assert_eq!(code, 1, "{out}");
    // the identity may not look: said at once
    let (code, out) = run(
        "Error from server (Forbidden): nodes is forbidden\n",
        &ok(good),
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("may not read the cluster's nodes and pods"),
        "{out}"
    );
}

/// A pool's upgrade is started without waiting and polled with a fresh sign-in each time
/// (stand-ins for az and curl): done only on `Succeeded` with the newest image, an error on
/// `Failed`, nothing to do on a pool already current.
#[test]
#[cfg(unix)]
fn pool_upgrade_polls_with_fresh_sign_ins_until_the_newest_image() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: pool upgrade poll (no bash)");
        return;
    }
    let wf = staged_workflow();
    let steps = wf["jobs"]["upgrade"]["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| {
            s["name"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Node image: win22b")
        })
        .unwrap();
    assert_eq!(
        step["env"]["AZURE_CLIENT_ID"],
        "${{ vars.AZURE_CLIENT_ID }}"
    );
    let script = step["run"].as_str().unwrap();
    // states: what `nodepool show` answers on each poll (provisioningState, nodeImageVersion)
    let run = |current: &str, polls: &[(&str, &str)]| -> (i32, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("calls");
        let mut states = String::new();
        for (i, (state, image)) in polls.iter().enumerate() {
            states.push_str(&format!("  {}) state={state}; image={image} ;;\n", i + 1));
        }
        let az = format!(
            "#!/bin/bash\necho \"az $*\" >> '{log}'\nn=$(grep -c 'provisioningState' '{log}')\ncase \"$n\" in\n{states}  *) state=Updating; image=old ;;\nesac\ncase \"$*\" in\n  *get-upgrades*) echo AKSWindows-2022-containerd-20348.9999.261201 ;;\n  *'--query provisioningState'*) echo \"$state\" ;;\n  *'--query nodeImageVersion'*) if [ \"$n\" -eq 0 ]; then echo '{current}'; else echo \"$image\"; fi ;;\nesac\n",
            log = log.display()
        );
        let curl = format!(
            "#!/bin/sh\necho \"curl $*\" >> '{}'\necho '{{\"count\":1,\"value\":\"eyJ.tok-en_1\"}}'\n",
            log.display()
        );
        let (code, out) = run_with_stubs(
            dir.path(),
            script,
            &[("az", az), ("curl", curl)],
            &[
                ("AKSWIN_POLL_SECONDS", "0"),
                ("AKSWIN_UPGRADE_MINUTES", "1"),
                (
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    "https://token.actions.example/?x=1",
                ),
                ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "t"),
                ("AZURE_CLIENT_ID", "c"),
                ("AZURE_TENANT_ID", "t"),
                ("AZURE_SUBSCRIPTION_ID", "s"),
            ],
        );
        (code, out, std::fs::read_to_string(&log).unwrap_or_default())
    };
    let newest = "AKSWindows-2022-containerd-20348.9999.261201";
    let old = "AKSWindows-2022-containerd-20348.2000.261101";
    // a poll that still says Succeeded on the old image (before the operation starts) is not
    // the end; Succeeded on the newest is
    let (code, out, calls) = run(
        old,
        &[
            ("Succeeded", old),
            ("UpgradingNodeImageVersion", old),
            ("Succeeded", newest),
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(calls.contains("--node-image-only --no-wait"), "{calls}");
    // a fresh sign-in with the token GitHub handed out, before every poll
    assert_eq!(calls.matches("az login --service-principal --username c --tenant t --federated-token eyJ.tok-en_1").count(), 3, "{calls}");
    assert_eq!(
        calls.matches("audience=api://AzureADTokenExchange").count(),
        3,
        "{calls}"
    );
    // a failed upgrade stops the workflow
    let (code, out, _) = run(old, &[("Failed", old)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("::error::win22b's node image upgrade ended Failed"),
        "{out}"
    );
    // already current: no upgrade started
    let (code, out, calls) = run(newest, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("already runs the newest node image"), "{out}");
    assert!(!calls.contains("nodepool upgrade"), "{calls}");
}
