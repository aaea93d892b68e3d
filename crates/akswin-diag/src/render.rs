//! Views of a [`Report`]: human (rustc-style snippets), JSON (versioned), SARIF 2.1.0.

use crate::{Finding, Report, RuleMeta, Severity, Source, Span};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// Version of the `--format json` document. Bump on any incompatible change; fields are only
/// ever added within one version.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// Options of the human view.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    /// Emit ANSI colours.
    pub color: bool,
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

/// rustc/ruff-like text: header, location arrow, source line with carets, help, pointer.
pub fn human(report: &Report, opts: HumanOptions) -> String {
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.waived.is_none()) {
        human_one(&mut out, Some(&report.source), f, opts);
        out.push('\n');
    }
    // Waived findings: one line each, with the waiver's date and reason.
    for f in report.findings.iter().filter(|f| f.waived.is_some()) {
        let _ = writeln!(
            out,
            "waived {}[{}] at {}{}: {} ({})",
            f.severity.as_str(),
            f.code,
            report.source.name,
            f.span
                .map(|s| format!(":{}:{}", s.line, s.col))
                .unwrap_or_default(),
            f.message,
            f.waived.as_deref().unwrap_or_default()
        );
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

fn human_one(out: &mut String, source: Option<&Source>, f: &Finding, opts: HumanOptions) {
    let name = source.map_or("", |s| s.name.as_str());
    let c = opts.color;
    let sev = f.severity;
    let _ = writeln!(
        out,
        "{}{} {}",
        paint(
            c,
            severity_color(sev),
            &format!("{}[{}]", sev.as_str(), f.code)
        ),
        paint(c, "1", ":"),
        paint(c, "1", &f.message)
    );
    match (f.span, source) {
        (Some(span), Some(source)) => {
            let gutter = span.line.to_string().len();
            let pad = " ".repeat(gutter);
            let _ = writeln!(
                out,
                "{pad}{} {}:{}:{}",
                paint(c, "1;34", "-->"),
                name,
                span.line,
                span.col
            );
            if let Some(full) = source.line_text(span.line) {
                let bar = paint(c, "1;34", "|");
                let _ = writeln!(out, "{pad} {bar}");
                // Long lines are cut to a window around the column, marked with `...`.
                let (text, shift) = window(full, span.col);
                let _ = writeln!(
                    out,
                    "{} {bar} {}",
                    paint(c, "1;34", &span.line.to_string()),
                    text.replace('\t', " ")
                );
                let span = Span {
                    col: (i64::from(span.col) - shift).clamp(1, i64::from(u32::MAX)) as u32,
                    end_col: (i64::from(span.end_col) - shift).clamp(1, i64::from(u32::MAX)) as u32,
                    ..span
                };
                let width = text.chars().count() as u32;
                let start = span.col.max(1);
                let end = if span.end_line == span.line {
                    span.end_col.max(start + 1)
                } else {
                    width + 1
                };
                let end = end.min(width.max(start) + 1).max(start + 1);
                let carets = "^".repeat((end - start) as usize);
                let _ = writeln!(
                    out,
                    "{pad} {bar} {}{}",
                    " ".repeat((start - 1) as usize),
                    paint(c, severity_color(sev), &carets)
                );
            }
            let _ = writeln!(out, "{pad} {} pointer: {}", paint(c, "1;34", "="), ptr(f));
            if let Some(h) = &f.help {
                let _ = writeln!(out, "{pad} {} help: {h}", paint(c, "1;34", "="));
            }
        }
        (_, None) => {
            if let Some(h) = &f.help {
                let _ = writeln!(out, "  {} help: {h}", paint(c, "1;34", "="));
            }
        }
        (None, Some(_)) => {
            let _ = writeln!(
                out,
                "  {} {} (not written in the file; value from defaults)",
                paint(c, "1;34", "-->"),
                name
            );
            let _ = writeln!(out, "  {} pointer: {}", paint(c, "1;34", "="), ptr(f));
            if let Some(h) = &f.help {
                let _ = writeln!(out, "  {} help: {h}", paint(c, "1;34", "="));
            }
        }
    }
}

/// At most [`MAX_SNIPPET`] characters of `line` around column `col`, and how far columns
/// move left in the shown text (negative: right; an ellipsis stands in for the cut start).
fn window(line: &str, col: u32) -> (String, i64) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_SNIPPET {
        return (line.to_string(), 0);
    }
    let col = (col.max(1) - 1) as usize;
    let start = col
        .saturating_sub(MAX_SNIPPET / 3)
        .min(chars.len().saturating_sub(MAX_SNIPPET));
    let end = (start + MAX_SNIPPET).min(chars.len());
    let mut s = String::new();
    if start > 0 {
        s.push_str("...");
    }
    s.extend(&chars[start..end]);
    if end < chars.len() {
        s.push_str("...");
    }
    // Columns move left by the characters cut, and right by the `...` shown instead.
    let shift = if start > 0 { start as i64 - 3 } else { 0 };
    (s, shift)
}

