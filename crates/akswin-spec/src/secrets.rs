//! Masking literal secrets in the text that views quote.
//!
//! Findings are shown with the source line they point at (`akswin check`'s human view), so a
//! password pasted into the spec would be printed right under "value not shown". Every text a
//! view may quote goes through [`mask`] first: each character of a literal secret becomes `*`.
//! Columns stay where they were (one `*` per character), so spans and carets still line up;
//! the length of the value is the only thing a snippet can tell.
//!
//! What counts as a literal secret:
//! - any scalar under a secret-bearing key (`adminPassword`, `safeModePassword`, and any key
//!   whose name says password, shared key, token or credential, unless it ends in `name`, as
//!   `gmsaCredentialSpecName` does: it names an object), including keys and scalars
//!   nested under it, except a reference (`keyVaultSecret:` / `parameter:`) whose value is a
//!   well-formed name;
//! - a `keyVaultSecret:` or `parameter:` value anywhere that is not a well-formed name, or that
//!   looks like a credential (`DOMAIN\user:password`);
//! - a scalar or collection behind an anchor that a secret-bearing key uses through an alias;
//! - when the YAML does not parse, the rest of every line that names a secret-bearing key
//!   (there is no tree to be precise with, so the mask errs on the side of hiding).

use akswin_diag::Span;
use granit_parser::{Event, Parser};
use std::collections::HashMap;

/// Keys whose values are references to secrets: masked only when they are not valid names.
const REFERENCE_KEYS: &[&str] = &["keyVaultSecret", "parameter"];

/// Whether a mapping key holds a secret (literal or reference) as its value.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    // A key that names an object (`gmsaCredentialSpecName`, `tokenSecretName`) holds a name.
    if k.ends_with("name") {
        return false;
    }
    SECRET_WORDS.iter().any(|w| k.contains(w))
}

/// The words whose presence in a key's name (any case) makes it secret-bearing.
const SECRET_WORDS: &[&str] = &[
    "password",
    "sharedkey",
    "authorizationkey",
    "token",
    "credential",
    "passphrase",
];

/// Whether a reference's value is a name that can be shown: a Key Vault secret name or an ARM
/// parameter name, and nothing that looks like `DOMAIN\user:password`.
fn is_showable_name(v: &str) -> bool {
    (crate::is_key_vault_secret_name(v) || crate::is_parameter_name(v))
        && !v.contains([':', '\\'])
        && !v.contains(char::is_whitespace)
}

#[derive(Clone, Copy)]
enum Kind {
    Map,
    Seq,
}

struct Frame {
    kind: Kind,
    /// This collection sits under a secret-bearing key.
    secret: bool,
    /// Map only: the pending key of the next value (None when the next scalar is a key).
    key: Option<String>,
    /// The anchor defined on this collection and where it started, to remember its extent.
    anchor: Option<(usize, Span)>,
}

/// Whether `text` can hold a literal secret at all: every secret-bearing key and every
/// reference key contains one of these words (any case), so a text without them has none.
fn may_hold_secrets(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
        || REFERENCE_KEYS
            .iter()
            .any(|k| lower.contains(&k.to_ascii_lowercase()))
}

