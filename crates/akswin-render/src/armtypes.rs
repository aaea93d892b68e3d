//! A strict type check of ARM resources against Microsoft's Bicep resource type data (the
//! `types.json` files of Azure/bicep-types-az, generated from the REST API specifications).
//!
//! The ARM JSON Schemas allow properties they do not define, so a misspelled property passes
//! schema validation and is ignored at deployment. This check refuses, at any depth: unknown
//! property names, wrong JSON types, read-only properties, missing required properties,
//! values outside closed enums, unknown discriminator values, strings that break a pattern or
//! a length, integers out of range. Template expressions (`"[...]"`) are values only ARM knows
//! at deployment, so they pass wherever they stand.
//!
//! The data is read from a directory laid out as the reference set (`generated/index.json`
//! mapping `Type@apiVersion` to `<file>#/<node>`); see `conformance/README.md`.

use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Keys of a template resource that are template syntax, not part of the resource body.
const TEMPLATE_KEYS: &[&str] = &[
    "type",
    "apiVersion",
    "dependsOn",
    "condition",
    "copy",
    "comments",
    "scope",
    "resourceGroup",
    "subscriptionId",
];

/// Types akswin renders whose Bicep type data is not in the reference set it embeds (nor their
/// ARM schema): managed Prometheus's. `check_resource` checks them against the body Microsoft's
/// template reference documents (the page given), property by property, instead.
pub const WITHOUT_TYPE_DATA: &[(&str, &str)] = &[
    (
        "Microsoft.Monitor/accounts@2023-04-03",
        "https://learn.microsoft.com/azure/templates/microsoft.monitor/2023-04-03/accounts",
    ),
    (
        "Microsoft.AlertsManagement/prometheusRuleGroups@2023-03-01",
        "https://learn.microsoft.com/azure/templates/microsoft.alertsmanagement/2023-03-01/prometheusrulegroups",
    ),
];

const FLAG_REQUIRED: u64 = 1;
const FLAG_READ_ONLY: u64 = 2;

/// The resource type data for every `Type@apiVersion` the index names.
pub struct TypeIndex {
    /// file (relative to `generated/`) -> its type nodes
    files: HashMap<String, Vec<Value>>,
    /// lowercased `type@apiVersion` -> (file, node index of the ResourceType)
    resources: HashMap<String, (String, usize)>,
    regex: std::sync::Mutex<HashMap<String, Option<fancy_regex::Regex>>>,
}

/// `#/N` or `path#/N` -> (path or "", N)
fn split_ref(r: &str) -> Option<(&str, usize)> {
    let (file, node) = r.split_once("#/")?;
    Some((file, node.parse().ok()?))
}

impl TypeIndex {
    /// Load `generated/index.json` under `dir` and every types file it names.
    pub fn load(dir: &Path) -> Result<TypeIndex, String> {
        let gen_dir = dir.join("generated");
        let read = |p: &Path| -> Result<Value, String> {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
        };
        let index = read(&gen_dir.join("index.json"))?;
        let mut files: HashMap<String, Vec<Value>> = HashMap::new();
        let mut resources = HashMap::new();
        for (name, r) in index["resources"].as_object().into_iter().flatten() {
            let Some((file, node)) = r["$ref"].as_str().and_then(split_ref) else {
                return Err(format!("index.json: bad reference for {name}"));
            };
            if !files.contains_key(file) {
                let nodes = read(&gen_dir.join(file))?
                    .as_array()
                    .cloned()
                    .ok_or_else(|| format!("{file}: not an array of types"))?;
                files.insert(file.to_string(), nodes);
            }
            resources.insert(name.to_ascii_lowercase(), (file.to_string(), node));
        }
        Ok(TypeIndex {
            files,
            resources,
            regex: Default::default(),
        })
    }

