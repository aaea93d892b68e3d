use crate::objects::affinity_values;
use crate::{Context, ManifestRule, Object, Out, Set};

akswin_diag::declare_rule! {
    /// ## What it checks
    /// With cluster context (`--spec` or `--cluster`), a node selector (or required node
    /// affinity on `kubernetes.io/os`, `kubernetes.azure.com/os-sku`,
    /// `kubernetes.azure.com/agentpool`) that no pool of the cluster satisfies: a pool name that
    /// does not exist, an OS SKU no pool runs, a label no pool carries.
    ///
    /// ## Why it matters
    /// The pod stays Pending forever ("0/9 nodes are available: node(s) didn't match Pod's node
    /// affinity/selector"), typically after a Windows pool was replaced by one with a new OS SKU
    /// or name.
    ///
    /// ## How to fix
    /// Select labels that an existing pool carries (akswin renders `kubernetes.azure.com/os-sku`
    /// and `kubernetes.azure.com/agentpool`).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/upgrade-windows-os (pod placement labels)
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
    fn check(&self, cx: &Context, _: &Set<'_>, obj: &Object<'_>, out: &mut Out) {
        let Some(pod) = obj.pod() else { return };
        let mut selector: Vec<(String, String)> = pod
            .node
            .get("nodeSelector")
            .map(|s| {
                s.entries()
                    .iter()
                    .filter_map(|(k, _, v)| Some((k.clone(), v.str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        for key in [
            "kubernetes.io/os",
            "kubernetes.azure.com/os-sku",
            "kubernetes.azure.com/agentpool",
        ] {
            let vals = affinity_values(pod.node, key);
            if vals.len() == 1 {
                selector.push((key.to_string(), vals[0].clone()));
            }
        }
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
        }
    }
}
