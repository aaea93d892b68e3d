use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::types::Cidr;

declare_rule! {
    /// ## What it checks
    /// That no two of these ranges overlap: the hub address spaces, the spoke address spaces,
    /// the address spaces of each peered spoke (`network.peeredSpokes`), the on-premises
    /// ranges, the service CIDR and (overlay) the pod CIDR. Root cause first: when a VNet
    /// overlaps, the subnets that cannot be placed in it because of that are named in this
    /// finding, and NET003, NET004 and NET005 say nothing more about that VNet until it is fixed.
    ///
    /// ## Why it matters
    /// Peering refuses overlapping VNets; routes to on-premises over ExpressRoute/VPN break for
    /// the overlapping part; a service or pod range that overlaps a VNet makes AKS refuse the
    /// cluster (`NetworkProfileCIDROverlapVNET`) or, worse, silently black-holes traffic to
    /// those addresses from pods.
    ///
    /// ## How to fix
    /// Pick disjoint ranges, e.g. hub 10.200.0.0/24, spoke 10.240.0.0/16, services
    /// 172.16.0.0/16, pods 192.168.0.0/16, on-premises 10.0.0.0/12.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/concepts-network-legacy-cni
    /// - https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay
    /// - docs/sources.md#service-and-pod-ranges
    pub struct Net002 {
        code: "NET002",
        name: "address-ranges-overlap",
        severity: Error,
        summary: "Two address ranges overlap (hub, spoke, peered spokes, on-premises, service CIDR, pod CIDR)",
    }
}

/// Two ranges of the spec that overlap: (group, label, pointer, range) of each; a group is a
/// VNet's name in the plan (`hub`, `spoke`, a peered spoke's), `onprem`, `service` or `pod`.
pub type Overlap = (
    (String, String, String, Cidr),
    (String, String, String, Cidr),
);

/// Every overlap NET002 reports, in its order.
pub fn overlaps(spec: &akswin_spec::Spec) -> Vec<Overlap> {
    let n = &spec.network;
    // (group, label, pointer, range): ranges in the same group are not compared.
    let mut ranges: Vec<(String, String, String, Cidr)> = Vec::new();
    for (i, c) in n.hub.address_space.iter().enumerate() {
        ranges.push((
            "hub".into(),
            "the hub".into(),
            format!("/network/hub/addressSpace/{i}"),
            *c,
        ));
    }
    for (i, c) in n.spoke.address_space.iter().enumerate() {
        ranges.push((
            "spoke".into(),
            "the spoke".into(),
            format!("/network/spoke/addressSpace/{i}"),
            *c,
        ));
    }
    for (i, ps) in n.peered_spokes.iter().enumerate() {
        for (j, c) in ps.address_space.iter().enumerate() {
            ranges.push((
                ps.name.clone(),
                format!("peered spoke {}", ps.name),
                format!("/network/peeredSpokes/{i}/addressSpace/{j}"),
                *c,
            ));
        }
    }
    for (i, c) in n.on_premises.iter().enumerate() {
        ranges.push((
            "onprem".into(),
            "on-premises".into(),
            format!("/network/onPremises/{i}"),
            *c,
        ));
    }
    ranges.push((
        "service".into(),
        "the service CIDR".into(),
        "/network/serviceCidr".into(),
        n.service_cidr,
    ));
    if let Some(p) = n.pod_cidr {
        ranges.push((
            "pod".into(),
            "the pod CIDR".into(),
            "/network/podCidr".into(),
            p,
        ));
    }
    let mut out = Vec::new();
    for (i, a) in ranges.iter().enumerate() {
        for b in &ranges[i + 1..] {
            if a.0 != b.0 && a.3.overlaps(&b.3) {
                out.push((a.clone(), b.clone()));
            }
        }
    }
    out
}

/// The VNets (by plan name) whose address space overlaps another range: subnets that cannot
/// be placed there follow from the overlap, which is reported instead (root cause first).
pub fn overlapped_vnets(spec: &akswin_spec::Spec) -> std::collections::BTreeSet<String> {
    overlaps(spec)
        .into_iter()
        .flat_map(|(a, b)| [a.0, b.0])
        .collect()
}

impl Rule for Net002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        // Root cause first: what cannot be placed in a VNet that overlaps is named here, once,
        // instead of a finding per subnet (NET003, NET004, NET005 leave those VNets alone).
        let unplaced = |vnet: &str| -> Vec<String> {
            cx.plan
                .vnet(vnet)
                .map(|v| {
                    v.subnets
                        .iter()
                        .filter(|s| s.shortfall.is_some())
                        .map(|s| s.key.clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut told = std::collections::BTreeSet::new();
        for (a, b) in overlaps(cx.spec) {
            let mut message = format!("{} ({}) overlaps {} ({})", b.3, b.1, a.3, a.1);
            for (group, label) in [(&a.0, &a.1), (&b.0, &b.1)] {
                let keys = unplaced(group);
                if !keys.is_empty() && told.insert(group.clone()) {
                    message.push_str(&format!(
                        "; until it is fixed, {} subnet(s) of {label} cannot be placed ({}): fix this first",
                        keys.len(),
                        keys.join(", ")
                    ));
                }
            }
            out.error(
                &b.2,
                message,
                "give every VNet, on-premises, service and pod range its own, disjoint block",
            );
        }
    }
}
