//! A map from JSON pointer to source span, built from the YAML event stream.
//!
//! Rules speak in JSON pointers (`/cluster/nodePools/2/osSku`); this index turns a pointer
//! into `line:col`. A pointer to a value the file does not write (a default) resolves to its
//! nearest written ancestor, so every finding still lands somewhere useful.

use akswin_diag::{Span, escape_pointer_token};
use granit_parser::{Event, Parser, ScanError};
use std::collections::BTreeMap;

/// Where a node is: the span of its value, and of its key when it is a mapping value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpan {
    pub value: Span,
    pub key: Option<Span>,
    /// The value is a mapping or a sequence.
    pub collection: bool,
}

#[derive(Debug, Clone, Default)]
pub struct SpanIndex {
    nodes: BTreeMap<String, NodeSpan>,
}

/// A syntax error found while indexing.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
    /// The YAML nests deeper than the parser's limit (told by the parser's error kind, not
    /// by its message text).
    pub too_deep: bool,
}

enum Frame {
    Map {
        ptr: String,
        /// The pending key (pointer of the value to come) and its span.
        key: Option<(String, Span)>,
    },
    Seq {
        ptr: String,
        next: usize,
    },
}

/// A parser span as akswin's [`Span`] (1-based lines and character columns, the end at least
/// one column after the start on its line), `shift` lines down (for documents that start
/// inside a file). The one conversion: the index, the secret mask and the manifest loader use it.
pub fn to_span_shifted(s: &granit_parser::Span, shift: u32) -> Span {
    let line = s.start.line() as u32 + shift;
    let col = s.start.col() as u32 + 1;
    let (end_line, end_col) = (s.end.line() as u32 + shift, s.end.col() as u32 + 1);
    Span {
        line,
        col,
        end_line: end_line.max(line),
        end_col: if end_line == line {
            end_col.max(col + 1)
        } else {
            end_col
        },
    }
}

fn to_span(s: &granit_parser::Span) -> Span {
    to_span_shifted(s, 0)
}

fn scan_error(e: &ScanError) -> SyntaxError {
    let m = e.marker();
    let line = m.line() as u32;
    let col = m.col() as u32 + 1;
    SyntaxError {
        message: e.info().to_string(),
        span: Span::point(line.max(1), col),
        too_deep: matches!(e.kind(), granit_parser::ErrorKind::RecursionLimitExceeded),
    }
}

