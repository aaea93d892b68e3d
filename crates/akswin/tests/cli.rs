//! CLI tests: every command, every exit code, every class of bad input.

#![allow(clippy::expect_used, clippy::unwrap_used)] // helpers outside #[test] fns

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const TODAY: &str = "2026-11-26";

fn akswin() -> Command {
    let mut c = Command::cargo_bin("akswin").expect("binary built");
    c.env("AKSWIN_TODAY", TODAY).env("NO_COLOR", "1");
    c
}

/// The JSON a command printed on stdout (after its exit code was checked).
fn stdout_json(a: assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&a.get_output().stdout).expect("stdout is JSON")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn baseline_with(old: &str, new: &str) -> String {
    let b = akswin_spec::BASELINE_YAML;
    assert!(b.contains(old), "baseline lacks {old}");
    b.replacen(old, new, 1)
}

/// Write `text` into a temp dir and run `akswin check` on it.
fn check_text(text: &[u8], extra: &[&str]) -> (assert_cmd::assert::Assert, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("spec.yaml");
    std::fs::write(&p, text).expect("write");
    let a = akswin().arg("check").arg(&p).args(extra).assert();
    (a, dir)
}

#[test]
fn baseline_checks_clean_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    akswin()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "<baseline>: 0 errors, 0 warnings, 4 info",
        ))
        .stderr(predicate::str::contains("using the built-in baseline"));
}

#[test]
fn check_reads_akswin_yaml_by_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("akswin.yaml"),
        baseline_with("tier: Standard", "tier: Free"),
    )
    .expect("write");
    akswin()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "akswin.yaml: 0 errors, 0 warnings, 4 info",
        ));
}

#[test]
fn error_findings_exit_1_with_location_and_snippet() {
    let text = baseline_with("osSku: Windows2022", "osSku: Windows2019");
    let line = text
        .lines()
        .position(|l| l.contains("Windows2019"))
        .expect("line")
        + 1;
    let (a, _d) = check_text(text.as_bytes(), &[]);
    a.code(1)
        .stdout(predicate::str::contains("error[POOL004]"))
        .stdout(predicate::str::contains(format!("spec.yaml:{line}:")))
        .stdout(predicate::str::contains("^^^^^^^^^^^"))
        .stdout(predicate::str::contains(
            "pointer: /cluster/nodePools/2/osSku",
        ));
}

#[test]
fn warnings_exit_0_unless_denied() {
    let text = baseline_with("mode: Prevention", "mode: Detection");
    let (a, _d) = check_text(text.as_bytes(), &[]);
    a.code(0)
        .stdout(predicate::str::contains("warning[ING002]"));
    let (a, _d) = check_text(text.as_bytes(), &["--deny-warnings"]);
    a.code(1);
}

#[test]
fn json_output_is_versioned() {
    let text = baseline_with("mode: Prevention", "mode: Detection");
    let (a, _d) = check_text(text.as_bytes(), &["--format", "json"]);
    let out = a.code(0).get_output().stdout.clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["schemaVersion"], 1);
    let ing002 = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == "ING002"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(ing002["pointer"], "/ingress/frontDoor/waf/mode");
    assert!(ing002["location"]["line"].as_u64().is_some());
    assert_eq!(v["summary"]["warnings"], 1);
}

fn sarif_validator() -> Option<jsonschema::Validator> {
    let path = akswin_testkit::reference(
        "sarif/sarif-schema-2.1.0.json",
        "SARIF schema conformance of `check` and `audit` output",
    )?;
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("SARIF schema"))
            .expect("schema json");
    Some(jsonschema::validator_for(&schema).expect("compiles"))
}

#[test]
fn sarif_output_validates_and_lists_every_rule() {
    let validator = sarif_validator();
    for (text, code) in [
        (baseline_with("osSku: Windows2022", "osSku: Windows2019"), 1),
        (akswin_spec::BASELINE_YAML.to_string(), 0),
        (baseline_with("  tier: Standard", "  teir: Standard"), 2),
    ] {
        let (a, _d) = check_text(text.as_bytes(), &["--format", "sarif"]);
        let out = a.code(code).get_output().stdout.clone();
        let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
        if let Some(validator) = &validator {
            let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:?}");
        }
        let rules = v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules");
        assert!(rules.len() >= akswin_rules::registry().len());
    }
}

#[test]
fn bad_inputs_exit_2_with_location_and_never_panic() {
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("empty file", b"".to_vec(), "SPEC006", "spec.yaml:1:1"),
        (
            "only comments",
            b"# nothing\n".to_vec(),
            "SPEC006",
            "spec.yaml:1:1",
        ),
        (
            "binary",
            vec![0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0xff],
            "SPEC006",
            "spec.yaml:1:",
        ),
        (
            "syntax",
            b"apiVersion: akswin/v1\nname: [unclosed\n".to_vec(),
            "SPEC001",
            "spec.yaml:",
        ),
        (
            "two documents",
            format!("{}---\na: 1\n", akswin_spec::BASELINE_YAML).into_bytes(),
            "SPEC001",
            "spec.yaml:",
        ),
        (
            "unknown key",
            baseline_with("  tier: Standard", "  teir: Standard").into_bytes(),
            "SPEC002",
            "did you mean `tier`",
        ),
        (
            "wrong type",
            baseline_with("min: 2, max: 8,", "min: 2, max: eight,").into_bytes(),
            "SPEC003",
            "expected a whole number",
        ),
        (
            "wrong type list",
            baseline_with("location: eastus2", "location: [eastus2]").into_bytes(),
            "SPEC003",
            "expected a string",
        ),
        (
            "bad cidr",
            baseline_with("serviceCidr: 172.16.0.0/16", "serviceCidr: 172.16.0.0/33").into_bytes(),
            "SPEC003",
            "prefix length",
        ),
        (
            "host bits",
            baseline_with("serviceCidr: 172.16.0.0/16", "serviceCidr: 172.16.0.1/16").into_bytes(),
            "SPEC003",
            "did you mean 172.16.0.0/16",
        ),
        (
            "unknown enum",
            baseline_with("osSku: Windows2022", "osSku: Windows2023").into_bytes(),
            "SPEC003",
            "did you mean `Windows2022`",
        ),
        (
            "duplicate key",
            baseline_with("location: eastus2", "location: eastus2\nlocation: westus").into_bytes(),
            "SPEC004",
            "duplicate key `location`",
        ),
        (
            "missing key",
            baseline_with("apiVersion: akswin/v1\n", "").into_bytes(),
            "SPEC003",
            "missing required key `apiVersion`",
        ),
        (
            "bad version",
            baseline_with("kubernetesVersion: \"1.35\"", "kubernetesVersion: \"one\"").into_bytes(),
            "SPEC003",
            "not a Kubernetes version",
        ),
        (
            "bad host",
            baseline_with("host: legacy.contoso.com", "host: legacy/contoso").into_bytes(),
            "SPEC003",
            "not a host name",
        ),
        (
            "bad region",
            baseline_with("location: eastus2", "location: East US 2").into_bytes(),
            "SPEC003",
            "not an Azure region",
        ),
        (
            "empty name",
            baseline_with("name: contoso-legacy", "name: \"\"").into_bytes(),
            "SPEC005",
            "`name` is empty",
        ),
        (
            "zero pull throughput",
            baseline_with("pullThroughputMiBps: 60", "pullThroughputMiBps: 0").into_bytes(),
            "SPEC005",
            "`/scaling/pullThroughputMiBps` is 0; it must be a number above 0",
        ),
        (
            "NaN image size",
            baseline_with("sizeGiB: 5.2", "sizeGiB: .nan").into_bytes(),
            "SPEC005",
            "`/registry/images/0/sizeGiB` is NaN",
        ),
        (
            "negative node ready time",
            baseline_with("windows: 12, linux: 4", "windows: -5, linux: 4").into_bytes(),
            "SPEC005",
            "`/scaling/nodeReadyMinutes/windows` is -5",
        ),
        (
            "infinite ingestion",
            baseline_with("logAnalyticsGiBPerDay: 2", "logAnalyticsGiBPerDay: .inf").into_bytes(),
            "SPEC005",
            "`/cost/logAnalyticsGiBPerDay` is inf",
        ),
        (
            "quote in a secret name (found by fuzzing: it broke the ARM expression)",
            baseline_with(
                "keyVaultSecret: legacy-contoso-tls",
                "keyVaultSecret: \"legacy-'tls\"",
            )
            .into_bytes(),
            "SPEC005",
            "is not a Key Vault secret name",
        ),
        ("huge", vec![b'#'; 2 * 1024 * 1024], "SPEC006", "at most"),
        (
            "a list where a string belongs",
            baseline_with("location: eastus2", "location: [eastus2]").into_bytes(),
            "SPEC003",
            "expected a string",
        ),
        (
            "deep nesting",
            format!("a: {}", "[".repeat(100_000)).into_bytes(),
            "SPEC006",
            "nests deeper",
        ),
        (
            "alias bomb",
            {
                let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
                for i in 1..12 {
                    s.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
                }
                s.into_bytes()
            },
            "SPEC",
            "spec.yaml:",
        ),
    ];
    for (what, bytes, code, needle) in cases {
        let (a, _d) = check_text(&bytes, &[]);
        let out = a.get_output();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stdout}{stderr}");
        assert!(stdout.contains(code), "{what}: {stdout}");
        assert!(
            stdout.contains(needle),
            "{what}: wanted `{needle}` in {stdout}"
        );
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        let located = stdout
            .split("--> ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|loc| {
                let parts: Vec<&str> = loc.rsplitn(3, ':').collect();
                parts.len() == 3
                    && parts[2].ends_with("spec.yaml")
                    && parts[0].parse::<u32>().is_ok_and(|c| c >= 1)
                    && parts[1].parse::<u32>().is_ok_and(|l| l >= 1)
            });
        assert!(located, "{what}: no file:line:col in {stdout}");
    }
}

