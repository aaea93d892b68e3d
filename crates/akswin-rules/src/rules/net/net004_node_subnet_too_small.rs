use crate::{Ctx, Out, Rule, declare_rule};
use akswin_plan::{Origin, SubnetRole, ipmath};

declare_rule! {
    /// ## What it checks
    /// Every node subnet at the pools' autoscaler maximum plus upgrade surge:
    /// - error: an explicit subnet with fewer usable addresses than its demand, or an `auto`
    ///   subnet the planner could not place (the message says which prefix is needed and
    ///   how much aligned space the VNet has left);
    /// - warning: less than 20 % of its usable addresses free at max + surge.
    ///
    /// Demand per node: maxPods + 1 with `azure-cni-node-subnet` (every pod address is
    /// reserved up front), 1 with overlay or pod-subnet CNI; nodes = max + surge (percent
    /// surges round up; no maxSurge = the larger documented default). Azure keeps 5 addresses
    /// of every subnet. `auto` node subnets are sized with the 20 % headroom.
    ///
    /// A subnet that cannot be placed in a VNet which overlaps another range is NET002's to
    /// name (the overlap is the cause).
    ///
    /// ## Why it matters
    /// A full node subnet fails scale-out and upgrades with `InsufficientSubnetSize` or "No
    /// available addresses", often mid-upgrade, when a surge node cannot be created.
    ///
    /// ## How to fix
    /// Widen the subnet (or write `auto`), lower maxPods, max or maxSurge, or use Azure CNI
    /// Overlay.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning (50 nodes
    ///   at maxPods 30 need 1,581 addresses; a /24 holds 8 nodes at maxPods 30)
    /// - https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling (surge nodes)
    /// - https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq
    ///   (5 reserved addresses per subnet)
    /// - docs/sources.md#ip-planning-per-cni-mode
    /// - docs/sources.md#max-surge
    /// - docs/sources.md#azure-subnet-rules
    pub struct Net004 {
        code: "NET004",
        name: "node-subnet-too-small",
        severity: Error,
        summary: "A node subnet cannot hold its pools at max + surge; W below 20 % headroom",
    }
}

impl Rule for Net004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        // A VNet that overlaps another range: NET002 names what cannot be placed.
        let overlapped = super::net002_address_ranges_overlap::overlapped_vnets(cx.spec);
        for s in cx
            .plan
            .vnets
            .iter()
            .filter(|v| !overlapped.contains(&v.name))
            .flat_map(|v| &v.subnets)
            .filter(|s| s.role == SubnetRole::Nodes)
        {
            let d = s.demand.at_max_surge;
            let need = s
                .needed_prefix
                .map(|p| format!("/{p}"))
                .unwrap_or_else(|| "more than a /0".into());
            if let Some(why) = &s.shortfall {
                out.error(
                    &s.pointer,
                    format!("cannot place node subnet {}: {why}", s.key),
                    "widen the spoke's address space, or lower max, maxSurge or maxPods",
                );
                continue;
            }
            let (Some(p), Some(u)) = (s.prefix, s.usable) else {
                continue;
            };
            if u < d {
                out.error(
                    &s.pointer,
                    format!("node subnet {} ({p}) has {u} usable addresses; pools {} need {d} at max + surge ({})", s.key, s.pools.join(", "), s.basis),
                    &format!("use a {need} or larger, or `auto`"),
                );
            } else if s.origin == Origin::Explicit && (u - d) * 100 < u * ipmath::HEADROOM_PERCENT {
                out.warning(
                    &s.pointer,
                    format!("node subnet {} ({p}) keeps only {} of {u} addresses free at max + surge (< 20 %)", s.key, u - d),
                    &format!("use a {need} or larger"),
                );
            }
        }
    }
}
