//! Who the rendered workloads run as: a pod that uses a gMSA never runs as ContainerUser (the
//! gMSA identity applies to LocalSystem and NetworkService, and IIS's ServiceMonitor needs an
//! administrator), in every scenario's manifests, as rendered.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use serde_json::Value;

/// Every pod template (or pod) among the manifest objects of a workload.
fn pod_specs(docs: &[Value]) -> Vec<Value> {
    docs.iter()
        .map(|v| {
            if v["kind"] == "Pod" {
                v["spec"].clone()
            } else {
                v["spec"]["template"]["spec"].clone()
            }
        })
        .filter(|s| !s.is_null())
        .collect()
}

#[test]
fn no_gmsa_pod_runs_as_container_user() {
    let mut gmsa_pods = 0;
    for (name, text) in common::scenario_specs() {
        let spec = common::load(&text);
        let plan = akswin_plan::plan(&spec);
        for w in &spec.workloads {
            for pod in pod_specs(&akswin_render::k8s::workload(&spec, &plan, w)) {
                let pod_wo = &pod["securityContext"]["windowsOptions"];
                let containers = pod["containers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .chain(pod["initContainers"].as_array().into_iter().flatten());
                for c in containers {
                    let wo = &c["securityContext"]["windowsOptions"];
                    let gmsa = wo["gmsaCredentialSpecName"].is_string()
                        || pod_wo["gmsaCredentialSpecName"].is_string();
                    if !gmsa {
                        continue;
                    }
                    gmsa_pods += 1;
                    let user = wo["runAsUserName"]
                        .as_str()
                        .or(pod_wo["runAsUserName"].as_str())
                        .unwrap_or("ContainerUser");
                    assert_ne!(
                        user, "ContainerUser",
                        "{name}/{}: container {} uses a gMSA as ContainerUser",
                        w.name, c["name"]
                    );
                }
            }
        }
    }
    assert!(gmsa_pods >= 3, "only {gmsa_pods} gMSA containers seen");
}
