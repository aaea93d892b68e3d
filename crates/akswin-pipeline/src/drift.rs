//! Drift: the cluster akswin would deploy for a spec, compared with a deployed one, read from
//! the JSON of `az aks show` (and, optionally, of `az aks maintenanceconfiguration list`).
//!
//! The expected side is what `render` writes, not a second reading of the spec: the managed
//! cluster resource and its maintenance configurations in the rendered `arm/main.json`. Keys
//! are compared without regard to case, because the CLI and the REST API spell the same field
//! differently (`osSku` and `osSKU`, `vnetSubnetId` and `vnetSubnetID`), and so are enum values
//! (`Standard_D4ds_v5`, `standard_d4ds_v5`). A field the cluster does not report is reported as
//! missing, never assumed equal.

use akswin_plan::NetworkPlan;
use akswin_spec::Spec;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

/// One difference between the spec (as rendered) and the deployed cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    /// What it concerns: `cluster`, `network`, `pool win22`, `maintenance ...`.
    pub area: String,
    /// The field, as `az aks show` names it (`vmSize`, `networkProfile.serviceCidr`).
    pub field: String,
    /// The spec field that sets it (a JSON pointer into the spec).
    pub pointer: String,
    /// What akswin renders for the spec (`absent` when it renders nothing there).
    pub spec: String,
    /// What the cluster reports (`absent` when it reports nothing).
    pub cluster: String,
    /// Why it matters, when the values alone do not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The comparison's result: the differences, and what was and was not compared.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftReport {
    pub schema_version: u32,
    /// The cluster's name as it reports it.
    pub cluster: String,
    pub drift: Vec<Drift>,
    pub compared: Vec<String>,
    pub not_compared: Vec<String>,
}

/// The value of `key` in an object, whatever its case; the REST API's `properties` wrapper
/// (`az resource show`, `az rest`) is looked through.
fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let o = v.as_object()?;
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, x)| x)
        .or_else(|| o.get("properties").and_then(|p| get(p, key)))
}

/// Follow a dotted path.
pub(crate) fn path<'a>(v: &'a Value, p: &str) -> Option<&'a Value> {
    p.split('.').try_fold(v, |v, k| get(v, k))
}

/// A scalar as text for the report and for comparison; `null` and absent are `absent`.
fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "absent".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => {
            let mut items: Vec<String> = a.iter().map(|x| text(Some(x))).collect();
            items.sort();
            items.join(", ")
        }
        Some(x) => x.to_string(),
    }
}

/// Equal as text, without regard to case; `none`, `false`, an empty list and absent mean the
/// same (a cluster reports `networkPolicy: none` where the template says nothing, and a
/// disabled add-on or setting may be `false` or missing).
fn same(a: &str, b: &str) -> bool {
    let unset = |s: &str| {
        s.is_empty()
            || s.eq_ignore_ascii_case("absent")
            || s.eq_ignore_ascii_case("none")
            || s.eq_ignore_ascii_case("false")
    };
    a.eq_ignore_ascii_case(b) || (unset(a) && unset(b))
}

/// Equal as text, case and all (Kubernetes labels and taints are case-sensitive); an empty
/// list and absent mean the same.
fn same_exactly(a: &str, b: &str) -> bool {
    let unset = |s: &str| s.is_empty() || s == "absent";
    a == b || (unset(a) && unset(b))
}

