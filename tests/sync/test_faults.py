"""Fault injection against a real PostgreSQL: each ends with central == local exactly
(counts and content hashes), no duplicate, no gap in any station's sequence."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.adapters.central.status import Backoff
from app.adapters.sync import SyncService
from tests.sync.stations import assert_agree, central_count, open_station, wait_for, write_mixed
from tests.sync.tcp_proxy import LossyProxy

pytestmark = pytest.mark.postgres
CHILD = Path(__file__).with_name("sync_child.py")


def test_central_stopped_mid_batch_and_restarted(tmp_path, pg_server, central_url):
    store, audit = open_station(tmp_path / "s1", "ST-1")
    write_mixed(store, audit, 1500)
    svc = SyncService(store, central_url, batch=100, interval_s=0.05,
                      backoff=Backoff(base_s=0.05, max_s=0.3), connect_timeout_s=1)
    batches = []

    def stop_server_inside_third_batch(point):
        if point == "before_central_commit":
            batches.append(1)
            if len(batches) == 3:
                pg_server.stop("immediate")     # the batch's COMMIT never reaches it
    svc.fault_hook = stop_server_inside_third_batch
    svc.start()
    try:
        wait_for(lambda: svc.status.state == "offline", 30, "the sync to notice the outage")
        assert svc.status.connected is False and svc.status.last_error
        assert svc.backlog_counts()[0] > 0
        write_mixed(store, audit, 200, seed=9)  # the station keeps working meanwhile
        pg_server.start()
        wait_for(lambda: svc.status.state == "idle" and svc.status.backlog == 0, 60,
                 "catch-up after the restart")
    finally:
        svc.stop()
        if not pg_server.running:
            pg_server.start()
    assert svc.backoff.failures == 0
    assert_agree(store, central_url)


def test_connection_lost_between_commit_and_acknowledgement(tmp_path, pg_server, central_url):
    proxy = LossyProxy(pg_server.port)
    url = central_url.replace(f":{pg_server.port}/", f":{proxy.port}/")
    try:
        store, audit = open_station(tmp_path / "s1", "ST-1")
        written = write_mixed(store, audit, 400)
        svc = SyncService(store, url, batch=1000)
        proxy.armed.set()
        with pytest.raises(Exception):
            svc.sync_once()
        assert proxy.dropped.is_set()
        assert central_count(central_url, "records") > 0      # committed centrally ...
        assert svc.backlog_counts()[0] == written              # ... unknown to the station
        report = svc.sync_once()                               # replay
        assert report["replayed"] == written and report["inserted"] == 0
        assert_agree(store, central_url)
    finally:
        proxy.close()


def _child(folder, station, url, batch, kill_at=0):
    return subprocess.Popen([sys.executable, str(CHILD), str(folder), station, url,
                             str(batch), str(kill_at)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_station_killed_right_after_central_commit(tmp_path, central_url):
    folder = tmp_path / "s1"
    store, audit = open_station(folder, "ST-1")
    written = write_mixed(store, audit, 800)
    store.close()
    proc = _child(folder, "ST-1", central_url, 100, kill_at=3)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    assert "committed batch 3" in out
    assert central_count(central_url, "records") > 0
    store, audit = open_station(folder, "ST-1")               # reopens cleanly
    assert store.outbox_size()[0] == written - 200            # batch 3 committed, not deleted
    report = SyncService(store, central_url, batch=100).sync_once()
    assert report["replayed"] == 100
    assert_agree(store, central_url)


def test_station_killed_at_a_random_moment_during_a_push(tmp_path, central_url):
    folder = tmp_path / "s1"
    store, audit = open_station(folder, "ST-1")
    write_mixed(store, audit, 3000)
    store.close()
    proc = _child(folder, "ST-1", central_url, 50)
    try:
        wait_for(lambda: central_count(central_url, "audit_log") > 300, 60, "the push to start")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    store, audit = open_station(folder, "ST-1")
    assert store.outbox_size()[0] > 0
    SyncService(store, central_url, batch=500).sync_once()
    assert_agree(store, central_url)


def test_two_stations_pushing_at_once_while_writing(tmp_path, central_url):
    stations = [open_station(tmp_path / f"s{i}", f"ST-{i}") for i in (1, 2)]
    for i, (store, audit) in enumerate(stations):
        write_mixed(store, audit, 800, seed=i)
    services = [SyncService(s, central_url, batch=64, interval_s=0.02,
                            backoff=Backoff(0.02, 0.2)) for s, _ in stations]
    writers = [threading.Thread(target=write_mixed, args=(s, a, 300), kwargs={"seed": 40 + i})
               for i, (s, a) in enumerate(stations)]
    for x in services + writers:
        x.start()
    for w in writers:
        w.join()
    try:
        for svc in services:
            svc.sync_now()
            wait_for(lambda svc=svc: svc.backlog_counts()[0] == 0 and svc.status.state == "idle",
                     60, "both stations in sync")
    finally:
        for svc in services:
            svc.stop()
    for store, _ in stations:
        assert_agree(store, central_url)
    assert central_count(central_url, "stations") == 2
