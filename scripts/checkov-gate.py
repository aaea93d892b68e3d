#!/usr/bin/env python3
"""Run checkov on the rendered ARM of every golden scenario and fail unless every failed check
is listed, with its reason, in checkov/exceptions.csv. Exceptions that no scenario needs any
more fail the gate too, so the list cannot go stale.

Usage: scripts/checkov-gate.py [GOLDEN_DIR]   (default: crates/akswin-render/tests/golden)
"""
import csv
import fnmatch
import json
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
golden = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "crates/akswin-render/tests/golden"
with open(root / "checkov/exceptions.csv", newline="") as f:
    exceptions = [row for row in csv.DictReader(f)]
for e in exceptions:
    if not e["reason"].strip():
        sys.exit(f"checkov/exceptions.csv: {e['check_id']} {e['resource']} has no reason")

used = set()
unexcused = []
totals = {"passed": 0, "failed": 0, "excused": 0}
scenarios = sorted(p for p in golden.iterdir() if (p / "arm").is_dir())
if not scenarios:
    sys.exit(f"no scenarios under {golden}")
for scenario in scenarios:
    out = subprocess.run(
        ["checkov", "-d", str(scenario / "arm"), "--framework", "arm", "-o", "json", "--skip-download"],
        capture_output=True, text=True,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"checkov failed on {scenario.name} (exit {out.returncode}):\n{out.stderr[-2000:]}")
    report = json.loads(out.stdout)
    if isinstance(report, list):
        report = next(r for r in report if r.get("check_type") == "arm")
    results = report["results"]
    totals["passed"] += len(results["passed_checks"])
    for failed in results["failed_checks"]:
        totals["failed"] += 1
        match = next(
            (i for i, e in enumerate(exceptions)
             if e["check_id"] == failed["check_id"] and fnmatch.fnmatch(failed["resource"], e["resource"])),
            None,
        )
        if match is None:
            unexcused.append(f"{scenario.name}: {failed['check_id']} {failed['check_name']} on {failed['resource']}")
        else:
            used.add(match)
            totals["excused"] += 1
    print(f"checkov {scenario.name}: {len(results['passed_checks'])} passed, {len(results['failed_checks'])} failed")

stale = [f"{e['check_id']} {e['resource']}" for i, e in enumerate(exceptions) if i not in used]
print(f"checkov total: {totals['passed']} passed, {totals['failed']} failed, {totals['excused']} excused by checkov/exceptions.csv")
if unexcused:
    print("failed checks without a documented exception:\n  " + "\n  ".join(unexcused))
if stale:
    print("exceptions no scenario needs any more (remove them):\n  " + "\n  ".join(stale))
sys.exit(1 if unexcused or stale else 0)
