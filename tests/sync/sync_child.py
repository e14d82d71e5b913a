"""Child process for the kill -9 tests: pushes a station's outbox to the central database.

usage: sync_child.py FOLDER STATION_ID URL BATCH [KILL_AT_BATCH]
With KILL_AT_BATCH, the process SIGKILLs itself right after the central commit of that
batch (before the local outbox delete): the worst moment for a lost acknowledgement.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.sync.stations import open_station  # noqa: E402
from app.adapters.sync import SyncService  # noqa: E402


def main() -> None:
    folder, station_id, url, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    kill_at = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    store, _audit = open_station(Path(folder), station_id)
    svc = SyncService(store, url, batch=batch)
    commits = 0

    def hook(point: str) -> None:
        nonlocal commits
        if point == "after_central_commit":
            commits += 1
            print(f"committed batch {commits}", flush=True)
            if commits == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    svc.fault_hook = hook
    svc.push_all()
    print("done", flush=True)


if __name__ == "__main__":
    main()
