//! Waivers: a team accepts one finding, with a reason and an end date, by a comment in the
//! spec on the finding's line or on the line above it:
//!
//! ```yaml
//! publicIps: 2  # akswin: allow EGR005 until 2027-03-31: dev cluster, SNAT measured at 5 %
//! # akswin: allow POOL010, NET004 until 2027-01-15: single-zone region until the move
//! - { name: win22, ... }
//! ```
//!
//! A waived finding is shown apart and counts toward no exit code (SARIF: a suppression of
//! kind `inSource`). A waiver without a reason, with a bad date, or past its date is an error
//! (WVR001), and the finding is back; one that accepts nothing is a warning.

use akswin_diag::{Finding, Severity, Span};
use chrono::NaiveDate;

/// One waiver comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// Where the comment is (1-based line and column of `#`).
    pub at: Span,
    /// The line whose findings it accepts.
    pub line: u32,
    pub codes: Vec<String>,
    pub until: NaiveDate,
    pub reason: String,
}

/// A comment that says `akswin:` but is no valid waiver: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub at: Span,
    pub why: String,
}

const GRAMMAR: &str = "# akswin: allow CODE[, CODE] until YYYY-MM-DD: reason";

fn is_code(s: &str) -> bool {
    let letters = s.chars().take_while(|c| c.is_ascii_uppercase()).count();
    letters >= 2 && s.len() > letters && s[letters..].chars().all(|c| c.is_ascii_digit())
}

/// Parse one comment's text after `akswin:`.
fn parse_body(body: &str) -> Result<(Vec<String>, NaiveDate, String), String> {
    let rest = body
        .trim_start()
        .strip_prefix("allow")
        .ok_or_else(|| format!("expected `{GRAMMAR}`"))?;
    let (codes, rest) = rest
        .split_once(" until ")
        .ok_or_else(|| format!("no `until YYYY-MM-DD`: a waiver ends ({GRAMMAR})"))?;
    let codes: Vec<String> = codes
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if codes.is_empty() || !codes.iter().all(|c| is_code(c)) {
        return Err(format!(
            "`{}` is not a list of codes such as EGR005, POOL010",
            codes.join(", ")
        ));
    }
    let (date, reason) = rest
        .split_once(':')
        .ok_or_else(|| format!("no reason: a waiver says why ({GRAMMAR})"))?;
    let until = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{}` is not a date YYYY-MM-DD", date.trim()))?;
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return Err(format!("no reason: a waiver says why ({GRAMMAR})"));
    }
    Ok((codes, until, reason))
}

/// The waivers in a spec's text, and the comments that try to be one and fail.
pub fn parse(text: &str) -> (Vec<Waiver>, Vec<Malformed>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut waivers = Vec::new();
    let mut malformed = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        // The `#` whose comment starts with `akswin:` (a `#` inside a value comes earlier).
        let Some((hash, body)) = l.match_indices('#').find_map(|(h, _)| {
            l[h + 1..]
                .trim_start()
                .strip_prefix("akswin:")
                .map(|b| (h, b))
        }) else {
            continue;
        };
        let col = l[..hash].chars().count() as u32 + 1;
        let at = Span {
            line: i as u32 + 1,
            col,
            end_line: i as u32 + 1,
            end_col: l.chars().count() as u32 + 1,
        };
        // Inline: this line's findings; alone on its line: the next line with content.
        let line = if l[..hash].trim().is_empty() {
            match lines[i + 1..]
                .iter()
                .position(|n| !n.trim().is_empty() && !n.trim_start().starts_with('#'))
            {
                Some(k) => (i + 1 + k) as u32 + 1,
                None => {
                    malformed.push(Malformed {
                        at,
                        why: "a waiver on its own line applies to the next line, and there is none"
                            .into(),
                    });
                    continue;
                }
            }
        } else {
            at.line
        };
        match parse_body(body) {
            Ok((codes, until, reason)) => waivers.push(Waiver {
                at,
                line,
                codes,
                until,
                reason,
            }),
            Err(why) => malformed.push(Malformed { at, why }),
        }
    }
    (waivers, malformed)
}

/// Apply the waivers of `text` to `findings` as of `today`; returns the findings about the
/// waivers themselves (code `code`: malformed, expired, or accepting nothing).
pub fn apply(text: &str, findings: &mut [Finding], today: NaiveDate, code: &str) -> Vec<Finding> {
    let (waivers, malformed) = parse(text);
    apply_parsed(waivers, malformed, findings, today, code)
}

