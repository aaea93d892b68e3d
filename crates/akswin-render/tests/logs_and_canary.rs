//! A log line's path and a DNS failure's path (issue 18): a Windows workload's LogMonitor
//! reads the configuration its pods mount, and the canary's lines are the ones its alerts
//! select.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use serde_json::Value;
use sha2::Digest;

fn docs(text: &str) -> Vec<Value> {
    text.split("\n---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_saphyr::from_str(d).unwrap())
        .collect()
}

#[test]
fn log_monitor_reads_the_configuration_its_pod_mounts() {
    let mut wired = 0;
    for (scenario, tree) in common::scenarios() {
        let spec = common::scenario_spec(&scenario);
        for w in &spec.workloads {
            let name = akswin_render::k8s::k8s_name(&w.name);
            let objects = docs(&tree.files[&format!("k8s/{name}.yaml")]);
            let deployment = objects.iter().find(|d| d["kind"] == "Deployment").unwrap();
            let pod = &deployment["spec"]["template"];
            let container = &pod["spec"]["containers"][0];
            let Some(logs) = &w.logs else {
                assert!(container.get("command").is_none(), "{scenario}/{name}");
                continue;
            };
            wired += 1;
            // LogMonitor.exe /Config <file> <the image's entry point>
            let command: Vec<&str> = container["command"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            assert_eq!(command[1], "/Config", "{scenario}/{name}");
            assert_eq!(
                command[3..],
                logs.command.iter().map(String::as_str).collect::<Vec<_>>()[..]
            );
            let (dir, file) = command[2].rsplit_once('\\').unwrap();
            // the file is a key of the ConfigMap the pod mounts at that directory
            let mount = container["volumeMounts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["mountPath"] == dir)
                .unwrap_or_else(|| panic!("{scenario}/{name}: nothing mounted at {dir}"));
            assert_eq!(mount["readOnly"], true);
            let volume = pod["spec"]["volumes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["name"] == mount["name"])
                .unwrap();
            let map_name = volume["configMap"]["name"].as_str().unwrap();
            let map = objects
                .iter()
                .find(|d| d["kind"] == "ConfigMap" && d["metadata"]["name"] == map_name)
                .unwrap_or_else(|| panic!("{scenario}: no ConfigMap {map_name}"));
            assert_eq!(
                map["metadata"]["namespace"],
                deployment["metadata"]["namespace"]
            );
            let config = map["data"][file].as_str().unwrap();
            // the pods roll when it changes
            let hex: String = sha2::Sha256::digest(config.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(
                pod["metadata"]["annotations"][akswin_render::k8s::LOG_MONITOR_CONFIG_HASH],
                hex.as_str()
            );
            // LogMonitor's schema: one source per configured kind, each with what it requires
            let config: Value = serde_json::from_str(config).unwrap();
            let sources = config["LogConfig"]["sources"].as_array().unwrap();
            let kinds: Vec<&str> = sources
                .iter()
                .map(|s| s["type"].as_str().unwrap())
                .collect();
            assert_eq!(kinds.contains(&"EventLog"), !logs.event_logs.is_empty());
            assert_eq!(
                kinds.iter().filter(|k| **k == "File").count(),
                logs.files.len()
            );
            assert_eq!(kinds.contains(&"ETW"), !logs.etw.is_empty());
            for s in sources {
                match s["type"].as_str().unwrap() {
                    "EventLog" => assert!(!s["channels"].as_array().unwrap().is_empty()),
                    "File" => assert!(s["directory"].as_str().unwrap().starts_with("C:\\")),
                    "ETW" => {
                        for p in s["providers"].as_array().unwrap() {
                            assert!(
                                p.get("providerName").is_some() || p.get("providerGuid").is_some()
                            );
                            assert!(
                                ["Critical", "Error", "Warning", "Information", "Verbose"]
                                    .contains(&p["level"].as_str().unwrap())
                            );
                        }
                    }
                    other => panic!("{other}"),
                }
            }
        }
    }
    assert!(wired >= 1, "no scenario wires LogMonitor");
}

#[test]
fn the_canary_alerts_select_the_lines_the_canary_writes() {
    let mut seen = 0;
    for (scenario, tree) in common::scenarios() {
        let spec = common::scenario_spec(&scenario);
        let Some(text) = tree.files.get("k8s/windows-canary.yaml") else {
            assert!(!akswin_plan::alerts::canary_enabled(&spec), "{scenario}");
            continue;
        };
        seen += 1;
        // akswin-system exists before the canary is applied (k8s/ is applied in name order)
        assert!(tree.files["k8s/00-akswin-system.yaml"].contains("kind: Namespace"));
        let daemonsets = docs(text);
        let windows_skus: std::collections::BTreeSet<&str> = spec
            .cluster
            .node_pools
            .iter()
            .filter(|p| p.os == akswin_spec::spec::Os::Windows)
            .map(|p| p.os_sku().as_str())
            .collect();
        assert_eq!(daemonsets.len(), windows_skus.len(), "{scenario}");
        let alerts = akswin_plan::alerts::windows_alerts(&spec);
        for ds in &daemonsets {
            let pod = &ds["spec"]["template"]["spec"];
            let sku = pod["nodeSelector"]["kubernetes.azure.com/os-sku"]
                .as_str()
                .unwrap();
            // the image's Windows version is the node's (process isolation)
            let image = pod["containers"][0]["image"].as_str().unwrap();
            assert_eq!(
                akswin_render::k8s::image_windows_sku(image).map(|s| s.as_str()),
                Some(sku),
                "{image}"
            );
            // the alerts select its namespace and container
            let ns = ds["metadata"]["namespace"].as_str().unwrap();
            let container = pod["containers"][0]["name"].as_str().unwrap();
            for name in ["windows-dns-canary-failures", "windows-canary-silent"] {
                let a = alerts.iter().find(|a| a.name == name).unwrap();
                assert!(
                    a.query.contains(&format!("PodNamespace == \"{ns}\"")),
                    "{}",
                    a.query
                );
                assert!(
                    a.query
                        .contains(&format!("ContainerName == \"{container}\""))
                );
            }
            // the JSON line's fields are the ones the failure alert reads
            let script = pod["containers"][0]["command"][5].as_str().unwrap();
            for field in ["akswinCanary = 'dns'", "name = $name", "ok = $ok"] {
                assert!(script.contains(field), "{field}");
            }
            // it resolves every name the plan names, through the pod's own DNS
            let names = pod["containers"][0]["env"][0]["value"].as_str().unwrap();
            assert_eq!(names, akswin_plan::alerts::canary_names(&spec).join(","));
            assert!(pod.get("dnsPolicy").is_none() && pod.get("hostNetwork").is_none());
            // tolerates every taint of the pools of its version
            for p in spec
                .cluster
                .node_pools
                .iter()
                .filter(|p| p.os_sku().as_str() == sku)
            {
                for t in &p.taints {
                    let key = t.split(['=', ':']).next().unwrap();
                    assert!(
                        pod["tolerations"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|x| x["key"] == key),
                        "{scenario}: {t}"
                    );
                }
            }
        }
    }
    assert!(seen >= 3, "only {seen} scenarios render the canary");
}
