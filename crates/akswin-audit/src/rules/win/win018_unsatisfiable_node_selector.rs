use crate::objects::{pod_selector, tolerates};
use crate::{Context, ManifestRule, Object, Out};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// With cluster context (`--spec` or `--cluster`), a node selector (or required node
    /// affinity on `kubernetes.io/os`, `kubernetes.azure.com/os-sku`,
    /// `kubernetes.azure.com/agentpool`) that no pool of the cluster satisfies: a pool name that
    /// does not exist, an OS SKU no pool runs, a label no pool carries; or pools that match but
    /// all carry a `NoSchedule`/`NoExecute` taint the pod does not tolerate. A label that
    /// Kubernetes or AKS sets on every node and the context does not model (under
    /// `kubernetes.io/`, `*.kubernetes.io/`, `kubernetes.azure.com/`, such as the mode, zone,
    /// instance type or `node.kubernetes.io/windows-build`) is assumed present, unless the pool
    /// sets that label itself. At admission (`akswin policy export`) the pools are the
    /// constraint's `pools` parameter; without it the rule does not judge.
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
        let selector = pod_selector(pod.node);
        if selector.is_empty() {
            return;
        }
        let Some(pools) = cx.pools_for(&selector) else {
            return;
        };
        if pools.is_empty() {
            let want: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.error(
                obj.ptr(&format!("{}/nodeSelector", pod.ptr)),
                pod.node.key_span("nodeSelector"),
                format!("no pool of the cluster matches {}", want.join(", ")),
                "select labels an existing pool carries (os, os-sku, agentpool)",
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
                obj.ptr(&format!("{}/nodeSelector", pod.ptr)),
                pod.node.key_span("nodeSelector"),
                format!(
                    "every pool the pod selects has a taint it does not tolerate: {}",
                    taints.join("; ")
                ),
                "add a toleration for the pool's taint, or select a pool without one",
            );
        }
    }
}
