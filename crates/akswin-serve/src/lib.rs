//! `akswin serve`: a local web designer over the same library pipeline as the CLI, so every
//! number the page shows is the one `check` and `plan` print.
//!
//! The server listens on 127.0.0.1 only and trusts nothing else that can reach it: a page on
//! another site open in the same browser, a DNS name rebound to 127.0.0.1, another user's
//! process on the machine. So every request must name this server in its `Host` header
//! (`127.0.0.1:<port>` or `localhost:<port>`), a request that says where it comes from
//! (`Origin`, `Sec-Fetch-Site`) must come from this server's own page, every JSON call carries
//! the per-run token (a random 128-bit value printed with the URL) in `X-Akswin-Token`, and no
//! CORS header is ever sent. Bodies are limited to the spec size the loader accepts, each
//! analysis has a time limit, and at most [`MAX_CONCURRENT`] run at once. The page is served
//! with a content security policy that allows only this server's own script, style and
//! requests; nothing is fetched from anywhere else. The only file the server writes is the one
//! spec it was started with, and only with `--write`.
//!
//! This is the designer's first increment: a plain editor (no bundle, no Node.js at build
//! time), findings at their line and column, the topology, the address plan, cost, scale-out,
//! the upgrade calendar and the rendered tree as a zip. Not built yet (docs/serve.md):
//! schema-driven completion, presets, diff, share links and the browser tests.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Analyses that may run at once; more get 503 (the page asks again on its next pause).
pub const MAX_CONCURRENT: usize = 4;
/// Longest an analysis may take before the request gets 504.
pub const ANALYSIS_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest request body: the loader's spec limit and room for the JSON around it.
pub const MAX_BODY: usize = akswin_spec::MAX_SPEC_BYTES + 64 * 1024;
/// The header that carries the per-run token.
pub const TOKEN_HEADER: &str = "x-akswin-token";

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");

/// Everything a running server knows.
#[derive(Debug)]
pub struct ServerState {
    /// The port the server answers on (the one `Host` and `Origin` must name).
    pub port: u16,
    pub token: String,
    /// The one spec the designer opened; `None` starts from the built-in baseline.
    pub spec_path: Option<PathBuf>,
    /// Whether `POST /api/save` may write `spec_path`.
    pub write: bool,
    pub today: NaiveDate,
    pub version: String,
    permits: Semaphore,
}

impl ServerState {
    pub fn new(
        port: u16,
        token: String,
        spec_path: Option<PathBuf>,
        write: bool,
        today: NaiveDate,
        version: &str,
    ) -> ServerState {
        ServerState {
            port,
            token,
            spec_path,
            write,
            today,
            version: version.to_string(),
            permits: Semaphore::new(MAX_CONCURRENT),
        }
    }
}

/// A fresh per-run token: 128 random bits from the operating system, as hex.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The routes, behind the guard.
pub fn router(state: Arc<ServerState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(app_js))
        .route("/app.css", get(app_css))
        .route("/api/spec", get(spec))
        .route("/api/analyse", post(analyse))
        .route("/api/save", post(save))
        .route("/api/render", post(render))
        .route("/api/schema", get(schema))
        .route("/api/rules", get(rules))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Bind 127.0.0.1:`port` (0: any free port) and serve until Ctrl-C. `announce` gets the URL
/// to open (with the token) once the socket is bound.
pub async fn run(
    port: u16,
    spec_path: Option<PathBuf>,
    write: bool,
    today: NaiveDate,
    version: &str,
    announce: impl FnOnce(&str),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let port = listener.local_addr()?.port();
    let token = new_token()?;
    let url = format!("http://127.0.0.1:{port}/?token={token}");
    let state = Arc::new(ServerState::new(
        port, token, spec_path, write, today, version,
    ));
    announce(&url);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

fn refuse(status: StatusCode, why: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{why}\n"),
    )
        .into_response()
}

fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    // constant time in the length of the expected value
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token a `GET /` carries in its query.
fn query_token(q: Option<&str>) -> Option<&str> {
    q?.split('&').find_map(|kv| kv.strip_prefix("token="))
}

