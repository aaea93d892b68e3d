//! Kubernetes manifests: per workload a Namespace, ServiceAccount, Deployment, internal
//! LoadBalancer Service and (replicas > 1) PodDisruptionBudget; gMSA RBAC; image pre-pull
//! DaemonSets per Windows OS SKU. Built as JSON values and serialised as YAML, never templated.

use akswin_plan::NetworkPlan;
use akswin_spec::Spec;
use akswin_spec::spec::{Os, OsSku, SpokeSubnet, TrafficPolicy, Workload};
use serde_json::{Map, Value, json};

use akswin_facts::CONTAINER_ADMINISTRATOR_REASON;
const CONTAINER_ADMINISTRATOR_WHY: &str = "IIS: ServiceMonitor starts and watches w3svc, which needs an administrator; the site's application pool runs as its own identity and uses the gMSA on the network";

/// The fixed plugin GUID of the AKS gMSA credential-spec plugin (docs/sources.md#gmsa-on-aks).
pub const GMSA_PLUGIN_GUID: &str = "{CCC2A336-D7F3-4818-A213-272B7924213E}";
/// The pause image the pre-pull DaemonSets keep running (multi-arch, Windows included).
pub const PAUSE_IMAGE: &str = "mcr.microsoft.com/oss/kubernetes/pause:3.9";
/// Default resources for a workload without `resources` (requests = limits).
pub const DEFAULT_CPU: &str = "1";
pub const DEFAULT_MEMORY: &str = "2Gi";

pub use akswin_plan::resolve::{image_ref, image_windows_sku};

pub use akswin_plan::names::k8s_name;

/// Tolerations for taints written as `key=value:Effect` (or `key:Effect`).
fn tolerations(taints: &[String]) -> Vec<Value> {
    taints
        .iter()
        .filter_map(|t| {
            let (kv, effect) = t.rsplit_once(':')?;
            Some(match kv.split_once('=') {
                Some((k, v)) => {
                    json!({ "key": k, "operator": "Equal", "value": v, "effect": effect })
                }
                None => json!({ "key": kv, "operator": "Exists", "effect": effect }),
            })
        })
        .collect()
}

/// Appends `item` to the array `obj[key]`, creating it when absent.
fn push(obj: &mut Value, key: &str, item: Value) {
    match obj[key].as_array_mut() {
        Some(items) => items.push(item),
        None => obj[key] = json!([item]),
    }
}

fn labels(w: &str) -> Value {
    json!({ "app.kubernetes.io/name": w, "app.kubernetes.io/managed-by": "akswin" })
}

