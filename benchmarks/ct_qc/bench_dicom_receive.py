"""The station's DICOM receiver beside DCMTK storescp, in one run (~2 min), plus its
memory under a big send.

    PYTHONPATH=. .venv/bin/python benchmarks/ct_qc/bench_dicom_receive.py [--files 300]
                                               [--matrix 512] [--big-mb 800] [--runs 2]
                                               [--parallel-mb 200] [--parallel 4]

Throughput: DCMTK storescu sends N CT files (one association) on loopback to
  * storescp            DCMTK's receiver (-od DIR: writes files; no validation, no fsync)
  * pynetdicom floor    stock pynetdicom with streaming on and a handler that only
                        answers (the ceiling of a plain pynetdicom receiver here)
  * pharos strict       validation + the instance durable BEFORE the answer (written
                        into a pre-allocated write-ahead spool slot + fdatasync; moved
                        into the intake folder with fsync by a background thread; the
                        run ends when every instance is in the intake folder)
  * pharos group        validation + write before the answer, fsync in groups after it
                        ([pacs] durability = "group"); the instance is reported to the
                        series assembly only once it is on disk
Each path runs ``--runs`` times, every run printed (the machine is shared), with one
association and then with ``--parallel`` associations at once (the files split among
that many storescu processes). Ratios are to storescp and to the pynetdicom floor of
the same round.

Memory: the receiver in its own process (64 MB size gate) gets one C-STORE of
``--big-mb`` MB from storescu, then 4 of ``--parallel-mb`` MB at once; its peak RSS
(VmHWM) before and after is printed.
"""
from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.pacs_fixtures import (encode, free_port, make_ct_dataset, peer_env,  # noqa: E402
                                 write_ct_series)

ENV = peer_env()                                    # TCP_NODELAY=1 for the DCMTK tools


PARALLEL = 1          # associations at once (storescu processes, files split evenly)


def storescu(port: int, files: list[Path], called: str = "PHAROS_QC") -> float:
    parts = [files[i::PARALLEL] for i in range(PARALLEL)]
    t0 = time.perf_counter()
    procs = [subprocess.Popen(["storescu", "-aet", "BENCH", "-aec", called, "127.0.0.1",
                               str(port)] + [str(f) for f in part], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=ENV) for part in parts]
    outs = [p.communicate(timeout=900) for p in procs]
    seconds = time.perf_counter() - t0
    for p, (_, err) in zip(procs, outs):
        if p.returncode != 0:
            raise RuntimeError(f"storescu failed: {err[-500:]}")
    return seconds


def run_storescp(tmp: Path, files: list[Path]) -> float:
    out = tmp / f"storescp-{time.monotonic_ns()}"
    out.mkdir()
    port = free_port()
    proc = subprocess.Popen(["storescp", "-od", str(out), str(port)], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port)
        return storescu(port, files, called="ANY-SCP")
    finally:
        proc.terminate()
        proc.wait(10)
        # storescp does not fsync: its 150 MB of dirty pages would be written back
        # during the next measurement and slow down every fsync there; deleted files'
        # dirty pages are dropped instead
        shutil.rmtree(out, ignore_errors=True)


def run_floor(tmp: Path, files: list[Path]) -> float:
    import app.adapters.dicom_receive  # noqa: F401 - streaming on, as in the receiver
    from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian
    from pynetdicom import AE, StoragePresentationContexts, evt

    ae = AE("PHAROS_QC")
    ae.maximum_pdu_size = 1024 * 1024
    for cx in StoragePresentationContexts:
        ae.add_supported_context(cx.abstract_syntax, [ExplicitVRLittleEndian,
                                                      ImplicitVRLittleEndian])
    server = ae.start_server(("127.0.0.1", 0), block=False,
                             evt_handlers=[(evt.EVT_C_STORE, lambda e: 0x0000)])
    try:
        return storescu(server.server_address[1], files)
    finally:
        server.shutdown()


def run_pharos(tmp: Path, files: list[Path], durability: str) -> float:
    from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings

    folder = tmp / f"pharos-{durability}-{time.monotonic_ns()}"
    svc = IntakeService(folder, IntakeSettings(port=0, settle_s=600, durability=durability,
                                               allowed_calling_aes=("BENCH",))).start()
    try:
        t0 = time.perf_counter()
        storescu(svc.scp_port, files)
        svc.flush()                    # ... and every instance is in the intake folder
        seconds = time.perf_counter() - t0
    finally:
        svc.stop()
    stored = len(list((folder / "intake").rglob("*.dcm")))
    if stored != len(files):
        raise RuntimeError(f"{durability}: {stored} of {len(files)} files stored")
    shutil.rmtree(folder, ignore_errors=True)
    return seconds


def _wait_port(port: int, timeout: float = 10.0) -> None:
    import socket

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


