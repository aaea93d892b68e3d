use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::{Os, RunAs};

declare_rule! {
    /// ## What it checks
    /// The Windows user each workload's container runs as (`workloads[].runAs`, rendered as
    /// `securityContext.windowsOptions.runAsUserName`):
    /// - a workload with a gMSA (`gmsaAccount`) that runs as `ContainerUser` (the default) is
    ///   an error: only processes running as Local System or Network Service use the gMSA on
    ///   the network;
    /// - `runAs` on a Linux workload is an error (it is a Windows user);
    ///
    /// `ContainerAdministrator` is accepted as a choice the spec makes explicitly: akswin renders
    /// it with its reason on the pod (an annotation `akswin audit` WIN008 accepts) and excludes
    /// the namespace from the "no ContainerAdministrator" policy, because IIS images need it
    /// (ServiceMonitor starts and watches w3svc).
    ///
    /// ## Why it matters
    /// A gMSA workload that runs as ContainerUser starts, but reaches the domain as an
    /// anonymous local account: Kerberos single sign-on and access to SQL Server or file shares
    /// with the gMSA fail at run time. An IIS image run as ContainerUser never starts:
    /// ServiceMonitor fails with access denied (80070005) on w3svc.
    ///
    /// ## How to fix
    /// IIS images (ASP.NET on .NET Framework): `runAs: ContainerAdministrator`; the site's
    /// application pool identity uses the gMSA. Other processes that use the gMSA:
    /// `runAs: NetworkService`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/gmsa-run-container
    ///   (run as Local System or Network Service)
    /// - https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts
    /// - https://github.com/microsoft/IIS.ServiceMonitor/issues/77 (ServiceMonitor as
    ///   ContainerUser: access denied on w3svc)
    pub struct Wrk003 {
        code: "WRK003",
        name: "run-as-identity",
        severity: Error,
        summary: "A gMSA workload runs as ContainerUser, or a Windows user is set on a Linux workload",
    }
}

impl Rule for Wrk003 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, w) in cx.spec.workloads.iter().enumerate() {
            if w.os == Os::Linux {
                if w.run_as.is_some() {
                    out.error(
                        &format!("/workloads/{i}/runAs"),
                        format!(
                            "workload {} runs on Linux: runAs names a Windows user",
                            w.name
                        ),
                        "remove runAs",
                    );
                }
                continue;
            }
            match w.run_as() {
                RunAs::ContainerUser if w.gmsa_account.is_some() => out.error(
                    &if w.run_as.is_some() {
                        format!("/workloads/{i}/runAs")
                    } else {
                        format!("/workloads/{i}/gmsaAccount")
                    },
                    format!(
                        "workload {} has a gMSA but runs as ContainerUser, which does not use it on the network: Kerberos and the gMSA's access fail at run time",
                        w.name
                    ),
                    "IIS images: `runAs: ContainerAdministrator` (the application pool uses the gMSA); other processes: `runAs: NetworkService`",
                ),
                _ => {}
            }
        }
    }
}
