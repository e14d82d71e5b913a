#!/usr/bin/env bash
# Set up (first time) and launch the Pharos workstation on its embedded defaults:
# local SQLite store in the platform data folder, built-in simulators for hardware
# and PACS, a first-run admin account whose password is printed once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "No display found: starting on a virtual screen is possible with 'xvfb-run scripts/run.sh'." >&2
fi
exec .venv/bin/pharos "$@"
