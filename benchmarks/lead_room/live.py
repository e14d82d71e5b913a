"""One live-load scenario (run in a fresh process by run.py; prints ``RESULT {json}``).

    PYTHONPATH=. .venv/bin/python benchmarks/lead_room/live.py ROOMS RATE SECONDS ALARMS \
        [--mode process|thread] [--profile]

The gateway simulator runs in its own process. ``process`` mode (the station's
default): the live parts run in the live process, this process is the GUI. ``thread``
mode: the old layout, everything in this process (asyncio thread + GUI), for
comparison. Phases: the overview visible for SECONDS, then a room's detail (table +
pyqtgraph trends) for SECONDS / 2; then ALARMS door-open-during-beam injections, one
at a time (source timestamp -> banner shown). GUI event-loop gaps are measured with a
5 ms QTimer (gap = interval - 5 ms) in every phase; CPU with process_time of this
process and (process mode) of the live process (its own figure in each snapshot).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
logging.basicConfig(level=logging.ERROR)
logging.getLogger("asyncua").setLevel(logging.CRITICAL)


class _Ctx:
    """Minimal StationContext stand-in (no store: journal events are only logged)."""

    def __init__(self, loop: Any, data_dir: Path) -> None:
        self.loop, self.data_dir = loop, data_dir
        self.settings: dict = {}
        self.notifier = None
        self.user = None
        self.store = type("S", (), {"add_record": lambda *a, **k: None})()


def _pct(a: list[float], q: float) -> float:
    return float(np.percentile(np.array(a) * 1000, q)) if a else float("nan")


class Parts:
    """The station's live parts in either layout, with the few probes the bench needs."""

    def __init__(self, mode: str, url: str, tmp: Path) -> None:
        from station_plugins.lead_room.service import LeadRoomService

        self.mode = mode
        self.loop = None
        ctx = _Ctx(None, tmp)
        if mode == "process":
            from station_plugins.lead_room.live_protocol import LiveConfig
            from station_plugins.lead_room.live_proxy import LiveProcess

            self.live = LiveProcess(LiveConfig(endpoint=url, security="None",
                                               publishing_ms=100,
                                               historian_path=tmp / "historian.db"))
            self.svc = LeadRoomService(ctx, live=self.live)
        else:
            from station_plugins.lead_room.adapters.historian import Historian, HistorianWriter
            from app.adapters.opcua_gateway import OpcUaGatewayClient
            from app.runtime.loop_thread import LoopThread
            from station_plugins.lead_room.service import deadband_for
            from station_plugins.lead_room.signals import range_check

            self.loop = ctx.loop = LoopThread().start()
            ctx.settings["endpoint"] = url
            self.svc = LeadRoomService(
                ctx, client_factory=lambda u, **kw: OpcUaGatewayClient(
                    url, security="None", publishing_ms=100, range_check=range_check, **kw),
                historian_factory=lambda p: Historian(p, deadbands=deadband_for))
            self.writer = HistorianWriter(self.svc.historian).start()

    def connected(self) -> bool:
        st = self.svc.monitor.connection
        return bool(st is not None and st.connected)

    def stat(self, name: str) -> float:
        if self.mode == "process":
            return float(self.live.stat(name))
        c, e = self.svc.client, self.svc.engine
        return float({"changes_received": c.changes_received, "signals": len(c.nodes),
                      "losses": c.losses,
                      "stale_alarms": sum(1 for a in e.alarms.values()
                                          if a.definition.id == "monitor_stale"
                                          and a.activated_ts)}[name])

    def live_cpu_s(self) -> float:
        return float((self.live.snap or {}).get("cpu_s", 0.0)) if self.mode == "process" else 0.0

    def sim_call(self, *args: str) -> Any:
        """Start the simulator method call off the GUI thread (a future)."""
        if self.mode == "process":
            return self.live.send("sim_call", *args)
        return self.loop.submit(self.svc.client.call_simulator(*args))

    def stop(self) -> None:
        self.svc.stop()
        if self.mode == "thread":
            self.writer.stop()
            self.svc.historian.close()
            self.loop.stop()


