#!/usr/bin/env python3
"""Validate `akswin report` output with parsers akswin did not write.

Writes the baseline's report (HTML and JSON) with the akswin binary, then:
- parses the HTML with html5lib in strict mode (any HTML5 parse error fails);
- parses it again as XML with the standard library (the page is XHTML-well-formed);
- checks it is self-contained: no script, link, img, iframe, object or embed elements, no src
  attributes, no href that is not a fragment, no url() or @import in CSS;
- checks the topology SVG has one subnet box per subnet of the plan, labelled with its prefix;
- parses `akswin envs --format html` of examples/environments.yaml with html5lib strict too.
Usage: scripts/validate-report.py [path/to/akswin]
"""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import html5lib

AKSWIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/akswin")
NS = {"h": "http://www.w3.org/1999/xhtml", "s": "http://www.w3.org/2000/svg"}


def run(*args):
    return subprocess.run(
        [AKSWIN, *args, "--today", "2026-11-26"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    ).stdout


def main():
    html = run("report")
    plan = json.loads(run("report", "--format", "json"))
    html5lib.HTMLParser(strict=True).parse(html)
    root = ET.fromstring(html.split("\n", 1)[1])  # after <!DOCTYPE html>
    bad = []
    for el in root.iter():
        tag = el.tag.split("}")[-1]
        if tag in {"script", "link", "img", "iframe", "object", "embed", "image", "use"}:
            bad.append(f"element <{tag}>")
        for k, v in el.attrib.items():
            if k in {"src", "srcset"} or (k == "href" and not v.startswith("#")):
                bad.append(f"{tag} {k}={v}")
            if "url(" in v:
                bad.append(f"{tag} {k} uses url()")
        if tag == "style" and el.text and ("url(" in el.text or "@import" in el.text):
            bad.append("CSS url()/@import")
    if bad:
        sys.exit("report is not self-contained: " + "; ".join(bad))
    groups = [g for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "subnet"]
    subnets = [s for v in plan["network"]["vnets"] for s in v["subnets"]]
    if len(groups) != len(subnets):
        sys.exit(f"{len(groups)} subnet boxes for {len(subnets)} subnets")
    for g, s in zip(groups, subnets):
        label = g.find("s:text", NS)
        if g.get("data-prefix") != (s["prefix"] or "") or label is None or not "".join(label.itertext()).startswith(s["prefix"] or "unplaced"):
            sys.exit(f"subnet {s['azureName']}: box not labelled with {s['prefix']}")
    print(f"report: html5lib strict and XML parse OK, self-contained, {len(groups)} subnet boxes match the plan")
    example = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "environments.yaml")
    envs = run("envs", example, "--format", "html")
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(envs)
    if any(el.tag in {"script", "link", "img", "iframe", "object", "embed"} for el in doc.iter()):
        sys.exit("envs page is not self-contained")
    rows = sum(1 for el in doc.iter() if el.tag == "tr")
    print(f"envs: html5lib strict parse OK, self-contained, {rows} table rows")


if __name__ == "__main__":
    main()
