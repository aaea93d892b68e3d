use crate::{Ctx, Out, Rule, declare_rule};
use akswin_plan::resolve::PoolChoice;
use akswin_spec::spec::Os;

declare_rule! {
    /// ## What it checks
    /// That every workload lands on a pool that can run it, as akswin renders it:
    /// - `pool:` names a pool of `cluster.nodePools` (without `pool:`, exactly one user pool
    ///   of the workload's OS must exist, and akswin pins the workload to it);
    /// - the pool's OS is the workload's OS;
    /// - a Windows image's version (its tag: `ltsc2019`/`1809`, `ltsc2022`, `ltsc2025`) is the
    ///   pool's Windows version, and a Linux workload does not run a Windows-tagged image.
    ///
    /// ## Why it matters
    /// akswin pins each workload with `kubernetes.io/os`, the pool's
    /// `kubernetes.azure.com/os-sku` and `kubernetes.azure.com/agentpool`. A pool name that
    /// does not exist leaves the pods Pending forever; a Windows workload on a Linux pool, or an
    /// image built for another Windows Server version, is scheduled but never starts
    /// (process-isolated Windows containers need the host's version). The scale-out and cost
    /// models also size the workload on its resolved pool, so an unresolved pool means numbers
    /// about nothing. `akswin audit` (WIN004, WIN018) reports the same on the rendered manifests.
    ///
    /// ## How to fix
    /// Set `pool:` to a pool of the workload's OS, and build the image for that pool's Windows
    /// version (for example `-ltsc2022` for `osSku: Windows2022`), or add a pool that matches.
    ///
    /// ## References
    /// - https://learn.microsoft.com/virtualization/windowscontainers/deploy-containers/version-compatibility
    /// - https://learn.microsoft.com/azure/aks/windows-faq
    /// - docs/output.md (the plan's `workloads[].pool`)
    pub struct Wrk001 {
        code: "WRK001",
        name: "workload-placement",
        severity: Error,
        summary: "A workload's pool is unknown, ambiguous, of the other OS, or of another Windows version than its image",
    }
}

impl Rule for Wrk001 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let pools = &cx.spec.cluster.node_pools;
        let names: Vec<&str> = pools.iter().map(|p| p.name.as_str()).collect();
        for (i, (w, r)) in cx.spec.workloads.iter().zip(&cx.plan.workloads).enumerate() {
            let os = match w.os {
                Os::Windows => "Windows",
                Os::Linux => "Linux",
            };
            match &r.pool {
                PoolChoice::Unknown { name } => {
                    let hint = match akswin_spec::did_you_mean(name, &names) {
                        Some(s) => format!("did you mean `{s}`? Pools: {}", names.join(", ")),
                        None => format!("set `pool` to one of: {}", names.join(", ")),
                    };
                    out.error(
                        &format!("/workloads/{i}/pool"),
                        format!(
                            "workload `{}` names pool `{name}`, which cluster.nodePools does not declare: its pods would stay Pending",
                            w.name
                        ),
                        &hint,
                    );
                }
                PoolChoice::Ambiguous { candidates } => out.error(
                    &format!("/workloads/{i}"),
                    format!(
                        "workload `{}` names no pool and {} {os} user pools exist ({}): akswin cannot pin it to one",
                        w.name,
                        candidates.len(),
                        candidates.join(", ")
                    ),
                    "set `pool:` to the pool the workload runs on",
                ),
                PoolChoice::NoPool => out.error(
                    &format!("/workloads/{i}/os"),
                    format!(
                        "workload `{}` runs on {os} but the cluster has no {os} user pool",
                        w.name
                    ),
                    &format!("add a {os} user pool, or correct the workload's `os`"),
                ),
                PoolChoice::Named { index } | PoolChoice::Only { index } => {
                    let Some(p) = cx.plan.pools.get(*index) else {
                        continue;
                    };
                    let at = if w.pool.is_some() {
                        format!("/workloads/{i}/pool")
                    } else {
                        format!("/workloads/{i}")
                    };
                    if p.os != w.os {
                        out.error(
                            &at,
                            format!(
                                "workload `{}` is a {os} workload on pool `{}`, which runs {:?} nodes: its pods would never start",
                                w.name, p.name, p.os
                            ),
                            &format!("pin it to a {os} pool"),
                        );
                        continue;
                    }
                    match (w.os, r.image_windows_sku) {
                        (Os::Windows, Some(sku)) if sku != p.os_sku => out.error(
                            &format!("/workloads/{i}/image"),
                            format!(
                                "workload `{}` runs an image built for {} on pool `{}` ({}): process-isolated Windows containers need the host's version",
                                w.name,
                                sku.as_str(),
                                p.name,
                                p.os_sku.as_str()
                            ),
                            &format!(
                                "build the image for {} (tag `-ltsc{}`), or run it on a pool with osSku {}",
                                p.os_sku.as_str(),
                                p.os_sku.as_str().trim_start_matches("Windows"),
                                sku.as_str()
                            ),
                        ),
                        (Os::Linux, Some(sku)) => out.error(
                            &format!("/workloads/{i}/image"),
                            format!(
                                "workload `{}` is a Linux workload with an image tagged for {}",
                                w.name,
                                sku.as_str()
                            ),
                            "set `os: Windows` and pin it to a Windows pool, or use the Linux image",
                        ),
                        _ => {}
                    }
                }
            }
        }
    }
}