/// Longest source line shown in a snippet.
const MAX_SNIPPET: usize = 120;

fn ptr(f: &Finding) -> &str {
    if f.pointer.is_empty() {
        "/"
    } else {
        &f.pointer
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `akswin.yaml: 1 error, 2 warnings, 0 infos` or `akswin.yaml: no findings`.
pub fn summary_line(report: &Report) -> String {
    if report.findings.is_empty() {
        return format!("{}: no findings", report.source.name);
    }
    let waived = report.waived();
    format!(
        "{}: {}, {}, {}{}",
        report.source.name,
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning"),
        plural(report.count(Severity::Info), "info"),
        if waived > 0 {
            format!(" ({waived} waived)")
        } else {
            String::new()
        }
    )
}

/// The `--format json` document (see docs/output.md for the field list).
/// One finding as every JSON output writes it: `code`, `severity`, `message`, `pointer`,
/// `location` (`{file, line, col, endLine, endCol}`, or null), `help`, `waived`.
pub fn finding_json(f: &Finding, file: Option<&str>) -> Value {
    json!({
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "pointer": f.pointer,
        "location": match (f.span, file) {
            (Some(s), Some(file)) => json!({ "file": file, "line": s.line, "col": s.col, "endLine": s.end_line, "endCol": s.end_col }),
            _ => Value::Null,
        },
        "help": f.help,
        "waived": f.waived,
    })
}

pub fn json(report: &Report, tool_version: &str) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| finding_json(f, Some(&report.source.name)))
        .collect();
    json!({
        "schemaVersion": JSON_SCHEMA_VERSION,
        "tool": { "name": "akswin", "version": tool_version },
        "source": report.source.name,
        "findings": findings,
        "summary": {
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "infos": report.count(Severity::Info),
            "waived": report.waived(),
        }
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF 2.1.0 log with one run, one rule descriptor per registered rule (`rules`), and one
/// result per finding. Findings whose code is not in `rules` (input errors) still get a
/// descriptor so that every `ruleIndex` is valid.
pub fn sarif(report: &Report, rules: &[RuleMeta], tool_version: &str) -> Value {
    let mut descriptors: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": crate::clean_doc(r.doc) },
                "help": { "text": crate::clean_doc(r.doc), "markdown": crate::clean_doc(r.doc) },
                "defaultConfiguration": { "level": sarif_level(r.severity) },
            })
        })
        .collect();
    let mut ids: Vec<String> = rules.iter().map(|r| r.code.to_string()).collect();
    let mut results = Vec::new();
    for f in &report.findings {
        let index = match ids.iter().position(|id| *id == f.code) {
            Some(i) => i,
            None => {
                ids.push(f.code.clone());
                descriptors.push(json!({
                    "id": f.code,
                    "shortDescription": { "text": f.code },
                    "defaultConfiguration": { "level": sarif_level(f.severity) },
                }));
                ids.len() - 1
            }
        };
        let mut text = f.message.clone();
        if let Some(h) = &f.help {
            text.push_str("\nhelp: ");
            text.push_str(h);
        }
        let mut physical = json!({ "artifactLocation": { "uri": report.source.name } });
        if let Some(s) = f.span {
            physical["region"] = json!({
                "startLine": s.line,
                "startColumn": s.col,
                "endLine": s.end_line,
                "endColumn": s.end_col,
            });
        }
        let mut result = json!({
            "ruleId": f.code,
            "ruleIndex": index,
            "level": sarif_level(f.severity),
            "message": { "text": text },
            "locations": [{
                "physicalLocation": physical,
                "logicalLocations": [{ "fullyQualifiedName": ptr(f), "kind": "member" }],
            }],
        });
        // A waiver in the source: a suppression of kind inSource (SARIF 2.1.0, 3.35).
        if let Some(w) = &f.waived {
            result["suppressions"] = json!([{ "kind": "inSource", "justification": w }]);
        }
        results.push(result);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "akswin",
                "version": tool_version,
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// Findings over several sources (`akswin audit`): `(source index, finding)`; an index past
/// the end is a note about the whole run (missing context), shown without a location.
pub struct Multi<'a> {
    pub sources: &'a [Source],
    pub findings: &'a [(usize, Finding)],
}