/// [`apply`] with the waivers already parsed (an audit parses them while it holds a file's
/// text, and applies them once the file's deferred judgements are made).
pub fn apply_parsed(
    waivers: Vec<Waiver>,
    malformed: Vec<Malformed>,
    findings: &mut [Finding],
    today: NaiveDate,
    code: &str,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = malformed
        .into_iter()
        .map(|m| {
            let mut f = Finding::new(
                code,
                Severity::Error,
                "",
                format!("invalid waiver: {}", m.why),
            )
            .with_help(format!(
                "write `{GRAMMAR}` on the finding's line or the line above"
            ));
            f.span = Some(m.at);
            f
        })
        .collect();
    for w in waivers {
        if w.until < today {
            let mut f = Finding::new(
                code,
                Severity::Error,
                "",
                format!(
                    "the waiver of {} ended on {}: the findings it accepted are back",
                    w.codes.join(", "),
                    w.until
                ),
            )
            .with_help(
                "fix what it accepted, or renew it with a new date and the reason it still holds",
            );
            f.span = Some(w.at);
            out.push(f);
            continue;
        }
        let mut used = false;
        for f in findings.iter_mut() {
            if f.span.is_some_and(|s| s.line == w.line) && w.codes.contains(&f.code) {
                f.waived = Some(format!("waived until {}: {}", w.until, w.reason));
                used = true;
            }
        }
        if !used {
            let mut f = Finding::new(
                code,
                Severity::Warning,
                "",
                format!(
                    "the waiver of {} accepts nothing: no such finding on line {}",
                    w.codes.join(", "),
                    w.line
                ),
            )
            .with_help("remove it (the finding is gone, or it is reported on another line)");
            f.span = Some(w.at);
            out.push(f);
        }
    }
    out
}

/// One waiver of an audit's waiver file: codes accepted in the inputs whose name matches
/// `glob`, until a date, for a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWaiver {
    /// Where the line is (1-based).
    pub at: Span,
    pub codes: Vec<String>,
    pub glob: String,
    pub until: NaiveDate,
    pub reason: String,
}

const FILE_GRAMMAR: &str = "allow CODE[, CODE] in GLOB until YYYY-MM-DD: reason";

/// The waivers of an audit's waiver file: one per line, `allow CODE[, CODE] in GLOB until
/// YYYY-MM-DD: reason` (GLOB matches the audited input's name, as printed); blank lines and
/// `#` comments are skipped.
pub fn parse_file(text: &str) -> (Vec<FileWaiver>, Vec<Malformed>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let at = Span {
            line: n as u32 + 1,
            col: 1,
            end_line: n as u32 + 1,
            end_col: line.chars().count() as u32 + 1,
        };
        // `allow CODES in GLOB until ...`: take the glob out, and the rest is a waiver's body.
        let parsed = t
            .split_once(" in ")
            .and_then(|(codes, rest)| {
                let (glob, tail) = rest.split_once(" until ")?;
                Some((format!("{codes} until {tail}"), glob.trim().to_string()))
            })
            .ok_or_else(|| format!("expected `{FILE_GRAMMAR}`"))
            .and_then(|(body, glob)| {
                if glob.is_empty() {
                    return Err(format!("no GLOB: expected `{FILE_GRAMMAR}`"));
                }
                parse_body(&body).map(|(codes, until, reason)| (codes, glob, until, reason))
            });
        match parsed {
            Ok((codes, glob, until, reason)) => ok.push(FileWaiver {
                at,
                codes,
                glob,
                until,
                reason,
            }),
            Err(why) => bad.push(Malformed { at, why }),
        }
    }
    (ok, bad)
}

