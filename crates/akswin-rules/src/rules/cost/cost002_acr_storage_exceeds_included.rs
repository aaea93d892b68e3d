use crate::{Ctx, Out, Rule, declare_rule};
use akswin_plan::cost::acr_storage;

declare_rule! {
    /// ## What it checks
    /// The storage the registry bills, the sum of `registry.images[].sizeGiB` times one copy per
    /// region (the home region plus each of `registry.geoReplicas`), against the storage the
    /// tier includes (Basic 10 GiB, Standard 100 GiB, Premium 500 GiB).
    ///
    /// ## Why it matters
    /// Windows images are gigabytes, and the article names image size as a driver of ACR cost.
    /// Storage above the included amount is billed per GiB per day, and geo-replication bills
    /// storage once per replica (1 GiB x 5 replicas = 5 GiB billed). The sizes only count the
    /// images listed in the spec: older tags the registry keeps add to it.
    ///
    /// ## How to fix
    /// Purge old tags (`az acr run --cmd "acr purge ..."`, or a retention policy on Premium),
    /// move to a tier that includes more, or replicate to fewer regions. Accept it when the
    /// extra storage is cheaper than the alternatives; `akswin plan` shows the monthly amount.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/container-registry/container-registry-geo-replication
    ///   (storage billed per replica)
    /// - https://learn.microsoft.com/azure/container-registry/container-registry-skus
    /// - docs/sources.md#container-registry-tiers
    pub struct Cost002 {
        code: "COST002",
        name: "acr-storage-exceeds-included",
        severity: Warning,
        summary: "Images x replicas exceed the registry tier's included storage",
    }
}

impl Rule for Cost002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let a = acr_storage(cx.spec);
        if a.extra_gi_b <= 0.0 {
            return;
        }
        out.warning(
            "/registry/images",
            format!(
                "the images total {:.1} GiB x {} copies = {:.1} GiB billed, above the {:.0} GiB that ACR {:?} includes: {:.1} GiB is billed as extra storage",
                a.images_gi_b,
                1 + a.replicas,
                a.billed_gi_b,
                a.included_gi_b,
                cx.spec.registry.sku,
                a.extra_gi_b
            ),
            "purge old tags, replicate to fewer regions, or choose a tier that includes more storage",
        );
    }
}
