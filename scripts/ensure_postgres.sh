#!/usr/bin/env bash
# Make sure a PostgreSQL server binary (Debian `postgresql`) is installed for the
# sync tests and benchmark. Idempotent and quiet: prints the bin folder on success.
set -euo pipefail
find_bin() {
  for d in "${PHAROS_PG_ROOT:-/usr/lib/postgresql}"/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; fi
  done | sort -V | tail -n 1
}
bin="$(find_bin || true)"
if [ -z "$bin" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is not installed and this is not root: run 'apt-get install -y postgresql' as root." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Debian starts a cluster on install. Nothing is stopped here (the machine may run a
  # database of its own): policy-rc.d keeps the new package's service from starting,
  # only when the machine has no policy of its own, removed on exit. The tests run
  # their own throwaway servers on free ports.
  policy=${PHAROS_POLICY_RC:-/usr/sbin/policy-rc.d}
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, written by Pharos scripts/ensure_postgres.sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin="$(find_bin)"
fi
echo "$bin"
