#!/usr/bin/env bash
# Install (or upgrade) Pharos from an unpacked release tarball.
#
#   sudo ./install.sh                                  # /opt/pharos + /usr/local/bin/pharos
#   ./install.sh --prefix DIR [--bin-dir DIR] [--desktop-dir DIR] [--icon-dir DIR]
#   ./install.sh --no-symlink --no-desktop             # program folder only
#   ./install.sh --self-check                          # run `pharos --self-check` afterwards
#   ./install.sh --no-compile                          # skip compiling the optimiser kernels
#
# Upgrade: installing over an existing Pharos install replaces the program folder in one
# rename; the data folder (~/.local/share/pharos or $PHAROS_DATA_DIR) is never touched
# here. The new version migrates the database at its first start after a backup.
# A folder at --prefix that is not a Pharos install is refused, never overwritten.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX=/opt/pharos
BIN_DIR=/usr/local/bin
DESKTOP_DIR=/usr/share/applications
ICON_DIR=/usr/share/icons/hicolor
SYMLINK=1
DESKTOP=1
SELF_CHECK=0
COMPILE=1
usage() { sed -n '2,13p' "$0"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX="$2"; shift ;;
        --bin-dir) BIN_DIR="$2"; shift ;;
        --desktop-dir) DESKTOP_DIR="$2"; shift ;;
        --icon-dir) ICON_DIR="$2"; shift ;;
        --no-symlink) SYMLINK=0 ;;
        --no-desktop) DESKTOP=0 ;;
        --self-check) SELF_CHECK=1 ;;
        --no-compile) COMPILE=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
case "$PREFIX" in /*) ;; *) PREFIX="$(pwd)/$PREFIX" ;; esac
PREFIX="${PREFIX%/}"
[ -n "$PREFIX" ] && [ "$PREFIX" != "/" ] || { echo "install.sh: refusing prefix '/'" >&2; exit 2; }

VERSION="$(cat "$HERE/VERSION")"
[ -x "$HERE/pharos/pharos" ] || { echo "install.sh: no bundle at $HERE/pharos" >&2; exit 1; }
MARKER=".pharos-install"

OLD_VERSION=""
if [ -e "$PREFIX" ]; then
    if [ -f "$PREFIX/$MARKER" ]; then
        OLD_VERSION="$(sed -n 's/^version=//p' "$PREFIX/$MARKER")"
    elif [ -n "$(ls -A "$PREFIX" 2>/dev/null)" ]; then
        echo "install.sh: $PREFIX exists and is not a Pharos install; choose another --prefix" >&2
        exit 1
    fi
fi

# 1. the program folder: copy beside the target, then swap in one rename
PARENT="$(dirname "$PREFIX")"
mkdir -p "$PARENT"
NEW="$(mktemp -d "$PARENT/.pharos-new.XXXXXX")"
trap 'rm -rf "$NEW"' EXIT
cp -a "$HERE/pharos/." "$NEW/"
install -m 0755 "$HERE/uninstall.sh" "$NEW/uninstall.sh"
mkdir -p "$NEW/share"
install -m 0644 "$HERE/pharos.png" "$HERE/pharos.svg" "$HERE/pharos.desktop" "$NEW/share/"
chmod 0755 "$NEW"
if [ -e "$PREFIX" ]; then
    OLD="$PARENT/.pharos-old.$$"
    mv "$PREFIX" "$OLD"
    mv "$NEW" "$PREFIX"
    rm -rf "$OLD"
else
    mv "$NEW" "$PREFIX"
fi
trap - EXIT

# 2. what lives outside the program folder is listed in the manifest for uninstall.sh
MANIFEST="$PREFIX/.install-manifest"
: > "$MANIFEST"
if [ "$SYMLINK" = 1 ]; then
    mkdir -p "$BIN_DIR"
    ln -sfn "$PREFIX/pharos" "$BIN_DIR/pharos"
    echo "symlink $BIN_DIR/pharos" >> "$MANIFEST"
fi
if [ "$DESKTOP" = 1 ]; then
    mkdir -p "$ICON_DIR/256x256/apps" "$ICON_DIR/scalable/apps" "$DESKTOP_DIR"
    install -m 0644 "$HERE/pharos.png" "$ICON_DIR/256x256/apps/pharos.png"
    install -m 0644 "$HERE/pharos.svg" "$ICON_DIR/scalable/apps/pharos.svg"
    sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@ICON@|$PREFIX/share/pharos.png|g" \
        "$HERE/pharos.desktop" > "$DESKTOP_DIR/pharos.desktop"
    chmod 0644 "$DESKTOP_DIR/pharos.desktop"
    {
        echo "file $ICON_DIR/256x256/apps/pharos.png"
        echo "file $ICON_DIR/scalable/apps/pharos.svg"
        echo "file $DESKTOP_DIR/pharos.desktop"
    } >> "$MANIFEST"
    command -v update-desktop-database >/dev/null 2>&1 \
        && update-desktop-database -q "$DESKTOP_DIR" 2>/dev/null || true
fi
# 3. the detector-matching optimiser's compiled kernels for THIS workstation's CPU, beside
#    the executable (read-only for operators: every data folder copies them at its first
#    use, so no operator's first optimisation compiles inside its time limit)
if [ "$COMPILE" = 1 ]; then
    WARM_DATA="$(mktemp -d)"
    if "$PREFIX/pharos" match warmup --cache-dir "$PREFIX/numba_cache" \
            --data-dir "$WARM_DATA" >/dev/null 2>&1 && [ -d "$PREFIX/numba_cache" ]; then
        chmod -R a+rX "$PREFIX/numba_cache"
        echo "compiled the detector-matching kernels for this CPU ($PREFIX/numba_cache)"
    else
        echo "note: could not compile the detector-matching kernels now; the bundle's" \
             "build-time kernels are used (or compiled once per data folder)" >&2
    fi
    rm -rf "$WARM_DATA"
fi
printf 'version=%s\ninstalled_utc=%s\n' "$VERSION" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    > "$PREFIX/$MARKER"

if [ -n "$OLD_VERSION" ]; then
    echo "Pharos upgraded $OLD_VERSION -> $VERSION in $PREFIX (data folder untouched;"
    echo "the database is migrated at the first start, after a backup)."
else
    echo "Pharos $VERSION installed in $PREFIX."
fi
[ "$SYMLINK" = 1 ] && echo "Command: $BIN_DIR/pharos"
echo "Next: 'pharos --self-check', then 'pharos setup' (or start Pharos: the setup wizard opens)."
if [ "$SELF_CHECK" = 1 ]; then
    "$PREFIX/pharos" --self-check
fi
