#!/usr/bin/env bash
# Assemble the conformance reference set that akswin's tests validate rendered output against
# (official ARM template schemas, Bicep resource types, Azure Policy built-ins, the GitHub
# workflow and SARIF schemas) into DIR, and verify every file's SHA-256.
#
#   scripts/fetch-reference.sh DIR
#   AKSWIN_REFERENCE_DIR=DIR AKSWIN_REQUIRE_REFERENCE=1 cargo test --workspace --locked
#
# Upstream files are downloaded from their repositories at pinned commits (needs curl and
# internet access); the few derived index files ship in conformance/derived/. The list, with
# hashes, is conformance/reference.lock.csv. Tests never use the network: they only read DIR.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")/.." && pwd)"
lock="$here/conformance/reference.lock.csv"
dest="$1"
mkdir -p "$dest"
command -v sha256sum >/dev/null || { echo "error: sha256sum is required" >&2; exit 2; }
fetched=0
failed=0
while IFS=, read -r path url sha; do
  case "$path" in ''|'#'*|path) continue ;; esac
  out="$dest/$path"
  mkdir -p "$(dirname "$out")"
  if [ -f "$out" ] && echo "$sha  $out" | sha256sum --check --status; then
    continue
  fi
  tmp="$out.part"
  if [ -n "$url" ]; then
    command -v curl >/dev/null || { echo "error: curl is required to download $path" >&2; exit 2; }
    if ! curl -fsSL --retry 3 -o "$tmp" "$url"; then
      echo "error: could not download $path from $url" >&2
      rm -f "$tmp"
      failed=$((failed + 1))
      continue
    fi
  else
    cp "$here/conformance/derived/$path" "$tmp"
  fi
  if echo "$sha  $tmp" | sha256sum --check --status; then
    mv "$tmp" "$out"
    fetched=$((fetched + 1))
  else
    echo "error: $path does not match its pinned SHA-256 (kept nothing)" >&2
    rm -f "$tmp"
    failed=$((failed + 1))
  fi
done < "$lock"
if [ "$failed" -gt 0 ]; then
  echo "error: $failed file(s) missing or wrong; $dest is incomplete" >&2
  exit 1
fi
echo "ok: $dest holds the pinned reference set ($fetched file(s) written now)"
echo "run: AKSWIN_REFERENCE_DIR=$dest AKSWIN_REQUIRE_REFERENCE=1 cargo test --workspace --locked"