impl Multi<'_> {
    fn source(&self, i: usize) -> Option<&Source> {
        self.sources.get(i)
    }
    /// Findings of severity `s` that no waiver accepts.
    pub fn count(&self, s: Severity) -> usize {
        self.findings
            .iter()
            .filter(|(_, f)| f.severity == s && f.waived.is_none())
            .count()
    }
    /// Findings a waiver accepts.
    pub fn waived(&self) -> usize {
        self.findings
            .iter()
            .filter(|(_, f)| f.waived.is_some())
            .count()
    }
}

pub fn multi_human(m: &Multi<'_>, opts: HumanOptions) -> String {
    let mut out = String::new();
    for (i, f) in m.findings.iter().filter(|(_, f)| f.waived.is_none()) {
        human_one(&mut out, m.source(*i), f, opts);
        out.push('\n');
    }
    // Waived findings: one line each, with the waiver's date and reason.
    for (i, f) in m.findings.iter().filter(|(_, f)| f.waived.is_some()) {
        let _ = writeln!(
            out,
            "waived {}[{}] at {}{}: {} ({})",
            f.severity.as_str(),
            f.code,
            m.source(*i).map_or("", |s| s.name.as_str()),
            f.span
                .map(|s| format!(":{}:{}", s.line, s.col))
                .unwrap_or_default(),
            f.message,
            f.waived.as_deref().unwrap_or_default()
        );
    }
    let files = m.sources.len();
    if m.findings.is_empty() {
        let _ = writeln!(out, "{}: no findings", plural(files, "input"));
    } else {
        let waived = m.waived();
        let _ = writeln!(
            out,
            "{}: {}, {}, {}{}",
            plural(files, "input"),
            plural(m.count(Severity::Error), "error"),
            plural(m.count(Severity::Warning), "warning"),
            plural(m.count(Severity::Info), "info"),
            if waived > 0 {
                format!(" ({waived} waived)")
            } else {
                String::new()
            }
        );
    }
    out
}

pub fn multi_json(m: &Multi<'_>, tool_version: &str) -> Value {
    let mut v = multi_json_envelope(m, tool_version);
    v["findings"] = Value::Array(multi_json_items(m).collect());
    v
}

/// `multi_json` without its findings (an empty array where they go).
fn multi_json_envelope(m: &Multi<'_>, tool_version: &str) -> Value {
    json!({
        "schemaVersion": JSON_SCHEMA_VERSION,
        "tool": { "name": "akswin", "version": tool_version },
        "inputs": m.sources.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        "findings": [],
        "summary": { "errors": m.count(Severity::Error), "warnings": m.count(Severity::Warning), "infos": m.count(Severity::Info), "waived": m.waived() }
    })
}

/// `multi_json`'s findings, one at a time.
fn multi_json_items<'m>(m: &'m Multi<'_>) -> impl Iterator<Item = Value> + 'm {
    m.findings
        .iter()
        .map(|(i, f)| finding_json(f, m.source(*i).map(|s| s.name.as_str())))
}

