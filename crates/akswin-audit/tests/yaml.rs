//! The positioned YAML loader (`akswin_audit::yaml`): document splitting, line/column spans,
//! aliases and merge keys, alias bombs, CRLF and JSON input.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use akswin_audit::yaml::{Node, parse, split};

#[test]
fn splits_and_keeps_lines() {
    let text = "# header\n---\na: 1\n---\n# only a comment\n---\nb:\n  - x\n...\n";
    let docs = split(text);
    assert_eq!(docs.len(), 2);
    let n = parse(&docs[1]).expect("parses").expect("node");
    let x = &n.get("b").expect("b").seq()[0];
    assert_eq!((x.span.line, x.span.col), (8, 5));
}

#[test]
fn aliases_merge_and_bombs() {
    let text = "base: &b { a: 1, c: 2 }\nuse:\n  <<: *b\n  c: 3\n";
    let docs = split(text);
    let n = parse(&docs[0]).expect("ok").expect("node");
    let u = n.get("use").expect("use");
    assert_eq!(u.get("a").and_then(Node::int), Some(1));
    assert_eq!(u.get("c").and_then(Node::int), Some(3));
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    assert!(parse(&split(&bomb)[0]).is_err());
}

#[test]
fn crlf_and_json() {
    let docs = split("a: 1\r\n---\r\nb: 2\r\n");
    assert_eq!(docs.len(), 2);
    let n = parse(&docs[1]).expect("ok").expect("node");
    assert_eq!(n.get("b").map(|b| b.span.line), Some(3));
    let j = split("{\"kind\": \"Pod\",\n \"spec\": {\"os\": {\"name\": \"windows\"}}}");
    let n = parse(&j[0]).expect("ok").expect("node");
    assert_eq!(
        n.path(&["spec", "os", "name"]).and_then(Node::str),
        Some("windows")
    );
}