/// Spans of literal secrets in `text` (see the module docs for what counts).
pub fn secret_spans(text: &str) -> Vec<Span> {
    if !may_hold_secrets(text) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // Anchor id -> the extent of the anchored node, for aliases under secret keys.
    let mut anchors: HashMap<usize, Span> = HashMap::new();
    let mut parse_failed = false;
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else {
            parse_failed = true;
            break;
        };
        let sp = to_span(&span);
        // The context of a node event: (under a secret key, the key it is the value of).
        let context = |stack: &[Frame]| -> (bool, Option<String>) {
            match stack.last() {
                None => (false, None),
                Some(f) => (f.secret, f.key.clone()),
            }
        };
        match event {
            Event::DocumentStart(..) => stack.clear(),
            Event::Scalar(value, _, anchor, _) => {
                let is_key = matches!(
                    stack.last(),
                    Some(Frame {
                        kind: Kind::Map,
                        key: None,
                        ..
                    })
                );
                if is_key {
                    let parent_secret = stack.last().is_some_and(|f| f.secret);
                    // A key inside a secret value is part of the secret (`adminPassword: {P@ss: 1}`),
                    // unless it is the reference syntax itself.
                    if parent_secret
                        && !REFERENCE_KEYS.contains(&value.as_ref())
                        && value != "literal"
                    {
                        out.push(sp);
                    }
                    if let Some(f) = stack.last_mut() {
                        f.key = Some(value.into_owned());
                    }
                    continue;
                }
                let (parent_secret, key) = context(&stack);
                let key = key.as_deref();
                let secret = parent_secret || key.is_some_and(is_secret_key);
                let is_reference = key.is_some_and(|k| REFERENCE_KEYS.contains(&k));
                let masked = if is_reference {
                    !is_showable_name(&value)
                } else {
                    secret
                };
                if masked {
                    out.push(sp);
                }
                if anchor != 0 {
                    anchors.insert(anchor, sp);
                }
                value_done(&mut stack);
            }
            Event::Alias(id) => {
                let (parent_secret, key) = context(&stack);
                if (parent_secret || key.as_deref().is_some_and(is_secret_key))
                    && let Some(target) = anchors.get(&id)
                {
                    out.push(*target);
                }
                value_done(&mut stack);
            }
            Event::MappingStart(_, anchor, _) | Event::SequenceStart(_, anchor, _) => {
                let kind = if matches!(event, Event::MappingStart(..)) {
                    Kind::Map
                } else {
                    Kind::Seq
                };
                let is_complex_key = matches!(
                    stack.last(),
                    Some(Frame {
                        kind: Kind::Map,
                        key: None,
                        ..
                    })
                );
                let (parent_secret, key) = if is_complex_key {
                    (stack.last().is_some_and(|f| f.secret), None)
                } else {
                    context(&stack)
                };
                let secret = parent_secret || key.as_deref().is_some_and(is_secret_key);
                stack.push(Frame {
                    kind,
                    secret,
                    key: None,
                    anchor: (anchor != 0).then_some((anchor, sp)),
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(f) = stack.pop()
                    && let Some((id, start)) = f.anchor
                {
                    anchors.insert(
                        id,
                        Span {
                            end_line: sp.end_line,
                            end_col: sp.end_col,
                            ..start
                        },
                    );
                }
                if stack
                    .last()
                    .is_some_and(|f| matches!(f.kind, Kind::Map) && f.key.is_some())
                {
                    value_done(&mut stack);
                } else if stack.last().is_some_and(|f| matches!(f.kind, Kind::Map)) {
                    // The collection was a complex key: the next node is its value.
                    if let Some(f) = stack.last_mut() {
                        f.key = Some(String::new());
                    }
                }
            }
            _ => {}
        }
    }
    if parse_failed {
        out.extend(secret_lines(text));
    }
    out
}

/// After a value: a map waits for its next key.
fn value_done(stack: &mut [Frame]) {
    if let Some(f) = stack.last_mut()
        && matches!(f.kind, Kind::Map)
    {
        f.key = None;
    }
}

/// For text that does not parse: the rest of each line after a secret-bearing key's colon.
fn secret_lines(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut start = 0usize;
        while start < chars.len() {
            // A key is a run of word characters (optionally quoted) followed by `:`.
            let Some(colon) = chars[start..].iter().position(|&c| c == ':') else {
                break;
            };
            let colon = start + colon;
            let key: String = chars[..colon]
                .iter()
                .rev()
                .skip_while(|c| **c == '"' || **c == '\'')
                .take_while(|c| c.is_alphanumeric() || **c == '_' || **c == '-')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if is_secret_key(&key)
                || REFERENCE_KEYS.contains(&key.as_str()) && !showable_after(&chars, colon)
            {
                let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let col = u32::try_from(colon + 2).unwrap_or(u32::MAX);
                let end = u32::try_from(chars.len() + 1).unwrap_or(u32::MAX);
                out.push(Span {
                    line: line_no,
                    col,
                    end_line: line_no,
                    end_col: end.max(col),
                });
                break;
            }
            start = colon + 1;
        }
    }
    out
}