def live_scenario(rooms: int, rate: float, seconds: float, n_alarms: int, mode: str,
                  profile: bool, sim_nice: int = 5) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from station_plugins.lead_room.gateway_sim import free_port
    from station_plugins.lead_room.panel import LeadRoomPanel

    app = QApplication.instance() or QApplication([])
    port = free_port()
    # the simulator stands in for the plant's gateway (its own box in the plant): on this
    # machine it runs at a lower priority so it takes CPU from the station only when idle
    sim = subprocess.Popen(["nice", "-n", str(sim_nice), sys.executable, "-m",
                            "station_plugins.lead_room.gateway_sim",
                            "--port", str(port), "--rooms", str(rooms), "--rate", str(rate)],
                           cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out: dict[str, Any] = {"rooms": rooms, "rate_hz": rate, "mode": mode, "sim_nice": sim_nice}
    try:
        sim.stdout.readline()                                   # "gateway simulator: ..."
        parts = Parts(mode, f"opc.tcp://127.0.0.1:{port}/pharos/gateway",
                      Path(tempfile.mkdtemp()))
        svc = parts.svc
        panel = LeadRoomPanel(svc)
        from app.runtime.gc_pauses import freeze_long_lived

        freeze_long_lived()       # as the station host does after building a panel
        panel.resize(1600, 1000)
        panel.show()
        gaps: list[float] = []
        busy: list[float] = []              # GUI-thread CPU time within each gap
        refresh_s: list[float] = []
        last = [time.perf_counter(), time.thread_time()]

        def tick() -> None:
            now, cpu = time.perf_counter(), time.thread_time()
            gaps.append(now - last[0] - 0.005)
            busy.append(cpu - last[1])
            last[0], last[1] = now, cpu
        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(5)
        orig_refresh = panel.refresh

        def timed_refresh() -> None:
            t = time.perf_counter()
            orig_refresh()
            refresh_s.append(time.perf_counter() - t)
        panel._bridge.sig_changed.disconnect()
        panel._bridge.sig_changed.connect(timed_refresh)

        def spin(s: float, until: Any = None) -> bool:
            t = time.perf_counter()
            while time.perf_counter() - t < s:
                app.processEvents()
                if until is not None and until():
                    return True
                time.sleep(0.001)
            return False
        svc.start()
        if not spin(90, lambda: parts.connected() and parts.stat("changes_received") > 0):
            raise RuntimeError("the station did not connect to the simulator")
        spin(3)
        prof = cProfile.Profile() if profile else None
        for phase, secs in (("overview", seconds), ("detail", seconds / 2))[int(os.environ.get("LR_PHASE0", "0")):]:
            if phase == "detail":
                panel.open_room("Room01")
                spin(1)
            gaps.clear()
            busy.clear()
            refresh_s.clear()
            c0, g0, l0 = parts.stat("changes_received"), time.process_time(), parts.live_cpu_s()
            t0 = time.perf_counter()
            if prof is not None:
                prof.enable()
            spin(secs)
            if prof is not None:
                prof.disable()
            dt = time.perf_counter() - t0
            out[phase] = {
                "changes_per_s": (parts.stat("changes_received") - c0) / dt,
                "gui_cpu_pct": (time.process_time() - g0) / dt * 100,
                "live_cpu_pct": (parts.live_cpu_s() - l0) / dt * 100,
                "gap_p50_ms": _pct(gaps, 50), "gap_p99_ms": _pct(gaps, 99),
                "gap_max_ms": _pct(gaps, 100), "gaps_over_100ms": sum(g > 0.1 for g in gaps),
                # a long gap in which the GUI thread itself ran little was the OS
                # scheduler (other processes on the cores), not work on the GUI thread
                "gui_busy_max_ms": _pct(busy, 100),
                "gaps_over_100ms_gui_busy": sum(g > 0.1 and b > 0.05
                                                for g, b in zip(gaps, busy)),
                "refreshes_per_s": len(refresh_s) / dt,
                "refresh_mean_ms": _pct(refresh_s, 50) if refresh_s else float("nan"),
                "refresh_max_ms": _pct(refresh_s, 100) if refresh_s else float("nan")}
        panel.tabs.setCurrentIndex(0)
        spin(1)
        gaps.clear()
        lat = []
        for k in range(n_alarms):
            room = f"Room{k % rooms + 1:02d}"
            aid = f"{room}/door_beam"
            panel._banner_seen.discard(aid)
            panel.banner_latency_by_id.pop(aid, None)
            spin(20, parts.connected)
            # the calls wait on the simulator: never on the GUI thread (gaps are measured)
            call = parts.sim_call("InjectFault", room, "door_open_during_beam", "1")
            if spin(10, lambda: aid in panel.banner_latency_by_id):
                lat.append(panel.banner_latency_by_id[aid])
            spin(10, call.done)
            spin(20, parts.connected)
            call = parts.sim_call("ClearFaults", room)
            spin(10, call.done)
            spin(10, lambda: not panel.banner.isVisible())
            spin(0.3)
        out["alarm_phase_gap_max_ms"] = _pct(gaps, 100)
        lat_ms = [x * 1000 for x in lat] or [float("nan")]
        out.update({"signals": int(parts.stat("signals")), "link_losses": int(parts.stat("losses")),
                    "stale_alarms": int(parts.stat("stale_alarms")),
                    "alarm_latency_p50_ms": float(np.percentile(lat_ms, 50)),
                    "alarm_latency_p99_ms": float(np.percentile(lat_ms, 99)),
                    "alarm_latency_max_ms": float(np.max(lat_ms)), "alarms_measured": len(lat)})
        if prof is not None:
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats(os.environ.get("LR_PROF_SORT", "tottime")).print_stats(int(os.environ.get("LR_PROF_N", "12")))
            out["profile_top"] = s.getvalue()
        timer.stop()
        parts.stop()
        panel.close()
    finally:
        sim.kill()
        sim.wait(10)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("rooms", type=int)
    ap.add_argument("rate", type=float)
    ap.add_argument("seconds", type=float)
    ap.add_argument("alarms", type=int)
    ap.add_argument("--mode", choices=("process", "thread"), default="process")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--sim-nice", type=int, default=5,
                    help="niceness added to the simulator process (0: same priority)")
    a = ap.parse_args()
    res = live_scenario(a.rooms, a.rate, a.seconds, a.alarms, a.mode, a.profile, a.sim_nice)
    if "profile_top" in res:
        print(res["profile_top"], file=sys.stderr)
    print("RESULT " + json.dumps(res))
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "gui"
    raise SystemExit(main())
