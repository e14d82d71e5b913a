"""Layering: the station's domain modules import with PySide6 / pyqtgraph blocked, and
only the adapter imports onnxruntime."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "station_plugins" / "detector_matching"


def test_domain_modules_are_qt_free_and_onnx_free():
    mods = sorted(p.stem for p in PKG.glob("*.py")
                  if not p.stem.startswith(("panel", "ui_")) and p.stem != "__init__")
    code = ("import sys\n"
            "for blocked in ('PySide6', 'pyqtgraph', 'onnxruntime'):\n"
            "    sys.modules[blocked] = None\n"
            + "".join(f"import station_plugins.detector_matching.{m}\n" for m in mods)
            + "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PKG.parents[1], timeout=120)
    assert out.returncode == 0, out.stderr
    assert len(mods) >= 15