/// Write `multi_json` to `w` as `serde_json::to_writer_pretty` would, making one finding at a
/// time: the document is never whole in memory (an audit of 100,000 documents has tens of
/// thousands of findings).
pub fn write_multi_json<W: std::io::Write>(
    w: W,
    m: &Multi<'_>,
    tool_version: &str,
) -> std::io::Result<()> {
    write_streamed(
        w,
        &multi_json_envelope(m, tool_version),
        &["findings"],
        multi_json_items(m),
    )
}

/// Write `multi_sarif` to `w` as `serde_json::to_writer_pretty` would, one result at a time.
pub fn write_multi_sarif<W: std::io::Write>(
    w: W,
    m: &Multi<'_>,
    rules: &[RuleMeta],
    tool_version: &str,
) -> std::io::Result<()> {
    let ids: Vec<&str> = rules.iter().map(|r| r.code).collect();
    write_streamed(
        w,
        &multi_sarif_envelope(rules, tool_version),
        &["runs", "0", "results"],
        multi_sarif_items(m, &ids),
    )
}

/// `envelope` written pretty to `w`, with the array at `path` (object keys, array indexes)
/// replaced by `items`, serialised as they come; then a newline.
fn write_streamed<W: std::io::Write>(
    w: W,
    envelope: &Value,
    path: &[&str],
    items: impl Iterator<Item = Value>,
) -> std::io::Result<()> {
    struct At<'a, I> {
        v: &'a Value,
        path: &'a [&'a str],
        items: &'a std::cell::RefCell<Option<I>>,
    }
    impl<I: Iterator<Item = Value>> serde::Serialize for At<'_, I> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::{SerializeMap, SerializeSeq};
            let Some((first, rest)) = self.path.split_first() else {
                let items = self.items.borrow_mut().take();
                return s.collect_seq(items.into_iter().flatten());
            };
            match self.v {
                Value::Object(map) => {
                    let mut out = s.serialize_map(Some(map.len()))?;
                    for (k, v) in map {
                        if k == first {
                            out.serialize_entry(
                                k,
                                &At {
                                    v,
                                    path: rest,
                                    items: self.items,
                                },
                            )?;
                        } else {
                            out.serialize_entry(k, v)?;
                        }
                    }
                    out.end()
                }
                Value::Array(a) => {
                    let mut out = s.serialize_seq(Some(a.len()))?;
                    for (i, v) in a.iter().enumerate() {
                        if first.parse() == Ok(i) {
                            out.serialize_element(&At {
                                v,
                                path: rest,
                                items: self.items,
                            })?;
                        } else {
                            out.serialize_element(v)?;
                        }
                    }
                    out.end()
                }
                v => v.serialize(s),
            }
        }
    }
    let items = std::cell::RefCell::new(Some(items));
    let mut w = std::io::BufWriter::new(w);
    serde_json::to_writer_pretty(
        &mut w,
        &At {
            v: envelope,
            path,
            items: &items,
        },
    )?;
    std::io::Write::write_all(&mut w, b"\n")?;
    std::io::Write::flush(&mut w)
}

pub fn multi_sarif(m: &Multi<'_>, rules: &[RuleMeta], tool_version: &str) -> Value {
    let ids: Vec<&str> = rules.iter().map(|r| r.code).collect();
    let mut log = multi_sarif_envelope(rules, tool_version);
    log["runs"][0]["results"] = Value::Array(multi_sarif_items(m, &ids).collect());
    log
}

/// One SARIF run without results (each result carries its own artifact).
fn multi_sarif_envelope(rules: &[RuleMeta], tool_version: &str) -> Value {
    let mut log = sarif(
        &Report {
            source: Source::new("", ""),
            findings: Vec::new(),
        },
        rules,
        tool_version,
    );
    log["runs"][0]["results"] = json!([]);
    log
}

