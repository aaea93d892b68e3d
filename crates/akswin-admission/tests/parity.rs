//! Parity: every audit fixture of every rule enforced at admission is judged by the generated
//! Rego (the regorus interpreter, in Gatekeeper's input shape) and by the Rust rule, and the
//! two verdicts must agree for every document. The per-rule table is printed (`--nocapture`).
//!
//! A document's Rust verdict: the audit reports the rule on one of its lines. Its Rego verdict:
//! `violation` is not empty for one of its objects (each item of a `kind: List`).

use akswin_admission::{Exported, LIB, exported, left_out, parameters};
use akswin_audit::yaml::{self, Node, Value as Yaml};
use akswin_audit::{Context, Input, audit};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../akswin-audit/tests/fixtures")
}

#[path = "../../akswin-audit/tests/support/fixture_context.rs"]
mod fixture_context;

/// The audit context a fixture's header comments ask for.
fn context_for(text: &str) -> Res<Context> {
    Ok(fixture_context::context_for(text, &fixtures())?)
}

/// A YAML node as the API server would hand it to a webhook: JSON, with plain scalars typed
/// by the YAML core schema.
fn to_json(n: &Node) -> Value {
    match &n.value {
        Yaml::Null => Value::Null,
        Yaml::Scalar { text, quoted: true } => json!(text),
        Yaml::Scalar {
            text,
            quoted: false,
        } => match text.as_str() {
            "true" | "True" | "TRUE" => json!(true),
            "false" | "False" | "FALSE" => json!(false),
            t => t
                .parse::<i64>()
                .map(|i| json!(i))
                .or_else(|_| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite() && t.contains('.'))
                        .map(|f| json!(f))
                        .ok_or(())
                })
                .unwrap_or_else(|_| json!(t)),
        },
        Yaml::Seq(v) => Value::Array(v.iter().map(to_json).collect()),
        Yaml::Map(m) => Value::Object(m.iter().map(|(k, _, v)| (k.clone(), to_json(v))).collect()),
    }
}

fn engine(r: &Exported) -> Res<regorus::Engine> {
    engine_all(std::slice::from_ref(r))
}

/// Gatekeeper's input for an object under review.
fn set_input(e: &mut regorus::Engine, obj: &Value, params: &Value) -> Res<()> {
    let input = json!({ "review": { "object": obj, "kind": { "kind": obj["kind"] } }, "parameters": params });
    e.set_input(regorus::Value::from_json_str(&input.to_string())?);
    Ok(())
}

/// Whether the Rego finds a violation in this object.
fn rego_fires(e: &mut regorus::Engine, r: &Exported, obj: &Value, params: &Value) -> Res<bool> {
    set_input(e, obj, params)?;
    violated(e, r)
}

/// Whether the rule's `violation` set is not empty for the input set.
fn violated(e: &mut regorus::Engine, r: &Exported) -> Res<bool> {
    let v = e.eval_rule(format!("data.{}.violation", r.template_name()))?;
    if v == regorus::Value::Undefined {
        return Ok(false);
    }
    Ok(!v.as_set()?.is_empty())
}

#[derive(Default)]
struct Row {
    files: usize,
    documents: usize,
    rust: usize,
    rego: usize,
    disagreements: Vec<String>,
}

