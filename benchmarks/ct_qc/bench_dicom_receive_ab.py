"""Two checkouts' strict receivers, alternately, on the same files (A/B under the same
load): each round runs one storescu -> IntakeService (durability "strict") per checkout,
each in a fresh process with that checkout first on the path, and times storescu until
every instance is in the intake folder.

    PYTHONPATH=. .venv/bin/python benchmarks/ct_qc/bench_dicom_receive_ab.py \
        --a /work/main --b . [--files 300] [--matrix 512] [--rounds 5]

Prints files/s per round and the median per checkout (the machine is shared: the
spread matters more than any single figure).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ONE = r"""
import shutil, subprocess, sys, time
from pathlib import Path
from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings
from tests.pacs_fixtures import peer_env
files, data = sorted(Path(sys.argv[1]).glob("*.dcm")), Path(sys.argv[2])
svc = IntakeService(data, IntakeSettings(port=0, settle_s=600, durability="strict",
                                         allowed_calling_aes=("BENCH",))).start()
try:
    t0 = time.perf_counter()
    r = subprocess.run(["storescu", "-aet", "BENCH", "-aec", "PHAROS_QC", "127.0.0.1",
                        str(svc.scp_port)] + [str(f) for f in files], capture_output=True,
                       text=True, env=peer_env(), timeout=600)
    if hasattr(svc, "flush"):
        svc.flush()
    seconds = time.perf_counter() - t0
finally:
    svc.stop()
stored = len(list((data / "intake").rglob("*.dcm")))
assert r.returncode == 0 and stored == len(files), (r.returncode, stored, r.stderr[-300:])
shutil.rmtree(data, ignore_errors=True)
print(len(files) / seconds)
"""


def sync_files(folder: Path) -> None:
    for path in folder.glob("*"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True, help="checkout A (e.g. the main branch)")
    ap.add_argument("--b", default=str(ROOT), help="checkout B (default: this one)")
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--matrix", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.pacs_fixtures import write_ct_series

    checkouts = {"A": str(Path(args.a).resolve()), "B": str(Path(args.b).resolve())}
    rates: dict[str, list[float]] = {"A": [], "B": []}
    with tempfile.TemporaryDirectory(prefix="pharos-recv-ab-", dir=str(ROOT.parent)
                                     if os.access(ROOT.parent, os.W_OK) else None) as name:
        tmp = Path(name)
        write_ct_series(tmp / "src", args.files, size=args.matrix)
        sync_files(tmp / "src")    # written back now, not during the measurements
        for rnd in range(args.rounds):
            for key, path in checkouts.items():
                env = dict(os.environ, PYTHONPATH=os.pathsep.join([path, str(ROOT)]))
                out = subprocess.run([sys.executable, "-c", ONE, str(tmp / "src"),
                                      str(tmp / f"data-{key}-{rnd}")], capture_output=True,
                                     text=True, env=env, timeout=900, cwd=path)
                if out.returncode != 0:
                    raise RuntimeError(f"{key}: {out.stderr[-800:]}")
                rate = float(out.stdout.strip().splitlines()[-1])
                rates[key].append(rate)
                print(f"round {rnd + 1} {key} ({path}): {rate:7.1f} files/s, load "
                      f"{os.getloadavg()[0]:.1f}", flush=True)
    for key, path in checkouts.items():
        print(f"{key} {path}: median {statistics.median(rates[key]):.1f} files/s "
              f"(min {min(rates[key]):.1f}, max {max(rates[key]):.1f})")
    print(f"B / A (medians): {statistics.median(rates['B']) / statistics.median(rates['A']):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