/// `multi_sarif`'s results, one at a time.
fn multi_sarif_items<'m>(m: &'m Multi<'_>, ids: &'m [&'m str]) -> impl Iterator<Item = Value> + 'm {
    m.findings.iter().map(move |(i, f)| {
        let mut text = f.message.clone();
        if let Some(h) = &f.help {
            text.push_str("\nhelp: ");
            text.push_str(h);
        }
        let mut r = json!({
            "ruleId": f.code,
            "level": sarif_level(f.severity),
            "message": { "text": text },
        });
        if let Some(idx) = ids.iter().position(|c| *c == f.code) {
            r["ruleIndex"] = json!(idx);
        }
        if let Some(src) = m.source(*i) {
            let mut physical = json!({ "artifactLocation": { "uri": src.name } });
            if let Some(s) = f.span {
                physical["region"] = json!({ "startLine": s.line, "startColumn": s.col, "endLine": s.end_line, "endColumn": s.end_col });
            }
            r["locations"] = json!([ { "physicalLocation": physical, "logicalLocations": [ { "fullyQualifiedName": ptr(f), "kind": "member" } ] } ]);
        }
        // A waiver (SARIF 2.1.0, 3.35): from audit's waiver file (`waived by FILE ...`) a
        // suppression of kind external; written in the input itself, of kind inSource.
        if let Some(w) = &f.waived {
            let kind = if w.starts_with("waived by ") {
                "external"
            } else {
                "inSource"
            };
            r["suppressions"] = json!([{ "kind": kind, "justification": w }]);
        }
        r
    })
}

/// Text for XML 1.0 attribute and element content: markup escaped, and characters XML 1.0
/// cannot carry at all (controls other than tab, newline and carriage return; lone surrogates
/// cannot occur in a `str`; U+FFFE and U+FFFF) replaced by U+FFFD, so the document stays
/// well-formed whatever a file name or a message holds.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test suite per input, one failing test case per error or warning finding
/// (infos are left out), so CI systems show each finding as a failed check. Findings about the
/// whole run (no input) get a suite of their own. The totals are the sums of the suites, so
/// `failures` never exceeds `tests`.
pub fn multi_junit(m: &Multi<'_>) -> String {
    let counted = |f: &Finding| f.severity != Severity::Info && f.waived.is_none();
    // (suite name, the input's name for locations, its findings)
    let mut suites: Vec<(String, String, Vec<&Finding>)> = m
        .sources
        .iter()
        .enumerate()
        .map(|(i, src)| {
            let mine = m
                .findings
                .iter()
                .filter(|(j, f)| *j == i && counted(f))
                .map(|(_, f)| f)
                .collect();
            (src.name.clone(), src.name.clone(), mine)
        })
        .collect();
    let run: Vec<&Finding> = m
        .findings
        .iter()
        .filter(|(j, f)| *j >= m.sources.len() && counted(f))
        .map(|(_, f)| f)
        .collect();
    if !run.is_empty() || suites.is_empty() {
        suites.push(("akswin audit".into(), String::new(), run));
    }
    let tests: usize = suites.iter().map(|(_, _, f)| f.len().max(1)).sum();
    let failures: usize = suites.iter().map(|(_, _, f)| f.len()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"akswin audit\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    for (name, file, mine) in &suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">",
            xml(name),
            mine.len().max(1),
            mine.len()
        );
        if mine.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase classname=\"akswin\" name=\"{}\"/>",
                xml(name)
            );
        }
        for f in mine {
            let loc = match (f.span, file.is_empty()) {
                (Some(s), false) => format!("{file}:{}:{}", s.line, s.col),
                (_, false) => file.clone(),
                (_, true) => "(whole run)".to_string(),
            };
            let _ = writeln!(
                out,
                "    <testcase classname=\"{}\" name=\"{} {}\">",
                xml(&f.code),
                xml(&loc),
                xml(&f.pointer)
            );
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                f.severity,
                xml(&f.message),
                xml(&format!(
                    "{loc}: {}{}",
                    f.message,
                    f.help
                        .as_ref()
                        .map(|h| format!("\nhelp: {h}"))
                        .unwrap_or_default()
                ))
            );
            let _ = writeln!(out, "    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    let _ = writeln!(out, "</testsuites>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Source;

    fn sample() -> Report {
        let src = Source::new("a.yaml", "name: x\ncluster:\n  tier: Free\n");
        let f = Finding::new("SEC001", Severity::Warning, "/cluster/tier", "tier is Free")
            .with_span(Some(Span {
                line: 3,
                col: 9,
                end_line: 3,
                end_col: 13,
            }))
            .with_help("use Standard");
        Report::new(src, vec![f])
    }

    #[test]
    fn human_has_snippet_and_caret() {
        let text = human(&sample(), HumanOptions::default());
        assert!(text.contains("warning[SEC001]: tier is Free"), "{text}");
        assert!(text.contains("--> a.yaml:3:9"), "{text}");
        assert!(text.contains("3 |   tier: Free"), "{text}");
        assert!(text.contains("  |         ^^^^\n"), "{text}");
        assert!(text.contains("= help: use Standard"), "{text}");
        assert!(
            text.ends_with("a.yaml: 0 errors, 1 warning, 0 infos\n"),
            "{text}"
        );
    }

    #[test]
    fn long_lines_are_windowed_around_the_caret() {
        let line = format!("{}XYZ{}", "a".repeat(500), "b".repeat(500));
        let src = Source::new("l.yaml", line);
        let f = Finding::new("SPEC001", Severity::Error, "", "bad").with_span(Some(Span {
            line: 1,
            col: 501,
            end_line: 1,
            end_col: 504,
        }));
        let text = human(&Report::new(src, vec![f]), HumanOptions::default());
        let shown = text.lines().nth(3).unwrap_or_default();
        let caret = text.lines().nth(4).unwrap_or_default();
        assert!(shown.len() < 140, "{shown}");
        let at = caret.find('^').unwrap_or(0);
        assert_eq!(&shown[at..at + 3], "XYZ", "{shown}\n{caret}");
    }

    #[test]
    fn windows_near_the_line_start_keep_the_caret_in_place() {
        // Found by the fuzzer: a window starting at character 1 or 2 underflowed.
        for cut in 1..=5usize {
            let col = (MAX_SNIPPET / 3 + cut + 1) as u32;
            let line = format!(
                "{}X{}",
                "a".repeat(col as usize - 1),
                "b".repeat(MAX_SNIPPET + 10)
            );
            let src = Source::new("w.yaml", line);
            let f = Finding::new("SPEC001", Severity::Error, "", "bad").with_span(Some(Span {
                line: 1,
                col,
                end_line: 1,
                end_col: col + 1,
            }));
            let text = human(&Report::new(src, vec![f]), HumanOptions::default());
            let shown = text.lines().nth(3).unwrap_or_default();
            let caret = text.lines().nth(4).unwrap_or_default();
            let at = caret.find('^').unwrap_or(0);
            assert_eq!(&shown[at..at + 1], "X", "cut {cut}:\n{shown}\n{caret}");
        }
    }

    #[test]
    fn json_is_versioned() {
        let v = json(&sample(), "0.0.0");
        assert_eq!(v["schemaVersion"], 1);
        assert_eq!(v["findings"][0]["location"]["line"], 3);
        assert_eq!(v["summary"]["warnings"], 1);
    }

    #[test]
    fn sarif_validates_against_the_official_schema() {
        let Some(path) =
            akswin_testkit::reference("sarif/sarif-schema-2.1.0.json", "SARIF schema conformance")
        else {
            return;
        };
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(path).expect("reference SARIF schema present"),
        )
        .expect("schema is JSON");
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        let rules = [RuleMeta {
            code: "SEC001",
            name: "public-api-server",
            severity: Severity::Warning,
            summary: "s",
            doc: "d",
        }];
        let log = sarif(&sample(), &rules, "0.0.0");
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(log["runs"][0]["results"][0]["ruleIndex"], 0);
        // an unregistered code gets its own descriptor
        let mut r = sample();
        r.findings[0].code = "SPEC002".into();
        let log = sarif(&r, &rules, "0.0.0");
        assert_eq!(log["runs"][0]["results"][0]["ruleIndex"], 1);
        assert!(validator.is_valid(&log));
    }

    #[test]
    fn junit_is_well_formed_and_failures_never_exceed_tests() {
        let sources = vec![
            Source::new("odd\u{1}name\u{1b}[31m.yaml", "a: 1\n"),
            Source::new("clean.yaml", "a: 1\n"),
        ];
        let f = |code: &str, msg: &str| Finding::new(code, Severity::Error, "/a/b~1c", msg);
        let findings = vec![
            (
                0,
                f("WIN001", "bad \u{0}byte & <tag> \u{FFFF}").with_span(Some(Span::point(1, 1))),
            ),
            (0, f("WIN004", "second")),
            (0, Finding::new("WIN014", Severity::Info, "", "an info")),
            (7, f("K8S000", "about the whole run")),
        ];
        let out = multi_junit(&Multi {
            sources: &sources,
            findings: &findings,
        });
        let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
        let root = doc.root_element();
        let n = |e: roxmltree::Node<'_, '_>, a: &str| -> usize {
            e.attribute(a).and_then(|v| v.parse().ok()).expect("count")
        };
        let (tests, failures) = (n(root, "tests"), n(root, "failures"));
        assert_eq!(failures, 3);
        assert!(failures <= tests, "{out}");
        let suites: Vec<_> = root.children().filter(|c| c.is_element()).collect();
        assert_eq!(suites.len(), 3);
        assert_eq!(suites.iter().map(|s| n(*s, "tests")).sum::<usize>(), tests);
        assert_eq!(
            suites.iter().map(|s| n(*s, "failures")).sum::<usize>(),
            failures
        );
        let cases = root
            .descendants()
            .filter(|d| d.has_tag_name("testcase"))
            .count();
        assert_eq!(cases, tests);
    }
}