/// The last segment of a resource id (`.../subnets/snet-x` -> `snet-x`), from an id or from
/// the rendered `concat(...)` expression that ends with the literal `'/subnets/snet-x'`.
fn last_segment(s: &str) -> String {
    s.trim_end_matches([']', ')', '\''])
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The build date in a node image version: `AKSWindows-2022-containerd-20348.2700.241009`
/// (yymmdd, Windows) or `AKSUbuntu-2204gen2containerd-202608.26.0` (yyyymm.dd, Linux).
pub fn node_image_date(version: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = version.rsplit('-').next()?.split('.').collect();
    match parts.as_slice() {
        [ym, dd, _] if ym.len() == 6 && dd.len() == 2 => {
            let y = ym[..4].parse().ok()?;
            let m = ym[4..].parse().ok()?;
            NaiveDate::from_ymd_opt(y, m, dd.parse().ok()?)
        }
        [_, _, ymd] if ymd.len() == 6 => {
            let y: i32 = ymd[..2].parse().ok()?;
            NaiveDate::from_ymd_opt(2000 + y, ymd[2..4].parse().ok()?, ymd[4..].parse().ok()?)
        }
        _ => None,
    }
}

/// The differences found so far.
struct Diffs(Vec<Drift>);

impl Diffs {
    fn push(
        &mut self,
        area: &str,
        field: &str,
        pointer: &str,
        spec: String,
        cluster: String,
        note: Option<&str>,
    ) {
        self.0.push(Drift {
            area: area.into(),
            field: field.into(),
            pointer: pointer.into(),
            spec,
            cluster,
            note: note.map(str::to_string),
        });
    }

    /// A difference when the two values differ (text, without regard to case).
    fn compare(
        &mut self,
        area: &str,
        field: &str,
        pointer: &str,
        spec: Option<&Value>,
        cluster: Option<&Value>,
    ) {
        self.compare_by(area, field, pointer, spec, cluster, same);
    }

    fn compare_by(
        &mut self,
        area: &str,
        field: &str,
        pointer: &str,
        spec: Option<&Value>,
        cluster: Option<&Value>,
        equal: fn(&str, &str) -> bool,
    ) {
        let (w, a) = (text(spec), text(cluster));
        if !equal(&w, &a) {
            self.push(area, field, pointer, w, a, None);
        }
    }
}

/// The rendered managed cluster resource and its maintenance configurations
/// (name, properties).
fn rendered(spec: &Spec, plan: &NetworkPlan) -> Result<(Value, Vec<(String, Value)>), String> {
    // The main template as render writes it, without the rest of the tree.
    let names = akswin_plan::names::Names::new(spec);
    let main = akswin_render::arm::Arm::new(spec, plan, &names, "drift").main();
    let cluster = rendered_of(&[&main], "Microsoft.ContainerService/managedClusters")
        .into_iter()
        .next();
    let maintenance = rendered_of(
        &[&main],
        "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
    )
    .into_iter()
    .map(|r| {
        (
            last_segment(r["name"].as_str().unwrap_or_default()),
            r["properties"].clone(),
        )
    })
    .collect();
    Ok((
        cluster.ok_or("akswin rendered no managed cluster for this spec")?,
        maintenance,
    ))
}

/// Compare the spec (as `render` renders it) with a deployed cluster: `aks` is the JSON of
/// `az aks show`, `maintenance` that of `az aks maintenanceconfiguration list` (not compared
/// when absent). Node images older than the image-age alert's threshold, as of `today`, are
/// drift too: the cluster missed an upgrade.
pub fn drift(
    spec: &Spec,
    plan: &NetworkPlan,
    aks: &Value,
    maintenance: Option<&Value>,
    today: NaiveDate,
) -> Result<DriftReport, String> {
    drift_around(spec, plan, aks, maintenance, Around::default(), today)
}

/// [`drift`], and the network around the cluster ([`network_drift`]).
pub fn drift_around(
    spec: &Spec,
    plan: &NetworkPlan,
    aks: &Value,
    maintenance: Option<&Value>,
    around: Around<'_>,
    today: NaiveDate,
) -> Result<DriftReport, String> {
    let mut report = cluster_drift(spec, plan, aks, maintenance, today)?;
    let net = network_drift(spec, plan, around);
    report.drift.extend(net.drift);
    report.compared.extend(net.compared);
    report.not_compared.extend(net.not_compared);
    Ok(report)
}

fn cluster_drift(
    spec: &Spec,
    plan: &NetworkPlan,
    aks: &Value,
    maintenance: Option<&Value>,
    today: NaiveDate,
) -> Result<DriftReport, String> {
    if get(aks, "agentPoolProfiles").is_none() {
        return Err("no agentPoolProfiles: expected the JSON of `az aks show`".into());
    }
    let (resource, want_maintenance) = rendered(spec, plan)?;
    let want = &resource["properties"];
    let mut o = Diffs(Vec::new());

    // The control plane, major and minor only: a patch channel moves the patch on its own.
    let minor_of = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    let version =
        text(get(aks, "currentKubernetesVersion").or_else(|| get(aks, "kubernetesVersion")));
    let minor = minor_of(&spec.cluster.kubernetes_version.to_string());
    if minor_of(&version) != minor {
        o.push(
            "cluster",
            "currentKubernetesVersion",
            "/cluster/kubernetesVersion",
            minor.clone(),
            version,
            None,
        );
    }
    o.compare(
        "cluster",
        "sku.tier",
        "/cluster/tier",
        path(&resource, "sku.tier"),
        path(aks, "sku.tier"),
    );
    for (field, pointer) in [
        ("disableLocalAccounts", "/cluster/disableLocalAccounts"),
        ("aadProfile.enableAzureRBAC", "/cluster"),
        (
            "apiServerAccessProfile.enablePrivateCluster",
            "/cluster/privateCluster",
        ),
        (
            "autoUpgradeProfile.upgradeChannel",
            "/upgrades/clusterChannel",
        ),
        (
            "autoUpgradeProfile.nodeOSUpgradeChannel",
            "/upgrades/nodeOsChannel",
        ),
        ("addonProfiles.azurepolicy.enabled", "/policy"),
        (
            "addonProfiles.azureKeyvaultSecretsProvider.enabled",
            "/cluster",
        ),
        (
            "addonProfiles.omsagent.enabled",
            "/monitoring/containerInsights",
        ),
        ("oidcIssuerProfile.enabled", "/workloads"),
        ("securityProfile.workloadIdentity.enabled", "/workloads"),
        (
            "windowsProfile.licenseType",
            "/cluster/windowsProfile/azureHybridBenefit",
        ),
        ("windowsProfile.enableCSIProxy", "/cluster/windowsProfile"),
        (
            "windowsProfile.gmsaProfile.enabled",
            "/identity/gmsa/enabled",
        ),
        (
            "windowsProfile.gmsaProfile.dnsServer",
            "/identity/gmsa/dnsServer",
        ),
        (
            "windowsProfile.gmsaProfile.rootDomainName",
            "/identity/activeDirectory/domain",
        ),
    ] {
        // Only what akswin renders is compared: a feature it leaves alone is the cluster's.
        if let Some(w) = path(want, field) {
            o.compare("cluster", field, pointer, Some(w), path(aks, field));
        }
    }
    for (field, pointer) in [
        ("networkPlugin", "/network/cni"),
        ("networkPluginMode", "/network/cni"),
        ("outboundType", "/cluster/outboundType"),
        ("serviceCidr", "/network/serviceCidr"),
        ("dnsServiceIP", "/network/dnsServiceIp"),
        ("networkPolicy", "/cluster/networkPolicy"),
        ("podCidr", "/network/podCidr"),
    ] {
        let w = path(want, &format!("networkProfile.{field}"));
        let a = path(aks, &format!("networkProfile.{field}"));
        // Absent where akswin renders nothing (no overlay, no policy engine) is compared too:
        // a cluster with overlay where the spec has none has drifted.
        if w.is_some() || field == "networkPluginMode" || field == "networkPolicy" {
            o.compare("network", &format!("networkProfile.{field}"), pointer, w, a);
        }
    }

    // The pools, by name.
    let actual: Vec<&Value> = get(aks, "agentPoolProfiles")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let expected: Vec<&Value> = want["agentPoolProfiles"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let image_days = i64::from(akswin_plan::alerts::IMAGE_AGE_DAYS);
    for (i, w) in expected.iter().enumerate() {
        let name = text(get(w, "name"));
        let area = format!("pool {name}");
        let at = |f: &str| format!("/cluster/nodePools/{i}/{f}");
        let Some(a) = actual.iter().find(|a| same(&text(get(a, "name")), &name)) else {
            o.push(
                &area,
                "name",
                &at("name"),
                name.clone(),
                "absent".into(),
                Some("the spec's pool does not exist in the cluster"),
            );
            continue;
        };
        for (field, spec_field) in [
            ("mode", "mode"),
            ("osType", "os"),
            ("osSKU", "osSku"),
            ("vmSize", "vmSize"),
            ("maxPods", "maxPods"),
            ("osDiskType", "osDisk/type"),
            ("osDiskSizeGB", "osDisk/sizeGiB"),
            ("availabilityZones", "zones"),
            ("upgradeSettings.maxSurge", "maxSurge"),
            ("enableEncryptionAtHost", "encryptionAtHost"),
            ("enableFIPS", "enableFips"),
        ] {
            let pointer = if field == "enableEncryptionAtHost" {
                "/cluster/encryptionAtHost".to_string()
            } else {
                at(spec_field)
            };
            o.compare(&area, field, &pointer, path(w, field), path(a, field));
        }
        // Kubernetes taints and labels are case-sensitive; the labels akswin sets must be
        // there (workloads select their pool by them).
        o.compare_by(
            &area,
            "nodeTaints",
            &at("taints"),
            get(w, "nodeTaints"),
            get(a, "nodeTaints"),
            same_exactly,
        );
        let labels = |v: &Value| -> Vec<String> {
            get(v, "nodeLabels")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, x)| format!("{k}={}", text(Some(x))))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (lw, la) = (labels(w), labels(a));
        if lw.iter().any(|l| !la.contains(l)) {
            o.push(
                &area,
                "nodeLabels",
                &at("labels"),
                lw.join(", "),
                if la.is_empty() {
                    "absent".into()
                } else {
                    la.join(", ")
                },
                Some("workloads select their pool by these labels"),
            );
        }
        // The pool's own version: a pool left behind the control plane.
        let pool_version =
            text(get(a, "currentOrchestratorVersion").or_else(|| get(a, "orchestratorVersion")));
        let want_pool = get(w, "orchestratorVersion")
            .map(|v| minor_of(&text(Some(v))))
            .unwrap_or_else(|| minor.clone());
        if pool_version != "absent" && minor_of(&pool_version) != want_pool {
            o.push(
                &area,
                "currentOrchestratorVersion",
                &at("kubernetesVersion"),
                want_pool,
                pool_version,
                None,
            );
        }
        for (field, healthy) in [
            ("provisioningState", "Succeeded"),
            ("powerState.code", "Running"),
        ] {
            let v = text(path(a, field));
            if v != "absent" && !v.eq_ignore_ascii_case(healthy) {
                o.push(
                    &area,
                    field,
                    &at("name"),
                    healthy.into(),
                    v,
                    Some("the pool is not in service"),
                );
            }
        }
        let autoscaled = get(w, "enableAutoScaling")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let scaled = get(a, "enableAutoScaling")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if autoscaled != scaled {
            o.push(
                &area,
                "enableAutoScaling",
                &at("max"),
                autoscaled.to_string(),
                scaled.to_string(),
                None,
            );
        } else if autoscaled {
            o.compare(
                &area,
                "minCount",
                &at("min"),
                get(w, "minCount"),
                get(a, "minCount"),
            );
            o.compare(
                &area,
                "maxCount",
                &at("max"),
                get(w, "maxCount"),
                get(a, "maxCount"),
            );
        } else {
            o.compare(
                &area,
                "count",
                &at("count"),
                get(w, "count"),
                get(a, "count"),
            );
        }
        for field in ["vnetSubnetID", "podSubnetID"] {
            let (sw, sa) = (text(get(w, field)), text(get(a, field)));
            if sw == "absent" && sa == "absent" {
                continue;
            }
            let (subnet_w, subnet_a) = (last_segment(&sw), last_segment(&sa));
            if !same(&subnet_w, &subnet_a) {
                o.push(
                    &area,
                    field,
                    &at("subnet"),
                    subnet_w,
                    subnet_a,
                    Some("a pool cannot move to another subnet: it is replaced"),
                );
            }
        }
        // Windows node images, the monthly concern (Linux pools may be patched in place).
        let image = text(get(a, "nodeImageVersion"));
        let windows = text(get(w, "osType")).eq_ignore_ascii_case("windows");
        if windows
            && let Some(built) = node_image_date(&image)
            && (today - built).num_days() > image_days
        {
            o.push(
                &area,
                "nodeImageVersion",
                "/upgrades",
                format!("built within {image_days} days"),
                format!(
                    "{image} (built {built}, {} days ago)",
                    (today - built).num_days()
                ),
                Some("the pool missed at least one node image upgrade (Patch Tuesday)"),
            );
        }
    }
    for a in &actual {
        let name = text(get(a, "name"));
        if !expected.iter().any(|w| same(&text(get(w, "name")), &name)) {
            o.push(
                &format!("pool {name}"),
                "name",
                "/cluster/nodePools",
                "absent".into(),
                name.clone(),
                Some("a pool the spec does not declare"),
            );
        }
    }

    let mut compared = vec![
        "Kubernetes version and tier".to_string(),
        format!(
            "{} node pools (and any the spec does not declare): settings, labels, taints, versions, health",
            expected.len()
        ),
        "Windows node image age".into(),
        "network profile".into(),
        "private API server, local accounts, Azure RBAC".into(),
        "upgrade channels".into(),
        "add-ons (Azure Policy, Key Vault CSI driver, Container insights), workload identity"
            .into(),
        "Windows profile (licence, CSI proxy, gMSA)".into(),
    ];
    let mut not_compared = Vec::new();
    match maintenance {
        Some(list) => {
            // A list (az aks maintenanceconfiguration list), the REST API's {"value": [...]},
            // or one configuration (az aks maintenanceconfiguration show).
            let configs: Vec<&Value> = match list {
                Value::Array(a) => a.iter().collect(),
                Value::Object(m) if m.contains_key("value") => m["value"]
                    .as_array()
                    .map(|a| a.iter().collect())
                    .unwrap_or_default(),
                Value::Object(_) => vec![list],
                _ => Vec::new(),
            };
            for (name, w) in &want_maintenance {
                let area = format!("maintenance {name}");
                let Some(a) = configs.iter().find(|c| same(&text(get(c, "name")), name)) else {
                    o.push(
                        &area,
                        "name",
                        "/upgrades",
                        name.clone(),
                        "absent".into(),
                        Some("AKS upgrades in this channel at any time"),
                    );
                    continue;
                };
                for field in ["durationHours", "startTime", "utcOffset", "schedule"] {
                    let wf = path(w, &format!("maintenanceWindow.{field}"));
                    let af = path(a, &format!("maintenanceWindow.{field}"));
                    let differs = match (wf, af) {
                        (Some(x), Some(y)) if field == "schedule" => !same_json(x, y),
                        _ => !same(&text(wf), &text(af)),
                    };
                    if differs {
                        o.push(
                            &area,
                            &format!("maintenanceWindow.{field}"),
                            "/upgrades",
                            compact(wf),
                            compact(af),
                            None,
                        );
                    }
                }
            }
            for c in &configs {
                let name = text(get(c, "name"));
                if !want_maintenance.iter().any(|(n, _)| same(n, &name)) {
                    o.push(
                        &format!("maintenance {name}"),
                        "name",
                        "/upgrades",
                        "absent".into(),
                        name.clone(),
                        Some("a maintenance configuration the spec does not declare"),
                    );
                }
            }
            compared.push(format!(
                "{} maintenance configurations (and any the spec does not declare)",
                want_maintenance.len()
            ));
        }
        None => not_compared.push(
            "maintenance configurations: give --maintenance with the JSON of `az aks maintenanceconfiguration list`".into(),
        ),
    }
    Ok(DriftReport {
        schema_version: 1,
        cluster: text(get(aks, "name")),
        drift: o.0,
        compared,
        not_compared,
    })
}

/// JSON equality with keys compared without regard to case, nulls as absent, and strings
/// without regard to case.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(_)) => {
            x.iter().all(|(k, v)| match get(b, k) {
                Some(w) => same_json(v, w),
                None => v.is_null(),
            }) && b.as_object().is_some_and(|y| {
                y.iter()
                    .all(|(k, w)| w.is_null() || x.keys().any(|kk| kk.eq_ignore_ascii_case(k)))
            })
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::String(x), Value::String(y)) => same(x, y),
        (x, y) => x == y,
    }
}

