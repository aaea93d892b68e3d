//! A bad indent is reported on the line that has it (issue 16: one case was reported a line
//! late). Each case breaks one line of an otherwise readable spec; the finding must point at
//! that line, whatever the parser's phrasing.

#![allow(clippy::expect_used, clippy::unwrap_used)]

const HEAD: &str = "apiVersion: akswin/v1\nname: fx\nlocation: eastus2\n";

#[test]
fn a_bad_indent_is_reported_on_its_own_line() {
    // (the rest of the spec after HEAD, the 1-based line of the bad indent)
    let cases = [
        (
            "network:\n  hub:\n    addressSpace: [10.200.0.0/24]\n   spoke:\n    addressSpace: [10.240.0.0/16]\n",
            7,
        ),
        (
            "network:\n  hub:\n    addressSpace: [10.200.0.0/24]\n      cni: x\n  spoke: {}\n",
            7,
        ),
        (
            "cluster:\n  nodePools:\n    - name: a\n      vmSize: x\n     os: Linux\n",
            8,
        ),
        (
            "cluster:\n  nodePools:\n    - name: a\n      vmSize: x\n        os: Linux\n",
            8,
        ),
        (
            "network:\n  hub:\n    addressSpace:\n    - 10.200.0.0/24\n   - 10.201.0.0/24\n",
            8,
        ),
        (
            "network:\n  hub:\n    subnets:\n      firewall: auto\n     bastion: auto\n  spoke: {}\n",
            8,
        ),
        ("network:\n\thub: {}\nidentity: {}\n", 5),
        (
            "network:\n  hub:\n    addressSpace: [10.200.0.0/24]\n subnets: {}\nidentity: {}\n",
            7,
        ),
        ("  network:\n    hub: {}\n", 4),
    ];
    for (rest, line) in cases {
        let text = format!("{HEAD}{rest}");
        let e = match akswin_spec::load("bad.yaml", text.as_bytes()) {
            Ok(_) => panic!("loaded:\n{text}"),
            Err(e) => e,
        };
        let lines: Vec<u32> = e
            .findings
            .iter()
            .filter_map(|f| f.span.map(|s| s.line))
            .collect();
        assert_eq!(lines.first(), Some(&line), "{text}\n{:?}", e.findings);
    }
}
