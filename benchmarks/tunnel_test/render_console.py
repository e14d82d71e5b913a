"""Render the tunnel console to PNG in English and Simplified Chinese (docs, review).

    .venv/bin/python benchmarks/tunnel_test/render_console.py OUT_DIR
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(out_dir: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.bootstrap import Workstation
    from app.ui.screenshot import ensure_app, render_station
    from station_plugins.tunnel_test.plugin import TunnelTestStation

    ensure_app()
    with tempfile.TemporaryDirectory() as d:
        ws = Workstation.open(data_dir=Path(d), with_stations=False, start_loop=False,
                              admin_password="Render-secret-pw1")
        ws.session.login(ws.auth.authenticate("admin", "Render-secret-pw1"))
        st = TunnelTestStation(ws.context_for("tunnel_test"))
        try:
            for lang in ("en", "zh_CN"):
                print(render_station(st, Path(out_dir) / f"tunnel_test_{lang}.png", lang))
        finally:
            st.shutdown()
            ws.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