/// Everything for one workload, as separate documents.
pub fn workload(spec: &Spec, plan: &NetworkPlan, w: &Workload) -> Vec<Value> {
    let name = k8s_name(&w.name);
    let ns = name.clone();
    let mut docs = Vec::new();
    docs.push(json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": ns, "labels": labels(&name) } }));
    docs.push(json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": { "name": name, "namespace": ns, "labels": labels(&name) },
        "automountServiceAccountToken": false,
    }));
    let p = akswin_plan::resolve::workload_pool(spec, w);
    let windows = w.os == Os::Windows;
    let mut selector = Map::new();
    selector.insert(
        "kubernetes.io/os".into(),
        json!(if windows { "windows" } else { "linux" }),
    );
    if let Some(p) = p {
        if windows {
            selector.insert(
                "kubernetes.azure.com/os-sku".into(),
                json!(p.os_sku().as_str()),
            );
        }
        selector.insert("kubernetes.azure.com/agentpool".into(), json!(p.name));
    }
    let (cpu, mem) = w
        .resources
        .as_ref()
        .map_or((DEFAULT_CPU.to_string(), DEFAULT_MEMORY.to_string()), |r| {
            (r.cpu.to_string(), r.memory.to_string())
        });
    let resources = json!({ "requests": { "cpu": cpu, "memory": mem }, "limits": { "cpu": cpu, "memory": mem } });
    let mut container = json!({
        "name": name,
        "image": image_ref(spec, &w.image),
        "imagePullPolicy": "IfNotPresent",
        "resources": resources,
    });
    if let Some(port) = w.port {
        container["ports"] = json!([ { "name": "app", "containerPort": port, "protocol": "TCP" } ]);
        if windows {
            // IIS and .NET Framework start slowly: a startup probe (up to 5 minutes) holds the
            // liveness probe back until the port answers, instead of a fixed delay that is
            // either too short (restarts in a loop) or slows every start (WIN022)
            container["startupProbe"] = json!({ "tcpSocket": { "port": port }, "periodSeconds": 10, "failureThreshold": 30 });
            container["readinessProbe"] =
                json!({ "tcpSocket": { "port": port }, "periodSeconds": 10 });
            container["livenessProbe"] = json!({ "tcpSocket": { "port": port }, "periodSeconds": 20, "failureThreshold": 3 });
        } else {
            container["readinessProbe"] = json!({ "tcpSocket": { "port": port }, "initialDelaySeconds": 10, "periodSeconds": 10 });
            container["livenessProbe"] = json!({ "tcpSocket": { "port": port }, "initialDelaySeconds": 20, "periodSeconds": 20, "failureThreshold": 3 });
        }
    }
    // The workload's certificate, mounted by the Key Vault CSI driver with the workload's own
    // identity (the SecretProviderClass deploy.sh writes from the deployed identity).
    if w.certificate.is_some() {
        let (dir, file) = tls_mount(windows);
        container["volumeMounts"] =
            json!([ { "name": "tls", "mountPath": dir, "readOnly": true } ]);
        container["env"] = json!([ { "name": TLS_ENV, "value": format!("{dir}{}{file}", if windows { "\\" } else { "/" }) } ]);
    }
    // LogMonitor as the entry point: the application's files, event log channels and ETW
    // providers reach stdout, where kubectl logs and Container Insights read (WRK004).
    let logs = w.logs.as_ref().filter(|_| windows);
    let log_config = logs.map(log_monitor_config);
    if let Some(logs) = logs {
        let mut command = vec![
            logs.log_monitor_path
                .clone()
                .unwrap_or_else(|| LOG_MONITOR_DEFAULT_PATH.to_string()),
            "/Config".to_string(),
            format!("{LOG_MONITOR_CONFIG_DIR}\\{LOG_MONITOR_CONFIG_FILE}"),
        ];
        command.extend(logs.command.iter().cloned());
        container["command"] = json!(command);
        push(
            &mut container,
            "volumeMounts",
            json!({ "name": "logmonitor", "mountPath": LOG_MONITOR_CONFIG_DIR, "readOnly": true }),
        );
    }
    let mut pod = json!({
        "serviceAccountName": name,
        "automountServiceAccountToken": false,
        "nodeSelector": selector,
        "containers": [container],
    });
    if let Some(p) = p
        && !p.taints.is_empty()
    {
        pod["tolerations"] = json!(tolerations(&p.taints));
    }
    if w.certificate.is_some() {
        pod["volumes"] = json!([ { "name": "tls", "csi": {
            "driver": "secrets-store.csi.k8s.io",
            "readOnly": true,
            "volumeAttributes": { "secretProviderClass": tls_class_name(&name) },
        } } ]);
    }
    if log_config.is_some() {
        push(
            &mut pod,
            "volumes",
            json!({ "name": "logmonitor", "configMap": { "name": log_monitor_config_map(&name) } }),
        );
    }
    if windows {
        pod["os"] = json!({ "name": "windows" });
        let mut wo = json!({ "runAsUserName": w.run_as().user_name() });
        if let Some(acct) = &w.gmsa_account {
            wo["gmsaCredentialSpecName"] = json!(k8s_name(acct));
        }
        pod["securityContext"] = json!({ "windowsOptions": wo });
    } else {
        pod["os"] = json!({ "name": "linux" });
        pod["securityContext"] =
            json!({ "runAsNonRoot": true, "seccompProfile": { "type": "RuntimeDefault" } });
        pod["containers"][0]["securityContext"] = json!({ "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": { "drop": ["ALL"] } });
    }
    // Why a workload runs as ContainerAdministrator, on the pod for whoever reads it (and for
    // WIN008, which accepts the documented exception).
    let mut template_meta = json!({ "labels": labels(&name) });
    if windows && w.run_as() == akswin_spec::spec::RunAs::ContainerAdministrator {
        template_meta["annotations"] =
            json!({ CONTAINER_ADMINISTRATOR_REASON: CONTAINER_ADMINISTRATOR_WHY });
    }
    // A changed LogMonitor configuration rolls the pods (a mounted ConfigMap is read once,
    // at LogMonitor's start).
    if let Some(config) = &log_config {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(config.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        template_meta["annotations"][LOG_MONITOR_CONFIG_HASH] = json!(hex);
        docs.push(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": { "name": log_monitor_config_map(&name), "namespace": ns, "labels": labels(&name) },
            "data": { LOG_MONITOR_CONFIG_FILE: config },
        }));
    }
    docs.push(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": { "name": name, "namespace": ns, "labels": labels(&name) },
        "spec": {
            "replicas": w.replicas,
            "selector": { "matchLabels": { "app.kubernetes.io/name": name } },
            "strategy": { "type": "RollingUpdate", "rollingUpdate": { "maxUnavailable": 0, "maxSurge": 1 } },
            "template": { "metadata": template_meta, "spec": pod },
        }
    }));
    if w.replicas > 1 {
        docs.push(json!({
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": { "name": name, "namespace": ns, "labels": labels(&name) },
            "spec": { "maxUnavailable": 1, "selector": { "matchLabels": { "app.kubernetes.io/name": name } } },
        }));
    }
    if let Some(port) = w.port {
        docs.push(service(plan, w, &name, port));
    }
    if let (true, Some(acct)) = (windows, &w.gmsa_account) {
        let spec_name = k8s_name(acct);
        let role = format!("gmsa-use-{spec_name}");
        docs.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {
                "name": role,
                "labels": labels(&name),
                "annotations": { akswin_facts::CREDENTIAL_SPEC_SOURCE: format!("{} written by deploy.sh active-directory (or scripts/Set-Gmsa.ps1) once Active Directory answers", gmsa_credential_spec_file(acct)) },
            },
            "rules": [ { "apiGroups": ["windows.k8s.io"], "resources": ["gmsacredentialspecs"], "verbs": ["use"], "resourceNames": [spec_name] } ],
        }));
        docs.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": { "name": role, "namespace": ns, "labels": labels(&name) },
            "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role },
            "subjects": [ { "kind": "ServiceAccount", "name": name, "namespace": ns } ],
        }));
    }
    docs
}

/// Where LogMonitor is in the image when the spec does not say (LogMonitor's own default
/// directory, which it also reads its configuration from without `/Config`).
pub const LOG_MONITOR_DEFAULT_PATH: &str = "C:\\LogMonitor\\LogMonitor.exe";
/// The directory the LogMonitor ConfigMap is mounted at: akswin's own, so it never hides a
/// configuration the image brings in `C:\LogMonitor`.
pub const LOG_MONITOR_CONFIG_DIR: &str = "C:\\akswin\\logmonitor";
/// The configuration's file name (the ConfigMap key).
pub const LOG_MONITOR_CONFIG_FILE: &str = "LogMonitorConfig.json";
/// The pod template annotation with the configuration's SHA-256.
pub const LOG_MONITOR_CONFIG_HASH: &str = "akswin.io/logmonitor-config-sha256";