/// Whether the value after a colon (up to the end of a flow entry or a comment, without quotes
/// or spaces) is a name that may be shown.
fn showable_after(chars: &[char], colon: usize) -> bool {
    let s: String = chars[colon + 1..]
        .iter()
        .take_while(|c| !matches!(c, ',' | '}' | '#'))
        .collect();
    is_showable_name(s.trim().trim_matches(|c| c == '"' || c == '\''))
}

fn to_span(s: &granit_parser::Span) -> Span {
    crate::index::to_span_shifted(s, 0)
}

/// `text` with every character inside `spans` (except line breaks and spaces) replaced by `*`.
/// Columns count characters, as in [`Span`]; the result has the same lines and columns.
pub fn mask_spans(text: &str, spans: &[Span]) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    let inside = |line: u32, col: u32| {
        spans.iter().any(|s| {
            let after_start = line > s.line || (line == s.line && col >= s.col);
            let before_end = line < s.end_line || (line == s.end_line && col < s.end_col);
            after_start && before_end
        })
    };
    let mut out = String::with_capacity(text.len());
    let (mut line, mut col) = (1u32, 1u32);
    for c in text.chars() {
        if c == '\n' {
            out.push(c);
            line = line.saturating_add(1);
            col = 1;
            continue;
        }
        if c != '\r' && !c.is_whitespace() && inside(line, col) {
            out.push('*');
        } else {
            out.push(c);
        }
        col = col.saturating_add(1);
    }
    out
}

/// `text` with its literal secrets masked: what every view may quote.
pub fn mask(text: &str) -> String {
    mask_spans(text, &secret_spans(text))
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_prefilter_finds_every_secret_word_in_any_case() {
        assert!(!may_hold_secrets("apiVersion: v1\nkind: ConfigMap\n"));
        for t in [
            "DB_PASSWORD: x",
            "sharedKey: x",
            "x: { AuthorizationKey: y }",
            "Token: y",
            "gmsaCredential: y",
            "passPhrase: y",
            "keyVaultSecret: y",
            "parameter: y",
        ] {
            assert!(may_hold_secrets(t), "{t}");
        }
    }

    use super::*;

    fn masked(t: &str) -> String {
        mask(t)
    }

    #[test]
    fn literal_passwords_are_masked_with_columns_kept() {
        let t = "a:\n  adminPassword: \"P@ss w0rd\"  # note\n  b: ok\n";
        let m = masked(t);
        assert!(!m.contains("P@ss"), "{m}");
        assert!(!m.contains("w0rd"), "{m}");
        assert!(m.contains("# note") && m.contains("b: ok"), "{m}");
        assert_eq!(m.lines().count(), t.lines().count());
        for (a, b) in t.lines().zip(m.lines()) {
            assert_eq!(a.chars().count(), b.chars().count());
        }
    }

    #[test]
    fn references_with_names_stay_visible() {
        let t =
            "adminPassword: { keyVaultSecret: windows-admin-password }\nx: { parameter: dcPass }\n";
        assert_eq!(masked(t), t);
    }

    #[test]
    fn references_that_hold_credentials_are_masked() {
        let t =
            "gmsa:\n  keyVaultSecret: \"CORP\\\\svc:Hunter2\"\ncert: { keyVaultSecret: \"a b\" }\n";
        let m = masked(t);
        assert!(!m.contains("Hunter2") && !m.contains("svc"), "{m}");
        assert!(!m.contains("a b"), "{m}");
    }

    #[test]
    fn nested_block_and_aliased_secrets_are_masked() {
        let t = "tags: { x: &pw \"Anch0red-Secret\" }\nadminPassword: *pw\nsafeModePassword: |\n  Block-Secret\n  line2\nother:\n  adminPassword: [ListSecret, {Key-Secret: v}]\n";
        let m = masked(t);
        for s in [
            "Anch0red",
            "Block-Secret",
            "line2",
            "ListSecret",
            "Key-Secret",
        ] {
            assert!(!m.contains(s), "{s} in {m}");
        }
    }

    #[test]
    fn text_that_does_not_parse_is_masked_by_line() {
        let t = "a:\n  adminPassword: \"P@ss\n  b: [\n";
        let m = masked(t);
        assert!(!m.contains("P@ss"), "{m}");
        let t = "x: {keyVaultSecret: \"CORP\\\\u:pw\"\ny: [";
        assert!(!masked(t).contains("u:pw"));
    }
}
