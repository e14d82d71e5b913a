"""GUI-thread stalls of the screens whose rows are laid out by their texts (issue 17):
max and p99 of the event loop's gaps per action, quiet and beside busy processes.

    PYTHONPATH=$PWD QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ui/rows_heartbeat.py \
        [--only quiet|loaded] [--burners 2] [--items 200] [--json]

The rows measured: CT QC's measurement table (names word-wrapped, each row as high as
its name), image review's queue (two-line rows; a row as high as its reasons, one a
line), detector matching's pool and excluded modules (reasons wrapped), the tunnel
console's step table (one line per measurement, wrapped titles, rows fitted per step
while a 172-step run streams in, the detail pane). Besides the actions that fill them:
sorting and filtering the queue, selecting steps, switching the language (every row
re-worded and re-wrapped) and resizing the window (the stretched columns change: every
row's height anew).

Same machinery as ``benchmarks/ui/heartbeat.py``: the real workstation in demo mode
with real services on a fresh data folder, the real MainWindow offscreen at 1366x768, a
5 ms QTimer beat on the GUI thread; "stall" = longest gap minus the period, "p99" = the
99th percentile gap minus the period, "GUI CPU" = the GUI thread's own CPU time in its
longest turn. "loaded": ``--burners`` CPU-bound processes (default 2) run meanwhile.
Numbers go in docs/ui.md; tests never assert times.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from heartbeat import (Heartbeat, open_bench_window, run_in_gui_process,  # noqa: E402
                       switch_done, use_compiled_kernels)

REASONS = ("ai_abnormal", "low_confidence", "anomaly", "failed_limits", "disagreement")


def _queue_items(service, n: int) -> None:  # noqa: ANN001
    """``n`` review items with 1-4 reasons each (the queue's rows), straight into the real
    queue (store + image files); the AI check itself is not what is measured here."""
    import numpy as np

    rng = np.random.default_rng(7)
    image = rng.normal(0, 10, (3, 64, 64)).astype(np.float32)
    for i in range(n):
        k = 1 + i % 4
        reasons = [REASONS[(i + j) % len(REASONS)] for j in range(k)]
        service.queue.submit(scanner_serial=f"CT-SIM-{i % 7:04d}", series_uid=f"1.2.3.{i}",
                             slice_index=1, ai={"label": "noise", "verdict": "ABNORMAL",
                                                "slices": []},
                             physics={"verdict": "FAIL", "artifacts": [], "measurements": []},
                             analysed_by="bench", image=image, reasons=reasons)


def _pool_with_exclusions(path: Path) -> int:
    """A generated 440-module pool with every 25th row made unusable (its reason wraps in
    the excluded table)."""
    from station_plugins.detector_matching.generator import generate
    from station_plugins.detector_matching.pool_io import generated_rows, write_table

    cols, rows = generated_rows(generate(440, 3))
    bad = 0
    for i in range(0, len(rows), 25):
        rows[i] = list(rows[i])
        rows[i][-1] = "not a number"
        bad += 1
    write_table(path, cols, rows)
    return bad


def run_actions(n_items: int) -> list[dict]:
    app, data, ws, window = open_bench_window("pharos-rows-heartbeat-")
    beat = Heartbeat(app)
    rows: list[dict] = []
    import threading

    from PySide6.QtCore import Qt

    from app.ui.warmup import gui_imports_pending

    host = window.host
    beat.measure("start-up warm-up (not a row action)", lambda: None,
                 lambda: not any(t.name == "pharos-warmup" for t in threading.enumerate())
                 and not gui_imports_pending(), 300)
    panels: dict = {}
    for sid in ("ct_qc", "image_review", "detector_matching", "tunnel_test"):
        panels[sid] = host.open_station(sid)
        beat.measure(f"open {sid}", lambda: None,
                     lambda sid=sid: getattr(panels[sid], "build_done", True), 60)

    # CT QC: a result's measurement table (names wrapped, rows as high as their names)
    host.open_station("ct_qc")
    ct = panels["ct_qc"]
    beat.measure("ct_qc simulate + import", ct.simulate_series,
                 lambda: not ct.io.running and bool(ct._entries), 180)
    rows.append(beat.measure("ct_qc analyse: measurement table (wrapped names)",
                             ct.analyse_current,
                             lambda: ct._result is not None and not ct.is_busy(), 300))

    # image review: a queue of n items, 1-4 reasons each
    host.open_station("image_review")
    ir = panels["image_review"]
    from station_plugins.image_review.service import ReviewService

    _queue_items(ReviewService(ir.ctx), n_items)
    qv = ir.queue_view
    rows.append(beat.measure(f"image_review queue refresh ({n_items} items, 1-4 reasons)",
                             qv.sig_refresh_requested.emit,
                             lambda: qv.proxy.rowCount() == n_items
                             and not ir.queue_loader.running, 120))
    table = qv.table
    rows.append(beat.measure("image_review sort by reasons", lambda: table.sortByColumn(
        4, table.horizontalHeader().sortIndicatorOrder()), lambda: True))
    rows.append(beat.measure("image_review sort by priority", lambda: table.sortByColumn(
        0, Qt.SortOrder.DescendingOrder), lambda: True))
    rows.append(beat.measure("image_review filter one scanner",
                             lambda: qv.scanner_combo.setCurrentIndex(1), lambda: True))
    rows.append(beat.measure("image_review filter all scanners",
                             lambda: qv.scanner_combo.setCurrentIndex(0), lambda: True))
    rows.append(beat.measure("image_review open an item", lambda: qv.select_id(
        qv.visible_ids()[3]), lambda: ir.review_view.item is not None
        and not ir.item_loader.running, 60))

    # detector matching: pool (two-line rows) and excluded modules (wrapped reasons)
    host.open_station("detector_matching")
    dm = panels["detector_matching"]
    pool = data / "pool.csv"
    bad = _pool_with_exclusions(pool)
    rows.append(beat.measure(f"detector import pool (440, {bad} excluded)",
                             lambda: dm.import_file(str(pool)),
                             lambda: dm.optimise_button.isEnabled()
                             and dm.session.pool is not None, 120))
    dm.time_spin.setValue(1.0)
    rows.append(beat.measure("detector optimise (1 s)", dm.optimise,
                             lambda: dm.optimise_button.isEnabled()
                             and not dm.runner.running, 120))

    # tunnel: a 172-step run streams into the step table; then the operator reads steps
    host.open_station("tunnel_test")
    tp = panels["tunnel_test"]

    def start_tunnel() -> None:
        tp.serial.setText("CA-ROWS-1")
        tp.start_run()

    def tunnel_done() -> bool:
        if tp.prompt.isVisible():
            b = tp.prompt.buttons.itemAt(0).widget()
            if b is not None:
                b.click()
        return tp.banner.state in ("PASS", "WARN", "FAIL", "ERROR", "ABORTED") and \
            tp.last_run.get("row") is not None
    beat.measure("tunnel load sequence (warm)", lambda: None, tp.start_btn.isEnabled, 60)
    rows.append(beat.measure("tunnel run: step table live (172 steps)", start_tunnel,
                             tunnel_done, 600))
    steps = tp.items

    def select_steps() -> None:
        for i in range(0, len(steps.steps.rows), 9):     # 20 steps, one per turn
            steps.selectRow(i)
            app.processEvents()
    rows.append(beat.measure("tunnel select 20 steps (detail pane)", select_steps,
                             lambda: True))

    # every row of every open screen re-worded / re-wrapped
    for sid in ("ct_qc", "image_review", "detector_matching"):
        host.open_station(sid)
        host.open_station("tunnel_test")
    rows.append(beat.measure("switch to Chinese (tunnel shown)",
                             lambda: window.set_language("zh_CN"), switch_done(window)))
    host_shown = ("image_review", "ct_qc", "detector_matching")
    for sid in host_shown:
        rows.append(beat.measure(f"show {sid} in Chinese (re-wrapped rows)",
                                 lambda sid=sid: host.open_station(sid), lambda: True))
    rows.append(beat.measure("switch to English (detector shown)",
                             lambda: window.set_language("en"), switch_done(window)))
    host.open_station("tunnel_test")
    rows.append(beat.measure("window 1920x1080 (tunnel rows re-wrapped)",
                             lambda: window.resize(1920, 1080), lambda: True))
    rows.append(beat.measure("window back to 1366x768", lambda: window.resize(1366, 768),
                             lambda: True))
    host.open_station("image_review")
    rows.append(beat.measure("window 1920x1080 (queue rows re-wrapped)",
                             lambda: window.resize(1920, 1080), lambda: True))
    rows.append(beat.measure("window back to 1366x768 (queue)",
                             lambda: window.resize(1366, 768), lambda: True))
    window.close()
    ws.close()
    import shutil

    shutil.rmtree(data, ignore_errors=True)
    return rows


def _child(queue, n_items: int) -> None:  # noqa: ANN001
    import faulthandler

    faulthandler.enable()
    try:
        queue.put(run_actions(n_items))
    except BaseException as exc:  # noqa: BLE001
        import traceback

        queue.put({"error": f"{type(exc).__name__}: {exc}", "tb": traceback.format_exc()})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["quiet", "loaded"])
    ap.add_argument("--burners", type=int, default=2)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    use_compiled_kernels("pharos-rows-numba-")     # the optimiser compiled, as installed
    conditions = [args.only] if args.only else ["quiet", "loaded"]
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    table: dict[str, dict] = {}
    for cond in conditions:
        t0 = time.time()
        for row in run_in_gui_process(_child, (args.items,), loaded=cond == "loaded",
                                      limit_s=1800, burners=args.burners):
            table.setdefault(row["action"], {})[cond] = row
        print(f"{cond}: {time.time() - t0:.0f} s", file=sys.stderr)
    if args.json:
        print(json.dumps(table, indent=1))
        return 0
    print(f"GUI-thread heartbeat (5 ms), row relayouts; {os.cpu_count()} cores; loaded = "
          f"{args.burners} busy processes; load average before / after: {load_before} / "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| action | " + " | ".join(f"{c} max ms | {c} p99 ms | {c} GUI CPU ms"
                                      for c in conditions) + " |")
    print("|" + "---|" * (1 + 3 * len(conditions)))
    for action, by in table.items():
        cells = []
        for c in conditions:
            r = by.get(c)
            cells += [f"{r['stall_ms']:.0f}{'' if r['completed'] else ' (timeout)'}",
                      f"{r['p99_ms']:.0f}", f"{r['gui_cpu_ms']:.0f}"] if r else ["-"] * 3
        print(f"| {action} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