    /// The subset akswin embeds (`data/arm-types.json`, written by
    /// `scripts/subset-arm-types.py` from the same data, descriptions dropped): the types of
    /// every resource akswin renders, so `check` runs the strict check without the reference
    /// set. Parsed once.
    pub fn embedded() -> &'static TypeIndex {
        static EMBEDDED: std::sync::OnceLock<TypeIndex> = std::sync::OnceLock::new();
        EMBEDDED.get_or_init(|| {
            // The file is generated and tested (tests/arm_types.rs): it always parses.
            TypeIndex::from_subset(include_str!("../data/arm-types.json")).unwrap_or_else(|_| {
                TypeIndex {
                    files: HashMap::new(),
                    resources: HashMap::new(),
                    regex: Default::default(),
                }
            })
        })
    }

    /// Read a subset file: `{"resources": {"Type@api": node}, "nodes": [...]}`, one array.
    pub fn from_subset(text: &str) -> Result<TypeIndex, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let nodes = v["nodes"].as_array().cloned().ok_or("no `nodes` array")?;
        let mut resources = HashMap::new();
        for (k, n) in v["resources"].as_object().into_iter().flatten() {
            let n = n.as_u64().ok_or_else(|| format!("{k}: not a node index"))? as usize;
            if n >= nodes.len() {
                return Err(format!("{k}: node {n} out of range"));
            }
            resources.insert(k.to_ascii_lowercase(), (String::new(), n));
        }
        let mut files = HashMap::new();
        files.insert(String::new(), nodes);
        Ok(TypeIndex {
            files,
            resources,
            regex: Default::default(),
        })
    }

    /// Every `type@apiVersion` the data holds (lowercased).
    pub fn resource_keys(&self) -> Vec<String> {
        let mut k: Vec<String> = self.resources.keys().cloned().collect();
        k.sort();
        k
    }

    /// The type node of a resource key, with the node list it indexes into.
    pub fn resource_node(&self, key: &str) -> Option<(&[Value], usize)> {
        let (file, n) = self.resources.get(&key.to_ascii_lowercase())?;
        Some((self.files.get(file)?.as_slice(), *n))
    }

    /// Whether the data knows `type@apiVersion`.
    pub fn knows(&self, ty: &str, api: &str) -> bool {
        self.resources
            .contains_key(&format!("{ty}@{api}").to_ascii_lowercase())
    }

    /// Check one template resource (not a nested deployment's inner template: call this for
    /// each resource in it). Returns one line per problem, each starting with `at`.
    pub fn check_resource(&self, r: &Value, at: &str) -> Vec<String> {
        let mut errors = Vec::new();
        let (Some(ty), Some(api)) = (r["type"].as_str(), r["apiVersion"].as_str()) else {
            errors.push(format!("{at}: no type or apiVersion"));
            return errors;
        };
        let key = format!("{ty}@{api}").to_ascii_lowercase();
        if let Some((documented, _)) = WITHOUT_TYPE_DATA
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&key))
        {
            by_hand::check(documented, r, &format!("{at} {ty}"), &mut errors);
            return errors;
        }
        let Some((file, node)) = self.resources.get(&key) else {
            errors.push(format!("{at}: no type data for {ty}@{api}"));
            return errors;
        };
        let nodes = &self.files[file];
        let Some(body) = nodes
            .get(*node)
            .and_then(|n| n["body"]["$ref"].as_str())
            .and_then(split_ref)
        else {
            errors.push(format!("{at}: {ty}@{api} has no body type"));
            return errors;
        };
        // The resource is the body, less the template-only keys (skipped at the top level).
        let mut cx = Walk {
            ix: self,
            nodes,
            errors: &mut errors,
        };
        cx.value(r, body.1, &format!("{at} {ty}"), true);
        errors
    }

    fn pattern(&self, p: &str) -> Option<fancy_regex::Regex> {
        let mut cache = self.regex.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(p.to_string())
            // ECMA reads `\w-` in a class as a literal hyphen; the Rust engines refuse it.
            .or_insert_with(|| fancy_regex::Regex::new(&p.replace("\\w-", "\\w\\-")).ok())
            .clone()
    }
}

/// Every resource of a template and of the templates nested in its deployments, with a path
/// (`at/resources/3/properties/template/resources/0`) for messages.
pub fn template_resources<'a>(t: &'a Value, at: &str, out: &mut Vec<(String, &'a Value)>) {
    for (i, r) in t["resources"].as_array().into_iter().flatten().enumerate() {
        let here = format!("{at}/resources/{i}");
        out.push((here.clone(), r));
        if r["type"] == "Microsoft.Resources/deployments" {
            template_resources(
                &r["properties"]["template"],
                &format!("{here}/properties/template"),
                out,
            );
        }
    }
}

