use crate::{Ctx, Out, Rule, declare_rule};
use akswin_plan::scale_out::{cpu_milli, memory_mib};

/// Whether `s` is a DNS-1035 label: 1-63 lowercase letters, digits and `-`, starting with a
/// letter and ending with a letter or digit (what Kubernetes requires of Service names).
pub fn is_dns1035_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.last()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

declare_rule! {
    /// ## What it checks
    /// The workload values akswin writes into Kubernetes objects, with the API server's rules:
    /// - `name` is a DNS-1035 label (1-63 lowercase letters, digits and `-`, starting with a
    ///   letter): it names the workload's Namespace, ServiceAccount, Deployment and Service;
    ///   two workloads may not share it;
    /// - `port` is 1-65535;
    /// - `resources.cpu` and `resources.memory` are larger than zero (that they are Kubernetes
    ///   quantities, `"2"`, `"500m"`, `4Gi`, `512Mi`, is checked when the spec loads: SPEC003).
    ///
    /// ## Why it matters
    /// A value the API server refuses fails `kubectl apply` after the whole Azure deployment
    /// has run; a quantity akswin cannot read also leaves the scale-out model without the
    /// workload's size. Found here, it is a one-line fix in the spec.
    ///
    /// ## How to fix
    /// Use a short lowercase name (`legacyweb`), a real port, and quantities such as
    /// `cpu: "2"` and `memory: 4Gi`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
    /// - https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
    pub struct Wrk002 {
        code: "WRK002",
        name: "invalid-workload-value",
        severity: Error,
        summary: "A workload name, port or resource request the Kubernetes API server would refuse",
    }
}

impl Rule for Wrk002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let mut seen: Vec<&str> = Vec::new();
        for (i, w) in cx.spec.workloads.iter().enumerate() {
            if !is_dns1035_label(&w.name) {
                out.error(
                    &format!("/workloads/{i}/name"),
                    format!(
                        "workload name `{}` ({} characters) is not a DNS-1035 label: it names the workload's Namespace and Service",
                        w.name.chars().take(70).collect::<String>(),
                        w.name.chars().count()
                    ),
                    "use 1-63 lowercase letters, digits and `-`, starting with a letter",
                );
            } else if seen.contains(&w.name.as_str()) {
                out.error(
                    &format!("/workloads/{i}/name"),
                    format!("two workloads are named `{}`", w.name),
                    "workload names must be unique: each gets its own Namespace",
                );
            }
            seen.push(&w.name);
            if w.port == Some(0) {
                out.error(
                    &format!("/workloads/{i}/port"),
                    format!("workload `{}` listens on port 0", w.name),
                    "set the port the container serves (1-65535), or leave `port` out",
                );
            }
            if let Some(r) = &w.resources {
                if cpu_milli(r.cpu.as_str()).is_none() {
                    out.error(
                        &format!("/workloads/{i}/resources/cpu"),
                        format!("CPU {} is not larger than zero", r.cpu),
                        "use cores or millicores, e.g. \"2\" or \"500m\"",
                    );
                }
                if memory_mib(r.memory.as_str()).is_none() {
                    out.error(
                        &format!("/workloads/{i}/resources/memory"),
                        format!("memory {} is not larger than zero", r.memory),
                        "use a binary or decimal suffix, e.g. 4Gi or 512Mi",
                    );
                }
            }
        }
    }
}
