#!/usr/bin/env bash
# Install the real DICOM peers used by the tests (Orthanc, DCMTK) from Debian when missing.
# Idempotent; needs root (CI runs as root). Exit 0 when both are available afterwards.
set -euo pipefail
need=()
command -v Orthanc >/dev/null 2>&1 || need+=(orthanc)
command -v storescu >/dev/null 2>&1 || need+=(dcmtk)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# The Debian package starts an Orthanc service where an init system exists. Nothing is
# stopped or killed here (a plant server may run its own PACS): policy-rc.d keeps the
# new service from starting, only when the machine has no policy of its own, removed
# on exit. The tests start their own instances on free ports.
policy=${PHAROS_POLICY_RC:-/usr/sbin/policy-rc.d}
if [ ! -e "$policy" ] && [ -z "$SUDO" ]; then
  printf '#!/bin/sh\n# temporary, written by Pharos scripts/ensure_pacs_tools.sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
command -v Orthanc >/dev/null && command -v storescu >/dev/null