struct Walk<'a> {
    ix: &'a TypeIndex,
    nodes: &'a [Value],
    errors: &'a mut Vec<String>,
}

fn is_expression(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.starts_with('[') && !s.starts_with("[[") && s.ends_with(']'))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn node_ref(t: &Value) -> Option<usize> {
    t["$ref"].as_str().and_then(split_ref).map(|(_, n)| n)
}

impl Walk<'_> {
    fn err(&mut self, at: &str, msg: String) {
        self.errors.push(format!("{at}: {msg}"));
    }

    /// Problems of `v` against node `n`, without recording them (for unions).
    fn probe(&self, v: &Value, n: usize, at: &str) -> Vec<String> {
        let mut errors = Vec::new();
        let mut w = Walk {
            ix: self.ix,
            nodes: self.nodes,
            errors: &mut errors,
        };
        w.value(v, n, at, false);
        errors
    }

    fn value(&mut self, v: &Value, n: usize, at: &str, top: bool) {
        if is_expression(v) {
            return;
        }
        let nodes: &[Value] = self.nodes;
        let Some(t) = nodes.get(n) else {
            self.err(at, format!("type node {n} missing"));
            return;
        };
        match t["$type"].as_str().unwrap_or("") {
            "AnyType" => {}
            "BooleanType" => {
                if !v.is_boolean() {
                    self.err(at, format!("expected a boolean, found {}", kind(v)));
                }
            }
            "IntegerType" => match v.as_i64() {
                None => self.err(at, format!("expected an integer, found {}", kind(v))),
                Some(i) => {
                    if t["minValue"].as_i64().is_some_and(|m| i < m) {
                        self.err(at, format!("{i} is below the minimum {}", t["minValue"]));
                    }
                    if t["maxValue"].as_i64().is_some_and(|m| i > m) {
                        self.err(at, format!("{i} is above the maximum {}", t["maxValue"]));
                    }
                }
            },
            "StringType" => match v.as_str() {
                None => self.err(at, format!("expected a string, found {}", kind(v))),
                Some(s) => {
                    let len = s.chars().count() as u64;
                    if t["minLength"].as_u64().is_some_and(|m| len < m) {
                        self.err(at, format!("`{s}` is shorter than {}", t["minLength"]));
                    }
                    if t["maxLength"].as_u64().is_some_and(|m| len > m) {
                        self.err(at, format!("`{s}` is longer than {}", t["maxLength"]));
                    }
                    if let Some(p) = t["pattern"].as_str()
                        && let Some(re) = self.ix.pattern(p)
                        && !re.is_match(s).unwrap_or(true)
                    {
                        self.err(at, format!("`{s}` does not match the pattern {p}"));
                    }
                }
            },
            "StringLiteralType" => {
                let want = t["value"].as_str().unwrap_or("");
                if !v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(want)) {
                    self.err(at, format!("expected `{want}`, found {v}"));
                }
            }
            "UnionType" => {
                let elements: Vec<usize> = t["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(node_ref)
                    .collect();
                if elements.iter().any(|e| self.probe(v, *e, at).is_empty()) {
                    return;
                }
                let literals: Vec<String> = elements
                    .iter()
                    .filter_map(|e| self.nodes.get(*e))
                    .filter(|e| e["$type"] == "StringLiteralType")
                    .filter_map(|e| e["value"].as_str().map(|s| format!("`{s}`")))
                    .collect();
                if !literals.is_empty() && v.is_string() {
                    self.err(at, format!("{v} is not one of {}", literals.join(", ")));
                } else {
                    // Report the closest member's problems (the one with the fewest).
                    let best = elements
                        .iter()
                        .map(|e| self.probe(v, *e, at))
                        .min_by_key(Vec::len)
                        .unwrap_or_default();
                    self.errors.extend(best);
                }
            }
            "ArrayType" => match v.as_array() {
                None => self.err(at, format!("expected an array, found {}", kind(v))),
                Some(a) => {
                    if t["minLength"]
                        .as_u64()
                        .is_some_and(|m| (a.len() as u64) < m)
                    {
                        self.err(at, format!("fewer than {} items", t["minLength"]));
                    }
                    if t["maxLength"]
                        .as_u64()
                        .is_some_and(|m| (a.len() as u64) > m)
                    {
                        self.err(at, format!("more than {} items", t["maxLength"]));
                    }
                    if let Some(item) = node_ref(&t["itemType"]) {
                        for (i, x) in a.iter().enumerate() {
                            self.value(x, item, &format!("{at}/{i}"), false);
                        }
                    }
                }
            },
            "ObjectType" => self.object(v, t, &[], at, top),
            "DiscriminatedObjectType" => {
                let Some(o) = v.as_object() else {
                    self.err(at, format!("expected an object, found {}", kind(v)));
                    return;
                };
                let d = t["discriminator"].as_str().unwrap_or("");
                let base = &t["baseProperties"];
                match o.get(d) {
                    Some(dv) if is_expression(dv) => {
                        // The variant is only known at deployment: check the common part.
                        let only_base = serde_json::json!({ "properties": base });
                        self.object_loose(v, &only_base, at);
                    }
                    Some(Value::String(s)) => {
                        let variant = t["elements"]
                            .as_object()
                            .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(s)))
                            .and_then(|(_, r)| node_ref(r));
                        match variant.and_then(|e| nodes.get(e)) {
                            Some(e) => self.object(v, e, &[(base, d)], at, top),
                            None => {
                                let known: Vec<String> = t["elements"]
                                    .as_object()
                                    .map(|m| m.keys().map(|k| format!("`{k}`")).collect())
                                    .unwrap_or_default();
                                self.err(
                                    &format!("{at}/{d}"),
                                    format!("`{s}` is not one of {}", known.join(", ")),
                                );
                            }
                        }
                    }
                    _ => self.err(at, format!("missing the discriminator `{d}`")),
                }
            }
            other => self.err(at, format!("unsupported type node `{other}`")),
        }
    }

    /// Only the properties that are declared (for a discriminated object whose variant is an
    /// expression): unknown keys are not judged.
    fn object_loose(&mut self, v: &Value, t: &Value, at: &str) {
        let Some(o) = v.as_object() else { return };
        for (k, x) in o {
            if let Some(p) = t["properties"].get(k.as_str())
                && let Some(n) = node_ref(&p["type"])
            {
                self.value(x, n, &format!("{at}/{k}"), false);
            }
        }
    }

    /// An object against its type (plus, for a discriminated variant, the base properties and
    /// the discriminator key).
    fn object(&mut self, v: &Value, t: &Value, extra: &[(&Value, &str)], at: &str, top: bool) {
        let Some(o) = v.as_object() else {
            self.err(at, format!("expected an object, found {}", kind(v)));
            return;
        };
        let mut props: Vec<(&String, &Value)> =
            t["properties"].as_object().into_iter().flatten().collect();
        for (base, _) in extra {
            props.extend(base.as_object().into_iter().flatten());
        }
        let discriminators: Vec<&str> = extra.iter().map(|(_, d)| *d).collect();
        for (k, x) in o {
            if discriminators.contains(&k.as_str()) || (top && TEMPLATE_KEYS.contains(&k.as_str()))
            {
                continue;
            }
            let here = format!("{at}/{k}");
            match props.iter().find(|(name, _)| *name == k) {
                Some((_, p)) => {
                    let flags = p["flags"].as_u64().unwrap_or(0);
                    if flags & FLAG_READ_ONLY != 0 && !(top && (k == "id" || k == "name")) {
                        self.err(&here, "is read-only".into());
                        continue;
                    }
                    if let Some(n) = node_ref(&p["type"]) {
                        // A child resource declared at the top of a template is named
                        // `parent/child`; the type data's name rules are the child segment's.
                        let own = match x.as_str() {
                            Some(full) if top && k == "name" && !is_expression(x) => {
                                full.rsplit_once('/').map(|(_, c)| Value::String(c.into()))
                            }
                            _ => None,
                        };
                        self.value(own.as_ref().unwrap_or(x), n, &here, false);
                    }
                }
                None => match node_ref(&t["additionalProperties"]) {
                    Some(n) => self.value(x, n, &here, false),
                    None => {
                        let mut known: Vec<&str> = props.iter().map(|(n, _)| n.as_str()).collect();
                        known.sort_unstable();
                        self.err(
                            &here,
                            format!("unknown property (known here: {})", known.join(", ")),
                        );
                    }
                },
            }
        }
        for (name, p) in &props {
            let flags = p["flags"].as_u64().unwrap_or(0);
            if flags & FLAG_REQUIRED != 0
                && flags & FLAG_READ_ONLY == 0
                && !o.contains_key(name.as_str())
                && !discriminators.contains(&name.as_str())
            {
                self.err(at, format!("missing required property `{name}`"));
            }
        }
    }
}

