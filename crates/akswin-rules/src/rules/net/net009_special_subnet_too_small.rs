use crate::rules::{hub_subnet_entries, spoke_subnet_entries};
use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Explicit subnet prefixes: AzureFirewallSubnet (`hub.subnets.firewall`) and
    /// AzureBastionSubnet (`bastion`) at least /26, GatewaySubnet (`gateway`) at least /27,
    /// and no subnet smaller than /29 (Azure's smallest). `auto` subnets are sized by the
    /// planner and checked there.
    ///
    /// Special subnets cannot be misnamed in an akswin spec: the keys map to the fixed Azure
    /// names when rendered.
    ///
    /// ## Why it matters
    /// Azure refuses smaller firewall, Bastion and gateway subnets at deployment.
    ///
    /// ## How to fix
    /// Widen the prefix, or write `auto`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq
    ///   (smallest subnet /29)
    /// - https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-firewall-limits
    /// - https://learn.microsoft.com/azure/bastion/configuration-settings (AzureBastionSubnet)
    /// - https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings
    ///   (GatewaySubnet)
    /// - docs/sources.md#azure-subnet-rules (the Bastion and gateway sizes are UNCONFIRMED there)
    pub struct Net009 {
        code: "NET009",
        name: "special-subnet-too-small",
        severity: Error,
        summary: "Firewall/Bastion/Gateway subnet below its minimum, or any subnet below /29",
    }
}

impl Rule for Net009 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let spec = cx.spec;
        let entries = hub_subnet_entries(spec).chain(spoke_subnet_entries(spec));
        for (ptr, key, cidr) in entries {
            let min = crate::facts::special_subnet(key).map(|s| (s.min_prefix, s.azure_name));
            if let Some((min, azure)) = min
                && cidr.prefix_len() > min
            {
                out.error(
                    &ptr,
                    format!(
                        "{azure} must be /{min} or larger; {cidr} is a /{}",
                        cidr.prefix_len()
                    ),
                    "widen the prefix or write `auto`",
                );
            } else if cidr.prefix_len() > crate::facts::SMALLEST_SUBNET_PREFIX {
                out.error(
                    &ptr,
                    format!("subnet {cidr} is smaller than /29, the smallest Azure subnet"),
                    "use /29 or larger",
                );
            }
        }
    }
}
