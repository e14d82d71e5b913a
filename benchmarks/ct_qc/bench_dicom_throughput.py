"""Loopback C-STORE throughput with and without TCP_NODELAY (one command, one table).

    PYTHONPATH=. .venv/bin/python benchmarks/ct_qc/bench_dicom_throughput.py [--files 100]

Paths measured (one association each, N files):
  pharos SCU -> pharos SCP     (validation + re-encode + fsync per file included)
  storescu   -> pharos SCP     (DCMTK sender; TCP_NODELAY env on/off with our sockets)
  pharos SCU -> Orthanc        (Orthanc started with/without TCP_NODELAY=1)
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.adapters.dicom_net import PacsClient, PeerAddress  # noqa: E402
from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings  # noqa: E402
from tests.pacs_fixtures import (peer_env, run_dcmtk, start_orthanc,  # noqa: E402
                                 write_ct_series)


def scp(tmp: Path, nodelay: bool) -> IntakeService:
    return IntakeService(tmp / f"station-{time.monotonic_ns()}",
                         IntakeSettings(port=0, settle_s=60, tcp_nodelay=nodelay)).start()


def pharos_to_pharos(tmp: Path, files: list[Path], nodelay: bool) -> float:
    svc = scp(tmp, nodelay)
    try:
        client = PacsClient(PeerAddress("127.0.0.1", svc.scp_port, "PHAROS_QC"),
                            calling_ae="BENCH", tcp_nodelay=nodelay)
        report = client.store_files(files)
        assert not report.failed, report.failed[:1]
        return report.seconds
    finally:
        svc.stop()


def storescu_to_pharos(tmp: Path, files: list[Path], nodelay: bool) -> float:
    svc = scp(tmp, nodelay)
    env = peer_env() if nodelay else {k: v for k, v in os.environ.items() if k != "TCP_NODELAY"}
    try:
        t0 = time.perf_counter()
        r = subprocess.run(["storescu", "-aet", "BENCH", "-aec", "PHAROS_QC", "127.0.0.1",
                            str(svc.scp_port)] + [str(f) for f in files],
                           capture_output=True, text=True, env=env, timeout=600)
        seconds = time.perf_counter() - t0
        assert r.returncode == 0, r.stderr[-500:]
        return seconds
    finally:
        svc.stop()


def pharos_to_orthanc(tmp: Path, files: list[Path], nodelay: bool) -> float:
    peer = start_orthanc(tmp / f"orthanc-{time.monotonic_ns()}", modalities={},
                         tcp_nodelay=nodelay)
    try:
        client = PacsClient(PeerAddress("127.0.0.1", peer.dicom_port, "ORTHANC"),
                            calling_ae="BENCH", tcp_nodelay=nodelay)
        report = client.store_files(files)
        assert not report.failed, report.failed[:1]
        return report.seconds
    finally:
        peer.stop()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--sizes", default="64,512", help="image matrix sizes to test")
    args = ap.parse_args()
    run_dcmtk(["storescu", "--version"])          # skip early if DCMTK is missing
    rows = []
    with tempfile.TemporaryDirectory(prefix="pharos-bench-") as tmpname:
        tmp = Path(tmpname)
        for size in (int(s) for s in args.sizes.split(",")):
            files = write_ct_series(tmp / f"src{size}", args.files, size=size)
            kb = files[0].stat().st_size / 1024
            for name, fn in (("pharos SCU -> pharos SCP", pharos_to_pharos),
                             ("storescu -> pharos SCP", storescu_to_pharos),
                             ("pharos SCU -> Orthanc", pharos_to_orthanc)):
                on = fn(tmp, files, True)
                off = fn(tmp, files, False)
                rows.append((name, size, kb, on, off))
    n = args.files
    print(f"\nC-STORE on loopback, {n} CT files per association, one run each\n")
    print(f"{'path':26s} {'matrix':>6s} {'KiB':>6s} | {'NODELAY s':>9s} {'files/s':>8s} | "
          f"{'Nagle s':>8s} {'files/s':>8s} | {'speed-up':>8s}")
    print("-" * 96)
    for name, size, kb, on, off in rows:
        print(f"{name:26s} {size:6d} {kb:6.0f} | {on:9.2f} {n / on:8.0f} | {off:8.2f} "
              f"{n / off:8.0f} | {off / on:7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