/// The documented bodies of [`WITHOUT_TYPE_DATA`], checked like the type data would: unknown
/// and read-only properties, required ones, JSON types, ranges and name patterns.
mod by_hand {
    use serde_json::Value;

    fn is_expr(v: &Value) -> bool {
        v.as_str()
            .is_some_and(|s| s.starts_with('[') && !s.starts_with("[["))
    }

    fn keys(v: &Value, at: &str, allowed: &[&str], required: &[&str], errors: &mut Vec<String>) {
        let Some(o) = v.as_object() else {
            if !is_expr(v) {
                errors.push(format!("{at}: expected an object"));
            }
            return;
        };
        for k in o.keys() {
            if !allowed.contains(&k.as_str()) {
                errors.push(format!("{at}/{k}: unknown property"));
            }
        }
        for k in required {
            if !o.contains_key(*k) {
                errors.push(format!("{at}: missing required property `{k}`"));
            }
        }
    }

    fn string(v: &Value, at: &str, errors: &mut Vec<String>) {
        if !v.is_string() {
            errors.push(format!("{at}: expected a string"));
        }
    }

    fn boolean(v: &Value, at: &str, errors: &mut Vec<String>) {
        if !v.is_boolean() && !is_expr(v) {
            errors.push(format!("{at}: expected a boolean"));
        }
    }

