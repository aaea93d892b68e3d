#!/usr/bin/env bash
# Time `akswin audit` (release build, the real CLI) on generated corpora of 1,000 / 10,000 /
# 100,000 documents: the median wall time of RUNS runs (default 7) and peak RSS from GNU
# time; optionally checkov on the same 10,000-document corpus for comparison (CHECKOV=1; it
# takes minutes).
# Usage: scripts/bench-audit.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
cargo build --release -q -p akswin
runs="${RUNS:-7}"
for n in 1000 10000 100000; do
  dir="$work/corpus-$n"
  [ -d "$dir" ] || cargo bench -q -p akswin-audit --bench audit -- --write "$dir" "$n" > /dev/null
  # Each size $runs times (a shared machine is noisy): the median, the range, and the median
  # run's peak RSS.
  for _ in $(seq "$runs"); do
    # audit exits 1 on findings (the corpus has them on purpose): not a failure here.
    { /usr/bin/time -f "%e %M" target/release/akswin audit "$dir" --format json 2>&1 > /dev/null || true; } | tail -1
  done | sort -n | awk -v n="$n" '{ t[NR] = $1; m[NR] = $2 }
    END { mid = int((NR + 1) / 2);
          printf "akswin audit %d documents: median %.2f s wall (min %.2f, max %.2f, %d runs), %.0f MiB peak RSS\n",
                 n, t[mid], t[1], t[NR], NR, m[mid] / 1024 }'
done
if [ "${CHECKOV:-0}" = 1 ]; then
  # checkov skips a whole file when one of its documents is malformed (silently), and every
  # generated file holds some malformed documents: on the multi-document corpus it checks
  # nothing. Compare on the same 10,000 documents split one per file.
  split="$work/split-10000"
  if [ ! -d "$split" ]; then
    mkdir -p "$split"
    python3 - "$work/corpus-10000" "$split" <<'PY'
import os, re, sys
src, dst = sys.argv[1], sys.argv[2]
n = 0
for f in sorted(os.listdir(src)):
    text = open(os.path.join(src, f), encoding="utf-8", errors="replace").read()
    for doc in re.split(r"(?m)^---[ \t]*$", text):
        if doc.strip():
            open(os.path.join(dst, "doc-%05d.yaml" % n), "w").write(doc.lstrip("\n"))
            n += 1
PY
  fi
  /usr/bin/time -f "akswin audit 10000 documents, one per file: %e s wall, %M KiB peak RSS" \
    target/release/akswin audit "$split" --format json > /dev/null || true
  /usr/bin/time -f "checkov 10000 documents, one per file: %e s wall, %M KiB peak RSS" \
    checkov -d "$split" --framework kubernetes --quiet --compact --skip-download -o json > /dev/null 2>&1 || true
fi