#[test]
fn crlf_and_bom_keep_positions() {
    let text = baseline_with("osSku: Windows2022", "osSku: Windows2019");
    let line = text
        .lines()
        .position(|l| l.contains("Windows2019"))
        .expect("line")
        + 1;
    let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    let (a, _d) = check_text(crlf.as_bytes(), &["--format", "json"]);
    let out = a.code(1).get_output().stdout.clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    // The finding on the changed line (the baseline's information findings come too).
    let f = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["severity"] == "error")
        .expect("an error");
    assert_eq!(f["location"]["line"], line);
    assert_eq!(f["location"]["col"], 54);
}

#[test]
fn unreadable_inputs_exit_2_with_hint() {
    akswin()
        .args(["check", "does-not-exist.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read `does-not-exist.yaml`",
        ))
        .stderr(predicate::str::contains("hint:"));
    let dir = tempfile::tempdir().expect("tempdir");
    akswin()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
    akswin()
        .args(["check", "--today", "yesterday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a date"));
    akswin().args(["check", "--format", "xml"]).assert().code(2);
    akswin().arg("frobnicate").assert().code(2);
}

#[test]
fn stdin_is_read_with_dash() {
    akswin()
        .args(["check", "-"])
        .write_stdin(akswin_spec::BASELINE_YAML)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "<stdin>: 0 errors, 0 warnings, 4 info",
        ));
}

/// Specs with a literal secret planted in every secret-bearing field, one spec that loads
/// (the rules report the literals) and specs that do not (a credential for a secret name, a
/// wrong type, a syntax error), with the secret values to look for.
fn planted_secret_specs() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let loads = baseline_with(
        "adminPassword: { keyVaultSecret: windows-admin-password }",
        "adminPassword: \"Win-Literal-Secret-1\"",
    )
    .replacen(
        "      vmSize: Standard_D2ds_v5\n",
        "      vmSize: Standard_D2ds_v5\n      adminPassword: \"Dc-Literal-Secret-2\"\n      safeModePassword: 424242424242\n",
        1,
    )
    .replacen(
        "keyVaultSecret: gmsa-standard-user",
        "keyVaultSecret: \"CORP\\\\svc-gmsa:Gmsa-Literal-Secret-3\"",
        1,
    );
    // A credential where a secret name belongs does not load (SPEC005).
    let bad_name = baseline_with(
        "certificate: { keyVaultSecret: legacy-contoso-tls }",
        "certificate: { keyVaultSecret: \"cert:Cert-Literal-Secret-4\" }",
    );
    let wrong_type = baseline_with(
        "adminPassword: { keyVaultSecret: windows-admin-password }",
        "adminPassword: [\"Win-Listed-Secret-5\"]",
    );
    let syntax = baseline_with(
        "adminPassword: { keyVaultSecret: windows-admin-password }",
        "adminPassword: \"Win-Unclosed-Secret-6",
    );
    vec![
        (
            "loads",
            loads,
            vec![
                "Win-Literal-Secret-1",
                "Dc-Literal-Secret-2",
                "424242424242",
                "Gmsa-Literal-Secret-3",
            ],
        ),
        ("bad secret name", bad_name, vec!["Cert-Literal-Secret-4"]),
        ("wrong type", wrong_type, vec!["Win-Listed-Secret-5"]),
        ("syntax error", syntax, vec!["Win-Unclosed-Secret-6"]),
    ]
}

#[test]
fn literal_secrets_are_never_printed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut runs = 0;
    for (what, text, secrets) in planted_secret_specs() {
        for s in &secrets {
            assert!(text.contains(s), "{what}: {s} not planted");
        }
        let p = dir.path().join("s.yaml");
        std::fs::write(&p, &text).expect("write");
        let html = dir.path().join("r.html");
        let out = dir.path().join("out");
        let artifact = dir.path().join("plan.json");
        let cluster = repo().join("crates/akswin/tests/fixtures/drift/aks-show.json");
        let commands: Vec<Vec<String>> = [
            vec!["check"],
            vec!["check", "--format", "json"],
            vec!["check", "--format", "sarif"],
            vec!["plan"],
            vec!["plan", "--format", "json"],
            vec!["plan", "--out", artifact.to_str().expect("utf-8 path")],
            vec!["report", "--format", "json"],
            vec!["report", "-o", html.to_str().expect("utf-8 path")],
            vec!["render", "--out", out.to_str().expect("utf-8 path")],
            vec!["envs"],
            vec!["envs", "--format", "json"],
            vec!["diff", "--cluster", cluster.to_str().expect("utf-8 path")],
            vec![
                "diff",
                "--format",
                "json",
                "--cluster",
                cluster.to_str().expect("utf-8 path"),
            ],
        ]
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
        for c in commands {
            let o = akswin()
                .args(&c)
                .arg(&p)
                .env("NO_COLOR", "1")
                .output()
                .expect("runs");
            let mut all = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            // Files the command wrote: the report, the plan artifact, the rendered tree.
            for f in [&html, &artifact] {
                if let Ok(h) = std::fs::read_to_string(f) {
                    all.push_str(&h);
                    std::fs::remove_file(f).expect("rm");
                }
            }
            if out.is_dir() {
                for e in walkdir::WalkDir::new(&out).into_iter().flatten() {
                    if e.file_type().is_file() {
                        all.push_str(&String::from_utf8_lossy(
                            &std::fs::read(e.path()).expect("read"),
                        ));
                    }
                }
                std::fs::remove_dir_all(&out).expect("rm");
            }
            assert!(
                matches!(o.status.code(), Some(0..=2)),
                "{what}: {c:?} crashed: {all}"
            );
            for s in &secrets {
                assert!(
                    !all.contains(s),
                    "{what}: `akswin {c:?}` printed {s}:\n{all}"
                );
            }
            runs += 1;
        }
        // The spec that loads: every literal is reported, each at its line.
        if what == "loads" {
            let (a, _d) = check_text(text.as_bytes(), &[]);
            let o = String::from_utf8_lossy(&a.code(1).get_output().stdout).to_string();
            for code in ["POOL009", "ID004"] {
                assert!(o.contains(code), "{o}");
            }
            assert!(
                o.contains("adminPassword: ****"),
                "the snippet keeps the key: {o}"
            );
        }
    }
    assert_eq!(runs, 52);
}

#[test]
fn explain_works_for_every_code() {
    for r in akswin_rules::registry() {
        let code = r.meta().code;
        akswin()
            .args(["explain", &code.to_ascii_lowercase()])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(format!("# {code}")))
            .stdout(predicate::str::contains("## How to fix"));
    }
    for (code, _, _) in akswin_spec::INPUT_ERRORS {
        akswin().args(["explain", code]).assert().code(0);
    }
    akswin()
        .args(["explain", "POOL04"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean POOL004"));
}

#[test]
fn rules_lists_every_rule() {
    let v = stdout_json(
        akswin()
            .args(["rules", "--format", "json"])
            .assert()
            .code(0),
    );
    assert_eq!(
        v["rules"].as_array().map(Vec::len),
        Some(
            akswin_rules::registry().len()
                + akswin_audit::registry().len()
                + akswin_pipeline::metas().len()
        )
    );
    akswin()
        .arg("rules")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("NET001"));
}

#[test]
fn init_writes_the_baseline_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("akswin.yaml");
    akswin().args(["init", "-o"]).arg(&p).assert().code(0);
    let text = std::fs::read_to_string(&p).expect("written");
    assert!(text.contains("# akswin spec: the"), "comments kept");
    // The header is for users: no design notes, no paths outside their repository.
    for internal in ["SHAPE", "../seed", "../shared", "facts.md"] {
        assert!(!text.contains(internal), "init writes {internal}");
    }
    akswin().arg("check").arg(&p).assert().code(0);
    // A fresh suffix for the globally unique names each time (NAM002), never the baseline's.
    let suffix = |t: &str| -> String {
        t.lines()
            .find_map(|l| l.strip_prefix("nameSuffix: "))
            .and_then(|r| r.split_whitespace().next())
            .expect("a nameSuffix line")
            .to_string()
    };
    let first = suffix(&text);
    assert!(
        first.len() == 4
            && first
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{first}"
    );
    assert_ne!(first, suffix(akswin_spec::BASELINE_YAML));
    let q = dir.path().join("second.yaml");
    akswin().args(["init", "-o"]).arg(&q).assert().code(0);
    assert_ne!(first, suffix(&std::fs::read_to_string(&q).expect("second")));
    std::fs::remove_file(&q).expect("remove");
    std::fs::write(&p, "mine").expect("write");
    akswin()
        .args(["init", "-o"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(&p).expect("kept"), "mine");
    akswin()
        .args(["init", "--force", "-o"])
        .arg(&p)
        .assert()
        .code(0);
    assert!(
        std::fs::read_to_string(&p)
            .expect("rewritten")
            .contains("apiVersion")
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "no temp files left behind");
}

#[test]
fn plan_prints_the_model_and_what_is_not_planned() {
    let dir = tempfile::tempdir().expect("tempdir");
    akswin()
        .current_dir(dir.path())
        .arg("plan")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("win22"))
        .stdout(predicate::str::contains("Windows2022"))
        .stdout(predicate::str::contains("windowsNodes"))
        .stdout(predicate::str::contains("Address plan"))
        .stdout(predicate::str::contains("Scale-out (Windows workloads)"))
        .stdout(predicate::str::contains("Monthly cost (USD"))
        .stdout(predicate::str::contains(
            "Ingress (each workload with a port, on the path its auth needs)",
        ))
        .stdout(
            predicate::str::is_match(
                r"legacyweb +appProxy +legacy\.contoso\.com +10\.240\.5\.4:443",
            )
            .expect("regex"),
        )
        .stdout(predicate::str::contains("Not planned yet").not());
    let v = stdout_json(
        akswin()
            .current_dir(dir.path())
            .args(["plan", "--format", "json"])
            .assert()
            .code(0),
    );
    assert_eq!(v["pools"][2]["name"], "win22");
    assert_eq!(v["pools"][2]["maxNodes"], 8);
    assert!(v.get("notPlannedYet").is_none());
    // Every number of the report is in the JSON: scale-out and cost, worked out in the
    // akswin-plan unit tests.
    assert_eq!(v["scaleOut"]["workloads"][0]["podsPerNode"], 3);
    assert_eq!(v["scaleOut"]["workloads"][0]["meetsTarget"], true);
    assert_eq!(v["cost"]["totalMonthly"], 4699.71);
    assert_eq!(v["cost"]["windowsLicence"]["paygMonthly"], 889.07);
    assert_eq!(v["prices"]["region"], "eastus");
}