/// Every request: this server's Host, its own origin when one is named, the token on the
/// page and the API; security headers on every answer.
async fn guard(State(s): State<Arc<ServerState>>, req: Request, next: Next) -> Response {
    let h = req.headers();
    let own_hosts = [
        format!("127.0.0.1:{}", s.port),
        format!("localhost:{}", s.port),
    ];
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !own_hosts.iter().any(|o| o.eq_ignore_ascii_case(host)) {
        return secured(refuse(
            StatusCode::FORBIDDEN,
            "akswin serve answers only requests for 127.0.0.1 or localhost on its own port",
        ));
    }
    if let Some(origin) = h.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !own_hosts
            .iter()
            .any(|o| origin.eq_ignore_ascii_case(&format!("http://{o}")))
        {
            return secured(refuse(
                StatusCode::FORBIDDEN,
                "cross-origin requests are refused",
            ));
        }
    }
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return secured(refuse(
            StatusCode::FORBIDDEN,
            "cross-site requests are refused",
        ));
    }
    let path = req.uri().path();
    let token_ok = if path == "/" {
        query_token(req.uri().query()).is_some_and(|t| same_bytes(t.as_bytes(), s.token.as_bytes()))
    } else if path.starts_with("/api/") {
        h.get(TOKEN_HEADER)
            .is_some_and(|t| same_bytes(t.as_bytes(), s.token.as_bytes()))
    } else {
        // the page's own script and style carry no data
        true
    };
    if !token_ok {
        return secured(refuse(
            StatusCode::UNAUTHORIZED,
            "open the URL `akswin serve` printed (it carries this run's token)",
        ));
    }
    secured(next.run(req).await)
}

fn secured(mut r: Response) -> Response {
    let h = r.headers_mut();
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "no-referrer");
    set(h, "x-frame-options", "DENY");
    set(h, "cache-control", "no-store");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "cross-origin-resource-policy", "same-origin");
    r
}

async fn index(State(s): State<Arc<ServerState>>) -> Response {
    // the token is hex: nothing in it needs escaping
    let page = INDEX_HTML
        .replace("{{token}}", &s.token)
        .replace("{{version}}", &html_escape(&s.version));
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

async fn app_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        APP_JS,
    )
        .into_response()
}

async fn app_css() -> Response {
    // the report's chart and topology style, so the SVG looks as it does there
    let css = format!("{APP_CSS}\n{}", akswin_render::report::SVG_CSS);
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], css).into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The spec the designer opens: the file given (or the baseline), its name, and whether
/// saving is allowed.
async fn spec(State(s): State<Arc<ServerState>>) -> Response {
    if let Some(p) = &s.spec_path
        && let Ok(m) = tokio::fs::metadata(p).await
        && m.len() > akswin_spec::MAX_SPEC_BYTES as u64
    {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("{} is larger than a spec can be", p.display()),
        );
    }
    let (name, text) = match &s.spec_path {
        Some(p) => match tokio::fs::read(p).await {
            Ok(bytes) => (
                p.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ),
            // a new file: start from the baseline, save creates it
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (
                p.display().to_string(),
                akswin_spec::BASELINE_YAML.to_string(),
            ),
            Err(e) => {
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("cannot read {}: {e}", p.display()),
                );
            }
        },
        None => (
            akswin_spec::BASELINE_NAME.to_string(),
            akswin_spec::BASELINE_YAML.to_string(),
        ),
    };
    axum::Json(json!({
        "name": name,
        "text": text,
        "writable": s.write && s.spec_path.is_some(),
        "version": s.version,
    }))
    .into_response()
}

#[derive(Deserialize)]
struct SpecText {
    text: String,
}

/// Run `work` on the spec text under the server's limits: a free permit (else 503), a
/// blocking task, the time limit (else 504). `work` gets the spec's name, its text, the day
/// and the version; its answer becomes the response.
async fn limited<F>(s: &ServerState, text: String, what: &'static str, work: F) -> Response
where
    F: FnOnce(&str, &str, NaiveDate, &str) -> Response + Send + 'static,
{
    let Ok(_permit) = s.permits.try_acquire() else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy: other analyses are running",
        );
    };
    let (today, version) = (s.today, s.version.clone());
    let name = s
        .spec_path
        .as_ref()
        .map_or(akswin_spec::BASELINE_NAME.to_string(), |p| {
            p.display().to_string()
        });
    let task = tokio::task::spawn_blocking(move || work(&name, &text, today, &version));
    match tokio::time::timeout(ANALYSIS_TIMEOUT, task).await {
        Ok(Ok(r)) => r,
        Ok(Err(_)) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the {what} failed"),
        ),
        Err(_) => refuse(
            StatusCode::GATEWAY_TIMEOUT,
            &format!("the {what} took too long"),
        ),
    }
}

/// Check, plan and draw one spec text: what the page shows after each pause in typing.
async fn analyse(State(s): State<Arc<ServerState>>, body: axum::Json<SpecText>) -> Response {
    limited(&s, body.0.text, "analysis", |name, text, today, version| {
        axum::Json(analysis(name, text, today, version)).into_response()
    })
    .await
}

fn finding_json(f: &akswin_diag::Finding) -> Value {
    json!({
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "help": f.help,
        "pointer": f.pointer,
        "span": f.span,
        "waived": f.waived,
    })
}