    fn string_map(v: &Value, at: &str, errors: &mut Vec<String>) {
        match v.as_object() {
            Some(o) => o
                .iter()
                .for_each(|(k, v)| string(v, &format!("{at}/{k}"), errors)),
            None => errors.push(format!("{at}: expected an object of strings")),
        }
    }

    /// ISO 8601 minutes within `lo..=hi` (`PT1M` ... `PT15M`), as the reference states.
    fn minutes(v: &Value, at: &str, lo: u32, hi: u32, errors: &mut Vec<String>) {
        let m = v
            .as_str()
            .and_then(|s| s.strip_prefix("PT"))
            .and_then(|s| s.strip_suffix('M'))
            .and_then(|s| s.parse::<u32>().ok());
        if !m.is_some_and(|m| (lo..=hi).contains(&m)) && !is_expr(v) {
            errors.push(format!("{at}: expected PT{lo}M to PT{hi}M"));
        }
    }

    fn name(v: &Value, at: &str, ok: fn(&str) -> bool, errors: &mut Vec<String>) {
        match v.as_str() {
            Some(s) if is_expr(v) || ok(s) => {}
            _ => errors.push(format!(
                "{at}/name: {v} does not match the documented pattern"
            )),
        }
    }

    const TOP: &[&str] = &[
        "type",
        "apiVersion",
        "dependsOn",
        "condition",
        "copy",
        "comments",
        "scope",
        "resourceGroup",
        "subscriptionId",
        "name",
        "location",
        "tags",
    ];