#[test]
fn plan_prices_from_a_retail_prices_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../akswin-plan/tests/data/retail-prices-sample.json"
    );
    let v = stdout_json(
        akswin()
            .current_dir(dir.path())
            .args(["plan", "--format", "json", "--prices", sample])
            .assert()
            .code(0),
    );
    assert_eq!(
        v["prices"]["retailFile"]["matched"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    // The sample holds no VPN gateway meter: that line alone stays unpriced, and says so.
    assert_eq!(
        v["cost"]["unpriced"],
        serde_json::json!(["VPN gateway VpnGw1AZ"])
    );
    // COST001 quotes the amount plan shows, from the same prices (it ignored --prices before).
    let licence = v["cost"]["windowsLicence"]["paygMonthly"]
        .as_f64()
        .expect("licence priced");
    let c = stdout_json(
        akswin()
            .current_dir(dir.path())
            .args(["check", "--format", "json", "--prices", sample])
            .assert()
            .code(0),
    );
    let cost001 = c["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == "COST001"))
        .and_then(|f| f["message"].as_str())
        .expect("COST001")
        .to_string();
    assert!(
        cost001.contains(&format!("{licence:.2}")),
        "{cost001} vs {licence:.2}"
    );
    assert!(cost001.contains("retail-prices-sample.json"), "{cost001}");
    let embedded = stdout_json(
        akswin()
            .current_dir(dir.path())
            .args(["check", "--format", "json"])
            .assert()
            .code(0),
    );
    let e001 = embedded["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == "COST001"))
        .and_then(|f| f["message"].as_str())
        .expect("COST001")
        .to_string();
    assert_ne!(e001, cost001, "the file's prices change what COST001 says");
    // A file that is not a Retail Prices response: exit 2 with the position and a hint.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"Items\": [1,\n").expect("write");
    akswin()
        .current_dir(dir.path())
        .args(["plan", "--prices"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json:3:"))
        .stderr(predicate::str::contains("Items"));
    akswin()
        .current_dir(dir.path())
        .args(["plan", "--prices", "missing.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read prices `missing.json`",
        ));
}

#[test]
fn plan_network_shows_the_address_plan_and_writes_the_artifact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("plan.json");
    akswin()
        .current_dir(dir.path())
        .args(["plan", "network", "--out"])
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("snet-windows-nodes"))
        .stdout(predicate::str::contains("10.200.0.4 (next hop"))
        .stdout(predicate::str::contains("NET/EGR rules: no findings"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("artifact written"))
            .expect("json");
    assert_eq!(v["schemaVersion"], 3);
    assert_eq!(v["spec"]["name"], "contoso-legacy");
    assert!(v["models"]["cost"].is_object());
    let subnets: Vec<&serde_json::Value> = v["network"]["vnets"]
        .as_array()
        .expect("vnets")
        .iter()
        .flat_map(|n| n["subnets"].as_array().expect("subnets"))
        .collect();
    let win = subnets
        .iter()
        .find(|s| s["key"] == "windowsNodes")
        .expect("windows subnet");
    assert_eq!(win["demand"]["atMaxSurge"], 341);
    assert!(win["prefix"].as_str().is_some_and(|p| p.ends_with("/23")));
    // same spec, same plan, byte for byte
    let again = dir.path().join("again.json");
    akswin()
        .current_dir(dir.path())
        .args(["plan", "--out"])
        .arg(&again)
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read(&out).expect("first"),
        std::fs::read(&again).expect("second")
    );
    // a spec file after the subcommand
    let spec = dir.path().join("s.yaml");
    std::fs::write(
        &spec,
        baseline_with(
            "addressSpace: [10.240.0.0/16]",
            "addressSpace: [10.240.0.0/22]",
        ),
    )
    .expect("write");
    akswin()
        .args(["plan", "network"])
        .arg(&spec)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("cannot place"));
    akswin()
        .arg("check")
        .arg(&spec)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[NET004]"));
}

#[test]
fn committed_schema_matches_the_types_and_accepts_the_baseline() {
    let committed = std::fs::read_to_string(repo().join("schema/akswin.schema.json"))
        .expect("schema committed");
    let out = akswin()
        .arg("schema")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&out),
        committed,
        "schema/akswin.schema.json is stale: run `cargo run -- schema -o schema/akswin.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).expect("json");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let baseline: serde_json::Value = serde_json::to_value(
        &akswin_spec::load("b", akswin_spec::BASELINE_YAML.as_bytes())
            .expect("loads")
            .spec,
    )
    .expect("json");
    let errors: Vec<String> = validator
        .iter_errors(&baseline)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn committed_rule_reference_is_current() {
    let committed =
        std::fs::read_to_string(repo().join("docs/rules.md")).expect("docs/rules.md committed");
    let out = akswin()
        .args(["rules", "--format", "markdown"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&out),
        committed,
        "docs/rules.md is stale: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn every_fixture_as_written_validates_against_the_schema() {
    // What editors see: the YAML as written, not the model with defaults.
    let committed =
        std::fs::read_to_string(repo().join("schema/akswin.schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&committed).expect("json");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let mut files = vec![(
        String::from("baseline"),
        akswin_spec::BASELINE_YAML.to_string(),
    )];
    let root = repo().join("crates/akswin-rules/tests/fixtures");
    for dir in std::fs::read_dir(&root).expect("fixtures") {
        let dir = dir.expect("entry").path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).expect("dir") {
                let f = f.expect("entry").path();
                files.push((
                    f.display().to_string(),
                    std::fs::read_to_string(&f).expect("read"),
                ));
            }
        }
    }
    // The schema refuses literal secrets so that editors flag them; the parser accepts them
    // only so that POOL009 and ID004 can point at them. These fixtures must fail the schema.
    let secret_fixtures = [
        "POOL009/fail_literal_password.yaml",
        "ID004/fail_literal_dc_password.yaml",
        "ID004/fail_credential_as_secret_name.yaml",
        "NET015/fail_literal_shared_key.yaml",
    ];
    let mut failures = Vec::new();
    for (name, text) in &files {
        let value: serde_json::Value = serde_saphyr::from_str(text).expect("yaml");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("at {}", e.instance_path()))
            .collect();
        let expect_failure = secret_fixtures.iter().any(|f| name.ends_with(f));
        if errors.is_empty() == expect_failure {
            failures.push(format!(
                "{name}: expected failure {expect_failure}, errors {errors:?}"
            ));
        }
    }
    assert!(files.len() > 100);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn render_writes_the_tree_refuses_errors_and_never_half_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    akswin()
        .current_dir(dir.path())
        .args(["render", "--out"])
        .arg(&out)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("rendered"));
    for f in [
        "arm/main.json",
        "arm/main.parameters.json",
        "arm/bootstrap.json",
        "arm/frontdoor.json",
        "deploy.sh",
        "README.md",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("deploy.sh"))
            .expect("meta")
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "deploy.sh is executable");
    }
    let before = std::fs::read(out.join("arm/main.json")).expect("main");
    // an existing directory is not replaced without --force
    akswin()
        .current_dir(dir.path())
        .args(["render", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    // a spec with errors is refused and the old tree stays as it was
    let spec = dir.path().join("bad.yaml");
    std::fs::write(
        &spec,
        baseline_with("osSku: Windows2022", "osSku: Windows2019"),
    )
    .expect("write");
    akswin()
        .args(["render"])
        .arg(&spec)
        .args(["--force", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[POOL004]"));
    assert_eq!(
        std::fs::read(out.join("arm/main.json")).expect("kept"),
        before
    );
    // --force replaces it, with identical bytes for the same spec
    akswin()
        .current_dir(dir.path())
        .args(["render", "--force", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read(out.join("arm/main.json")).expect("same"),
        before
    );
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("akswin-tmp") || n.contains("akswin-old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn what_render_cannot_do_is_a_finding_of_check_and_render() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("p.yaml");
    std::fs::write(
        &spec,
        baseline_with(
            "adminPassword: { keyVaultSecret: windows-admin-password }",
            "adminPassword: { parameter: windowsAdminPassword }",
        ),
    )
    .expect("write");
    // check reports it, located, with a code explain knows (exit 1: a finding, not a failure).
    let v = stdout_json(
        akswin()
            .args(["check", "--format", "json"])
            .arg(&spec)
            .assert()
            .code(1),
    );
    let f = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == "RND001"))
        .cloned()
        .expect("RND001");
    assert_eq!(f["pointer"], "/cluster/windowsProfile/adminPassword");
    assert!(f["location"]["line"].as_u64().is_some());
    akswin().args(["explain", "RND001"]).assert().code(0);
    // render refuses with the same finding and writes nothing.
    akswin()
        .args(["render"])
        .arg(&spec)
        .args(["--out"])
        .arg(dir.path().join("o"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[RND001]"))
        .stdout(predicate::str::contains("p.yaml:"))
        .stdout(predicate::str::contains(
            "not supported by `akswin render` yet",
        ));
    assert!(!dir.path().join("o").exists());
}

fn audit_fixture(rel: &str) -> PathBuf {
    repo().join("crates/akswin-audit/tests/fixtures").join(rel)
}

#[test]
fn audit_reports_across_files_and_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("sub/.hidden")).expect("mkdir");
    std::fs::copy(
        audit_fixture("WIN010/fail_public_lb_crlf.yaml"),
        dir.path().join("svc.yaml"),
    )
    .expect("copy");
    std::fs::copy(
        audit_fixture("K8S000/fail_broken_document_in_helm_output.yaml"),
        dir.path().join("sub/helm.yml"),
    )
    .expect("copy");
    std::fs::write(dir.path().join("sub/.hidden/skip.yaml"), "kind: [").expect("write");
    std::fs::write(dir.path().join("sub/notes.txt"), "not yaml").expect("write");
    let out = akswin()
        .args(["audit"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("error[WIN010]") && stdout.contains("svc.yaml:6:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("error[K8S000]") && stdout.contains("helm.yml:"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("skip.yaml"),
        "hidden directories are skipped"
    );
    // JSON
    let v = stdout_json(
        akswin()
            .args(["audit", "--format", "json"])
            .arg(dir.path())
            .assert()
            .code(1),
    );
    assert_eq!(v["inputs"].as_array().map(Vec::len), Some(2));
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "WIN010" && f["location"]["line"] == 6)
    );
    // SARIF validates
    let v = stdout_json(
        akswin()
            .args(["audit", "--format", "sarif"])
            .arg(dir.path())
            .assert()
            .code(1),
    );
    if let Some(validator) = sarif_validator() {
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    // JUnit
    let out = akswin()
        .args(["audit", "--format", "junit"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let x = String::from_utf8_lossy(&out);
    assert!(
        x.starts_with("<?xml")
            && x.contains("<testsuites")
            && x.trim_end().ends_with("</testsuites>"),
        "{x}"
    );
    assert_eq!(x.matches("<testsuite ").count(), 2);
    assert!(x.contains("<failure type=\"error\""));
}

#[test]
fn audit_context_stdin_and_bad_arguments() {
    let spec = repo().join("crates/akswin-audit/tests/fixtures/context.yaml");
    let text = std::fs::read_to_string(audit_fixture("WIN018/fail_pool_that_does_not_exist.yaml"))
        .expect("read");
    akswin()
        .args(["audit", "-", "--spec"])
        .arg(&spec)
        .write_stdin(text.clone())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[WIN018]"))
        .stdout(predicate::str::contains("<stdin>:"));
    // without context the rule says so instead of guessing
    akswin()
        .args(["audit", "-"])
        .write_stdin(text)
        .assert()
        .stdout(predicate::str::contains("no cluster context"));
    // az aks show JSON as context
    let dir = tempfile::tempdir().expect("tempdir");
    let cluster = dir.path().join("aks.json");
    std::fs::write(&cluster, r#"{"currentKubernetesVersion":"1.35.2","agentPoolProfiles":[{"name":"system","osType":"Linux","osSku":"Ubuntu"},{"name":"win22","osType":"Windows","osSku":"Windows2022"}]}"#).expect("write");
    akswin()
        .args(["audit", "--cluster"])
        .arg(&cluster)
        .arg(audit_fixture("WIN018/pass_existing_pool.yaml"))
        .assert()
        .code(0);
    akswin()
        .args(["audit", "nope-does-not-exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
    akswin()
        .args(["audit", "--k8s-version", "two"])
        .arg(audit_fixture("K8S001"))
        .assert()
        .code(2);
    std::fs::write(dir.path().join("bad.json"), "{").expect("write");
    akswin()
        .args(["audit", "--cluster"])
        .arg(dir.path().join("bad.json"))
        .arg(audit_fixture("K8S001"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not JSON"));
    // A --cluster file is bounded: a huge one is refused before it is read, and so is a directory.
    let big = std::fs::File::create(dir.path().join("big.json")).expect("create");
    big.set_len(17 * 1024 * 1024).expect("sparse file");
    akswin()
        .args(["audit", "--cluster"])
        .arg(dir.path().join("big.json"))
        .arg(audit_fixture("K8S001"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("above the 16 MiB akswin reads"));
    akswin()
        .args(["audit", "--cluster"])
        .arg(dir.path())
        .arg(audit_fixture("K8S001"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
    let empty = tempfile::tempdir().expect("tempdir");
    akswin()
        .args(["audit"])
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no .yaml"));
}

#[test]
fn explain_and_rules_cover_manifest_rules() {
    akswin()
        .args(["explain", "win004"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("# WIN004"));
    let v = stdout_json(
        akswin()
            .args(["rules", "--format", "json"])
            .assert()
            .code(0),
    );
    let codes: Vec<&str> = v["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(codes.contains(&"WIN018") && codes.contains(&"K8S000") && codes.contains(&"NET004"));
}

#[test]
fn help_teaches() {
    akswin()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("akswin init"))
        .stdout(predicate::str::contains("Exit codes"));
    akswin()
        .args(["check", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--deny-warnings"));
}

#[test]
fn plan_shows_the_upgrade_calendar_from_today() {
    // September 2027 starts on a Wednesday: the third Wednesday (15th) is the day after Patch
    // Tuesday (14th), and the table says the month's image may not be there yet.
    let v = stdout_json(
        akswin()
            .args(["plan", "--format", "json", "--today", "2027-09-01"])
            .assert()
            .success(),
    );
    let cal = &v["upgradeCalendar"]["windows"];
    assert_eq!(cal.as_array().map(Vec::len), Some(12));
    assert_eq!(cal[0]["localStart"], "2027-09-15T02:00:00");
    assert_eq!(cal[0]["patchTuesday"], "2027-09-14");
    assert_eq!(cal[0]["daysAfterPatchTuesday"], 1);
    assert_eq!(cal[1]["localStart"], "2027-10-20T02:00:00");
    let human = akswin()
        .args(["plan", "--today", "2027-09-01"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&human.get_output().stdout).into_owned();
    assert!(text.contains("Wed 2027-09-15 02:00 +00:00"), "{text}");
    assert!(text.contains("+1 d (soon after Patch Tuesday"), "{text}");
}

#[test]
fn plan_shows_the_hot_spare_week() {
    let v = stdout_json(
        akswin()
            .args(["plan", "--format", "json", "--today", "2027-01-13"])
            .assert()
            .success(),
    );
    let hs = &v["hotSpare"];
    assert_eq!(hs["weekStartUtc"], "2027-01-11");
    assert_eq!(hs["addedNodeHoursPerWeek"], 220.0);
    assert_eq!(hs["schedule"][0]["at"], "07:00");
    assert_eq!(hs["hourlyNodes"][12], 6);
}

#[test]
fn today_outside_the_calendar_range_is_refused() {
    // Far-future dates overflow date arithmetic in the calendar and hot-spare models.
    akswin()
        .args(["plan", "--today", "262143-12-31"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "between 1900-01-01 and 9999-12-31",
        ));
}

#[test]
fn report_writes_one_self_contained_page_and_json_with_every_number() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = dir.path().join("report.html");
    akswin()
        .current_dir(dir.path())
        .args(["report", "--today", "2026-11-26", "-o"])
        .arg(&html)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("wrote the report to"));
    let text = std::fs::read_to_string(&html).expect("report written");
    assert!(text.starts_with("<!DOCTYPE html>"));
    assert!(text.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"topology\""));
    assert!(text.contains("COST001") && text.contains("What it checks"));
    assert!(!text.contains("<script") && !text.contains("<link"));
    // No temporary file is left next to it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names, vec!["report.html".to_string()]);
    let _ = std::fs::remove_file(&html);
    let v = stdout_json(
        akswin()
            .current_dir(dir.path())
            .args(["report", "--format", "json", "--today", "2026-11-26"])
            .assert()
            .code(0),
    );
    assert_eq!(v["cost"]["totalMonthly"], 4699.71);
    assert_eq!(v["hotSpare"]["addedNodeHoursPerWeek"], 220.0);
    assert_eq!(
        v["upgradeCalendar"]["windows"].as_array().map(Vec::len),
        Some(12)
    );
    let cost001 = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == "COST001"))
        .expect("COST001 reported");
    assert!(
        cost001["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("Hybrid Benefit"))
    );
    // The example landing zone of 20 spokes checks clean and reports every VNet.
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/landing-zone-20-spokes.yaml"
    );
    akswin()
        .args(["check", example, "--today", "2026-11-26", "--deny-warnings"])
        .assert()
        .code(0);
    let lz = dir.path().join("lz.html");
    akswin()
        .args(["report", example, "--today", "2026-11-26", "-o"])
        .arg(&lz)
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&lz).expect("report written");
    assert_eq!(text.matches("class=\"vnet\"").count(), 21);
    assert!(text.contains("Peered spoke vnet-archive (existing)"));
    // A spec that does not load: exit 2 and no file written.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "apiVersion: akswin/v1\nname: [").expect("write");
    let out = dir.path().join("never.html");
    akswin()
        .current_dir(dir.path())
        .arg("report")
        .arg(&bad)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.exists());
}

#[test]
fn audit_survives_symlink_loops_and_reports_binary_files_without_inventing_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("chart");
    std::fs::create_dir_all(root.join("templates")).expect("mkdir");
    std::fs::copy(
        audit_fixture("WIN007/pass_equal.yaml"),
        root.join("templates/web.yaml"),
    )
    .expect("copy");
    // A link back to the chart's root: a walker that follows it never ends.
    #[cfg(unix)]
    std::os::unix::fs::symlink(&root, root.join("templates/loop")).expect("symlink");
    std::fs::write(root.join("templates/blob.yaml"), b"\x00\x01\x02 not text").expect("write");
    let a = akswin()
        .args(["audit", "--format", "json"])
        .arg(&root)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    #[cfg(unix)]
    assert!(stderr.contains("symbolic link loop"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    let binary: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["code"] == "K8S000").collect();
    assert_eq!(binary.len(), 1, "{findings:#?}");
    assert!(
        binary[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("binary file")
    );
    // The human view shows no invented source line for it.
    let h = akswin()
        .args(["audit"])
        .arg(&root)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&h.get_output().stdout).to_string();
    assert!(!out.contains("kind: "), "{out}");
    assert!(!out.contains("# binary file"), "{out}");
}

#[test]
fn render_from_the_plan_alone_writes_what_render_from_the_spec_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("s.yaml");
    std::fs::write(&spec, akswin_spec::BASELINE_YAML).expect("write");
    let plan = dir.path().join("plan.json");
    akswin()
        .arg("plan")
        .arg(&spec)
        .arg("--out")
        .arg(&plan)
        .assert()
        .code(0);
    akswin()
        .args(["render", "--plan"])
        .arg(&plan)
        .arg("--out")
        .arg(dir.path().join("a"))
        .assert()
        .code(0)
        .stderr(predicate::str::contains("from the plan"));
    akswin()
        .arg("render")
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("b"))
        .assert()
        .code(0);
    let files =
        |d: &str| -> std::collections::BTreeMap<String, Vec<u8>> { walk(&dir.path().join(d)) };
    fn walk(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
        let mut out = std::collections::BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("dir") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).expect("under").display().to_string();
                    out.insert(rel, std::fs::read(&p).expect("read"));
                }
            }
        }
        out
    }
    let (a, b) = (files("a"), files("b"));
    assert!(a.len() > 10);
    assert_eq!(a, b, "render --plan differs from render SPEC");
    // A spec and --plan together are refused by the argument parser.
    akswin()
        .arg("render")
        .arg(&spec)
        .arg("--plan")
        .arg(&plan)
        .arg("--out")
        .arg(dir.path().join("c"))
        .assert()
        .code(2);
    // A plan of a spec with errors is refused, and nothing is written.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        baseline_with("osSku: Windows2022", "osSku: Windows2019"),
    )
    .expect("write");
    let bad_plan = dir.path().join("bad.json");
    akswin()
        .arg("plan")
        .arg(&bad)
        .arg("--out")
        .arg(&bad_plan)
        .assert()
        .code(0);
    akswin()
        .args(["render", "--plan"])
        .arg(&bad_plan)
        .arg("--out")
        .arg(dir.path().join("d"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("POOL004"));
    assert!(!dir.path().join("d").exists());
    // Not a plan: exit 2 with a hint.
    akswin()
        .args(["render", "--plan"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("e"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("akswin plan SPEC --out FILE"));
}

#[test]
fn counts_in_the_readme_and_help_follow_the_registries() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    let number_before = |text: &str, words: &str| -> usize {
        let i = text
            .find(words)
            .unwrap_or_else(|| panic!("README names no `{words}`"));
        text[..i]
            .trim_end()
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no number before `{words}`"))
    };
    assert_eq!(
        number_before(&readme, " spec rules:"),
        akswin_rules::registry().len(),
        "README's spec rule count"
    );
    assert_eq!(
        number_before(&readme, " manifest rules ("),
        akswin_audit::registry().len(),
        "README's manifest rule count"
    );
    // The audit help names the last WIN code.
    let last_win = akswin_audit::registry()
        .iter()
        .map(|r| r.meta().code)
        .filter(|c| c.starts_with("WIN"))
        .max()
        .expect("WIN rules");
    let help = akswin().args(["audit", "--help"]).assert().code(0);
    let text = String::from_utf8_lossy(&help.get_output().stdout).to_string();
    assert!(
        text.contains(last_win),
        "audit --help does not reach {last_win}"
    );
}

#[test]
fn audit_snippets_never_show_a_secret_from_a_manifest() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Each case: the manifest, the finding it gives, and the secret it holds; every format.
    let cases = [
        // A Secret whose password line does not parse: K8S000 points right at it.
        (
            "apiVersion: v1\nkind: Secret\nmetadata: { name: s }\nstringData:\n  password: \"Hunter2-Audit-Secret\n  user: x\n",
            "K8S000",
            "Hunter2",
        ),
        // A finding on the very line of a secret: the snippet shows the line, masked.
        (
            "apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n  - { name: Web, image: \"contosoacr.azurecr.io/web:1\", password: \"Hunter3-Audit-Secret\" }\n",
            "K8S002",
            "Hunter3",
        ),
    ];
    for (manifest, code, secret) in cases {
        std::fs::write(dir.path().join("s.yaml"), manifest).expect("write");
        for format in ["human", "json", "sarif", "junit"] {
            let o = akswin()
                .args(["audit", "--format", format])
                .arg(dir.path())
                .output()
                .expect("runs");
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            assert!(all.contains(code), "{format}: {all}");
            assert!(!all.contains(secret), "{format} printed the secret: {all}");
            if code == "K8S002" && format == "human" {
                assert!(
                    all.contains("password: ****"),
                    "the snippet keeps the key: {all}"
                );
            }
        }
    }
}

/// `akswin diff`: the baseline against `az aks show` and `az aks maintenanceconfiguration
/// list` outputs shaped as the CLI prints them (tests/fixtures/drift; no live cluster here):
/// no drift, a changed pool, an old node image, a missing maintenance window; and the inputs
/// it refuses with exit 2.
#[test]
fn diff_reports_drift_between_the_spec_and_a_deployed_cluster() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("akswin.yaml");
    std::fs::write(&spec, akswin_spec::BASELINE_YAML).unwrap();
    let fx = repo().join("crates/akswin/tests/fixtures/drift");
    let diff = |cluster: &str, maintenance: &str| {
        akswin()
            .env("AKSWIN_TODAY", "2026-11-30")
            .arg("diff")
            .arg(&spec)
            .arg("--cluster")
            .arg(fx.join(cluster))
            .arg("--maintenance")
            .arg(fx.join(maintenance))
            .args(["--format", "json"])
            .assert()
    };
    let items = |a: assert_cmd::assert::Assert| -> Vec<(String, String, String, String)> {
        stdout_json(a)["drift"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["area"].as_str().unwrap().to_string(),
                    d["field"].as_str().unwrap().to_string(),
                    d["spec"].as_str().unwrap().to_string(),
                    d["cluster"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(items(diff("aks-show.json", "maintenance.json").code(0)).is_empty());
    let changed = items(diff("aks-show-pool-changed.json", "maintenance.json").code(1));
    assert_eq!(
        changed,
        [
            (
                "pool win22".into(),
                "vmSize".into(),
                "Standard_D8ds_v5".into(),
                "Standard_D16ds_v5".into()
            ),
            (
                "pool win22".into(),
                "maxCount".into(),
                "8".into(),
                "12".into()
            ),
        ]
    );
    let old = items(diff("aks-show-old-image.json", "maintenance.json").code(1));
    assert_eq!(old.len(), 1, "{old:?}");
    assert_eq!(
        (old[0].0.as_str(), old[0].1.as_str()),
        ("pool win22", "nodeImageVersion")
    );
    assert!(
        old[0].3.contains("built 2026-06-09, 174 days ago"),
        "{old:?}"
    );
    let missing = items(diff("aks-show.json", "maintenance-missing-node-os.json").code(1));
    assert_eq!(
        missing,
        [(
            "maintenance aksManagedNodeOSUpgradeSchedule".into(),
            "name".into(),
            "aksManagedNodeOSUpgradeSchedule".into(),
            "absent".into()
        )]
    );
    // The REST API's shape of the list ({"value": [...]}) reads the same.
    let rest = dir.path().join("maintenance-rest.json");
    let list: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fx.join("maintenance.json")).unwrap()).unwrap();
    std::fs::write(&rest, serde_json::json!({ "value": list }).to_string()).unwrap();
    akswin()
        .env("AKSWIN_TODAY", "2026-11-30")
        .arg("diff")
        .arg(&spec)
        .arg("--cluster")
        .arg(fx.join("aks-show.json"))
        .arg("--maintenance")
        .arg(&rest)
        .assert()
        .code(0);
    // Human output names the spec field, and without --maintenance says what it skipped.
    akswin()
        .env("AKSWIN_TODAY", "2026-11-30")
        .arg("diff")
        .arg(&spec)
        .arg("--cluster")
        .arg(fx.join("aks-show-pool-changed.json"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "field:   /cluster/nodePools/2/vmSize",
        ))
        .stdout(predicate::str::contains(
            "not compared: maintenance configurations",
        ));
    // Refused inputs: no spec (never the baseline), JSON that does not parse (with its line and
    // column), JSON that is not az aks show.
    let empty = tempfile::tempdir().expect("tempdir");
    akswin()
        .current_dir(empty.path())
        .arg("diff")
        .arg("--cluster")
        .arg(fx.join("aks-show.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "diff compares your spec with a cluster",
        ));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"name\": \"aks\",\n  oops\n}\n").unwrap();
    akswin()
        .arg("diff")
        .arg(&spec)
        .arg("--cluster")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json:3:3: not JSON"));
    std::fs::write(&bad, "{\"name\": \"aks\"}").unwrap();
    akswin()
        .arg("diff")
        .arg(&spec)
        .arg("--cluster")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no agentPoolProfiles"));
}

/// `akswin plan migration`: the baseline's Windows2022 pool to Windows2025, as a runbook whose
/// first step creates the new pool with the old one's settings (and the FIPS image 2025 needs),
/// whose intermediate spec (both pools) is checked, and that names the images to rebuild; a
/// subnet too small for both pools blocks it (exit 1); bad requests exit 2.
#[test]
fn plan_migration_writes_a_checked_runbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("akswin.yaml");
    std::fs::write(&spec, akswin_spec::BASELINE_YAML).unwrap();
    let runbook = dir.path().join("MIGRATION.md");
    let a = akswin()
        .args(["plan", "migration"])
        .arg(&spec)
        .args([
            "--pool",
            "win22",
            "--to",
            "Windows2025",
            "--format",
            "json",
            "--out",
        ])
        .arg(&runbook)
        .assert()
        .code(0);
    let plan = stdout_json(a);
    assert_eq!(plan["toPool"], "win25");
    assert_eq!(plan["toOsSku"], "Windows2025");
    assert_eq!(plan["intermediateFindings"], serde_json::json!([]));
    assert_eq!(plan["subnet"]["name"], "snet-windows-nodes");
    assert_eq!(plan["workloads"][0]["name"], "legacyweb");
    assert_eq!(
        plan["workloads"][0]["newImage"],
        "contosoacr.azurecr.io/legacy/web:4.8-ltsc2025"
    );
    let steps = plan["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 6);
    let add = steps[0]["commands"][1].as_str().unwrap();
    for part in [
        "az aks nodepool add --resource-group rg-contoso-legacy-spoke --cluster-name aks-contoso-legacy --name win25",
        "--os-type Windows --os-sku Windows2025 --node-vm-size Standard_D8ds_v5",
        "--enable-cluster-autoscaler --min-count 2 --max-count 8",
        "--enable-fips-image",
        "--name snet-windows-nodes",
        "--node-osdisk-type Ephemeral --node-osdisk-size 128",
    ] {
        assert!(add.contains(part), "{part}: {add}");
    }
    let md = std::fs::read_to_string(&runbook).unwrap();
    assert!(md.starts_with("# Migrating `win22` (Windows2022) to `win25` (Windows2025)"));
    assert!(md.contains("### 6. Remove `win22`"), "{md}");
    assert!(
        md.contains("akswin diff akswin.yaml --cluster aks.json"),
        "{md}"
    );
    // The hot spare follows the workloads, and its workflow rests while the old pool goes.
    assert!(md.contains("`scaling.hotSpare.pool: win25`"), "{md}");
    assert!(md.contains("gh workflow disable hot-spare.yml"), "{md}");
    // Current node labels, and no drain through command invoke (the delete drains).
    assert!(
        md.contains("kubectl cordon -l kubernetes.azure.com/agentpool=win22"),
        "{md}"
    );
    assert!(!md.contains("kubectl drain"), "{md}");
    // Both pools do not fit a /23 at max + surge: the intermediate spec has an error.
    let small = dir.path().join("small.yaml");
    std::fs::write(
        &small,
        baseline_with(
            "windowsNodes: auto      # Windows pool logically segregated in its own subnet",
            "windowsNodes: 10.240.8.0/23",
        ),
    )
    .unwrap();
    akswin()
        .args(["plan", "migration"])
        .arg(&small)
        .args(["--pool", "win22", "--to", "Windows2025"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error NET004"));
    // Requests that make no sense.
    for (pool, to, says) in [
        ("win99", "Windows2025", "no pool `win99`"),
        ("linux", "Windows2025", "is a Linux pool"),
        ("win22", "Windows2022", "already runs Windows2022"),
    ] {
        akswin()
            .args(["plan", "migration"])
            .arg(&spec)
            .args(["--pool", pool, "--to", to])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
}

/// `akswin render --only`: only the parts asked for, for a cluster that exists already; a part
/// the spec renders nothing of is an error, never an empty directory.
#[test]
fn render_only_writes_the_parts_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("akswin.yaml");
    std::fs::write(&spec, akswin_spec::BASELINE_YAML).unwrap();
    let out = dir.path().join("out");
    akswin()
        .arg("render")
        .arg(&spec)
        .arg("--out")
        .arg(&out)
        .args(["--only", "k8s,workflows,scripts"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("(--only)"));
    let mut files: Vec<String> = walk(&out)
        .into_iter()
        .map(|p| {
            p.strip_prefix(&out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    files.sort();
    assert!(
        files.iter().all(|f| f.starts_with("k8s/")
            || f.starts_with(".github/workflows/")
            || f.starts_with("scripts/")),
        "{files:?}"
    );
    assert!(
        files.contains(&"k8s/legacyweb.yaml".to_string()),
        "{files:?}"
    );
    assert!(
        files.contains(&"scripts/Set-Gmsa.ps1".to_string()),
        "{files:?}"
    );
    assert!(
        !files
            .iter()
            .any(|f| f == "README.md" || f.starts_with("arm/"))
    );
    // Without the hot spare the baseline renders no workflow (AKS owns the node images):
    // `--only workflows` would write nothing, and says so.
    let quiet = dir.path().join("quiet.yaml");
    std::fs::write(
        &quiet,
        baseline_with(
            "  hotSpare:                   # manual \"hot spare\" plan from a baseline load test\n    pool: win22\n    offPeakNodes: 2\n    peakNodes: 6\n    peaks: [ { days: [Mon, Tue, Wed, Thu, Fri], from: \"07:30\", to: \"18:00\", timezone: \"America/New_York\" } ]\n    leadMinutes: 30\n",
            "",
        ),
    )
    .unwrap();
    akswin()
        .arg("render")
        .arg(&quiet)
        .arg("--out")
        .arg(dir.path().join("none"))
        .args(["--only", "workflows"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--only leaves nothing to write"));
    assert!(!dir.path().join("none").exists());
    akswin()
        .arg("render")
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("bad"))
        .args(["--only", "nothing"])
        .assert()
        .code(2);
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn an_existing_cluster_from_az_aks_show_gets_only_what_goes_into_it_and_it_audits_clean() {
    let fx = repo().join("crates/akswin/tests/fixtures/existing-cluster");
    let spec = fx.join("spec.yaml");
    let aks = fx.join("aks-show.json");
    // check: the spec has no `cluster` section; the deployed cluster's pools are judged.
    let out = stdout_json(
        akswin()
            .env("AKSWIN_TODAY", "2026-11-30")
            .args(["check", "--format", "json", "--cluster"])
            .arg(&aks)
            .arg(&spec)
            .assert()
            .code(0),
    );
    let findings = out["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f["severity"] != "error" && f["severity"] != "warning"),
        "{findings:?}"
    );
    // plan: the cluster's own pools, by their names.
    let plan = stdout_json(
        akswin()
            .env("AKSWIN_TODAY", "2026-11-30")
            .args(["plan", "--format", "json", "--cluster"])
            .arg(&aks)
            .arg(&spec)
            .assert()
            .code(0),
    );
    let pools: Vec<&str> = plan["pools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(pools, ["sys", "lnx", "npwin"], "{plan}");
    // render: everything would include its templates, which are not akswin's to write.
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    akswin()
        .env("AKSWIN_TODAY", "2026-11-30")
        .args(["render", "--cluster"])
        .arg(&aks)
        .arg(&spec)
        .arg("--out")
        .arg(&out_dir)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--only k8s,workflows,scripts"));
    assert!(!out_dir.exists());
    akswin()
        .env("AKSWIN_TODAY", "2026-11-30")
        .args([
            "render",
            "--only",
            "k8s,workflows,scripts,policy",
            "--cluster",
        ])
        .arg(&aks)
        .arg(&spec)
        .arg("--out")
        .arg(&out_dir)
        .assert()
        .code(0);
    assert!(!out_dir.join("arm").exists());
    assert!(!out_dir.join("deploy.sh").exists());
    // Its policy assignments on their own, and what the parts assume of the cluster.
    let policy = std::fs::read_to_string(out_dir.join("policy/assignments.json")).unwrap();
    assert!(policy.contains("windows-no-hostprocess"), "{policy}");
    let pre = std::fs::read_to_string(out_dir.join("EXISTING-CLUSTER.md")).unwrap();
    assert!(pre.contains("- [x] gMSA on the cluster"), "{pre}");
    assert!(
        pre.contains("--assignee-object-id 7b1d2e8f-9e3c-4d4b-8f2a-3c4d5e6f7a81"),
        "{pre}"
    );
    // The certificates' Front Door vault is the team's own vault, not one akswin would create.
    let app = std::fs::read_to_string(out_dir.join("scripts/Publish-AppProxy.ps1")).unwrap();
    assert!(app.contains("'kv-payments-prod'"), "the team's vault");
    assert!(!app.contains("kvfd-"), "no vault akswin would have made");
    // The workflows and scripts act on the deployed cluster, by its own names.
    let hot = std::fs::read_to_string(out_dir.join(".github/workflows/hot-spare.yml")).unwrap();
    assert!(
        hot.contains(
            "--resource-group rg-payments-prod --cluster-name aks-payments-prod --name npwin"
        ),
        "{hot}"
    );
    let gmsa = std::fs::read_to_string(out_dir.join("scripts/Set-Gmsa.ps1")).unwrap();
    assert!(
        gmsa.contains("az identity show --resource-group 'MC_rg-payments-prod_aks-payments-prod_eastus2' --name 'aks-payments-prod-agentpool'"),
        "the kubelet identity of the cluster"
    );
    assert!(
        gmsa.contains("--resource-group 'rg-payments-shared'"),
        "the team's vault's group"
    );
    let app = std::fs::read_to_string(out_dir.join("k8s/legacyweb.yaml")).unwrap();
    assert!(app.contains("agentpool: npwin"), "{app}");
    // And the manifests audit clean against that cluster.
    akswin()
        .args([
            "audit",
            "--allowed-registry",
            "acrpayments.azurecr.io",
            "--allowed-registry",
            "mcr.microsoft.com",
            "--cluster",
        ])
        .arg(&aks)
        .arg(out_dir.join("k8s"))
        .args(["--deny-warnings"])
        .assert()
        .code(0);
}

#[test]
fn cluster_from_az_aks_show_refuses_a_second_cluster_section_and_bad_input() {
    let fx = repo().join("crates/akswin/tests/fixtures/existing-cluster");
    let aks = fx.join("aks-show.json");
    let dir = tempfile::tempdir().unwrap();
    // A spec that writes its own cluster: one source only.
    let both = dir.path().join("both.yaml");
    std::fs::write(&both, akswin_spec::BASELINE_YAML).unwrap();
    akswin()
        .args(["check", "--cluster"])
        .arg(&aks)
        .arg(&both)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("has a `cluster` section"))
        .stderr(predicates::str::contains("akswin diff"));
    // Not JSON: where.
    let bad = dir.path().join("aks.json");
    std::fs::write(&bad, "{\n  \"id\": \n}").unwrap();
    akswin()
        .args(["check", "--cluster"])
        .arg(&bad)
        .arg(fx.join("spec.yaml"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("aks.json:3:1"));
    // JSON, but no cluster.
    std::fs::write(&bad, "{\"name\": \"x\"}").unwrap();
    akswin()
        .args(["plan", "--cluster"])
        .arg(&bad)
        .arg(fx.join("spec.yaml"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("az aks show"));
    // No spec for the rest: never the baseline.
    akswin()
        .current_dir(dir.path())
        .args(["check", "--cluster"])
        .arg(&aks)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no SPEC given"));
}

#[test]
fn the_environments_example_checks_plans_and_reports_each_environment_and_compares_them() {
    let spec = repo().join("examples/environments.yaml");
    let dir = tempfile::tempdir().unwrap();
    for env in ["dev", "prod"] {
        akswin()
            .env("AKSWIN_TODAY", "2026-11-30")
            .args(["check", "--deny-warnings", "--env", env])
            .arg(&spec)
            .assert()
            .code(0);
        let plan = stdout_json(
            akswin()
                .env("AKSWIN_TODAY", "2026-11-30")
                .args(["plan", "--format", "json", "--env", env])
                .arg(&spec)
                .assert()
                .code(0),
        );
        let want = if env == "dev" {
            "contoso-dev"
        } else {
            "contoso-legacy"
        };
        assert_eq!(plan["spec"]["name"], want, "{env}");
        let html = dir.path().join(format!("{env}.html"));
        akswin()
            .env("AKSWIN_TODAY", "2026-11-30")
            .args(["report", "--env", env, "-o"])
            .arg(&html)
            .arg(&spec)
            .assert()
            .code(0);
        assert!(std::fs::read_to_string(&html).unwrap().contains(want));
    }
    // Without --env: the base, and a note that there are environments.
    akswin()
        .env("AKSWIN_TODAY", "2026-11-30")
        .arg("check")
        .arg(&spec)
        .assert()
        .code(0)
        .stderr(predicates::str::contains("has environments (dev, prod)"));
    // An environment the spec does not have: where, and which it has.
    akswin()
        .args(["check", "--env", "test"])
        .arg(&spec)
        .assert()
        .code(2)
        .stdout(predicates::str::contains("SPEC007"))
        .stdout(predicates::str::contains("dev, prod"));
    // Side by side.
    let cmp = stdout_json(
        akswin()
            .env("AKSWIN_TODAY", "2026-11-30")
            .args(["envs", "--format", "json"])
            .arg(&spec)
            .assert()
            .code(0),
    );
    let envs: Vec<&str> = cmp["environments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["env"].as_str())
        .collect();
    assert_eq!(envs, ["dev", "prod"]);
    let tier = cmp["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["pointer"] == "/cluster/tier")
        .expect("the tier differs");
    assert_eq!(tier["values"]["dev"], "Free");
    assert_eq!(tier["values"]["prod"], "Standard");
    assert!(
        !cmp["differences"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["pointer"] == "/location"),
        "the same everywhere"
    );
    // The node image order: dev a week before prod (the example's windows), month by month.
    let order: Vec<&str> = cmp["nodeImageOrder"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert_eq!(
        order,
        [
            "dev 2026-12-16 02:00 UTC, then prod 2026-12-23 02:00 UTC (7 days later)",
            "dev 2027-01-20 02:00 UTC, then prod 2027-01-27 02:00 UTC (7 days later)",
            "dev 2027-02-17 02:00 UTC, then prod 2027-02-24 02:00 UTC (7 days later)",
        ]
    );
    // On the same day, it says nothing soaks first.
    let same_day = dir.path().join("same-day.yaml");
    std::fs::write(
        &same_day,
        std::fs::read_to_string(&spec).unwrap().replace(
            "      windowsNodeImage: { schedule: { relativeMonthly: { weekIndex: Third } } }",
            "      windowsNodeImage: { schedule: { relativeMonthly: { weekIndex: Fourth } } }",
        ),
    )
    .unwrap();
    akswin()
        .env("AKSWIN_TODAY", "2026-11-30")
        .arg("envs")
        .arg(&same_day)
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "dev 2026-12-23 02:00 UTC, then prod 2026-12-23 02:00 UTC (the same day: nothing soaks in one before the other)",
        ));
    let page = dir.path().join("envs.html");
    akswin()
        .env("AKSWIN_TODAY", "2026-11-30")
        .args(["envs", "--format", "html", "-o"])
        .arg(&page)
        .arg(&spec)
        .assert()
        .code(0);
    let page = std::fs::read_to_string(page).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("/cluster/tier"));
    assert_eq!(cmp["conflicts"].as_array().unwrap().len(), 0, "{cmp}");
    // Two environments on one registry name, and one gMSA standard user in one domain:
    // conflicts, exit 1.
    let shared = dir.path().join("shared.yaml");
    std::fs::write(
        &shared,
        std::fs::read_to_string(&spec)
            .unwrap()
            .replace(
                "      name: null                # dev's own registry, named from `name` and `nameSuffix`",
                "      name: contosoacr",
            )
            .replace("        standardUser: gmsa-std-dev\n", ""),
    )
    .unwrap();
    let cmp = stdout_json(
        akswin()
            .env("AKSWIN_TODAY", "2026-11-30")
            .args(["envs", "--format", "json"])
            .arg(&shared)
            .assert()
            .code(1),
    );
    let conflicts: Vec<&str> = cmp["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert!(
        conflicts
            .iter()
            .any(|c| c.contains("registry name") && c.contains("contosoacr")),
        "{conflicts:?}"
    );
    assert!(
        conflicts
            .iter()
            .any(|c| c.contains("standard user") && c.contains("gmsa-standard-user")),
        "{conflicts:?}"
    );
    // An environment with an error: exit 1.
    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        std::fs::read_to_string(&spec).unwrap().replace(
            "osSku: Windows2022, vmSize: Standard_D8ds_v5, min: 1, max: 3",
            "osSku: Windows2019, vmSize: Standard_D8ds_v5, min: 1, max: 3",
        ),
    )
    .unwrap();
    akswin()
        .env("AKSWIN_TODAY", "2026-11-30")
        .arg("envs")
        .arg(&broken)
        .assert()
        .code(1);
}

#[test]
fn diff_compares_the_network_around_the_cluster_when_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("akswin.yaml");
    std::fs::write(&spec, akswin_spec::BASELINE_YAML).unwrap();
    let fx = repo().join("crates/akswin/tests/fixtures/drift");
    let diff = |vnet: &str, rcgs: &str| {
        akswin()
            .env("AKSWIN_TODAY", "2026-11-30")
            .arg("diff")
            .arg(&spec)
            .arg("--cluster")
            .arg(fx.join("aks-show.json"))
            .arg("--vnet")
            .arg(fx.join(vnet))
            .arg("--rule-collection-groups")
            .arg(fx.join(rcgs))
            .args(["--format", "json"])
            .assert()
    };
    let clean = stdout_json(diff("vnet-show.json", "rule-collection-groups.json").code(0));
    assert_eq!(clean["drift"].as_array().unwrap().len(), 0, "{clean}");
    assert!(clean["compared"].as_array().unwrap().iter().any(|c| {
        c.as_str()
            .unwrap()
            .starts_with("8 firewall rule collection groups")
    }));
    let drifted = stdout_json(
        diff(
            "vnet-show-drifted.json",
            "rule-collection-groups-drifted.json",
        )
        .code(1),
    );
    let found: Vec<(String, String)> = drifted["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["area"].as_str().unwrap().to_string(),
                d["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        ("subnet snet-windows-nodes", "routeTable"),
        ("subnet snet-added-by-hand", "name"),
        (
            "vnet vnet-contoso-legacy-spoke",
            "virtualNetworkPeerings.peeringState",
        ),
        (
            "rule collection group windows / windows-application",
            "rule windows-update-tag",
        ),
        ("rule collection group user", "priority"),
    ] {
        assert!(
            found.iter().any(|(a, f)| a == want.0 && f == want.1),
            "{want:?} in {found:?}"
        );
    }
    assert_eq!(found.len(), 5, "{found:?}");
}

#[test]
fn a_secret_written_into_an_environment_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("envs.yaml");
    let text = std::fs::read_to_string(repo().join("examples/environments.yaml"))
        .unwrap()
        .replacen(
            "    cluster:\n      tier: Free\n",
            "    cluster:\n      tier: Free\n      windowsProfile: { adminPassword: \"Dev-P@ssw0rd-123!\" }\n",
            1,
        );
    assert!(text.contains("Dev-P@ssw0rd-123!"));
    std::fs::write(&spec, text).unwrap();
    let runs: [&[&str]; 6] = [
        &["check", "--env", "dev"],
        &["check", "--env", "dev", "--format", "json"],
        &["check", "--env", "dev", "--format", "sarif"],
        &["plan", "--env", "dev", "--format", "json"],
        &["envs", "--format", "json"],
        &["envs", "--format", "html"],
    ];
    for args in runs {
        let out = akswin()
            .env("AKSWIN_TODAY", "2026-11-30")
            .args(args)
            .arg(&spec)
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !all.contains("Dev-P@ssw0rd"),
            "{args:?} printed the password"
        );
    }
}

#[test]
fn a_waiver_accepts_one_finding_with_its_reason_until_its_date() {
    let waived = baseline_with(
        "    publicIps: 20             # AKS egress guidance for production: 20, against SNAT port exhaustion",
        "    publicIps: 2  # akswin: allow EGR005 until 2027-03-31: dev-sized cluster, SNAT use measured at 5 %",
    );
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("akswin.yaml");
    std::fs::write(&spec, &waived).unwrap();
    let check = |today: &str, args: &[&str]| {
        akswin()
            .env("AKSWIN_TODAY", today)
            .arg("check")
            .args(args)
            .arg(&spec)
            .assert()
    };
    // Accepted: --deny-warnings passes, the finding is listed apart with its reason.
    check("2026-11-30", &["--deny-warnings"])
        .code(0)
        .stdout(predicates::str::contains("waived warning[EGR005]"))
        .stdout(predicates::str::contains("SNAT use measured at 5 %"))
        .stdout(predicates::str::contains("(1 waived)"));
    let json = stdout_json(check("2026-11-30", &["--format", "json"]).code(0));
    assert_eq!(json["summary"]["warnings"], 0, "{json}");
    assert_eq!(json["summary"]["waived"], 1, "{json}");
    // SARIF: a suppression of kind inSource, and the log still validates.
    let sarif = stdout_json(check("2026-11-30", &["--format", "sarif"]).code(0));
    let egr: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "EGR005")
        .collect();
    assert_eq!(egr[0]["suppressions"][0]["kind"], "inSource");
    if let Some(validator) = sarif_validator() {
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    // After its date: the finding is back, and the expired waiver is an error.
    check("2027-04-01", &[])
        .code(1)
        .stdout(predicates::str::contains("error[WVR001]"))
        .stdout(predicates::str::contains("warning[EGR005]"));
    // No reason: an error, and nothing is waived.
    std::fs::write(
        &spec,
        waived.replace(": dev-sized cluster, SNAT use measured at 5 %", ""),
    )
    .unwrap();
    check("2026-11-30", &[])
        .code(1)
        .stdout(predicates::str::contains("invalid waiver"));
    // A waiver that accepts nothing is a warning.
    std::fs::write(&spec, waived.replace("allow EGR005", "allow EGR004")).unwrap();
    check("2026-11-30", &["--deny-warnings"])
        .code(1)
        .stdout(predicates::str::contains("accepts nothing"));
}

#[test]
fn audit_skips_what_a_helm_chart_holds_besides_manifests_and_what_exclude_names() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::create_dir_all(chart.join("crds")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: app\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("values.yaml"),
        "image: { repository: app, tag: 1.0 }\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
    // A plain manifest in crds/ is audited.
    std::fs::write(
        chart.join("crds/config.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata: { a: b }\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("testdata")).unwrap();
    std::fs::write(dir.path().join("testdata/broken.yaml"), "kind: [\n").unwrap();
    let run = |extra: &[&str]| {
        akswin()
            .arg("audit")
            .arg(dir.path())
            .args(extra)
            .args(["--format", "json"])
            .assert()
    };
    // Without --exclude the broken test data is audited (and fails); the chart is not.
    let out = run(&[]).code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("of chart metadata in the Helm chart"),
        "{stderr}"
    );
    assert!(stderr.contains("of unrendered chart templates"), "{stderr}");
    assert!(stderr.contains("helm template"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let text = json.to_string();
    assert!(
        !text.contains("Chart.yaml") && !text.contains("values.yaml"),
        "{text}"
    );
    assert!(!text.contains("deployment.yaml"), "{text}");
    assert!(text.contains("broken.yaml"), "{text}");
    // --exclude leaves it out: clean.
    let out = run(&["--exclude", "**/testdata/**"]).code(0);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("1 file(s) matched by --exclude"),
        "{stderr}"
    );
    // A bad glob: exit 2, with the pattern.
    run(&["--exclude", "a[b"])
        .code(2)
        .stderr(predicates::str::contains("--exclude a[b"));
}

#[test]
fn rules_list_the_input_errors_too() {
    let v = stdout_json(
        akswin()
            .args(["rules", "--format", "json"])
            .assert()
            .code(0),
    );
    let codes: Vec<&str> = v["inputErrors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert_eq!(codes.len(), akswin_spec::INPUT_ERRORS.len());
    assert!(
        codes.contains(&"SPEC001") && codes.contains(&"SPEC007"),
        "{codes:?}"
    );
    akswin()
        .arg("rules")
        .assert()
        .code(0)
        .stdout(predicates::str::contains("SPEC002  E  unknown-key"));
}

/// A region akswin's dated list does not hold is refused with a hint (NAM004), and a region
/// opened after the list was read passes with a waiver on its line.
#[test]
fn an_unknown_region_is_refused_and_a_new_one_takes_a_waiver() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("akswin.yaml");
    let line = akswin_spec::BASELINE_YAML
        .lines()
        .find(|l| l.starts_with("location:"))
        .unwrap()
        .to_string();
    std::fs::write(&spec, baseline_with(&line, "location: eastus3")).unwrap();
    let json = stdout_json(
        akswin()
            .args(["check", "--format", "json"])
            .arg(&spec)
            .assert()
            .code(1),
    );
    let nam: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "NAM004")
        .collect();
    assert_eq!(nam.len(), 1, "{json}");
    assert!(
        nam[0]["help"].as_str().unwrap().contains("did you mean"),
        "{json}"
    );
    std::fs::write(
        &spec,
        baseline_with(
            &line,
            "location: southcentralus2  # akswin: allow NAM004 until 2027-06-30: opened after akswin read its list",
        ),
    )
    .unwrap();
    akswin()
        .args(["check", "--deny-warnings"])
        .arg(&spec)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("waived error[NAM004]"));
}

/// audit --waivers: a file of `allow CODE in GLOB until DATE: reason` lines accepts findings in
/// matching inputs (listed apart, no exit code, SARIF suppressions of kind external); an
/// expired waiver is a WVR001 error at its line.
#[test]
fn audit_waivers_accept_findings_by_file_glob_until_their_date() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("legacy");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(
        m.join("svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: web }\nspec:\n  type: LoadBalancer\n  selector: { app: web }\n  ports: [ { port: 443 } ]\n",
    )
    .unwrap();
    let waivers = dir.path().join("waivers.txt");
    std::fs::write(
        &waivers,
        "# accepted by the platform team\nallow WIN010 in **/legacy/** until 2027-03-31: public until the Front Door cut-over in March\n",
    )
    .unwrap();
    let audit = |today: &str, format: &str| {
        akswin()
            .env("AKSWIN_TODAY", today)
            .args(["audit", "--format", format, "--waivers"])
            .arg(&waivers)
            .arg(&m)
            .assert()
    };
    // Without the file, WIN010 (a public load balancer) is an error.
    akswin().arg("audit").arg(&m).assert().code(1);
    audit("2027-01-10", "human")
        .code(0)
        .stdout(predicates::str::contains("waived error[WIN010]"))
        .stdout(predicates::str::contains("(1 waived)"));
    let json = stdout_json(audit("2027-01-10", "json").code(0));
    assert_eq!(json["summary"]["errors"], 0, "{json}");
    assert_eq!(json["summary"]["waived"], 1, "{json}");
    let sarif = stdout_json(audit("2027-01-10", "sarif").code(0));
    let win010: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "WIN010")
        .collect();
    assert_eq!(win010[0]["suppressions"][0]["kind"], "external", "{sarif}");
    if let Some(validator) = sarif_validator() {
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    // After its date: the waiver is an error at its line, and the finding is back.
    let json = stdout_json(audit("2027-04-01", "json").code(1));
    let codes: Vec<(&str, serde_json::Value)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["location"]["line"].clone()))
        .collect();
    assert!(
        codes.contains(&("WVR001", serde_json::json!(2))),
        "{codes:?}"
    );
    assert!(codes.iter().any(|(c, _)| *c == "WIN010"), "{codes:?}");
}

/// docs/spec-reference.md is what `akswin schema --format markdown` writes, and every key of
/// the schema has a description (its own, or its type's).
#[test]
fn committed_spec_reference_is_current_and_describes_every_key() {
    let committed = std::fs::read_to_string(repo().join("docs/spec-reference.md"))
        .expect("docs/spec-reference.md committed");
    let out = akswin()
        .args(["schema", "--format", "markdown"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&out),
        committed,
        "docs/spec-reference.md is stale: run `cargo run -- schema --format markdown -o docs/spec-reference.md`"
    );
    let schema = akswin_spec::json_schema();
    let defs = schema["$defs"].as_object().unwrap();
    let described_type = |v: &serde_json::Value| {
        std::iter::once(v)
            .chain(v["anyOf"].as_array().into_iter().flatten())
            .chain(std::iter::once(&v["items"]))
            .filter_map(|x| x["$ref"].as_str())
            .any(|r| {
                defs.get(r.trim_start_matches("#/$defs/"))
                    .is_some_and(|d| d["description"].is_string())
            })
    };
    let mut missing = Vec::new();
    for (owner, def) in
        std::iter::once(("Spec", &schema)).chain(defs.iter().map(|(k, v)| (k.as_str(), v)))
    {
        for (key, p) in def["properties"].as_object().into_iter().flatten() {
            if !p["description"].is_string() && !described_type(p) {
                missing.push(format!("{owner}.{key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys without a description: {missing:?}"
    );
    // A sample row, to see the table's shape did not go.
    assert!(
        committed.contains("| `nodePools` (required) | list of [NodePool](#nodepool) |"),
        "the reference lists nodePools"
    );
}

/// A waiver written in a manifest, on the finding's line: accepted until its date (SARIF
/// inSource), then an error at the comment, with the finding back.
#[test]
fn audit_reads_waivers_written_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: web }\nspec:\n  # akswin: allow WIN010 until 2027-03-31: public until the Front Door cut-over\n  type: LoadBalancer\n  selector: { app: web }\n  ports: [ { port: 443 } ]\n",
    )
    .unwrap();
    let audit = |today: &str, format: &str| {
        akswin()
            .env("AKSWIN_TODAY", today)
            .args(["audit", "--format", format])
            .arg(dir.path())
            .assert()
    };
    audit("2027-01-10", "human")
        .code(0)
        .stdout(predicates::str::contains("waived error[WIN010]"));
    let sarif = stdout_json(audit("2027-01-10", "sarif").code(0));
    let win010: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "WIN010")
        .collect();
    assert_eq!(win010[0]["suppressions"][0]["kind"], "inSource", "{sarif}");
    let json = stdout_json(audit("2027-04-01", "json").code(1));
    let codes: Vec<(&str, serde_json::Value)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["location"]["line"].clone()))
        .collect();
    assert!(
        codes.contains(&("WVR001", serde_json::json!(5))),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("WIN010", serde_json::json!(6))),
        "{codes:?}"
    );
}
