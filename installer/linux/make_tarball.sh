#!/usr/bin/env bash
# Package a built bundle as dist/pharos-<version>-linux-x86_64.tar.gz (prints its path).
#
#   installer/linux/make_tarball.sh BUNDLE_DIR VERSION OUT_DIR
#
# Layout inside the tarball (one top folder, pharos-<version>-linux-x86_64/):
#   pharos/            the PyInstaller one-folder bundle (pharos executable + _internal/)
#   install.sh         installs under /opt/pharos (or --prefix), desktop entry, icon,
#                      /usr/local/bin/pharos symlink
#   uninstall.sh       removes the program, keeps the data unless --purge
#   pharos.desktop     desktop entry template (@PREFIX@, @ICON@ filled in by install.sh)
#   pharos.png, pharos.svg, VERSION, INSTALL.txt
set -euo pipefail
BUNDLE="$1"; VERSION="$2"; OUT="$3"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
NAME="pharos-${VERSION}-linux-$(uname -m)"
[ -x "$BUNDLE/pharos" ] || { echo "make_tarball: no executable $BUNDLE/pharos" >&2; exit 1; }
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/$NAME" "$OUT"
cp -a "$BUNDLE" "$STAGE/$NAME/pharos"
install -m 0755 "$HERE/install.sh" "$HERE/uninstall.sh" "$STAGE/$NAME/"
install -m 0644 "$HERE/pharos.desktop" "$ROOT/resources/icons/pharos.png" \
    "$ROOT/resources/icons/pharos.svg" "$STAGE/$NAME/"
echo "$VERSION" > "$STAGE/$NAME/VERSION"
cat > "$STAGE/$NAME/INSTALL.txt" <<TXT
Pharos $VERSION for Linux x86_64

  sudo ./install.sh                      # installs under /opt/pharos
  ./install.sh --prefix ~/pharos --bin-dir ~/.local/bin \\
      --desktop-dir ~/.local/share/applications     # without root
  pharos --self-check                    # is this workstation ready?
  pharos setup                           # first-run setup (or start Pharos: the wizard opens)
  sudo /opt/pharos/uninstall.sh          # remove the program; data stays (--purge removes it)

Data (database, audit key, logs, backups) lives in the user's data folder
(~/.local/share/pharos or \$PHAROS_DATA_DIR), never under /opt/pharos: upgrades keep it
and the first start migrates it after taking a backup. See docs/installer.md.
TXT
tar -C "$STAGE" -czf "$OUT/$NAME.tar.gz" "$NAME"
echo "$OUT/$NAME.tar.gz"
