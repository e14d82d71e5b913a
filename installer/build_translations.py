"""Compile the Qt translation sources (``resources/i18n/*.ts``) into ``.qm`` catalogues.

The ``.qm`` files are build outputs: never committed, made by ``scripts/setup.sh`` (source
tree), by the wheel build (``setup.py``) and by ``installer/build.sh`` (frozen bundle). A
``.qm`` is rebuilt when its ``.ts`` changed (sha256 of the source recorded beside it in
``.qm.src``), not by file times, which git does not keep.

    python installer/build_translations.py [--check] [I18N_DIR]

``--check`` compiles nothing and exits 1 naming every catalogue that is missing or stale.
Standalone on purpose (no Pharos import): the wheel build runs it before Pharos exists.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "resources" / "i18n"


def lrelease_command() -> list[str]:
    """PySide6's bundled lrelease (the wheel ships it); a system one as a fallback."""
    try:
        import PySide6
    except ImportError:
        PySide6 = None  # noqa: N806 - module object
    if PySide6 is not None:
        folder = Path(PySide6.__file__).parent
        for name in ("lrelease", "lrelease.exe", "Qt/libexec/lrelease"):
            if (folder / name).is_file():
                return [str(folder / name)]
    found = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    if found:
        return [found]
    raise SystemExit("cannot build the translations: no lrelease found (install "
                     "PySide6-Essentials, which ships it)")


def source_digest(ts: Path) -> str:
    return hashlib.sha256(ts.read_bytes()).hexdigest()


def stale(folder: Path) -> list[Path]:
    """The ``.ts`` files whose ``.qm`` is missing or was built from other text."""
    out = []
    for ts in sorted(folder.glob("*.ts")):
        qm, stamp = ts.with_suffix(".qm"), ts.with_suffix(".qm.src")
        if not qm.is_file() or not stamp.is_file() or \
                stamp.read_text(encoding="ascii").strip() != source_digest(ts):
            out.append(ts)
    return out


def build(folder: Path = DEFAULT_DIR) -> list[Path]:
    """Compile every stale catalogue; returns the ``.qm`` files written."""
    todo = stale(folder)
    if not todo:
        return []
    cmd = lrelease_command()
    written = []
    for ts in todo:
        qm = ts.with_suffix(".qm")
        r = subprocess.run([*cmd, "-silent", str(ts), "-qm", str(qm)], capture_output=True,
                           text=True, check=False)
        if r.returncode != 0 or not qm.is_file():
            raise SystemExit(f"lrelease failed on {ts.name}: {(r.stderr or r.stdout).strip()}")
        ts.with_suffix(".qm.src").write_text(source_digest(ts) + "\n", encoding="ascii")
        written.append(qm)
    return written


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    folder = Path(args[0]) if args else DEFAULT_DIR
    if check:
        bad = stale(folder)
        for ts in bad:
            print(f"stale or missing: {ts.with_suffix('.qm').name} (from {ts.name})")
        return 1 if bad else 0
    for qm in build(folder):
        print(f"built {qm.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
