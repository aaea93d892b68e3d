use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// That new domain controller VMs (`identity.activeDirectory.domainControllers.count`) have
    /// a dedicated hub subnet (`network.hub.subnets.domainControllers`).
    ///
    /// ## Why it matters
    /// "Consider provisioning a dedicated subnet for your domain controllers." A dedicated
    /// subnet gets its own NSG (only AD ports from the Windows node subnet), its own route
    /// table, and cannot be crowded out by other workloads.
    ///
    /// ## How to fix
    /// `network.hub.subnets.domainControllers: auto` (or an explicit prefix).
    ///
    /// ## References
    /// - Architecture, "IP address planning" and "Network design"
    pub struct Net007 {
        code: "NET007",
        name: "no-domain-controller-subnet",
        severity: Warning,
        summary: "Domain controllers have no dedicated subnet",
    }
}

impl Rule for Net007 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(ad) = &cx.spec.identity.active_directory else {
            return;
        };
        // With an existing hub, NET017 refuses new domain controllers outright.
        if ad.creates_dcs()
            && cx.spec.network.existing_hub().is_none()
            && cx.spec.network.hub.subnets.domain_controllers.is_none()
        {
            out.warning(
                "/network/hub/subnets",
                "new domain controllers are planned but the hub has no domainControllers subnet"
                    .into(),
                "add `domainControllers: auto` under network.hub.subnets",
            );
        }
    }
}
