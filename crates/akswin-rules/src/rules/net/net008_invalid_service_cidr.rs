use crate::rules::FORBIDDEN_RANGES;
use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::types::Cidr;

declare_rule! {
    /// ## What it checks
    /// - `serviceCidr` is smaller than /12 (a /12 or larger is refused);
    /// - `dnsServiceIp` lies inside `serviceCidr` and is not its first address (that one is
    ///   `kubernetes.default`);
    /// - no service, pod or VNet range touches a range Azure forbids: 169.254.0.0/16,
    ///   172.30.0.0/16, 172.31.0.0/16, 192.0.2.0/24.
    ///
    /// Overlaps between the service range and VNets or on-premises ranges are NET002's (they
    /// need the full address plan).
    ///
    /// ## Why it matters
    /// Each of these fails cluster creation, or breaks cluster DNS after it.
    ///
    /// ## How to fix
    /// e.g. `serviceCidr: 172.16.0.0/16`, `dnsServiceIp: 172.16.0.10`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/concepts-network-legacy-cni
    /// - https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay
    /// - docs/sources.md#service-and-pod-ranges
    pub struct Net008 {
        code: "NET008",
        name: "invalid-service-cidr",
        severity: Error,
        summary: "Service CIDR too large, DNS service IP misplaced, or a forbidden range used",
    }
}

impl Rule for Net008 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let n = &cx.spec.network;
        let svc = n.service_cidr;
        if svc.prefix_len() <= 12 {
            out.error(
                "/network/serviceCidr",
                format!(
                    "serviceCidr {svc} is a /{}; it must be smaller than /12",
                    svc.prefix_len()
                ),
                "use a /16 such as 172.16.0.0/16",
            );
        }
        let dns = n.dns_service_ip.0;
        if !svc.contains_addr(dns) {
            out.error(
                "/network/dnsServiceIp",
                format!("dnsServiceIp {dns} is outside serviceCidr {svc}"),
                "pick an address inside serviceCidr, conventionally .10",
            );
        } else if dns == svc.first() {
            out.error(
                "/network/dnsServiceIp",
                format!("dnsServiceIp {dns} is the first address of serviceCidr, which kubernetes.default uses"),
                "pick another address inside serviceCidr, conventionally .10",
            );
        }
        let mut ranges: Vec<(String, Cidr)> = vec![("/network/serviceCidr".into(), svc)];
        if let Some(p) = n.pod_cidr {
            ranges.push(("/network/podCidr".into(), p));
        }
        for (i, c) in n.hub.address_space.iter().enumerate() {
            ranges.push((format!("/network/hub/addressSpace/{i}"), *c));
        }
        for (i, c) in n.spoke.address_space.iter().enumerate() {
            ranges.push((format!("/network/spoke/addressSpace/{i}"), *c));
        }
        for (ptr, c) in ranges {
            if let Some(bad) = FORBIDDEN_RANGES.iter().find_map(|f| {
                let f: Cidr = f.parse().ok()?;
                f.overlaps(&c).then_some(f)
            }) {
                out.error(
                    &ptr,
                    format!("{c} overlaps {bad}, a range AKS does not allow for service, pod or VNet ranges"),
                    "use an RFC 1918 range that avoids 169.254/16, 172.30/16, 172.31/16 and 192.0.2/24",
                );
            }
        }
    }
}
