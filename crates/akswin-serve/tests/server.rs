//! The designer's server, in process (no socket): what it refuses, and that its analysis is the
//! CLI's.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use akswin_serve::{MAX_BODY, ServerState, TOKEN_HEADER, router};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

const PORT: u16 = 47_123;
const TOKEN: &str = "00112233445566778899aabbccddeeff";

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

fn app(spec: Option<PathBuf>, write: bool) -> axum::Router {
    router(Arc::new(ServerState::new(
        PORT,
        TOKEN.into(),
        spec,
        write,
        today(),
        "test",
    )))
}

fn req(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("host", format!("127.0.0.1:{PORT}"))
}

fn api(method: &str, uri: &str) -> axum::http::request::Builder {
    req(method, uri).header(TOKEN_HEADER, TOKEN)
}

async fn send(app: axum::Router, r: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = app.oneshot(r).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

fn json_body(text: &str) -> Body {
    Body::from(serde_json::to_vec(&json!({ "text": text })).unwrap())
}

async fn analyse(text: &str) -> Value {
    let (status, _, body) = send(
        app(None, false),
        api("POST", "/api/analyse")
            .header("content-type", "application/json")
            .body(json_body(text))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn the_page_needs_the_token_and_carries_a_strict_policy() {
    let (status, headers, body) = send(
        app(None, false),
        req("GET", &format!("/?token={TOKEN}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains(&format!("content=\"{TOKEN}\"")));
    let csp = headers["content-security-policy"].to_str().unwrap();
    for d in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(d), "{csp}");
    }
    assert!(headers.get("access-control-allow-origin").is_none());
    // without the token, or with another
    for uri in [
        "/".to_string(),
        "/?token=0".to_string(),
        format!("/?token={TOKEN}0"),
    ] {
        let (status, _, _) = send(
            app(None, false),
            req("GET", &uri).body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
    }
    // the page loads only its own script and style, from this server
    assert!(page.contains("src=\"/app.js\"") && page.contains("href=\"/app.css\""));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no other host"
    );
    for asset in ["/app.js", "/app.css"] {
        let (status, _, body) = send(
            app(None, false),
            req("GET", asset).body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8(body).unwrap();
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{asset} names another host"
        );
    }
}

#[tokio::test]
async fn a_foreign_host_header_is_refused() {
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{PORT}"),
        "127.0.0.1:80".to_string(),
        format!("127.0.0.2:{PORT}"),
        String::new(),
    ] {
        let r = Request::builder()
            .uri("/api/rules")
            .header("host", &host)
            .header(TOKEN_HEADER, TOKEN)
            .body(Body::empty())
            .unwrap();
        let (status, _, _) = send(app(None, false), r).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "Host {host:?}");
    }
    // localhost on the right port is this server
    let r = Request::builder()
        .uri("/api/rules")
        .header("host", format!("localhost:{PORT}"))
        .header(TOKEN_HEADER, TOKEN)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(app(None, false), r).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_cross_origin_request_is_refused() {
    let (status, _, _) = send(
        app(None, false),
        api("POST", "/api/analyse")
            .header("origin", "https://evil.example")
            .header("content-type", "application/json")
            .body(json_body("name: x"))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        app(None, false),
        api("GET", "/api/spec")
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // its own origin passes, and no CORS header is ever sent
    let (status, headers, _) = send(
        app(None, false),
        api("GET", "/api/spec")
            .header("origin", format!("http://127.0.0.1:{PORT}"))
            .header("sec-fetch-site", "same-origin")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn the_api_needs_the_token() {
    for (name, value) in [
        ("x-other", TOKEN),
        (TOKEN_HEADER, "00112233445566778899aabbccddeefe"),
        (TOKEN_HEADER, ""),
    ] {
        let (status, _, _) = send(
            app(None, false),
            req("GET", "/api/spec")
                .header(name, value)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {value}");
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let big = "#".repeat(MAX_BODY + 1);
    let (status, _, _) = send(
        app(None, false),
        api("POST", "/api/analyse")
            .header("content-type", "application/json")
            .body(json_body(&big))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_analysis_is_the_clis() {
    let a = analyse(akswin_spec::BASELINE_YAML).await;
    // the CLI's check of the baseline: 0 errors, 0 warnings, 4 infos (README)
    assert_eq!(
        a["counts"],
        json!({ "errors": 0, "warnings": 0, "infos": 4 })
    );
    assert!(a["topologySvg"].as_str().unwrap().starts_with("<svg"));
    assert!(a["cost"]["totalMonthly"].as_f64().unwrap() > 0.0);
    assert!(a["network"]["vnets"].as_array().unwrap().len() >= 2);
    // a mistake is found at its line and column
    let broken = akswin_spec::BASELINE_YAML.replacen("maxPods: 30", "maxPods: 3000", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("maxPods: 3000"))
        .unwrap()
        + 1;
    let a = analyse(&broken).await;
    assert!(a["counts"]["errors"].as_u64().unwrap() > 0);
    assert!(
        a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["severity"] == "error" && f["span"]["line"] == line),
        "no error on line {line}: {}",
        a["findings"]
    );
    // YAML that does not parse: a finding with its place, not a failure of the server
    let a = analyse("name: [unclosed\n").await;
    assert_eq!(a["loaded"], false);
    let f = &a["findings"][0];
    assert!(f["code"].as_str().unwrap().starts_with("SPEC"));
    assert!(f["span"]["line"].as_u64().is_some());
}

#[tokio::test]
async fn saving_needs_write_and_touches_only_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("akswin.yaml");
    let other = dir.path().join("other.yaml");
    std::fs::write(&spec, "name: before\n").unwrap();
    std::fs::write(&other, "keep\n").unwrap();
    let save = |app: axum::Router, uri: &str| {
        let r = api("POST", uri)
            .header("content-type", "application/json")
            .body(json_body("name: after\n"))
            .unwrap();
        send(app, r)
    };
    // without --write: refused, the file unchanged
    let (status, _, _) = save(app(Some(spec.clone()), false), "/api/save").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), "name: before\n");
    // no spec file (the baseline): refused even with --write
    let (status, _, _) = save(app(None, true), "/api/save").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // with --write: the spec, whatever the request names
    let (status, _, _) = save(
        app(Some(spec.clone()), true),
        &format!("/api/save?path={}", other.display()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), "name: after\n");
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep\n");
    // and reading serves the spec alone: a path outside it is not a route
    for uri in [
        "/../other.yaml",
        "/api/../other.yaml",
        "/api/spec/../../other.yaml",
        "/other.yaml",
    ] {
        let (status, _, body) = send(
            app(Some(spec.clone()), true),
            api("GET", uri).body(Body::empty()).unwrap(),
        )
        .await;
        assert_ne!(status, StatusCode::OK, "{uri}");
        assert!(!String::from_utf8_lossy(&body).contains("keep"), "{uri}");
    }
    let (status, _, body) = send(
        app(Some(spec.clone()), true),
        api("GET", &format!("/api/spec?path={}", other.display()))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["text"], "name: after\n");
    assert_eq!(v["writable"], true);
    // only the spec and nothing else in the folder
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["akswin.yaml", "other.yaml"],
        "a temporary file was left behind"
    );
}

#[tokio::test]
async fn schema_and_rules_are_the_clis() {
    let (status, _, body) = send(
        app(None, false),
        api("GET", "/api/schema").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let schema: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(schema, akswin_spec::json_schema());
    let (status, _, body) = send(
        app(None, false),
        api("GET", "/api/rules").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let rules: Value = serde_json::from_slice(&body).unwrap();
    let codes: Vec<&str> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(codes.contains(&"MON005") && codes.contains(&"WIN025"));
}

#[tokio::test]
async fn the_bundle_is_the_rendered_tree_and_is_refused_with_errors() {
    let post = |text: &str| {
        api("POST", "/api/render")
            .header("content-type", "application/json")
            .body(json_body(text))
            .unwrap()
    };
    let (status, headers, zip) = send(app(None, false), post(akswin_spec::BASELINE_YAML)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/zip");
    // the files `akswin render` writes: the tree `check` verified
    let loaded = akswin_spec::load(
        akswin_spec::BASELINE_NAME,
        akswin_spec::BASELINE_YAML.as_bytes(),
    )
    .unwrap();
    let tree = akswin_pipeline::check(&loaded, today(), "test")
        .tree
        .expect("the baseline renders");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.clone())).unwrap();
    let mut names = Vec::new();
    for i in 0..archive.len() {
        use std::io::Read;
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        assert_eq!(Some(&text), tree.files.get(&name), "{name}");
        if name.ends_with(".sh") {
            assert_eq!(f.unix_mode().map(|m| m & 0o777), Some(0o755), "{name}");
        }
        names.push(name);
    }
    assert_eq!(names, tree.files.keys().cloned().collect::<Vec<_>>());
    // the same spec, the same bytes
    let (_, _, again) = send(app(None, false), post(akswin_spec::BASELINE_YAML)).await;
    assert_eq!(zip, again);
    // a spec with errors is not rendered
    let broken = akswin_spec::BASELINE_YAML.replacen("maxPods: 30", "maxPods: 3000", 1);
    let (status, _, body) = send(app(None, false), post(&broken)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&body).contains("errors"));
}
