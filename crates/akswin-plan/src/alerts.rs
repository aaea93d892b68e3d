//! The log search alerts akswin renders for the Windows concerns of the architecture, over the
//! Container insights tables (KubeNodeInventory, KubePodInventory, KubeEvents:
//! <https://learn.microsoft.com/azure/azure-monitor/containers/container-insights-log-query>).
//! Each fires when its query returns a row.

use akswin_spec::Spec;
use akswin_spec::spec::Os;
use serde::Serialize;

/// How long a pod of a Windows workload may stay Pending before it is alerted on: a new
/// Windows node (about 12 minutes to Ready) plus a multi-GiB image pull fit in it.
pub const PENDING_MINUTES: u32 = 30;
/// Age of a Windows node image that missed an upgrade. The date in the image version is the
/// date of its Windows update; AKS releases that image some weeks later ("it can take up to
/// several weeks after Microsoft updates have been released for an updated Windows node image
/// to be available": <https://github.com/MicrosoftDocs/azure-docs/issues/79587>), the release
/// takes about two more weeks to reach every region (released 2021-04-22, in all regions
/// 2021-05-06: <https://github.com/Azure/AKS/issues/2295>), a monthly window can just miss
/// it, and the node keeps it until the next window. So a node on the newest image its region
/// offered can be about 100 days past that date; older than 105 days, it missed an upgrade.
pub const IMAGE_AGE_DAYS: u32 = 105;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertPlan {
    pub name: &'static str,
    pub description: String,
    /// KQL: a row is an alert.
    pub query: String,
    /// Azure Monitor severity, 0 (critical) to 4 (verbose).
    pub severity: u8,
    /// ISO 8601 durations: how often the query runs, and the window it reads.
    pub frequency: &'static str,
    pub window: &'static str,
    /// Columns of the result that split the alert: one alert per node instead of one for
    /// the cluster.
    pub split_by: &'static [&'static str],
}

