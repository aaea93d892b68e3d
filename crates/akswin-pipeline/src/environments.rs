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
    /// The next Windows node image windows (UTC starts, `YYYY-MM-DD HH:MM`), with Windows
    /// pools and `upgrades.windowsNodeImage`.
    pub node_image_windows: Vec<String>,
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
    /// The order in which the environments take each of the next Windows node images, month
    /// by month ("dev 2027-01-13 02:00, then prod 2027-01-20 02:00 (7 days later)"), so a
    /// non-production environment that should soak an image first can be seen to.
    pub node_image_order: Vec<String>,
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
            node_image_windows: node_image_windows(s, today),
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
    let node_image_order = node_image_order(&environments);
    Ok(Comparison {
        node_image_order,
        conflicts,
        schema_version: 1,
        source: base.source.name.clone(),
        environments,
        differences,
    })
}

/// How many upcoming node image windows `envs` lines up.
const NODE_IMAGE_WINDOWS: usize = 3;

fn node_image_windows(s: &akswin_spec::Spec, today: akswin_rules::Date) -> Vec<String> {
    let windows = s
        .cluster
        .node_pools
        .iter()
        .any(|p| p.os == akswin_spec::spec::Os::Windows);
    match (&s.upgrades.windows_node_image, windows) {
        (Some(w), true) => akswin_plan::calendar::upcoming(w, today, NODE_IMAGE_WINDOWS)
            .windows
            .iter()
            .map(|o| o.utc_start.format("%Y-%m-%d %H:%M").to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// For the n-th upcoming window of every environment that has one: the environments in the
/// order they start, with the days between, and a warning where two start the same day (one
/// cannot soak what the other takes).
fn node_image_order(environments: &[EnvSummary]) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..NODE_IMAGE_WINDOWS {
        let mut starts: Vec<(chrono::NaiveDateTime, &str)> = environments
            .iter()
            .filter_map(|e| {
                let t = e.node_image_windows.get(i)?;
                let t = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").ok()?;
                Some((t, e.env.as_str()))
            })
            .collect();
        if starts.len() < 2 {
            continue;
        }
        starts.sort();
        let mut line = format!(
            "{} {} UTC",
            starts[0].1,
            starts[0].0.format("%Y-%m-%d %H:%M")
        );
        for pair in starts.windows(2) {
            let ((a, _), (b, env)) = (pair[0], pair[1]);
            let days = (b.date() - a.date()).num_days();
            let gap = if days == 0 {
                "the same day: nothing soaks in one before the other".to_string()
            } else if days == 1 {
                "1 day later".to_string()
            } else {
                format!("{days} days later")
            };
            let _ = write!(
                line,
                ", then {env} {} UTC ({gap})",
                b.format("%Y-%m-%d %H:%M")
            );
        }
        out.push(line);
    }
    out
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
        if !self.node_image_order.is_empty() {
            let _ = writeln!(
                out,
                "\nWindows node images, in the order the environments take them (upgrades.windowsNodeImage; give a non-production environment a window days before production's):"
            );
            for l in &self.node_image_order {
                let _ = writeln!(out, "  {l}");
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
        if !self.node_image_order.is_empty() {
            o.push_str("<h2>Windows node images, in the order the environments take them</h2><ul>");
            for l in &self.node_image_order {
                let _ = write!(o, "<li>{}</li>", esc(l));
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