/// The LogMonitor ConfigMap's name for a workload.
pub fn log_monitor_config_map(workload: &str) -> String {
    format!("{workload}-logmonitor")
}

/// LogMonitor's configuration (`LogConfig.sources`) for a workload's log sources, as JSON
/// text. Sources are rendered in the spec's order, one source per kind; the default level is
/// Error, LogMonitor's own default.
pub fn log_monitor_config(logs: &akswin_spec::spec::WorkloadLogs) -> String {
    use akswin_spec::spec::LogLevel;
    let level = |l: Option<LogLevel>| l.unwrap_or(LogLevel::Error).as_str();
    let mut sources = Vec::new();
    if !logs.event_logs.is_empty() {
        let channels: Vec<Value> = logs
            .event_logs
            .iter()
            .map(|c| json!({ "name": c.channel, "level": level(c.level) }))
            .collect();
        // From LogMonitor's start (it starts before the application): the oldest record would
        // replay the container's whole log into ContainerLogV2 on every restart.
        sources.push(json!({ "type": "EventLog", "startAtOldestRecord": false, "eventFormatMultiLine": false, "channels": channels }));
    }
    for f in &logs.files {
        let mut source = json!({ "type": "File", "directory": f.directory, "includeSubdirectories": f.include_subdirectories });
        if let Some(filter) = &f.filter {
            source["filter"] = json!(filter);
        }
        sources.push(source);
    }
    if !logs.etw.is_empty() {
        let providers: Vec<Value> = logs
            .etw
            .iter()
            .map(|p| {
                let mut provider = json!({ "level": level(p.level) });
                if let Some(n) = &p.name {
                    provider["providerName"] = json!(n);
                }
                if let Some(g) = &p.guid {
                    provider["providerGuid"] = json!(g);
                }
                provider
            })
            .collect();
        sources
            .push(json!({ "type": "ETW", "eventFormatMultiLine": false, "providers": providers }));
    }
    format!("{:#}\n", json!({ "LogConfig": { "sources": sources } }))
}

/// The environment variable that tells the workload where its certificate is.
pub const TLS_ENV: &str = "AKSWIN_TLS_CERTIFICATE";

/// Where the certificate is mounted (directory, file): a PFX without a password on Windows
/// (what `Import-PfxCertificate` and .NET load), a PEM file with the private key and the
/// certificate chain on Linux.
pub fn tls_mount(windows: bool) -> (&'static str, &'static str) {
    if windows {
        ("C:\\akswin\\tls", "tls.pfx")
    } else {
        ("/akswin/tls", "tls.pem")
    }
}

/// The SecretProviderClass of a workload's certificate.
pub fn tls_class_name(workload: &str) -> String {
    format!("{}-tls", k8s_name(workload))
}

/// The file `deploy.sh k8s` writes with a workload's SecretProviderClass.
pub fn tls_file_name(workload: &str) -> String {
    format!("tls-{}.yaml", k8s_name(workload))
}

/// The workload's namespace and the SecretProviderClass that mounts its certificate with
/// workload identity. The client id of the workload's identity and the tenant exist only once
/// deployed: `deploy.sh k8s` fills them in (and writes [`tls_file_name`]).
pub fn tls_provider_class(
    w: &Workload,
    vault: &str,
    client_id: &str,
    tenant_id: &str,
) -> Option<Vec<Value>> {
    let secret = w.certificate.as_ref()?.key_vault_secret.as_str();
    let name = k8s_name(&w.name);
    let windows = w.os == Os::Windows;
    let object = if windows {
        // The certificate's secret holds the PFX (base64): written as the binary PFX file.
        format!(
            "objectName: {secret}\nobjectType: secret\nobjectFormat: pfx\nobjectEncoding: base64\nobjectAlias: {}\n",
            tls_mount(true).1
        )
    } else {
        format!(
            "objectName: {secret}\nobjectType: secret\nobjectAlias: {}\n",
            tls_mount(false).1
        )
    };
    let objects = format!(
        "array:\n  - |\n{}",
        object
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    );
    Some(vec![
        json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": name, "labels": labels(&name) } }),
        json!({
            "apiVersion": "secrets-store.csi.x-k8s.io/v1", "kind": "SecretProviderClass",
            "metadata": { "name": tls_class_name(&w.name), "namespace": name, "labels": labels(&name) },
            "spec": {
                "provider": "azure",
                "parameters": {
                    "usePodIdentity": "false",
                    "clientID": client_id,
                    "tenantID": tenant_id,
                    "keyvaultName": vault,
                    "objects": objects,
                },
            },
        }),
    ])
}

