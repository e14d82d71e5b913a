"""D6 / D7 / D8 / D15: a DICOM receiver nobody can starve (real DCMTK storescu / echoscu,
real pynetdicom peers on loopback).

D6  each C-STORE streams to disk; the size gate applies while it arrives (a receiver in
    its own process keeps its peak RSS far below the size of a big send).
D7  idle sockets and idle associations cannot lock a scanner out.
D8  called and calling AE checked by default; quarantine quota, oldest first, alarm.
D15 Pixel Data whose declared length exceeds the bytes present is refused.
"""
from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.adapters.dicom_net import PacsClient, PeerAddress
from app.adapters.dicom_validate import DicomRejected, Quarantine
from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings
from tests.pacs_fixtures import (REPO, encode, make_ct_dataset, run_dcmtk, wait_for,
                                 write_ct_series)

pytestmark = pytest.mark.pacs


def _service(tmp_path: Path, **kw) -> IntakeService:
    events: list = []
    kw.setdefault("allowed_calling_aes", ("SIMSCAN",))
    svc = IntakeService(tmp_path / "data", IntakeSettings(port=0, settle_s=0.3, poll_s=0.05,
                                                          **kw),
                        on_event=events.append).start()
    svc.test_events = events
    return svc


def storescu(port: int, paths, calling: str = "SIMSCAN", called: str = "PHAROS_QC",
             timeout: float = 120.0):  # noqa: ANN001, ANN201
    return run_dcmtk(["storescu", "-v", "--no-halt", "-aet", calling, "-aec", called,
                      "127.0.0.1", str(port)] + [str(p) for p in paths], timeout=timeout)


def big_ct_file(path: Path, pixel_bytes: int) -> Path:
    """A CT file whose Pixel Data is ``pixel_bytes`` long, written in chunks."""
    ds = make_ct_dataset(study_uid="1.2.826.0.1.3680043.8.498.1",
                         series_uid="1.2.826.0.1.3680043.8.498.2", index=0, size=32)
    del ds.PixelData
    head = encode(ds)
    with open(path, "wb") as fh:
        fh.write(head)
        fh.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, pixel_bytes))
        chunk = b"\0" * (8 << 20)
        left = pixel_bytes
        while left:
            n = min(left, len(chunk))
            fh.write(chunk[:n])
            left -= n
    return path


# --- D15 -------------------------------------------------------------------------------------
def test_pixel_data_longer_than_the_bytes_present_is_refused(tmp_path):
    svc = _service(tmp_path)
    try:
        (good,) = write_ct_series(tmp_path / "src", 1)
        raw = good.read_bytes()
        i = raw.rfind(b"\xe0\x7f\x10\x00OW\x00\x00")
        forged = tmp_path / "forged.dcm"
        forged.write_bytes(raw[:i + 8] + struct.pack("<I", 0xFFFFFFF0) + raw[i + 12:])
        # pynetdicom sends the file's bytes as they are (DCMTK refuses to even read it)
        client = PacsClient(PeerAddress("127.0.0.1", svc.scp_port, "PHAROS_QC"),
                            calling_ae="SIMSCAN")
        (res,) = client.store_files([forged]).results
        assert res.status == 0xA900
        (rej,) = svc.rejected_files()
        assert rej.reason == "pixel_data" and "4294967280" in rej.message
        assert not list((tmp_path / "data" / "intake").rglob("*.dcm"))
    finally:
        svc.stop()