SCP = r"""
import sys
sys.path.insert(0, sys.argv[1])
from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings
svc = IntakeService(sys.argv[2], IntakeSettings(port=0, max_file_mb=64,
                    allowed_calling_aes=("BENCH",))).start()
print(svc.scp_port, flush=True)
sys.stdin.readline()
svc.stop()
"""


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def big_file(path: Path, mb: int) -> Path:
    ds = make_ct_dataset(study_uid="1.2.3.4", series_uid="1.2.3.4.5", index=0, size=32)
    del ds.PixelData
    n = mb * 1024 * 1024
    with open(path, "wb") as fh:
        fh.write(encode(ds))
        fh.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, n))
        chunk = b"\0" * (8 << 20)
        while n:
            k = min(n, len(chunk))
            fh.write(chunk[:k])
            n -= k
    return path


def memory(tmp: Path, mb: int, parallel: int = 1) -> tuple[float, float, str]:
    big = big_file(tmp / "big.dcm", mb)
    proc = subprocess.Popen([sys.executable, "-c", SCP, str(ROOT), str(tmp / "mem")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        port = int(proc.stdout.readline())
        before = peak_rss_mb(proc.pid)
        senders = [subprocess.Popen(["storescu", "-v", "-aet", "BENCH", "-aec", "PHAROS_QC",
                                     "127.0.0.1", str(port), str(big)], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, env=ENV)
                   for _ in range(parallel)]
        text = "".join(s.communicate(timeout=900)[0] for s in senders)
        after = peak_rss_mb(proc.pid)
        status = ("answered 0xA700 out of resources" if "0xa700" in text.lower()
                  or "outofresources" in text.lower().replace(" ", "") else
                  f"storescu: {text.strip().splitlines()[-1] if text.strip() else [s.returncode for s in senders]}")
    finally:
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(60)
        big.unlink(missing_ok=True)
    return before, after, str(status)


def sync_files(folder: Path) -> None:
    for path in folder.glob("*"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--matrix", type=int, default=512)
    ap.add_argument("--big-mb", type=int, default=800)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--parallel", type=int, default=4,
                    help="also send over this many associations at once (1: only one)")
    ap.add_argument("--parallel-mb", type=int, default=200,
                    help="then 4 senders in parallel, each this big (0: skip)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pharos-recv-bench-", dir=str(ROOT.parent)
                                     if os.access(ROOT.parent, os.W_OK) else None) as name:
        tmp = Path(name)
        files = write_ct_series(tmp / "src", args.files, size=args.matrix)
        sync_files(tmp / "src")    # written back now, not during the measurements
        kib = files[0].stat().st_size / 1024
        paths = (("storescp (DCMTK)", run_storescp),
                 ("pynetdicom floor", run_floor),
                 ("pharos strict", lambda t, f: run_pharos(t, f, "strict")),
                 ("pharos group", lambda t, f: run_pharos(t, f, "group")))
        global PARALLEL
        rounds: list[tuple[int, int, float, dict[str, float]]] = []
        for run in range(args.runs):
            for n_assoc in sorted({1, max(1, args.parallel)}):
                PARALLEL = n_assoc
                secs = {label: fn(tmp, files) for label, fn in paths}
                rounds.append((run + 1, n_assoc, os.getloadavg()[0], secs))
        t0 = time.perf_counter()
        before, after, status = memory(tmp, args.big_mb) if args.big_mb else (0, 0, "skipped")
        mem_s = time.perf_counter() - t0
        par = memory(tmp, args.parallel_mb, 4) if args.parallel_mb else None
    print(f"\nstorescu -> receiver on loopback: {args.files} CT files of {kib:.0f} KiB "
          f"({args.matrix}x{args.matrix}); {os.cpu_count()} CPUs\n")
    print(f"{'run':>3s} {'assocs':>6s} {'load':>5s} {'receiver':18s} {'seconds':>8s} "
          f"{'files/s':>8s} {'vs storescp':>12s} {'vs floor':>9s}")
    for run, n_assoc, load, secs in rounds:
        ref = args.files / secs["storescp (DCMTK)"]
        floor = args.files / secs["pynetdicom floor"]
        for label, _ in paths:
            rate = args.files / secs[label]
            print(f"{run:3d} {n_assoc:6d} {load:5.1f} {label:18s} {secs[label]:8.2f} {rate:8.1f} "
                  f"{rate / ref:11.2f}x {rate / floor:8.2f}x")
    if args.big_mb:
        print(f"\nmemory: one {args.big_mb} MB C-STORE to the receiver (64 MB size gate): "
              f"peak RSS {before:.0f} MB before, {after:.0f} MB after ({status}; "
              f"{mem_s:.0f} s)")
    if par is not None:
        print(f"memory: 4 x {args.parallel_mb} MB C-STOREs in parallel: peak RSS {par[0]:.0f} MB "
              f"before, {par[1]:.0f} MB after ({par[2]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
