//! File input and atomic output.

use crate::Fatal;
use akswin_spec::MAX_SPEC_BYTES;
use std::io::{Read, Write};
use std::path::Path;

/// Read at most one byte more than a spec may have, so that a huge file is refused by the
/// loader (with its message) without reading it all.
fn read_limited(mut r: impl Read, what: &str) -> Result<Vec<u8>, Fatal> {
    let mut buf = Vec::new();
    r.by_ref()
        .take(MAX_SPEC_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Fatal::new(format!("cannot read {what}: {e}"), None))?;
    Ok(buf)
}

pub fn read_file(path: &Path) -> Result<Vec<u8>, Fatal> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            Some("check the path, or run `akswin init` to write the baseline spec")
        } else {
            None
        };
        Fatal::new(format!("cannot read `{shown}`: {e}"), hint)
    })?;
    if meta.is_dir() {
        return Err(Fatal::new(
            format!("`{shown}` is a directory"),
            Some("give the spec file, e.g. akswin.yaml"),
        ));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| Fatal::new(format!("cannot read `{shown}`: {e}"), None))?;
    read_limited(file, &format!("`{shown}`"))
}

pub fn read_stdin() -> Result<Vec<u8>, Fatal> {
    read_limited(std::io::stdin().lock(), "standard input")
}

/// Write `bytes` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees a half-written file and a failure leaves the old file as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Fatal> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.akswin-tmp-{}", std::process::id()));
    let fail = |e: std::io::Error| {
        let _ = std::fs::remove_file(&tmp);
        Fatal::new(format!("cannot write `{}`: {e}", path.display()), None)
    };
    let mut f = std::fs::File::create(&tmp).map_err(fail)?;
    f.write_all(bytes).map_err(fail)?;
    f.sync_all().map_err(fail)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(fail)?;
    Ok(())
}
