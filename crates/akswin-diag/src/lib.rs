//! akswin-diag owns what a finding *is* and how it is shown.
//!
//! A [`Finding`] is data: a rule code, a severity, a message, an optional source [`Span`], the
//! JSON pointer of the offending value and an optional help text. The views in [`render`]
//! (human, JSON, SARIF 2.1.0) turn a [`Report`] into text. This crate must not read files,
//! print, or decide exit codes: that belongs to the CLI.

pub mod render;
mod source;

pub use source::{Source, Span, normalize_newlines};

use serde::Serialize;
use std::fmt;

/// How bad a finding is. `Error` blocks `render` and makes `check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
    /// One-letter form used in the rule catalogue (E, W, I).
    pub fn letter(self) -> char {
        match self {
            Severity::Error => 'E',
            Severity::Warning => 'W',
            Severity::Info => 'I',
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule code, e.g. `POOL004`, or an input-error code such as `SPEC002`.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// RFC 6901 pointer into the spec (or manifest) of the value the finding is about.
    pub pointer: String,
    /// Where the value is in the source, when it has one (defaults applied by akswin have none;
    /// their finding points at the nearest ancestor that is written in the file).
    pub span: Option<Span>,
    pub help: Option<String>,
    /// Accepted by a waiver in the source (`# akswin: allow CODE until DATE: reason`): its
    /// date and reason. A waived finding is shown apart and counts toward no exit code.
    pub waived: Option<String>,
}

impl Finding {
    pub fn new(
        code: impl Into<String>,
        severity: Severity,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            code: code.into(),
            severity,
            message: message.into(),
            pointer: pointer.into(),
            span: None,
            help: None,
            waived: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_span(mut self, span: Option<Span>) -> Self {
        self.span = span;
        self
    }
}

/// What the SARIF view needs to know about a rule (one descriptor per registered rule).
#[derive(Debug, Clone, Serialize)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub doc: &'static str,
}

/// The findings of one run over one source, sorted for stable output.
#[derive(Debug, Clone)]
pub struct Report {
    pub source: Source,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(source: Source, mut findings: Vec<Finding>) -> Self {
        sort_findings(&mut findings);
        Report { source, findings }
    }

    /// Findings of this severity that no waiver accepts.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity && f.waived.is_none())
            .count()
    }

    /// Findings a waiver accepts.
    pub fn waived(&self) -> usize {
        self.findings.iter().filter(|f| f.waived.is_some()).count()
    }
}

/// Sort by position, then code, then pointer: same input, same output order.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let ka = a.span.map(|s| (s.line, s.col)).unwrap_or((0, 0));
        let kb = b.span.map(|s| (s.line, s.col)).unwrap_or((0, 0));
        ka.cmp(&kb)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.pointer.cmp(&b.pointer))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// Escape one reference token for a JSON pointer (RFC 6901).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A rule's doc comment as Markdown: `///` lines arrive with one leading space each.
pub fn clean_doc(doc: &str) -> String {
    let mut out: String = doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// Declares a rule struct whose `///` doc comment becomes its documentation
/// (`RuleMeta::doc`, printed by `akswin explain`). Used by the spec rules and the manifest rules.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            severity: $sev:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                code: $code,
                name: $rname,
                severity: $crate::Severity::$sev,
                summary: $summary,
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
}
