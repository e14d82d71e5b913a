#!/usr/bin/env bash
# One-time (idempotent) set-up on a Debian 12 machine with Python 3.11:
#   system packages (Qt runtime libraries, CJK font, DICOM and database peers for tests)
#   and a virtual environment in .venv with the locked dependencies (requirements.lock)
#   and Pharos installed in editable mode.
# Usage: scripts/setup.sh [--test]     (--test adds the test-only peers and packages)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# Qt's xcb platform (a real window) and the CJK font for the zh_CN interface
pkgs=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
      libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
      libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 fonts-noto-cjk)
if [ "$want_test" = 1 ]; then
  pkgs+=(orthanc dcmtk postgresql poppler-utils xvfb)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts services on install; the tests start their own on loopback.
  for svc in orthanc postgresql; do
    if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
  done
  for c in /etc/postgresql/*/main; do
    [ -d "$c" ] || continue
    pg_ctlcluster "$(basename "$(dirname "$c")")" main stop >/dev/null 2>&1 || true
  done
  pkill -x Orthanc >/dev/null 2>&1 || true
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.pharos-installed
# every dependency comes from requirements.lock (pinned, sha256-checked: a validated build is
# reproducible); Pharos itself is installed editable on top, without resolving anything else
want="$(sha256sum requirements.lock pyproject.toml setup.py | sha256sum | cut -c1-16) $want_test"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --require-hashes -r requirements.lock
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  echo "$want" > "$stamp"
fi
# compiled translations are build outputs (installer/build_translations.py)
.venv/bin/python installer/build_translations.py >/dev/null
