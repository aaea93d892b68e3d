//! akswin-rules owns the rule registry: every rule that judges a spec, its documentation
//! (the rule's `///` doc comment, which `akswin explain` prints), and the embedded facts the
//! rules stand on ([`mod@facts`]).
//!
//! A rule is a pure function of the spec, the span index, the facts and "today". It reports
//! findings through [`Out`]; it never reads files, prints, or decides exit codes.

mod rules;

use akswin_diag::{Finding, RuleMeta, Severity};
pub use akswin_facts as facts;
pub use akswin_facts::{Facts, facts};
use akswin_plan::{NetworkPlan, SubnetPlan};
use akswin_spec::spec::{NodePool, Os};
use akswin_spec::{Loaded, SpanIndex, Spec};
/// The day a check runs for.
pub use chrono::NaiveDate as Date;

/// Everything a rule may look at.
pub struct Ctx<'a> {
    pub spec: &'a Spec,
    pub index: &'a SpanIndex,
    /// The resolved network plan (every `auto` subnet placed, or its shortfall recorded).
    pub plan: &'a NetworkPlan,
    pub facts: &'a Facts,
    /// The day the check runs for (date-dependent rules: retirements, support windows).
    pub today: Date,
    /// The prices `plan` uses (`--prices`, the spec's `cost.prices`, else the embedded table),
    /// so a rule that quotes an amount quotes the same one.
    pub prices: &'a akswin_plan::cost::PriceBook,
}

impl<'a> Ctx<'a> {
    pub fn new(
        loaded: &'a Loaded,
        plan: &'a NetworkPlan,
        today: Date,
        prices: &'a akswin_plan::cost::PriceBook,
    ) -> Self {
        Ctx {
            spec: &loaded.spec,
            index: &loaded.index,
            plan,
            facts: facts(),
            today,
            prices,
        }
    }

    /// The planned subnet with this spec key (`windowsNodes`, `firewall`, ...).
    pub fn subnet(&self, key: &str) -> Option<&'a SubnetPlan> {
        self.plan
            .vnets
            .iter()
            .flat_map(|v| &v.subnets)
            .find(|s| s.key == key)
    }

    /// The resolved prefix of a subnet (explicit or planned).
    pub fn subnet_prefix(&self, key: &str) -> Option<akswin_spec::types::Cidr> {
        self.subnet(key).and_then(|s| s.prefix)
    }

    /// Node pools with their index in `cluster.nodePools`.
    pub fn pools(&self) -> impl Iterator<Item = (usize, &'a NodePool)> + 'a {
        self.spec.cluster.node_pools.iter().enumerate()
    }

    pub fn windows_pools(&self) -> impl Iterator<Item = (usize, &'a NodePool)> + 'a {
        self.pools().filter(|(_, p)| p.os == Os::Windows)
    }

    pub fn has_windows(&self) -> bool {
        self.spec
            .cluster
            .node_pools
            .iter()
            .any(NodePool::is_windows)
    }

    pub fn pool_ptr(i: usize) -> String {
        format!("/cluster/nodePools/{i}")
    }

    /// A VM size from the spec's `cluster.customVmSizes` or the embedded table.
    pub fn vm_size(&self, name: &str) -> Option<facts::VmSize> {
        vm_size(self.spec, name)
    }

    /// The scale-out model of the spec (SCL002 judges it; `plan` and `report` show it).
    pub fn scale_out(&self) -> akswin_plan::scale_out::ScaleOutPlan {
        scale_out(self.spec)
    }
}

pub use akswin_plan::resolve::{cost, scale_out, vm_size};

/// Collects one rule's findings, filling in its code and the source span of each pointer.
pub struct Out<'a> {
    meta: &'static RuleMeta,
    index: &'a SpanIndex,
    findings: Vec<Finding>,
}

impl<'a> Out<'a> {
    pub fn new(meta: &'static RuleMeta, index: &'a SpanIndex) -> Self {
        Out {
            meta,
            index,
            findings: Vec::new(),
        }
    }

    /// Report at the value written at `pointer` (or its nearest written ancestor).
    pub fn emit(&mut self, severity: Severity, pointer: &str, message: String, help: &str) {
        let span = self.index.span(pointer);
        let mut f = Finding::new(self.meta.code, severity, pointer, message).with_span(span);
        if !help.is_empty() {
            f.help = Some(help.to_string());
        }
        self.findings.push(f);
    }

    pub fn error(&mut self, pointer: &str, message: String, help: &str) {
        self.emit(Severity::Error, pointer, message, help);
    }

    pub fn warning(&mut self, pointer: &str, message: String, help: &str) {
        self.emit(Severity::Warning, pointer, message, help);
    }

    pub fn info(&mut self, pointer: &str, message: String, help: &str) {
        self.emit(Severity::Info, pointer, message, help);
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// A rule: metadata (with its documentation) and a check.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>);
}

pub(crate) use akswin_diag::declare_rule;

/// Every registered rule, in code order.
pub fn registry() -> &'static [&'static dyn Rule] {
    rules::ALL
}

/// Look a rule up by code (case-insensitive).
pub fn rule(code: &str) -> Option<&'static dyn Rule> {
    registry()
        .iter()
        .copied()
        .find(|r| r.meta().code.eq_ignore_ascii_case(code))
}

/// All rule metadata, in code order (for SARIF descriptors and `akswin rules`).
pub fn metas() -> Vec<akswin_diag::RuleMeta> {
    registry().iter().map(|r| r.meta().clone()).collect()
}

/// Plan the network and run every rule on a loaded spec.
pub fn check(loaded: &Loaded, today: Date) -> Vec<Finding> {
    let plan = akswin_plan::plan(&loaded.spec);
    check_with_plan(loaded, &plan, today)
}

/// Run every rule on a loaded spec and its plan, with the embedded prices.
pub fn check_with_plan(loaded: &Loaded, plan: &NetworkPlan, today: Date) -> Vec<Finding> {
    check_priced(
        loaded,
        plan,
        today,
        &akswin_plan::cost::PriceBook::embedded(),
    )
}

/// Run every rule on a loaded spec and its plan, quoting amounts from `prices`.
pub fn check_priced(
    loaded: &Loaded,
    plan: &NetworkPlan,
    today: Date,
    prices: &akswin_plan::cost::PriceBook,
) -> Vec<Finding> {
    let cx = Ctx::new(loaded, plan, today, prices);
    let mut all = Vec::new();
    for r in registry() {
        let mut out = Out::new(r.meta(), &loaded.index);
        r.check(&cx, &mut out);
        all.extend(out.into_findings());
    }
    akswin_diag::sort_findings(&mut all);
    all
}

/// The documentation of a rule as plain Markdown (one leading space of each doc line removed).
pub fn doc_text(meta: &RuleMeta) -> String {
    akswin_diag::clean_doc(meta.doc)
}
