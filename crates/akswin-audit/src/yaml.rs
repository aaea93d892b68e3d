//! A small YAML tree with a position on every node, built from granit-parser events.
//!
//! A file is first split into documents at `---` / `...` lines (a document marker at the
//! start of a line cannot occur inside YAML content), so one malformed document costs only
//! itself. Aliases are expanded with a budget, so an alias bomb is a parse error, not an OOM.
//! JSON is YAML, so JSON files take the same path and keep their positions.

use akswin_diag::Span;
use granit_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// A scalar's text; `quoted` when it was written in quotes (then it is always a string).
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(String, Span, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, _, _)| k == key).map(|(_, _, n)| n),
            _ => None,
        }
    }

    /// The span of the key `key` in this mapping (where a finding about a missing or wrong
    /// child is best shown), else this node's span.
    pub fn key_span(&self, key: &str) -> Span {
        match &self.value {
            Value::Map(m) => m
                .iter()
                .find(|(k, _, _)| k == key)
                .map_or(self.span, |(_, s, _)| *s),
            _ => self.span,
        }
    }

    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut n = self;
        for k in keys {
            n = n.get(k)?;
        }
        Some(n)
    }

    /// Whether the node is YAML null (`~`, `null`, an empty value), as JSON would read it.
    pub fn is_null(&self) -> bool {
        match &self.value {
            Value::Null => true,
            Value::Scalar { text, quoted } => {
                !*quoted && matches!(text.as_str(), "~" | "null" | "Null" | "NULL" | "")
            }
            _ => false,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, quoted } => {
                if *quoted || !matches!(text.as_str(), "~" | "null" | "Null" | "NULL" | "") {
                    Some(text)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    pub fn bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn int(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => text.parse().ok(),
            _ => None,
        }
    }

    pub fn seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(v) => v,
            _ => &[],
        }
    }

    pub fn entries(&self) -> &[(String, Span, Node)] {
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }
}

/// One document of a file: its first line (1-based) and text.
#[derive(Debug, Clone)]
pub struct RawDoc<'a> {
    pub index: usize,
    pub first_line: u32,
    pub text: &'a str,
}

fn is_marker(line: &str, m: &str) -> bool {
    let l = line.strip_suffix('\r').unwrap_or(line);
    l.strip_prefix(m)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// Split a file into documents at `---` and `...` marker lines. Documents with no content
/// (only comments or blank lines) are dropped.
pub fn split<'a>(text: &'a str) -> Vec<RawDoc<'a>> {
    let mut out: Vec<RawDoc<'a>> = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    let mut offset = 0usize;
    let push = |from: usize, to: usize, first: u32, out: &mut Vec<RawDoc<'a>>| {
        let t = &text[from..to];
        let has_content = t.lines().any(|l| {
            let l = l.trim();
            !l.is_empty() && !l.starts_with('#') && !l.starts_with('%')
        });
        if has_content {
            out.push(RawDoc {
                index: out.len(),
                first_line: first,
                text: t,
            });
        }
    };
    for (line_no, line) in (1u32..).zip(text.split_inclusive('\n')) {
        let trimmed = line.trim_end_matches('\n');
        if is_marker(trimmed, "---") || is_marker(trimmed, "...") {
            push(start, offset, start_line, &mut out);
            // content after `--- ` on the same line belongs to the new document
            let after = if is_marker(trimmed, "---") {
                trimmed[3..].trim()
            } else {
                ""
            };
            if after.is_empty() || after.starts_with('#') {
                start = offset + line.len();
                start_line = line_no + 1;
            } else {
                start = offset + 3;
                start_line = line_no;
            }
        }
        offset += line.len();
    }
    push(start, text.len(), start_line, &mut out);
    out
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

/// Budget: a manifest has a few hundred nodes; this stops alias bombs.
const MAX_NODES: usize = 200_000;

enum Frame {
    /// entries, pending key, span, anchor, keys that came from `<<` merges (overridable)
    Map(
        Vec<(String, Span, Node)>,
        Option<(String, Span)>,
        Span,
        Option<usize>,
        Vec<String>,
    ),
    Seq(Vec<Node>, Span, Option<usize>),
}

fn count(n: &Node) -> usize {
    match &n.value {
        Value::Seq(v) => 1 + v.iter().map(count).sum::<usize>(),
        Value::Map(m) => 1 + m.iter().map(|(_, _, n)| count(n)).sum::<usize>(),
        _ => 1,
    }
}

