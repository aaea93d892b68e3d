//! akswin-render owns what akswin writes for deployment: ARM templates (subscription scope,
//! one nested deployment per resource group), their parameters, the deploy script and the
//! deployment README. It turns a spec and its [`NetworkPlan`] into an in-memory file tree;
//! writing it (atomically) is the CLI's job. It must not judge the spec (the CLI refuses to
//! render when `check` has errors), touch the file system, or print.
//!
//! Secrets never appear: passwords reach ARM only as `securestring` parameters fed by Key
//! Vault references; the only secret-bearing extension setting lives in `protectedSettings`.

pub mod admission;
pub mod arm;
pub mod armtypes;
pub mod docs;
pub mod k8s;
pub mod lint;
pub mod report;
pub mod scripts;
pub mod workflows;

use akswin_plan::NetworkPlan;
use akswin_spec::Spec;
use std::collections::BTreeMap;

/// A rendered tree: relative path -> file content. Ordered, so output is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub files: BTreeMap<String, String>,
}

impl Tree {
    fn add(&mut self, path: &str, content: String) {
        self.files.insert(path.to_string(), content);
    }
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    s.push('\n');
    s
}

/// What the renderer cannot do yet, said plainly instead of rendering something wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("{pointer}: {what} is not supported by `akswin render` yet")]
    Unsupported {
        pointer: String,
        what: String,
        hint: String,
    },
}

