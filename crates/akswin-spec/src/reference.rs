//! The spec reference (`docs/spec-reference.md`), generated from the spec's JSON Schema so the
//! two cannot drift: every key with its type, default and description, one section per type,
//! in the order a reader meets them from the top of the file.

use serde_json::Value;
use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;

/// Markdown for one table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn def_name(r: &str) -> Option<&str> {
    r.strip_prefix("#/$defs/")
}

/// A type as a reader writes it, linking the sections of named types; the names it refers
/// to are queued for their own sections.
fn type_of(v: &Value, queue: &mut VecDeque<String>) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str).and_then(def_name) {
        queue.push_back(r.to_string());
        return format!("[{r}](#{})", r.to_ascii_lowercase());
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = v.get(key).and_then(Value::as_array) {
            let parts: Vec<String> = alts
                .iter()
                .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
                .map(|a| type_of(a, queue))
                .collect();
            let optional = parts.len() < alts.len();
            return format!(
                "{}{}",
                parts.join(" or "),
                if optional { " (optional)" } else { "" }
            );
        }
    }
    if let Some(e) = v.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .map(|x| {
                format!(
                    "`{}`",
                    x.as_str().map_or_else(|| x.to_string(), str::to_string)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
    }
    if let Some(c) = v.get("const") {
        return format!(
            "`{}`",
            c.as_str().map_or_else(|| c.to_string(), str::to_string)
        );
    }
    let types: Vec<&str> = match v.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let optional = types.contains(&"null");
    let base = types
        .iter()
        .find(|t| **t != "null")
        .copied()
        .unwrap_or("any");
    let text = match base {
        "array" => format!(
            "list of {}",
            v.get("items").map_or("any".into(), |i| type_of(i, queue))
        ),
        "object" => match v.get("additionalProperties") {
            Some(a) if a.is_object() => format!("map of name to {}", type_of(a, queue)),
            _ => "object".into(),
        },
        "integer" => "integer".into(),
        "number" => "number".into(),
        "boolean" => "boolean".into(),
        "string" => "string".into(),
        other => other.to_string(),
    };
    if optional {
        format!("{text} (optional)")
    } else {
        text
    }
}

/// The description of a property: its own, else its type's.
fn describe(v: &Value, defs: &serde_json::Map<String, Value>) -> String {
    if let Some(d) = v.get("description").and_then(Value::as_str) {
        return d.to_string();
    }
    let refs = std::iter::once(v)
        .chain(
            v.get("anyOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        )
        .chain(v.get("items"));
    for r in refs {
        if let Some(name) = r.get("$ref").and_then(Value::as_str).and_then(def_name)
            && let Some(d) = defs
                .get(name)
                .and_then(|d| d.get("description"))
                .and_then(Value::as_str)
        {
            return d.to_string();
        }
    }
    String::new()
}

fn table(
    out: &mut String,
    v: &Value,
    defs: &serde_json::Map<String, Value>,
    queue: &mut VecDeque<String>,
) {
    let Some(props) = v.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: BTreeSet<&str> = v
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    out.push_str("| key | type | default | description |\n|---|---|---|---|\n");
    for (k, p) in props {
        // Scalars and empty collections; a section's defaults are in its own table.
        let default = match p.get("default") {
            None | Some(Value::Null) => String::new(),
            Some(Value::Object(m)) if !m.is_empty() => "see its section".into(),
            Some(Value::Array(a)) if !a.is_empty() => {
                format!("`{}`", cell(&Value::Array(a.clone()).to_string()))
            }
            Some(d) => format!("`{}`", cell(&d.to_string())),
        };
        let _ = writeln!(
            out,
            "| `{k}`{} | {} | {default} | {} |",
            if required.contains(k.as_str()) {
                " (required)"
            } else {
                ""
            },
            cell(&type_of(p, queue)),
            cell(&describe(p, defs)),
        );
    }
}

/// The reference document for a JSON Schema as `json_schema()` writes it.
pub fn markdown(schema: &Value) -> String {
    let empty = serde_json::Map::new();
    let defs = schema
        .get("$defs")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut out = String::from(
        "# akswin spec reference\n\nGenerated by `akswin schema --format markdown` from the spec's JSON Schema \
         (`schema/akswin.schema.json`); do not edit. Every key of `akswin.yaml`, with its type, its default \
         and what it does; a test keeps this file and the schema equal. `akswin explain CODE` tells what \
         each finding means.\n\n## Spec\n\n",
    );
    if let Some(d) = schema.get("description").and_then(Value::as_str) {
        let _ = writeln!(out, "{}\n", d.trim());
    }
    let mut queue = VecDeque::new();
    table(&mut out, schema, defs, &mut queue);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(d) = defs.get(&name) else { continue };
        let _ = writeln!(out, "\n## {name}\n");
        if let Some(desc) = d.get("description").and_then(Value::as_str) {
            let _ = writeln!(out, "{}\n", desc.trim());
        }
        if d.get("properties").is_some() {
            table(&mut out, d, defs, &mut queue);
        } else {
            let _ = writeln!(out, "Type: {}.", type_of(d, &mut queue));
            if let Some(p) = d.get("pattern").and_then(Value::as_str) {
                let _ = writeln!(out, "\nPattern: `{p}`.");
            }
        }
    }
    out
}
