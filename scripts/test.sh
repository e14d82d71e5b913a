#!/usr/bin/env bash
# Set up (first time) and run the tests, offscreen. Installs the real peers the tests use
# (Orthanc, DCMTK, PostgreSQL from Debian) when missing; the fixtures start them on
# 127.0.0.1 and stop them afterwards.
#   scripts/test.sh                  the gates (scripts/gates.sh), then the whole suite; records
#                                    each test's duration in tests/durations.json
#   scripts/test.sh --fast [ARGS]    the fast tier: quick unit tests only (no slow / gui /
#                                    postgres / pacs test, none recorded above 0.25 s)
#   scripts/test.sh ARGS             pytest with ARGS (e.g. tests/foundation -x), no gates
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
PYTEST=(.venv/bin/python -m pytest -p no:cacheprovider)
if [ "${1:-}" = "--fast" ]; then
  shift
  exec "${PYTEST[@]}" -q --fast --durations=10 "$@"
fi
if [ "$#" -gt 0 ]; then
  exec "${PYTEST[@]}" "$@"
fi
scripts/gates.sh
exec "${PYTEST[@]}" --durations=30 --record-durations
