//! `akswin envs`: every environment of a spec (`environments`, JSON Merge Patches over the
//! rest of the file) checked, planned and priced by the same pipeline as `check` and `plan`,
//! side by side, with every value that differs between them.

use akswin_diag::Severity;
use akswin_plan::cost::PriceBook;
use akswin_spec::{LoadError, Loaded};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One environment, as `check` and `plan` see it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvSummary {
    pub env: String,
    pub name: String,
    pub location: String,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub kubernetes_version: String,
    pub tier: String,
    pub hub: Vec<String>,
    pub spoke: Vec<String>,
    /// `name min-max` per pool.
    pub pools: Vec<String>,
    pub monthly_cost: f64,
    pub currency: String,
}

/// A value that is not the same in every environment (JSON pointer into the merged spec).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    pub pointer: String,
    /// By environment; absent where the environment has no such value.
    pub values: BTreeMap<String, String>,
}

/// Every environment, and what differs between them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// 1.
    pub schema_version: u32,
    pub source: String,
    pub environments: Vec<EnvSummary>,
    pub differences: Vec<Difference>,
    /// What two environments share but must not: a name unique across Azure (a registry, a
    /// Key Vault), or, in one Active Directory domain, a gMSA, its host group or the standard
    /// user whose password `Set-Gmsa.ps1` resets.
    pub conflicts: Vec<String>,
}

impl Comparison {
    /// Whether any environment has an error, or two conflict.
    pub fn has_errors(&self) -> bool {
        self.environments.iter().any(|e| e.errors > 0) || !self.conflicts.is_empty()
    }
}

/// The scalars of a value by JSON pointer (lists by index).
fn flatten(v: &Value, at: String, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                flatten(
                    c,
                    format!("{at}/{}", akswin_diag::escape_pointer_token(k)),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                flatten(c, format!("{at}/{i}"), out);
            }
        }
        Value::Null => {}
        Value::String(s) => {
            out.insert(at, s.clone());
        }
        other => {
            out.insert(at, other.to_string());
        }
    }
}