#[cfg(test)]
mod streamed_tests {
    use super::*;

    /// The streamed JSON and SARIF writers write byte for byte what the whole documents
    /// pretty-print to.
    #[test]
    fn streamed_equals_whole() -> std::io::Result<()> {
        let sources = vec![Source::new("a.yaml", "x: 1\n"), Source::new("b.yaml", "")];
        let findings = vec![
            (
                0,
                Finding::new("WIN001", Severity::Error, "/spec", "m1")
                    .with_span(Some(Span::point(1, 1)))
                    .with_help("h"),
            ),
            (1, Finding::new("K8S000", Severity::Warning, "", "m2")),
            (
                usize::MAX,
                Finding::new("WIN012", Severity::Info, "", "note"),
            ),
        ];
        let m = Multi {
            sources: &sources,
            findings: &findings,
        };
        let mut buf = Vec::new();
        write_multi_json(&mut buf, &m, "9.9")?;
        let whole = serde_json::to_string_pretty(&multi_json(&m, "9.9")).unwrap_or_default() + "\n";
        assert_eq!(String::from_utf8_lossy(&buf), whole);
        let rules = [RuleMeta {
            code: "WIN001",
            name: "windows-pod-without-os-selector",
            severity: Severity::Error,
            summary: "s",
            doc: "d",
        }];
        let mut buf = Vec::new();
        write_multi_sarif(&mut buf, &m, &rules, "9.9")?;
        let whole = serde_json::to_string_pretty(&multi_sarif(&m, &rules, "9.9"))
            .unwrap_or_default()
            + "\n";
        assert_eq!(String::from_utf8_lossy(&buf), whole);
        // Nothing to stream: an empty array, as the whole form writes it.
        let none = Multi {
            sources: &sources,
            findings: &[],
        };
        let mut buf = Vec::new();
        write_multi_json(&mut buf, &none, "9.9")?;
        let whole =
            serde_json::to_string_pretty(&multi_json(&none, "9.9")).unwrap_or_default() + "\n";
        assert_eq!(String::from_utf8_lossy(&buf), whole);
        Ok(())
    }
}