fn service(plan: &NetworkPlan, w: &Workload, name: &str, port: u16) -> Value {
    let subnet = |k: SpokeSubnet| {
        plan.vnets
            .iter()
            .flat_map(|v| &v.subnets)
            .find(|s| s.key == k.key())
            .map(|s| s.azure_name.clone())
    };
    let mut ann = Map::new();
    ann.insert(
        "service.beta.kubernetes.io/azure-load-balancer-internal".into(),
        json!("true"),
    );
    if let Some(s) = subnet(SpokeSubnet::InternalLoadBalancer) {
        ann.insert(
            "service.beta.kubernetes.io/azure-load-balancer-internal-subnet".into(),
            json!(s),
        );
    }
    if let Some(ip) = plan
        .addresses
        .workload_load_balancer_ips
        .iter()
        .find(|x| x.workload == w.name)
    {
        ann.insert(
            "service.beta.kubernetes.io/azure-load-balancer-ipv4".into(),
            json!(ip.ip.to_string()),
        );
    }
    let pls = plan
        .ingress
        .iter()
        .find(|r| r.workload == w.name)
        .and_then(|r| r.private_link_service.as_deref());
    if let Some(pls) = pls {
        ann.insert(
            "service.beta.kubernetes.io/azure-pls-create".into(),
            json!("true"),
        );
        ann.insert(
            "service.beta.kubernetes.io/azure-pls-name".into(),
            json!(pls),
        );
        if let Some(s) = subnet(SpokeSubnet::PrivateLinkService) {
            ann.insert(
                "service.beta.kubernetes.io/azure-pls-ip-configuration-subnet".into(),
                json!(s),
            );
        }
        ann.insert(
            "service.beta.kubernetes.io/azure-pls-proxy-protocol".into(),
            json!("false"),
        );
    }
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": { "name": name, "namespace": name, "labels": labels(name), "annotations": ann },
        "spec": {
            "type": "LoadBalancer",
            "externalTrafficPolicy": match w.external_traffic_policy { TrafficPolicy::Cluster => "Cluster", TrafficPolicy::Local => "Local" },
            "selector": { "app.kubernetes.io/name": name },
            // Named for what the port serves: TLS on 443 and 8443, plain HTTP otherwise.
            "ports": [ { "name": if akswin_spec::spec::port_serves_tls(port) { "https" } else { "http" }, "port": port, "targetPort": "app", "protocol": "TCP" } ],
        }
    })
}

/// The image pre-pull DaemonSets: one per Windows OS SKU that has images to pull.
pub fn prepull(spec: &Spec) -> Vec<(OsSku, Vec<Value>)> {
    let mut out = Vec::new();
    for (sku, images) in akswin_plan::resolve::prepull_images(spec) {
        let name = format!("akswin-prepull-{}", sku.as_str().to_ascii_lowercase());
        let taints = akswin_plan::resolve::windows_sku_taints(spec, sku);
        let init: Vec<Value> = images
            .iter()
            .enumerate()
            .map(|(i, img)| {
                json!({
                    "name": format!("pull-{i}"),
                    "image": img,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["cmd", "/c", "exit", "0"],
                    // A Windows container needs tens of MiB just to start (a Server Core
                    // container with 30 MB hangs the runtime: moby/moby#37429); requests equal
                    // limits, as the Windows no-overcommit policy asks.
                    "resources": { "requests": { "cpu": "100m", "memory": "256Mi" }, "limits": { "cpu": "100m", "memory": "256Mi" } },
                })
            })
            .collect();
        let mut pod = json!({
            "nodeSelector": { "kubernetes.io/os": "windows", "kubernetes.azure.com/os-sku": sku.as_str() },
            "os": { "name": "windows" },
            "priorityClassName": "akswin-prepull",
            "automountServiceAccountToken": false,
            "securityContext": { "windowsOptions": { "runAsUserName": "ContainerUser" } },
            "initContainers": init,
            "containers": [ {
                "name": "pause",
                "image": PAUSE_IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "resources": { "requests": { "cpu": "50m", "memory": "64Mi" }, "limits": { "cpu": "50m", "memory": "64Mi" } },
            } ],
        });
        if !taints.is_empty() {
            pod["tolerations"] = json!(tolerations(&taints));
        }
        let ds = json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": { "name": name, "namespace": "akswin-system", "labels": labels(&name) },
            "spec": {
                "selector": { "matchLabels": { "app.kubernetes.io/name": name } },
                "updateStrategy": { "type": "RollingUpdate", "rollingUpdate": { "maxUnavailable": "25%" } },
                "template": { "metadata": { "labels": labels(&name) }, "spec": pod },
            }
        });
        out.push((sku, vec![ds]));
    }
    out
}

/// The Server Core image a canary runs on a Windows version (process isolation needs the
/// host's version; Server Core brings PowerShell and `Resolve-DnsName`, and shares its base
/// layers with IIS and .NET Framework images of the same version).
fn canary_image(sku: OsSku) -> Option<&'static str> {
    match sku {
        OsSku::Windows2019 => Some("mcr.microsoft.com/windows/servercore:ltsc2019"),
        OsSku::Windows2022 => Some("mcr.microsoft.com/windows/servercore:ltsc2022"),
        OsSku::Windows2025 => Some("mcr.microsoft.com/windows/servercore:ltsc2025"),
        _ => None,
    }
}

/// The canary's loop: every minute, each name through the pod's DNS (the cluster DNS, as every
/// pod resolves), one JSON line per name on stdout for Container insights. `-DnsOnly` keeps
/// NetBIOS and the hosts file out of the answer.
const CANARY_SCRIPT: &str = r#"$names = $env:CANARY_NAMES -split ','
while ($true) {
  foreach ($name in $names) {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $ok = $true
    $reason = ''
    try {
      $null = Resolve-DnsName -Name "$name." -DnsOnly -QuickTimeout -ErrorAction Stop
    } catch {
      $ok = $false
      $reason = $_.Exception.Message
    }
    $line = [ordered]@{ akswinCanary = 'dns'; node = $env:NODE_NAME; name = $name; ok = $ok; ms = $watch.ElapsedMilliseconds; error = $reason }
    [Console]::Out.WriteLine(($line | ConvertTo-Json -Compress))
  }
  Start-Sleep -Seconds 60
}
"#;

/// The canary's readiness: every name resolves now. A node whose DNS fails shows a canary
/// pod that is not Ready, which stops the staged node image rollout's check
/// (`upgrades.canaryPool`) as the alert pages.
const CANARY_PROBE: &str = r#"$env:CANARY_NAMES -split ',' | ForEach-Object { $null = Resolve-DnsName -Name "$_." -DnsOnly -QuickTimeout -ErrorAction Stop }"#;

