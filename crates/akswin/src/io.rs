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

/// Write a whole tree (relative path -> content) to `dir` atomically: everything goes into a
/// sibling temporary directory first, which then takes `dir`'s place in one rename. A failure
/// at any point leaves `dir` as it was. An existing, non-empty `dir` is replaced only with
/// `force`. Files named `*.sh` are made executable.
pub fn write_tree_atomic(
    dir: &Path,
    files: &std::collections::BTreeMap<String, String>,
    force: bool,
) -> Result<(), Fatal> {
    let shown = dir.display();
    let exists = dir.exists();
    if exists && !dir.is_dir() {
        return Err(Fatal::new(
            format!("`{shown}` exists and is not a directory"),
            None,
        ));
    }
    let non_empty = exists
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true);
    if non_empty && !force {
        return Err(Fatal::new(
            format!("`{shown}` exists and is not empty"),
            Some("pass --force to replace it (atomically), or --out a new directory"),
        ));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let base = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = parent.join(format!(".{base}.akswin-tmp-{}", std::process::id()));
    let old = parent.join(format!(".{base}.akswin-old-{}", std::process::id()));
    let cleanup = |e: String| {
        let _ = std::fs::remove_dir_all(&tmp);
        Fatal::new(e, None)
    };
    let _ = std::fs::remove_dir_all(&tmp);
    for (rel, text) in files {
        if rel.split('/').any(|c| c == ".." || c.is_empty()) {
            return Err(cleanup(format!(
                "refusing to write `{rel}` outside the output directory"
            )));
        }
        let p = tmp.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)
                .map_err(|e| cleanup(format!("cannot create `{}`: {e}", d.display())))?;
        }
        let mut f = std::fs::File::create(&p)
            .map_err(|e| cleanup(format!("cannot write `{}`: {e}", p.display())))?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| cleanup(format!("cannot write `{}`: {e}", p.display())))?;
        #[cfg(unix)]
        if rel.ends_with(".sh") {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| cleanup(format!("cannot chmod `{}`: {e}", p.display())))?;
        }
    }
    if exists {
        std::fs::rename(dir, &old)
            .map_err(|e| cleanup(format!("cannot move `{shown}` aside: {e}")))?;
    }
    if let Err(e) = std::fs::rename(&tmp, dir) {
        if exists {
            let _ = std::fs::rename(&old, dir);
        }
        return Err(cleanup(format!(
            "cannot move the rendered tree into `{shown}`: {e}"
        )));
    }
    if exists {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}
