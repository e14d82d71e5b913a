#!/usr/bin/env bash
# One command: Pharos CT QC engine vs pylinac CatPhan504 on the same simulated series.
# pylinac pins an older pydicom, so it lives in its own venv (benchmarks/.venvs/pylinac).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/benchmarks/.venvs/pylinac"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pylinac" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pylinac
fi
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || PY=python3
exec "$PY" "$ROOT/benchmarks/ct_qc/bench_vs_pylinac.py" "$@"