/// Refuse spec features the renderer does not support yet.
pub fn supported(spec: &Spec) -> Result<(), RenderError> {
    use akswin_spec::types::SecretRef;
    // An existing cluster's templates are never rendered: nothing reads its password.
    if let Some(wp) = &spec.cluster.windows_profile
        && let SecretRef::Parameter(_) = wp.admin_password
        && spec.cluster.existing.is_none()
    {
        return Err(RenderError::Unsupported {
            pointer: "/cluster/windowsProfile/adminPassword".into(),
            what: "a `parameter:` secret reference".into(),
            hint: "use `{ keyVaultSecret: NAME }`: the rendered templates read secrets from Key Vault only".into(),
        });
    }
    // A workload's certificate is mounted with its own workload identity, which the full
    // deployment creates (main.json) and deploy.sh k8s wires (the SecretProviderClass): an
    // existing cluster gets neither from akswin yet.
    if spec.cluster.existing.is_some()
        && let Some(i) = spec.workloads.iter().position(|w| w.certificate.is_some())
    {
        return Err(RenderError::Unsupported {
            pointer: format!("/workloads/{i}/certificate"),
            what: "a workload certificate on a cluster that exists already".into(),
            hint: "mount it with a SecretProviderClass and workload identity of your own (https://learn.microsoft.com/azure/aks/csi-secrets-store-identity-access), and remove `certificate` here".into(),
        });
    }
    if let Some(ad) = &spec.identity.active_directory {
        for (k, r, _) in ad.domain_controllers.secrets() {
            if let Some(SecretRef::Parameter(_)) = r {
                return Err(RenderError::Unsupported {
                    pointer: format!("/identity/activeDirectory/domainControllers/{k}"),
                    what: "a `parameter:` secret reference".into(),
                    hint: "use `{ keyVaultSecret: NAME }`".into(),
                });
            }
        }
    }
    if let Some(h) = &spec.network.hybrid {
        for (key, r) in h.keys() {
            if let SecretRef::Parameter(_) = r {
                return Err(RenderError::Unsupported {
                    pointer: key.pointer().into(),
                    what: "a `parameter:` secret reference".into(),
                    hint: "use `{ keyVaultSecret: NAME }`".into(),
                });
            }
        }
    }
    if let Some(ad) = &spec.identity.active_directory
        && ad.creates_dcs()
        && spec.network.hub.subnets.domain_controllers.is_none()
    {
        return Err(RenderError::Unsupported {
            pointer: "/identity/activeDirectory/domainControllers/count".into(),
            what: "new domain controllers without a hub subnet for them".into(),
            hint: "add `domainControllers: auto` under network.hub.subnets (NET007)".into(),
        });
    }
    // Alerts are log search rules over the workspace: a metric alert is not rendered yet,
    // and without Container insights the Kubernetes tables stay empty.
    for (i, a) in spec.monitoring.alerts.iter().enumerate() {
        if a.query.is_none() {
            return Err(RenderError::Unsupported {
                pointer: format!("/monitoring/alerts/{i}"),
                what: format!("the metric alert `{}` (only log search alerts with `query` are rendered)", a.name),
                hint: "write it as a `query:` over the Container insights tables (InsightsMetrics, Perf, KubePodInventory), which fires when it returns a row".into(),
            });
        }
        if !spec.monitoring.container_insights {
            return Err(RenderError::Unsupported {
                pointer: format!("/monitoring/alerts/{i}"),
                what: format!("the alert `{}` without Container insights", a.name),
                hint: "set `monitoring.containerInsights: true`: the alerts read its tables".into(),
            });
        }
    }
    // Pre-pulled images must match a Windows pool's OS version (process isolation: WIN004).
    let skus: Vec<_> = spec
        .cluster
        .node_pools
        .iter()
        .filter(|p| p.is_windows())
        .map(|p| p.os_sku())
        .collect();
    if spec.scaling.prepull.enabled {
        for (i, img) in spec.scaling.prepull.images.iter().enumerate() {
            let r = k8s::image_ref(spec, img);
            if let Some(sku) = k8s::image_windows_sku(&r)
                && !skus.contains(&sku)
            {
                return Err(RenderError::Unsupported {
                    pointer: format!("/scaling/prepull/images/{i}"),
                    what: format!("pre-pulling `{r}` (built for {}) on Windows pools that run {}", sku.as_str(), skus.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
                    hint: "Windows containers need the image's OS version to match the node's (WIN004): rebuild the image for the pool's ltsc version".into(),
                });
            }
        }
    }
    Ok(())
}

/// Render everything for a spec and its plan.
pub fn render(spec: &Spec, plan: &NetworkPlan, tool_version: &str) -> Tree {
    let n = &plan.names;
    let mut t = Tree::default();
    let arm = arm::Arm::new(spec, plan, n, tool_version);
    t.add("arm/bootstrap.json", pretty(&arm.bootstrap()));
    if let Some(p) = arm.promotion_egress() {
        t.add("arm/promotion-egress.json", pretty(&p));
    }
    t.add("arm/main.json", pretty(&arm.main()));
    if let Some(h) = arm.hub_side() {
        t.add("arm/hub-side.json", pretty(&h));
    }
    if let Some(p) = arm.existing_cluster_policy() {
        t.add("policy/assignments.json", pretty(&p));
    }
    t.add("arm/main.parameters.json", pretty(&arm.parameters()));
    if let Some(fd) = arm.front_door() {
        t.add("arm/frontdoor.json", pretty(&fd));
    }
    t.add("deploy.sh", docs::deploy_sh(spec, plan, n));
    let prepull = k8s::prepull(spec);
    let canary = k8s::canary(spec);
    if !prepull.is_empty() || !canary.is_empty() {
        t.add(
            "k8s/00-akswin-system.yaml",
            k8s::yaml(&k8s::system_common(!prepull.is_empty(), !canary.is_empty())),
        );
    }
    if !canary.is_empty() {
        t.add("k8s/windows-canary.yaml", k8s::yaml(&canary));
    }
    if let Some(cm) = k8s::ama_metrics_settings(spec) {
        t.add("k8s/ama-metrics-settings-configmap.yaml", k8s::yaml(&[cm]));
    }
    let exporter = k8s::windows_exporter(spec, plan);
    if !exporter.is_empty() {
        t.add("k8s/windows-exporter.yaml", k8s::yaml(&exporter));
    }
    for (sku, docs) in &prepull {
        t.add(
            &format!("k8s/prepull-{}.yaml", sku.as_str().to_ascii_lowercase()),
            k8s::yaml(docs),
        );
    }
    for w in &spec.workloads {
        t.add(
            &format!("k8s/{}.yaml", k8s::k8s_name(&w.name)),
            k8s::yaml(&k8s::workload(spec, plan, w)),
        );
    }
    if spec.upgrades.workflow == akswin_spec::spec::UpgradeWorkflow::GithubActions
        && let Some(wf) = workflows::node_image_upgrade(spec, n)
    {
        t.add(".github/workflows/node-image-upgrade.yml", k8s::yaml(&[wf]));
    }
    if let Some(docs) = k8s::hot_spare_placeholders(spec) {
        t.add("k8s/hot-spare.yaml", k8s::yaml(&docs));
    }
    if let Some(wf) = workflows::hot_spare(spec, n) {
        t.add(".github/workflows/hot-spare.yml", k8s::yaml(&[wf]));
    }
    if let Some(s) = scripts::domain_controller(spec, plan, n) {
        t.add("scripts/Install-DomainController.ps1", s);
    }
    // The jump box's tools: the same text main.json gives its CustomScript extension.
    if arm::Arm::new(spec, plan, n, "").has_jump_box() {
        t.add("scripts/jumpbox-init.sh", scripts::jump_box_init(spec, n));
    }
    if let Some(s) = scripts::gmsa(spec, plan, n) {
        t.add("scripts/Set-Gmsa.ps1", s);
    }
    if let Some(s) = scripts::app_proxy(spec, plan, n) {
        t.add("scripts/Publish-AppProxy.ps1", s);
    }
    if let Some(s) = scripts::dns_record(spec, plan, n) {
        t.add("scripts/Set-InternalDnsRecord.ps1", s);
    }
    t.add("README.md", docs::readme(spec, plan, n));
    t
}