/// Apply an audit's waiver file (`file` names it) to its findings (`(input index, finding)`;
/// `names` the inputs' names): a finding of a listed code in a matching input is waived, its
/// `waived` reading `waived by FILE until DATE: reason`. Returns the
/// file's own findings (WVR001: malformed or expired waivers are errors, a waiver that
/// accepts nothing is a warning), to be reported at the file.
pub fn apply_file(
    file: &str,
    text: &str,
    names: &[String],
    findings: &mut [(usize, Finding)],
    today: NaiveDate,
) -> Vec<Finding> {
    let (waivers, malformed) = parse_file(text);
    let mut out: Vec<Finding> = malformed
        .into_iter()
        .map(|m| {
            Finding::new(
                "WVR001",
                Severity::Error,
                "",
                format!("invalid waiver: {}", m.why),
            )
            .with_span(Some(m.at))
            .with_help(format!("write one waiver a line: `{FILE_GRAMMAR}`"))
        })
        .collect();
    for w in waivers {
        let matcher = match globset::Glob::new(&w.glob) {
            Ok(g) => g.compile_matcher(),
            Err(e) => {
                out.push(
                    Finding::new(
                        "WVR001",
                        Severity::Error,
                        "",
                        format!("invalid waiver: `{}` is not a glob: {e}", w.glob),
                    )
                    .with_span(Some(w.at))
                    .with_help("a glob such as charts/legacy/** or **/web.yaml"),
                );
                continue;
            }
        };
        if w.until < today {
            out.push(
                Finding::new(
                    "WVR001",
                    Severity::Error,
                    "",
                    format!(
                        "the waiver of {} in {} ended on {}: the findings it accepted are back",
                        w.codes.join(", "),
                        w.glob,
                        w.until
                    ),
                )
                .with_span(Some(w.at))
                .with_help(
                    "fix what it accepted, or renew it with a new date and the reason it still holds",
                ),
            );
            continue;
        }
        let mut used = false;
        for (i, f) in findings.iter_mut() {
            if w.codes.contains(&f.code) && names.get(*i).is_some_and(|n| matcher.is_match(n)) {
                f.waived = Some(format!("waived by {file} until {}: {}", w.until, w.reason));
                used = true;
            }
        }
        if !used {
            out.push(
                Finding::new(
                    "WVR001",
                    Severity::Warning,
                    "",
                    format!(
                        "the waiver of {} in {} accepts nothing: no such finding in a matching input",
                        w.codes.join(", "),
                        w.glob
                    ),
                )
                .with_span(Some(w.at))
                .with_help("remove it (the finding is gone), or correct its glob"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn waivers_inline_and_above_parse_and_bad_ones_say_why() {
        let text = "a: 1  # akswin: allow EGR005 until 2027-03-31: measured\n# akswin: allow POOL010, NET004 until 2027-01-15: the move\n\nb: 2\n# akswin: allow EGR005 until 2027-03-31\nc: 3  # akswin: allow egr5 until 2027-01-01: x\nd: 4  # akswin: allow EGR005 until 2027-13-01: x\ne: 5  # akswin: allow EGR005 until 2027-01-01:   \n";
        let (w, m) = parse(text);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(
            (w[0].line, w[0].codes.clone()),
            (1, vec!["EGR005".to_string()])
        );
        assert_eq!(w[1].line, 4, "the next line with content");
        assert_eq!(w[1].codes, ["POOL010", "NET004"]);
        assert_eq!(m.len(), 4, "{m:?}");
        assert!(m[0].why.contains("no reason"));
        assert!(m[1].why.contains("codes"));
        assert!(m[2].why.contains("date"));
        assert!(m[3].why.contains("no reason"));
    }

    #[test]
    fn a_waiver_accepts_its_line_s_findings_until_its_date() {
        let text = "a: 1  # akswin: allow EGR005 until 2027-03-31: measured\nb: 2\n";
        let mk = |code: &str, line: u32| {
            let mut f = Finding::new(code, Severity::Warning, "/a", "m");
            f.span = Some(Span::point(line, 1));
            f
        };
        let mut fs = vec![mk("EGR005", 1), mk("EGR004", 1), mk("EGR005", 2)];
        let extra = apply(text, &mut fs, d("2027-03-31"), "WVR001");
        assert!(extra.is_empty(), "{extra:?}");
        assert!(fs[0].waived.is_some());
        assert!(fs[1].waived.is_none(), "another code");
        assert!(fs[2].waived.is_none(), "another line");
        // A day later: the finding is back, and the expired waiver is an error.
        let mut fs = vec![mk("EGR005", 1)];
        let extra = apply(text, &mut fs, d("2027-04-01"), "WVR001");
        assert!(fs[0].waived.is_none());
        assert_eq!(extra.len(), 1);
        assert_eq!(extra[0].severity, Severity::Error);
        // Nothing to accept: a warning.
        let mut fs = vec![];
        let extra = apply(text, &mut fs, d("2027-01-01"), "WVR001");
        assert_eq!(extra[0].severity, Severity::Warning);
    }

    #[test]
    fn a_waiver_file_accepts_codes_in_matching_inputs() {
        let text = "# team waivers\nallow WIN008 in charts/legacy/** until 2027-03-31: IIS needs it\nallow WIN013 in **/x.yaml until 2026-01-01: old\nallow WIN001 until 2027-01-01: no glob\nallow WIN010 in nothing/** until 2027-03-31: unused\n";
        let names = vec![
            "charts/legacy/web.yaml".to_string(),
            "apps/api.yaml".to_string(),
        ];
        let mut fs = vec![
            (0, Finding::new("WIN008", Severity::Warning, "", "m")),
            (1, Finding::new("WIN008", Severity::Warning, "", "m")),
        ];
        let extra = apply_file("w.txt", text, &names, &mut fs, d("2027-03-31"));
        assert!(
            fs[0]
                .1
                .waived
                .as_deref()
                .is_some_and(|w| w.contains("IIS needs it"))
        );
        assert!(fs[1].1.waived.is_none());
        let msgs: Vec<(Severity, u32, String)> = extra
            .iter()
            .map(|f| (f.severity, f.span.map_or(0, |s| s.line), f.message.clone()))
            .collect();
        assert!(
            msgs.iter().any(|(s, l, m)| *s == Severity::Error
                && *l == 3
                && m.contains("ended on 2026-01-01")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(s, l, _)| *s == Severity::Error && *l == 4),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|(s, l, m)| *s == Severity::Warning
                && *l == 5
                && m.contains("accepts nothing")),
            "{msgs:?}"
        );
        assert_eq!(msgs.len(), 3, "{msgs:?}");
    }
}
