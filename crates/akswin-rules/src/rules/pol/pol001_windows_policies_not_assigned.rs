use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::PolicyEffect;

declare_rule! {
    /// ## What it checks
    /// With Windows pools, that the four Windows built-in policies are assigned
    /// (`policy.windowsBuiltIns` not `Disabled`): Windows containers should not overcommit CPU
    /// and memory (a2abc456-...), should not run as ContainerAdministrator (5485eac0-...),
    /// should only run with approved users (57dde185-...), and Windows pods should not run
    /// HostProcess containers (077f0ce1-...).
    ///
    /// ## Why it matters
    /// The architecture names these as the Windows-specific additions to the AKS baseline's
    /// policies; they catch in the cluster what `akswin audit` catches in manifests.
    ///
    /// ## How to fix
    /// `policy.windowsBuiltIns: Audit` (or `Deny` once workloads comply).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/policy-reference
    /// - https://github.com/Azure/azure-policy/tree/master/built-in-policies/policyDefinitions/Kubernetes
    /// - docs/sources.md#azure-policy-built-in-ids
    /// - Architecture, "Policy management"
    pub struct Pol001 {
        code: "POL001",
        name: "windows-policies-not-assigned",
        severity: Warning,
        summary: "The Windows built-in policies are not assigned",
    }
}

impl Rule for Pol001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        if cx.has_windows() && cx.spec.policy.windows_built_ins == PolicyEffect::Disabled {
            out.warning(
                "/policy/windowsBuiltIns",
                "the four Windows built-in policies are disabled".into(),
                "set `windowsBuiltIns: Audit` (or Deny)",
            );
        }
    }
}
