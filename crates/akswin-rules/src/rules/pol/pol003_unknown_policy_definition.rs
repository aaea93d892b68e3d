use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Each `policy.extraAssignments[].definitionId`: it must be
    /// `/providers/Microsoft.Authorization/policyDefinitions/<GUID>` or
    /// `.../policySetDefinitions/<GUID>` (or the bare GUID), and the GUID must be a known
    /// Kubernetes built-in of that kind in the embedded index (`data/azure_policy_k8s.csv`,
    /// from Azure/azure-policy at f4a50bac, 2026-04-29). Deprecated built-ins are flagged too.
    ///
    /// ## Why it matters
    /// A wrong id fails the deployment with `PolicyDefinitionNotFound`, after the network and
    /// cluster are already half created.
    ///
    /// ## How to fix
    /// Copy the id from the Azure Policy built-ins reference.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/policy-reference
    /// - https://github.com/Azure/azure-policy/tree/master/built-in-policies
    ///   (definitions and initiatives)
    /// - docs/sources.md#azure-policy-built-in-ids; data/azure_policy_k8s.csv
    pub struct Pol003 {
        code: "POL003",
        name: "unknown-policy-definition",
        severity: Error,
        summary: "A policy definition id that is not a known built-in",
    }
}

impl Rule for Pol003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, a) in cx.spec.policy.extra_assignments.iter().enumerate() {
            let ptr = format!("/policy/extraAssignments/{i}/definitionId");
            let id = a.definition_id.trim();
            let lower = id.to_ascii_lowercase();
            let (kind, guid) = if let Some(g) =
                lower.strip_prefix("/providers/microsoft.authorization/policydefinitions/")
            {
                (Some("policyDefinition"), g)
            } else if let Some(g) =
                lower.strip_prefix("/providers/microsoft.authorization/policysetdefinitions/")
            {
                (Some("policySetDefinition"), g)
            } else {
                (None, lower.as_str())
            };
            let is_guid =
                guid.len() == 36 && guid.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
            if !is_guid {
                out.error(
                    &ptr,
                    format!("`{id}` is not a policy definition id"),
                    "use /providers/Microsoft.Authorization/policyDefinitions/<GUID>",
                );
                continue;
            }
            match cx.facts.policies.get(guid) {
                None => out.error(
                    &ptr,
                    format!("`{guid}` is not a known Kubernetes built-in policy"),
                    "check the id in the Azure Policy built-ins reference",
                ),
                Some(p) if kind.is_some_and(|k| k != p.kind) => out.error(
                    &ptr,
                    format!(
                        "`{guid}` ({}) is a {}, not a {}",
                        p.display_name,
                        p.kind,
                        kind.unwrap_or_default()
                    ),
                    "use the matching policyDefinitions/ or policySetDefinitions/ path",
                ),
                Some(p) if p.deprecated => out.error(
                    &ptr,
                    format!("`{guid}` ({}) is deprecated", p.display_name),
                    "use its replacement",
                ),
                _ => {}
            }
        }
    }
}
