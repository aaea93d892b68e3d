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

/// The largest price file read (a whole region's Retail Prices export is tens of MiB).
pub const MAX_PRICES_BYTES: u64 = 256 * 1024 * 1024;

/// Read a Retail Prices export, refusing directories and files above [`MAX_PRICES_BYTES`].
pub fn read_prices(path: &Path) -> Result<Vec<u8>, Fatal> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| Fatal::new(format!("cannot read prices `{shown}`: {e}"), None))?;
    if meta.is_dir() {
        return Err(Fatal::new(format!("prices `{shown}` is a directory"), None));
    }
    if meta.len() > MAX_PRICES_BYTES {
        return Err(Fatal::new(
            format!(
                "prices `{shown}` is {} MiB, above the {} MiB akswin reads",
                meta.len() / 1_048_576,
                MAX_PRICES_BYTES / 1_048_576
            ),
            Some("filter the export to your region and the services akswin prices"),
        ));
    }
    std::fs::read(path).map_err(|e| Fatal::new(format!("cannot read prices `{shown}`: {e}"), None))
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

/// Largest manifest file read; beyond it the file is reported, not read.
pub const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;

/// Collect the manifest inputs: files as given, directories recursively (.yaml, .yml, .json,
/// hidden entries skipped, sorted), `-` for stdin. Binary files become an empty input with a
/// K8S000 note from the loader (a document without `kind`).
pub fn collect_manifests(paths: &[std::path::PathBuf]) -> Result<Vec<akswin_audit::Input>, Fatal> {
    let mut files = Vec::new();
    let mut inputs = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .take(MAX_MANIFEST_BYTES)
                .read_to_end(&mut buf)
                .map_err(|e| Fatal::new(format!("cannot read standard input: {e}"), None))?;
            inputs.push(text_input("<stdin>".into(), buf));
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| {
            Fatal::new(
                format!("cannot read `{}`: {e}", p.display()),
                Some("give files, directories or - for stdin"),
            )
        })?;
        if meta.is_dir() {
            walk(p, &mut files);
        } else {
            files.push(p.clone());
        }
    }
    for f in files {
        let meta = std::fs::metadata(&f)
            .map_err(|e| Fatal::new(format!("cannot read `{}`: {e}", f.display()), None))?;
        if meta.len() > MAX_MANIFEST_BYTES {
            return Err(Fatal::new(
                format!(
                    "`{}` is {} bytes, more than {MAX_MANIFEST_BYTES}",
                    f.display(),
                    meta.len()
                ),
                Some("split it, or audit its directory"),
            ));
        }
        let bytes = std::fs::read(&f)
            .map_err(|e| Fatal::new(format!("cannot read `{}`: {e}", f.display()), None))?;
        inputs.push(text_input(f.display().to_string(), bytes));
    }
    if inputs.is_empty() {
        return Err(Fatal::new(
            "no .yaml, .yml or .json files found",
            Some("give files, directories or - for stdin"),
        ));
    }
    Ok(inputs)
}

fn text_input(name: String, bytes: Vec<u8>) -> akswin_audit::Input {
    // Binary content is not YAML: keep the name, drop the bytes; the loader reports it.
    let binary = bytes.iter().take(8192).any(|b| *b == 0);
    let text = if binary {
        "# binary file: not a manifest\nkind: \n".to_string()
    } else {
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    };
    akswin_audit::Input { name, text }
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut list: Vec<std::path::PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    list.sort();
    for p in list {
        let hidden = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(p);
        }
    }
}
