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
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
# The Debian package starts an Orthanc service on port 4242/8042 where an init system
# exists; the tests start their own instances on random ports, so stop it.
if command -v service >/dev/null 2>&1; then
  $SUDO service orthanc stop >/dev/null 2>&1 || true
fi
command -v Orthanc >/dev/null && command -v storescu >/dev/null
