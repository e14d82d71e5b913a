"""GUI-thread heartbeat of the tunnel console alone, with a stall sampler.

    PYTHONPATH=. .venv/bin/python benchmarks/ui/tunnel_heartbeat.py [--only quiet|loaded]
        [--runs N] [--sample-ms 30] [--json]

The same measurement as ``benchmarks/ui/heartbeat.py`` (real workstation, demo mode, real
services, a fresh data folder, the real MainWindow offscreen, a 5 ms QTimer beat; the
longest gap minus the period is the stall) for the tunnel console's actions only: open
the station, run the released demo sequence to its verdict (the operator answers the
prompts), the supervisor's integrity view. "loaded": one CPU-bound process per core.

``HEARTBEAT_SWITCH_INTERVAL=0.001``: run the GUI process with that interpreter switch
interval (the default 5 ms is how long the GUI thread may wait for the interpreter
each time Qt calls Python while a worker thread computes).

``--sample-ms N``: a watchdog thread samples the GUI thread's Python stack whenever the
loop has not beaten for N ms; the most frequent stacks per action are printed to stderr
(what runs on the GUI thread during a stall). Goal: < 100 ms per action in both
conditions; numbers go in docs/tunnel_test.md; tests never assert times.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from heartbeat import (PERIOD_MS, Heartbeat, open_bench_window,  # noqa: E402
                       run_in_gui_process, switch_done)


class StallSampler:
    """Samples the main thread's stack while the heartbeat is late by > ``after_ms``."""

    def __init__(self, beat: Heartbeat, after_ms: float, all_threads: bool = False) -> None:
        self.beat, self.after = beat, after_ms / 1000.0
        self.all_threads = all_threads
        self.main_id = threading.main_thread().ident
        self.samples: collections.Counter = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="stall-sampler", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.004):
            late = time.perf_counter() - self.beat.last
            if late < self.after:
                continue
            frames = sys._current_frames()
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in frames.items():
                if ident == threading.get_ident() or (ident != self.main_id and
                                                      not self.all_threads):
                    continue
                stack = traceback.extract_stack(frame)
                key = (f"[{names.get(ident, ident)}]",) + tuple(
                    f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack[-12:])
                self.samples[key] += 1

    def take(self) -> list[tuple[int, tuple[str, ...]]]:
        out = [(n, k) for k, n in self.samples.most_common(10)]
        self.samples.clear()
        return out

    def stop(self) -> None:
        self._stop.set()


def _mes_text(panel) -> str:  # noqa: ANN001
    """The MES outbox line is filled when the panel's first background load is done."""
    return panel.mes_state.text()


def run_actions(runs: int, sample_ms: float, all_threads: bool = False,
                timeline: float = 0.0) -> list[dict]:
    app, data, ws, window = open_bench_window("pharos-tunnel-heartbeat-")
    beat = Heartbeat(app)
    sampler = StallSampler(beat, sample_ms, all_threads) if sample_ms > 0 else None
    rows: list[dict] = []

    def measure(name: str, start, done, timeout: float) -> None:  # noqa: ANN001
        if sampler is not None:
            sampler.take()
        row = beat.measure(name, start, done, timeout)
        if sampler is not None:
            row["stacks"] = sampler.take()
        rows.append(row)

    measure("start-up warm-up (during log in)", lambda: None,
            lambda: not any(t.name == "pharos-warmup" for t in threading.enumerate()), 300)
    host = window.host
    panels: dict = {}
    measure("open tunnel_test", lambda: panels.__setitem__("tp", host.open_station(
        "tunnel_test")), lambda: True, 30)
    tp = panels["tp"]
    if timeline:
        orig_beat = beat._beat
        t_start = time.perf_counter()

        def beat_and_log() -> None:
            gap = time.perf_counter() - beat.last
            orig_beat()
            if gap * 1000 > timeline:
                print(f"  stall {gap * 1000:6.0f} ms at {beat.last - t_start:7.2f} s: "
                      f"{tp.banner.state} progress {tp.progress.value()} "
                      f"{tp.message.text()[:60]!r}", file=sys.stderr)
        beat.timer.timeout.disconnect()
        beat.timer.timeout.connect(beat_and_log)
        beat._beat = beat_and_log
    measure("tunnel lists loaded", lambda: None, lambda: bool(_mes_text(tp)), 60)
    for i in range(runs):
        def start_tunnel(i: int = i) -> None:
            tp.serial.setText(f"CA-BENCH-{i}")
            tp.start_run()

        def tunnel_done(i: int = i) -> bool:
            if tp.prompt.isVisible():      # the operator answers the prompt (first choice)
                buttons = [tp.prompt.buttons.itemAt(j).widget()
                           for j in range(tp.prompt.buttons.count())]
                if buttons and buttons[0] is not None:
                    buttons[0].click()
            return tp.spec is not None and tp.spec.serial == f"CA-BENCH-{i}" and \
                tp.banner.state in ("PASS", "WARN", "FAIL", "ERROR", "ABORTED") and \
                tp.start_btn.isEnabled()
        measure(f"tunnel run {i + 1}", start_tunnel, tunnel_done, 600)
    measure("switch to Chinese", lambda: window.set_language("zh_CN"), switch_done(window), 30)
    measure("switch to English", lambda: window.set_language("en"), switch_done(window), 30)
    if sampler is not None:
        sampler.stop()
    window.close()
    ws.close()
    return rows


