//! GitHub Actions workflows: the monthly Windows node image upgrade (control plane first, then
//! pool by pool, Linux before Windows) and the hot-spare schedule.
//!
//! Cron cannot say "the third Wednesday" (with both day-of-month and day-of-week set, cron runs
//! on either), so the workflows schedule candidate days and a guard step decides. The guard's
//! rule is implemented twice: as the bash the workflow runs and as [`window_runs_on`] here;
//! tests run the rendered bash against the Rust rule for every day of 2026-2030.

use akswin_plan::names::Names;
use akswin_spec::Spec;
use akswin_spec::spec::{MaintenanceWindow, Mode, Os, WeekIndex, Weekday};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use serde_json::{Value, json};

use akswin_plan::calendar::iso;
pub use akswin_plan::calendar::window_runs_on;

/// The bash function `should_run EPOCH` implementing [`window_runs_on`] on the window's local
/// date (UTC + the window's fixed utcOffset).
pub fn guard_bash(w: &MaintenanceWindow) -> String {
    let off = w.utc_offset.minutes;
    let s = &w.schedule;
    let rule = if let Some(r) = &s.relative_monthly {
        let week = match r.week_index {
            WeekIndex::First => "[ \"$dom\" -le 7 ]".to_string(),
            WeekIndex::Second => "[ \"$dom\" -ge 8 ] && [ \"$dom\" -le 14 ]".to_string(),
            WeekIndex::Third => "[ \"$dom\" -ge 15 ] && [ \"$dom\" -le 21 ]".to_string(),
            WeekIndex::Fourth => "[ \"$dom\" -ge 22 ] && [ \"$dom\" -le 28 ]".to_string(),
            WeekIndex::Last => "[ $((dom + 7)) -gt \"$dim\" ]".to_string(),
        };
        format!("[ \"$dow\" -eq {} ] && {week}", iso(r.day_of_week))
    } else if let Some(a) = &s.absolute_monthly {
        format!(
            "d={}; [ \"$d\" -gt \"$dim\" ] && d=$dim; [ \"$dom\" -eq \"$d\" ]",
            a.day_of_month
        )
    } else if let Some(wk) = &s.weekly {
        format!("[ \"$dow\" -eq {} ]", iso(wk.day_of_week))
    } else {
        "false".to_string()
    };
    format!(
        r#"should_run() {{
  # the window's local date: UTC {off:+} minutes (utcOffset {utc}); bash builtins only
  local t=$(( $1 + ({off}) * 60 )) dow dom{month_vars}
  TZ=UTC printf -v dow '%(%u)T' "$t"
  TZ=UTC printf -v dom '%(%d)T' "$t"
  dom=$((10#$dom))
{days_in_month}  {rule}
}}"#,
        utc = w.utc_offset,
        // the month's length, for the rules that need it (the last week, a day past its end)
        month_vars = if rule.contains("$dim") {
            " y m dim"
        } else {
            ""
        },
        days_in_month = if rule.contains("$dim") {
            "  TZ=UTC printf -v y '%(%Y)T' \"$t\"\n  TZ=UTC printf -v m '%(%m)T' \"$t\"\n  m=$((10#$m))\n  case $m in\n    1|3|5|7|8|10|12) dim=31 ;;\n    4|6|9|11) dim=30 ;;\n    *) if (( (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 )); then dim=29; else dim=28; fi ;;\n  esac\n"
        } else {
            ""
        },
    )
}

/// Cron (UTC) for the window: its start time in UTC on the candidate days of month (or days
/// of week) that can hold the intended local date.
pub fn window_cron(w: &MaintenanceWindow) -> String {
    let local = i64::from(w.start_time.minutes());
    let utc = local - i64::from(w.utc_offset.minutes);
    let shift = utc.div_euclid(1440); // UTC day minus local day: -1, 0, +1
    let m = utc.rem_euclid(1440);
    let (h, mi) = (m / 60, m % 60);
    let s = &w.schedule;
    let local_range: Option<(i64, i64)> = if let Some(r) = &s.relative_monthly {
        Some(match r.week_index {
            WeekIndex::First => (1, 7),
            WeekIndex::Second => (8, 14),
            WeekIndex::Third => (15, 21),
            WeekIndex::Fourth => (22, 28),
            WeekIndex::Last => (22, 31),
        })
    } else {
        s.absolute_monthly.as_ref().map(|a| {
            let d = i64::from(a.day_of_month);
            (d.min(28), d)
        })
    };
    if let Some((lo, hi)) = local_range {
        let (lo, hi) = (lo + shift, hi + shift);
        let mut parts = Vec::new();
        if lo < 1 {
            // local day 1 falls on the previous month's last day in UTC
            parts.push("28-31".to_string());
        }
        let (a, b) = (lo.max(1), hi.min(31));
        if a <= b {
            parts.push(if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            });
        }
        if hi > 31 {
            parts.push("1".to_string());
        }
        return format!("{mi} {h} {} * *", parts.join(","));
    }
    if let Some(wk) = &s.weekly {
        let dow = (i64::from(iso(wk.day_of_week)) + shift).rem_euclid(7);
        return format!("{mi} {h} * * {dow}");
    }
    format!("{mi} {h} * * *")
}