impl SpanIndex {
    /// Index one YAML document. Also returns the number of documents seen, so the caller can
    /// refuse multi-document specs.
    pub fn build(text: &str) -> Result<(SpanIndex, usize), SyntaxError> {
        let mut index = SpanIndex::default();
        let mut stack: Vec<Frame> = Vec::new();
        let mut documents = 0usize;
        for item in Parser::new_from_str(text) {
            let (event, span) = item.map_err(|e| scan_error(&e))?;
            let sp = to_span(&span);
            match event {
                Event::DocumentStart(..) => {
                    documents += 1;
                    stack.clear();
                }
                Event::Scalar(value, ..) => {
                    if let Some(Frame::Map { ptr, key }) = stack.last_mut()
                        && key.is_none()
                    {
                        let child = format!("{ptr}/{}", escape_pointer_token(&value));
                        *key = Some((child, sp));
                        continue;
                    }
                    if documents <= 1
                        && let Some(p) = index.value_pointer(&mut stack)
                    {
                        index.insert(p, sp, false);
                    }
                }
                Event::Alias(_) => {
                    if let Some(Frame::Map { key, .. }) = stack.last_mut()
                        && key.is_none()
                    {
                        // An alias used as a key: index nothing under it.
                        *key = Some((String::from("\u{0}"), sp));
                        continue;
                    }
                    if documents <= 1
                        && let Some(p) = index.value_pointer(&mut stack)
                    {
                        index.insert(p, sp, false);
                    }
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let is_map = matches!(event, Event::MappingStart(..));
                    let ptr = if stack.is_empty() {
                        Some(String::new())
                    } else if let Some(Frame::Map { key, .. }) = stack.last_mut()
                        && key.is_none()
                    {
                        // A complex key: its contents are not addressable by pointer.
                        *key = Some((String::from("\u{0}"), sp));
                        None
                    } else {
                        index.value_pointer(&mut stack)
                    };
                    let ptr = ptr.unwrap_or_else(|| String::from("\u{0}"));
                    if documents <= 1 && !ptr.contains('\u{0}') {
                        index.insert(ptr.clone(), sp, true);
                    }
                    stack.push(if is_map {
                        Frame::Map { ptr, key: None }
                    } else {
                        Frame::Seq { ptr, next: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                _ => {}
            }
        }
        Ok((index, documents))
    }

    /// The pointer of the value that the next node event fills, recording the key span.
    fn value_pointer(&mut self, stack: &mut [Frame]) -> Option<String> {
        match stack.last_mut()? {
            Frame::Map { key, .. } => {
                let (p, kspan) = key.take()?;
                if p.contains('\u{0}') {
                    return Some(p);
                }
                self.nodes.insert(
                    p.clone(),
                    NodeSpan {
                        value: kspan,
                        key: Some(kspan),
                        collection: false,
                    },
                );
                Some(p)
            }
            Frame::Seq { ptr, next } => {
                let p = format!("{ptr}/{next}");
                *next += 1;
                Some(p)
            }
        }
    }

    fn insert(&mut self, ptr: String, value: Span, collection: bool) {
        if ptr.contains('\u{0}') {
            return;
        }
        let key = self.nodes.get(&ptr).and_then(|n| n.key);
        self.nodes.insert(
            ptr,
            NodeSpan {
                value,
                key,
                collection,
            },
        );
    }

    /// The node at exactly this pointer, if the file writes it.
    pub fn get(&self, pointer: &str) -> Option<NodeSpan> {
        self.nodes.get(pointer).copied()
    }

    /// Where a finding about `pointer` is shown: the value's span for scalars, the key's span
    /// for mappings and sequences that have one (`cluster:` rather than its first child), of
    /// the pointer or of its nearest written ancestor.
    pub fn span(&self, pointer: &str) -> Option<Span> {
        self.resolve(pointer)
            .map(|(_, n)| match (n.collection, n.key) {
                (true, Some(k)) => k,
                _ => n.value,
            })
    }

    /// The span of the key at `pointer` (the value's span for sequence items), or of its
    /// nearest written ancestor.
    pub fn key_span(&self, pointer: &str) -> Option<Span> {
        self.resolve(pointer).map(|(_, n)| n.key.unwrap_or(n.value))
    }

    /// The node whose key or value starts at `line:col`, with the span that starts there.
    pub fn at(&self, line: u32, col: u32) -> Option<(String, Span)> {
        self.nodes.iter().find_map(|(p, n)| {
            if n.key.is_some_and(|k| k.line == line && k.col == col) {
                n.key.map(|k| (p.clone(), k))
            } else if n.value.line == line && n.value.col == col {
                Some((p.clone(), n.value))
            } else {
                None
            }
        })
    }

    /// The index of an environment's view of the file (`environments.<env>`, a JSON Merge
    /// Patch over the rest): a pointer the environment writes maps to its place under
    /// `/environments/<env>`; one it does not, to the base's. Where the patch replaces a value
    /// with anything but a mapping (a list, a scalar, `null`), the base's entries below it
    /// are gone: they are not in the merged spec.
    pub fn for_environment(&self, env: &str, patch: &serde_json::Value) -> SpanIndex {
        let prefix = format!("/environments/{}", escape_pointer_token(env));
        let mut nodes: BTreeMap<String, NodeSpan> = self
            .nodes
            .iter()
            .filter(|(p, _)| *p != "/environments" && !p.starts_with("/environments/"))
            .map(|(p, n)| (p.clone(), *n))
            .collect();
        fn replaced(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, child) in m {
                        replaced(child, format!("{at}/{}", escape_pointer_token(k)), out);
                    }
                }
                _ => out.push(at),
            }
        }
        let mut cut = Vec::new();
        replaced(patch, String::new(), &mut cut);
        for p in &cut {
            let below = format!("{p}/");
            nodes.retain(|k, _| k != p && !k.starts_with(&below));
        }
        for (p, n) in &self.nodes {
            if let Some(rest) = p.strip_prefix(&prefix)
                && rest.starts_with('/')
            {
                nodes.insert(rest.to_string(), *n);
            }
        }
        // A `null` removes its key from the merged spec: the file does not write it there.
        fn nulls(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, child) in m {
                        nulls(child, format!("{at}/{}", escape_pointer_token(k)), out);
                    }
                }
                serde_json::Value::Null => out.push(at),
                _ => {}
            }
        }
        let mut gone = Vec::new();
        nulls(patch, String::new(), &mut gone);
        for p in gone {
            nodes.remove(&p);
        }
        SpanIndex { nodes }
    }

    /// Whether the file writes this exact pointer (not a default).
    pub fn is_written(&self, pointer: &str) -> bool {
        self.nodes.contains_key(pointer)
    }

    /// The nearest written pointer at or above `pointer`, with its node.
    pub fn resolve(&self, pointer: &str) -> Option<(String, NodeSpan)> {
        let mut p = pointer.to_string();
        loop {
            if let Some(n) = self.nodes.get(&p) {
                return Some((p, *n));
            }
            match p.rfind('/') {
                Some(i) => p.truncate(i),
                None => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_resolve_to_lines() {
        let text = "a:\n  b: 1\n  list:\n    - { x: 2, y: \"z\" }\n    - w\nc: [1, 2]\n";
        let (ix, docs) = SpanIndex::build(text).expect("valid yaml");
        assert_eq!(docs, 1);
        assert_eq!(ix.span("/a/b").map(|s| (s.line, s.col)), Some((2, 6)));
        assert_eq!(ix.key_span("/a/b").map(|s| (s.line, s.col)), Some((2, 3)));
        assert_eq!(
            ix.span("/a/list/0/y").map(|s| (s.line, s.col)),
            Some((4, 18))
        );
        assert_eq!(ix.span("/a/list/1").map(|s| (s.line, s.col)), Some((5, 7)));
        assert_eq!(ix.span("/c/1").map(|s| (s.line, s.col)), Some((6, 8)));
        // a default: nearest ancestor
        assert_eq!(ix.span("/a/list/0/missing").map(|s| s.line), Some(4));
        assert!(!ix.is_written("/a/list/0/missing"));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = SpanIndex::build("a: [1, 2\nb: 3\n").expect_err("unclosed flow");
        assert!(e.span.line >= 1);
    }
}
