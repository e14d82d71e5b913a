#!/usr/bin/env bash
# Creates benchmarks/.venvs/openhtf (OpenHTF in its own virtual environment) for the
# side-by-side benchmark. Usage: bash benchmarks/tunnel_test/setup_openhtf.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m venv "$here/.venvs/openhtf"
"$here/.venvs/openhtf/bin/pip" install --quiet --upgrade pip
"$here/.venvs/openhtf/bin/pip" install --quiet openhtf
"$here/.venvs/openhtf/bin/python" -c "import openhtf; print('openhtf', openhtf.__version__ if hasattr(openhtf, '__version__') else 'installed')"
