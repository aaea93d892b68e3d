//! akswin-render owns what akswin writes for deployment: ARM templates (subscription scope,
//! one nested deployment per resource group), their parameters, the deploy script and the
//! deployment README. It turns a spec and its [`NetworkPlan`] into an in-memory file tree;
//! writing it (atomically) is the CLI's job. It must not judge the spec (the CLI refuses to
//! render when `check` has errors), touch the file system, or print.
//!
//! Secrets never appear: passwords reach ARM only as `securestring` parameters fed by Key
//! Vault references; the only secret-bearing extension setting lives in `protectedSettings`.

pub mod arm;
pub mod docs;
pub mod names;

use akswin_plan::NetworkPlan;
use akswin_spec::Spec;
use std::collections::BTreeMap;

/// A rendered tree: relative path -> file content. Ordered, so output is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub files: BTreeMap<String, String>,
}

impl Tree {
    fn add(&mut self, path: &str, content: String) {
        self.files.insert(path.to_string(), content);
    }
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    s.push('\n');
    s
}

/// Render everything for a spec and its plan.
pub fn render(spec: &Spec, plan: &NetworkPlan, tool_version: &str) -> Tree {
    let n = names::Names::new(spec);
    let mut t = Tree::default();
    let arm = arm::Arm::new(spec, plan, &n, tool_version);
    t.add("arm/bootstrap.json", pretty(&arm.bootstrap()));
    t.add("arm/main.json", pretty(&arm.main()));
    t.add("arm/main.parameters.json", pretty(&arm.parameters()));
    if let Some(fd) = arm.front_door() {
        t.add("arm/frontdoor.json", pretty(&fd));
    }
    t.add("deploy.sh", docs::deploy_sh(spec, &n));
    t.add("README.md", docs::readme(spec, plan, &n));
    t
}