/// Parse one document. Positions are shifted so they are positions in the file.
pub fn parse(doc: &RawDoc<'_>) -> Result<Option<Node>, ParseError> {
    let shift = doc.first_line - 1;
    let span_of =
        |s: &granit_parser::Span| -> Span { akswin_spec::index::to_span_shifted(s, shift) };
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut nodes = 0usize;
    let mut docs = 0;
    for item in Parser::new_from_str(doc.text) {
        let (event, sp) = item.map_err(|e| {
            let m = e.marker();
            ParseError {
                message: e.info().to_string(),
                span: Span::point(m.line() as u32 + shift, m.col() as u32 + 1),
            }
        })?;
        let span = span_of(&sp);
        let finished: Option<(Node, Option<usize>)> = match event {
            Event::DocumentStart(..) => {
                docs += 1;
                if docs > 1 {
                    return Err(ParseError {
                        message: "more than one document between markers".into(),
                        span,
                    });
                }
                None
            }
            Event::Scalar(text, style, anchor, _) => {
                // a mapping key?
                if let Some(Frame::Map(_, key @ None, _, _, _)) = stack.last_mut() {
                    *key = Some((text.into_owned(), span));
                    None
                } else {
                    let quoted = !matches!(style, ScalarStyle::Plain);
                    let value = if !quoted
                        && matches!(text.as_ref(), "~" | "null" | "Null" | "NULL" | "")
                    {
                        Value::Null
                    } else {
                        Value::Scalar {
                            text: text.into_owned(),
                            quoted,
                        }
                    };
                    Some((Node { value, span }, (anchor > 0).then_some(anchor)))
                }
            }
            Event::Alias(id) => {
                let n = anchors.get(&id).cloned().ok_or_else(|| ParseError {
                    message: format!("unknown alias {id}"),
                    span,
                })?;
                nodes += count(&n);
                if nodes > MAX_NODES {
                    return Err(ParseError {
                        message:
                            "aliases expand to more nodes than a manifest could hold (alias bomb?)"
                                .into(),
                        span,
                    });
                }
                if let Some(Frame::Map(_, key @ None, _, _, _)) = stack.last_mut() {
                    *key = Some((n.str().unwrap_or("").to_string(), span));
                    None
                } else {
                    Some((
                        Node {
                            value: n.value,
                            span,
                        },
                        None,
                    ))
                }
            }
            Event::MappingStart(_, anchor, _) => {
                stack.push(Frame::Map(
                    Vec::new(),
                    None,
                    span,
                    (anchor > 0).then_some(anchor),
                    Vec::new(),
                ));
                None
            }
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Frame::Seq(Vec::new(), span, (anchor > 0).then_some(anchor)));
                None
            }
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(m, _, s, a, _)) => Some((
                    Node {
                        value: Value::Map(m),
                        span: s,
                    },
                    a,
                )),
                _ => {
                    return Err(ParseError {
                        message: "unbalanced mapping".into(),
                        span,
                    });
                }
            },
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(v, s, a)) => Some((
                    Node {
                        value: Value::Seq(v),
                        span: s,
                    },
                    a,
                )),
                _ => {
                    return Err(ParseError {
                        message: "unbalanced sequence".into(),
                        span,
                    });
                }
            },
            _ => None,
        };
        if let Some((node, anchor)) = finished {
            nodes += 1;
            if nodes > MAX_NODES {
                return Err(ParseError {
                    message: "document too large".into(),
                    span,
                });
            }
            if let Some(a) = anchor {
                anchors.insert(a, node.clone());
            }
            match stack.last_mut() {
                Some(Frame::Map(m, key, _, _, merged)) => {
                    if let Some((k, ks)) = key.take() {
                        // `<<` merge keys: fold the merged mapping in
                        if k == "<<" {
                            let merged_entries: Vec<(String, Span, Node)> = match &node.value {
                                Value::Map(e) => e.clone(),
                                Value::Seq(v) => {
                                    v.iter().flat_map(|n| n.entries().to_vec()).collect()
                                }
                                _ => Vec::new(),
                            };
                            for (mk, ms, mn) in merged_entries {
                                if !m.iter().any(|(x, _, _)| *x == mk) {
                                    merged.push(mk.clone());
                                    m.push((mk, ms, mn));
                                }
                            }
                        } else if let Some(pos) = merged.iter().position(|x| *x == k) {
                            // an explicit key overrides a merged one
                            merged.remove(pos);
                            if let Some(e) = m.iter_mut().find(|(x, _, _)| *x == k) {
                                *e = (k, ks, node);
                            }
                        } else if m.iter().any(|(x, _, _)| *x == k) {
                            return Err(ParseError {
                                message: format!("duplicate key `{k}`"),
                                span: ks,
                            });
                        } else {
                            m.push((k, ks, node));
                        }
                    } else {
                        // a complex (non-scalar) key: not used by Kubernetes objects
                        *key = Some((String::new(), node.span));
                    }
                }
                Some(Frame::Seq(v, _, _)) => v.push(node),
                None => root = Some(node),
            }
        }
    }
    Ok(root)
}
