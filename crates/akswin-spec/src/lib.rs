//! akswin-spec owns the spec: its types (which are the validated model), loading YAML with
//! exact positions, the JSON Schema, and the built-in baseline.
//!
//! It turns bytes into a [`Loaded`] spec or into input-error findings (`SPEC001`-`SPEC006`),
//! each with `file:line:col` and a hint. It must not judge the architecture (that is
//! `akswin-rules`), touch the file system, or print.
//!
//! YAML library: serde-saphyr (typed deserialisation with locations on every error,
//! duplicate-key detection, alias and size budgets; pure Rust, the choice of kube-rs) plus its
//! own event parser, granit-parser, for the pointer -> span index that rules use.
//! marked-yaml was the alternative: good spans, but a smaller community and slower cadence.

pub mod index;
mod reference;
pub mod secrets;
pub mod spec;
pub mod types;
pub mod waivers;

pub use index::SpanIndex;
pub use spec::Spec;

use akswin_diag::{Finding, Severity, Source, Span};

/// The baseline of the reference architecture, embedded verbatim (with its comments).
pub const BASELINE_YAML: &str = include_str!("baseline.yaml");
/// The name the baseline is shown under in findings.
pub const BASELINE_NAME: &str = "<baseline>";
/// Largest spec accepted. Real specs are a few KiB; anything near this is not a spec.
pub const MAX_SPEC_BYTES: usize = 1024 * 1024;

/// A spec that parsed: the typed model, where each value is, and the text it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub spec: Spec,
    pub index: SpanIndex,
    /// The text for views to quote, with literal secrets masked ([`secrets::mask`]).
    pub source: Source,
}

/// The input could not become a spec. The findings say where and why (codes `SPEC0xx`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} could not be read as an akswin spec", input.name)]
pub struct LoadError {
    /// The text for views to quote, with literal secrets masked ([`secrets::mask`]).
    pub input: Source,
    pub findings: Vec<Finding>,
}

/// Input-error codes, with what `akswin explain` says about each.
pub const INPUT_ERRORS: &[(&str, &str, &str)] = &[
    (
        "SPEC001",
        "yaml-syntax",
        "The file is not well-formed YAML, or holds more than one document.\n\nFix the syntax at the position shown; a spec is exactly one YAML document.",
    ),
    (
        "SPEC002",
        "unknown-key",
        "A key that the spec does not define (often a typo). akswin refuses unknown keys rather than ignoring them, because an ignored key is a setting that silently does nothing.\n\nUse the suggested key, or see `akswin schema` for every key.",
    ),
    (
        "SPEC003",
        "wrong-type",
        "A value of the wrong type or form: a string where a list is expected, a bad CIDR, an unknown enum value, a missing required key.\n\nThe message names the expected type; `akswin schema` lists them all.",
    ),
    (
        "SPEC004",
        "duplicate-key",
        "The same key appears twice in one mapping. YAML parsers disagree on which wins, so akswin refuses both.\n\nKeep one of them.",
    ),
    (
        "SPEC005",
        "invalid-value",
        "A value that parses but cannot be meant: an apiVersion akswin does not know, an empty name, or a measurement or estimate of the scale-out and cost models that is negative, zero where it divides, NaN, infinite or absurdly large.\n\nFollow the hint in the message.",
    ),
    (
        "SPEC006",
        "input-refused",
        "The input is not a spec at all: empty, binary, larger than 1 MiB, or a YAML alias bomb (aliases that expand to more nodes than a spec could ever need).\n\nPoint akswin at the spec file, or `akswin init` to write the baseline.",
    ),
    (
        "SPEC007",
        "unknown-environment",
        "`--env NAME` names no environment of the spec's `environments`, or the environment is not a mapping of what differs from the rest of the file.\n\nUse one of the names the message lists, or add the environment: `environments: { dev: { name: contoso-legacy-dev, cluster: { tier: Free } } }` (a JSON Merge Patch, RFC 7386, over the rest of the file).",
    ),
];

