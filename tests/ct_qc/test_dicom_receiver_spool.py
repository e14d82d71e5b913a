"""The receiver's write-ahead spool: an instance answered Success survives kill -9 (real
DCMTK storescu, the receiver in its own process, killed with SIGKILL)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from app.adapters.dicom_spool import HEADER_SIZE, WriteAheadSpool
from app.adapters.dicom_validate import DicomValidator
from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings
from tests.pacs_fixtures import REPO, run_dcmtk, write_ct_series

pytestmark = pytest.mark.pacs

# The receiver in its own process. "hold": its mover never runs, so every instance it
# answers stays in the spool only - the window a crash right after the answer hits.
SCP_SCRIPT = r"""
import sys
sys.path.insert(0, sys.argv[1])
from app.adapters import dicom_durable
if sys.argv[3] == "hold":
    original = dicom_durable.Mover.__init__
    def held(self, store, **kw):
        kw.update(window_s=3600.0, max_group=10**9)
        original(self, store, **kw)
    dicom_durable.Mover.__init__ = held
from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings
svc = IntakeService(sys.argv[2], IntakeSettings(port=0, allowed_calling_aes=("SIMSCAN",))).start()
print(svc.scp_port, flush=True)
sys.stdin.readline()
svc.stop()
"""


def _receiver(data: Path, mode: str) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-c", SCP_SCRIPT, str(REPO), str(data), mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    return proc, int(proc.stdout.readline())


def _stored(data: Path) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in (data / "intake").rglob("*.dcm")}


def test_kill_9_after_the_answer_loses_nothing(tmp_path):
    data = tmp_path / "data"
    paths = write_ct_series(tmp_path / "src", 6, size=64)
    proc, port = _receiver(data, "hold")
    try:
        r = run_dcmtk(["storescu", "-v", "-aet", "SIMSCAN", "-aec", "PHAROS_QC", "127.0.0.1",
                       str(port)] + [str(p) for p in paths], timeout=120)
        assert r.returncode == 0, r.stderr
        assert (r.stdout + r.stderr).count("Received Store Response (Success)") == 6
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert _stored(data) == {}                   # answered, but only in the spool
    assert list((data / "spool").glob("slot-*.wal"))
    svc = IntakeService(data, IntakeSettings(port=0)).start()      # replays the spool
    try:
        stored = _stored(data)
    finally:
        svc.stop()
    validator = DicomValidator()
    sent = {validator.validate_file(p).sop_instance_uid: validator.validate_file(p)
            for p in paths}
    assert set(stored) == set(sent)
    for uid, vi in sent.items():
        assert stored[uid] == vi.encoded         # byte for byte what a normal run stores
    # a second start replays nothing more (records were cleared or are duplicates)
    svc = IntakeService(data, IntakeSettings(port=0)).start()
    try:
        assert _stored(data) == stored
    finally:
        svc.stop()


def test_kill_9_mid_stream_keeps_every_answered_instance(tmp_path):
    """A normal receiver killed while storescu is still sending: every instance that got
    Success before the kill is in the intake folder after the restart."""
    data = tmp_path / "data"
    paths = write_ct_series(tmp_path / "src", 40, size=256)
    proc, port = _receiver(data, "normal")
    sender = subprocess.Popen(["storescu", "-v", "-aet", "SIMSCAN", "-aec", "PHAROS_QC",
                               "127.0.0.1", str(port)] + [str(p) for p in paths],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    answered = 0
    try:
        for line in sender.stdout:
            if "Received Store Response (Success)" in line:
                answered += 1
                if answered == 10:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
    finally:
        proc.kill()
        proc.wait(30)
        rest = sender.communicate(timeout=60)[0]
    answered += rest.count("Received Store Response (Success)")
    assert 10 <= answered < 40
    svc = IntakeService(data, IntakeSettings(port=0)).start()
    try:
        stored = _stored(data)
    finally:
        svc.stop()
    validator = DicomValidator()
    order = [validator.validate_file(p).sop_instance_uid for p in paths]
    assert set(order[:answered]) <= set(stored)  # storescu sends (and is answered) in order


def test_a_torn_spool_record_is_dropped_and_a_good_one_replayed(tmp_path):
    (src,) = write_ct_series(tmp_path / "src", 1, size=32)
    spool = WriteAheadSpool(tmp_path / "spool", slots=2)
    assert spool.recover() == []
    good, torn = spool.acquire(), spool.acquire()
    body = src.read_bytes()
    for slot in (good, torn):
        os.pwrite(slot.fd, body, HEADER_SIZE)
        slot.length, slot.crc = len(body), zlib.crc32(body)
        slot.commit(spool.next_sequence())
    os.pwrite(torn.fd, b"\xff" * 16, HEADER_SIZE + 500)       # torn after its header
    spool.close()
    again = WriteAheadSpool(tmp_path / "spool", slots=2)
    (found,) = again.recover()
    assert found[0].path == good.path and found[1] == body
    assert again.counts() == {"slots": 2, "free": 1}
    again.close()


def test_a_c_store_whole_in_one_p_data_is_spooled_and_stored(tmp_path, monkeypatch):
    """A peer may put the command and a small data set in one P-DATA-TF: the message is
    then complete before the receiver could swap its file; it arrives in memory (no
    temporary file in /tmp) and still goes through the spool."""
    from pynetdicom.dimse import DIMSEServiceProvider

    from app.adapters.dicom_net import PacsClient, PeerAddress

    def send_msg_in_one_pdata(self, primitive, context_id):  # noqa: ANN001
        from pynetdicom.dimse import _RQ_TO_MESSAGE, _RSP_TO_MESSAGE

        table = _RQ_TO_MESSAGE if primitive.MessageIDBeingRespondedTo is None else _RSP_TO_MESSAGE
        msg = table[primitive.__class__]()
        msg.primitive_to_message(primitive)
        msg.context_id = context_id
        pdatas = list(msg.encode_msg(context_id, self.maximum_pdu_size))
        for extra in pdatas[1:]:
            pdatas[0].presentation_data_value_list.extend(extra.presentation_data_value_list)
        self.dul.send_pdu(pdatas[0])

    monkeypatch.setattr(DIMSEServiceProvider, "send_msg", send_msg_in_one_pdata)
    from app.adapters.dicom_scp import DicomStorageScp

    whole: list[int] = []
    from_memory = DicomStorageScp._from_memory
    monkeypatch.setattr(DicomStorageScp, "_from_memory",
                        lambda self, data: whole.append(len(data)) or from_memory(self, data))
    svc = IntakeService(tmp_path / "data", IntakeSettings(
        port=0, allowed_calling_aes=("SIMSCAN",))).start()
    try:
        paths = write_ct_series(tmp_path / "src", 2, size=16)
        client = PacsClient(PeerAddress("127.0.0.1", svc.scp_port, "PHAROS_QC"),
                            calling_ae="SIMSCAN")
        assert [r.status for r in client.store_files(paths).results] == [0, 0]
        assert svc.flush()
        stored = _stored(tmp_path / "data")
        assert len(whole) == 2                   # both arrived whole, in memory
    finally:
        svc.stop()
    validator = DicomValidator()
    assert stored == {vi.sop_instance_uid: vi.encoded
                      for vi in map(validator.validate_file, paths)}
