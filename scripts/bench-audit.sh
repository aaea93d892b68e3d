#!/usr/bin/env bash
# Time `akswin audit` (release build, the real CLI) on generated corpora of 1,000 / 10,000 /
# 100,000 documents, with wall time and peak RSS from GNU time, and optionally checkov on the
# same 10,000-document corpus for comparison (CHECKOV=1; it takes minutes).
# Usage: scripts/bench-audit.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
cargo build --release -q -p akswin
for n in 1000 10000 100000; do
  dir="$work/corpus-$n"
  [ -d "$dir" ] || cargo bench -q -p akswin-audit --bench audit -- --write "$dir" "$n" > /dev/null
  /usr/bin/time -f "akswin audit $n documents: %e s wall, %M KiB peak RSS" \
    target/release/akswin audit "$dir" --format json > /dev/null || true
done
if [ "${CHECKOV:-0}" = 1 ]; then
  /usr/bin/time -f "checkov 10000 documents: %e s wall, %M KiB peak RSS" \
    checkov -d "$work/corpus-10000" --framework kubernetes --quiet --compact --skip-download -o json > /dev/null 2>&1 || true
fi