def _child(queue, runs: int, sample_ms: float, all_threads: bool,
           timeline: float) -> None:  # noqa: ANN001
    import faulthandler

    faulthandler.enable()
    if os.environ.get("HEARTBEAT_SWITCH_INTERVAL"):      # experiment: sys.setswitchinterval
        sys.setswitchinterval(float(os.environ["HEARTBEAT_SWITCH_INTERVAL"]))
    try:
        queue.put(run_actions(runs, sample_ms, all_threads, timeline))
    except BaseException as exc:  # noqa: BLE001
        queue.put({"error": f"{type(exc).__name__}: {exc}", "tb": traceback.format_exc()})


def run_condition(loaded: bool, runs: int, sample_ms: float, all_threads: bool,
                  timeline: float = 0.0) -> list[dict]:
    return run_in_gui_process(_child, (runs, sample_ms, all_threads, timeline),
                              loaded=loaded, limit_s=1200)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["quiet", "loaded"])
    ap.add_argument("--runs", type=int, default=2, help="tunnel runs per condition")
    ap.add_argument("--sample-ms", type=float, default=0.0,
                    help="sample the GUI thread's stack when it is late by this much")
    ap.add_argument("--all-threads", action="store_true",
                    help="with --sample-ms: sample every thread's stack during a stall")
    ap.add_argument("--timeline", type=float, default=0.0, metavar="MS",
                    help="print every stall longer than MS with the console's state")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    conditions = [args.only] if args.only else ["quiet", "loaded"]
    table: dict[str, dict] = {}
    for cond in conditions:
        for row in run_condition(cond == "loaded", args.runs, args.sample_ms,
                                 args.all_threads, args.timeline):
            table.setdefault(row["action"], {})[cond] = row
            for n, stack in row.pop("stacks", []):
                print(f"--- {cond} / {row['action']}: {n} samples", file=sys.stderr)
                for line in stack:
                    print("    " + line, file=sys.stderr)
    if args.json:
        print(json.dumps(table, indent=1))
        return 0
    print(f"Tunnel GUI-thread heartbeat ({PERIOD_MS} ms), longest stall per action; "
          f"{os.cpu_count()} cores; loaded = {os.cpu_count()} busy processes")
    print("| action | " + " | ".join(f"{c} stall ms | {c} wall s" for c in conditions) + " |")
    print("|" + "---|" * (1 + 2 * len(conditions)))
    for action, by in table.items():
        cells = []
        for c in conditions:
            r = by.get(c)
            cells += [f"{r['stall_ms']:.0f}{'' if r['completed'] else ' (timeout)'}",
                      f"{r['wall_s']:.1f}"] if r else ["-", "-"]
        print(f"| {action} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
