use crate::{Ctx, Out, Rule, declare_rule};
use akswin_plan::{Origin, SubnetRole};

declare_rule! {
    /// ## What it checks
    /// - an explicit subnet outside its VNet's address space, or two subnets of one VNet that
    ///   overlap;
    /// - a node pool whose subnet (`subnet:`, or the default by mode and OS) is not declared
    ///   under `network.spoke.subnets`;
    /// - an `auto` subnet (other than node and pod subnets: NET004, NET005) that the planner
    ///   could not place; the message says how much room it needs and what is free.
    ///
    /// A subnet that cannot be placed in a VNet which overlaps another range is NET002's to
    /// name (the overlap is the cause).
    ///
    /// ## Why it matters
    /// Azure refuses a subnet outside its VNet's address space or overlapping a sibling; a pool
    /// without a subnet cannot be deployed into the architecture's network.
    ///
    /// ## How to fix
    /// Move the prefix inside the VNet, widen the VNet's address space, or write `auto`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq
    /// - docs/sources.md#azure-subnet-rules
    pub struct Net003 {
        code: "NET003",
        name: "subnet-outside-vnet",
        severity: Error,
        summary: "A subnet outside its VNet, overlapping a sibling, missing, or impossible to place",
    }
}

impl Rule for Net003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let overlapped = super::net002_address_ranges_overlap::overlapped_vnets(cx.spec);
        for v in &cx.plan.vnets {
            let subnets: Vec<_> = v.subnets.iter().filter(|s| s.prefix.is_some()).collect();
            for (i, s) in subnets.iter().enumerate() {
                let Some(p) = s.prefix else { continue };
                if s.origin == Origin::Explicit
                    && !v.address_space.iter().any(|a| a.contains_net(&p))
                {
                    out.error(
                        &s.pointer,
                        format!(
                            "subnet {} ({p}) lies outside the {} address space",
                            s.key, v.name
                        ),
                        "move it inside the VNet's addressSpace, or write `auto`",
                    );
                }
                for o in &subnets[i + 1..] {
                    if let Some(q) = o.prefix
                        && p.overlaps(&q)
                    {
                        let (later, first) = if o.origin == Origin::Explicit {
                            (o, s)
                        } else {
                            (s, o)
                        };
                        out.error(
                            &later.pointer,
                            format!(
                                "subnet {} ({}) overlaps subnet {} ({})",
                                later.key,
                                later.prefix.unwrap_or(q),
                                first.key,
                                first.prefix.unwrap_or(p)
                            ),
                            "give each subnet its own block, or write `auto`",
                        );
                    }
                }
            }
            for s in v
                .subnets
                .iter()
                .filter(|s| !matches!(s.role, SubnetRole::Nodes | SubnetRole::Pods))
            {
                // A VNet that overlaps another range: NET002 names what cannot be placed.
                if let Some(why) = s
                    .shortfall
                    .as_ref()
                    .filter(|_| !overlapped.contains(&v.name))
                {
                    out.error(&s.pointer, format!("cannot place subnet {}: {why}", s.key), "widen the VNet's address space, or free room by shrinking explicit subnets");
                }
            }
        }
        for (i, p) in cx.pools() {
            let key = p.subnet_key();
            if cx.spec.network.spoke.subnets.get(key).is_none() {
                let ptr = if p.subnet.is_some() {
                    format!("{}/subnet", Ctx::pool_ptr(i))
                } else {
                    Ctx::pool_ptr(i)
                };
                out.error(
                    &ptr,
                    format!("pool `{}` uses spoke subnet `{}`, which network.spoke.subnets does not declare", p.name, key.key()),
                    &format!("add `{}: auto` under network.spoke.subnets", key.key()),
                );
            }
        }
    }
}
