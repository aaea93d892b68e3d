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

/// The documents of a multi-document YAML text (akswin writes `---` between them).
fn yaml_docs(text: &str) -> Vec<Value> {
    text.split("\n---\n")
        .map(|d| serde_saphyr::from_str(d).expect("yaml document"))
        .collect()
}

/// A workload's certificate reaches its pods and no one else, along the whole path: the
/// certificate's secret -> Key Vault Secrets User for the workload's own identity alone -> a
/// federated credential for exactly the service account the Deployment runs as, through the
/// cluster's OIDC issuer -> the SecretProviderClass deploy.sh writes (same vault, secret,
/// namespace, the identity's client id) -> the CSI volume the pod mounts -> the path in the
/// container's environment.
#[test]
#[cfg(unix)]
fn a_workload_certificate_reaches_its_pods_through_its_own_identity() {
    const CLIENT: &str = "0b2f5a3c-1d4e-4f60-8a7b-9c0d1e2f3a4b";
    const TENANT: &str = "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9";
    let mut seen = 0;
    for (name, text) in common::scenario_specs() {
        let spec = common::load(&text);
        let plan = akswin_plan::plan(&spec);
        let tree = akswin_render::render(&spec, &plan, "test");
        let n = akswin_plan::names::Names::new(&spec);
        let main: Value = serde_json::from_str(&tree.files["arm/main.json"]).unwrap();
        let deployments = main["resources"].as_array().unwrap();
        let cluster = deployments
            .iter()
            .find(|d| d["name"] == "akswin-cluster")
            .unwrap()["properties"]["template"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == "Microsoft.ContainerService/managedClusters")
            .unwrap()
            .clone();
        let wi = deployments
            .iter()
            .find(|d| d["name"] == "akswin-workload-identity");
        let certified: Vec<_> = spec
            .workloads
            .iter()
            .filter(|w| w.certificate.is_some())
            .collect();
        if certified.is_empty() {
            assert!(
                wi.is_none(),
                "{name}: workload identities without certificates"
            );
            continue;
        }
        assert_eq!(
            cluster["properties"]["oidcIssuerProfile"]["enabled"], true,
            "{name}"
        );
        assert_eq!(
            cluster["properties"]["securityProfile"]["workloadIdentity"]["enabled"], true,
            "{name}"
        );
        let wi = wi.expect("workload identity deployment");
        assert_eq!(wi["resourceGroup"], n.rg_shared.as_str());
        assert!(
            wi["dependsOn"].to_string().contains("'akswin-cluster'"),
            "{name}: the issuer exists only with the cluster"
        );
        let res = wi["properties"]["template"]["resources"]
            .as_array()
            .unwrap();
        // deploy.sh k8s, with a stand-in az that knows the tenant and every identity.
        let az = format!(
            "case \"$*\" in\n  \"account show\"*) echo {TENANT} ;;\n  \"identity show\"*) echo {CLIENT} ;;\n  \"aks command invoke\"*) for f in tls-*.yaml; do echo \"== $f\" >> \"$log\"; cat \"$f\" >> \"$log\"; done; echo \"with exitcode=0\" ;;\nesac\n"
        );
        let ready = common::after_active_directory(&tree, &spec);
        let (code, calls, out) = common::run_deploy_sh(&ready, "k8s", &az, &[]);
        assert_eq!(code, 0, "{name}: {out}");
        for w in certified {
            seen += 1;
            let secret = w.certificate.as_ref().unwrap().key_vault_secret.as_str();
            let id_name = n.workload_identity(&w.name);
            // The pod: its namespace and service account, the CSI volume and the mount.
            let docs = yaml_docs(&tree.files[&format!("k8s/{}.yaml", w.name)]);
            let dep = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
            let ns = dep["metadata"]["namespace"].as_str().unwrap();
            let pod = &dep["spec"]["template"]["spec"];
            let sa = pod["serviceAccountName"].as_str().unwrap();
            let vol = pod["volumes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["csi"]["driver"] == "secrets-store.csi.k8s.io")
                .expect("a CSI volume");
            let class = vol["csi"]["volumeAttributes"]["secretProviderClass"]
                .as_str()
                .unwrap();
            let c = &pod["containers"][0];
            let mount = c["volumeMounts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["name"] == vol["name"])
                .expect("the container mounts it");
            let path = c["env"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["name"] == akswin_render::k8s::TLS_ENV)
                .unwrap()["value"]
                .as_str()
                .unwrap();
            assert!(
                path.starts_with(mount["mountPath"].as_str().unwrap()),
                "{name}/{}: {path} outside the mount",
                w.name
            );
            // The identity, its federated credential and its only grant.
            assert!(res.iter().any(|r| r["type"]
                == "Microsoft.ManagedIdentity/userAssignedIdentities"
                && r["name"] == id_name.as_str()));
            let fic = res
                .iter()
                .find(|r| {
                    r["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
                        && r["name"].as_str().unwrap().contains(&format!("'{id_name}'"))
                })
                .expect("a federated credential");
            assert_eq!(
                fic["properties"]["subject"],
                format!("system:serviceaccount:{ns}:{sa}"),
                "{name}/{}",
                w.name
            );
            assert_eq!(
                fic["properties"]["audiences"][0],
                "api://AzureADTokenExchange"
            );
            assert!(
                fic["properties"]["issuer"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("'{}'), '", n.cluster))
            );
            let grants: Vec<&Value> = res
                .iter()
                .filter(|r| {
                    r["type"] == "Microsoft.Authorization/roleAssignments"
                        && r["properties"]["principalId"]
                            .as_str()
                            .unwrap()
                            .contains(&format!("'{id_name}'"))
                })
                .collect();
            assert_eq!(grants.len(), 1, "{name}/{}", w.name);
            assert_eq!(
                grants[0]["scope"],
                format!(
                    "[resourceId('Microsoft.KeyVault/vaults/secrets', '{}', '{secret}')]",
                    n.key_vault
                )
            );
            // The SecretProviderClass deploy.sh wrote for it.
            let file = akswin_render::k8s::tls_file_name(&w.name);
            let written = calls
                .split(&format!("== {file}\n"))
                .nth(1)
                .unwrap_or_else(|| panic!("{name}: deploy.sh wrote no {file}: {calls}"));
            let written = written.split("\n== ").next().unwrap();
            let spc_docs = yaml_docs(written.trim_end());
            let spc = spc_docs
                .iter()
                .find(|d| d["kind"] == "SecretProviderClass")
                .unwrap();
            assert_eq!(spc["metadata"]["name"], class);
            assert_eq!(spc["metadata"]["namespace"], ns);
            let p = &spc["spec"]["parameters"];
            assert_eq!(p["clientID"], CLIENT);
            assert_eq!(p["tenantID"], TENANT);
            assert_eq!(p["keyvaultName"], n.key_vault.as_str());
            assert_eq!(p["usePodIdentity"], "false");
            let objects: Value = serde_saphyr::from_str(p["objects"].as_str().unwrap()).unwrap();
            let object: Value =
                serde_saphyr::from_str(objects["array"][0].as_str().unwrap()).unwrap();
            assert_eq!(object["objectName"], secret);
            assert_eq!(object["objectType"], "secret");
            assert!(path.ends_with(object["objectAlias"].as_str().unwrap()));
            if w.os == akswin_spec::spec::Os::Windows {
                assert_eq!(object["objectFormat"], "pfx");
                assert_eq!(object["objectEncoding"], "base64");
            }
        }
    }
    assert!(seen >= 7, "only {seen} certificate workloads seen");
}
