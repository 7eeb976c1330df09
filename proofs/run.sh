#!/usr/bin/env bash
# Runs ProVerif on the given models (default: every model and control under proofs/)
# and prints, per file, its wall-clock time and its RESULT lines.
#   usage: proofs/run.sh [FILE.pv ...]
# Needs `proverif` (2.05) on PATH: ../shared/tools/proverif/install.sh PREFIX builds
# it; elsewhere `opam install proverif` or the release archive from the ProVerif site.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v proverif >/dev/null 2>&1 || { echo "run.sh: proverif not on PATH (see proofs/README.md)" >&2; exit 2; }
python3 "$here/gen.py" --check
if [ $# -eq 0 ]; then set -- "$here"/pqxdh*.pv "$here"/controls/*.pv; fi
for f in "$@"; do
    start=$(date +%s)
    out=$(proverif "$f" 2>&1) || true
    end=$(date +%s)
    echo "== $(basename "$f") ($((end - start)) s)"
    printf '%s\n' "$out" | grep -E '^RESULT|^Error' || echo "(no RESULT line)"
done