fn kql_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Windows alerts for a spec with Windows pools (empty without them).
pub fn windows_alerts(spec: &Spec) -> Vec<AlertPlan> {
    if !spec.cluster.node_pools.iter().any(|p| p.os == Os::Windows) {
        return Vec::new();
    }
    let namespaces = |f: &dyn Fn(&akswin_spec::spec::Workload) -> bool| -> Vec<String> {
        spec.workloads
            .iter()
            .filter(|w| w.os == Os::Windows && f(w))
            .map(|w| crate::names::k8s_name(&w.name))
            .collect()
    };
    let mut out = vec![
        AlertPlan {
            name: "windows-nodes-not-ready",
            description: "A Windows node that still reports has not been Ready in three snapshots of the last 15 minutes (its pods cannot run there)".into(),
            // Nodes still reporting (a node the autoscaler removed stops), NotReady in three
            // of the one-minute snapshots: a surge or a scale-down is not an outage.
            query: "KubeNodeInventory\n| where OperatingSystem has \"Windows\"\n| summarize lastSeen = max(TimeGenerated), notReady = countif(Status !has \"Ready\") by Computer\n| where lastSeen > ago(3m) and notReady >= 3".into(),
            severity: 1,
            frequency: "PT5M",
            window: "PT15M",
            split_by: &["Computer"],
        },
        AlertPlan {
            name: "windows-node-image-age",
            description: format!("A Windows node runs a node image built more than {IMAGE_AGE_DAYS} days ago: it missed at least one node image upgrade (Patch Tuesday)"),
            query: format!("KubeNodeInventory\n| where OperatingSystem has \"Windows\"\n| extend image = extract(@'node-image-version\"\\s*:\\s*\"([^\"]+)\"', 1, tostring(Labels))\n| extend built = todatetime(strcat(\"20\", substring(image, strlen(image) - 6, 2), \"-\", substring(image, strlen(image) - 4, 2), \"-\", substring(image, strlen(image) - 2, 2)))\n| summarize arg_max(TimeGenerated, image, built) by Computer\n| where isnotempty(image) and built < ago({IMAGE_AGE_DAYS}d)"),
            severity: 3,
            frequency: "PT1H",
            window: "PT1H",
            split_by: &["Computer"],
        },
    ];
    let windows_ns = namespaces(&|_| true);
    if !windows_ns.is_empty() {
        out.push(AlertPlan {
            name: "windows-pods-pending",
            description: format!("A pod of a Windows workload has been Pending for more than {PENDING_MINUTES} minutes: no Windows node with room came (autoscaler maximum, quota, IP addresses) or its image pull is stuck"),
            query: format!("KubePodInventory\n| where Namespace in ({})\n| summarize arg_max(TimeGenerated, PodStatus, PodCreationTimeStamp) by Name, Namespace\n| where PodStatus == \"Pending\" and PodCreationTimeStamp < ago({PENDING_MINUTES}m)", kql_list(&windows_ns)),
            severity: 2,
            frequency: "PT5M",
            window: "PT15M",
            split_by: &[],
        });
    }
    if canary_enabled(spec) {
        out.push(AlertPlan {
            name: "windows-dns-canary-failures",
            description: format!("The canary on a Windows node failed to resolve a name through the cluster DNS {CANARY_FAILURES} times in 15 minutes (the Windows DNS known issues: pods on that node lose DNS)"),
            query: format!("ContainerLogV2\n| where PodNamespace == \"{CANARY_NAMESPACE}\" and ContainerName == \"{CANARY_CONTAINER}\"\n| extend line = parse_json(tostring(LogMessage))\n| where tostring(line.akswinCanary) == \"dns\" and tostring(line.ok) == \"false\"\n| summarize failures = count(), names = make_set(tostring(line.name)) by Computer\n| where failures >= {CANARY_FAILURES}"),
            severity: 2,
            frequency: "PT5M",
            window: "PT15M",
            split_by: &["Computer"],
        });
        out.push(AlertPlan {
            name: "windows-canary-silent",
            description: format!("A Windows node Ready for {CANARY_SILENT_AFTER_MINUTES} minutes has logged no canary line in the last 15 while the canary logs elsewhere: its pod was not created or does not run there (a node that stopped starting pods)"),
            // (firstSeen and lastSeen: `first` and `last` are KQL keywords.) Quiet until the canary
            // has logged anywhere in the hour: before `deploy.sh k8s` applies it, every node
            // would page.
            query: format!("KubeNodeInventory\n| where OperatingSystem has \"Windows\"\n| summarize firstSeen = min(TimeGenerated), lastSeen = max(TimeGenerated), notReady = countif(Status !has \"Ready\") by Computer\n| where lastSeen > ago(5m) and firstSeen < ago({CANARY_SILENT_AFTER_MINUTES}m) and notReady == 0\n| where toscalar(ContainerLogV2\n    | where TimeGenerated > ago(1h) and PodNamespace == \"{CANARY_NAMESPACE}\" and ContainerName == \"{CANARY_CONTAINER}\"\n    | count) > 0\n| join kind=leftanti (ContainerLogV2\n    | where TimeGenerated > ago(15m) and PodNamespace == \"{CANARY_NAMESPACE}\" and ContainerName == \"{CANARY_CONTAINER}\"\n    | distinct Computer) on Computer"),
            severity: 2,
            frequency: "PT15M",
            window: "PT1H",
            split_by: &["Computer"],
        });
    }
    let gmsa_ns = namespaces(&|w| w.gmsa_account.is_some());
    if spec.identity.gmsa.enabled && !gmsa_ns.is_empty() {
        out.push(AlertPlan {
            name: "windows-gmsa-failures",
            description: "A warning event of a gMSA workload names the credential spec or its plug-in (CCG): the pod cannot fetch its gMSA credential (a heuristic over pod events; the nodes' CCG event log is not collected)".into(),
            query: format!("KubeEvents\n| where Namespace in ({})\n| where KubeEventType == \"Warning\"\n| where Message has_any (\"gmsa\", \"credentialspec\", \"credential spec\", \"ccg\")", kql_list(&gmsa_ns)),
            severity: 2,
            frequency: "PT5M",
            window: "PT15M",
            split_by: &[],
        });
    }
    // The new domain controllers (their Directory Service log comes through the Windows
    // servers' data collection rule): replication that stopped leaves accounts, gMSA
    // password rotation and Kerberos keys out of date on one side.
    // Only when the Windows servers' rule collects that log: an alert on a table nothing
    // fills would never fire.
    if spec
        .identity
        .active_directory
        .as_ref()
        .is_some_and(|a| a.creates_dcs())
        && spec
            .monitoring
            .windows
            .event_logs
            .iter()
            .any(|q| q.starts_with("Directory Service!"))
    {
        out.push(AlertPlan {
            name: "domain-controller-replication",
            description: format!(
                "A domain controller logged an Active Directory replication failure: {}",
                REPLICATION_EVENTS
                    .iter()
                    .map(|(id, what)| format!("{id} ({what})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            query: format!(
                "Event\n| where EventLog == \"Directory Service\"\n| where EventID in ({})",
                REPLICATION_EVENTS
                    .iter()
                    .map(|(id, _)| id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            severity: 2,
            frequency: "PT15M",
            window: "PT15M",
            split_by: &[],
        });
    }
    out
}

/// The canary's namespace and container (the alerts select its log lines by them).
pub const CANARY_NAMESPACE: &str = "akswin-system";
pub const CANARY_CONTAINER: &str = "dns-canary";
/// Failed resolutions on one node in 15 minutes that page: with three names a minute, one
/// failure is a blip, three is a node whose DNS is broken for at least a minute.
pub const CANARY_FAILURES: u32 = 3;
/// How long a Windows node is Ready before a missing canary alerts: a new node pulls the
/// canary's Server Core image (several GiB, minutes on a new node) before its first line.
pub const CANARY_SILENT_AFTER_MINUTES: u32 = 45;

/// Whether the spec renders the Windows node canary: Windows pools, `monitoring.windows.canary`
/// and Container insights (the canary's lines reach its alerts through ContainerLogV2).
pub fn canary_enabled(spec: &Spec) -> bool {
    spec.monitoring.windows.canary
        && spec.monitoring.container_insights
        && spec.cluster.node_pools.iter().any(|p| p.os == Os::Windows)
}

/// The names the canary resolves through the cluster DNS, each a path of its own: the
/// cluster's (CoreDNS itself), the AD domain's (CoreDNS forwarding to the domain
/// controllers), and a public name (the forwarders out of the network).
pub fn canary_names(spec: &Spec) -> Vec<String> {
    let mut names = vec!["kubernetes.default.svc.cluster.local".to_string()];
    if let Some(ad) = &spec.identity.active_directory {
        names.push(ad.domain.clone());
    }
    names.push("mcr.microsoft.com".to_string());
    names
}

/// Directory Service events that mean replication with a partner has stopped or is being
/// refused, each from Microsoft's page for it (read 2026-11-30):
/// 2042, and the lingering objects 1388 and 1988 it names:
/// <https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2008-r2-and-2008/cc949136(v=ws.10)>;
/// 2087: <https://learn.microsoft.com/troubleshoot/windows-server/active-directory/active-directory-replication-event-id-2087>.
pub const REPLICATION_EVENTS: [(u32, &str); 4] = [
    (
        2042,
        "no replication for longer than the tombstone lifetime",
    ),
    (1388, "a lingering object replicated in"),
    (1988, "a lingering object blocked replication"),
    (2087, "a replication partner's name does not resolve"),
];

/// A Prometheus rule of akswin's Windows rule groups (managed Prometheus): a recording rule
/// (`record`) or an alert (`alert`), with its PromQL expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromRule {
    /// The recorded series' name, or the alert's name.
    pub name: &'static str,
    /// Whether it is an alert (else a recording rule).
    pub alert: bool,
    pub expression: &'static str,
    /// What it means, for docs and the alert's description.
    pub description: &'static str,
    /// Alerts only: how long the expression must hold (ISO 8601) and the severity (0-4).
    pub for_duration: &'static str,
    pub severity: u8,
}

/// Whether akswin renders managed Prometheus: it is on and the cluster is akswin's (an existing
/// cluster, `cluster.existing`, gets only policy assignments: its add-ons are its owners').
pub fn prometheus_rendered(spec: &Spec) -> bool {
    spec.monitoring.prometheus.enabled && spec.cluster.existing.is_none()
}

/// Whether managed Prometheus collects the Windows nodes (the exporter's and kube-proxy's
/// scrape targets, akswin's Windows rule groups): akswin renders it, its Windows metrics are
/// on, and the cluster has Windows pools.
pub fn prometheus_windows(spec: &Spec) -> bool {
    prometheus_rendered(spec)
        && spec.monitoring.prometheus.windows_metrics
        && spec.cluster.node_pools.iter().any(|p| p.os == Os::Windows)
}

/// akswin's Windows recording rules and alerts over the Windows exporter's metrics (names as
/// the exporter publishes them: <https://github.com/prometheus-community/windows_exporter>,
/// collectors cpu, memory, os, logical_disk, net, container) and kube-state-metrics'. Empty
/// unless [`prometheus_windows`]. The recorded series start with `akswin_windows:`.
pub fn windows_prometheus_rules(spec: &Spec) -> Vec<PromRule> {
    if !prometheus_windows(spec) {
        return Vec::new();
    }
    let rec = |name, expression, description| PromRule {
        name,
        alert: false,
        expression,
        description,
        for_duration: "",
        severity: 0,
    };
    let alert = |name, expression, description, for_duration, severity| PromRule {
        name,
        alert: true,
        expression,
        description,
        for_duration,
        severity,
    };
    // The pod rules join the exporter's container series to their pods through
    // kube-state-metrics: the exporter's `container_id` label is the `containerd://<id>` that
    // `kube_pod_container_info` carries.
    vec![
        rec(
            "akswin_windows:node_cpu_utilisation:ratio_rate5m",
            "1 - avg by (cluster, instance) (rate(windows_cpu_time_total{mode=\"idle\"}[5m]))",
            "share of the Windows node's processor time not idle, over 5 minutes",
        ),
        rec(
            "akswin_windows:node_memory_available:ratio",
            "sum by (cluster, instance) (windows_memory_available_bytes) / (sum by (cluster, instance) (windows_memory_physical_total_bytes) or sum by (cluster, instance) (windows_os_visible_memory_bytes))",
            "share of the Windows node's physical memory available (the exporter's newer total, or the older visible-memory series)",
        ),
        rec(
            "akswin_windows:node_os_disk_free:ratio",
            "sum by (cluster, instance) (windows_logical_disk_free_bytes{volume=\"C:\"}) / sum by (cluster, instance) (windows_logical_disk_size_bytes{volume=\"C:\"})",
            "share of the Windows node's C: volume free (images and container layers live there)",
        ),
        rec(
            "akswin_windows:node_network_bytes:rate5m",
            "sum by (cluster, instance) (rate(windows_net_bytes_total[5m]))",
            "bytes per second through the Windows node's network adapters, over 5 minutes",
        ),
        rec(
            "akswin_windows:pod_cpu_usage:rate5m",
            "sum by (cluster, namespace, pod) (rate(windows_container_cpu_usage_seconds_total[5m]) * on (cluster, container_id) group_left (namespace, pod) max by (cluster, container_id, namespace, pod) (kube_pod_container_info))",
            "processor seconds per second used by each Windows pod's containers, over 5 minutes",
        ),
        rec(
            "akswin_windows:pod_memory_private_working_set:bytes",
            "sum by (cluster, namespace, pod) (windows_container_memory_usage_private_working_set_bytes * on (cluster, container_id) group_left (namespace, pod) max by (cluster, container_id, namespace, pod) (kube_pod_container_info))",
            "private working set of each Windows pod's containers (Windows has no RSS: the working set is what counts)",
        ),
        alert(
            "WindowsExporterNotScraped",
            "(count by (cluster) (kube_node_info{os_image=~\"Windows.*\"}) > count by (cluster) (count by (cluster, instance) (windows_cpu_time_total))) or (count by (cluster) (kube_node_info{os_image=~\"Windows.*\"}) unless on (cluster) count by (cluster) (count by (cluster, instance) (windows_cpu_time_total)))",
            "fewer Windows nodes send Windows exporter metrics than the cluster has Windows nodes: the exporter is not installed on them, or its scrape target is off",
            "PT30M",
            3,
        ),
        alert(
            "WindowsNodeOsDiskLow",
            "akswin_windows:node_os_disk_free:ratio < 0.15",
            "a Windows node's C: volume is more than 85 % full: image pulls and new pods fail when it fills",
            "PT15M",
            2,
        ),
        alert(
            "WindowsNodeMemoryLow",
            "akswin_windows:node_memory_available:ratio < 0.1",
            "a Windows node has less than 10 % of its memory available: Windows has no out-of-memory killer, its processes page to disk and slow down (https://kubernetes.io/docs/concepts/configuration/windows-resource-management/)",
            "PT15M",
            2,
        ),
    ]
}
