use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::types::Cidr;

declare_rule! {
    /// ## What it checks
    /// That no two of these ranges overlap: the hub address spaces, the spoke address spaces,
    /// the address spaces of each peered spoke (`network.peeredSpokes`), the on-premises
    /// ranges, the service CIDR and (overlay) the pod CIDR.
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

impl Rule for Net002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let n = &cx.spec.network;
        // (group, label, pointer, range): ranges in the same group are not compared.
        let mut ranges: Vec<(&str, String, String, Cidr)> = Vec::new();
        for (i, c) in n.hub.address_space.iter().enumerate() {
            ranges.push((
                "hub",
                "the hub".into(),
                format!("/network/hub/addressSpace/{i}"),
                *c,
            ));
        }
        for (i, c) in n.spoke.address_space.iter().enumerate() {
            ranges.push((
                "spoke",
                "the spoke".into(),
                format!("/network/spoke/addressSpace/{i}"),
                *c,
            ));
        }
        for (i, ps) in n.peered_spokes.iter().enumerate() {
            for (j, c) in ps.address_space.iter().enumerate() {
                ranges.push((
                    ps.name.as_str(),
                    format!("peered spoke {}", ps.name),
                    format!("/network/peeredSpokes/{i}/addressSpace/{j}"),
                    *c,
                ));
            }
        }
        for (i, c) in n.on_premises.iter().enumerate() {
            ranges.push((
                "onprem",
                "on-premises".into(),
                format!("/network/onPremises/{i}"),
                *c,
            ));
        }
        ranges.push((
            "service",
            "the service CIDR".into(),
            "/network/serviceCidr".into(),
            n.service_cidr,
        ));
        if let Some(p) = n.pod_cidr {
            ranges.push(("pod", "the pod CIDR".into(), "/network/podCidr".into(), p));
        }
        for (i, (ga, la, _, a)) in ranges.iter().enumerate() {
            for (gb, lb, pb, b) in &ranges[i + 1..] {
                if ga != gb && a.overlaps(b) {
                    out.error(
                        pb,
                        format!("{b} ({lb}) overlaps {a} ({la})"),
                        "give every VNet, on-premises, service and pod range its own, disjoint block",
                    );
                }
            }
        }
    }
}
