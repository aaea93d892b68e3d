//! The audit context a manifest fixture's header comments ask for; shared by akswin-audit's
//! fixture driver and akswin-admission's parity test (`#[path]`).
//!
//! `# context: spec` (pools, version and registries of `context.yaml` in the fixtures
//! folder), `# context: spec-mixed` (`context-mixed.yaml`: Windows2022 and Windows2025 pools,
//! a tainted Linux pool), `# k8s-version: 1.35`, `# allowed-registry: HOST`. The spec's own
//! registries are dropped: a fixture names the ones it wants.

use akswin_audit::Context;
use std::path::Path;

pub fn context_for(text: &str, fixtures: &Path) -> Result<Context, String> {
    let mut cx = Context::default();
    for l in text.lines().take_while(|l| l.starts_with('#')) {
        let file = match l.trim() {
            "# context: spec" => Some("context.yaml"),
            "# context: spec-mixed" => Some("context-mixed.yaml"),
            _ => None,
        };
        if let Some(file) = file {
            let spec = std::fs::read(fixtures.join(file)).map_err(|e| format!("{file}: {e}"))?;
            let loaded =
                akswin_spec::load(file, &spec).map_err(|e| format!("{file}: {:?}", e.findings))?;
            cx = Context::from_spec(&loaded.spec);
            cx.allowed_registries.clear();
        }
        if let Some(v) = l.strip_prefix("# k8s-version: 1.") {
            cx.k8s_minor = v.trim().parse().ok();
        }
        if let Some(r) = l.strip_prefix("# allowed-registry: ") {
            cx.allowed_registries.push(r.trim().to_string());
        }
    }
    Ok(cx.finish())
}
