"""The GUI thread's own work when a station opens: CPU of the opening call and of every
later event-loop turn, and of every staged build slice (where a long turn comes from).

    PYTHONPATH=. .venv/bin/python benchmarks/ui/station_turns.py              # all, 3 runs
    PYTHONPATH=. .venv/bin/python benchmarks/ui/station_turns.py --stations tunnel_test --runs 5

Each run is a fresh process (``open_bench_window`` of heartbeat.py: real workstation,
every role, 1366x768, offscreen), which waits for the start-up warm-up, then opens one
station and watches the GUI thread for 3 s. CPU is ``time.thread_time`` of the GUI thread
(not wall time: a busy machine stretches a turn's wall time, heartbeat.py measures that),
so the figures say what the code costs per turn, quiet. The longest later turn is measured
by a 0 ms timer that re-arms itself (it runs once per pass of the event loop): the CPU
between two of its calls is one turn's work. Goal: no turn above ~25 ms here, so that
beside two CPU-bound processes the stall stays under 100 ms (docs/ui.md). Tests never
assert times.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

STATIONS = ("ct_qc", "detector_matching", "tunnel_test", "image_review", "lead_room")


def measure(station: str, watch_s: float = 3.0) -> dict:
    """One process: open ``station`` once and return its turns."""
    import threading

    from PySide6.QtCore import QTimer

    import widgets.staged_build as sb
    from app.ui.warmup import gui_imports_pending
    from heartbeat import open_bench_window

    slices: list[tuple[float, str]] = []
    original = sb.StagedBuild._step

    def timed(self):  # noqa: ANN001, ANN202
        g = self._steps
        where = ""
        if g is not None and g.gi_frame is not None:
            where = f"{Path(g.gi_code.co_filename).name}:{g.gi_frame.f_lineno}"
        t0 = time.thread_time()
        try:
            return original(self)
        finally:
            slices.append(((time.thread_time() - t0) * 1000, where))

    sb.StagedBuild._step = timed
    app, _data, ws, window = open_bench_window("pharos-turns-")
    t0 = time.time()
    while (any(t.name == "pharos-warmup" for t in threading.enumerate())
           or gui_imports_pending()) and time.time() - t0 < 300:
        app.processEvents()
        time.sleep(0.003)
    end = time.time() + 1.0
    while time.time() < end:
        app.processEvents()
        time.sleep(0.003)
    slices.clear()
    turns: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = time.thread_time()
        turns.append((now - last[0]) * 1000)
        last[0] = now
        if time.time() < stop_at:
            QTimer.singleShot(0, tick)

    c0 = time.thread_time()
    window.host.open_station(station)
    opening = (time.thread_time() - c0) * 1000
    first_slices = list(slices)          # the slice run inside the opening call
    stop_at = time.time() + watch_s
    last[0] = time.thread_time()
    QTimer.singleShot(0, tick)
    while time.time() < stop_at + 0.05:
        app.processEvents()
        time.sleep(0.001)
    later = [ms for ms, _w in slices[len(first_slices):]]
    out = {"station": station, "opening_ms": round(opening, 1),
           "longest_later_turn_ms": round(max(turns[1:] or [0.0]), 1),
           "longest_slice_ms": round(max(later or [0.0]), 1),
           "first_turns_ms": [round(ms, 1) for ms in turns[1:9]],
           "slices": [[round(ms, 1), w] for ms, w in slices]}
    window.close()
    ws.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stations", nargs="*", default=list(STATIONS))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="write the runs here")
    ap.add_argument("--one", help=argparse.SUPPRESS)      # a child process: one station
    args = ap.parse_args(argv)
    if args.one:
        print("RESULT " + json.dumps(measure(args.one)), flush=True)
        return 0
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    runs: list[dict] = []
    for station in args.stations:
        for _ in range(args.runs):
            proc = subprocess.run([sys.executable, __file__, "--one", station], env=env,
                                  capture_output=True, text=True, timeout=600)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")),
                        None)
            if line is None:
                print(f"{station}: no result\n{proc.stderr[-2000:]}", file=sys.stderr)
                return 1
            runs.append(json.loads(line[7:]))
    print("| station | opening call ms CPU | longest later turn ms CPU | longest later "
          "slice ms CPU | slices over 8 ms (ms, where the slice began) |")
    print("|---|---|---|---|---|")
    for station in args.stations:
        rs = [r for r in runs if r["station"] == station]

        def span(key: str, rs: list[dict] = rs) -> str:
            vals = [r[key] for r in rs]
            return f"{min(vals):.0f}-{max(vals):.0f} (median {statistics.median(vals):.0f})"
        big = ", ".join(f"{ms:.0f} ({w})" for ms, w in rs[0]["slices"] if ms > 8)
        print(f"| {station} | {span('opening_ms')} | {span('longest_later_turn_ms')} | "
              f"{span('longest_slice_ms')} | {big or '-'} |")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