fn login_steps() -> Vec<Value> {
    vec![json!({
        "name": "Azure login (OIDC, federated credentials; no stored secrets)",
        "uses": "azure/login@v2",
        "with": {
            "client-id": "${{ vars.AZURE_CLIENT_ID }}",
            "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
            "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
        }
    })]
}

/// The AKS server application: the audience of a token for a cluster's API with Microsoft
/// Entra ID (<https://learn.microsoft.com/azure/aks/kubelogin-authentication>).
pub const AKS_SERVER_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

/// How long the hot-spare workflow waits for the peak's Windows nodes to be Ready (one poll a
/// minute): a new Windows node takes about 12 minutes (docs/sources.md), a scale-out of several
/// nodes runs in parallel, so 30 minutes means something is wrong.
pub const HOT_SPARE_READY_MINUTES: u32 = 30;

/// `node-image-upgrade.yml`, when akswin owns the node images (node OS channel `None` or
/// `Unmanaged`). With `NodeImage` or `SecurityPatch` AKS upgrades them itself in the node OS
/// window, so no workflow is rendered (the README says so).
pub fn node_image_upgrade(spec: &Spec, n: &Names) -> Option<Value> {
    if matches!(
        spec.upgrades.node_os_channel,
        akswin_spec::spec::NodeOsChannel::NodeImage
            | akswin_spec::spec::NodeOsChannel::SecurityPatch
    ) {
        return None;
    }
    let w = spec.upgrades.windows_node_image.as_ref()?;
    let rg = &n.rg_spoke;
    let cluster = &n.cluster;
    let mut pools: Vec<_> = spec.cluster.node_pools.iter().collect();
    // Linux before Windows, system first: the order AKS itself uses for safety; a canary
    // Windows pool before the other Windows pools.
    let canary = spec.upgrades.canary_pool.as_ref().filter(|c| {
        pools
            .iter()
            .any(|p| p.name == c.pool && p.os == Os::Windows)
    });
    pools.sort_by_key(|p| {
        (
            p.os == Os::Windows,
            canary.is_none_or(|c| c.pool != p.name),
            p.mode != Mode::System,
        )
    });
    let mut steps = vec![json!({
        "name": "Guard: run only in the intended window (cron cannot express it)",
        "id": "guard",
        "shell": "bash",
        "env": { "EVENT": "${{ github.event_name }}" },
        "run": format!(
            "{}\nnow=\"${{AKSWIN_NOW:-$(date -u +%s)}}\"\nif [ \"$EVENT\" = workflow_dispatch ] || should_run \"$now\"; then\n  echo \"go=true\" >> \"$GITHUB_OUTPUT\"\nelse\n  echo \"not the maintenance day; skipping\"\n  echo \"go=false\" >> \"$GITHUB_OUTPUT\"\nfi\n",
            guard_bash(w)
        ),
    })];
    for mut l in login_steps() {
        l["if"] = json!("steps.guard.outputs.go == 'true'");
        steps.push(l);
    }
    if spec.upgrades.cluster_channel != akswin_spec::spec::ClusterChannel::None {
        // `az aks upgrade --control-plane-only` is not available with cluster auto-upgrade
        // (docs/sources.md#upgrades-and-version-skew): AKS upgrades the control plane first in its own window.
        steps.push(json!({
            "name": "Control plane: upgraded by the cluster auto-upgrade channel",
            "if": "steps.guard.outputs.go == 'true'",
            "shell": "bash",
            "run": format!(
                "set -euo pipefail\ncurrent=$(az aks show --resource-group {rg} --name {cluster} --query kubernetesVersion --output tsv)\necho \"control plane $current (spec: {v}); the {ch} auto-upgrade channel upgrades it before the node pools, in the aksManagedAutoUpgradeSchedule window\"\n",
                v = spec.cluster.kubernetes_version,
                ch = match spec.upgrades.cluster_channel {
                    akswin_spec::spec::ClusterChannel::Patch => "patch",
                    akswin_spec::spec::ClusterChannel::Stable => "stable",
                    akswin_spec::spec::ClusterChannel::Rapid => "rapid",
                    akswin_spec::spec::ClusterChannel::None => "none",
                },
            ),
        }));
    } else {
        steps.push(json!({
        "name": "Control plane first (when the spec's Kubernetes version is newer)",
        "if": "steps.guard.outputs.go == 'true'",
        "shell": "bash",
        "run": format!(
            "set -euo pipefail\ncurrent=$(az aks show --resource-group {rg} --name {cluster} --query kubernetesVersion --output tsv)\ntarget={v}\nnewest=$(printf '%s\\n%s\\n' \"$current\" \"$target\" | sort -V | tail -n 1)\nif [ \"$newest\" = \"$target\" ] && [ \"$target\" != \"$current\" ]; then\n  echo \"upgrading the control plane $current -> $target\"\n  az aks upgrade --resource-group {rg} --name {cluster} --control-plane-only --kubernetes-version \"$target\" --yes\nelse\n  echo \"control plane $current is current (spec: $target)\"\nfi\n",
            v = spec.cluster.kubernetes_version
        ),
    }));
    }
    // With a managed node OS channel AKS upgrades the node images itself in the
    // aksManagedNodeOSUpgradeSchedule window; a manual upgrade at the same time fails with
    // "operation in progress" or doubles the surge. The workflow then does the control plane
    // only and reports the node image versions.
    steps.push(json!({
        "name": "Who upgrades node images: the AKS node OS channel or this workflow",
        "id": "channel",
        "if": "steps.guard.outputs.go == 'true'",
        "shell": "bash",
        "run": format!(
            "set -euo pipefail\nchannel=$(az aks show --resource-group {rg} --name {cluster} --query autoUpgradeProfile.nodeOsUpgradeChannel --output tsv)\ncase \"$channel\" in\n  NodeImage|SecurityPatch)\n    echo \"node OS channel $channel: AKS upgrades the node images in its maintenance window; skipping the manual upgrade\"\n    az aks nodepool list --resource-group {rg} --cluster-name {cluster} --query '[].{{pool:name, os:osType, image:nodeImageVersion}}' --output table\n    echo \"managed=true\" >> \"$GITHUB_OUTPUT\" ;;\n  *)\n    echo \"node OS channel ${{channel:-None}}: this workflow upgrades the node images\"\n    echo \"managed=false\" >> \"$GITHUB_OUTPUT\" ;;\nesac\n"
        ),
    }));
    for p in pools {
        // A fresh sign-in before each pool: the CLI cannot refresh a federated (OIDC) token,
        // and one pool's upgrade can outlast the one from the previous sign-in
        // (https://github.com/Azure/login/issues/372).
        for mut l in login_steps() {
            l["name"] = json!(format!("Azure login again before {}", p.name));
            l["if"] = json!(
                "steps.guard.outputs.go == 'true' && steps.channel.outputs.managed != 'true'"
            );
            steps.push(l);
        }
        steps.push(json!({
            "name": format!(
                "Node image: {} ({})",
                p.name,
                match p.os {
                    Os::Windows => "Windows",
                    Os::Linux => "Linux",
                }
            ),
            "if": "steps.guard.outputs.go == 'true' && steps.channel.outputs.managed != 'true'",
            "shell": "bash",
            "env": {
                "AZURE_CLIENT_ID": "${{ vars.AZURE_CLIENT_ID }}",
                "AZURE_TENANT_ID": "${{ vars.AZURE_TENANT_ID }}",
                "AZURE_SUBSCRIPTION_ID": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
            },
            "run": pool_upgrade_script(rg, cluster, &p.name),
        }));
        if let Some(c) = canary.filter(|c| c.pool == p.name) {
            // The workloads pinned to the canary pool: their Deployments must be whole.
            let deployments: Vec<String> = spec
                .workloads
                .iter()
                .filter(|w| w.pool.as_deref() == Some(c.pool.as_str()))
                .map(|w| crate::k8s::k8s_name(&w.name))
                .collect();
            steps.extend(canary_steps(
                rg,
                cluster,
                &c.pool,
                c.soak_minutes,
                &deployments,
            ));
        }
    }
    Some(json!({
        "name": "Windows node image upgrade",
        "on": {
            "schedule": [ { "cron": window_cron(w) } ],
            "workflow_dispatch": {},
        },
        "permissions": { "id-token": "write", "contents": "read" },
        "concurrency": { "group": format!("aks-{cluster}-upgrade"), "cancel-in-progress": false },
        "jobs": {
            "upgrade": {
                "runs-on": "ubuntu-latest",
                "timeout-minutes": 360,
                "steps": steps,
            }
        }
    }))
}

