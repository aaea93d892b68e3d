use serde::Serialize;

/// A source text with the name it is shown under (`akswin.yaml`, `<baseline>`, `<stdin>`).
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The text of line `line` (1-based), without its line ending.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let idx = usize::try_from(line).ok()?.checked_sub(1)?;
        self.text
            .split('\n')
            .nth(idx)
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
    }
}

/// A location in a source: 1-based line and column (columns count characters), and the
/// length of the marked range in characters on its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    #[serde(rename = "endLine")]
    pub end_line: u32,
    #[serde(rename = "endCol")]
    pub end_col: u32,
}

impl Span {
    pub fn point(line: u32, col: u32) -> Self {
        Span {
            line,
            col,
            end_line: line,
            end_col: col + 1,
        }
    }
}

/// Lone carriage returns are line breaks in YAML; turn them into `\n` (keeping `\r\n`) so that
/// line numbers from the parser and the lines shown in snippets agree.
pub fn normalize_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\r') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}