#[test]
fn the_rego_gives_the_rust_rules_verdict_on_every_audit_fixture() -> Res<()> {
    let rules = exported();
    assert!(!rules.is_empty());
    let mut table = Vec::new();
    let mut failures = Vec::new();
    for r in &rules {
        let code = r.meta.code;
        let mut row = Row::default();
        let mut e = engine(r)?;
        let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join(code))?
            .map(|d| d.map(|d| d.path()))
            .collect::<Result<_, _>>()?;
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path)?;
            let cx = context_for(&text)?;
            let params = Value::Object(parameters(r, &cx));
            row.files += 1;
            let result = audit(
                &[Input {
                    name: path.display().to_string(),
                    text: text.clone(),
                }][..],
                &cx,
            );
            let rust_lines: BTreeSet<u32> = result
                .findings
                .iter()
                .filter(|(_, f)| f.code == code)
                .filter_map(|(_, f)| f.span.map(|s| s.line))
                .collect();
            let docs = yaml::split(&text);
            for (i, doc) in docs.iter().enumerate() {
                let first = doc.first_line;
                let end = docs.get(i + 1).map_or(u32::MAX, |d| d.first_line);
                let Ok(Some(root)) = yaml::parse(doc) else {
                    continue;
                };
                row.documents += 1;
                let rust = rust_lines.iter().any(|l| (first..end).contains(l));
                let items: Vec<&Node> = match root.get("items") {
                    Some(items)
                        if root
                            .get("kind")
                            .and_then(Node::str)
                            .is_some_and(|k| k.ends_with("List")) =>
                    {
                        items.seq().iter().collect()
                    }
                    _ => vec![&root],
                };
                let mut rego = false;
                for item in items {
                    rego |= rego_fires(&mut e, r, &to_json(item), &params)?;
                }
                row.rust += usize::from(rust);
                row.rego += usize::from(rego);
                if rust != rego {
                    row.disagreements.push(format!(
                        "{} (document at line {first}): Rust {}, Rego {}",
                        path.file_name()
                            .map(|f| f.to_string_lossy())
                            .unwrap_or_default(),
                        if rust { "fires" } else { "passes" },
                        if rego { "fires" } else { "passes" },
                    ));
                }
            }
        }
        table.push(format!(
            "{code}  {:>5} {:>9} {:>10} {:>10}  {}",
            row.files,
            row.documents,
            row.rust,
            row.rego,
            if row.disagreements.is_empty() {
                "agree"
            } else {
                "DISAGREE"
            }
        ));
        failures.extend(
            row.disagreements
                .into_iter()
                .map(|d| format!("{code}: {d}")),
        );
    }
    println!("rule    files documents rust-fires rego-fires  verdict");
    for l in &table {
        println!("{l}");
    }
    for (m, reason) in left_out() {
        println!("{}  not at admission: {reason}", m.code);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

#[test]
fn every_manifest_rule_is_exported_or_says_why_not() {
    for r in akswin_audit::registry() {
        let code = r.meta().code;
        match akswin_admission::admission(code) {
            Some(akswin_admission::Admission::NotAtAdmission { reason }) => {
                assert!(reason.len() > 40, "{code}: say why, in a sentence")
            }
            Some(akswin_admission::Admission::Rego { rego, .. }) => {
                let template = exported()
                    .into_iter()
                    .find(|e| e.meta.code == code)
                    .map(|e| e.template_name());
                assert_eq!(
                    rego.lines().next().map(str::to_string),
                    template.map(|t| format!("package {t}")),
                    "{code}: the package is the template's name"
                );
            }
            None => panic!("{code} is a manifest rule with no admission entry"),
        }
    }
    assert!(akswin_admission::admission("NET001").is_none());
}

/// A named change to an object.
type Mutation = (&'static str, fn(&mut Value));

/// Changes a test applies to a seed object's pod spec (or Service) to reach the branches the
/// fixtures do not: selectors, OS, images, pull policy, users, HostProcess, resources, Linux
/// fields, load balancer annotations.
fn mutations() -> Vec<Mutation> {
    fn c0(spec: &mut Value) -> Option<&mut Value> {
        spec.get_mut("containers")?.get_mut(0)
    }
    vec![
        ("no nodeSelector", |s| {
            s.as_object_mut().map(|o| o.remove("nodeSelector"));
        }),
        ("os windows selector", |s| {
            s["nodeSelector"] = json!({ "kubernetes.io/os": "windows" })
        }),
        ("os linux selector", |s| {
            s["nodeSelector"] = json!({ "kubernetes.io/os": "linux" })
        }),
        ("beta os selector", |s| {
            s["nodeSelector"] = json!({ "beta.kubernetes.io/os": "windows" })
        }),
        ("os-sku selector", |s| {
            s["nodeSelector"] = json!({ "kubernetes.azure.com/os-sku": "Windows2022" })
        }),
        (
            "affinity windows",
            |s| s["affinity"] = json!({ "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [ { "matchExpressions": [ { "key": "kubernetes.io/os", "operator": "In", "values": ["windows"] } ] } ] } } }),
        ),
        (
            "affinity beta",
            |s| s["affinity"] = json!({ "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [ { "matchExpressions": [ { "key": "beta.kubernetes.io/os", "operator": "In", "values": ["linux"] } ] } ] } } }),
        ),
        ("os.name windows", |s| {
            s["os"] = json!({ "name": "windows" })
        }),
        ("no os", |s| {
            s.as_object_mut().map(|o| o.remove("os"));
        }),
        ("servercore image", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!("mcr.microsoft.com/windows/servercore:ltsc2022");
            }
        }),
        ("framework image", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!(
                    "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019"
                );
            }
        }),
        ("private latest", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!("contosoacr.azurecr.io/shop/orders:latest");
            }
        }),
        ("private untagged", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!("contosoacr.azurecr.io/shop/orders");
            }
        }),
        ("digest with 1809 in its hex", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!(format!(
                    "contosoacr.azurecr.io/api/orders@sha256:0a1809{}",
                    "0".repeat(58)
                ));
            }
        }),
        ("docker hub", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!("nginx:1.27");
            }
        }),
        ("port registry", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!("localhost:5000/tools/windows-agent");
            }
        }),
        ("invalid reference", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!("<Your Image Name>");
            }
        }),
        ("ingress controller", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!("registry.k8s.io/ingress-nginx/controller:v1.11.0");
            }
        }),
        ("pull always", |s| {
            if let Some(c) = c0(s) {
                c["imagePullPolicy"] = json!("Always");
            }
        }),
        ("container runAsUser", |s| {
            if let Some(c) = c0(s) {
                c["securityContext"] = json!({ "runAsUser": 1000, "privileged": false });
            }
        }),
        ("pod fsGroup", |s| {
            s["securityContext"] = json!({ "fsGroup": 2000 })
        }),
        ("hostPID", |s| s["hostPID"] = json!(true)),
        (
            "ContainerAdministrator",
            |s| {
                s["securityContext"] =
                    json!({ "windowsOptions": { "runAsUserName": "ContainerAdministrator" } })
            },
        ),
        ("container user", |s| {
            if let Some(c) = c0(s) {
                c["securityContext"] =
                    json!({ "windowsOptions": { "runAsUserName": "ContainerUser" } });
            }
        }),
        ("hostProcess system", |s| {
            s["securityContext"] = json!({ "windowsOptions": { "hostProcess": true, "runAsUserName": "NT AUTHORITY\\SYSTEM" } });
            s["hostNetwork"] = json!(true);
        }),
        (
            "hostProcess no network",
            |s| s["securityContext"] = json!({ "windowsOptions": { "hostProcess": true, "runAsUserName": "NT AUTHORITY\\Local Service" } }),
        ),
        ("hostProcess wrong user", |s| {
            s["securityContext"] = json!({ "windowsOptions": { "hostProcess": true, "runAsUserName": "ContainerUser" } });
            s["hostNetwork"] = json!(true);
        }),
        ("hostProcess mixed", |s| {
            s["securityContext"] = json!({ "windowsOptions": { "hostProcess": true, "runAsUserName": "NT AUTHORITY\\SYSTEM" } });
            s["hostNetwork"] = json!(true);
            if let Some(c) = c0(s) {
                c["securityContext"] = json!({ "windowsOptions": { "hostProcess": false } });
            }
        }),
        ("equal resources by value", |s| {
            if let Some(c) = c0(s) {
                c["resources"] = json!({ "requests": { "cpu": "1000m", "memory": "1024Mi" }, "limits": { "cpu": 1, "memory": "1Gi" } });
            }
        }),
        ("overcommit", |s| {
            if let Some(c) = c0(s) {
                c["resources"] = json!({ "requests": { "cpu": "500m", "memory": "1Gi" }, "limits": { "cpu": "1", "memory": "1Gi" } });
            }
        }),
        ("limits only", |s| {
            if let Some(c) = c0(s) {
                c["resources"] = json!({ "limits": { "cpu": "1", "memory": "1Gi" } });
            }
        }),
        ("no resources", |s| {
            if let Some(c) = c0(s) {
                c.as_object_mut().map(|o| o.remove("resources"));
            }
        }),
        ("admin exception", |_| {}),
        ("os-sku 2025 selector", |s| {
            s["nodeSelector"] = json!({ "kubernetes.azure.com/os-sku": "Windows2025" })
        }),
        ("agentpool win25", |s| {
            s["nodeSelector"] = json!({ "kubernetes.azure.com/agentpool": "win25" })
        }),
        ("agentpool that does not exist", |s| {
            s["nodeSelector"] = json!({ "kubernetes.azure.com/agentpool": "win19" })
        }),
        ("pool label", |s| {
            s["nodeSelector"] = json!({ "workload": "batch" })
        }),
        (
            "arch and os",
            |s| {
                s["nodeSelector"] =
                    json!({ "kubernetes.io/arch": "amd64", "kubernetes.io/os": "windows" })
            },
        ),
        (
            "affinity two os-skus",
            |s| s["affinity"] = json!({ "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [ { "matchExpressions": [ { "key": "kubernetes.azure.com/os-sku", "operator": "In", "values": ["Windows2022", "Windows2025"] } ] } ] } } }),
        ),
        (
            "affinity os-sku 2025",
            |s| s["affinity"] = json!({ "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [ { "matchExpressions": [ { "key": "kubernetes.azure.com/os-sku", "operator": "In", "values": ["Windows2025"] } ] } ] } } }),
        ),
        (
            "affinity terms ORed",
            |s| s["affinity"] = json!({ "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [ { "matchExpressions": [ { "key": "kubernetes.azure.com/agentpool", "operator": "In", "values": ["win22"] } ] }, { "matchExpressions": [ { "key": "kubernetes.azure.com/os-sku", "operator": "In", "values": ["Windows2025"] } ] } ] } } }),
        ),
        (
            "affinity NotIn and DoesNotExist",
            |s| s["affinity"] = json!({ "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [ { "matchExpressions": [ { "key": "kubernetes.azure.com/os-sku", "operator": "NotIn", "values": ["Windows2025"] }, { "key": "workload", "operator": "DoesNotExist" } ] } ] } } }),
        ),
        (
            "affinity Exists on a pool label",
            |s| s["affinity"] = json!({ "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [ { "matchExpressions": [ { "key": "workload", "operator": "Exists" } ] } ] } } }),
        ),
        (
            "affinity matchFields and Gt",
            |s| s["affinity"] = json!({ "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [ { "matchFields": [ { "key": "metadata.name", "operator": "In", "values": ["akswin25000000"] } ] }, { "matchExpressions": [ { "key": "cpu-count", "operator": "Gt", "values": ["4"] } ] } ] } } }),
        ),
        (
            "affinity with an empty term",
            |s| s["affinity"] = json!({ "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [ {} ] } } }),
        ),
        ("nodeName", |s| s["nodeName"] = json!("akswin25000000")),
        (
            "hostname selector",
            |s| s["nodeSelector"] = json!({ "kubernetes.io/os": "windows", "kubernetes.io/hostname": "akswin25000000" }),
        ),
        (
            "virtual node",
            |s| {
                s["nodeSelector"] =
                    json!({ "type": "virtual-kubelet", "kubernetes.io/os": "linux" })
            },
        ),
        ("Linux build tag with 1809", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!("contosoacr.azurecr.io/tools:build-21809");
            }
        }),
        (
            "tolerate the gpu taint",
            |s| s["tolerations"] = json!([{ "key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule" }]),
        ),
        ("tolerate every taint", |s| {
            s["tolerations"] = json!([{ "operator": "Exists" }])
        }),
        (
            "toleration of another effect",
            |s| {
                s["tolerations"] =
                    json!([{ "key": "sku", "operator": "Exists", "effect": "NoExecute" }])
            },
        ),
        (
            "tolerate CriticalAddonsOnly",
            |s| s["tolerations"] = json!([{ "key": "CriticalAddonsOnly", "operator": "Exists" }]),
        ),
        ("TZ env", |s| {
            if let Some(c) = c0(s) {
                c["env"] = json!([{ "name": "TZ", "value": "Europe/Berlin" }]);
            }
        }),
        ("ContainerUser with a writable emptyDir", |s| {
            s["securityContext"] =
                json!({ "windowsOptions": { "runAsUserName": "ContainerUser" } });
            s["volumes"] = json!([{ "name": "cache", "emptyDir": {} }]);
            if let Some(c) = c0(s) {
                c["volumeMounts"] = json!([{ "name": "cache", "mountPath": "C:\\cache" }]);
            }
        }),
        (
            "container ContainerUser with a read-only CSI and a null emptyDir",
            |s| {
                s["volumes"] = json!([
                    { "name": "tls", "csi": { "driver": "secrets-store.csi.k8s.io", "readOnly": true } },
                    { "name": "scratch", "emptyDir": null },
                    { "name": "share", "azureFile": { "secretName": "s", "shareName": "x" } },
                ]);
                if let Some(c) = c0(s) {
                    c["securityContext"] =
                        json!({ "windowsOptions": { "runAsUserName": "containeruser" } });
                    c["volumeMounts"] = json!([
                        { "name": "tls", "mountPath": "C:\\tls" },
                        { "name": "scratch", "mountPath": "C:\\scratch" },
                        { "name": "share", "mountPath": "C:\\share", "readOnly": true },
                    ]);
                }
            },
        ),
        ("ltsc2025 image", |s| {
            if let Some(c) = c0(s) {
                c["image"] = json!("contosoacr.azurecr.io/legacy/web:4.8-ltsc2025");
            }
        }),
    ]
}

fn service_mutations() -> Vec<Mutation> {
    vec![
        ("public LoadBalancer", |o| {
            o["spec"]["type"] = json!("LoadBalancer");
            o["metadata"]["annotations"] = json!({});
        }),
        ("internal LoadBalancer", |o| {
            o["spec"]["type"] = json!("LoadBalancer");
            o["metadata"]["annotations"] =
                json!({ "service.beta.kubernetes.io/azure-load-balancer-internal": "true" });
        }),
        ("PLS public", |o| {
            o["spec"]["type"] = json!("LoadBalancer");
            o["metadata"]["annotations"] =
                json!({ "service.beta.kubernetes.io/azure-pls-create": "true" });
        }),
        ("PLS local default subnet", |o| {
            o["spec"]["type"] = json!("LoadBalancer");
            o["spec"]["externalTrafficPolicy"] = json!("Local");
            o["metadata"]["annotations"] = json!({ "service.beta.kubernetes.io/azure-pls-create": "true", "service.beta.kubernetes.io/azure-load-balancer-internal": "true" });
        }),
        ("PLS local own subnet", |o| {
            o["spec"]["type"] = json!("LoadBalancer");
            o["spec"]["externalTrafficPolicy"] = json!("Local");
            o["metadata"]["annotations"] = json!({ "service.beta.kubernetes.io/azure-pls-create": "true", "service.beta.kubernetes.io/azure-load-balancer-internal": "true", "service.beta.kubernetes.io/azure-pls-ip-configuration-subnet": "snet-pls" });
        }),
        ("ClusterIP", |o| {
            o["spec"]["type"] = json!("ClusterIP");
        }),
    ]
}

fn credspec_mutations() -> Vec<Mutation> {
    fn join(o: &mut Value) -> &mut Value {
        &mut o["credspec"]["DomainJoinConfig"]
    }
    fn host(o: &mut Value) -> &mut Value {
        &mut o["credspec"]["ActiveDirectoryConfig"]["HostAccountConfig"]
    }
    vec![
        ("account SID", |o| {
            let sid = join(o)["Sid"].as_str().unwrap_or_default().to_string();
            join(o)["Sid"] = json!(format!("{sid}-1105"));
        }),
        ("SID a number", |o| join(o)["Sid"] = json!(21)),
        ("braced GUID", |o| {
            join(o)["Guid"] = json!("{244818ae-87ac-4fcd-92ec-e79e5252348a}")
        }),
        ("NetBIOS name as DnsName", |o| {
            join(o)["DnsName"] = join(o)["NetBiosName"].clone()
        }),
        ("DnsName in another forest", |o| {
            join(o)["DnsName"] = json!("corp.fabrikam.com")
        }),
        ("DnsName with a final dot", |o| {
            join(o)["DnsName"] = json!("corp.contoso.com.")
        }),
        ("no DnsTreeName", |o| {
            if let Some(j) = join(o).as_object_mut() {
                j.remove("DnsTreeName");
            }
        }),
        ("16-character NetBIOS name", |o| {
            join(o)["NetBiosName"] = json!("CONTOSOCORPORATE")
        }),
        ("$ on the account", |o| {
            let a = join(o)["MachineAccountName"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            join(o)["MachineAccountName"] = json!(format!("{a}$"));
        }),
        ("account not listed", |o| {
            o["credspec"]["ActiveDirectoryConfig"]["GroupManagedServiceAccounts"] =
                json!([{ "Name": "SomeoneElse", "Scope": "CORP" }])
        }),
        ("account listed in other case", |o| {
            let a = join(o)["MachineAccountName"]
                .as_str()
                .unwrap_or_default()
                .to_uppercase();
            o["credspec"]["ActiveDirectoryConfig"]["GroupManagedServiceAccounts"] =
                json!([{ "Name": a, "Scope": "CORP" }])
        }),
        ("no HostAccountConfig", |o| {
            if let Some(a) = o["credspec"]["ActiveDirectoryConfig"].as_object_mut() {
                a.remove("HostAccountConfig");
            }
        }),
        ("null HostAccountConfig", |o| *host(o) = Value::Null),
        ("another plug-in", |o| {
            host(o)["PluginGUID"] = json!("{859E1386-BDB4-49E8-85C7-3070B13920E1}")
        }),
        ("plug-in in lower case", |o| {
            host(o)["PluginGUID"] = json!("{ccc2a336-d7f3-4818-a213-272b7924213e}")
        }),
        ("version a number", |o| {
            host(o)["PortableCcgVersion"] = json!(1)
        }),
        ("no ObjectId", |o| {
            host(o)["PluginInput"] = json!("SecretUri=https://kv.vault.azure.net/secrets/gmsa")
        }),
        ("SecretUri not https", |o| {
            host(o)["PluginInput"] = json!(
                "ObjectId=6b6f1e52-8a0e-4d8a-9f3c-0d1e2f3a4b5c;SecretUri=http://kv.vault.azure.net/secrets/gmsa"
            )
        }),
        ("input in the other order", |o| {
            host(o)["PluginInput"] = json!(
                "SecretUri=https://kv.vault.azure.net/secrets/gmsa;ObjectId=6b6f1e52-8a0e-4d8a-9f3c-0d1e2f3a4b5c"
            )
        }),
        ("no CmsPlugins", |o| {
            if let Some(c) = o["credspec"].as_object_mut() {
                c.remove("CmsPlugins");
            }
        }),
        ("credspec null", |o| o["credspec"] = Value::Null),
    ]
}

/// Where a kind keeps its pod spec.
fn pod_spec_mut(obj: &mut Value) -> Option<&mut Value> {
    let kind = obj.get("kind")?.as_str()?.to_string();
    match kind.as_str() {
        "Pod" => obj.get_mut("spec"),
        "CronJob" => obj.pointer_mut("/spec/jobTemplate/spec/template/spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => obj.pointer_mut("/spec/template/spec"),
        _ => None,
    }
}

/// Every object of every audit fixture, with the context its file asks for (and, for a
/// workload whose file gives no pools, again with the mixed cluster's).
fn seeds() -> Res<Vec<(Value, Context)>> {
    let mut out = Vec::new();
    let mixed = context_for("# context: spec-mixed\n")?;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())?
        .map(|d| d.map(|d| d.path()))
        .collect::<Result<_, _>>()?;
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .map(|d| d.map(|d| d.path()))
            .collect::<Result<_, _>>()?;
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path)?;
            for doc in yaml::split(&text) {
                let Ok(Some(root)) = yaml::parse(&doc) else {
                    continue;
                };
                let v = to_json(&root);
                let items = match v.get("items").and_then(Value::as_array) {
                    Some(items) => items.clone(),
                    None => vec![v],
                };
                let cx = context_for(&text)?;
                for item in items.into_iter().filter(|i| i.get("kind").is_some()) {
                    // a seed without pools is judged on the mixed cluster too: the pool rules
                    // (WIN004, WIN018) then see every selector and toleration mutation
                    if cx.pools.is_none() && item["kind"] != "Service" {
                        out.push((item.clone(), mixed.clone()));
                    }
                    out.push((item, cx.clone()));
                }
            }
        }
    }
    Ok(out)
}

/// One engine holding every exported rule.
fn engine_all(rules: &[Exported]) -> Res<regorus::Engine> {
    let mut all = regorus::Engine::new();
    all.set_rego_v0(true);
    all.add_policy("lib.rego".into(), LIB.into())?;
    for r in rules {
        all.add_policy(format!("{}.rego", r.meta.code), r.rego.into())?;
    }
    Ok(all)
}

/// The mutated objects: (seed index, what was changed, the object).
fn cases(seeds: &[(Value, Context)]) -> Vec<(usize, String, Value)> {
    let pod = mutations();
    let mut out = Vec::new();
    for (n, (seed, _)) in seeds.iter().enumerate() {
        if seed["kind"] == "GMSACredentialSpec" {
            let all = credspec_mutations();
            for (i, (a, ma)) in all.iter().enumerate() {
                for j in [None, Some((i * 5 + 3) % all.len())] {
                    let mut v = seed.clone();
                    ma(&mut v);
                    let mut label = a.to_string();
                    if let Some(j) = j {
                        let (b, mb) = &all[j];
                        mb(&mut v);
                        label = format!("{a} + {b}");
                    }
                    out.push((n, label, v));
                }
            }
            continue;
        }
        if seed["kind"] == "Service" {
            for (name, m) in service_mutations() {
                let mut v = seed.clone();
                m(&mut v);
                out.push((n, name.to_string(), v));
            }
            continue;
        }
        // every mutation alone, and each followed by a second (a fixed, spread pairing)
        for (i, (a, ma)) in pod.iter().enumerate() {
            for j in [
                None,
                Some((i * 7 + 3) % pod.len()),
                Some((i * 13 + 5) % pod.len()),
            ] {
                let mut v = seed.clone();
                let Some(spec) = pod_spec_mut(&mut v) else {
                    continue;
                };
                ma(spec);
                let mut label = a.to_string();
                if let Some(j) = j {
                    let (b, mb) = &pod[j];
                    mb(spec);
                    label = format!("{a} + {b}");
                }
                if *a == "admin exception" {
                    v["spec"]["template"]["metadata"]["annotations"] =
                        json!({ "akswin.io/container-administrator-reason": "IIS needs it" });
                }
                out.push((n, label, v));
            }
        }
    }
    out
}

/// Per rule, how many cases the Rust rule and the Rego flag; and the disagreements.
type Tally = (Vec<(usize, usize)>, Vec<String>);

fn judge(
    rules: &[Exported],
    seeds: &[(Value, Context)],
    cases: &[(usize, String, Value)],
) -> Res<Tally> {
    let mut all = engine_all(rules)?;
    let mut fired = vec![(0usize, 0usize); rules.len()];
    let mut failures = Vec::new();
    for (n, label, v) in cases {
        let cx = &seeds[*n].1;
        let text = serde_json::to_string_pretty(v)?;
        let result = audit(
            &[Input {
                name: "case.json".into(),
                text,
            }][..],
            cx,
        );
        let params: serde_json::Map<String, Value> =
            rules.iter().flat_map(|r| parameters(r, cx)).collect();
        set_input(&mut all, v, &Value::Object(params))?;
        for (k, r) in rules.iter().enumerate() {
            // (a finding without a place is a note about missing context, not a verdict)
            let rust = result
                .findings
                .iter()
                .any(|(_, f)| f.code == r.meta.code && f.span.is_some());
            let rego = violated(&mut all, r)?;
            fired[k].0 += usize::from(rust);
            fired[k].1 += usize::from(rego);
            if rust != rego && failures.len() < 40 {
                failures.push(format!(
                    "{}: {} {} with `{label}`: Rust {}, Rego {}\n{}",
                    r.meta.code,
                    v["kind"],
                    v["metadata"]["name"],
                    if rust { "fires" } else { "passes" },
                    if rego { "fires" } else { "passes" },
                    serde_json::to_string(v)?
                ));
            }
        }
    }
    Ok((fired, failures))
}

#[test]
fn the_rego_gives_the_rust_rules_verdict_on_mutated_fixtures() -> Res<()> {
    let rules = exported();
    let seeds = seeds()?;
    let cases = cases(&seeds);
    // The interpreter takes a few milliseconds per object: judge on every core.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = cases.len().div_ceil(threads).max(1);
    let tallies: Vec<Result<Tally, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| s.spawn(|| judge(&rules, &seeds, part).map_err(|e| e.to_string())))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| "a judging thread panicked".to_string())?
            })
            .collect()
    });
    let mut fired = vec![(0usize, 0usize); rules.len()];
    let mut failures = Vec::new();
    for t in tallies {
        let (f, mut fails) = t?;
        for (total, part) in fired.iter_mut().zip(f) {
            total.0 += part.0;
            total.1 += part.1;
        }
        failures.append(&mut fails);
    }
    println!(
        "{} mutated objects; per rule, objects the Rust rule / the Rego flags:",
        cases.len()
    );
    for (r, (a, b)) in rules.iter().zip(&fired) {
        println!("{}  {a:>5} {b:>5}", r.meta.code);
        assert!(
            *a > 0,
            "{}: no mutated case fires it; the test proves nothing",
            r.meta.code
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

/// At admission, an object a controller owns was judged at its owner: a Deployment's
/// ReplicaSets and Pods are skipped (one mistake reported once, and a rollout's own updates
/// never refused). The audit has no such objects; this is the one deliberate difference.
#[test]
fn objects_a_controller_owns_are_judged_at_their_owner() -> Res<()> {
    let rules = exported();
    let win001 = rules
        .iter()
        .find(|r| r.meta.code == "WIN001")
        .ok_or("WIN001 is exported")?;
    let mut e = engine(win001)?;
    let mut rs = json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": { "name": "web-7d9f", "namespace": "shop" },
        "spec": { "replicas": 0, "template": { "spec": { "containers": [
            { "name": "web", "image": "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022" }
        ] } } }
    });
    assert!(
        rego_fires(&mut e, win001, &rs, &json!({}))?,
        "an unowned ReplicaSet is judged"
    );
    rs["metadata"]["ownerReferences"] = json!([{ "apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "1", "controller": true }]);
    assert!(
        !rego_fires(&mut e, win001, &rs, &json!({}))?,
        "an owned one is not"
    );
    Ok(())
}
