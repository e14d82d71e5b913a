#!/usr/bin/env bash
# Make sure a PostgreSQL server binary (Debian `postgresql`) is installed for the
# sync tests and benchmark. Idempotent and quiet: prints the bin folder on success.
set -euo pipefail
find_bin() {
  for d in /usr/lib/postgresql/*/bin; do
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
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  # Debian starts a cluster on install; the tests run their own throwaway servers.
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for c in /etc/postgresql/*/main; do
      [ -d "$c" ] || continue
      v="$(basename "$(dirname "$c")")"
      pg_ctlcluster "$v" main stop >/dev/null 2>&1 || true
    done
  fi
  bin="$(find_bin)"
fi
echo "$bin"