fn compact(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "absent".into(),
        Some(Value::String(s)) => s.clone(),
        Some(x) => x.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_image_dates_of_both_families() {
        assert_eq!(
            node_image_date("AKSWindows-2022-containerd-20348.2700.241009"),
            NaiveDate::from_ymd_opt(2024, 10, 9)
        );
        assert_eq!(
            node_image_date("AKSUbuntu-2204gen2containerd-202608.26.0"),
            NaiveDate::from_ymd_opt(2026, 8, 26)
        );
        assert_eq!(node_image_date("something-else"), None);
    }

    #[test]
    fn unset_values_match_and_taints_keep_their_case() {
        assert!(same("none", "absent"));
        assert!(same("false", "absent"));
        assert!(same("", "absent"));
        assert!(!same("calico", "absent"));
        assert!(same_exactly("", "absent"));
        assert!(!same_exactly(
            "CriticalAddonsOnly=true:NoSchedule",
            "criticaladdonsonly=true:noschedule"
        ));
    }

    #[test]
    fn keys_and_values_match_without_case() {
        let a = serde_json::json!({ "osSKU": "Windows2022", "relativeMonthly": { "dayOfWeek": "Wednesday" } });
        let b = serde_json::json!({ "osSku": "windows2022", "relativeMonthly": { "dayofweek": "Wednesday" }, "weekly": null });
        assert!(same_json(&a, &b));
        assert_eq!(text(get(&b, "OSSKU")), "windows2022");
        let c = serde_json::json!({ "osSku": "Windows2025" });
        assert!(!same_json(&a, &c));
        assert_eq!(
            last_segment("[concat(variables('v'), '/subnets/snet-windows-nodes')]"),
            "snet-windows-nodes"
        );
        assert_eq!(
            last_segment(
                "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-x"
            ),
            "snet-x"
        );
    }
}