/// One pool's node image upgrade, started without waiting and then polled: a Windows pool's
/// upgrade outlasts the sign-in of the step before it (the CLI cannot refresh a federated
/// sign-in: https://github.com/Azure/login/issues/372), so each poll signs in again with a
/// fresh GitHub OIDC token. A pool already on the newest image is left alone; done means
/// `Succeeded` on the newest image, so a poll before the operation starts is not taken for
/// its end.
fn pool_upgrade_script(rg: &str, cluster: &str, pool: &str) -> String {
    format!(
        r#"set -euo pipefail
signin() {{
  token=$(curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange" | sed -n 's/.*"value":"\([^"]*\)".*/\1/p')
  az login --service-principal --username "$AZURE_CLIENT_ID" --tenant "$AZURE_TENANT_ID" --federated-token "$token" --output none --only-show-errors
  az account set --subscription "$AZURE_SUBSCRIPTION_ID" --only-show-errors
}}
latest=$(az aks nodepool get-upgrades --resource-group {rg} --cluster-name {cluster} --nodepool-name {pool} --query latestNodeImageVersion --output tsv --only-show-errors)
current=$(az aks nodepool show --resource-group {rg} --cluster-name {cluster} --name {pool} --query nodeImageVersion --output tsv --only-show-errors)
if [ "$current" = "$latest" ]; then
  echo "{pool} already runs the newest node image $latest"
  exit 0
fi
echo "{pool}: $current -> $latest"
az aks nodepool upgrade --resource-group {rg} --cluster-name {cluster} --name {pool} --node-image-only --no-wait --yes --only-show-errors
deadline=$((SECONDS + ${{AKSWIN_UPGRADE_MINUTES:-330}} * 60))
while :; do
  sleep "${{AKSWIN_POLL_SECONDS:-120}}"
  signin
  state=$(az aks nodepool show --resource-group {rg} --cluster-name {cluster} --name {pool} --query provisioningState --output tsv --only-show-errors)
  image=$(az aks nodepool show --resource-group {rg} --cluster-name {cluster} --name {pool} --query nodeImageVersion --output tsv --only-show-errors)
  echo "$(date -u +%H:%M) {pool}: $state, $image"
  if [ "$state" = Succeeded ] && [ "$image" = "$latest" ]; then
    exit 0
  fi
  case "$state" in
    Failed|Canceled)
      echo "::error::{pool}'s node image upgrade ended $state: az aks nodepool show and the activity log say why"
      exit 1 ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "::error::{pool} is still $state on $image after ${{AKSWIN_UPGRADE_MINUTES:-330}} minutes"
    exit 1
  fi
done
"#
    )
}

/// The staged rollout's pause after the canary pool: the soak, a fresh sign-in, then the
/// check that stops the workflow (and so the other Windows pools) when a node of the pool is
/// not Ready or a pod on it does not run Ready. kubectl runs through `az aks command invoke`
/// (the API server is private).
fn canary_steps(
    rg: &str,
    cluster: &str,
    pool: &str,
    soak: u32,
    deployments: &[String],
) -> Vec<Value> {
    // A pod the scheduler could not place has no node, so the per-node check cannot see it:
    // every DaemonSet must have a Ready pod on every node it wants, and each Deployment of a
    // workload pinned to the canary (its namespace and name are the workload's) all replicas.
    let mut whole = String::from(
        "kubectl get daemonsets --all-namespaces --no-headers -o \"custom-columns=NS:.metadata.namespace,NAME:.metadata.name,WANT:.status.desiredNumberScheduled,READY:.status.numberReady\" && echo akswin-deployments",
    );
    for d in deployments {
        whole.push_str(&format!(
            " && kubectl get deployment {d} --namespace {d} --no-headers -o \"custom-columns=NS:.metadata.namespace,NAME:.metadata.name,WANT:.spec.replicas,READY:.status.readyReplicas\""
        ));
    }
    whole.push_str(" && echo akswin-kubectl-ok");
    let when = "steps.guard.outputs.go == 'true' && steps.channel.outputs.managed != 'true'";
    let mut out = vec![json!({
        "name": format!("Canary: {pool} soaks {soak} minutes on its new node image"),
        "if": when,
        "shell": "bash",
        "run": format!("set -euo pipefail\necho \"{pool} runs the new node image; the other Windows pools wait ${{AKSWIN_SOAK_MINUTES:-{soak}}} minutes\"\nsleep $(( ${{AKSWIN_SOAK_MINUTES:-{soak}}} * 60 ))\n"),
    })];
    for mut l in login_steps() {
        l["name"] = json!(format!("Azure login again before the {pool} check"));
        l["if"] = json!(when);
        out.push(l);
    }
    out.push(json!({
        "name": format!("Canary: {pool}'s nodes Ready and every pod on them running Ready"),
        "if": when,
        "shell": "bash",
        "run": format!(
            r#"set -euo pipefail
# az aks command invoke exits 0 whatever happened to kubectl: each command ends with a marker
# that only a kubectl that answered prints, and the check fails closed without it.
kubectl_ok() {{
  case "$1" in
    *Forbidden*|*AADSTS*|*AuthorizationFailed*)
      printf '%s\n' "$1"
      echo "::error::this workflow's identity may not read the cluster's nodes and pods (README: GitHub Actions); the other Windows pools are not upgraded"
      exit 1 ;;
    *akswin-kubectl-ok*) ;;
    *)
      printf '%s\n' "$1"
      echo "::error::kubectl did not answer through az aks command invoke; the other Windows pools are not upgraded"
      exit 1 ;;
  esac
}}
nodes=$(az aks command invoke --resource-group {rg} --name {cluster} --command 'kubectl get nodes -l kubernetes.azure.com/agentpool={pool} --no-headers && echo akswin-kubectl-ok' --query logs --output tsv --only-show-errors 2>&1) || true
kubectl_ok "$nodes"
nodes=$(printf '%s\n' "$nodes" | grep -v '^akswin-kubectl-ok' || true)
printf '%s\n' "$nodes"
total=$(printf '%s\n' "$nodes" | awk 'NF >= 2' | wc -l)
ready=$(printf '%s\n' "$nodes" | awk '$2 == "Ready"' | wc -l)
if [ "$total" -eq 0 ] || [ "$ready" -ne "$total" ]; then
  echo "::error::$ready of $total {pool} nodes are Ready after the upgrade: the other Windows pools are not upgraded"
  exit 1
fi
pods=$(az aks command invoke --resource-group {rg} --name {cluster} --command 'kubectl get pods --all-namespaces --no-headers -o "custom-columns=NS:.metadata.namespace,NAME:.metadata.name,PHASE:.status.phase,NODE:.spec.nodeName,READY:.status.containerStatuses[*].ready" && echo akswin-kubectl-ok' --query logs --output tsv --only-show-errors 2>&1) || true
kubectl_ok "$pods"
names=$(printf '%s\n' "$nodes" | awk 'NF >= 2 {{printf "%s ", $1}}')
# every node runs at least its DaemonSets' pods: a node with none was not seen at all
bad=$(printf '%s\n' "$pods" | awk -v names="$names" 'BEGIN {{ n = split(names, list, " "); for (i = 1; i <= n; i++) {{ on[list[i]] = 1; running[list[i]] = 0 }} }} NF >= 5 && ($4 in on) {{ if ($3 == "Running") running[$4]++; if (!($3 == "Succeeded" || ($3 == "Running" && $5 !~ /false/))) print $1 "/" $2 " " $3 " ready=" $5 }} END {{ for (node in running) if (running[node] == 0) print node " runs no pod" }}')
if [ -n "$bad" ]; then
  printf '%s\n' "$bad"
  echo "::error::pods on {pool} do not run Ready on the new node image: the other Windows pools are not upgraded (kubectl describe the pods; {pool} keeps the new image, the others keep theirs until the workflow runs again)"
  exit 1
fi
whole=$(az aks command invoke --resource-group {rg} --name {cluster} --command '{whole}' --query logs --output tsv --only-show-errors 2>&1) || true
kubectl_ok "$whole"
bad=$(printf '%s\n' "$whole" | awk '/^akswin-deployments/ {{ d = 1; next }} /^akswin-kubectl-ok/ {{ next }} NF >= 4 {{ r = ($4 == "<none>") ? 0 : $4; if ($3 != r) print (d ? "deployment " : "daemonset ") $1 "/" $2 ": " r " of " $3 " Ready" }}')
if [ -n "$bad" ]; then
  printf '%s\n' "$bad"
  echo "::error::pods that could not be placed or did not come Ready after {pool}'s upgrade: the other Windows pools are not upgraded"
  exit 1
fi
echo "{pool}: $total nodes Ready, every pod on them running Ready, every DaemonSet and the canary's Deployments whole: the other Windows pools go on"
"#
        ),
    }));
    out
}