# --- D8 ---------------------------------------------------------------------------------------
def test_called_and_calling_ae_are_checked_by_default(tmp_path):
    svc = IntakeService(tmp_path / "data", IntakeSettings(port=0)).start()   # no allow-list
    try:
        port = svc.scp_port
        r = run_dcmtk(["echoscu", "-aet", "INTRUDER", "-aec", "PHAROS_QC", "127.0.0.1",
                       str(port)])
        assert r.returncode != 0 and "Calling AE Title Not Recognized" in r.stderr
        r = run_dcmtk(["echoscu", "-aet", "ORTHANC", "-aec", "NOT_US", "127.0.0.1", str(port)])
        assert r.returncode != 0 and "Called AE Title Not Recognized" in r.stderr
        # the configured PACS peer may always call (C-MOVE, commitment reports)
        assert run_dcmtk(["echoscu", "-aet", "ORTHANC", "-aec", "PHAROS_QC", "127.0.0.1",
                          str(port)]).returncode == 0
        # the demo scanner only in demo mode
        r = run_dcmtk(["echoscu", "-aet", "SIMSCAN", "-aec", "PHAROS_QC", "127.0.0.1",
                       str(port)])
        assert r.returncode != 0
    finally:
        svc.stop()
    assert IntakeSettings(demo=True).calling_aes == ("ORTHANC", "SIMSCAN")
    assert IntakeSettings(allowed_calling_aes=("*",)).calling_aes == ("*",)


def test_quarantine_quota_evicts_oldest_first_keeps_records_and_alarms(tmp_path):
    alarms: list[str] = []
    q = Quarantine(tmp_path / "q", quota_bytes=10_000, on_alarm=alarms.append)
    paths = []
    for i in range(6):
        rej = DicomRejected("unreadable", f"bad {i}")
        paths.append(q.put(bytes([i]) * 3000, rej, source=f"s{i}"))
        time.sleep(0.01)
    kept = sorted(p.name for p in (tmp_path / "q").rglob("*.dcm"))
    assert q.used_bytes() <= 10_000 and len(kept) == 3
    assert not paths[0].exists() and paths[-1].exists()          # oldest went first
    rec = json.loads(paths[0].with_suffix(".json").read_text())
    assert rec["bytes_kept"] is False and rec["bytes_evicted_utc"]  # the record stays
    assert alarms and "quota" in alarms[0]
    big = q.put(b"x" * 20_000, DicomRejected("unreadable", "huge"), source="s")
    assert big.suffix == ".json" and "quota" in json.loads(big.read_text())["bytes_not_kept"]


def test_intake_service_raises_the_quota_alarm(tmp_path):
    svc = _service(tmp_path, quarantine_quota_mb=0.01)          # ~10 kB
    try:
        paths = write_ct_series(tmp_path / "src", 4, size=64)
        import pydicom

        for p in paths:
            ds = pydicom.dcmread(p)
            ds.PixelData = ds.PixelData[:-64]
            ds.save_as(p)
        storescu(svc.scp_port, paths)
        wait_for(lambda: any(e.kind == "alarm" for e in svc.test_events), timeout=15)
        assert svc.files.quarantine.used_bytes() <= 0.01 * 1024 * 1024
    finally:
        svc.stop()


# --- D7 ---------------------------------------------------------------------------------------
def test_idle_sockets_and_idle_associations_do_not_lock_scanners_out(tmp_path):
    from pynetdicom import AE

    svc = _service(tmp_path, allowed_calling_aes=("SIMSCAN", "IDLER"), acse_timeout_s=30,
                   idle_timeout_s=30)
    socks, assocs = [], []
    try:
        port = svc.scp_port
        for _ in range(16):                       # bare TCP connections, never a word
            socks.append(socket.create_connection(("127.0.0.1", port)))
        ae = AE("IDLER")
        ae.add_requested_context("1.2.840.10008.1.1")
        for _ in range(16):                       # associations that then sit idle
            a = ae.associate("127.0.0.1", port, ae_title="PHAROS_QC")
            if a.is_established:
                assocs.append(a)
        time.sleep(2.5)                           # past the idle grace of established ones
        paths = write_ct_series(tmp_path / "src", 3)
        r = storescu(port, paths)
        assert r.returncode == 0, r.stderr
        assert "Association Rejected" not in r.stdout + r.stderr
        wait_for(lambda: len(list((tmp_path / "data" / "intake").rglob("*.dcm"))) == 3,
                 timeout=15)
        assert svc._scp.counts["evicted"] >= 1
        assert svc._scp.admission.counts()["connections"] <= 32
    finally:
        for s in socks:
            s.close()
        for a in assocs:
            if a.is_established:
                a.release()
        svc.stop()


