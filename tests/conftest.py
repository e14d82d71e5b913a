"""Suite-wide settings: offscreen Qt, an isolated data folder, no user settings leak."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1")
os.environ.pop("PHAROS_CONFIG", None)
for _k in [k for k in os.environ if k.startswith("PHAROS_") and "__" in k]:
    os.environ.pop(_k)

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own data folder and QSettings location."""
    d = tmp_path_factory.mktemp("pharos-data")
    monkeypatch.setenv("PHAROS_DATA_DIR", str(d))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(d / "xdg-config"))
    yield d


@pytest.fixture
def data_dir(_isolated_data_dir) -> Path:
    return _isolated_data_dir


@pytest.fixture(scope="session")
def qapp(qapp_args):
    """pytest-qt's shared QApplication, kept alive when a test closes its last window.

    With Qt's default (quit on last window closed) a test that closes a main window
    puts the application into its quitting state, and every later event loop
    (qtbot.waitSignal, waitUntil) returns at once. The workstation itself keeps the
    default: closing its main window ends it.
    """
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(list(qapp_args) or ["pharos-tests"])
    app.setQuitOnLastWindowClosed(False)
    yield app
