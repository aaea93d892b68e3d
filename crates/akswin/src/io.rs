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
    read_bounded(
        path,
        "prices",
        MAX_PRICES_BYTES,
        "filter the export to your region and the services akswin prices",
    )
}

/// Largest `--cluster` file (`az aks show` output is tens of KiB).
pub const MAX_CLUSTER_BYTES: u64 = 16 * 1024 * 1024;

/// Largest plan artifact (a plan is tens of KiB; with a large landing zone a few MiB).
pub const MAX_PLAN_BYTES: u64 = 64 * 1024 * 1024;

/// Read a plan artifact for `render --plan`, refusing directories and huge files.
pub fn read_plan(path: &Path) -> Result<Vec<u8>, Fatal> {
    read_bounded(
        path,
        "plan artifact",
        MAX_PLAN_BYTES,
        "write it with `akswin plan SPEC --out FILE`",
    )
}

/// Read the `--cluster` file, refusing directories and files above [`MAX_CLUSTER_BYTES`].
pub fn read_cluster(path: &Path) -> Result<Vec<u8>, Fatal> {
    read_bounded(
        path,
        "cluster file",
        MAX_CLUSTER_BYTES,
        "pass the output of `az aks show --output json` for one cluster",
    )
}

/// Read a file of at most `max` bytes (checked before reading, and enforced while reading in
/// case the file grows), refusing directories.
fn read_bounded(path: &Path, what: &str, max: u64, hint: &str) -> Result<Vec<u8>, Fatal> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| Fatal::new(format!("cannot read {what} `{shown}`: {e}"), None))?;
    if meta.is_dir() {
        return Err(Fatal::new(format!("{what} `{shown}` is a directory"), None));
    }
    let too_big = |len: u64| {
        Fatal::new(
            format!(
                "{what} `{shown}` is {} MiB, above the {} MiB akswin reads",
                len / 1_048_576,
                max / 1_048_576
            ),
            Some(hint),
        )
    };
    if meta.len() > max {
        return Err(too_big(meta.len()));
    }
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut buf))
        .map_err(|e| Fatal::new(format!("cannot read {what} `{shown}`: {e}"), None))?;
    if buf.len() as u64 > max {
        return Err(too_big(buf.len() as u64));
    }
    Ok(buf)
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
    let fail =
        |e: std::io::Error| Fatal::new(format!("cannot write `{}`: {e}", path.display()), None);
    // A uniquely named temporary file beside the target (removed if anything fails), then one
    // rename over the target. Readable like any file the user writes (0644 before the umask).
    let mut b = tempfile::Builder::new();
    b.prefix(".akswin-tmp-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut f = b.tempfile_in(&dir).map_err(fail)?;
    f.write_all(bytes).map_err(fail)?;
    f.as_file().sync_all().map_err(fail)?;
    f.persist(path).map_err(|e| fail(e.error))?;
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
    // A uniquely named sibling directory (tempfile removes it if anything below fails).
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{base}.akswin-tmp-"))
        .tempdir_in(&parent)
        .map_err(|e| {
            Fatal::new(
                format!("cannot create a directory beside `{shown}`: {e}"),
                None,
            )
        })?;
    let tmp = staging.path().to_path_buf();
    let old = parent.join(format!(".{base}.akswin-old-{}", std::process::id()));
    let cleanup = |e: String| Fatal::new(e, None);
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
    // The staging directory is now `dir`: nothing left to remove.
    let _ = staging.keep();
    if exists {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

/// Largest manifest file read; beyond it the file is reported, not read.
pub const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;

/// The manifest inputs of an audit: files are read when the audit's passes reach them (twice,
/// from the page cache), so the audit holds only the files its workers are on; standard input
/// is read once and kept.
pub struct Manifests {
    inputs: Vec<ManifestInput>,
    /// What the directory walk skipped (symbolic link loops, Helm chart parts, --exclude),
    /// for a note on stderr.
    pub skipped: Vec<String>,
}

enum ManifestInput {
    File(std::path::PathBuf),
    Stdin(Vec<u8>),
}

/// Text from bytes: a NUL byte in the first 8 KiB is a binary file (reported, never shown as
/// invented text); invalid UTF-8 is replaced.
fn manifest_text(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err("binary file (a NUL byte in its first 8 KiB): not a manifest".into());
    }
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

impl akswin_audit::Inputs for Manifests {
    fn count(&self) -> usize {
        self.inputs.len()
    }
    fn name(&self, i: usize) -> String {
        match &self.inputs[i] {
            ManifestInput::File(p) => p.display().to_string(),
            ManifestInput::Stdin(_) => "<stdin>".into(),
        }
    }
    fn text(&self, i: usize) -> Result<std::borrow::Cow<'_, str>, String> {
        match &self.inputs[i] {
            ManifestInput::Stdin(b) => manifest_text(b.clone()).map(std::borrow::Cow::Owned),
            ManifestInput::File(p) => {
                let bytes = std::fs::read(p).map_err(|e| format!("cannot read the file: {e}"))?;
                if bytes.len() as u64 > MAX_MANIFEST_BYTES {
                    return Err(format!(
                        "{} bytes, more than {MAX_MANIFEST_BYTES}: split it",
                        bytes.len()
                    ));
                }
                manifest_text(bytes).map(std::borrow::Cow::Owned)
            }
        }
    }
}

/// Collect the manifest inputs: files as given, directories recursively (.yaml, .yml, .json,
/// hidden entries skipped, sorted, symbolic links followed with loops detected and skipped),
/// `-` for stdin.
/// Whether `p` lies in a Helm chart under one of `roots` (a directory with `Chart.yaml`) and is
/// not a manifest: the chart's metadata, its values, and its unrendered templates and
/// subcharts (`crds/` holds plain manifests and is audited).
fn chart_part(p: &Path, roots: &[std::path::PathBuf]) -> Option<&'static str> {
    let root = roots.iter().find(|r| p.starts_with(r))?;
    let rel = p.strip_prefix(root).ok()?;
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .to_string();
    let name = p.file_name()?.to_string_lossy().to_string();
    if rel.components().count() == 1 {
        if name == "Chart.yaml" || name == "Chart.lock" {
            return Some("chart metadata");
        }
        if name.starts_with("values") {
            return Some("chart values");
        }
        return None;
    }
    match first.as_str() {
        "templates" => Some("unrendered chart templates"),
        "charts" => Some("subcharts"),
        _ => None,
    }
}

