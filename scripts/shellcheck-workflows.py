#!/usr/bin/env python3
"""Shellcheck every bash `run:` step of the rendered GitHub Actions workflows.

    python3 scripts/shellcheck-workflows.py

Reads the golden scenarios' .github/workflows/*.yml (crates/akswin-render/tests/golden), writes
each bash step to a temporary file and runs Debian's shellcheck on it. GitHub expressions
(`${{ ... }}`) never appear in a rendered run block: values come in through `env:`, so the
script shellcheck sees is the script bash runs. Exits 1 on any finding.
"""
import glob
import os
import subprocess
import sys
import tempfile

import yaml


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = sorted(glob.glob(os.path.join(here, "crates/akswin-render/tests/golden/*/.github/workflows/*.yml")))
    if not files:
        print("no rendered workflows found", file=sys.stderr)
        return 1
    failed = 0
    steps = 0
    for f in files:
        doc = yaml.safe_load(open(f))
        for job_name, job in (doc.get("jobs") or {}).items():
            for i, step in enumerate(job.get("steps") or []):
                run = step.get("run")
                if run is None or step.get("shell", "bash") != "bash":
                    continue
                steps += 1
                if "${{" in run:
                    print(f"{f}: job {job_name} step {i}: a GitHub expression inside run", file=sys.stderr)
                    failed += 1
                    continue
                with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as t:
                    t.write("#!/usr/bin/env bash\n" + run)
                    path = t.name
                try:
                    r = subprocess.run(["shellcheck", "-s", "bash", path], capture_output=True, text=True)
                finally:
                    os.unlink(path)
                if r.returncode != 0:
                    failed += 1
                    print(f"{os.path.relpath(f, here)}: job {job_name} step {i} ({step.get('name')}):", file=sys.stderr)
                    print(r.stdout.replace(path, "<step>"), file=sys.stderr)
    print(f"shellcheck: {steps} workflow steps, {failed} with findings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