/// The network around the cluster, as deployed: the spoke VNet (`az network vnet show`) and
/// the firewall policy's rule collection groups (`az network firewall policy
/// rule-collection-group list`). Each is optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct Around<'a> {
    pub vnet: Option<&'a Value>,
    pub rule_collection_groups: Option<&'a Value>,
}

/// The resources of every rendered template (nested deployments' included) of these types.
fn rendered_of(templates: &[&Value], ty: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = templates.to_vec();
    while let Some(t) = stack.pop() {
        for r in t["resources"].as_array().into_iter().flatten() {
            let rt = r["type"].as_str().unwrap_or_default();
            if rt.eq_ignore_ascii_case(ty) {
                out.push(r.clone());
            }
            if rt == "Microsoft.Resources/deployments" {
                stack.push(&r["properties"]["template"]);
            }
        }
    }
    out
}

/// The name a resource id ends with: the last quoted literal of an ARM expression
/// (`[resourceId('…', 'nsg-x')]`), or the last segment of a literal id.
fn name_of(s: &str) -> String {
    if s.starts_with('[') {
        s.split('\'')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, x)| x)
            .last()
            .unwrap_or_default()
            .to_string()
    } else {
        s.rsplit('/').next().unwrap_or_default().to_string()
    }
}

/// A set of strings, without regard to case, for messages (sorted).
fn set_text(v: Option<&Value>) -> String {
    let mut items: Vec<String> = match v {
        Some(Value::Array(a)) => a.iter().map(|x| text(Some(x)).to_lowercase()).collect(),
        Some(x) => vec![text(Some(x)).to_lowercase()],
        None => Vec::new(),
    };
    items.retain(|s| s != "absent" && !s.is_empty());
    items.sort();
    items.dedup();
    if items.is_empty() {
        "absent".into()
    } else {
        items.join(", ")
    }
}