pub fn collect_manifests(
    paths: &[std::path::PathBuf],
    exclude: &globset::GlobSet,
) -> Result<Manifests, Fatal> {
    let mut files = Vec::new();
    let mut m = Manifests {
        inputs: Vec::new(),
        skipped: Vec::new(),
    };
    for p in paths {
        if p.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .take(MAX_MANIFEST_BYTES)
                .read_to_end(&mut buf)
                .map_err(|e| Fatal::new(format!("cannot read standard input: {e}"), None))?;
            m.inputs.push(ManifestInput::Stdin(buf));
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| {
            Fatal::new(
                format!("cannot read `{}`: {e}", p.display()),
                Some("give files, directories or - for stdin"),
            )
        })?;
        if meta.is_dir() {
            walk(p, &mut files, &mut m.skipped)?;
        } else {
            files.push(p.clone());
        }
    }
    // Helm charts found under the directories: what is not a manifest is skipped, once per
    // chart and kind, with a note (`helm template` renders the templates).
    let roots: Vec<std::path::PathBuf> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "Chart.yaml"))
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    let mut chart_notes: std::collections::BTreeMap<(String, &'static str), usize> =
        std::collections::BTreeMap::new();
    let mut excluded = 0usize;
    files.retain(|f| {
        if exclude.is_match(f) {
            excluded += 1;
            return false;
        }
        match chart_part(f, &roots) {
            Some(what) => {
                let root = roots
                    .iter()
                    .find(|r| f.starts_with(r))
                    .map(|r| r.display().to_string())
                    .unwrap_or_default();
                *chart_notes.entry((root, what)).or_default() += 1;
                false
            }
            None => true,
        }
    });
    for ((root, what), n) in chart_notes {
        m.skipped.push(format!(
            "{n} file(s) of {what} in the Helm chart {root} (not manifests: audit `helm template {root}` instead)"
        ));
    }
    if excluded > 0 {
        m.skipped
            .push(format!("{excluded} file(s) matched by --exclude"));
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
        m.inputs.push(ManifestInput::File(f));
    }
    if m.inputs.is_empty() {
        return Err(Fatal::new(
            if m.skipped.is_empty() {
                "no .yaml, .yml or .json files found".to_string()
            } else {
                format!("no manifest left to audit: {}", m.skipped.join("; "))
            },
            Some("give files, directories or - for stdin"),
        ));
    }
    Ok(m)
}

/// The manifest files under `dir`, sorted by name, hidden entries skipped. Symbolic links are
/// followed (charts often link shared templates); a link back into its own ancestry is skipped
/// and named in `skipped`; any other unreadable entry is an error, not a silent gap.
fn walk(
    dir: &Path,
    out: &mut Vec<std::path::PathBuf>,
    skipped: &mut Vec<String>,
) -> Result<(), Fatal> {
    let hidden =
        |e: &walkdir::DirEntry| e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
    let it = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !hidden(e));
    for entry in it {
        match entry {
            Ok(e) => {
                let p = e.path();
                if e.file_type().is_file()
                    && p.extension()
                        .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
                {
                    out.push(p.to_path_buf());
                }
            }
            Err(e) if e.loop_ancestor().is_some() => {
                let at = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                skipped.push(format!("{at} (a symbolic link loop)"));
            }
            Err(e) => {
                let at = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                return Err(Fatal::new(format!("cannot read `{at}`: {e}"), None));
            }
        }
    }
    Ok(())
}
