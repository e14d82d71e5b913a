"""Render the main window to PNG after live language switches (review of the switch).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ui/render_language_switch.py OUT_DIR

The real workstation (every station but the lead room, demo mode, real services, a fresh
data folder) in the real MainWindow at 1366x768, started in English; CT QC with a
simulated, analysed phantom (ROI labels, measurement names). Then, with CT QC on screen:
switch to Chinese, wait until the switch is complete, save the window, open each other
station (retranslated while hidden) and save it; the same back to English. Files:
``switch_<language>_<station>.png`` (``QWidget.grab``: the widgets painted for the file)
and ``screen_<language>_ct_qc.png`` (the window's backing store right after the switch:
what the held paint put on screen).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

STATIONS = ("ct_qc", "image_review", "tunnel_test", "detector_matching")


def main(out_dir: str) -> None:
    from heartbeat import open_bench_window

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app, data, ws, window = open_bench_window("pharos-render-switch-")

    def spin(until, limit: float = 300.0) -> None:  # noqa: ANN001
        t0 = time.time()
        while not until() and time.time() - t0 < limit:
            app.processEvents()
            time.sleep(0.005)
        for _ in range(20):
            app.processEvents()
            time.sleep(0.002)

    try:
        panels = {}
        for sid in STATIONS:
            panels[sid] = window.host.open_station(sid)
            spin(lambda p=panels[sid]: getattr(p, "build_done", True))
        ct = window.host.open_station("ct_qc")
        ct.simulate_series()
        spin(lambda: not ct.io.running and bool(ct._entries))
        ct.analyse_current()
        spin(lambda: ct._result is not None and not ct.is_busy())
        for language in ("zh_CN", "en"):
            window.host.open_station("ct_qc")
            window.set_language(language)
            spin(lambda: not window.language_switcher.busy())
            # the screen itself (what the held paint flushed), beside the grab below
            shot = out / f"screen_{language}_ct_qc.png"
            window.screen().grabWindow(window.winId()).save(str(shot))
            print(shot)
            for sid in STATIONS:
                window.host.open_station(sid)
                spin(lambda: True)
                path = out / f"switch_{language}_{sid}.png"
                window.grab().save(str(path))
                print(path)
                if sid == "ct_qc":               # the legends, renamed in place
                    ct.tabs.setCurrentWidget(ct.tabs.plots)
                    spin(lambda: True)
                    path = out / f"switch_{language}_ct_qc_plots.png"
                    window.grab().save(str(path))
                    print(path)
                    ct.tabs.setCurrentWidget(ct.tabs.table)
    finally:
        window.close()
        ws.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
