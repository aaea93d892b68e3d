use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::Spec;
use akswin_spec::spec::PolicyEffect;

declare_rule! {
    /// ## What it checks
    /// That "Kubernetes clusters should use internal load balancers" (3fc4dc25-...) is not
    /// `Disabled`, and that `policy.allowedRegistries` lists at least one registry for
    /// "Kubernetes cluster containers should only use allowed images" (febd0533-...); that
    /// every image in `registry.images` comes from an allowed registry; and that images from an
    /// Azure Container Registry come from the one akswin deploys (`registry.name`).
    ///
    /// ## Why it matters
    /// The architecture exposes workloads only through the internal load balancer behind Front
    /// Door and the application proxy; a public LoadBalancer Service bypasses WAF and
    /// pre-authentication. Images from unknown registries bypass ACR scanning and pre-pull. An
    /// image outside the allowed list is refused by the policy the spec itself assigns, and the
    /// kubelet identity gets AcrPull on the deployed registry only: an image in another ACR
    /// ends in ImagePullBackOff on every Windows node.
    ///
    /// ## How to fix
    /// `internalLoadBalancersOnly: Deny` and `allowedRegistries: [<acr>.azurecr.io, mcr.microsoft.com]`;
    /// set `registry.name` to the registry your images are pushed to.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/policy-reference
    /// - https://github.com/Azure/azure-policy/tree/master/built-in-policies/policyDefinitions/Kubernetes
    /// - docs/sources.md#azure-policy-built-in-ids
    pub struct Pol002 {
        code: "POL002",
        name: "ingress-or-registry-policy-missing",
        severity: Warning,
        summary: "Internal-load-balancer-only or allowed-registries policy not assigned",
    }
}

impl Rule for Pol002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let p = &cx.spec.policy;
        if p.internal_load_balancers_only == PolicyEffect::Disabled {
            out.warning(
                "/policy/internalLoadBalancersOnly",
                "the internal-load-balancers-only policy is disabled".into(),
                "set `internalLoadBalancersOnly: Deny`",
            );
        }
        if p.allowed_registries.is_empty() {
            out.warning(
                "/policy/allowedRegistries",
                "no allowed registries: the allowed-images policy is not assigned".into(),
                "list your ACR login server and mcr.microsoft.com",
            );
        }
        let acr = cx.spec.acr_name();
        let login = format!("{acr}.azurecr.io");
        let images = cx.spec.registry.images.iter().enumerate().map(|(i, img)| {
            (
                format!("/registry/images/{i}/ref"),
                img.name.as_str(),
                img.r#ref.as_str(),
            )
        });
        let direct = cx.spec.workloads.iter().enumerate().filter_map(|(i, w)| {
            let named = cx.spec.registry.images.iter().any(|r| r.name == w.image);
            (!named).then(|| {
                (
                    format!("/workloads/{i}/image"),
                    w.name.as_str(),
                    w.image.as_str(),
                )
            })
        });
        for (ptr, name, reference) in images.chain(direct) {
            let host = Spec::image_registry(reference);
            if !p.allowed_registries.is_empty()
                && !p
                    .allowed_registries
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(host))
            {
                out.warning(
                    &ptr,
                    format!(
                        "image of `{name}` comes from {host}, which policy.allowedRegistries does not allow: the allowed-images policy refuses it"
                    ),
                    &format!("add {host} to policy.allowedRegistries or push the image to {login}"),
                );
            }
            let host_lc = host.to_ascii_lowercase();
            if host_lc.ends_with(".azurecr.io") && host_lc != login {
                out.warning(
                    &ptr,
                    format!(
                        "image of `{name}` comes from {host}, but akswin deploys {login} and grants the kubelet identity AcrPull on it only: pulls fail with ImagePullBackOff"
                    ),
                    &format!(
                        "set `registry.name: {}` or push the image to {login}",
                        host_lc.trim_end_matches(".azurecr.io")
                    ),
                );
            }
        }
    }
}
