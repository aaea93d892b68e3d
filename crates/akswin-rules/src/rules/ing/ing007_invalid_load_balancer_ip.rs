use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::SpokeSubnet;
use akswin_spec::types::Auto;

declare_rule! {
    /// ## What it checks
    /// Explicit internal load balancer addresses (`ingress.internalLoadBalancer.staticIp` and
    /// each workload's `loadBalancerIp`):
    /// - outside the `internalLoadBalancer` subnet (as written, or as planned for `auto`);
    /// - one of the 5 addresses Azure reserves in it (network, gateway, 2 DNS, broadcast);
    /// - the same address taken twice.
    ///
    /// ## Why it matters
    /// The Service stays `<pending>` forever with an address outside its subnet or reserved,
    /// and two Services with one address fight over it; the application proxy then points at
    /// nothing.
    ///
    /// ## How to fix
    /// Use `auto` (the planner picks free addresses) or a free address inside the subnet.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq
    ///   (5 reserved addresses)
    /// - https://learn.microsoft.com/azure/aks/internal-lb
    /// - docs/sources.md#azure-subnet-rules
    pub struct Ing007 {
        code: "ING007",
        name: "invalid-load-balancer-ip",
        severity: Error,
        summary: "Internal load balancer static IP outside its subnet, reserved, or taken twice",
    }
}

impl Rule for Ing007 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let mut ips = Vec::new();
        if let Auto::Value(ip) = cx.spec.ingress.internal_load_balancer.static_ip {
            ips.push(("/ingress/internalLoadBalancer/staticIp".to_string(), ip));
        }
        for (i, w) in cx.spec.workloads.iter().enumerate() {
            if let Some(Auto::Value(ip)) = w.load_balancer_ip {
                ips.push((format!("/workloads/{i}/loadBalancerIp"), ip));
            }
        }
        let subnet = cx.subnet_prefix(SpokeSubnet::InternalLoadBalancer.key());
        let mut seen = Vec::new();
        for (ptr, ip) in &ips {
            if let Some(s) = subnet {
                let a = u32::from(ip.0);
                let first = u32::from(s.first());
                let last = u32::from(s.last());
                if !s.contains_addr(ip.0) {
                    out.error(
                        ptr,
                        format!(
                            "load balancer IP {ip} is outside the internalLoadBalancer subnet {s}"
                        ),
                        "pick an address inside the subnet, or `auto`",
                    );
                } else if a - first < 4 || a == last {
                    out.error(ptr, format!("load balancer IP {ip} is reserved by Azure in {s} (first four and last addresses)"), "pick another address inside the subnet, or `auto`");
                }
            }
            if seen.contains(ip) {
                out.error(
                    ptr,
                    format!("load balancer IP {ip} is taken twice"),
                    "give each internal load balancer front end its own address",
                );
            }
            seen.push(*ip);
        }
    }
}
