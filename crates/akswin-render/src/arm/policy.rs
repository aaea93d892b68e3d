//! Azure Policy assignments on the cluster.

use super::*;

/// The `excludedNamespaces` default of Microsoft's built-in Kubernetes policies (their
/// definitions in Azure/azure-policy): a value akswin sets must repeat them.
const BUILT_IN_EXCLUDED_NAMESPACES: [&str; 4] = [
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
                // On the cluster, not on its whole resource group: an assignment applies to
                // every resource in its scope.
                "scope": cluster,
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
            // exception, by image: the policies' excludedImages, so nothing else in their
            // namespace may run as an administrator, and the approved users stay as they are.
            let admin_images: Vec<String> = self
                .spec
                .workloads
                .iter()
                .filter(|w| {
                    w.os == Os::Windows
                        && w.run_as() == akswin_spec::spec::RunAs::ContainerAdministrator
                })
                .map(|w| akswin_plan::resolve::image_ref(self.spec, &w.image))
                .collect::<std::collections::BTreeSet<String>>()
                .into_iter()
                .collect();
            let mut no_admin = e.clone();
            if !admin_images.is_empty() {
                no_admin["excludedImages"] = json!({ "value": admin_images });
            }
            add(
                "windows-no-containeradministrator",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[1],
                no_admin,
            );
            // The users the other workloads run as (NetworkService) are approved too.
            let mut users = p.windows_allowed_user_names.clone();
            for w in self.spec.workloads.iter().filter(|w| {
                w.os == Os::Windows
                    && w.run_as() != akswin_spec::spec::RunAs::ContainerAdministrator
            }) {
                let u = w.run_as().user_name().to_string();
                if !users.contains(&u) {
                    users.push(u);
                }
            }
            let mut approved = json!({ "effect": { "value": effect(p.windows_built_ins) }, "allowedUserNames": { "value": users } });
            if !admin_images.is_empty() {
                approved["excludedImages"] = json!({ "value": admin_images });
            }
            // The Windows exporter runs as SYSTEM in a HostProcess container, as Microsoft's
            // Windows metrics page deploys it: its namespace, which holds nothing else, is
            // excluded from these two, besides the policies' own defaults.
            let mut no_host_process = e.clone();
            if !crate::k8s::windows_exporter(self.spec, self.plan).is_empty() {
                let mut excluded: Vec<&str> = BUILT_IN_EXCLUDED_NAMESPACES.to_vec();
                excluded.push(crate::k8s::METRICS_NAMESPACE);
                approved["excludedNamespaces"] = json!({ "value": excluded });
                no_host_process["excludedNamespaces"] = json!({ "value": excluded });
            }
            add(
                "windows-approved-users",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[2],
                approved,
            );
            add(
                "windows-no-hostprocess",
                akswin_facts::WINDOWS_BUILTIN_POLICIES[3],
                no_host_process,
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
                    "excludedNamespaces": { "value": ([BUILT_IN_EXCLUDED_NAMESPACES.as_slice(), &["akswin-system"]].concat()) },
                }),
            );
        }
        if self.admission_enforced() {
            let cx = akswin_audit::Context::from_spec(self.spec);
            let admission = &p.admission;
            let effect = |r: &akswin_admission::Exported| {
                crate::admission::spec_effect(admission, r.meta.code)
            };
            out.push(json!({
                "type": "Microsoft.Authorization/policyAssignments",
                "apiVersion": API_POLICY,
                "name": "akswin-windows-admission",
                "scope": cluster,
                "properties": {
                    "displayName": "akswin: Windows container rules at admission",
                    "description": "akswin's manifest rules (WIN codes) enforced by the Azure Policy add-on when the API server admits an object; `akswin explain CODE` explains each.",
                    "policyDefinitionId": crate::admission::initiative_id(),
                    "parameters": crate::admission::assignment_parameters(&cx, &effect),
                    "enforcementMode": "Default",
                },
                "dependsOn": [cluster],
            }));
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
                "scope": cluster,
                "properties": { "displayName": format!("akswin: extra assignment {}", i + 1), "policyDefinitionId": id, "parameters": params, "enforcementMode": "Default" },
                "dependsOn": [cluster],
            }));
        }
        out
    }

    /// Whether `main.json` defines and assigns akswin's admission rules: a cluster with Windows
    /// pools, and at least one rule not `Disabled` in `policy.admission`.
    pub fn admission_enforced(&self) -> bool {
        let admission = &self.spec.policy.admission;
        self.has_windows()
            && crate::admission::any_enforced(&|r| {
                crate::admission::spec_effect(admission, r.meta.code)
            })
    }

    /// `policy/assignments.json` for a cluster that exists already (`cluster.existing`): the
    /// same assignments `main.json` makes, in a resource-group template for the cluster's
    /// group (`az deployment group create --resource-group <its group>`). The cluster needs the
    /// Azure Policy add-on (`az aks enable-addons --addons azure-policy`) for them to act in
    /// it.
    pub fn existing_cluster_policy(&self) -> Option<Value> {
        self.spec.cluster.existing.as_ref()?;
        let cluster = rid(
            "Microsoft.ContainerService/managedClusters",
            &self.n.cluster,
        );
        let mut assignments = self.policy_assignments(&cluster);
        if assignments.is_empty() {
            return None;
        }
        for a in &mut assignments {
            // The cluster is not in this template: it exists.
            if let Some(o) = a.as_object_mut() {
                o.remove("dependsOn");
            }
        }
        let mut t = rg_template(assignments, json!({}), json!({}));
        t["metadata"] = self.metadata();
        t["metadata"]["description"] = s(&format!(
            "Azure Policy assignments for the existing cluster {} (deploy into its resource group {}); the cluster needs the Azure Policy add-on: az aks enable-addons --addons azure-policy --resource-group {} --name {}",
            self.n.cluster, self.n.rg_spoke, self.n.rg_spoke, self.n.cluster
        ));
        Some(t)
    }

    // ---------------------------------------------------------------------------- front door
}
