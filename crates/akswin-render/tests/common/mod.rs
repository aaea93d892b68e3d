//! Scenarios shared by the render tests: the baseline and the specs in tests/scenarios/.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;

pub fn load(text: &str) -> akswin_spec::Spec {
    akswin_spec::load("scenario", text.as_bytes())
        .map(|l| l.spec)
        .unwrap_or_else(|e| panic!("{:?}", e.findings))
}

/// (name, spec text)
/// One scenario's spec, loaded (`baseline` or a file stem of tests/scenarios).
#[allow(dead_code)] // not every test file that includes this module uses it
pub fn scenario_spec(name: &str) -> akswin_spec::Spec {
    let text = scenario_specs()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t)
        .unwrap_or_else(|| panic!("no scenario {name}"));
    load(&text)
}

pub fn scenario_specs() -> Vec<(String, String)> {
    let mut out = vec![(
        "baseline".to_string(),
        akswin_spec::BASELINE_YAML.to_string(),
    )];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for f in files {
        let name = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((name, std::fs::read_to_string(&f).expect("read")));
    }
    out
}

pub fn scenarios() -> Vec<(String, akswin_render::Tree)> {
    scenario_specs()
        .into_iter()
        .map(|(name, text)| {
            let spec = load(&text);
            let plan = akswin_plan::plan(&spec);
            (name, akswin_render::render(&spec, &plan, "test"))
        })
        .collect()
}

/// Run `deploy.sh STAGE` of a rendered tree (written out whole) against a stand-in `az` that
/// appends its arguments to a log (the script's `$log`) and then runs `az_body`. Returns
/// (exit code, the logged az calls and whatever `az_body` logged, stdout followed by stderr).
/// `env` is added to the environment; polling waits are zero.
#[cfg(unix)]
pub fn run_deploy_sh(
    tree: &akswin_render::Tree,
    stage: &str,
    az_body: &str,
    env: &[(&str, &str)],
) -> (i32, String, String) {
    run_deploy_sh_answering(tree, stage, az_body, env, None)
}

/// [`run_deploy_sh`], with `answer` on standard input (the what-if's confirmation).
pub fn run_deploy_sh_answering(
    tree: &akswin_render::Tree,
    stage: &str,
    az_body: &str,
    env: &[(&str, &str)],
    answer: Option<&str>,
) -> (i32, String, String) {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, body) in &tree.files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, body).expect("write");
    }
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let log = dir.path().join("az.log");
    let az = bin.join("az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\nlog='{}'\necho \"$*\" >> \"$log\"\n{az_body}",
            log.display()
        ),
    )
    .expect("az");
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(dir.path().join("deploy.sh"))
        .arg(stage)
        .current_dir(dir.path())
        .env("AKSWIN_POLL_SECONDS", "0")
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = match answer {
        None => cmd.output().expect("bash runs"),
        Some(a) => {
            let mut child = cmd
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("bash runs");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(a.as_bytes())
                .expect("answer");
            child.wait_with_output().expect("bash ends")
        }
    };
    (
        out.status.code().unwrap_or(-1),
        std::fs::read_to_string(&log).unwrap_or_default(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The tree as `deploy.sh active-directory` (or `scripts/Set-Gmsa.ps1` by hand) leaves it: the
/// gMSA credential specs written into `k8s/`, which `deploy.sh k8s` requires.
pub fn after_active_directory(
    tree: &akswin_render::Tree,
    spec: &akswin_spec::Spec,
) -> akswin_render::Tree {
    let mut files = tree.files.clone();
    for a in &spec.identity.gmsa.accounts {
        files.insert(
            format!(
                "k8s/{}",
                akswin_render::k8s::gmsa_credential_spec_file(&a.name)
            ),
            format!("# the credential spec of {}\n", a.name),
        );
    }
    akswin_render::Tree { files }
}

/// The baseline as a cluster that exists already (`cluster.existing`): what `render --cluster`
/// writes for it includes `policy/assignments.json`.
pub fn existing_cluster_tree() -> akswin_render::Tree {
    let text = akswin_spec::BASELINE_YAML.replacen(
        "cluster:\n",
        "cluster:\n  existing:\n    id: /subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg-payments-prod/providers/Microsoft.ContainerService/managedClusters/aks-payments-prod\n",
        1,
    );
    let spec = load(&text);
    assert!(spec.cluster.existing.is_some());
    akswin_render::render(&spec, &akswin_plan::plan(&spec), "test")
}