/// The Windows node canary (`monitoring.windows.canary`): one DaemonSet per Windows version of
/// the pools, each pod resolving [`akswin_plan::alerts::canary_names`] every minute; the
/// alerts `windows-dns-canary-failures` and `windows-canary-silent` read its lines.
pub fn canary(spec: &Spec) -> Vec<Value> {
    use akswin_plan::alerts::{CANARY_CONTAINER, canary_enabled, canary_names};
    if !canary_enabled(spec) {
        return Vec::new();
    }
    let names = canary_names(spec).join(",");
    let mut out = Vec::new();
    for sku in akswin_plan::resolve::windows_os_skus(spec) {
        let Some(image) = canary_image(sku) else {
            continue;
        };
        let name = format!("akswin-canary-{}", sku.as_str().to_ascii_lowercase());
        let taints = akswin_plan::resolve::windows_sku_taints(spec, sku);
        let mut pod = json!({
            "nodeSelector": { "kubernetes.io/os": "windows", "kubernetes.azure.com/os-sku": sku.as_str() },
            "os": { "name": "windows" },
            "automountServiceAccountToken": false,
            "priorityClassName": CANARY_PRIORITY_CLASS,
            "securityContext": { "windowsOptions": { "runAsUserName": "ContainerUser" } },
            "terminationGracePeriodSeconds": 5,
            "containers": [ {
                "name": CANARY_CONTAINER,
                "image": image,
                "imagePullPolicy": "IfNotPresent",
                "command": ["powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", CANARY_SCRIPT],
                "env": [
                    { "name": "CANARY_NAMES", "value": names },
                    { "name": "NODE_NAME", "valueFrom": { "fieldRef": { "fieldPath": "spec.nodeName" } } },
                ],
                // A Server Core container's own processes and PowerShell: a Windows CPU limit
                // also throttles the container's system services, so a quarter core lets it
                // start in seconds; requests equal limits.
                "resources": { "requests": { "cpu": "250m", "memory": "512Mi" }, "limits": { "cpu": "250m", "memory": "512Mi" } },
                // PowerShell starts in seconds under a quarter core: a minute apart, half a
                // minute to answer, three misses.
                "readinessProbe": {
                    "exec": { "command": ["powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", CANARY_PROBE] },
                    "periodSeconds": 60,
                    "timeoutSeconds": 30,
                    "failureThreshold": 3,
                },
            } ],
        });
        if !taints.is_empty() {
            pod["tolerations"] = json!(tolerations(&taints));
        }
        out.push(json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": { "name": name, "namespace": SYSTEM_NAMESPACE, "labels": labels(&name) },
            "spec": {
                "selector": { "matchLabels": { "app.kubernetes.io/name": name } },
                "updateStrategy": { "type": "RollingUpdate", "rollingUpdate": { "maxUnavailable": "25%" } },
                "template": { "metadata": { "labels": labels(&name) }, "spec": pod },
            }
        }));
    }
    out
}

/// The namespace of akswin's own objects (pre-pull, hot spare, canary).
const SYSTEM_NAMESPACE: &str = "akswin-system";

fn system_namespace() -> Value {
    json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": SYSTEM_NAMESPACE, "labels": labels(SYSTEM_NAMESPACE) } })
}

/// A PriorityClass of akswin's that never preempts anything.
fn priority_class(name: &str, value: i32, description: &str) -> Value {
    json!({
        "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
        "metadata": { "name": name, "labels": labels(name) },
        "value": value,
        "preemptionPolicy": "Never",
        "globalDefault": false,
        "description": description,
    })
}

/// Cluster-wide objects the pre-pull DaemonSets need.
pub fn prepull_common() -> Vec<Value> {
    vec![
        system_namespace(),
        priority_class(
            "akswin-prepull",
            -100,
            "Image pre-pull DaemonSets: never preempt, first to go",
        ),
    ]
}

/// The canary's PriorityClass: above the workloads' default (0), so a full node makes room
/// for it (a workload pod or a hot-spare placeholder is preempted) instead of leaving it
/// Pending and paging as a broken node.
pub const CANARY_PRIORITY_CLASS: &str = "akswin-canary";

/// Cluster-wide objects of `akswin-system`: the namespace, and the PriorityClasses of the
/// pre-pull DaemonSets and the canary that the spec renders.
pub fn system_common(prepull: bool, canary: bool) -> Vec<Value> {
    let mut out = if prepull {
        prepull_common()
    } else {
        vec![system_namespace()]
    };
    if canary {
        let mut pc = priority_class(
            CANARY_PRIORITY_CLASS,
            1000,
            "Windows node canary: one small pod per Windows node, placed before workloads",
        );
        pc["preemptionPolicy"] = json!("PreemptLowerPriority");
        out.push(pc);
    }
    out
}

/// The namespace of the Windows exporter: its pods run as HostProcess containers as SYSTEM, so
/// Microsoft's HostProcess and approved-users policies exclude this namespace, and nothing else
/// runs in it.
pub const METRICS_NAMESPACE: &str = "akswin-metrics";
/// The port the add-on's `windowsexporter` target scrapes on each Windows node.
pub const WINDOWS_EXPORTER_PORT: u16 = 9182;

