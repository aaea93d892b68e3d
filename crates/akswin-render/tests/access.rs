//! A way in to the cluster (issue 14, first part): Azure RBAC for Kubernetes is on and local
//! accounts are off, so the rendered templates must grant someone the Kubernetes API: the
//! operator who runs deploy.sh and the spec's admin groups; and deploy.sh applies the
//! manifests through `az aks command invoke`, as a private cluster needs.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use serde_json::Value;
use std::process::Command;

const AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";

fn role_assignments(v: &Value, out: &mut Vec<Value>) {
    for r in v["resources"].as_array().into_iter().flatten() {
        if r["type"] == "Microsoft.Authorization/roleAssignments" {
            out.push(r.clone());
        }
        if r["type"] == "Microsoft.Resources/deployments" {
            role_assignments(&r["properties"]["template"], out);
        }
    }
}

#[test]
fn the_operator_and_the_admin_groups_administer_the_cluster() {
    let group = "6b1f3c2e-0d4a-4e8b-9c7d-2f5a1b3c4d5e";
    let text = akswin_spec::BASELINE_YAML.replacen(
        "  privateCluster: true\n",
        &format!("  privateCluster: true\n  adminGroups: [{group}]\n"),
        1,
    );
    assert_ne!(
        text,
        akswin_spec::BASELINE_YAML,
        "the baseline has privateCluster"
    );
    let spec = common::load(&text);
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    let main: Value = serde_json::from_str(&tree.files["arm/main.json"]).unwrap();
    let mut ras = Vec::new();
    role_assignments(&main, &mut ras);
    let admins: Vec<&Value> = ras
        .iter()
        .filter(|r| {
            r["properties"]["roleDefinitionId"]
                .to_string()
                .contains(AKS_RBAC_CLUSTER_ADMIN)
        })
        .collect();
    assert_eq!(admins.len(), 1, "{admins:#?}");
    let r = admins[0];
    assert!(
        r["scope"]
            .to_string()
            .contains("Microsoft.ContainerService/managedClusters")
    );
    assert_eq!(r["properties"]["principalId"], group);
    assert_eq!(r["properties"]["principalType"], "Group");
    // The operator gets the same role from deploy.sh, after the deployment, once.
    let deploy = &tree.files["deploy.sh"];
    let create = deploy
        .find("az deployment sub create")
        .expect("the main deployment");
    let grant = deploy
        .find("az role assignment create --assignee-object-id \"$operator_id\"")
        .expect("the operator's grant");
    assert!(create < grant);
    assert!(deploy[grant..].contains(
        "--role \"Azure Kubernetes Service RBAC Cluster Admin\" --scope \"$cluster_id\""
    ));
    assert!(
        deploy.contains(
            "az role assignment list --assignee \"$operator_id\" --scope \"$cluster_id\""
        )
    );
}

#[test]
fn an_admin_group_must_be_an_object_id() {
    let text = akswin_spec::BASELINE_YAML.replacen(
        "  privateCluster: true\n",
        "  privateCluster: true\n  adminGroups: [aks-admins]\n",
        1,
    );
    let err = akswin_spec::load("s.yaml", text.as_bytes()).expect_err("refused");
    assert!(
        err.findings
            .iter()
            .any(|f| f.message.contains("is not an object id")),
        "{:?}",
        err.findings
    );
}

/// `deploy.sh k8s` applies the manifests through `az aks command invoke` from the k8s folder,
/// the system objects first.
#[test]
#[cfg(unix)]
fn deploy_sh_k8s_applies_the_manifests_through_command_invoke() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: deploy.sh k8s (no bash)");
        return;
    }
    let spec = common::load(akswin_spec::BASELINE_YAML);
    let plan = akswin_plan::plan(&spec);
    let rendered = akswin_render::render(&spec, &plan, "test");
    let tree = common::after_active_directory(&rendered, &spec);
    // The stand-in also records the folder it runs in (what --file . uploads).
    let az = "case \"$*\" in\n  \"account show\"*) echo f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9 ;;\n  \"identity show\"*) echo 0b2f5a3c-1d4e-4f60-8a7b-9c0d1e2f3a4b ;;\n  *) ls >> \"$log\"; echo \"command started at t0, finished at t1, with exitcode=${AZ_EXIT:-0}\" ;;\nesac\n";
    let (code, calls, out) = common::run_deploy_sh(&tree, "k8s", az, &[]);
    assert_eq!(code, 0, "{out}");
    let first = calls
        .lines()
        .find(|l| l.starts_with("aks "))
        .unwrap_or_default();
    assert!(
        first.starts_with("aks command invoke --resource-group rg-contoso-legacy-spoke --name aks-contoso-legacy --file . --command set -e; kubectl apply -f 00-akswin-system.yaml; "),
        "{calls}"
    );
    assert!(
        calls.contains("legacyweb.yaml"),
        "run from the k8s folder: {calls}"
    );
    // The certificate's SecretProviderClass is there before kubectl runs.
    assert!(calls.contains("tls-legacyweb.yaml"), "{calls}");
    // kubectl failing in the cluster fails the stage (az itself exits 0 either way).
    let (code, _, out) = common::run_deploy_sh(&tree, "k8s", az, &[("AZ_EXIT", "1")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("applying the manifests failed"), "{out}");
}