/// Compare the network akswin renders for the spec with the one deployed around the cluster.
pub fn network_drift(spec: &Spec, plan: &NetworkPlan, around: Around<'_>) -> DriftReport {
    let names = akswin_plan::names::Names::new(spec);
    let arm = akswin_render::arm::Arm::new(spec, plan, &names, "drift");
    let main = arm.main();
    let hub_side = arm.hub_side();
    let mut o = Diffs(Vec::new());
    let mut compared = Vec::new();
    let mut not_compared = Vec::new();
    match around.vnet {
        Some(vnet) => {
            let want = rendered_of(&[&main], "Microsoft.Network/virtualNetworks")
                .into_iter()
                .find(|v| v["name"] == names.vnet_spoke.as_str())
                .unwrap_or_default();
            let wp = &want["properties"];
            let area = format!("vnet {}", names.vnet_spoke);
            if !same(&text(get(vnet, "name")), &names.vnet_spoke) {
                o.push(
                    &area,
                    "name",
                    "/name",
                    names.vnet_spoke.clone(),
                    text(get(vnet, "name")),
                    Some("this is another VNet than the spoke akswin deploys"),
                );
            }
            let (ws, hs) = (
                set_text(path(wp, "addressSpace.addressPrefixes")),
                set_text(path(vnet, "addressSpace.addressPrefixes")),
            );
            if ws != hs {
                o.push(
                    &area,
                    "addressSpace.addressPrefixes",
                    "/network/spoke/addressSpace",
                    ws,
                    hs,
                    None,
                );
            }
            let wd = text(
                path(wp, "dhcpOptions.dnsServers")
                    .filter(|d| d.as_array().is_some_and(|a| !a.is_empty())),
            );
            let hd = text(
                path(vnet, "dhcpOptions.dnsServers")
                    .filter(|d| d.as_array().is_some_and(|a| !a.is_empty())),
            );
            if !same(&wd, &hd) {
                o.push(
                    &area,
                    "dhcpOptions.dnsServers",
                    "/network/dnsServers",
                    wd,
                    hd,
                    Some("the nodes resolve through these; empty is Azure-provided DNS"),
                );
            }
            let deployed: Vec<&Value> = get(vnet, "subnets")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let rendered: Vec<&Value> = wp["subnets"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            for w in &rendered {
                let name = text(get(w, "name"));
                let sarea = format!("subnet {name}");
                let Some(h) = deployed.iter().find(|s| same(&text(get(s, "name")), &name)) else {
                    o.push(
                        &sarea,
                        "name",
                        "/network/spoke/subnets",
                        name.clone(),
                        "absent".into(),
                        None,
                    );
                    continue;
                };
                let wpre = set_text(path(w, "properties.addressPrefix"));
                let hpre =
                    set_text(path(h, "addressPrefix").or_else(|| path(h, "addressPrefixes")));
                if wpre != hpre {
                    o.push(
                        &sarea,
                        "addressPrefix",
                        "/network/spoke/subnets",
                        wpre,
                        hpre,
                        Some("a subnet in use cannot change: the next deployment fails"),
                    );
                }
                for (field, what) in [
                    ("networkSecurityGroup.id", "networkSecurityGroup"),
                    ("routeTable.id", "routeTable"),
                ] {
                    let wv =
                        path(w, &format!("properties.{field}")).map(|v| name_of(&text(Some(v))));
                    let hv = path(h, field).map(|v| name_of(&text(Some(v))));
                    let (wv, hv) = (
                        wv.unwrap_or_else(|| "absent".into()),
                        hv.unwrap_or_else(|| "absent".into()),
                    );
                    if !same(&wv, &hv) {
                        o.push(&sarea, what, "/network/spoke/subnets", wv, hv, None);
                    }
                }
            }
            for h in &deployed {
                let name = text(get(h, "name"));
                if !rendered.iter().any(|w| same(&text(get(w, "name")), &name)) {
                    o.push(
                        &format!("subnet {name}"),
                        "name",
                        "/network/spoke/subnets",
                        "absent".into(),
                        name.clone(),
                        Some("a subnet the spec does not declare: the next deployment of the VNet, with exactly the planned subnets, fails while it is in use, or deletes it"),
                    );
                }
            }
            // The peering to the hub, and whether it carries traffic.
            let peerings: Vec<&Value> = get(vnet, "virtualNetworkPeerings")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let to_hub = peerings.iter().find(|p| {
                path(p, "remoteVirtualNetwork.id")
                    .is_some_and(|id| same(&name_of(&text(Some(id))), &names.vnet_hub))
            });
            match to_hub {
                None => o.push(&area, "virtualNetworkPeerings", "/network/hub", format!("a peering to {}", names.vnet_hub), "absent".into(), Some("without it the nodes reach neither the firewall nor the domain controllers")),
                Some(p) => {
                    let state = text(get(p, "peeringState"));
                    if !same(&state, "Connected") {
                        o.push(&area, "virtualNetworkPeerings.peeringState", "/network/hub", "Connected".into(), state, Some("the hub's side of the peering is missing or was deleted"));
                    }
                }
            }
            compared.push(format!(
                "the spoke VNet {}: address space, DNS servers, {} subnets (prefix, NSG, route table, and any the spec does not declare), the peering to the hub",
                names.vnet_spoke,
                rendered.len()
            ));
        }
        None => not_compared
            .push("the spoke VNet: give --vnet with the JSON of `az network vnet show`".into()),
    }
    match around.rule_collection_groups {
        Some(list) => {
            let templates: Vec<&Value> = std::iter::once(&main).chain(hub_side.as_ref()).collect();
            let want = rendered_of(&templates, "Microsoft.Network/firewallPolicies/ruleCollectionGroups");
            let deployed: Vec<&Value> = match list {
                Value::Array(a) => a.iter().collect(),
                Value::Object(m) if m.contains_key("value") => m["value"].as_array().map(|a| a.iter().collect()).unwrap_or_default(),
                Value::Object(_) => vec![list],
                _ => Vec::new(),
            };
            for w in &want {
                let name = last_segment(w["name"].as_str().unwrap_or_default());
                let area = format!("rule collection group {name}");
                let Some(h) = deployed.iter().find(|g| same(&text(get(g, "name")), &name)) else {
                    o.push(&area, "name", "/egress/firewall", name.clone(), "absent".into(), Some("the flows its rules allow are dropped by the firewall"));
                    continue;
                };
                o.compare(&area, "priority", "/egress/firewall", path(w, "properties.priority"), get(h, "priority"));
                let hcols: Vec<&Value> = get(h, "ruleCollections").and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default();
                for wc in w["properties"]["ruleCollections"].as_array().into_iter().flatten() {
                    let cname = text(get(wc, "name"));
                    let carea = format!("{area} / {cname}");
                    let Some(hc) = hcols.iter().find(|c| same(&text(get(c, "name")), &cname)) else {
                        o.push(&carea, "name", "/egress/firewall", cname.clone(), "absent".into(), None);
                        continue;
                    };
                    o.compare(&carea, "priority", "/egress/firewall", get(wc, "priority"), get(hc, "priority"));
                    o.compare(&carea, "action.type", "/egress/firewall", path(wc, "action.type"), path(hc, "action.type"));
                    let hrules: Vec<&Value> = get(hc, "rules").and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default();
                    for wr in wc["rules"].as_array().into_iter().flatten() {
                        let rname = text(get(wr, "name"));
                        let Some(hr) = hrules.iter().find(|r| same(&text(get(r, "name")), &rname)) else {
                            o.push(&carea, &format!("rule {rname}"), "/egress/firewall", rname.clone(), "absent".into(), None);
                            continue;
                        };
                        for field in ["sourceAddresses", "destinationAddresses", "destinationFqdns", "targetFqdns", "fqdnTags", "destinationPorts", "ipProtocols"] {
                            let (a, b) = (set_text(get(wr, field)), set_text(get(hr, field)));
                            if a != b {
                                o.push(&carea, &format!("rule {rname}.{field}"), "/egress/firewall", a, b, None);
                            }
                        }
                    }
                    for hr in &hrules {
                        let rname = text(get(hr, "name"));
                        if !wc["rules"].as_array().into_iter().flatten().any(|r| same(&text(get(r, "name")), &rname)) {
                            o.push(&carea, &format!("rule {rname}"), "/egress/firewall", "absent".into(), rname.clone(), Some("a rule the spec does not declare: the next deployment removes it"));
                        }
                    }
                }
            }
            // A policy akswin deploys holds its groups only; an existing hub's holds others'.
            if spec.network.existing_hub().is_none() {
                for h in &deployed {
                    let name = text(get(h, "name"));
                    if !want.iter().any(|w| same(&last_segment(w["name"].as_str().unwrap_or_default()), &name)) {
                        o.push(&format!("rule collection group {name}"), "name", "/egress/firewall", "absent".into(), name.clone(), Some("a group the spec does not declare (deploy.sh domain-controllers adds `promotion` only while it runs)"));
                    }
                }
            }
            compared.push(format!(
                "{} firewall rule collection groups: priorities, collections, and each rule's sources, destinations, ports and protocols",
                want.len()
            ));
        }
        None => not_compared.push(
            "the firewall rules: give --rule-collection-groups with the JSON of `az network firewall policy rule-collection-group list`".into(),
        ),
    }
    DriftReport {
        schema_version: 1,
        cluster: String::new(),
        drift: o.0,
        compared,
        not_compared,
    }
}
