use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Each code under `policy.admission.rules`: it must be a manifest rule (`akswin rules`)
    /// that akswin enforces at admission. `akswin policy list` shows which are, and why the
    /// others (rules that need other objects of the cluster, or that the API server enforces
    /// itself) are not.
    ///
    /// ## Why it matters
    /// An effect for a rule that is not enforced at admission changes nothing in the cluster:
    /// the team believes a rule blocks deployments while nothing does.
    ///
    /// ## How to fix
    /// Use a code `akswin policy list` marks as enforced; check the others in CI with
    /// `akswin audit`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes
    ///   (custom definitions for the Azure Policy add-on)
    /// - docs/rules.md (the manifest rules)
    pub struct Pol005 {
        code: "POL005",
        name: "admission-rule-unknown",
        severity: Error,
        summary: "An admission effect for a rule akswin does not enforce at admission",
    }
}

impl Rule for Pol005 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for code in cx.spec.policy.admission.rules.keys() {
            let ptr = format!("/policy/admission/rules/{code}");
            match akswin_admission::admission(code) {
                Some(akswin_admission::Admission::Rego { .. }) => {}
                Some(akswin_admission::Admission::NotAtAdmission { reason }) => out.error(
                    &ptr,
                    format!("{code} is not enforced at admission: {reason}"),
                    "remove it here; `akswin audit` checks it in CI",
                ),
                None => out.error(
                    &ptr,
                    format!("`{code}` is not a manifest rule"),
                    "use a code from `akswin policy list` (e.g. WIN001)",
                ),
            }
        }
    }
}
