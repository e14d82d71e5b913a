"""The stations' Qt modules are imported on the GUI thread, one per idle turn, once the
warm-up thread is done (opening a station then does not compile them in its turn)."""
from __future__ import annotations

import sys
import threading

from app.ui import warmup


def test_gui_modules_lists_each_stations_ui_modules_before_its_panel():
    names = warmup.gui_modules(["detector_matching", "no_such_station"])
    assert names[-1] == "station_plugins.detector_matching.panel"
    assert "station_plugins.detector_matching.ui_pool" in names
    assert all(n.split(".")[-1].startswith(("ui_", "panel")) for n in names)


def test_gui_imports_wait_for_the_warm_up_thread_and_run_one_per_turn_on_the_gui_thread(
        qtbot, monkeypatch):
    names = ["station_plugins.lead_room.ui_texts", "station_plugins.lead_room.ui_gantt"]
    monkeypatch.setattr(warmup, "gui_modules", lambda ids: list(names))
    monkeypatch.setattr(warmup, "GUI_IMPORT_GAP_MS", 1)
    for n in names:
        monkeypatch.delitem(sys.modules, n, raising=False)
    seen: list = []
    real = warmup.importlib.import_module

    def recording(name):  # noqa: ANN001, ANN202
        seen.append((name, threading.current_thread() is threading.main_thread()))
        return real(name)
    monkeypatch.setattr(warmup.importlib, "import_module", recording)
    gate = threading.Event()
    busy = threading.Thread(target=gate.wait, name="pharos-warmup", daemon=True)
    busy.start()
    warmup.start_gui_imports(["lead_room"], after=busy)
    qtbot.wait(100)
    assert seen == [] and warmup.gui_imports_pending()      # the warm-up thread first
    gate.set()
    qtbot.waitUntil(lambda: not warmup.gui_imports_pending(), timeout=10000)
    assert seen == [(n, True) for n in names]                # in order, on the GUI thread
    assert all(n in sys.modules for n in names)
