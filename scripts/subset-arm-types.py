#!/usr/bin/env python3
"""Write the subset of Microsoft's Bicep resource type data that akswin's `check` embeds.

    python3 scripts/subset-arm-types.py REFERENCE_DIR > crates/akswin-render/data/arm-types.json

REFERENCE_DIR is the conformance reference set (see conformance/README.md); its
bicep-types/generated/ holds byte-identical files of Azure/bicep-types-az. The subset keeps,
for every `Type@apiVersion` listed in crates/akswin-render/data/arm-types.list, the type nodes
reachable from it, renumbered into one array, with description texts dropped (not checked).
Output is deterministic, so a test can compare the committed file with a fresh run.
"""
import json
import os
import re
import sys

def main():
    ref = sys.argv[1]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    gen = os.path.join(ref, "bicep-types", "generated")
    index = json.load(open(os.path.join(gen, "index.json")))["resources"]
    lower = {k.lower(): v["$ref"] for k, v in index.items()}
    wanted = [l.strip() for l in open(os.path.join(here, "crates/akswin-render/data/arm-types.list"))
              if l.strip() and not l.startswith("#")]
    files = {}
    def load(f):
        if f not in files:
            files[f] = json.load(open(os.path.join(gen, f)))
        return files[f]
    order = []          # (file, node) in first-visit order
    number = {}         # (file, node) -> new index
    def visit(f, n):
        if (f, n) in number:
            return number[(f, n)]
        number[(f, n)] = len(order)
        order.append((f, n))
        for m in sorted(set(int(x) for x in re.findall(r'"\$ref": "#/(\d+)"', json.dumps(load(f)[n])))):
            visit(f, m)
        return number[(f, n)]
    resources = {}
    for k in wanted:
        r = lower.get(k.lower())
        if r is None:
            sys.exit(f"error: no type data for {k}")
        f, n = r.split("#/")
        resources[k] = visit(f, int(n))
    def strip(v, f):
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                if k == "description" and isinstance(x, str):
                    continue  # documentation text; a property named `description` is a dict
                if k == "$ref" and isinstance(x, str) and x.startswith("#/"):
                    out[k] = "#/%d" % number[(f, int(x[2:]))]
                else:
                    out[k] = strip(x, f)
            return out
        if isinstance(v, list):
            return [strip(x, f) for x in v]
        return v
    nodes = [strip(load(f)[n], f) for f, n in order]
    json.dump({
        "source": "Azure/bicep-types-az generated/ (MIT), subset written by scripts/subset-arm-types.py",
        "resources": resources,
        "nodes": nodes,
    }, sys.stdout, separators=(",", ":"), sort_keys=False)
    sys.stdout.write("\n")

main()
