use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// That `location` is an Azure region akswin knows: one of the region names of its dated
    /// list (`crates/akswin-facts/data/regions.csv`, with each name's source and the day it
    /// was read), compared exactly, as Azure Resource Manager does.
    ///
    /// ## Why it matters
    /// A misspelt or invented region (`eastus3`, `west-europe`, `EastUS2`) passes every other
    /// check and renders, then fails the first deployment with `LocationNotAvailableForResourceType`
    /// or `InvalidLocation`; worse, names that derive from it (`privatelink.<region>.azmk8s.io`,
    /// the Container insights rule) are wrong everywhere.
    ///
    /// ## How to fix
    /// Use the region's programmatic name, as `az account list-locations --query "[].name"`
    /// prints it. A region Azure opened after akswin's list was read is refused too: accept it
    /// with a waiver on the line (`# akswin: allow NAM004 until YYYY-MM-DD: <reason>`) until
    /// the list catches up.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/reliability/regions-list
    /// - https://learn.microsoft.com/cli/azure/account#az-account-list-locations
    pub struct Nam004 {
        code: "NAM004",
        name: "unknown-region",
        severity: Error,
        summary: "A location that is not an Azure region akswin knows",
    }
}

impl Rule for Nam004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let facts = akswin_facts::facts();
        let region = cx.spec.location.as_str();
        if facts.regions.is_empty() || facts.is_region(region) {
            return;
        }
        let names: Vec<&str> = facts.regions.iter().map(|r| r.name.as_str()).collect();
        let hint = match akswin_spec::did_you_mean(region, &names) {
            Some(s) => format!("did you mean `{s}`? `az account list-locations --query \"[].name\"` lists your subscription's regions"),
            None => "use a region name as `az account list-locations --query \"[].name\"` prints it; a region newer than akswin's list takes a waiver on this line".to_string(),
        };
        out.error(
            "/location",
            format!(
                "`{region}` is not an Azure region akswin knows (its list was read {})",
                akswin_facts::REGIONS_READ
            ),
            &hint,
        );
    }
}
