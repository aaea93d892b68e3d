use crate::rules::pod_subnet_of;
use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{SpokeSubnet, Toggle, TrafficPolicy};

declare_rule! {
    /// ## What it checks
    /// - the Private Link Service subnet keeps `privateLinkServiceNetworkPolicies: Enabled`;
    /// - a workload with `externalTrafficPolicy: Local` whose pods live in the Private Link
    ///   Service subnet (same subnet key, or the same explicit prefix).
    ///
    /// ## Why it matters
    /// A Private Link Service needs network policies disabled on its subnet. With
    /// `externalTrafficPolicy: Local`, "the PLS subnet must differ from the pod subnet";
    /// otherwise Front Door's Private Link traffic is dropped.
    ///
    /// ## How to fix
    /// `network.spoke.privateLinkServiceNetworkPolicies: Disabled` (the default), a dedicated
    /// `privateLinkService` subnet, or `externalTrafficPolicy: Cluster`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/internal-lb (Private Link Service restrictions)
    /// - https://learn.microsoft.com/azure/templates/microsoft.network/virtualnetworks/subnets
    ///   (`privateLinkServiceNetworkPolicies`)
    /// - docs/sources.md#front-door-and-private-link (that the policies must be Disabled is
    ///   UNCONFIRMED in the AKS pages; Microsoft's template sample disables them)
    pub struct Net013 {
        code: "NET013",
        name: "private-link-subnet-misconfigured",
        severity: Warning,
        summary: "Private Link Service subnet with network policies on, or shared with pods under Local traffic policy",
    }
}

impl Rule for Net013 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let spoke = &cx.spec.network.spoke;
        if spoke.subnets.private_link_service.is_some()
            && spoke.private_link_service_network_policies == Toggle::Enabled
        {
            out.warning(
                "/network/spoke/privateLinkServiceNetworkPolicies",
                "privateLinkServiceNetworkPolicies is Enabled on the Private Link Service subnet"
                    .into(),
                "set it to Disabled (the default)",
            );
        }
        if spoke.subnets.private_link_service.is_none() {
            return;
        }
        let pls = cx.subnet_prefix(SpokeSubnet::PrivateLinkService.key());
        for (i, w) in cx.spec.workloads.iter().enumerate() {
            if w.external_traffic_policy != TrafficPolicy::Local {
                continue;
            }
            let Some(pod) = pod_subnet_of(cx.spec, w) else {
                continue;
            };
            let same = pod == SpokeSubnet::PrivateLinkService
                || matches!((pls, cx.subnet_prefix(pod.key())), (Some(a), Some(b)) if a.overlaps(&b));
            if same {
                out.warning(
                    &format!("/workloads/{i}/externalTrafficPolicy"),
                    format!("workload `{}` uses externalTrafficPolicy Local and its pods share the Private Link Service subnet", w.name),
                    "use `externalTrafficPolicy: Cluster` or give the Private Link Service its own subnet",
                );
            }
        }
    }
}