/// The measurements and estimates the scale-out and cost models divide and multiply by: each
/// must be a finite number in a range that can be meant (SPEC005), so no model prints NaN or inf.
fn check_model_numbers(spec: &Spec, index: &SpanIndex, findings: &mut Vec<Finding>) {
    let mut check =
        |pointer: String, v: f64, min: f64, min_exclusive: bool, max: f64, unit: &str| {
            let low = if min_exclusive { v <= min } else { v < min };
            if !v.is_finite() || low || v > max {
                let mut f = input_error(
                    "SPEC005",
                    index.span(&pointer),
                    format!(
                        "`{pointer}` is {v}; it must be a number {} {min} and at most {max} {unit}",
                        if min_exclusive {
                            "above"
                        } else {
                            "of at least"
                        }
                    ),
                    Some(
                        "use your measurement or estimate; the models divide and multiply by it"
                            .into(),
                    ),
                );
                f.pointer = pointer;
                findings.push(f);
            }
        };
    if let Some(n) = &spec.scaling.node_ready_minutes {
        check(
            "/scaling/nodeReadyMinutes/windows".into(),
            n.windows,
            0.0,
            false,
            1440.0,
            "minutes",
        );
        check(
            "/scaling/nodeReadyMinutes/linux".into(),
            n.linux,
            0.0,
            false,
            1440.0,
            "minutes",
        );
    }
    if let Some(v) = spec.scaling.pull_throughput_mi_bps {
        check(
            "/scaling/pullThroughputMiBps".into(),
            v,
            0.0,
            true,
            1e6,
            "MiB/s",
        );
    }
    if let Some(v) = spec.scaling.extract_throughput_mi_bps {
        check(
            "/scaling/extractThroughputMiBps".into(),
            v,
            0.0,
            true,
            1e6,
            "MiB/s",
        );
    }
    for (i, im) in spec.registry.images.iter().enumerate() {
        if let Some(v) = im.size_gi_b {
            check(
                format!("/registry/images/{i}/sizeGiB"),
                v,
                0.0,
                false,
                10_000.0,
                "GiB",
            );
        }
    }
    for (i, w) in spec.workloads.iter().enumerate() {
        if let Some(v) = w.scale_out_target_minutes {
            check(
                format!("/workloads/{i}/scaleOutTargetMinutes"),
                v,
                0.0,
                false,
                10_080.0,
                "minutes",
            );
        }
    }
    if let Some(v) = spec.cost.log_analytics_gi_b_per_day {
        check(
            "/cost/logAnalyticsGiBPerDay".into(),
            v,
            0.0,
            false,
            1e6,
            "GiB a day",
        );
    }
    if let Some(v) = spec.cost.firewall_data_gi_b_per_month {
        check(
            "/cost/firewallDataGiBPerMonth".into(),
            v,
            0.0,
            false,
            1e9,
            "GiB a month",
        );
    }
}

