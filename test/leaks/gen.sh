#!/usr/bin/env bash
# Regenerates the leak-doctor fixtures: runs every program under test/leaks/programs with Go
# (1.19 is what the committed fixtures came from) and writes its profiles and MemStats series
# to test/leaks/fixtures/<program>/. Text outputs are gzipped (the doctor reads gzip anywhere).
# Usage: test/leaks/gen.sh [program...] [-o OUTDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/fixtures"
progs=()
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    *) progs+=("$1"); shift ;;
  esac
done
cd "$here/programs"
if [ ${#progs[@]} -eq 0 ]; then
  for d in */main.go; do progs+=("$(dirname "$d")"); done
fi
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
for p in "${progs[@]}"; do
  # -trimpath keeps file names machine-independent (gomemleaks/<program>/main.go).
  go build -trimpath -o "$bin/$p" "./$p"
  rm -rf "${out:?}/$p"
  mkdir -p "$out/$p"
  "$bin/$p" -out "$out/$p"
  for f in "$out/$p"/*.txt "$out/$p"/*.jsonl; do gzip -9 -n "$f"; done
  echo "$p: $(ls "$out/$p" | wc -l) files, $(du -sk "$out/$p" | cut -f1) KiB"
done
