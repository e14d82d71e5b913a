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
  # Debian starts a package's service on install. Nothing is stopped or killed here
  # (a plant server may run its own PACS or database): instead, while we install,
  # policy-rc.d tells invoke-rc.d not to start new services - only when no policy of
  # the machine's own is in place, and removed again on exit. Tests start their own
  # peers on their own ports.
  policy=${PHAROS_POLICY_RC:-/usr/sbin/policy-rc.d}
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, written by Pharos scripts/setup.sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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
