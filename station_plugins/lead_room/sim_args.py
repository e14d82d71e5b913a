"""Command-line options of the gateway simulator (`pharos rooms simulate`, and
``python -m station_plugins.lead_room.gateway_sim``): import-light, so registering the
station's commands does not load the simulator."""
from __future__ import annotations

import argparse


def add_sim_arguments(p: argparse.ArgumentParser) -> None:
    from station_plugins.lead_room.plant_model import FAULTS

    p.add_argument("--rooms", type=int, default=30)
    p.add_argument("--port", type=int, default=4851)
    p.add_argument("--rate", type=float, default=2.0, help="updates per second per signal")
    p.add_argument("--time-scale", type=float, default=30.0,
                   help="simulated seconds per real second")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--security", default="None",
                   choices=["None", "Basic256Sha256_SignAndEncrypt"])
    p.add_argument("--pki", default="", help="simulator PKI folder (own/, trusted/, rejected/)")
    p.add_argument("--fault", action="append", metavar="ROOM:FAULT",
                   help=f"inject at start; faults: {', '.join(FAULTS)}")
