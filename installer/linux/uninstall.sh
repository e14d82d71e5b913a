#!/usr/bin/env bash
# Remove Pharos. The data folder (database, audit trail, records, backups, logs) stays
# unless --purge is given: in a regulated plant the records outlive the program.
#
#   sudo /opt/pharos/uninstall.sh
#   ./uninstall.sh --prefix DIR
#   ./uninstall.sh --purge [--data-dir DIR] [--yes]    # ALSO delete the data folder
#
# Only what install.sh recorded in <prefix>/.install-manifest is removed outside the
# program folder, and a folder without the Pharos install marker is never deleted.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# run from inside an install: that install; from the tarball: /opt/pharos
if [ -f "$HERE/.pharos-install" ]; then PREFIX="$HERE"; else PREFIX=/opt/pharos; fi
PURGE=0
YES=0
DATA_DIR="${PHAROS_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/pharos}"
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX="$2"; shift ;;
        --purge) PURGE=1 ;;
        --data-dir) DATA_DIR="$2"; shift ;;
        --yes) YES=1 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "uninstall.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
PREFIX="${PREFIX%/}"

if [ ! -f "$PREFIX/.pharos-install" ]; then
    echo "uninstall.sh: $PREFIX is not a Pharos install (no .pharos-install marker)" >&2
    exit 1
fi
VERSION="$(sed -n 's/^version=//p' "$PREFIX/.pharos-install")"

if [ -f "$PREFIX/.install-manifest" ]; then
    while read -r kind path; do
        case "$kind" in
            symlink)  # only our own link (it may point elsewhere after a newer install)
                if [ -L "$path" ] && [ "$(readlink "$path")" = "$PREFIX/pharos" ]; then
                    rm -f "$path"
                fi ;;
            file) rm -f "$path" ;;
        esac
    done < "$PREFIX/.install-manifest"
fi
rm -rf "$PREFIX"
echo "Pharos $VERSION removed from $PREFIX."

if [ "$PURGE" = 1 ]; then
    if [ ! -d "$DATA_DIR" ]; then
        echo "No data folder at $DATA_DIR."
        exit 0
    fi
    if [ ! -f "$DATA_DIR/pharos.db" ] && [ ! -f "$DATA_DIR/pharos.toml" ]; then
        echo "uninstall.sh: $DATA_DIR does not look like a Pharos data folder; kept" >&2
        exit 1
    fi
    if [ "$YES" != 1 ]; then
        if [ ! -t 0 ]; then
            echo "uninstall.sh: --purge deletes records and the audit trail: add --yes" >&2
            exit 2
        fi
        echo "This deletes $DATA_DIR: local records, audit trail, backups and logs."
        echo "Results not yet synced to the central database are lost."
        read -r -p "Type PURGE to confirm: " answer
        [ "$answer" = "PURGE" ] || { echo "Data kept."; exit 0; }
    fi
    rm -rf "$DATA_DIR"
    echo "Data folder $DATA_DIR deleted."
else
    echo "Data kept in $DATA_DIR (remove it with --purge)."
fi
