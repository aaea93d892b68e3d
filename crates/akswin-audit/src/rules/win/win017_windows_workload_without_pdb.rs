use crate::objects::windows_reason;
use crate::yaml::Node;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// Windows Deployments and StatefulSets with more than one replica and no
    /// PodDisruptionBudget in the audited set whose selector matches their pod labels (same
    /// namespace).
    ///
    /// ## Why it matters
    /// Windows node images are upgraded monthly, and every upgrade drains the nodes; without a
    /// PDB all replicas can be evicted at once, and Windows pods are slow to come back (large
    /// images, long starts).
    ///
    /// ## How to fix
    /// Add a PodDisruptionBudget with `maxUnavailable: 1` selecting the pods.
    ///
    /// ## References
    /// - Architecture, "Node pool upgrade"
    /// - https://learn.microsoft.com/azure/aks/upgrade-node-image
    ///   (Windows node images ship monthly)
    /// - docs/sources.md#maintenance-windows-and-patch-tuesday
    pub struct Win017 {
        code: "WIN017",
        name: "windows-workload-without-pdb",
        severity: Warning,
        summary: "A Windows Deployment/StatefulSet with replicas > 1 and no PodDisruptionBudget",
    }
}

impl ManifestRule for Win017 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, _: &Context, obj: &Object<'_>, out: &mut Out) {
        if obj.kind != "Deployment" && obj.kind != "StatefulSet" {
            return;
        }
        let replicas = obj
            .node
            .path(&["spec", "replicas"])
            .and_then(Node::int)
            .unwrap_or(1);
        let Some(pod) = obj.pod() else { return };
        if replicas <= 1 || windows_reason(pod.node).is_none() {
            return;
        }
        let ptr = obj.ptr("/spec/replicas");
        let span = obj
            .node
            .path(&["spec", "replicas"])
            .map_or(obj.node.span, |n| n.span);
        let message = format!(
            "{} {} has {replicas} Windows replicas and no PodDisruptionBudget",
            obj.kind, obj.name
        );
        let (namespace, labels) = (obj.namespace.clone(), pod.labels.clone());
        out.defer(span, move |set, out| {
            if !set.pdb_covers(&namespace, &labels) {
                out.warning(
                    ptr,
                    span,
                    message,
                    "add a PodDisruptionBudget (maxUnavailable: 1) selecting its pods",
                );
            }
        });
    }
}
