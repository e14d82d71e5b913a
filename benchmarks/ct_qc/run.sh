#!/usr/bin/env bash
# One command: Pharos CT QC engine vs pylinac CatPhan504, and the three-renderer check.
#   benchmarks/ct_qc/run.sh              - simulator series vs pylinac (bench_vs_pylinac.py)
#   benchmarks/ct_qc/run.sh --renderers [--clean N] [--foreign DIR] [--pylinac N]
#                                        - own simulator, image renderer, foreign sample:
#                                          false alarms, misses, errors, time vs pylinac
# pylinac pins an older pydicom, so it lives in its own venv (benchmarks/.venvs/pylinac).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/benchmarks/.venvs/pylinac"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pylinac" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pylinac
fi
PY="${PHAROS_PYTHON:-$ROOT/.venv/bin/python}"   # PHAROS_PYTHON: e.g. the main checkout's venv from a worktree
[ -x "$PY" ] || PY=python3
if [ "${1:-}" = "--renderers" ]; then
  shift
  exec "$PY" "$ROOT/benchmarks/ct_qc/renderers.py" "$@"
fi
exec "$PY" "$ROOT/benchmarks/ct_qc/bench_vs_pylinac.py" "$@"