/// The exporter's start: a Windows Firewall rule that lets the cluster's own addresses (and no
/// one else) reach the port, then the exporter from the image's files (a HostProcess
/// container's image is mounted at `CONTAINER_SANDBOX_MOUNT_POINT` on the host).
fn windows_exporter_script(ranges: &[String]) -> String {
    format!(
        r#"$ErrorActionPreference = 'Stop'
$rule = 'akswin-windows-exporter'
$remote = @({ranges})
if (Get-NetFirewallRule -Name $rule -ErrorAction SilentlyContinue) {{
  Set-NetFirewallRule -Name $rule -Enabled True -Direction Inbound -Action Allow -Protocol TCP -LocalPort {port} -RemoteAddress $remote
}} else {{
  New-NetFirewallRule -Name $rule -DisplayName 'akswin: Windows exporter for managed Prometheus' -Direction Inbound -Protocol TCP -LocalPort {port} -RemoteAddress $remote -Action Allow | Out-Null
}}
& (Join-Path $env:CONTAINER_SANDBOX_MOUNT_POINT 'windows_exporter.exe') '--collectors.enabled=[defaults],container' '--web.listen-address=:{port}'
exit $LASTEXITCODE
"#,
        ranges = ranges
            .iter()
            .map(|r| format!("'{r}'"))
            .collect::<Vec<_>>()
            .join(", "),
        port = WINDOWS_EXPORTER_PORT,
    )
}

/// The Windows exporter on every Windows node (`monitoring.prometheus.windowsExporterImage`):
/// one HostProcess DaemonSet (a HostProcess container runs on any Windows version), on the
/// host's network at port 9182, where the add-on's `windowsexporter` target scrapes. Empty
/// unless managed Prometheus collects Windows nodes and the spec names the image.
pub fn windows_exporter(spec: &Spec, plan: &NetworkPlan) -> Vec<Value> {
    let Some(image) = spec.monitoring.prometheus.windows_exporter_image.as_deref() else {
        return Vec::new();
    };
    if !akswin_plan::alerts::prometheus_windows(spec) {
        return Vec::new();
    }
    let name = "windows-exporter";
    // The addresses a scrape can come from: the node subnets (the nodes, and the pods on Azure
    // CNI), pod subnets, and the overlay pod range.
    let mut ranges: Vec<String> = plan
        .vnets
        .iter()
        .filter(|v| v.name == "spoke")
        .flat_map(|v| &v.subnets)
        .filter(|s| {
            matches!(
                s.role,
                akswin_plan::SubnetRole::Nodes | akswin_plan::SubnetRole::Pods
            )
        })
        .filter_map(|s| s.prefix.map(|p| p.to_string()))
        .collect();
    if let Some(p) = spec.network.pod_cidr {
        ranges.push(p.to_string());
    }
    ranges.sort();
    ranges.dedup();
    if ranges.is_empty() {
        // no subnet placed (the spec has errors): the spoke as a whole
        ranges = spec
            .network
            .spoke
            .address_space
            .iter()
            .map(|c| c.to_string())
            .collect();
    }
    let mut taints: Vec<String> = akswin_plan::resolve::windows_os_skus(spec)
        .into_iter()
        .flat_map(|sku| akswin_plan::resolve::windows_sku_taints(spec, sku))
        .collect();
    taints.sort();
    taints.dedup();
    let mut pod = json!({
        "nodeSelector": { "kubernetes.io/os": "windows" },
        "os": { "name": "windows" },
        "automountServiceAccountToken": false,
        "hostNetwork": true,
        // a node agent: a full node makes room for it (the canary's class, above workloads)
        "priorityClassName": if akswin_plan::alerts::canary_enabled(spec) { Some(CANARY_PRIORITY_CLASS) } else { None },
        "securityContext": { "windowsOptions": { "hostProcess": true, "runAsUserName": "NT AUTHORITY\\system" } },
        "containers": [ {
            "name": name,
            "image": image_ref(spec, image),
            "imagePullPolicy": "IfNotPresent",
            "command": ["C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", windows_exporter_script(&ranges)],
            "ports": [ { "name": "metrics", "containerPort": WINDOWS_EXPORTER_PORT, "hostPort": WINDOWS_EXPORTER_PORT, "protocol": "TCP" } ],
            "readinessProbe": { "httpGet": { "path": "/health", "port": WINDOWS_EXPORTER_PORT }, "periodSeconds": 30, "timeoutSeconds": 10 },
            // the exporter (its own soft limit is 200 MB) under the PowerShell that started it
            "resources": { "requests": { "cpu": "250m", "memory": "384Mi" }, "limits": { "cpu": "250m", "memory": "384Mi" } },
        } ],
    });
    if pod["priorityClassName"].is_null()
        && let Some(o) = pod.as_object_mut()
    {
        o.remove("priorityClassName");
    }
    if !taints.is_empty() {
        pod["tolerations"] = json!(tolerations(&taints));
    }
    vec![
        json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": METRICS_NAMESPACE, "labels": labels(METRICS_NAMESPACE) } }),
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": { "name": name, "namespace": METRICS_NAMESPACE, "labels": labels(name) },
            "spec": {
                "selector": { "matchLabels": { "app.kubernetes.io/name": name } },
                "updateStrategy": { "type": "RollingUpdate", "rollingUpdate": { "maxUnavailable": "25%" } },
                "template": { "metadata": { "labels": labels(name) }, "spec": pod },
            }
        }),
    ]
}

/// The managed Prometheus add-on's settings
/// (<https://learn.microsoft.com/azure/azure-monitor/containers/prometheus-metrics-scrape-configuration>):
/// the Windows exporter's and Windows kube-proxy's default scrape targets, off in the add-on
/// until this ConfigMap turns them on, and the metrics akswin's Windows rules read added to the
/// minimal ingestion profile's keep lists. Every setting it leaves out keeps the add-on's
/// default. `None` unless managed Prometheus collects
/// Windows nodes.
pub fn ama_metrics_settings(spec: &Spec) -> Option<Value> {
    if !akswin_plan::alerts::prometheus_windows(spec) {
        return None;
    }
    let keep = prometheus_keep_list(spec)
        .iter()
        .map(|(target, metrics)| format!("{target} = \"{metrics}\""))
        .collect::<Vec<_>>()
        .join("\n");
    Some(json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "ama-metrics-settings-configmap",
            "namespace": "kube-system",
            "labels": { "app.kubernetes.io/managed-by": "akswin" },
        },
        "data": {
            "schema-version": "v1",
            "config-version": "ver1",
            "default-scrape-settings-enabled": "windowsexporter = true\nwindowskubeproxy = true",
            "default-targets-metrics-keep-list": keep,
        },
    }))
}