    pub(super) fn check(documented: &str, r: &Value, at: &str, errors: &mut Vec<String>) {
        if let Some(t) = r.get("tags") {
            string_map(t, &format!("{at}/tags"), errors);
        }
        if documented.starts_with("Microsoft.Monitor/accounts") {
            // `^(?!-)[a-zA-Z0-9-]+[^-]$`; every property of the body is read-only.
            keys(
                r,
                at,
                &[TOP, &["properties"]].concat(),
                &["name", "location"],
                errors,
            );
            name(
                &r["name"],
                at,
                |s| {
                    s.len() >= 2
                        && !s.starts_with('-')
                        && !s.ends_with('-')
                        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                },
                errors,
            );
            if let Some(p) = r.get("properties") {
                keys(p, &format!("{at}/properties"), &[], &[], errors);
            }
            return;
        }
        // Microsoft.AlertsManagement/prometheusRuleGroups: `^[^:@/#{}%&+*<>?]+$`.
        keys(
            r,
            at,
            &[TOP, &["properties"]].concat(),
            &["name", "location", "properties"],
            errors,
        );
        name(
            &r["name"],
            at,
            |s| !s.is_empty() && !s.chars().any(|c| ":@/#{}%&+*<>?".contains(c)),
            errors,
        );
        let p = &r["properties"];
        let at = format!("{at}/properties");
        keys(
            p,
            &at,
            &[
                "description",
                "scopes",
                "rules",
                "clusterName",
                "enabled",
                "interval",
            ],
            &["scopes", "rules"],
            errors,
        );
        for (k, v) in p.as_object().into_iter().flatten() {
            let here = format!("{at}/{k}");
            match k.as_str() {
                "description" | "clusterName" => string(v, &here, errors),
                "enabled" => boolean(v, &here, errors),
                "interval" => minutes(v, &here, 1, 15, errors),
                "scopes" => match v.as_array() {
                    Some(a) if !a.is_empty() => a.iter().for_each(|s| string(s, &here, errors)),
                    _ => errors.push(format!("{here}: expected a non-empty array")),
                },
                "rules" => match v.as_array() {
                    Some(a) if !a.is_empty() => a
                        .iter()
                        .enumerate()
                        .for_each(|(i, rule)| self::rule(rule, &format!("{here}/{i}"), errors)),
                    _ => errors.push(format!("{here}: expected a non-empty array")),
                },
                _ => {}
            }
        }
    }

    fn rule(r: &Value, at: &str, errors: &mut Vec<String>) {
        keys(
            r,
            at,
            &[
                "record",
                "alert",
                "expression",
                "labels",
                "annotations",
                "enabled",
                "for",
                "severity",
                "actions",
                "resolveConfiguration",
            ],
            &["expression"],
            errors,
        );
        if r.get("record").is_some() == r.get("alert").is_some() {
            errors.push(format!(
                "{at}: a rule is either a recording rule (`record`) or an alert (`alert`)"
            ));
        }
        for (k, v) in r.as_object().into_iter().flatten() {
            let here = format!("{at}/{k}");
            match k.as_str() {
                "record" | "alert" | "expression" | "for" => string(v, &here, errors),
                "labels" | "annotations" => string_map(v, &here, errors),
                "enabled" => boolean(v, &here, errors),
                "severity" if v.as_u64().is_none_or(|s| s > 4) => {
                    errors.push(format!("{here}: expected an integer 0 to 4"));
                }
                "actions" => {
                    for (i, a) in v.as_array().into_iter().flatten().enumerate() {
                        let at = format!("{here}/{i}");
                        keys(a, &at, &["actionGroupId", "actionProperties"], &[], errors);
                        if let Some(g) = a.get("actionGroupId") {
                            string(g, &at, errors);
                        }
                    }
                }
                "resolveConfiguration" => {
                    keys(v, &here, &["autoResolved", "timeToResolve"], &[], errors);
                    if let Some(b) = v.get("autoResolved") {
                        boolean(b, &here, errors);
                    }
                    if let Some(t) = v.get("timeToResolve") {
                        string(t, &here, errors);
                    }
                }
                _ => {}
            }
        }
        if r.get("alert").is_none() {
            for k in [
                "for",
                "severity",
                "actions",
                "resolveConfiguration",
                "annotations",
            ] {
                if r.get(k).is_some() {
                    errors.push(format!("{at}/{k}: only alerts take it"));
                }
            }
        }
    }
}
