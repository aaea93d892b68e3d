#!/usr/bin/env python3
"""Validate every rendered Kubernetes manifest of every golden scenario with
kubernetes-validate in strict mode, for the Kubernetes version the scenario's cluster runs
(read from its rendered arm/main.json). Fails on any error, or on a resource it cannot check.

Usage: scripts/validate-k8s.py [GOLDEN_DIR]   (default: crates/akswin-render/tests/golden)
"""
import json
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
golden = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "crates/akswin-render/tests/golden"


def cluster_version(main):
    def walk(t):
        for r in t.get("resources", []):
            if r.get("type") == "Microsoft.ContainerService/managedClusters":
                return r["properties"]["kubernetesVersion"]
            if r.get("type") == "Microsoft.Resources/deployments":
                v = walk(r["properties"]["template"])
                if v:
                    return v
        return None
    return walk(json.loads(main.read_text()))


failed = False
checked = 0
for scenario in sorted(p for p in golden.iterdir() if (p / "k8s").is_dir()):
    version = cluster_version(scenario / "arm/main.json")
    if not version:
        sys.exit(f"{scenario.name}: no cluster version in arm/main.json")
    full = version if version.count(".") == 2 else version + ".0"
    files = sorted(str(f) for f in (scenario / "k8s").glob("*.yaml"))
    out = subprocess.run(["kubernetes-validate", "--strict", "-k", full, *files], capture_output=True, text=True)
    lines = (out.stdout + out.stderr).splitlines()
    passed = [l for l in lines if " passed for resource " in l]
    problems = [l for l in lines if l.startswith(("ERROR", "WARN"))]
    checked += len(passed)
    print(f"kubernetes-validate {scenario.name} ({full}, strict): {len(passed)} resources passed, {len(problems)} problems")
    for l in problems:
        print("  " + l)
    if out.returncode != 0 or problems:
        failed = True
print(f"kubernetes-validate total: {checked} resources passed")
sys.exit(1 if failed or checked == 0 else 0)