/// The metric names akswin's Windows rules read, by the add-on target that scrapes them (the
/// Windows exporter's `windows_*`, kube-state-metrics' `kube_*`), as keep-list regexes: the
/// add-on's minimal ingestion profile keeps only a listed subset of each target's metrics, and
/// a rule over a dropped metric records nothing.
pub fn prometheus_keep_list(spec: &Spec) -> Vec<(&'static str, String)> {
    let mut windows = std::collections::BTreeSet::new();
    let mut kube = std::collections::BTreeSet::new();
    for r in akswin_plan::alerts::windows_prometheus_rules(spec) {
        for word in r
            .expression
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        {
            if word.starts_with("windows_") {
                windows.insert(word);
            } else if word.starts_with("kube_") {
                kube.insert(word);
            }
        }
    }
    let join = |s: std::collections::BTreeSet<&str>| s.into_iter().collect::<Vec<_>>().join("|");
    vec![
        ("windowsexporter", join(windows)),
        ("kubestate", join(kube)),
    ]
}

/// A gMSA's GMSACredentialSpec, with what only Active Directory and the deployed cluster know
/// as the variables of the script that writes it: `${forest}`, `${domainGuid}`, `${domainSid}`
/// and `${kubeletObjectId}` read the same in a bash here-document (`deploy.sh active-directory`)
/// and a PowerShell here-string (`scripts/Set-Gmsa.ps1` run by hand), so both write one text.
pub fn gmsa_credential_spec(
    account: &str,
    domain: &str,
    netbios: &str,
    vault: &str,
    secret: &str,
) -> String {
    yaml(&[json!({
        "apiVersion": "windows.k8s.io/v1",
        "kind": "GMSACredentialSpec",
        "metadata": { "name": k8s_name(account) },
        "credspec": {
            "ActiveDirectoryConfig": {
                "GroupManagedServiceAccounts": [
                    { "Name": account, "Scope": netbios },
                    { "Name": account, "Scope": domain },
                ],
                "HostAccountConfig": {
                    "PluginGUID": GMSA_PLUGIN_GUID,
                    "PortableCcgVersion": "1",
                    "PluginInput": format!("ObjectId=${{kubeletObjectId}};SecretUri=https://{vault}.vault.azure.net/secrets/{secret}"),
                },
            },
            "CmsPlugins": ["ActiveDirectory"],
            "DomainJoinConfig": {
                "DnsName": domain,
                "DnsTreeName": "${forest}",
                "Guid": "${domainGuid}",
                "MachineAccountName": account,
                "NetBiosName": netbios,
                "Sid": "${domainSid}",
            },
        },
    })])
}

/// The file a gMSA's credential spec is written to, in `k8s/`.
pub fn gmsa_credential_spec_file(account: &str) -> String {
    format!("gmsa-credspec-{}.yaml", k8s_name(account))
}

/// Serialise documents as one multi-document YAML text.
pub fn yaml(docs: &[Value]) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&serde_saphyr::to_string(d).unwrap_or_default());
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The name of the placeholder Deployment of the in-cluster hot spare.
pub fn hot_spare_deployment(pool: &str) -> String {
    format!("akswin-hot-spare-{}", k8s_name(pool))
}

/// A cron schedule for local time (`M H * * D,D`, 0 = Sunday) from ISO weekdays (1 = Monday).
pub fn local_cron(minutes: u32, iso_days: &[u32]) -> String {
    let mut days: Vec<u32> = iso_days.iter().map(|d| d % 7).collect();
    days.sort();
    days.dedup();
    let d: Vec<String> = days.iter().map(ToString::to_string).collect();
    format!("{} {} * * {}", minutes % 60, minutes / 60, d.join(","))
}

