#!/usr/bin/env bash
# Set up (first time) and run the whole test suite, offscreen. Installs the real peers
# the tests use (Orthanc, DCMTK, PostgreSQL from Debian) when missing; the fixtures
# start them on 127.0.0.1 and stop them afterwards.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/foundation -x).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
