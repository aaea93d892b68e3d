//! Every rendered PowerShell script parses (tree-sitter's PowerShell grammar), and calls only
//! cmdlets akswin knows, with parameters their reference pages list
//! (`data/powershell-cmdlets.csv`, sourced in docs/sources.md#powershell-cmdlets). PowerShell is
//! not installed where akswin is built, so this is the check the scripts get before a domain
//! controller runs them.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

/// Parameters every cmdlet accepts (about_CommonParameters), and the risk mitigation ones of
/// cmdlets that support ShouldProcess.
const COMMON: &[&str] = &[
    "Verbose",
    "Debug",
    "ErrorAction",
    "ErrorVariable",
    "WarningAction",
    "WarningVariable",
    "InformationAction",
    "InformationVariable",
    "OutVariable",
    "OutBuffer",
    "PipelineVariable",
    "ProgressAction",
    "WhatIf",
    "Confirm",
];

/// External programs the scripts call (not cmdlets): their arguments are theirs.
const EXTERNAL: &[&str] = &["az", "kubectl", "shutdown.exe"];

/// cmdlet (lower case) -> its parameters (lower case).
fn cmdlets() -> BTreeMap<String, BTreeSet<String>> {
    let text = include_str!("../data/powershell-cmdlets.csv");
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let fields: Vec<&str> = line.splitn(4, ',').collect();
        assert_eq!(fields.len(), 4, "{line}");
        assert!(
            fields[3].starts_with("https://learn.microsoft.com/"),
            "{line}"
        );
        out.insert(
            fields[0].to_ascii_lowercase(),
            fields[2]
                .split_whitespace()
                .map(str::to_ascii_lowercase)
                .collect(),
        );
    }
    out
}

fn parse(text: &str) -> tree_sitter::Tree {
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect("grammar loads");
    p.parse(text, None).expect("parses")
}

fn nodes<'t>(n: tree_sitter::Node<'t>, out: &mut Vec<tree_sitter::Node<'t>>) {
    out.push(n);
    let mut c = n.walk();
    for ch in n.children(&mut c) {
        nodes(ch, out);
    }
}

/// What is wrong with a script: parse errors, unknown cmdlets, parameters a cmdlet does not
/// have. Functions the script defines are its own.
fn problems(text: &str, known: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let tree = parse(text);
    let mut all = Vec::new();
    nodes(tree.root_node(), &mut all);
    let src = |n: tree_sitter::Node<'_>| &text[n.byte_range()];
    let line = |n: tree_sitter::Node<'_>| n.start_position().row + 1;
    let mut out = Vec::new();
    for n in all.iter().filter(|n| n.is_error() || n.is_missing()) {
        out.push(format!("line {}: does not parse", line(*n)));
    }
    let functions: BTreeSet<String> = all
        .iter()
        .filter(|n| n.kind() == "function_statement")
        .filter_map(|n| {
            let mut c = n.walk();
            n.children(&mut c)
                .find(|ch| ch.kind() == "function_name")
                .map(|ch| src(ch).to_ascii_lowercase())
        })
        .collect();
    for cmd in all.iter().filter(|n| n.kind() == "command") {
        let mut c = cmd.walk();
        let children: Vec<_> = cmd.children(&mut c).collect();
        let Some(name) = children.iter().find(|ch| ch.kind() == "command_name") else {
            continue;
        };
        let name_text = src(*name);
        let key = name_text.to_ascii_lowercase();
        if EXTERNAL.contains(&key.as_str()) || functions.contains(&key) {
            continue;
        }
        let Some(params) = known.get(&key) else {
            out.push(format!(
                "line {}: {name_text} is not a cmdlet akswin knows (data/powershell-cmdlets.csv)",
                line(*name)
            ));
            continue;
        };
        for el in children.iter().filter(|ch| ch.kind() == "command_elements") {
            let mut c = el.walk();
            for p in el
                .children(&mut c)
                .filter(|x| x.kind() == "command_parameter")
            {
                let given = src(p).trim_start_matches('-').trim_end_matches(':');
                let g = given.to_ascii_lowercase();
                if !params.contains(&g) && !COMMON.iter().any(|c| c.eq_ignore_ascii_case(&g)) {
                    out.push(format!(
                        "line {}: {name_text} has no parameter -{given}",
                        line(p)
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn every_rendered_script_parses_and_calls_known_cmdlets_with_their_parameters() {
    let known = cmdlets();
    assert!(known.len() > 40, "{}", known.len());
    let mut checked = 0;
    let mut bad = Vec::new();
    for (scenario, tree) in common::scenarios() {
        for (path, text) in tree.files.iter().filter(|(p, _)| p.ends_with(".ps1")) {
            checked += 1;
            for p in problems(text, &known) {
                bad.push(format!("{scenario}/{path}: {p}"));
            }
        }
    }
    assert!(checked >= 8, "{checked}");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The PowerShell a manifest runs: a container's or a probe's `powershell.exe ... -Command
/// <script>`, at any depth of the object.
fn manifest_scripts(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Array(a) => {
            let words: Vec<&str> = a.iter().filter_map(|x| x.as_str()).collect();
            if words.len() == a.len()
                && words
                    .first()
                    .is_some_and(|w| w.to_ascii_lowercase().ends_with("powershell.exe"))
                && let Some(i) = words
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case("-Command"))
            {
                out.extend(words.get(i + 1).map(|s| s.to_string()));
            }
            a.iter().for_each(|x| manifest_scripts(x, out));
        }
        serde_json::Value::Object(o) => o.values().for_each(|x| manifest_scripts(x, out)),
        _ => {}
    }
}

#[test]
fn powershell_in_rendered_manifests_parses_and_calls_known_cmdlets() {
    let known = cmdlets();
    let mut checked = 0;
    let mut bad = Vec::new();
    for (scenario, tree) in common::scenarios() {
        for (path, text) in tree
            .files
            .iter()
            .filter(|(p, _)| p.starts_with("k8s/") && p.ends_with(".yaml"))
        {
            for doc in text.split("\n---\n") {
                let v: serde_json::Value = serde_saphyr::from_str(doc).unwrap();
                let mut scripts = Vec::new();
                manifest_scripts(&v, &mut scripts);
                for script in scripts {
                    checked += 1;
                    for p in problems(&script, &known) {
                        bad.push(format!("{scenario}/{path}: {p}"));
                    }
                }
            }
        }
    }
    // The canary's loop and readiness check, the exporter's start.
    assert!(checked >= 10, "{checked}");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_checker_finds_what_would_break_on_a_domain_controller() {
    let known = cmdlets();
    // A misspelled parameter, an invented cmdlet, an unbalanced block: each is reported.
    assert_eq!(
        problems("Get-ADGroup -Fitler \"Name -eq 'x'\"\n", &known),
        vec!["line 1: Get-ADGroup has no parameter -Fitler".to_string()]
    );
    assert_eq!(
        problems("New-ADGmsa -Name x\n", &known),
        vec![
            "line 1: New-ADGmsa is not a cmdlet akswin knows (data/powershell-cmdlets.csv)"
                .to_string()
        ]
    );
    assert!(
        problems("if ($x) {\n  Get-ADGroup -Filter '*'\n", &known)
            .iter()
            .any(|p| p.contains("does not parse")),
    );
    // Common parameters, switch parameters with a value, external programs and the script's
    // own functions pass.
    assert!(
        problems(
            "function Get-Thing { 1 }\nGet-Thing\nGet-DnsServerZone -Name x -ErrorAction SilentlyContinue -WhatIf:$false\naz keyvault secret list --vault-name v\n",
            &known
        )
        .is_empty()
    );
}
