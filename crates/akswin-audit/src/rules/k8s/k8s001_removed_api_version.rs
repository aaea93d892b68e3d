use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// apiVersion/kind pairs that the target Kubernetes version no longer serves (error), or
    /// that are deprecated there (warning), from the upstream deprecation guide: e.g.
    /// `extensions/v1beta1` Deployment/Ingress (removed 1.16/1.22), `policy/v1beta1`
    /// PodDisruptionBudget (1.25), `batch/v1beta1` CronJob (1.25), `autoscaling/v2beta2`
    /// HorizontalPodAutoscaler (1.26), `flowcontrol.apiserver.k8s.io/v1beta3` (1.32). The target
    /// is `--k8s-version`, the spec's or the cluster's; without one, the newest version in the
    /// table is assumed and a note says so.
    ///
    /// ## Why it matters
    /// The API server refuses removed versions; an AKS auto-upgrade then leaves workloads that
    /// cannot be re-applied, typically found during an incident.
    ///
    /// ## How to fix
    /// Use the replacement apiVersion named in the message.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/using-api/deprecation-guide/
    pub struct K8s001 {
        code: "K8S001",
        name: "removed-api-version",
        severity: Error,
        summary: "An apiVersion/kind removed (or deprecated) in the target Kubernetes version",
    }
}

/// (apiVersion, kind or "*", removed in minor, replacement)
const REMOVED: &[(&str, &str, u32, &str)] = &[
    ("extensions/v1beta1", "Deployment", 16, "apps/v1"),
    ("extensions/v1beta1", "DaemonSet", 16, "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", 16, "apps/v1"),
    (
        "extensions/v1beta1",
        "NetworkPolicy",
        16,
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        "PodSecurityPolicy",
        16,
        "(removed; use Pod Security admission)",
    ),
    ("apps/v1beta1", "*", 16, "apps/v1"),
    ("apps/v1beta2", "*", 16, "apps/v1"),
    ("extensions/v1beta1", "Ingress", 22, "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "*", 22, "networking.k8s.io/v1"),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "*",
        22,
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        "*",
        22,
        "apiextensions.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "*",
        22,
        "admissionregistration.k8s.io/v1",
    ),
    ("scheduling.k8s.io/v1beta1", "*", 22, "scheduling.k8s.io/v1"),
    (
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        22,
        "storage.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        "StorageClass",
        22,
        "storage.k8s.io/v1",
    ),
    ("batch/v1beta1", "CronJob", 25, "batch/v1"),
    ("policy/v1beta1", "PodDisruptionBudget", 25, "policy/v1"),
    (
        "policy/v1beta1",
        "PodSecurityPolicy",
        25,
        "(removed; use Pod Security admission)",
    ),
    ("autoscaling/v2beta1", "*", 25, "autoscaling/v2"),
    ("discovery.k8s.io/v1beta1", "*", 25, "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "*", 25, "events.k8s.io/v1"),
    ("autoscaling/v2beta2", "*", 26, "autoscaling/v2"),
    (
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        27,
        "storage.k8s.io/v1",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "*",
        29,
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "*",
        32,
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    (
        "windows.k8s.io/v1alpha1",
        "GMSACredentialSpec",
        28,
        "windows.k8s.io/v1 (AKS moved in release v20230903)",
    ),
];
/// Newest minor the table is current for.
const NEWEST: u32 = 37;

impl ManifestRule for K8s001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Context, obj: &Object<'_>, out: &mut Out) {
        let target = cx.k8s_minor.unwrap_or(NEWEST);
        for (api, kind, removed, replacement) in REMOVED {
            if obj.api_version == *api && (*kind == "*" || obj.kind == *kind) {
                let span = obj.node.get("apiVersion").map_or(obj.node.span, |n| n.span);
                if target >= *removed {
                    out.error(
                        obj.ptr("/apiVersion"),
                        span,
                        format!(
                            "{api} {} was removed in Kubernetes 1.{removed} (target 1.{target})",
                            obj.kind
                        ),
                        &format!("use {replacement}"),
                    );
                } else if target + 2 >= *removed {
                    out.warning(
                        obj.ptr("/apiVersion"),
                        span,
                        format!(
                            "{api} {} is deprecated and removed in Kubernetes 1.{removed}",
                            obj.kind
                        ),
                        &format!("move to {replacement} before upgrading"),
                    );
                }
            }
        }
    }
}
