//! The plan artifact (`akswin plan --out plan.json`): everything the plan resolved, versioned,
//! and enough for `akswin render --plan plan.json` to render from it alone.
//!
//! It holds the spec as loaded (every default applied, so nothing is left for a consumer to
//! work out), the resolved model (`network`: addresses, pools, workloads, firewall), the
//! check's findings, and the time and money models. `render --plan` reads `spec` and
//! `network` and nothing else, refuses an artifact whose findings hold an error, and verifies
//! what it renders exactly as `check` does.

use akswin_diag::{Finding, Severity, Source};
use akswin_plan::NetworkPlan;
use akswin_render::Tree;
use akswin_spec::{Loaded, SpanIndex, Spec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version of the artifact's shape. 2: the spec, findings and models joined the network.
pub const ARTIFACT_SCHEMA_VERSION: u32 = 3;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanArtifact {
    pub schema_version: u32,
    pub tool: Tool,
    /// The spec file the plan was made from (`<baseline>`, `<stdin>` or a path).
    pub source: String,
    /// The day dates were judged for (`--today`).
    pub today: chrono::NaiveDate,
    /// The spec as loaded: every default applied.
    pub spec: Spec,
    /// The resolved model: address plan, pools, workloads, firewall and NSG rules.
    pub network: NetworkPlan,
    /// What `check` reported (code, severity, message, pointer, location, help).
    pub findings: Vec<Value>,
    /// The time and money models, for reading (`render` does not use them).
    pub models: Value,
}

impl PlanArtifact {
    /// The artifact of a checked spec. `models` is what `akswin plan --format json` shows of
    /// the hot-spare week, the upgrade calendar, scale-out and cost.
    pub fn new(
        loaded: &Loaded,
        checked: &crate::Checked,
        today: chrono::NaiveDate,
        models: Value,
        tool_version: &str,
    ) -> PlanArtifact {
        PlanArtifact {
            schema_version: ARTIFACT_SCHEMA_VERSION,
            tool: Tool {
                name: "akswin".into(),
                version: tool_version.into(),
            },
            source: loaded.source.name.clone(),
            today,
            spec: loaded.spec.clone(),
            network: checked.plan.clone(),
            findings: checked
                .findings
                .iter()
                .map(|f| serde_json::to_value(f).unwrap_or(Value::Null))
                .collect(),
            models,
        }
    }

    /// Read an artifact, refusing other schema versions with a message that says which.
    pub fn from_json(text: &str) -> Result<PlanArtifact, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        match v["schemaVersion"].as_u64() {
            Some(n) if n == u64::from(ARTIFACT_SCHEMA_VERSION) => {}
            Some(n) => {
                return Err(format!(
                    "schemaVersion {n}; this akswin reads plan artifacts of schemaVersion {ARTIFACT_SCHEMA_VERSION} (run `akswin plan --out` again)"
                ));
            }
            None => return Err("no schemaVersion: not an akswin plan artifact".into()),
        }
        serde_json::from_value(v).map_err(|e| format!("not a plan artifact: {e}"))
    }

    /// Whether the findings recorded in the artifact hold an error.
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f["severity"] == Severity::Error.as_str())
    }
}

/// Render from an artifact alone, verified as `check` verifies (RND findings, with no
/// source positions: the artifact has no YAML). `Err` holds what refused it.
pub fn render_artifact(a: &PlanArtifact, tool_version: &str) -> Result<Tree, Vec<Finding>> {
    let loaded = Loaded {
        spec: a.spec.clone(),
        index: SpanIndex::default(),
        source: Source::new(a.source.clone(), ""),
    };
    let (tree, findings) = crate::render_verified(&loaded, &a.network, tool_version);
    match tree {
        Some(t) => Ok(t),
        None => Err(findings),
    }
}
