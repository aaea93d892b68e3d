use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::AdMode;

declare_rule! {
    /// ## What it checks
    /// That `identity.activeDirectory.mode` and the domain controllers agree:
    /// - `replica`: new domain controllers (`count`), the existing ones they join through
    ///   (`existing.dnsServers`), and, when those are outside every VNet, `network.hybrid`;
    /// - `newForest`: `count`, and no `existing` (a new forest has nothing to join);
    /// - `existing`: `existing.dnsServers`, and no `count` (nothing is created);
    /// - `forestRoot`, when given, is `domain` or a parent of it.
    ///
    /// ## Why it matters
    /// A replica promotion with no existing domain controller to reach waits 45 minutes and
    /// fails; a `count` in `existing` mode or an `existing` list in a new forest means the spec
    /// says two things and akswin would silently ignore one.
    ///
    /// ## How to fix
    /// Give what the mode needs, or choose the mode the domain controllers describe.
    ///
    /// ## References
    /// - https://learn.microsoft.com/windows-server/identity/ad-ds/deploy/ad-ds-installation-and-removal-wizard-page-descriptions
    /// - https://learn.microsoft.com/azure/architecture/example-scenario/identity/adds-extend-domain
    pub struct Id006 {
        code: "ID006",
        name: "ad-mode-inconsistent",
        severity: Error,
        summary: "The Active Directory mode and the domain controllers disagree",
    }
}

impl Rule for Id006 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(ad) = &cx.spec.identity.active_directory else {
            return;
        };
        let dc = &ad.domain_controllers;
        let count = dc.count.unwrap_or(0);
        let existing = dc.existing.as_ref().map_or(&[][..], |e| &e.dns_servers[..]);
        let mode = ad.mode();
        let at = if ad.mode.is_some() {
            "/identity/activeDirectory/mode"
        } else {
            "/identity/activeDirectory/domainControllers"
        };
        if let Some(root) = &ad.forest_root {
            let domain = ad.domain.to_ascii_lowercase();
            if domain != root.as_str() && !domain.ends_with(&format!(".{}", root.as_str())) {
                out.error(
                    "/identity/activeDirectory/forestRoot",
                    format!("forestRoot `{root}` is not the domain `{}` or a parent of it", ad.domain),
                    "set the forest's root domain (the domain's own name for a single-domain forest)",
                );
            }
        }
        let mut problem = |what: String, help: &str| out.error(at, what, help);
        match mode {
            AdMode::Replica => {
                if count == 0 {
                    problem(
                        "mode replica creates no domain controller: `domainControllers.count` is 0 or absent".into(),
                        "set domainControllers.count (2 for redundancy), or use mode: existing",
                    );
                }
                if existing.is_empty() {
                    problem(
                        "mode replica needs the existing domain controllers the replicas join through: `domainControllers.existing.dnsServers`".into(),
                        "list the existing domain controllers' addresses under domainControllers.existing.dnsServers",
                    );
                } else if cx.spec.network.hybrid.is_none()
                    && existing
                        .iter()
                        .any(|ip| cx.spec.network.is_on_premises(ip.0))
                {
                    problem(
                        "mode replica joins domain controllers on premises, but nothing connects the hub to on-premises (`network.hybrid`)".into(),
                        "add network.hybrid (vpn, expressRoute or an existing gateway)",
                    );
                }
            }
            AdMode::NewForest => {
                if count == 0 {
                    problem(
                        "mode newForest creates no domain controller: `domainControllers.count` is 0 or absent".into(),
                        "set domainControllers.count",
                    );
                }
                if !existing.is_empty() {
                    problem(
                        "mode newForest creates a new forest, but `domainControllers.existing` names domain controllers of another domain".into(),
                        "remove `existing`, or use mode: replica to join that domain",
                    );
                }
            }
            AdMode::Existing => {
                if existing.is_empty() {
                    problem(
                        "mode existing needs the existing domain controllers: `domainControllers.existing.dnsServers`".into(),
                        "list their addresses under domainControllers.existing.dnsServers",
                    );
                }
                if count > 0 {
                    problem(
                        format!(
                            "mode existing creates no domain controller, but `domainControllers.count` asks for {count}"
                        ),
                        "remove count, or use mode: replica to add domain controllers in the hub",
                    );
                }
            }
        }
    }
}
