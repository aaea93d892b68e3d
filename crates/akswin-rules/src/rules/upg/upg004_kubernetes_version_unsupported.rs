use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// `cluster.kubernetesVersion` against the embedded AKS release calendar
    /// (`data/k8s_versions.csv`, dated; month-only end-of-life dates mean the month's last day):
    /// - error: past its AKS end of life, or older than anything in the table (out of
    ///   support: no patches, and AKS upgrades it on its own schedule);
    /// - warning: its end of life is within 90 days (plan the upgrade now: with Windows pools
    ///   it waits for images rebuilt and pools checked), not yet generally available on AKS,
    ///   or newer than the table.
    ///
    /// ## Why it matters
    /// AKS supports N-2 minors (N-3 on platform support only). An unsupported version gets no
    /// patches, and AKS force-upgrades it; with Windows pools that forced upgrade can also hit
    /// an OS SKU limit (POOL004).
    ///
    /// ## How to fix
    /// Pick a supported minor; LTS needs the Premium tier and the LTS plan.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/supported-kubernetes-versions
    /// - docs/sources.md#upgrades-and-version-skew; data/k8s_versions.csv
    pub struct Upg004 {
        code: "UPG004",
        name: "kubernetes-version-unsupported",
        severity: Error,
        summary: "Kubernetes version outside the AKS support window, or leaving it within 90 days",
    }
}

impl Rule for Upg004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let v = cx.spec.cluster.kubernetes_version;
        let ptr = "/cluster/kubernetesVersion";
        let Some(k) = cx.facts.kube_minor(v.minor) else {
            let newest = cx.facts.newest_kube_minor().unwrap_or(0);
            if v.minor > newest {
                out.warning(ptr, format!("Kubernetes {v} is newer than akswin's release table (newest 1.{newest}); support cannot be judged"), "check `az aks get-versions`, or update akswin");
            } else {
                out.error(
                    ptr,
                    format!("Kubernetes {v} is long out of AKS support"),
                    "upgrade to a supported minor",
                );
            }
            return;
        };
        if let Some(ga) = k.aks_ga
            && cx.today < ga
        {
            out.warning(
                ptr,
                format!("Kubernetes {v} is not generally available on AKS before about {ga}"),
                "use a GA minor for production",
            );
        }
        if let Some(eol) = k.end_of_life {
            let left = (eol - cx.today).num_days();
            if left < 0 {
                out.error(
                    ptr,
                    format!("Kubernetes {v} reached AKS end of life on {eol}"),
                    "upgrade to a supported minor (LTS needs the Premium tier and the LTS support plan)",
                );
            } else if left <= 90 {
                out.warning(
                    ptr,
                    format!("Kubernetes {v} reaches AKS end of life on {eol}, in {left} days"),
                    "plan the upgrade to the next minor now (control plane first, then the pools; with Windows pools, check their OS SKU against it: POOL004)",
                );
            }
        }
    }
}
