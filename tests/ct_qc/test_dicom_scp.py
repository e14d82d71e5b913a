"""Our storage SCP against an independent sender (DCMTK storescu / echoscu)."""
from __future__ import annotations

import pydicom
import pytest
from pydicom.uid import generate_uid

from app.adapters.dicom_net import PacsClient, PeerAddress
from app.adapters.dicom_scp import DicomStorageScp
from app.adapters.dicom_transport import ScpStartError
from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings
from tests.pacs_fixtures import (encode, make_ct_dataset, nested_sequence_bomb, run_dcmtk,
                                 wait_for, write_ct_series)

pytestmark = pytest.mark.pacs


@pytest.fixture()
def service(tmp_path):
    events, done, errors = [], [], []
    svc = IntakeService(tmp_path / "data",
                        IntakeSettings(port=0, settle_s=0.3, poll_s=0.05,
                                       allowed_calling_aes=("SIMSCAN", "PHAROS_QC")),
                        on_event=events.append, on_series_complete=done.append,
                        on_error=errors.append).start()
    svc.test_events, svc.test_done, svc.test_errors = events, done, errors
    try:
        yield svc
    finally:
        svc.stop()


def storescu(port: int, paths, calling: str = "SIMSCAN"):  # noqa: ANN001, ANN201
    return run_dcmtk(["storescu", "-v", "--no-halt", "-aet", calling, "-aec", "PHAROS_QC",
                      "127.0.0.1", str(port)] + [str(p) for p in paths])


def test_storescu_series_is_assembled_and_complete(service, tmp_path):
    paths = write_ct_series(tmp_path / "src", 12)
    result = storescu(service.scp_port, paths)
    assert result.returncode == 0, result.stderr
    (info,) = wait_for(lambda: list(service.test_done), timeout=15)
    assert info.instance_count == 12 and info.completed_by == "settled"
    assert info.sources == ("dicom://SIMSCAN",)
    assert info.device_serial == "SN-TEST-1"
    first = pydicom.dcmread(info.paths[0])
    assert first.ImagePositionPatient[2] == 0.0       # sorted along z
    assert service.test_errors == []


def test_bad_file_in_the_middle_is_rejected_rest_stored_scp_keeps_serving(service, tmp_path):
    paths = write_ct_series(tmp_path / "src", 6)
    ds = pydicom.dcmread(paths[2])
    ds.PixelData = ds.PixelData[:-64]
    ds.save_as(paths[2])
    result = storescu(service.scp_port, paths)
    assert "Error: DataSetDoesNotMatchSOPClass" in result.stdout + result.stderr  # 0xA900
    (info,) = wait_for(lambda: list(service.test_done), timeout=15)
    assert info.instance_count == 5
    (rej,) = service.rejected_files()
    assert rej.reason == "pixel_data" and rej.dimse_status == 0xA900
    assert rej.quarantine_path.is_file()
    assert rej.source.startswith("dicom://SIMSCAN@127.0.0.1")
    # still serving: echo and another series
    assert run_dcmtk(["echoscu", "-aet", "SIMSCAN", "-aec", "PHAROS_QC", "127.0.0.1",
                      str(service.scp_port)]).returncode == 0
    more = write_ct_series(tmp_path / "src2", 2)
    assert storescu(service.scp_port, more).returncode == 0
    wait_for(lambda: len(service.test_done) == 2, timeout=15)


def test_disallowed_calling_ae_is_refused(service):
    result = run_dcmtk(["echoscu", "-aet", "INTRUDER", "-aec", "PHAROS_QC", "127.0.0.1",
                        str(service.scp_port)])
    assert result.returncode != 0
    assert "Calling AE Title Not Recognized" in result.stderr
    wait_for(lambda: any(e.kind == "association" and "rejected: INTRUDER" in e.text
                         for e in service.test_events))


def test_nested_sequence_bomb_over_the_network_is_answered_c000(service, tmp_path):
    bomb = tmp_path / "bomb.dcm"
    ds = make_ct_dataset(study_uid=generate_uid(), series_uid=generate_uid(), index=0)
    bomb.write_bytes(nested_sequence_bomb(encode(ds), 20_000))
    client = PacsClient(PeerAddress("127.0.0.1", service.scp_port, "PHAROS_QC"),
                        calling_ae="SIMSCAN")
    (res,) = client.store_files([bomb]).results
    assert res.status == 0xC000
    assert service.rejected_files()[0].reason == "nesting_too_deep"
    assert client.echo() >= 0                        # the SCP survived


def test_handler_exception_reaches_the_application_and_the_peer_gets_0110(service, tmp_path,
                                                                         monkeypatch):
    def explode(*args, **kwargs):  # noqa: ANN002, ANN003
        raise RuntimeError("disk controller on fire")

    # the validator is on every receive path (spool slot, plain spool file)
    monkeypatch.setattr(service.files.validator, "validate_bytes", explode)
    paths = write_ct_series(tmp_path / "src", 1)
    client = PacsClient(PeerAddress("127.0.0.1", service.scp_port, "PHAROS_QC"),
                        calling_ae="SIMSCAN")
    (res,) = client.store_files(paths).results
    assert res.status == 0x0110
    assert [str(e) for e in service.test_errors] == ["disk controller on fire"]


def test_port_in_use_is_a_clear_error(service, tmp_path):
    other = DicomStorageScp(service.files, port=service.scp_port)
    with pytest.raises(ScpStartError) as info:
        other.start()
    assert str(service.scp_port) in info.value.message
