use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::Os;

declare_rule! {
    /// ## What it checks
    /// Each Windows workload whose image is listed in `registry.images` with `sizeGiB` of 1 or
    /// more, while `scaling.prepull` is off (with it on, the pre-pull DaemonSet of the
    /// workload's Windows version caches every Windows workload's image). The finding gives the
    /// minutes a node without the image spends pulling it (size over
    /// `scaling.pullThroughputMiBps`, or the registry tier's default).
    ///
    /// ## Why it matters
    /// Windows images are large (Server Core alone is several GiB uncompressed) and a node pulls
    /// the whole image before the first replica starts there. The article: "To improve
    /// scale-out time, pre-pull images with a DaemonSet" on every Windows node, so the image is
    /// already present when a replica lands.
    ///
    /// ## How to fix
    /// Set `scaling.prepull.enabled: true`; `akswin render` writes a pre-pull DaemonSet per
    /// Windows version with every Windows workload's image (and `scaling.prepull.images`, for
    /// images no workload runs yet).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/architecture/reference-architectures/containers/aks/windows-containers-on-aks
    ///   (image pre-pull DaemonSet)
    /// - docs/sources.md#windows-image-sizes-and-pull-times (image sizes; Microsoft publishes no
    ///   pull times)
    pub struct Scl001 {
        code: "SCL001",
        name: "large-image-without-prepull",
        severity: Warning,
        summary: "A Windows image of 1 GiB or more scheduled without pre-pull",
    }
}

impl Rule for Scl001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let s = cx.spec;
        let throughput = s
            .scaling
            .pull_throughput_mi_bps
            .unwrap_or_else(|| akswin_plan::scale_out::default_pull_throughput(s.registry.sku));
        for (i, w) in s.workloads.iter().enumerate() {
            if w.os != Os::Windows {
                continue;
            }
            let Some(img) = s.registry.images.iter().find(|im| im.name == w.image) else {
                continue;
            };
            let Some(size) = img.size_gi_b.filter(|g| *g >= 1.0) else {
                continue;
            };
            // (a workload whose pool does not resolve is another rule's finding)
            let prepulled = match akswin_plan::resolve::workload_pool(s, w) {
                Some(p) => akswin_plan::resolve::is_prepulled(s, &img.r#ref, p.os_sku()),
                None => s.scaling.prepull.enabled,
            };
            if prepulled {
                continue;
            }
            let minutes = size * 1024.0 / throughput / 60.0;
            out.warning(
                &format!("/workloads/{i}/image"),
                format!(
                    "Windows workload `{}` runs image `{}` ({size} GiB) without pre-pull: each node without it pulls for about {minutes:.1} min before a replica starts",
                    w.name, img.name
                ),
                "set `scaling.prepull.enabled: true`: the pre-pull DaemonSet then caches every Windows workload's image",
            );
        }
    }
}