/// The analysis of one spec text, as `check` and `plan --format json` compute it.
pub fn analysis(name: &str, text: &str, today: NaiveDate, version: &str) -> Value {
    let loaded = match akswin_spec::load(name, text.as_bytes()) {
        Ok(l) => l,
        Err(e) => {
            let findings: Vec<Value> = e.findings.iter().map(finding_json).collect();
            return json!({
                "loaded": false,
                "counts": { "errors": findings.len(), "warnings": 0, "infos": 0 },
                "findings": findings,
            });
        }
    };
    let book = akswin_plan::cost::PriceBook::embedded();
    let checked = akswin_pipeline::check_priced(&loaded, today, version, &book);
    let models = akswin_pipeline::views::plan::Models::of_checked(&loaded, &checked, book, today);
    let plan = akswin_pipeline::views::plan::json(
        &loaded,
        &checked.plan,
        &checked.findings,
        &models,
        version,
        today,
    );
    let count = |sev: akswin_diag::Severity| {
        checked
            .findings
            .iter()
            .filter(|f| f.severity == sev && f.waived.is_none())
            .count()
    };
    json!({
        "loaded": true,
        "counts": {
            "errors": count(akswin_diag::Severity::Error),
            "warnings": count(akswin_diag::Severity::Warning),
            "infos": count(akswin_diag::Severity::Info),
        },
        "findings": checked.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "topologySvg": akswin_render::report::topology_svg(&loaded.spec, &checked.plan),
        "network": plan["network"],
        "cost": plan["cost"],
        "scaleOut": plan["scaleOut"],
        "upgradeCalendar": plan["upgradeCalendar"],
        "hotSpare": plan["hotSpare"],
    })
}

/// The rendered tree as a zip, the files `akswin render` writes, byte for byte: refused
/// (422, with the counts) while the spec has errors.
async fn render(State(s): State<Arc<ServerState>>, body: axum::Json<SpecText>) -> Response {
    limited(
        &s,
        body.0.text,
        "render",
        |name, text, today, version| match bundle(name, text, today, version) {
            Ok(zip) => (
                [
                    (header::CONTENT_TYPE, "application/zip"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"akswin-render.zip\"",
                    ),
                ],
                zip,
            )
                .into_response(),
            Err(why) => refuse(StatusCode::UNPROCESSABLE_ENTITY, &why),
        },
    )
    .await
}

/// The tree `check` verified (the one `render` writes), as a deterministic zip: entries in path
/// order, the zip epoch (1980-01-01) as every time, mode 644 (755 for shell scripts), deflate.
pub fn bundle(name: &str, text: &str, today: NaiveDate, version: &str) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let loaded = akswin_spec::load(name, text.as_bytes()).map_err(|e| {
        format!(
            "the spec does not load ({} findings): fix it first",
            e.findings.len()
        )
    })?;
    let checked = akswin_pipeline::check(&loaded, today, version);
    let Some(tree) = checked.tree else {
        return Err(format!(
            "not rendering: the spec has {} errors (the findings say where)",
            checked.errors()
        ));
    };
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, content) in &tree.files {
        let mode = if path.ends_with(".sh") { 0o755 } else { 0o644 };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(mode);
        out.start_file(path.as_str(), options)
            .and_then(|()| out.write_all(content.as_bytes()).map_err(Into::into))
            .map_err(|e| format!("cannot zip {path}: {e}"))?;
    }
    out.finish()
        .map(std::io::Cursor::into_inner)
        .map_err(|e| format!("cannot zip: {e}"))
}

/// Write the editor's text to the one spec file, atomically (a temporary file in the same
/// folder, renamed over it). Only with `--write`.
async fn save(State(s): State<Arc<ServerState>>, body: axum::Json<SpecText>) -> Response {
    let (true, Some(path)) = (s.write, s.spec_path.clone()) else {
        return refuse(
            StatusCode::FORBIDDEN,
            "saving is off: start `akswin serve SPEC --write` to save to SPEC",
        );
    };
    let text = body.0.text;
    let done = tokio::task::spawn_blocking(move || write_atomic(&path, text.as_bytes())).await;
    match done {
        Ok(Ok(())) => axum::Json(json!({ "saved": true })).into_response(),
        Ok(Err(e)) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("not saved: {e}"),
        ),
        Err(_) => refuse(StatusCode::INTERNAL_SERVER_ERROR, "not saved"),
    }
}

fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

async fn schema() -> Response {
    axum::Json(akswin_spec::json_schema()).into_response()
}

async fn rules() -> Response {
    let metas: Vec<Value> = akswin_pipeline::views::all_metas()
        .iter()
        .map(|m| {
            json!({
                "code": m.code,
                "name": m.name,
                "severity": m.severity,
                "summary": m.summary,
                "doc": m.doc,
            })
        })
        .collect();
    axum::Json(json!({ "rules": metas })).into_response()
}

/// [`run`] on a runtime of its own, for the CLI.
pub fn run_blocking(
    port: u16,
    spec_path: Option<PathBuf>,
    write: bool,
    today: NaiveDate,
    version: &str,
    announce: impl FnOnce(&str),
) -> std::io::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run(port, spec_path, write, today, version, announce))
}
