"""GUI-thread heartbeat: the longest stall of the event loop during every primary action.

    PYTHONPATH=. .venv/bin/python benchmarks/ui/heartbeat.py            # quiet, then loaded
    PYTHONPATH=. .venv/bin/python benchmarks/ui/heartbeat.py --only quiet|loaded [--json]

The real workstation (every station, demo mode, real services, a fresh data folder) in
the real MainWindow, offscreen. A 5 ms QTimer beats on the GUI thread; for each action
the longest gap between two beats (minus the 5 ms period) is the stall the operator
feels. "loaded": one CPU-bound process per core runs at the same time (a workstation is
never quiet: DICOM receiver, sync, the lead-room live process share the cores).
HEARTBEAT_SAMPLE_MS=30: a watchdog thread prints the GUI thread's Python stacks while
its beat is more than 30 ms late (where a stall comes from), per action, on stderr.
The optimiser's kernels are compiled first (`pharos match warmup`, as an installation
does; --cold-kernels leaves that to the GUI process). Goal: < 100 ms for every action
in both conditions. Numbers go in docs/ui.md; tests never
assert times.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PERIOD_MS = 5
PROFILE = os.environ.get("HEARTBEAT_PROFILE", "")   # an action name part: cProfile it
SAMPLE_MS = float(os.environ.get("HEARTBEAT_SAMPLE_MS", "0") or 0)  # >0: sample stalls


def _burn(stop) -> None:  # noqa: ANN001
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF


class StallSampler:
    """A watchdog thread: while the GUI thread's beat is late by more than ``SAMPLE_MS``,
    it records the GUI thread's Python stack every few ms (what runs during a stall)."""

    def __init__(self, beat: "Heartbeat") -> None:
        import collections
        import threading

        self.beat = beat
        self.main_id = threading.main_thread().ident
        self.counts: collections.Counter = collections.Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import threading
        import traceback

        while not self.stop.wait(0.004):
            late = (time.perf_counter() - self.beat.last) * 1000 - PERIOD_MS
            if late < SAMPLE_MS:
                continue
            frames = sys._current_frames()
            frame = frames.get(self.main_id)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)[-14:]
            key = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                             for f in reversed(stack))
            self.counts[key] += 1
            for tid, other in frames.items():    # who else runs Python meanwhile
                if tid in (self.main_id, threading.get_ident()):
                    continue
                top = traceback.extract_stack(other)[-4:]
                if top and Path(top[-1].filename).name in ("threading.py", "queue.py",
                                                             "selectors.py", "thread.py"):
                    continue
                self.counts["    [other thread] " + " < ".join(
                    f"{Path(f.filename).name}:{f.lineno} {f.name}"
                    for f in reversed(top))] += 1

    def take(self) -> list[tuple[int, str]]:
        out = [(n, k) for k, n in self.counts.most_common(10)]
        self.counts.clear()
        return out