/// The hot spare in the cluster (`scaling.hotSpare.mode: placeholderPods`): a negative
/// PriorityClass, a Deployment of pause pods pinned to the pool (one per node, each requesting
/// most of a node's allocatable, so the autoscaler adds a node for each and real pods preempt
/// them at once), a ServiceAccount whose Role may scale only that Deployment, and a CronJob per
/// scale event with the peak's `timeZone` (the tz database handles daylight saving). Off peak
/// the Deployment has no replicas; at peak `peakNodes - offPeakNodes`, so a pool at its
/// minimum load has `peakNodes` nodes, as the plan's week says. None without that mode, or
/// when the pool or its VM size is unknown (check reports those).
pub fn hot_spare_placeholders(spec: &Spec) -> Option<Vec<Value>> {
    let hs = spec.scaling.hot_spare.as_ref()?;
    if hs.mode != akswin_spec::spec::HotSpareMode::PlaceholderPods {
        return None;
    }
    let pool = spec.cluster.node_pools.iter().find(|p| p.name == hs.pool)?;
    let kubectl = image_ref(spec, hs.kubectl_image.as_deref()?);
    let vm = akswin_plan::resolve::vm_size(spec, &pool.vm_size)?;
    let (cpu, mem) = akswin_plan::scale_out::allocatable(
        akswin_plan::scale_out::NodeShape {
            vcpus: vm.vcpus,
            memory_gib: vm.memory_gib,
        },
        akswin_plan::resolve::max_pods(spec.network.cni, pool),
    );
    let reserved = spec
        .scaling
        .windows_reserved_mi_b
        .unwrap_or(akswin_plan::scale_out::DEFAULT_WINDOWS_RESERVED_MIB);
    // 80 % of what is left for pods: room for the DaemonSets every Windows node runs (AKS's own,
    // akswin's pre-pull), while no real pod fits beside a placeholder.
    let cpu_m = cpu * 8 / 10;
    let mem_mi = mem.saturating_sub(reserved) * 8 / 10;
    let sku = pool.os_sku();
    let name = hot_spare_deployment(&pool.name);
    let ns = SYSTEM_NAMESPACE;
    let spare = hs.peak_nodes.saturating_sub(hs.off_peak_nodes);
    let tolerations: Vec<Value> = tolerations(&pool.taints);
    let mut pod = json!({
        "priorityClassName": "akswin-hot-spare",
        "terminationGracePeriodSeconds": 0,
        "automountServiceAccountToken": false,
        "os": { "name": "windows" },
        "nodeSelector": {
            "kubernetes.io/os": "windows",
            "kubernetes.azure.com/os-sku": sku.as_str(),
            "kubernetes.azure.com/agentpool": pool.name,
        },
        "securityContext": { "windowsOptions": { "runAsUserName": "ContainerUser" } },
        // one per node: each placeholder holds a node of its own
        "affinity": { "podAntiAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": [
            { "labelSelector": { "matchLabels": { "app.kubernetes.io/name": name } }, "topologyKey": "kubernetes.io/hostname" }
        ] } },
        "containers": [ {
            "name": "reserve",
            "image": PAUSE_IMAGE,
            "imagePullPolicy": "IfNotPresent",
            "resources": {
                "requests": { "cpu": format!("{cpu_m}m"), "memory": format!("{mem_mi}Mi") },
                "limits": { "cpu": format!("{cpu_m}m"), "memory": format!("{mem_mi}Mi") },
            },
        } ],
    });
    if !tolerations.is_empty() {
        pod["tolerations"] = Value::Array(tolerations);
    }
    let mut docs = vec![
        system_namespace(),
        // -10: the lowest priority whose pending pods still make the cluster autoscaler add
        // nodes (its expendable-pods cutoff is strictly below -10)
        priority_class(
            "akswin-hot-spare",
            -10,
            "Hot-spare placeholders: hold Windows nodes before a peak; any real pod preempts them",
        ),
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": { "name": name, "namespace": ns, "labels": labels(&name) },
            "spec": {
                "replicas": 0,
                // a changed template during a peak must not ask for a node more (anti-affinity)
                "strategy": { "type": "Recreate" },
                "selector": { "matchLabels": { "app.kubernetes.io/name": name } },
                "template": { "metadata": { "labels": labels(&name) }, "spec": pod },
            },
        }),
        json!({
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": { "name": "akswin-hot-spare", "namespace": ns, "labels": labels("akswin-hot-spare") },
            "automountServiceAccountToken": true,
        }),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": { "name": "akswin-hot-spare", "namespace": ns, "labels": labels("akswin-hot-spare") },
            // `kubectl scale` reads the Deployment, then writes its scale subresource: nothing else
            "rules": [
                { "apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": [name], "verbs": ["get"] },
                { "apiGroups": ["apps"], "resources": ["deployments/scale"], "resourceNames": [name], "verbs": ["get", "patch", "update"] },
            ],
        }),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": { "name": "akswin-hot-spare", "namespace": ns, "labels": labels("akswin-hot-spare") },
            "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "akswin-hot-spare" },
            "subjects": [ { "kind": "ServiceAccount", "name": "akswin-hot-spare", "namespace": ns } ],
        }),
    ];
    for (i, (e, up)) in crate::workflows::hot_spare_events(spec).iter().enumerate() {
        let replicas = if *up { spare } else { 0 };
        let job = format!(
            "akswin-hot-spare-{}-{}",
            if *up { "up" } else { "down" },
            i / 2 + 1
        );
        docs.push(json!({
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": { "name": job, "namespace": ns, "labels": labels(&job) },
            "spec": {
                "schedule": local_cron(e.minutes, &e.days),
                "timeZone": e.tz,
                "concurrencyPolicy": "Forbid",
                // a missed run (the controller down) still counts for 50 minutes, as the
                // workflow's guard does
                "startingDeadlineSeconds": 3000,
                "successfulJobsHistoryLimit": 1,
                "failedJobsHistoryLimit": 3,
                "jobTemplate": { "spec": {
                    "backoffLimit": 3,
                    // a Job stuck on an image pull or an unschedulable pod would, with Forbid,
                    // skip every later run: it ends after 10 minutes
                    "activeDeadlineSeconds": 600,
                    "ttlSecondsAfterFinished": 86400,
                    "template": { "metadata": { "labels": labels(&job) }, "spec": {
                        "serviceAccountName": "akswin-hot-spare",
                        "restartPolicy": "OnFailure",
                        "nodeSelector": { "kubernetes.io/os": "linux" },
                        "containers": [ {
                            "name": "scale",
                            "image": kubectl,
                            "imagePullPolicy": "IfNotPresent",
                            "command": ["kubectl", "scale", format!("deployment/{name}"), "--namespace", ns, format!("--replicas={replicas}")],
                            // kubectl writes its discovery cache under $HOME; the root is read-only
                            "env": [ { "name": "HOME", "value": "/tmp" } ],
                            "volumeMounts": [ { "name": "tmp", "mountPath": "/tmp" } ],
                            "securityContext": { "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true, "runAsUser": 65532, "capabilities": { "drop": ["ALL"] } },
                            "resources": { "requests": { "cpu": "50m", "memory": "64Mi" }, "limits": { "cpu": "200m", "memory": "128Mi" } },
                        } ],
                        "volumes": [ { "name": "tmp", "emptyDir": { "sizeLimit": "64Mi" } } ],
                    } },
                } },
            },
        }));
    }
    Some(docs)
}
