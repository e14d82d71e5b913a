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
# numba highlights the error messages it builds while compiling (most are internal and
# caught: a callee that is no constant) with colorama, whose init() / deinit() rebind
# sys.stdout and sys.stderr process-wide from whichever thread compiles - a kernel warm-up or
# optimisation thread a workstation started. A deinit that lands after the main thread set
# up a test's capsys put pytest's global capture back, and that test's own output went there
# (`assert 'needs a user: pass --as USER' in ''` with the message under "Captured stderr
# call"). Set before anything imports numba; subprocesses inherit it.
os.environ["NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"] = "1"

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


@pytest.fixture(autouse=True)
def _gui_thread_gc(request):
    """Qt tests collect garbage on the GUI thread only, as the workstation does
    (``app.ui.gui_gc``). Tests build panels without the main window that installs the
    collector; a worker thread of theirs (a pool import, a prefetch) could otherwise
    collect a Qt wrapper in a garbage cycle and destroy it off the GUI thread ("QBasicTimer::
    start: Timers cannot be started from another thread")."""
    if "qtbot" not in request.fixturenames or request.node.get_closest_marker("own_gc"):
        yield
        return
    request.getfixturevalue("qapp")
    from app.ui.gui_gc import GuiThreadCollector

    collector = GuiThreadCollector()
    yield
    collector.stop()
    collector.deleteLater()
    # the test's widgets are closed by now (qtbot's teardown ran first): their garbage
    # cycles die here, on the GUI thread, not in a later test's worker thread
    import gc

    gc.collect()


DURATIONS = Path(__file__).resolve().parent / "durations.json"
FAST_LIMIT_S = 0.25          # a test recorded at or under this (setup + call + teardown)
FAST_EXCLUDED = ("slow", "gui", "postgres", "pacs")


def pytest_addoption(parser):
    parser.addoption("--fast", action="store_true",
                     help="fast tier: leave out tests marked slow / gui / postgres / pacs and "
                          f"tests recorded in tests/durations.json above {FAST_LIMIT_S} s")
    parser.addoption("--record-durations", action="store_true",
                     help="write every test's duration to tests/durations.json afterwards")


def pytest_collection_modifyitems(config, items):
    """Tests that drive Qt widgets (``qtbot`` / ``qapp``) are marked ``gui``. With
    ``--fast`` only quick unit tests run: nothing marked slow, gui, postgres or pacs, and
    nothing a previous full run recorded as slower than FAST_LIMIT_S (a test the record
    does not know yet is kept)."""
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)
    if not config.getoption("--fast"):
        return
    import json

    recorded = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    keep, drop = [], []
    for item in items:
        slow_mark = any(item.get_closest_marker(m) for m in FAST_EXCLUDED)
        slow_record = recorded.get(item.nodeid, 0.0) > FAST_LIMIT_S
        (drop if slow_mark or slow_record else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


_durations: dict[str, float] = {}


def pytest_runtest_logreport(report):
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session, exitstatus):  # noqa: ARG001 - pytest hook signature
    if not session.config.getoption("--record-durations") or not _durations:
        return
    import json

    old = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    old.update({k: round(v, 3) for k, v in _durations.items()})
    # (tests of files that are gone - deleted, renamed - leave the record)
    root = DURATIONS.parent.parent
    old = {k: v for k, v in old.items() if (root / k.split("::")[0]).exists()}
    DURATIONS.write_text(json.dumps(dict(sorted(old.items())), indent=0) + "\n")
