"""Render the detector matching panel offscreen with an optimised 400-slot detector.

    PYTHONPATH=. .venv/bin/python benchmarks/detector_matching/render_panel.py OUT.png [--lang zh_CN] [--batch]

``--batch``: the batch tab after building 48-slot detectors from 440 modules, with one
detector opened in the arc view.

A throw-away store and a stand-in session (no signing happens); the pool is generated.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class _User:
    username: str
    full_name: str
    roles: frozenset


class _Session:
    def __init__(self, user: _User) -> None:
        self.user = user


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--lang", default="zh_CN")
    ap.add_argument("--slots", type=int, default=400)
    ap.add_argument("--batch", action="store_true")
    args = ap.parse_args(argv)
    from app.adapters.store import Store
    from app.core.roles import Role
    from app.runtime.task_runner import TaskRunner
    from app.stations import StationContext
    from app.ui.screenshot import ensure_app, render_station
    from station_plugins.detector_matching.detector_models import load_layout
    from station_plugins.detector_matching.generator import generate
    from station_plugins.detector_matching.plugin import DetectorMatchingStation
    from station_plugins.detector_matching.pool_io import generated_rows, write_table
    from station_plugins.detector_matching.workflow import batch, run, settings_for

    ensure_app(args.lang)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "pharos.db", station_id="WS1", software_version="render",
                      config_hash="-").open()
        runner = TaskRunner(max_workers=2)
        try:
            ctx = StationContext(
                station_id="detector_matching", config=None, settings={"learned_cost": False},
                store=store, audit=None, auth=None, signatures=None,
                session=_Session(_User("qe1", "Q. Engineer", frozenset({Role.QUALITY_ENGINEER}))),
                tasks=runner, loop=None, notifier=None, data_dir=Path(tmp) / "dm")
            station = DetectorMatchingStation(ctx)
            pool = Path(tmp) / "pool.csv"
            cols, rows = generated_rows(generate(int(args.slots * 1.1), 1))
            write_table(pool, cols, rows)
            s = station.session
            prepare = None
            if args.batch:
                cols, rows = generated_rows(generate(440, 1))
                write_table(pool, cols, rows)
                s.set_layout(load_layout("PX-48"))
                s.import_pool(pool)
                s.accept_batch(batch(s.inputs(settings_for(1, 10.0, moves_per_slot=20_000),
                                              "physics"), 1.38))
                s.open_batch_detector(0)

                def prepare(window):                # noqa: ANN001
                    from PySide6.QtWidgets import QWidget
                    panel = window.findChild(QWidget, "detector_matching_panel")
                    panel.left_tabs.setCurrentIndex(1)
                    panel.spec_spin.setValue(1.38)
                    panel._refresh_batch()
                    panel.batch_table.selectRow(0)
            else:
                s.set_layout(s.layout.with_slots(args.slots))
                s.import_pool(pool)
                s.accept_result(run(s.inputs(replace(settings_for(1, 10.0),
                                                     moves_per_slot=20_000), "physics")))
                s.swap(10, 200)                     # a second arrangement to compare with
            render_station(station, args.out, args.lang, prepare=prepare)
        finally:
            runner.shutdown(wait=True)
            store.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