/// Azure names for VNets (2-64) and subnets (1-80): letters, digits, `_`, `.` and `-`.
fn is_azure_network_name(name: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Peered spokes are named in the plan and the report: names must be Azure names, unique, and
/// not `hub` or `spoke` (SPEC005).
fn check_peered_spokes(spec: &Spec, index: &SpanIndex, findings: &mut Vec<Finding>) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, ps) in spec.network.peered_spokes.iter().enumerate() {
        let ptr = format!("/network/peeredSpokes/{i}/name");
        let problem = if !is_azure_network_name(&ps.name, 2, 64) {
            Some("is not a VNet name (2-64 letters, digits, `_`, `.` or `-`)")
        } else if ps.name.eq_ignore_ascii_case("hub") || ps.name.eq_ignore_ascii_case("spoke") {
            Some("is reserved for akswin's own hub and spoke")
        } else if !seen.insert(ps.name.to_ascii_lowercase()) {
            Some("names another peered spoke too")
        } else {
            None
        };
        if let Some(p) = problem {
            let mut f = input_error(
                "SPEC005",
                index.span(&ptr),
                format!("peered spoke name `{}` {p}", ps.name),
                Some("give each peered spoke its Azure VNet name".into()),
            );
            f.pointer = ptr;
            findings.push(f);
        }
        if ps.address_space.is_empty() {
            let ptr = format!("/network/peeredSpokes/{i}/addressSpace");
            let mut f = input_error(
                "SPEC005",
                index.span(&ptr),
                format!("peered spoke `{}` has no address space", ps.name),
                Some("list its address prefixes, e.g. [10.50.0.0/16]".into()),
            );
            f.pointer = ptr;
            findings.push(f);
        }
        for name in ps
            .subnets
            .keys()
            .filter(|n| !is_azure_network_name(n, 1, 80))
        {
            let ptr = format!("/network/peeredSpokes/{i}/subnets/{name}");
            let mut f = input_error(
                "SPEC005",
                index.span(&ptr),
                format!("`{name}` is not a subnet name (1-80 letters, digits, `_`, `.` or `-`)"),
                None,
            );
            f.pointer = ptr;
            findings.push(f);
        }
    }
}

/// Whether `name` can be a Key Vault secret name: 1-127 letters, digits and dashes.
pub fn is_key_vault_secret_name(name: &str) -> bool {
    (1..=127).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Whether `name` can be an ARM template parameter name: a letter, then letters, digits or `_`.
pub fn is_parameter_name(name: &str) -> bool {
    let mut b = name.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphabetic())
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        && name.len() <= 255
}

/// Secret *names* end up inside ARM expressions and scripts, so they must be names Key Vault and
/// ARM accept (SPEC005). The message never repeats the value: it may be the secret itself.
fn check_secret_names(spec: &Spec, index: &SpanIndex, findings: &mut Vec<Finding>) {
    use crate::types::SecretRef;
    let mut refs: Vec<(String, &SecretRef)> = Vec::new();
    if let Some(wp) = &spec.cluster.windows_profile {
        refs.push((
            "/cluster/windowsProfile/adminPassword".into(),
            &wp.admin_password,
        ));
    }
    if let Some(ad) = &spec.identity.active_directory {
        for (key, r, _) in ad.domain_controllers.secrets() {
            if let Some(r) = r {
                refs.push((
                    format!("/identity/activeDirectory/domainControllers/{key}"),
                    r,
                ));
            }
        }
    }
    if let Some(h) = &spec.network.hybrid {
        for (key, r) in h.keys() {
            refs.push((key.pointer().into(), r));
        }
    }
    let mut bad = |pointer: String, what: &str| {
        let mut f = input_error(
            "SPEC005",
            index.span(&pointer),
            format!("`{pointer}` is not {what}"),
            Some("Key Vault secret names are 1-127 letters, digits and dashes; parameter names start with a letter, then letters, digits or `_`".into()),
        );
        f.pointer = pointer;
        findings.push(f);
    };
    for (ptr, r) in refs {
        match r {
            SecretRef::KeyVault(n) if !is_key_vault_secret_name(n) => {
                bad(format!("{ptr}/keyVaultSecret"), "a Key Vault secret name")
            }
            SecretRef::Parameter(n) if !is_parameter_name(n) => {
                bad(format!("{ptr}/parameter"), "an ARM parameter name")
            }
            _ => {}
        }
    }
    // The gMSA secret name: a value that looks like a credential is ID004's (an error that names
    // it a literal secret); anything else must be a secret name.
    if let Some(n) = &spec.identity.gmsa.key_vault_secret
        && !n.looks_like_credential()
        && !is_key_vault_secret_name(n.as_str())
    {
        bad(
            "/identity/gmsa/keyVaultSecret".into(),
            "a Key Vault secret name",
        );
    }
    if let Some(fd) = &spec.ingress.front_door {
        for (i, d) in fd.custom_domains.iter().enumerate() {
            if let Some(n) = &d.certificate.key_vault_secret
                && !is_key_vault_secret_name(n)
            {
                bad(
                    format!("/ingress/frontDoor/customDomains/{i}/certificate/keyVaultSecret"),
                    "a Key Vault secret name",
                );
            }
        }
    }
}

