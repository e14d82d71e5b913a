"""A simulated scanner that pushes simulated QC series to the station's SCP (demo mode).

``push_series(paths, host, port, called_ae, calling_ae="SIMSCAN")`` sends files with
C-STORE on one association (TCP_NODELAY) and returns the per-instance report.
``demo_loop(...)`` renders a series with the simulator (serials in turn, one "day" per
round, artifacts as in :mod:`.demo_scanner`), pushes it, waits ``interval_s`` and repeats.

Command line::

    python -m app.ct.simulator.scanner_push --port 11112 --interval 30
"""
from __future__ import annotations

import argparse
import itertools
import logging
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    from app.adapters.dicom_net import StoreReport

log = logging.getLogger(__name__)


def push_series(paths: Sequence[Path | str], host: str, port: int, called_ae: str,
                calling_ae: str = "SIMSCAN", *, tcp_nodelay: bool = True) -> StoreReport:
    """C-STORE ``paths`` (one association). Returns app.adapters.dicom_net.StoreReport;
    raises a PacsError subclass when the receiver is down or refuses us."""
    from app.adapters.dicom_net import PacsClient, PeerAddress

    client = PacsClient(PeerAddress(host, int(port), called_ae), calling_ae=calling_ae,
                        tcp_nodelay=tcp_nodelay)
    files = sorted(Path(p) for p in paths if Path(p).suffix.lower() == ".dcm")
    return client.store_files(files)


def demo_loop(out_dir: Path | str, host: str, port: int, called_ae: str, *,
              calling_ae: str = "SIMSCAN", interval_s: float = 30.0, count: int | None = None,
              scanners: Sequence[str] | None = None, phantom: str = "catphan504",
              matrix: int = 256, n_slices: int | None = None, days: int = 5,
              stop: threading.Event | None = None,
              on_pushed: Callable[[str, object], None] | None = None) -> int:
    """Generate and push series until ``count`` were sent or ``stop`` is set; returns
    how many series were pushed. A push failure is logged and the loop goes on."""
    from app.ct.simulator.demo_scanner import DEFAULT_SCANNERS, demo_params
    from app.ct.simulator.dicom_writer import write_dicom_series
    from app.ct.simulator.series import simulate_series

    from app.core.errors import PharosError

    scanners = tuple(scanners or DEFAULT_SCANNERS)
    stop = stop or threading.Event()
    pushed = 0
    for k in itertools.count():
        if stop.is_set() or (count is not None and pushed >= count):
            break
        index, day = k % len(scanners), (k // len(scanners)) % days
        serial = scanners[index]
        params = demo_params(serial, index, day, days, phantom=phantom, matrix=matrix,
                             n_slices=n_slices, seed=k // (len(scanners) * days))
        folder = Path(out_dir) / f"{k:05d}_{serial}"
        paths = write_dicom_series(simulate_series(params), folder, scanner_serial=serial,
                                   station_name=f"CT{index + 1:02d}", series_number=day + 1)
        try:
            report = push_series(paths, host, port, called_ae, calling_ae)
            pushed += 1
            log.info("pushed %s day %d: %d/%d accepted", serial, day, len(report.sent_ok),
                     len(report.results))
            if on_pushed is not None:
                on_pushed(serial, report)
        except PharosError as exc:
            log.error("push of %s failed: %s [%s]", folder, exc.message, exc.code)
            if on_pushed is not None:
                on_pushed(serial, exc)
        if count is not None and pushed >= count:
            break
        stop.wait(interval_s)
    return pushed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Simulated CT scanner pushing QC series")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=11112)
    p.add_argument("--called-ae", default="PHAROS_QC")
    p.add_argument("--calling-ae", default="SIMSCAN")
    p.add_argument("--interval", type=float, default=30.0, help="seconds between series")
    p.add_argument("--count", type=int, help="stop after this many series")
    p.add_argument("--matrix", type=int, default=256)
    p.add_argument("--slices", type=int, help="slices per series (default: whole phantom)")
    p.add_argument("--phantom", default="catphan504")
    p.add_argument("--out", type=Path, help="keep the generated files here")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    def say(serial: str, outcome: object) -> None:
        print(f"{serial}: {outcome if not hasattr(outcome, 'results') else 'pushed %d files' % len(outcome.results)}",
              flush=True)

    with tempfile.TemporaryDirectory(prefix="pharos-scanner-") as tmp:
        try:
            demo_loop(args.out or tmp, args.host, args.port, args.called_ae,
                      calling_ae=args.calling_ae, interval_s=args.interval, count=args.count,
                      phantom=args.phantom, matrix=args.matrix, n_slices=args.slices,
                      on_pushed=say)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
