"""Render the tunnel console to PNG in English and Simplified Chinese (docs, review).

    .venv/bin/python benchmarks/tunnel_test/render_console.py OUT_DIR [--device-error]

``--device-error``: 1366x768, after a run against the real asyncua tunnel simulator on
loopback whose leakage method answers a bad status (BadInternalError) and which is then
stopped mid-run (during the 1.5 s step after it: the exposure finds no server): the failed step is selected, so the
detail pane and the message line show the device errors in the language rendered.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DEVICE_SEQ = """\
format: pharos.tunnel.sequence/2
id: render-device-error
version: "1.0"
title: Device error (render)
title_zh: 设备故障（截图）
status: released
safe_state: [{driver: generator.beam_off}, {driver: axis.stop_all}]
groups:
  - key: safety
    title: Electrical safety
    title_zh: 电气安全
    steps:
      - key: safety.pe
        title: Protective earth frame
        title_zh: 保护接地 机架
        timeout_s: 3
        action: {driver: safety.earth_resistance, args: {point: frame}}
        measurements:
          - {name: resistance, unit: ohm, limits: {high: 200, unit: mohm}}
      - key: safety.leak
        title: Earth leakage current
        title_zh: 对地漏电流
        timeout_s: 3
        action: {driver: safety.leakage, args: {kind: earth, condition: normal}}
        measurements:
          - {name: current, from: current_ua, unit: uA, limits: {high: 500}}
      - key: hold
        title: Settle 1.5 s
        title_zh: 稳定 1.5 秒
        action: {python: 'station_plugins.tunnel_test.steplib:slow', args: {ms: 1500}}
        measurements: [{name: value, unit: V, limits: {low: 0, high: 2}}]
      - key: xray.kv
        title: Tube voltage 80 kV
        title_zh: 管电压准确度 80 kV
        timeout_s: 2
        action: {driver: generator.expose, args: {kv: 80, ma: 5, ms: 100}}
        measurements:
          - {name: kv, from: kv_measured, unit: kV, limits: {nominal: 80, tolerance_pct: 5}}
"""


def _device_error_run(window: Any, port: int, serial: str) -> None:
    """Run one unit in the open console against a simulator on ``port`` whose leakage
    method answers a bad status; the simulator is stopped after that step."""
    from PySide6.QtWidgets import QApplication, QWidget

    from station_plugins.tunnel_test.simulator import SimulatorHandle

    app = QApplication.instance()
    panel: Any = window.findChild(QWidget, "tunnel_panel")
    sim = SimulatorHandle(port=port).start()
    sim.set_fault("safety.leakage", "bad_status")
    stopped: list[bool] = []

    def stop_after_leak(kind: str, body: Any) -> None:
        if kind == "event" and body.get("kind") == "step_end" and \
                body.get("step") == "safety.leak" and not stopped:
            stopped.append(True)
            sim.stop()
    panel.sig_run_message.connect(stop_after_leak)

    def wait(cond: Any, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not cond():
            if time.monotonic() > deadline:
                raise TimeoutError("the console did not get there in time")
            app.processEvents()
            time.sleep(0.02)
    wait(panel.start_btn.isEnabled, 60)
    panel.serial.setText(serial)
    panel.start_run()
    wait(lambda: panel.banner.state in ("ERROR", "FAIL", "PASS"), 120)
    wait(lambda: panel.last_run.get("row") is not None, 60)
    panel.sig_run_message.disconnect(stop_after_leak)
    sim.stop()
    panel.items.selectRow(panel.items.steps.row_of("safety.leak"))


def main(out_dir: str, device_error: bool = False) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.bootstrap import Workstation
    from app.ui.screenshot import ensure_app, render_station
    from station_plugins.tunnel_test.plugin import TunnelTestStation

    ensure_app()
    with tempfile.TemporaryDirectory() as d:
        ws = Workstation.open(data_dir=Path(d), with_stations=False, start_loop=False,
                              admin_password="Render-secret-pw1")
        ws.session.login(ws.auth.authenticate("admin", "Render-secret-pw1"))
        port = 0
        ctx = ws.context_for("tunnel_test")
        if device_error:
            from station_plugins.tunnel_test.adapters.opcua_sim import free_port

            seq = Path(d) / "device_error.yaml"
            seq.write_text(DEVICE_SEQ, encoding="utf-8")
            port = free_port()
            ws.config.values["station"]["demo"] = False      # the configured tunnel
            ctx.settings.update(sequence=str(seq), security="None",
                                endpoint=f"opc.tcp://127.0.0.1:{port}/pharos/tunnel")
        st = TunnelTestStation(ctx)
        try:
            for n, lang in enumerate(("en", "zh_CN")):
                prepare = None
                if device_error:
                    def prepare(window: Any, n: int = n) -> None:
                        _device_error_run(window, port, f"CA-DEV-{n + 1}")
                size = (1366, 768) if device_error else (1600, 1000)
                name = f"tunnel_test_{'device_error_' if device_error else ''}{lang}.png"
                print(render_station(st, Path(out_dir) / name, lang, size=size,
                                     prepare=prepare))
        finally:
            st.shutdown()
            ws.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", nargs="?", default=".")
    ap.add_argument("--device-error", action="store_true",
                    help="1366x768 after a run with a device error (real asyncua simulator)")
    args = ap.parse_args()
    main(args.out_dir, args.device_error)