fn input_error(code: &str, span: Option<Span>, message: String, help: Option<String>) -> Finding {
    let mut f = Finding::new(code, Severity::Error, "", message).with_span(span);
    f.help = help;
    f
}

/// Parse and type-check a spec.
pub fn load(name: &str, bytes: &[u8]) -> Result<Loaded, LoadError> {
    // Views quote the source: literal secrets are masked in every text a finding can show.
    let fail = |text: String, findings: Vec<Finding>| LoadError {
        input: Source::new(name, secrets::mask(&text)),
        findings,
    };
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(fail(
            String::new(),
            vec![input_error(
                "SPEC006",
                Some(Span::point(1, 1)),
                format!(
                    "the file is {} bytes; a spec is at most {} bytes",
                    bytes.len(),
                    MAX_SPEC_BYTES
                ),
                Some("is this the spec file? Specs are a few KiB of YAML".into()),
            )],
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (line, col) = line_col(bytes, e.valid_up_to());
            // The text is not shown: echoing binary to a terminal helps no one.
            return Err(fail(
                String::new(),
                vec![input_error(
                    "SPEC006",
                    Some(Span::point(line, col)),
                    "the file is not UTF-8 text (binary data?)".into(),
                    Some("a spec is a YAML text file, UTF-8 encoded".into()),
                )],
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let normalized = akswin_diag::normalize_newlines(text);
    let text: &str = &normalized;
    if let Some(pos) = text.find(|c: char| c == '\0' || (c.is_control() && !"\t\n\r".contains(c))) {
        let (line, col) = line_col(text.as_bytes(), pos);
        return Err(fail(
            String::new(),
            vec![input_error(
                "SPEC006",
                Some(Span::point(line, col)),
                "the file contains control characters (binary data?)".into(),
                Some("a spec is a YAML text file".into()),
            )],
        ));
    }
    let (index, documents) = match SpanIndex::build(text) {
        Ok(r) => r,
        Err(e) if e.too_deep => {
            return Err(fail(
                text.to_string(),
                vec![input_error(
                    "SPEC006",
                    Some(e.span),
                    "refused: the YAML nests deeper than any spec could".into(),
                    Some("a spec nests a few levels deep; is this the right file?".into()),
                )],
            ));
        }
        Err(e) => {
            return Err(fail(
                text.to_string(),
                vec![input_error(
                    "SPEC001",
                    Some(e.span),
                    format!("YAML syntax error: {}", e.message),
                    None,
                )],
            ));
        }
    };
    if documents == 0 || index.get("").is_none() {
        return Err(fail(
            text.to_string(),
            vec![input_error(
                "SPEC006",
                Some(Span::point(1, 1)),
                "the file holds no YAML mapping (empty, or only comments)".into(),
                Some("run `akswin init` to write the baseline spec, then edit it".into()),
            )],
        ));
    }
    if documents > 1 {
        return Err(fail(
            text.to_string(),
            vec![input_error(
                "SPEC001",
                second_document(text),
                format!("the file holds {documents} YAML documents; a spec is exactly one"),
                Some("remove the `---` separator and the documents after the first".into()),
            )],
        ));
    }
    match serde_saphyr::from_str_with_options::<Spec>(text, options()) {
        Ok(spec) => {
            let mut findings = Vec::new();
            if spec.name.trim().is_empty() {
                findings.push(input_error(
                    "SPEC005",
                    index.span("/name"),
                    "`name` is empty".into(),
                    Some("name is the prefix of every Azure resource, e.g. contoso-legacy".into()),
                ));
            }
            check_model_numbers(&spec, &index, &mut findings);
            check_secret_names(&spec, &index, &mut findings);
            check_peered_spokes(&spec, &index, &mut findings);
            if !findings.is_empty() {
                return Err(fail(text.to_string(), findings));
            }
            Ok(Loaded {
                spec,
                index,
                source: Source::new(name, secrets::mask(text)),
            })
        }
        Err(e) => {
            let mut f = convert_error(&e);
            if let Some(sp) = f.span
                && let Some((ptr, node)) = index.at(sp.line, sp.col)
            {
                f.pointer = ptr;
                f.span = Some(node);
            }
            Err(fail(text.to_string(), vec![f]))
        }
    }
}

/// RFC 7386 JSON Merge Patch: `patch` over `target`.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(serde_json::Map::new());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

/// Load one environment of a spec (`environments.<env>`, a JSON Merge Patch over the rest of
/// the file). Findings point into the file: at the environment's value where it writes one,
/// at the base's otherwise. The base must load on its own first: it is a spec too.
pub fn load_environment(name: &str, bytes: &[u8], env: &str) -> Result<Loaded, LoadError> {
    let base = load(name, bytes)?;
    let source = base.source.clone();
    let fail = |findings: Vec<Finding>| LoadError {
        input: source.clone(),
        findings,
    };
    let Some(patch) = base.spec.environments.get(env) else {
        let known: Vec<&str> = base.spec.environments.keys().map(String::as_str).collect();
        return Err(fail(vec![input_error(
            "SPEC007",
            base.index
                .key_span("/environments")
                .or_else(|| Some(Span::point(1, 1))),
            format!("no environment `{env}` in the spec"),
            Some(if known.is_empty() {
                "the spec has no `environments`: add `environments: { NAME: { ...what differs... } }`".into()
            } else {
                format!("environments: {}", known.join(", "))
            }),
        )]));
    };
    if !patch.is_object() {
        return Err(fail(vec![input_error(
            "SPEC007",
            base.index
                .span(&format!("/environments/{}", akswin_diag::escape_pointer_token(env))),
            format!("environment `{env}` is not a mapping of what differs from the base"),
            Some("write it as a mapping: `dev: { name: contoso-legacy-dev, cluster: { tier: Free } }`".into()),
        )]));
    }
    // The file as plain data, the base without its environments, the patch over it: then the
    // one loader on the result (as JSON, which is YAML), with every span taken back to the file.
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut merged: serde_json::Value = match serde_saphyr::from_str_with_options(text, options()) {
        Ok(v) => v,
        Err(e) => return Err(fail(vec![convert_error(&e)])),
    };
    if let Some(m) = merged.as_object_mut() {
        m.remove("environments");
    }
    merge_patch(&mut merged, patch);
    let index = base.index.for_environment(env, patch);
    let json = serde_json::to_string_pretty(&merged).unwrap_or_default();
    let remap = |mut f: Finding| {
        f.span = index.span(&f.pointer);
        f
    };
    match load(name, json.as_bytes()) {
        Ok(l) => Ok(Loaded {
            spec: l.spec,
            index,
            source,
        }),
        Err(e) => Err(fail(e.findings.into_iter().map(remap).collect())),
    }
}

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    // A spec has a few hundred nodes; these caps stop alias bombs long before they hurt.
    budget.max_aliases = 1_000;
    budget.max_nodes = 50_000;
    budget.max_events = 100_000;
    budget.max_documents = 2;
    let mut o = serde_saphyr::Options::default();
    o.budget = Some(budget);
    o.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::Error;
    o.alias_limits.max_total_replayed_events = 20_000;
    o.alias_limits.max_alias_expansions_per_anchor = 100;
    o
}

fn second_document(text: &str) -> Option<Span> {
    let mut seen = 0;
    for (i, l) in text.lines().enumerate() {
        if l.starts_with("---") {
            seen += 1;
            if seen == 2 || (seen == 1 && i > 0 && text.lines().take(i).any(is_content)) {
                return Some(Span::point(i as u32 + 1, 1));
            }
        }
    }
    None
}

fn is_content(l: &str) -> bool {
    let t = l.trim();
    !t.is_empty() && !t.starts_with('#') && !t.starts_with("---") && !t.starts_with('%')
}

fn line_col(bytes: &[u8], pos: usize) -> (u32, u32) {
    let before = &bytes[..pos.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() as u32 + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[start..]).chars().count() as u32 + 1;
    (line, col)
}

fn loc_span(loc: Option<serde_saphyr::Location>) -> Option<Span> {
    let loc = loc?;
    let (line, col) = (loc.line() as u32, loc.column() as u32);
    (line > 0).then(|| Span::point(line, col.max(1)))
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lw = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(&lw, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn list(expected: &[&str]) -> String {
    expected
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn convert_error(e: &serde_saphyr::Error) -> Finding {
    use serde_saphyr::Error as E;
    let span = loc_span(e.location());
    match e {
        E::WithSnippet { error, .. } => convert_error(error),
        E::SerdeUnknownField {
            field, expected, ..
        } => {
            let help = match did_you_mean(field, expected) {
                Some(s) => format!("did you mean `{s}`? Keys here: {}", list(expected)),
                None => format!("keys allowed here: {}", list(expected)),
            };
            input_error(
                "SPEC002",
                span,
                format!("unknown key `{field}`"),
                Some(help),
            )
        }
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            let help = match did_you_mean(variant, expected) {
                Some(s) => format!("did you mean `{s}`? Allowed: {}", list(expected)),
                None => format!("allowed values: {}", list(expected)),
            };
            input_error(
                "SPEC003",
                span,
                format!("unknown value `{variant}`"),
                Some(help),
            )
        }
        E::SerdeMissingField { field, .. } => input_error(
            "SPEC003",
            span,
            format!("missing required key `{field}`"),
            Some("see `akswin schema` or the baseline (`akswin init`) for its shape".into()),
        ),
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => input_error(
            "SPEC003",
            span,
            format!("wrong type: found {unexpected}, expected {expected}"),
            None,
        ),
        E::DuplicateMappingKey { key, .. } => input_error(
            "SPEC004",
            span,
            match key {
                Some(k) => format!("duplicate key `{k}`"),
                None => "duplicate key".to_string(),
            },
            Some("a key may appear once per mapping; remove one of them".into()),
        ),
        E::InvalidScalar { ty, .. } => input_error(
            "SPEC003",
            span,
            format!("wrong type: expected {}", type_name(ty)),
            None,
        ),
        E::Budget { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => input_error(
            "SPEC006",
            span.or(Some(Span::point(1, 1))),
            format!(
                "refused: {} (YAML alias bomb or far larger than any spec)",
                strip_location(&e.to_string())
            ),
            Some("a spec needs few or no anchors/aliases; expand them by hand".into()),
        ),
        E::Unexpected { expected, .. } => input_error(
            "SPEC003",
            span,
            match *expected {
                "string scalar" => {
                    "wrong type: expected a string, found a list or mapping".to_string()
                }
                other => format!("wrong type: expected a {other}"),
            },
            None,
        ),
        _ => input_error("SPEC003", span, strip_location(&e.to_string()), None),
    }
}

fn type_name(ty: &str) -> String {
    match ty {
        "u8" | "u16" | "u32" | "u64" | "usize" => format!("a whole number ≥ 0 ({ty})"),
        "i8" | "i16" | "i32" | "i64" | "isize" => format!("a whole number ({ty})"),
        "f32" | "f64" => "a number".to_string(),
        "bool" => "true or false".to_string(),
        other => other.to_string(),
    }
}

/// serde-saphyr appends " at line X, column Y"; the location is shown separately.
fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// The JSON Schema of the spec (draft 2020-12), as committed at `schema/akswin.schema.json`.
/// The spec reference document (`docs/spec-reference.md`), from [`json_schema`].
pub fn reference_markdown() -> String {
    reference::markdown(&json_schema())
}

pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Spec);
    schema.insert(
        "title".into(),
        serde_json::Value::String("akswin spec (apiVersion akswin/v1)".into()),
    );
    schema.to_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: Result<Loaded, LoadError>) -> Vec<(String, Option<(u32, u32)>)> {
        match r {
            Ok(_) => vec![],
            Err(e) => e
                .findings
                .iter()
                .map(|f| (f.code.clone(), f.span.map(|s| (s.line, s.col))))
                .collect(),
        }
    }

    #[test]
    fn baseline_loads() {
        let l = load(BASELINE_NAME, BASELINE_YAML.as_bytes()).expect("baseline loads");
        assert_eq!(l.spec.cluster.node_pools.len(), 3);
        assert!(l.index.is_written("/cluster/nodePools/2/osSku"));
    }

    #[test]
    fn unknown_key_suggests() {
        let text = BASELINE_YAML.replace("  tier: Standard", "  teir: Standard");
        let e = load("x.yaml", text.as_bytes()).expect_err("typo");
        let f = &e.findings[0];
        assert_eq!(f.code, "SPEC002");
        assert!(
            f.help
                .as_deref()
                .unwrap_or("")
                .contains("did you mean `tier`"),
            "{f:?}"
        );
        let line = text
            .lines()
            .position(|l| l.contains("teir"))
            .map(|i| i as u32 + 1);
        assert_eq!(f.span.map(|s| s.line), line);
    }

    #[test]
    fn bad_inputs_are_refused_with_positions() {
        assert_eq!(
            codes(load("e", b"")),
            vec![("SPEC006".into(), Some((1, 1)))]
        );
        assert_eq!(
            codes(load("e", b"# only\n")),
            vec![("SPEC006".into(), Some((1, 1)))]
        );
        assert_eq!(
            codes(load("b", b"a: 1\n\x00\x01"))
                .first()
                .map(|c| c.0.clone()),
            Some("SPEC006".into())
        );
        assert_eq!(
            codes(load("b", &[0x61, 0xff, 0xfe]))
                .first()
                .map(|c| c.0.clone()),
            Some("SPEC006".into())
        );
        let big = vec![b'#'; MAX_SPEC_BYTES + 1];
        assert_eq!(codes(load("big", &big))[0].0, "SPEC006");
        let dup = BASELINE_YAML.replace("location: eastus2", "location: eastus2\nlocation: westus");
        assert_eq!(codes(load("d", dup.as_bytes()))[0].0, "SPEC004");
        let cidr =
            BASELINE_YAML.replace("serviceCidr: 172.16.0.0/16", "serviceCidr: 172.16.0.0/33");
        assert_eq!(codes(load("c", cidr.as_bytes()))[0].0, "SPEC003");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let r = codes(load("bomb", s.as_bytes()));
        assert_eq!(r.len(), 1);
        assert!(r[0].0 == "SPEC006" || r[0].0 == "SPEC002", "{r:?}");
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("teir", &["tier", "name"]), Some("tier"));
        assert_eq!(did_you_mean("zzzzzz", &["tier", "name"]), None);
    }

    #[test]
    fn resource_ids_parse_into_their_parts_or_not_at_all() {
        use crate::spec::ResourceId;
        let v = ResourceId::parse(
            "/subscriptions/s1/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub",
        )
        .expect("a VNet id");
        assert_eq!(
            (v.subscription.as_str(), v.resource_group.as_str()),
            ("s1", "rg-hub")
        );
        assert!(v.is("microsoft.network/VIRTUALNETWORKS"));
        assert_eq!(v.name.as_deref(), Some("vnet-hub"));
        assert_eq!(
            v.resource_group_id(),
            "/subscriptions/s1/resourceGroups/rg-hub"
        );
        let g = ResourceId::parse("/subscriptions/s1/resourceGroups/rg-dns").expect("a group id");
        assert!(g.provider_type.is_none() && g.name.is_none());
        for bad in [
            "",
            "subscriptions/s1/resourceGroups/rg",
            "/subscriptions/s1/resourceGroups/rg/",
            "/subscriptions//resourceGroups/rg",
            "/subscriptions/s1/resourcegroups",
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
            "/subscriptions/s1/resourceGroups/rg/things/Microsoft.Network/virtualNetworks/v",
            "/subscriptions/s1/resourceGroups/r g",
            "/tenants/t/resourceGroups/rg",
            "/subscriptions/s1/resourceGroups/rg$(reboot)",
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v`x`",
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v'x",
        ] {
            assert_eq!(ResourceId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut t = serde_json::json!({ "a": "b", "c": { "d": "e", "f": "g" }, "l": [1, 2] });
        merge_patch(
            &mut t,
            &serde_json::json!({ "a": "z", "c": { "f": null, "h": 1 }, "l": [3] }),
        );
        assert_eq!(
            t,
            serde_json::json!({ "a": "z", "c": { "d": "e", "h": 1 }, "l": [3] })
        );
    }

    #[test]
    fn an_environment_is_the_base_with_its_patch_and_findings_land_where_values_are_written()
    -> Result<(), String> {
        // A load that must succeed, or one that must fail: what happened instead, as an error.
        let loads = |r: Result<Loaded, LoadError>| r.map_err(|e| format!("{:?}", e.findings));
        let refused = |r: Result<Loaded, LoadError>| match r {
            Ok(l) => Err(format!("loaded {}", l.spec.name)),
            Err(e) => Ok(e),
        };
        let text = format!(
            "{}\nenvironments:\n  dev:\n    name: contoso-dev\n    cluster:\n      tier: Free\n      nodePools:\n        - {{ name: system, mode: System, os: Linux, vmSize: Standard_D4ds_v5, min: 1, max: 2 }}\n    scaling: {{ hotSpare: null }}\n  bad: 3\n",
            BASELINE_YAML.trim_end()
        );
        let base_lines = BASELINE_YAML.trim_end().lines().count() as u32;
        let dev = loads(load_environment("s.yaml", text.as_bytes(), "dev"))?;
        assert_eq!(dev.spec.name, "contoso-dev");
        assert_eq!(dev.spec.cluster.node_pools.len(), 1, "a list replaces");
        assert!(dev.spec.scaling.hot_spare.is_none(), "null removes");
        assert!(dev.spec.environments.is_empty());
        // Written by the environment: its own line; by the base: the base's.
        assert_eq!(
            dev.index.span("/name").map(|s| s.line),
            Some(base_lines + 3)
        );
        assert_eq!(
            dev.index.span("/cluster/tier").map(|s| s.line),
            Some(base_lines + 5)
        );
        let base = loads(load("s.yaml", text.as_bytes()))?;
        assert_eq!(
            dev.index.span("/location"),
            base.index.span("/location"),
            "not overridden"
        );
        // The base's third pool is gone with the list it was in.
        assert!(!dev.index.is_written("/cluster/nodePools/2"));
        assert!(!dev.index.is_written("/scaling/hotSpare"));
        // The source is the file, never the merged data.
        assert_eq!(dev.source.name, "s.yaml");
        // An unknown environment, and one that is not a mapping.
        let e = refused(load_environment("s.yaml", text.as_bytes(), "prod"))?;
        assert_eq!(e.findings[0].code, "SPEC007");
        assert!(
            e.findings[0]
                .help
                .as_deref()
                .unwrap_or_default()
                .contains("bad, dev")
        );
        let e = refused(load_environment("s.yaml", text.as_bytes(), "bad"))?;
        assert_eq!(e.findings[0].code, "SPEC007");
        // A key the spec does not know, inside an environment: located there.
        let typo = text.replace("      tier: Free", "      teir: Free");
        let e = refused(load_environment("s.yaml", typo.as_bytes(), "dev"))?;
        assert_eq!(e.findings[0].code, "SPEC002", "{:?}", e.findings);
        assert_eq!(e.findings[0].span.map(|s| s.line), Some(base_lines + 5));
        Ok(())
    }
}