class Heartbeat:
    def __init__(self, app) -> None:  # noqa: ANN001
        from PySide6.QtCore import QTimer

        self.app = app
        self.last = time.perf_counter()
        self.worst = 0.0
        self.last_cpu = time.thread_time()     # the GUI thread's own CPU time
        self.worst_cpu = 0.0
        self.gaps: list[float] = []            # every beat-to-beat gap of the action (s)
        self.sampler = StallSampler(self) if SAMPLE_MS > 0 else None
        self.timer = QTimer()
        self.timer.setInterval(PERIOD_MS)
        self.timer.timeout.connect(self._beat)
        self.timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        cpu = time.thread_time()
        self.worst = max(self.worst, now - self.last)
        self.gaps.append(now - self.last)
        self.worst_cpu = max(self.worst_cpu, cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def measure(self, name: str, start, done, timeout: float = 120.0) -> dict:  # noqa: ANN001
        """Run ``start()`` on the GUI thread (its own time counts), then spin the loop
        until ``done()``; returns the longest stall in ms."""
        self.app.processEvents()
        prof = None
        if PROFILE and any(p and p in name for p in PROFILE.split(",")):
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        self.last = time.perf_counter()
        self.worst = 0.0
        self.gaps = []
        self.last_cpu = time.thread_time()
        self.worst_cpu = 0.0
        if self.sampler is not None:
            self.sampler.take()
        t0 = time.perf_counter()
        start()
        self._beat()                       # the action's own synchronous time counts
        ok = True
        while not done():
            self.app.processEvents()
            time.sleep(0.001)
            if time.perf_counter() - t0 > timeout:
                ok = False
                break
        for _ in range(20):                # what the action left queued also counts
            self.app.processEvents()
            time.sleep(0.002)
        stall = max(0.0, self.worst * 1000 - PERIOD_MS)
        if prof is not None:
            import pstats

            prof.disable()
            order = os.environ.get("HEARTBEAT_SORT", "cumulative")
            pstats.Stats(prof, stream=sys.stderr).sort_stats(order).print_stats(35)
        if self.sampler is not None:
            print(f"--- {name}: stall {stall:.0f} ms; GUI-thread stacks while late "
                  f"(samples every 4 ms)", file=sys.stderr)
            for n, key in self.sampler.take():
                print(f"  {n:4d}  {key}", file=sys.stderr)
        gaps = sorted(self.gaps)
        p99 = max(0.0, gaps[min(len(gaps) - 1, int(0.99 * len(gaps)))] * 1000 - PERIOD_MS) \
            if gaps else 0.0
        return {"action": name, "stall_ms": round(stall, 1), "p99_ms": round(p99, 1),
                "beats": len(gaps),
                "gui_cpu_ms": round(self.worst_cpu * 1000, 1),
                "wall_s": round(time.perf_counter() - t0, 2), "completed": ok}


def open_bench_window(prefix: str):  # noqa: ANN201 - (app, data folder, workstation, window)
    """A fresh data folder, a workstation, a user with every role logged in, the main
    window shown at 1366x768: what every heartbeat benchmark starts from."""
    from PySide6.QtCore import QSettings

    from app.ui.screenshot import ensure_app

    app = ensure_app("en")
    data = Path(tempfile.mkdtemp(prefix=prefix))
    from app.bootstrap import Workstation
    from app.core.roles import ALL_ROLES
    from app.gui import build_window

    ws = Workstation.open(data_dir=data, admin_password="Adm1n-secret-pw", start_sync=False)
    admin = ws.auth.get("admin")
    ws.auth.create_user("bench", "Bench User", ALL_ROLES, "Heartbeat-pw-123", by=admin,
                        reason="benchmark", must_change_password=False)
    ws.session.login(ws.auth.authenticate("bench", "Heartbeat-pw-123"))
    window = build_window(ws, language="en",
                          settings=QSettings(str(data / "ui.ini"), QSettings.Format.IniFormat))
    window.resize(1366, 768)
    window.show()
    for _ in range(10):
        app.processEvents()
    return app, data, ws, window


def switch_done(window):  # noqa: ANN001, ANN201
    """A language switch counts until it is complete: the layouts settled, the window
    painted and every hidden station panel retranslated (``MainWindow.language_switcher``;
    a window without one switches in the call)."""
    switcher = getattr(window, "language_switcher", None)
    return (lambda: not switcher.busy()) if switcher is not None else (lambda: True)


def run_actions() -> list[dict]:
    app, data, ws, window = open_bench_window("pharos-heartbeat-")
    beat = Heartbeat(app)
    rows: list[dict] = []
    import threading

    from app.ui.warmup import gui_imports_pending

    # the log-in minutes: the warm-up thread imports the stations' heavy modules, then
    # the GUI thread their Qt modules (one per idle turn)
    rows.append(beat.measure("start-up warm-up (during log in)", lambda: None,
                             lambda: not any(t.name == "pharos-warmup"
                                             for t in threading.enumerate())
                             and not gui_imports_pending(), 300))
    host = window.host
    panels: dict = {}

    def opener(sid: str):  # noqa: ANN202
        return lambda: panels.__setitem__(sid, host.open_station(sid))

    def built(sid: str):  # noqa: ANN202 - a panel built in slices counts until complete
        return lambda: getattr(panels.get(sid), "build_done", True)

    for sid in ("ct_qc", "detector_matching", "tunnel_test", "image_review", "lead_room"):
        rows.append(beat.measure(f"open {sid}", opener(sid), built(sid)))

    # CT QC: simulate a phantom series, import, analyse (the operator's daily QC)
    host.open_station("ct_qc")
    ct = panels["ct_qc"]
    rows.append(beat.measure("ct_qc simulate + import", lambda: ct.simulate_series(),
                             lambda: not ct.io.running and bool(ct._entries), 180))
    rows.append(beat.measure("ct_qc analyse", ct.analyse_current,
                             lambda: ct._result is not None and not ct.is_busy(), 300))

    # detector matching: import a generated pool, optimise (1 s budget)
    host.open_station("detector_matching")
    dm = panels["detector_matching"]
    from station_plugins.detector_matching.generator import generate
    from station_plugins.detector_matching.pool_io import generated_rows, write_table

    pool = data / "pool.csv"
    write_table(pool, *generated_rows(generate(420, 8)))     # PX-400 needs 400 modules
    rows.append(beat.measure("detector import pool", lambda: dm.import_file(str(pool)),
                             lambda: dm.optimise_button.isEnabled() and
                             dm.session.pool is not None, 120))
    dm.time_spin.setValue(1.0)
    rows.append(beat.measure("detector optimise (1 s)", dm.optimise,
                             lambda: dm.optimise_button.isEnabled() and not dm.runner.running,
                             120))
    rows[-1]["note"] = dm.message_bar.text() if dm.message_bar.isVisible() else ""

    # tunnel: scan a serial, run the released demo sequence to its verdict
    host.open_station("tunnel_test")
    tp = panels["tunnel_test"]

    def start_tunnel() -> None:
        tp.serial.setText("CA-BENCH-1")
        tp.start_run()
    def tunnel_done() -> bool:
        if tp.prompt.isVisible():          # the operator answers the prompt (first choice)
            buttons = [tp.prompt.buttons.itemAt(i).widget()
                       for i in range(tp.prompt.buttons.count())]
            if buttons and buttons[0] is not None:
                buttons[0].click()
        return tp.banner.state in ("PASS", "WARN", "FAIL", "ERROR", "ABORTED")
    rows.append(beat.measure("tunnel run", start_tunnel, tunnel_done, 600))

    host.open_station("lead_room")
    rows.append(beat.measure("switch to Chinese", lambda: window.set_language("zh_CN"),
                             switch_done(window)))
    rows.append(beat.measure("switch to English", lambda: window.set_language("en"),
                             switch_done(window)))
    rows.append(beat.measure("log out", window.log_out, lambda: True))
    window.close()
    ws.close()
    import shutil

    shutil.rmtree(data, ignore_errors=True)
    return rows


def _child(queue) -> None:  # noqa: ANN001
    import faulthandler

    faulthandler.enable()
    try:
        queue.put(run_actions())
    except BaseException as exc:  # noqa: BLE001
        import traceback

        queue.put({"error": f"{type(exc).__name__}: {exc}", "tb": traceback.format_exc()})


def run_in_gui_process(target, args: tuple = (), *, loaded: bool,  # noqa: ANN001, ANN201
                       limit_s: float = 1800, burners: int | None = None):
    """Run ``target(queue, *args)`` in a fresh (spawned) GUI process, beside ``burners``
    CPU-bound processes (default one per core) when ``loaded``; return what it put on
    the queue (a dict with "error" / "tb" is raised here). Shared by the heartbeat
    benchmarks."""
    import queue as queue_mod

    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    procs = [ctx.Process(target=_burn, args=(stop,), daemon=True)
             for _ in range(burners or os.cpu_count() or 1)] if loaded else []
    for b in procs:
        b.start()
    try:
        queue = ctx.Queue()
        child = ctx.Process(target=target, args=(queue, *args))
        child.start()
        deadline = time.time() + limit_s
        while True:
            try:
                result = queue.get(timeout=2)
                break
            except queue_mod.Empty:
                if not child.is_alive():
                    raise RuntimeError(f"the GUI process died (exit code {child.exitcode})")
                if time.time() > deadline:
                    child.terminate()
                    raise RuntimeError(f"the GUI process did not finish in {limit_s:.0f} s")
        child.join(60)
    finally:
        stop.set()
        for b in procs:
            b.join(5)
            if b.is_alive():
                b.terminate()
    if isinstance(result, dict):
        raise RuntimeError(result["error"] + "\n" + result.get("tb", ""))
    return result


def run_condition(loaded: bool) -> list[dict]:
    return run_in_gui_process(_child, loaded=loaded, limit_s=1800)



def use_compiled_kernels(prefix: str) -> None:
    """The optimiser's kernels compiled beforehand into a temporary cache (as an
    installation does: `pharos setup` / the bundle ships them compiled), unless
    NUMBA_CACHE_DIR is set; the cache is removed at exit."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    import atexit
    import shutil
    import subprocess

    cache = Path(tempfile.mkdtemp(prefix=prefix))
    subprocess.run([sys.executable, "-m", "app", "match", "warmup", "--cache-dir",
                    str(cache)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    os.environ["NUMBA_CACHE_DIR"] = str(cache)
    atexit.register(shutil.rmtree, cache, True)

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["quiet", "loaded"])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cold-kernels", action="store_true",
                    help="do not compile the optimiser's kernels first (an installation "
                         "that skipped `pharos match warmup`: they compile in the GUI)")
    args = ap.parse_args()
    if not args.cold_kernels:
        use_compiled_kernels("pharos-heartbeat-numba-")
    conditions = [args.only] if args.only else ["quiet", "loaded"]
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    table: dict[str, dict] = {}
    for cond in conditions:
        for row in run_condition(cond == "loaded"):
            table.setdefault(row["action"], {})[cond] = row
    if args.json:
        print(json.dumps(table, indent=1))
        return 0
    print(f"GUI-thread heartbeat ({PERIOD_MS} ms), longest stall per action; "
          f"{os.cpu_count()} cores; loaded = {os.cpu_count()} busy processes; load average "
          f"before / after: {load_before} / {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("GUI CPU ms: the GUI thread's own CPU time in its longest turn (the work on the "
          "GUI thread, whatever else the machine does)")
    head = "| action | " + " | ".join(f"{c} stall ms | {c} GUI CPU ms | {c} wall s"
                                      for c in conditions) + " |"
    print(head)
    print("|" + "---|" * (1 + 3 * len(conditions)))
    for action, by in table.items():
        cells = []
        for c in conditions:
            r = by.get(c)
            cells += [f"{r['stall_ms']:.0f}{'' if r['completed'] else ' (timeout)'}",
                      f"{r['gui_cpu_ms']:.0f}", f"{r['wall_s']:.1f}"] if r else ["-"] * 3
        print(f"| {action} | " + " | ".join(cells) + " |")
    for action, by in table.items():
        for c, r in by.items():
            if r.get("note"):
                print(f"note ({c}) {action}: {r['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
