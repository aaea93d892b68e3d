//! Azure Policy assignments on the cluster.

use super::*;

/// The `excludedNamespaces` default of the Kubernetes built-in policies (their definitions).
const POLICY_DEFAULT_EXCLUDED_NAMESPACES: [&str; 4] = [
    "kube-system",
    "gatekeeper-system",
    "azure-arc",
    "azure-extensions-usage-system",
];

impl Arm<'_> {
    pub(super) fn policy_assignments(&self, cluster: &Expr) -> Vec<Value> {
        let p = &self.spec.policy;
        let effect = |e: PolicyEffect| match e {
            PolicyEffect::Audit => "Audit",
            PolicyEffect::Deny => "Deny",
            PolicyEffect::Disabled => "Disabled",
        };
        let mut out = Vec::new();
        let mut add = |name: &str, id: &str, params: Value| {
            out.push(json!({
                "type": "Microsoft.Authorization/policyAssignments",
                "apiVersion": API_POLICY,
                "name": name,
                "properties": {
                    "displayName": format!("akswin: {name}"),
                    "policyDefinitionId": format!("/providers/Microsoft.Authorization/policyDefinitions/{id}"),
                    "parameters": params,
                    "enforcementMode": "Default",
                },
                "dependsOn": [cluster],
            }));
        };
        if self.has_windows() && p.windows_built_ins != PolicyEffect::Disabled {
            let e = json!({ "effect": { "value": effect(p.windows_built_ins) } });
            add(
                "windows-no-overcommit",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[0],
                e.clone(),
            );
            // Workloads that run as ContainerAdministrator (IIS images) are the documented
            // exception: their namespaces join the policy's default exclusions.
            let admin_namespaces: Vec<String> = self
                .spec
                .workloads
                .iter()
                .filter(|w| {
                    w.os == Os::Windows
                        && w.run_as() == akswin_spec::spec::RunAs::ContainerAdministrator
                })
                .map(|w| crate::k8s::k8s_name(&w.name))
                .collect();
            let mut no_admin = e.clone();
            if !admin_namespaces.is_empty() {
                let mut excluded: Vec<String> = POLICY_DEFAULT_EXCLUDED_NAMESPACES
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                excluded.extend(admin_namespaces);
                no_admin["excludedNamespaces"] = json!({ "value": excluded });
            }
            add(
                "windows-no-containeradministrator",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[1],
                no_admin,
            );
            // The users the workloads run as are approved, with the spec's list.
            let mut users = p.windows_allowed_user_names.clone();
            for w in self.spec.workloads.iter().filter(|w| w.os == Os::Windows) {
                let u = w.run_as().user_name().to_string();
                if !users.contains(&u) {
                    users.push(u);
                }
            }
            add(
                "windows-approved-users",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[2],
                json!({ "effect": { "value": effect(p.windows_built_ins) }, "allowedUserNames": { "value": users } }),
            );
            add(
                "windows-no-hostprocess",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[3],
                e,
            );
        }
        if p.internal_load_balancers_only != PolicyEffect::Disabled {
            add(
                "internal-load-balancers-only",
                akswin_facts::INTERNAL_LB_POLICY,
                json!({ "effect": { "value": effect(p.internal_load_balancers_only) } }),
            );
        }
        if !p.allowed_registries.is_empty() {
            let alt: Vec<String> = p
                .allowed_registries
                .iter()
                .map(|r| r.replace('.', "\\."))
                .collect();
            add(
                "allowed-registries",
                akswin_facts::ALLOWED_IMAGES_POLICY,
                json!({
                    "effect": { "value": "Deny" },
                    "allowedContainerImagesRegex": { "value": format!("^({})/.+$", alt.join("|")) },
                    // the policy's defaults, plus akswin-system: the pre-pull DaemonSets keep
                    // Microsoft's pause image running next to the images they pull
                    "excludedNamespaces": { "value": ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system", "akswin-system"] },
                }),
            );
        }
        for (i, a) in p.extra_assignments.iter().enumerate() {
            let id = a.definition_id.trim();
            let id = if id.starts_with('/') {
                id.to_string()
            } else {
                format!("/providers/Microsoft.Authorization/policyDefinitions/{id}")
            };
            let mut params = json!({});
            if let Some(e) = &a.effect {
                params = json!({ "effect": { "value": e } });
            }
            out.push(json!({
                "type": "Microsoft.Authorization/policyAssignments",
                "apiVersion": API_POLICY,
                "name": format!("extra-{}", i + 1),
                "properties": { "displayName": format!("akswin: extra assignment {}", i + 1), "policyDefinitionId": id, "parameters": params, "enforcementMode": "Default" },
                "dependsOn": [cluster],
            }));
        }
        out
    }

    // ---------------------------------------------------------------------------- front door
}
