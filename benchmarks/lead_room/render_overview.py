"""Render the lead-room overview in English and Simplified Chinese to PNG (demo data).

    PYTHONPATH=. .venv/bin/python benchmarks/lead_room/render_overview.py [--out DIR]

Demo workstation in a temporary data folder, 30 simulated rooms in the live process;
a few faults are injected so the picture has abnormal rooms (colour) next to normal
ones (grey): door open during beam (safety banner), boundary dose excursion, monitor
fault, a sensor with a bad status code (INVALID).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FAULTS = (("Room04", "door_open_during_beam"), ("Room11", "dose_excursion"),
          ("Room17", "monitor_fault"), ("Room23", "bad_status"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "lead_room_shots"))
    ap.add_argument("--lang", choices=("en", "zh_CN"), default="")
    a = ap.parse_args()
    if not a.lang:                  # each language in a fresh process (and live process)
        import subprocess
        for lang in ("en", "zh_CN"):
            subprocess.run([sys.executable, __file__, "--out", a.out, "--lang", lang],
                           check=True)
        return 0
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    from app.bootstrap import Workstation
    from app.ui.screenshot import ensure_app, render_station
    from station_plugins.lead_room.plugin import LeadRoomStation

    app = ensure_app(a.lang)
    data = Path(tempfile.mkdtemp())
    os.environ["PHAROS_DATA_DIR"] = str(data)
    ws = Workstation.open(data_dir=data, with_stations=False, start_loop=True,
                          admin_password="Adm1n-secret-pw")
    ws.session.login(ws.auth.authenticate("admin", "Adm1n-secret-pw"))
    st = LeadRoomStation(ws.context_for("lead_room"))
    svc = st.build_service()
    svc.start()
    try:
        t0 = time.time()
        while time.time() - t0 < 60 and len(svc.monitor.overview()) < 30:
            app.processEvents()
            time.sleep(0.05)
        for room, fault in FAULTS:
            svc.live.request("sim_inject", room, fault)
        time.sleep(4)
        print(render_station(st, out / f"lead_room_overview_{a.lang}.png", a.lang))
    finally:
        st.shutdown()
        ws.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