fn weekday_iso(d: Weekday) -> u32 {
    d.to_chrono().number_from_monday()
}

/// A hot-spare event: on `days` (ISO) at local `minutes` after midnight in `tz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub days: Vec<u32>,
    pub minutes: u32,
    pub tz: String,
}

/// The UTC (weekday, minutes) pairs an event can fall on across the offsets `tz` uses in
/// 2026-2030 (standard and daylight time): one cron each; the guard picks the right one.
pub fn utc_candidates(e: &Event) -> Vec<(u32, u32)> {
    let tz: chrono_tz::Tz = e.tz.parse().unwrap_or(chrono_tz::UTC);
    let mut offsets: Vec<i64> = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2026, 1, 1);
    while let Some(day) = d {
        if day.year() > 2030 {
            break;
        }
        let t =
            NaiveTime::from_num_seconds_from_midnight_opt(e.minutes * 60, 0).unwrap_or_default();
        if let Some(dt) = tz
            .from_local_datetime(&NaiveDateTime::new(day, t))
            .earliest()
        {
            let off = i64::from(dt.offset().fix().local_minus_utc()) / 60;
            if !offsets.contains(&off) {
                offsets.push(off);
            }
        }
        d = day.checked_add_days(chrono::Days::new(7));
    }
    offsets.sort();
    let mut out = Vec::new();
    for off in offsets {
        for &day in &e.days {
            let utc = (i64::from(day) - 1) * 1440 + i64::from(e.minutes) - off;
            let utc = utc.rem_euclid(7 * 1440);
            out.push(((utc / 1440) as u32 + 1, (utc % 1440) as u32));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether the guard lets an event run at UTC instant `epoch` (minutes 0-49 after the
/// intended local time, on an intended local day) — the reference for the bash guard.
pub fn event_fires(e: &Event, epoch: i64) -> bool {
    let tz: chrono_tz::Tz = e.tz.parse().unwrap_or(chrono_tz::UTC);
    let Some(utc) = chrono::DateTime::from_timestamp(epoch, 0) else {
        return false;
    };
    let local = utc.with_timezone(&tz);
    let now = local.hour() * 60 + local.minute();
    let dow = local.weekday().number_from_monday();
    e.days.contains(&dow) && now >= e.minutes && now < e.minutes + 50
}

fn event_guard(e: &Event) -> String {
    let days: Vec<String> = e.days.iter().map(ToString::to_string).collect();
    format!(
        r#"fires() {{
  # local time in {tz}; daylight saving is the tz database's business: both UTC offsets are
  # scheduled, and only the one that lands on the intended local time passes
  local dow h mi now
  TZ='{tz}' printf -v dow '%(%u)T' "$1"
  TZ='{tz}' printf -v h '%(%H)T' "$1"
  TZ='{tz}' printf -v mi '%(%M)T' "$1"
  now=$(( 10#$h * 60 + 10#$mi ))
  case "$dow" in {days}) ;; *) return 1 ;; esac
  [ "$now" -ge {m} ] && [ "$now" -lt {m2} ]
}}"#,
        tz = e.tz,
        days = if days.is_empty() {
            "none".to_string()
        } else {
            days.join("|")
        },
        m = e.minutes,
        m2 = e.minutes + 50
    )
}

/// The scale-up and scale-down events of the hot-spare plan.
pub fn hot_spare_events(spec: &Spec) -> Vec<(Event, bool)> {
    let Some(hs) = &spec.scaling.hot_spare else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in &hs.peaks {
        let tz = p
            .timezone
            .unwrap_or(akswin_spec::types::TimeZone::UTC)
            .to_string();
        let days: Vec<u32> = p.days.iter().map(|d| weekday_iso(*d)).collect();
        let up = i64::from(p.from.minutes()) - i64::from(hs.lead_minutes);
        // a lead that crosses midnight moves the scale-up to the previous day
        let (up_days, up_min) = if up < 0 {
            (
                days.iter()
                    .map(|d| if *d == 1 { 7 } else { d - 1 })
                    .collect(),
                (up + 1440) as u32,
            )
        } else {
            (days.clone(), up as u32)
        };
        out.push((
            Event {
                days: up_days,
                minutes: up_min,
                tz: tz.clone(),
            },
            true,
        ));
        // a peak whose end is not after its start ends the next day (a night shift)
        let down_days = if p.to.minutes() <= p.from.minutes() {
            days.iter()
                .map(|d| if *d == 7 { 1 } else { d + 1 })
                .collect()
        } else {
            days
        };
        out.push((
            Event {
                days: down_days,
                minutes: p.to.minutes(),
                tz,
            },
            false,
        ));
    }
    out
}

/// `hot-spare.yml`.
pub fn hot_spare(spec: &Spec, n: &Names) -> Option<Value> {
    let hs = spec.scaling.hot_spare.as_ref()?;
    // the in-cluster hot spare needs no workflow (k8s/hot-spare.yaml)
    if hs.mode != akswin_spec::spec::HotSpareMode::Workflow {
        return None;
    }
    let pool = spec.cluster.node_pools.iter().find(|p| p.name == hs.pool)?;
    let events = hot_spare_events(spec);
    // one cron per UTC time, listing its days of week (0 = Sunday)
    let mut by_time: std::collections::BTreeMap<u32, Vec<u32>> = std::collections::BTreeMap::new();
    for (e, _) in &events {
        for (dow, m) in utc_candidates(e) {
            by_time.entry(m).or_default().push(dow % 7);
        }
    }
    let crons: Vec<String> = by_time
        .into_iter()
        .map(|(m, mut days)| {
            days.sort();
            days.dedup();
            let d: Vec<String> = days.iter().map(ToString::to_string).collect();
            format!("{} {} * * {}", m % 60, m / 60, d.join(","))
        })
        .collect();
    let rg = &n.rg_spoke;
    let cluster = &n.cluster;
    let scale = |count: u32| -> String {
        if pool.autoscaled() {
            format!(
                "az aks nodepool update --resource-group {rg} --cluster-name {cluster} --name {} --update-cluster-autoscaler --min-count {count} --max-count {}",
                pool.name,
                pool.max.unwrap_or(count).max(count)
            )
        } else {
            format!(
                "az aks nodepool scale --resource-group {rg} --cluster-name {cluster} --name {} --node-count {count}",
                pool.name
            )
        }
    };
    let mut script = String::from(
        "set -euo pipefail\nnow=\"${AKSWIN_NOW:-$(date -u +%s)}\"\naction=\"${ACTION:-}\"\n",
    );
    for (i, (e, up)) in events.iter().enumerate() {
        script.push_str(&event_guard(e).replace("fires()", &format!("fires_{i}()")));
        script.push('\n');
        script.push_str(&format!(
            "if [ -z \"$action\" ] && fires_{i} \"$now\"; then action={}; fi\n",
            if *up { "up" } else { "down" }
        ));
    }
    script.push_str(&format!(
        "case \"$action\" in\n  up) echo \"scaling {p} to the peak of {peak} nodes\"; {up} ;;\n  down) echo \"scaling {p} back to {off} nodes\"; {down} ;;\n  *) echo \"no hot-spare event now\" ;;\nesac\n",
        p = pool.name,
        peak = hs.peak_nodes,
        off = hs.off_peak_nodes,
        up = scale(hs.peak_nodes),
        down = scale(hs.off_peak_nodes),
    ));
    script.push_str("echo \"action=$action\" >> \"$GITHUB_OUTPUT\"\n");
    let mut steps = login_steps();
    steps.push(json!({
        "name": "Scale for the hot-spare plan",
        "id": "scale",
        "shell": "bash",
        "env": { "ACTION": "${{ github.event.inputs.action }}" },
        "run": script,
    }));
    // Raising the minimum only asks the autoscaler for nodes: wait until that many are Ready
    // (kubectl through az aks command invoke: the API server is private), and fail loudly when
    // they do not come (quota, subnet addresses, a failed node image).
    let wait_minutes = HOT_SPARE_READY_MINUTES;
    let wait = format!(
        "set -euo pipefail\n# The token for the cluster's API is taken now, while the sign-in is fresh (the CLI\n# cannot refresh a federated one); later polls reuse it.\naz account get-access-token --resource {AKS_SERVER_APP} --output none\nwant={peak}\nready=0\nout=''\ndeadline=$((SECONDS + ${{AKSWIN_WAIT_MINUTES:-{wait_minutes}}} * 60))\nwhile :; do\n  out=$(az aks command invoke --resource-group {rg} --name {cluster} --command 'kubectl get nodes -l kubernetes.azure.com/agentpool={p} --no-headers' --query logs --output tsv 2>&1) || true\n  case \"$out\" in\n    *Forbidden*|*AADSTS*|*AuthorizationFailed*)\n      printf '%s\\n' \"$out\"\n      echo \"::error::this workflow's identity may not list the cluster's nodes (README: GitHub Actions)\"\n      exit 1 ;;\n  esac\n  ready=$(printf '%s\\n' \"$out\" | awk '$2 == \"Ready\"' | wc -l)\n  echo \"$(date -u +%H:%M) {p}: $ready of $want nodes Ready\"\n  if [ \"$ready\" -ge \"$want\" ]; then exit 0; fi\n  if [ \"$SECONDS\" -ge \"$deadline\" ]; then break; fi\n  sleep \"${{AKSWIN_POLL_SECONDS:-60}}\"\ndone\nprintf '%s\\n' \"$out\"\necho \"::error::only $ready of $want {p} nodes are Ready after ${{AKSWIN_WAIT_MINUTES:-{wait_minutes}}} minutes: check the autoscaler's events (kubectl get events -A --field-selector source=cluster-autoscaler), the subscription's vCPU quota and the subnet's free addresses\"\nexit 1\n",
        peak = hs.peak_nodes,
        p = pool.name,
    );
    for mut l in login_steps() {
        l["name"] = json!("Azure login again before the wait");
        l["if"] = json!("steps.scale.outputs.action == 'up'");
        steps.push(l);
    }
    steps.push(json!({
        "name": format!("Wait for {} Ready {} nodes", hs.peak_nodes, pool.name),
        "if": "steps.scale.outputs.action == 'up'",
        "shell": "bash",
        "timeout-minutes": wait_minutes + 15,
        "run": wait,
    }));
    Some(json!({
        "name": "Windows hot spare",
        "on": {
            "schedule": crons.iter().map(|c| json!({ "cron": c })).collect::<Vec<_>>(),
            "workflow_dispatch": {
                "inputs": {
                    "action": { "description": "up (peak) or down (off-peak); empty: by the schedule", "required": false, "type": "choice", "options": ["", "up", "down"] }
                }
            },
        },
        "permissions": { "id-token": "write", "contents": "read" },
        "concurrency": { "group": format!("aks-{cluster}-hot-spare"), "cancel-in-progress": false },
        "jobs": { "scale": { "runs-on": "ubuntu-latest", "timeout-minutes": 90, "steps": steps } }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use akswin_spec::types::{ClockTime, UtcOffset};

    /// The default window (third Wednesday, 6 hours) at another time and offset.
    fn third_wednesday(offset: i32, hour: u8) -> MaintenanceWindow {
        MaintenanceWindow {
            start_time: ClockTime { hour, minute: 0 },
            utc_offset: UtcOffset { minutes: offset },
            ..MaintenanceWindow::default()
        }
    }

    #[test]
    fn third_wednesdays_of_2027() {
        let w = third_wednesday(0, 2);
        let days: Vec<String> = (1..=12)
            .filter_map(|m| {
                (1..=31)
                    .filter_map(|d| NaiveDate::from_ymd_opt(2027, m, d))
                    .find(|d| window_runs_on(&w, *d))
            })
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            days,
            [
                "2027-01-20",
                "2027-02-17",
                "2027-03-17",
                "2027-04-21",
                "2027-05-19",
                "2027-06-16",
                "2027-07-21",
                "2027-08-18",
                "2027-09-15",
                "2027-10-20",
                "2027-11-17",
                "2027-12-15"
            ]
        );
    }

    #[test]
    fn cron_candidates_follow_the_offset() {
        assert_eq!(window_cron(&third_wednesday(0, 2)), "0 2 15-21 * *");
        // 02:00 at +05:00 is 21:00 UTC the day before
        assert_eq!(window_cron(&third_wednesday(300, 2)), "0 21 14-20 * *");
        // 22:00 at -05:00 is 03:00 UTC the day after
        assert_eq!(window_cron(&third_wednesday(-300, 22)), "0 3 16-22 * *");
    }

    #[test]
    fn dst_candidates_for_new_york() {
        let e = Event {
            days: vec![1],
            minutes: 7 * 60,
            tz: "America/New_York".into(),
        };
        // 07:00 EST = 12:00 UTC, 07:00 EDT = 11:00 UTC, both on Monday
        assert_eq!(utc_candidates(&e), vec![(1, 11 * 60), (1, 12 * 60)]);
        // the Monday after the 2027 spring change (March 14): 11:00 UTC fires, 12:00 does not
        let at = |s: &str| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                .map(|d| d.and_utc().timestamp())
                .unwrap_or(0)
        };
        assert!(event_fires(&e, at("2027-03-15 11:00")));
        assert!(!event_fires(&e, at("2027-03-15 12:00")));
        // the Monday before: 12:00 UTC fires, 11:00 does not
        assert!(event_fires(&e, at("2027-03-08 12:00")));
        assert!(!event_fires(&e, at("2027-03-08 11:00")));
    }
}
