"""The GUI thread keeps turning during a long task; closing leaks no threads;
translations are compiled; offscreen screenshots work."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.paths import resources_dir
from app.runtime.task_runner import TaskRunner
from app.ui.main_window import MainWindow
from app.ui.screenshot import render_station, render_widget_png
from app.ui.station_host import StationEntry
from tests.ui.ui_stations import BrokenPanelStation, GoodStation, make_ctx
from widgets.progress_bar import TaskProgressBar
from widgets.tasks import TaskController


def cpu_work(seconds: float, *, token, progress):
    """Pure-Python CPU work (holds the GIL between switches: the worst case)."""
    end = time.perf_counter() + seconds
    n, last_report = 0, 0.0
    while (now := time.perf_counter()) < end:
        for i in range(2000):
            n += i * i
        token.raise_if_cancelled()
        if now - last_report > 0.02:   # report per step, not per inner loop
            last_report = now
            progress(1 - (end - now) / seconds, "crunching")
    progress(1.0, "done")
    return n


GAP_PROBE = r"""
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QTimer, QEventLoop
from PySide6.QtWidgets import QApplication
from app.runtime.task_runner import TaskRunner
from tests.ui.test_ui_runtime import cpu_work
from widgets.progress_bar import TaskProgressBar
from widgets.tasks import TaskController
app = QApplication([])
runner = TaskRunner(max_workers=2)
controller = TaskController(runner)
bar = TaskProgressBar(controller=controller)
ticks = []
timer = QTimer()
timer.setInterval(10)
timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
timer.start()
loop = QEventLoop()
done = []
controller.sig_finished.connect(lambda r: (done.append(r), loop.quit()))
QTimer.singleShot(15000, loop.quit)
controller.start(cpu_work, 2.0)
loop.exec()
timer.stop()
runner.shutdown()
gaps = [b - a for a, b in zip(ticks, ticks[1:])]
print(json.dumps({"ticks": len(ticks), "max_gap": max(gaps) if gaps else None,
                  "finished": bool(done), "fraction": bar.fraction()}))
"""


@pytest.mark.slow
def test_event_loop_keeps_turning_during_long_task():
    """A 2-second pure-Python task in the pool; the GUI thread's 10 ms timer keeps
    firing while it runs (the longest gap is printed; benchmarks/ui measures it). Measured in a fresh process so no other test's windows,
    filters or timers share the event loop."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", GAP_PROBE, str(root)], capture_output=True,
                         text=True, timeout=120, cwd=root)
    assert out.returncode == 0, out.stderr[-2000:]
    data = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"max GUI gap {data['max_gap'] * 1000:.1f} ms over {data['ticks']} ticks")
    # liveness, not a time: a blocked GUI thread would tick once or twice in 2 s, a free
    # one ~200 times; the stall in milliseconds is measured by benchmarks/ui, not asserted
    assert data["finished"] and data["ticks"] > 50
    assert data["fraction"] == pytest.approx(1.0)


def test_closing_leaves_no_threads(qtbot, tmp_path, ini_settings):
    before = set(threading.enumerate())
    runner = TaskRunner(max_workers=2)
    controller = TaskController(runner)
    window = MainWindow([GoodStation(make_ctx("good", tmp_path))], settings=ini_settings,
                        tasks=runner)
    qtbot.addWidget(window)
    window.show()
    window.host.open_station("good")
    with qtbot.waitSignal(controller.sig_finished, timeout=10000):
        controller.start(cpu_work, 0.2)
    assert window.close()
    runner.shutdown(wait=True)
    qtbot.waitUntil(lambda: set(threading.enumerate()) <= before, timeout=5000)


def test_translation_binary_is_fresh():
    """The .qm catalogues are build outputs: each matches its .ts by content (a sha256
    stamp written by installer/build_translations.py), not by file time."""
    import runpy

    folder = resources_dir() / "i18n"
    tool = runpy.run_path(str(Path(__file__).resolve().parents[2] / "installer"
                              / "build_translations.py"))
    assert tool["stale"](folder) == [], "run: .venv/bin/python installer/build_translations.py"
    ts = folder / "pharos_zh_CN.ts"
    text = ts.read_text(encoding="utf-8")
    assert 'type="unfinished"' not in text, "untranslated strings in pharos_zh_CN.ts"


def test_render_station_png(tmp_path):
    good_png = render_station(GoodStation(make_ctx("good", tmp_path)), tmp_path / "good.png",
                              "zh_CN", size=(1000, 700))
    image = QImage(str(good_png))
    assert (image.width(), image.height()) == (1000, 700)
    ghost = StationEntry.unavailable("ghost", "ImportError: no driver", title="Ghost")
    assert QImage(str(render_station(ghost, tmp_path / "ghost.png", "en"))).width() == 1600
    broken = render_station(BrokenPanelStation(make_ctx("broken", tmp_path)),
                            tmp_path / "broken.png")
    assert broken.exists()


def test_render_widget_png(qtbot, tmp_path):
    bar = TaskProgressBar(hide_when_idle=False)
    qtbot.addWidget(bar)
    out = render_widget_png(bar, tmp_path / "sub" / "bar.png", size=(400, 60))
    assert QImage(str(out)).size().toTuple() == (400, 60)


def test_one_name_per_station_everywhere():
    """The first-run wizard and the launcher use the same station names (plant's words)."""
    import importlib

    from app.ui.setup_wizard_dialog import STATION_TITLES

    for sid, (en, zh) in STATION_TITLES.items():
        info = importlib.import_module(f"station_plugins.{sid}.plugin")
        cls = next(c for c in vars(info).values()
                   if getattr(getattr(c, "info", None), "id", None) == sid)
        assert (cls.info.title, cls.info.title_zh) == (en, zh), sid