/// Compare every environment of the spec in `bytes`. The error is the first environment (or
/// the base) that does not load, with its findings.
pub fn compare(
    name: &str,
    bytes: &[u8],
    today: akswin_rules::Date,
    tool_version: &str,
    prices: &PriceBook,
) -> Result<Comparison, LoadError> {
    let base = akswin_spec::load(name, bytes)?;
    let mut environments = Vec::new();
    let mut flat: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    // (what, value) -> the environments that use it.
    let mut shared: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for env in base.spec.environments.keys() {
        let l: Loaded = akswin_spec::load_environment(name, bytes, env)?;
        let checked = crate::check_priced(&l, today, tool_version, prices);
        let count = |s: Severity| checked.findings.iter().filter(|f| f.severity == s).count();
        let cost = akswin_plan::resolve::cost(&l.spec, prices, today);
        let s = &l.spec;
        let n = &checked.plan.names;
        let mut note = |what: &str, value: &str| {
            shared
                .entry((what.to_string(), value.to_ascii_lowercase()))
                .or_default()
                .push(env.clone());
        };
        note("the registry name (unique across Azure)", &n.acr);
        note("the Key Vault name (unique across Azure)", &n.key_vault);
        if l.spec.ingress.front_door.is_some() {
            note(
                "Front Door's Key Vault name (unique across Azure)",
                &n.key_vault_front_door,
            );
        }
        if let (Some(ad), true) = (&s.identity.active_directory, s.identity.gmsa.enabled) {
            let d = ad.domain.to_ascii_lowercase();
            note(
                &format!("the gMSA standard user in {d} (Set-Gmsa.ps1 resets its password)"),
                &s.identity.gmsa.standard_user,
            );
            for a in &s.identity.gmsa.accounts {
                note(
                    &format!("the gMSA in {d} (its SPNs and delegation)"),
                    &a.name,
                );
                if let Some(g) = &a.host_group {
                    note(
                        &format!(
                            "the gMSA host group in {d} (its members read every gMSA password it guards)"
                        ),
                        g,
                    );
                }
            }
        }
        environments.push(EnvSummary {
            env: env.clone(),
            name: s.name.clone(),
            location: s.location.as_str().to_string(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            kubernetes_version: s.cluster.kubernetes_version.to_string(),
            tier: format!("{:?}", s.cluster.tier),
            hub: s
                .network
                .hub
                .address_space
                .iter()
                .map(|c| c.to_string())
                .collect(),
            spoke: s
                .network
                .spoke
                .address_space
                .iter()
                .map(|c| c.to_string())
                .collect(),
            pools: s
                .cluster
                .node_pools
                .iter()
                .map(|p| format!("{} {}-{}", p.name, p.min_nodes(), p.max_nodes()))
                .collect(),
            monthly_cost: cost.total_monthly,
            currency: cost.currency.clone(),
        });
        let mut f = BTreeMap::new();
        flatten(
            &serde_json::to_value(s).unwrap_or_default(),
            String::new(),
            &mut f,
        );
        flat.insert(env.clone(), f);
    }
    let pointers: std::collections::BTreeSet<&String> =
        flat.values().flat_map(|m| m.keys()).collect();
    let mut differences = Vec::new();
    for p in pointers {
        let values: BTreeMap<String, String> = flat
            .iter()
            .filter_map(|(env, m)| m.get(p).map(|v| (env.clone(), v.clone())))
            .collect();
        let mut distinct: Vec<&String> = values.values().collect();
        distinct.sort();
        distinct.dedup();
        if distinct.len() > 1 || values.len() < flat.len() {
            differences.push(Difference {
                pointer: p.clone(),
                values,
            });
        }
    }
    let conflicts = shared
        .into_iter()
        .filter(|(_, envs)| envs.len() > 1)
        .map(|((what, value), envs)| {
            format!("{what} `{value}` is the same in {}", envs.join(" and "))
        })
        .collect();
    Ok(Comparison {
        conflicts,
        schema_version: 1,
        source: base.source.name.clone(),
        environments,
        differences,
    })
}

impl Comparison {
    /// The comparison for a terminal.
    pub fn human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "akswin envs: {} ({} environments)\n",
            self.source,
            self.environments.len()
        );
        let mut rows = vec![
            [
                "ENV",
                "NAME",
                "FINDINGS",
                "K8S",
                "TIER",
                "HUB",
                "SPOKE",
                "POOLS",
                "COST/MONTH",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        ];
        for e in &self.environments {
            rows.push(vec![
                e.env.clone(),
                e.name.clone(),
                format!("{} errors, {} warnings", e.errors, e.warnings),
                e.kubernetes_version.clone(),
                e.tier.clone(),
                e.hub.join(" "),
                e.spoke.join(" "),
                e.pools.join(", "),
                format!("{:.2} {}", e.monthly_cost, e.currency),
            ]);
        }
        out.push_str(&crate::views::plan::table(&rows));
        if !self.conflicts.is_empty() {
            let _ = writeln!(
                out,
                "\nConflicts between environments (each must have its own):"
            );
            for c in &self.conflicts {
                let _ = writeln!(out, "  !! {c}");
            }
        }
        let _ = writeln!(
            out,
            "\nWhat differs ({} values; `akswin check SPEC --env NAME` shows each environment's findings):",
            self.differences.len()
        );
        let envs: Vec<&str> = self.environments.iter().map(|e| e.env.as_str()).collect();
        let mut rows = vec![
            std::iter::once("POINTER".to_string())
                .chain(envs.iter().map(|e| e.to_uppercase()))
                .collect::<Vec<_>>(),
        ];
        for d in &self.differences {
            rows.push(
                std::iter::once(d.pointer.clone())
                    .chain(
                        envs.iter()
                            .map(|e| d.values.get(*e).cloned().unwrap_or_else(|| "-".into())),
                    )
                    .collect(),
            );
        }
        out.push_str(&crate::views::plan::table(&rows));
        out
    }

    /// The comparison as one self-contained HTML page.
    pub fn html(&self, tool_version: &str) -> String {
        use akswin_render::report::esc;
        let mut o = String::new();
        let _ = write!(
            o,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>akswin environments: {}</title><style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328}}table{{border-collapse:collapse;margin:1rem 0}}th,td{{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}}th{{background:#f6f8fa}}td.n{{text-align:right}}tr.error td{{background:#ffebe9}}code{{font-size:.9em}}</style></head><body><h1>Environments of {}</h1><p>Each environment is the spec with its <code>environments</code> entry merged over it (JSON Merge Patch, RFC 7386), checked, planned and priced by akswin {}.</p><table><tr><th>environment</th><th>name</th><th>errors</th><th>warnings</th><th>Kubernetes</th><th>tier</th><th>hub</th><th>spoke</th><th>pools</th><th>cost per month</th></tr>",
            esc(&self.source),
            esc(&self.source),
            esc(tool_version)
        );
        for e in &self.environments {
            let _ = write!(
                o,
                "<tr{}><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{:.2} {}</td></tr>",
                if e.errors > 0 { " class=\"error\"" } else { "" },
                esc(&e.env),
                esc(&e.name),
                e.errors,
                e.warnings,
                esc(&e.kubernetes_version),
                esc(&e.tier),
                esc(&e.hub.join(" ")),
                esc(&e.spoke.join(" ")),
                esc(&e.pools.join(", ")),
                e.monthly_cost,
                esc(&e.currency)
            );
        }
        o.push_str("</table>");
        if !self.conflicts.is_empty() {
            o.push_str("<h2>Conflicts between environments</h2><ul>");
            for c in &self.conflicts {
                let _ = write!(o, "<li>{}</li>", esc(c));
            }
            o.push_str("</ul>");
        }
        o.push_str("<h2>What differs</h2><table><tr><th>value</th>");
        for e in &self.environments {
            let _ = write!(o, "<th>{}</th>", esc(&e.env));
        }
        o.push_str("</tr>");
        for d in &self.differences {
            let _ = write!(o, "<tr><td><code>{}</code></td>", esc(&d.pointer));
            for e in &self.environments {
                let _ = write!(
                    o,
                    "<td>{}</td>",
                    esc(d.values.get(&e.env).map_or("-", String::as_str))
                );
            }
            o.push_str("</tr>");
        }
        o.push_str("</table></body></html>\n");
        o
    }
}