def test_an_idle_association_is_released_and_a_bare_socket_dropped(tmp_path):
    from pynetdicom import AE

    svc = _service(tmp_path, allowed_calling_aes=("IDLER",), acse_timeout_s=1,
                   idle_timeout_s=1)
    try:
        s = socket.create_connection(("127.0.0.1", svc.scp_port))
        s.settimeout(10)
        assert s.recv(1) == b""                   # closed by the receiver, no A-ASSOCIATE
        ae = AE("IDLER")
        ae.add_requested_context("1.2.840.10008.1.1")
        a = ae.associate("127.0.0.1", svc.scp_port, ae_title="PHAROS_QC")
        assert a.is_established
        wait_for(lambda: not a.is_established, timeout=15)
    finally:
        svc.stop()


# --- D6 ---------------------------------------------------------------------------------------
SCP_SCRIPT = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings
svc = IntakeService(sys.argv[2], IntakeSettings(port=0, max_file_mb=64,
                    allowed_calling_aes=("SIMSCAN",))).start()
print(svc.scp_port, flush=True)
sys.stdin.readline()
svc.stop()
"""


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_size_gate_applies_while_receiving(tmp_path):
    size = 300 * 1024 * 1024
    big = big_ct_file(tmp_path / "big.dcm", size)
    proc = subprocess.Popen([sys.executable, "-c", SCP_SCRIPT, str(REPO), str(tmp_path / "d")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    try:
        port = int(proc.stdout.readline())
        before = _peak_rss_mb(proc.pid)
        r = storescu(port, [big], timeout=300)
        assert "OutOfResources" in r.stdout + r.stderr or "0xa700" in (r.stdout + r.stderr).lower()
        peak = _peak_rss_mb(proc.pid)
        # the old receiver held the whole data set (> 300 MB); streaming adds little
        assert peak - before < size / (1024 * 1024) / 4, (before, peak)
        spool = tmp_path / "d" / "spool"
        assert not list(spool.glob("*.part"))               # nothing of it left behind
        recs = list((tmp_path / "d" / "quarantine").rglob("*.json"))
        (rec,) = [json.loads(p.read_text()) for p in recs]
        assert rec["bytes_kept"] is False
        assert rec["rejections"][0]["reason"] == "too_large"
        assert rec["rejections"][0]["size_seen"] > 64 * 1024 * 1024
        # and the receiver still serves
        assert storescu(port, write_ct_series(tmp_path / "src", 2)).returncode == 0
    finally:
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(30)
        big.unlink(missing_ok=True)


def test_an_interrupted_write_is_recovered_or_removed_at_start(tmp_path):
    """Files are fsynced under a temporary name, then renamed: after a power cut between
    the two, the next start validates the leftovers and puts complete ones in place."""
    from app.adapters.dicom_validate import DicomValidator

    (src,) = write_ct_series(tmp_path / "src", 1)
    vi = DicomValidator().validate_bytes(src.read_bytes())
    first = IntakeService(tmp_path / "data", IntakeSettings(port=0))
    final = first.files.folder.path_for(vi)
    final.parent.mkdir(parents=True)
    (final.parent / f".{final.name}.1.2.tmp").write_bytes(vi.encoded)          # complete
    cut = final.with_name(".9.9.9.dcm.1.3.tmp")
    cut.write_bytes(vi.encoded[:-500])                                       # cut short
    svc = first.start()
    try:
        assert final.read_bytes() == vi.encoded
        assert not list(final.parent.glob(".*.tmp"))
    finally:
        svc.stop()
