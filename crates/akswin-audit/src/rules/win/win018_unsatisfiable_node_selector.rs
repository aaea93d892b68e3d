use crate::objects::tolerates;
use crate::placement::placement;
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// With cluster context (`--spec` or `--cluster`), a pod whose placement no pool of the
    /// cluster satisfies: its `nodeSelector` (every entry) and its required node affinity (any
    /// one term; `In`, `NotIn`, `Exists`, `DoesNotExist`) judged against each pool's OS, OS
    /// SKU, name and own labels, so a pool name that does not exist, an OS SKU no pool runs or
    /// a pool label nobody sets; or pools that match but all carry a `NoSchedule`/`NoExecute`
    /// taint the pod does not tolerate.
    ///
    /// A label the context does not model (one no pool sets itself: zone, hostname, instance
    /// type, mode, virtual nodes' or node auto-provisioning's labels) never rules a pool out,
    /// and a pod with `nodeName` is not judged. At admission (`akswin policy export`) the
    /// pools are the constraint's `pools` parameter; without it the rule does not judge.
    ///
    /// ## Why it matters
    /// The pod stays Pending forever ("0/9 nodes are available: node(s) didn't match Pod's node
    /// affinity/selector"), typically after a Windows pool was replaced by one with a new OS SKU
    /// or name; or after a taint was added to the pool ("node(s) had untolerated taint").
    ///
    /// ## How to fix
    /// Select labels that an existing pool carries (akswin renders `kubernetes.azure.com/os-sku`
    /// and `kubernetes.azure.com/agentpool`), and tolerate the taints of the pool you select.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/upgrade-windows-os (pod placement labels)
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
    /// - docs/sources.md#windows-pool-and-cluster-settings
    pub struct Win018 {
        code: "WIN018",
        name: "unsatisfiable-node-selector",
        severity: Error,
        summary: "A node selector or required affinity that no pool of the cluster provides",
    }
}

impl ManifestRule for Win018 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Context, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        let Some(all) = cx.pools.as_deref() else {
            return;
        };
        let placement = placement(pod.node);
        // a pod with nodeName skips the scheduler: its node is not the context's to know
        if placement.is_empty() || placement.node_name {
            return;
        }
        let pools = placement.pools(all);
        let (ptr, span) = if pod.node.get("nodeSelector").is_some() {
            ("nodeSelector", pod.node.key_span("nodeSelector"))
        } else {
            ("affinity", pod.node.key_span("affinity"))
        };
        let ptr = obj.ptr(&format!("{}/{ptr}", pod.ptr));
        if pools.is_empty() {
            out.error(
                ptr,
                span,
                format!("no pool of the cluster matches {}", placement.describe()),
                "select labels an existing pool carries (os, os-sku, agentpool, or the pool's own labels)",
            );
        } else if pools
            .iter()
            .all(|p| p.taints.iter().any(|t| !tolerates(pod.node, t)))
        {
            let taints: Vec<String> = pools
                .iter()
                .map(|p| {
                    let t: Vec<&str> = p
                        .taints
                        .iter()
                        .filter(|t| !tolerates(pod.node, t))
                        .map(String::as_str)
                        .collect();
                    format!("{} ({})", p.name, t.join(", "))
                })
                .collect();
            out.error(
                ptr,
                span,
                format!(
                    "every pool the pod selects has a taint it does not tolerate: {}",
                    taints.join("; ")
                ),
                "add a toleration for the pool's taint, or select a pool without one",
            );
        }
    }
}
