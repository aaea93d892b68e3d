use crate::{Ctx, Out, Rule, declare_rule};
use akswin_plan::SubnetRole;
use akswin_spec::spec::Cni;

declare_rule! {
    /// ## What it checks
    /// Where pods get their addresses, at max + surge:
    /// - `azure-cni-overlay`: a `podCidr` is set and holds a /24 per node (a /16 holds 256
    ///   nodes);
    /// - `azure-cni-pod-subnet`: a `pods` subnet is declared and holds every node's pod
    ///   addresses (dynamic: maxPods in batches of 16; static block: /28 blocks for
    ///   maxPods + 1).
    ///
    /// ## Why it matters
    /// When the pod range runs out, new nodes join without pod addresses and pods stay
    /// `ContainerCreating`. Overlay pod CIDR expansion is not supported with Windows pools,
    /// so the first size is the size for good.
    ///
    /// ## How to fix
    /// `podCidr: 192.168.0.0/16` (overlay), or a larger `pods` subnet / `auto`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay
    /// - https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-pod-subnet
    /// - docs/sources.md#ip-planning-per-cni-mode
    pub struct Net005 {
        code: "NET005",
        name: "pod-range-too-small",
        severity: Error,
        summary: "Overlay pod CIDR or pod subnet too small for max nodes + surge",
    }
}

impl Rule for Net005 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let n = &cx.spec.network;
        match n.cni {
            Cni::AzureCniOverlay => {
                let Some(pc) = &cx.plan.pod_cidr else { return };
                match pc.prefix {
                    None => out.error(
                        "/network/cni",
                        "azure-cni-overlay needs a podCidr".into(),
                        "set `podCidr: 192.168.0.0/16` (RFC 1918, disjoint from every VNet)",
                    ),
                    Some(p) if pc.capacity_nodes < pc.demand_nodes => {
                        let need = (24 - (pc.demand_nodes as f64).log2().ceil() as i64).max(0);
                        out.error(
                            "/network/podCidr",
                            format!("podCidr {p} holds {} nodes (a /24 each); the pools need {} at max + surge", pc.capacity_nodes, pc.demand_nodes),
                            &format!("use a /{need} or larger; overlay pod CIDRs cannot be expanded with Windows pools"),
                        );
                    }
                    _ => {}
                }
            }
            Cni::AzureCniPodSubnet => {
                let pods = cx
                    .plan
                    .vnets
                    .iter()
                    .flat_map(|v| &v.subnets)
                    .find(|s| s.role == SubnetRole::Pods);
                match pods {
                    None => out.error(
                        "/network/spoke/subnets",
                        "azure-cni-pod-subnet needs a `pods` subnet".into(),
                        "add `pods: auto` under network.spoke.subnets",
                    ),
                    Some(s) => {
                        // A spoke that overlaps another range: NET002 names what cannot be placed.
                        let overlapped =
                            super::net002_address_ranges_overlap::overlapped_vnets(cx.spec)
                                .contains(akswin_plan::SPOKE);
                        if let Some(why) = s.shortfall.as_ref().filter(|_| !overlapped) {
                            out.error(
                                &s.pointer,
                                format!("cannot place the pod subnet: {why}"),
                                "widen the spoke's address space",
                            );
                        } else if let Some(u) = s.usable
                            && u < s.demand.at_max_surge
                        {
                            out.error(
                                &s.pointer,
                                format!("pod subnet has {u} usable addresses; the pools need {} at max + surge ({})", s.demand.at_max_surge, s.basis),
                                &format!("use a /{} or larger, or `auto`", s.needed_prefix.unwrap_or(0)),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
