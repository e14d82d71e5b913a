"""PACS round trip against a real Orthanc: C-STORE + Storage Commitment, C-FIND, C-MOVE,
refused association and a stopped PACS."""
from __future__ import annotations

import pytest
from pydicom.uid import generate_uid

from app.adapters.dicom_net import (AssociationRefused, PacsClient, PacsOperationFailed,
                                    PacsUnreachable, PeerAddress)
from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings
from tests.pacs_fixtures import free_port, start_orthanc, wait_for, write_ct_series

pytestmark = pytest.mark.pacs
CT = "1.2.840.10008.5.1.4.1.1.2"


@pytest.fixture(scope="module")
def station(tmp_path_factory, orthanc, scp_port):  # noqa: ANN001, ANN201
    """Our intake service on the port Orthanc knows, accepting Orthanc's C-MOVE stores."""
    done = []
    svc = IntakeService(tmp_path_factory.mktemp("station"),
                        IntakeSettings(port=scp_port, settle_s=0.3, poll_s=0.05,
                                       allowed_calling_aes=("ORTHANC", "SIMSCAN"),
                                       peer_port=orthanc.dicom_port, peer_ae_title="ORTHANC"),
                        on_series_complete=done.append).start()
    svc.test_done = done
    try:
        yield svc
    finally:
        svc.stop()


@pytest.fixture(scope="module")
def archived(station, orthanc, tmp_path_factory):  # noqa: ANN001, ANN201
    """A series imported into the station and archived to Orthanc (shared by tests)."""
    paths = write_ct_series(tmp_path_factory.mktemp("src"), 8)
    station.import_folder(paths[0].parent)
    (uid,) = {s.series_instance_uid for s in station.series_states()}
    info = station.analyse(uid)
    report = station.archive(info, commit_timeout=15)
    return info, report


def test_store_series_and_commitment_confirms_every_instance(archived, orthanc):
    info, report = archived
    assert report.archived
    assert not report.store.failed and len(report.store.results) == 8
    assert set(report.commitment.committed) == set(info.sop_instance_uids)
    assert set(report.per_instance().values()) == {"committed"}
    assert orthanc.instance_count() >= 8


def test_commitment_names_an_instance_the_pacs_never_received(archived, station):
    info, _ = archived
    ghost = str(generate_uid())
    refs = [(CT, info.sop_instance_uids[0]), (CT, ghost)]
    result = station.pacs_client().request_commitment(refs, station.commitments, timeout=15)
    assert not result.all_committed
    assert result.committed == (info.sop_instance_uids[0],)
    assert list(result.failed) == [ghost]
    assert "no such object instance" in result.failed[ghost]


def test_c_find_study_and_series(archived, station):
    info, _ = archived
    series = station.query("SERIES", StudyInstanceUID=info.study_instance_uid)
    assert [s["SeriesInstanceUID"] for s in series] == [info.series_instance_uid]
    assert series[0]["Modality"] == "CT"
    assert int(series[0]["NumberOfSeriesRelatedInstances"]) == 8
    studies = station.query("STUDY", PatientID="QC-PHANTOM")
    assert info.study_instance_uid in [s["StudyInstanceUID"] for s in studies]
    assert station.query("SERIES", SeriesInstanceUID="1.2.3.4.5.6.7") == []


def test_c_move_retrieves_the_series_into_our_scp(archived, station):
    info, _ = archived
    station.assembler.forget(info.series_instance_uid)   # as if this were a fresh station
    station.test_done.clear()
    report = station.retrieve(info.study_instance_uid, info.series_instance_uid)
    assert report.completed == 8 and report.failed == 0
    (again,) = wait_for(lambda: list(station.test_done), timeout=15)
    assert again.series_instance_uid == info.series_instance_uid
    assert again.instance_count == 8 and again.duplicates == 8  # same files, already stored
    assert again.sources == ("dicom://ORTHANC",)


def test_c_move_to_an_unknown_destination_is_a_clear_failure(archived, station):
    info, _ = archived
    with pytest.raises(PacsOperationFailed) as exc:
        station.pacs_client().move("NOBODY", "SERIES", StudyInstanceUID=info.study_instance_uid,
                                   SeriesInstanceUID=info.series_instance_uid)
    # Orthanc 1.10 answers 0xC000 (others 0xA801 "move destination unknown")
    assert "NOBODY" in exc.value.message and "status 0x" in exc.value.message


def test_wrong_called_ae_is_refused(orthanc):
    client = PacsClient(PeerAddress("127.0.0.1", orthanc.dicom_port, "NOT_ORTHANC"))
    with pytest.raises(AssociationRefused) as exc:
        client.echo()
    # Orthanc answers an unknown called AE with an A-ASSOCIATE-RJ, or (seen under load)
    # aborts the association: both are the same refusal to the user
    assert exc.value.code == "PH-PACS-REFUSED"
    assert "refused the association" in exc.value.message or \
        "aborted the association" in exc.value.message


def test_stopped_pacs_is_a_clear_device_error(tmp_path):
    peer = start_orthanc(tmp_path / "orthanc2", modalities={})
    client = PacsClient(PeerAddress("127.0.0.1", peer.dicom_port, "ORTHANC"))
    assert client.echo() >= 0
    peer.stop()
    with pytest.raises(PacsUnreachable) as exc:
        client.echo()
    assert "not reachable" in exc.value.message and exc.value.code == "PH-PACS-DOWN"
    with pytest.raises(PacsUnreachable):
        client.store_files(write_ct_series(tmp_path / "src", 1))


def test_nothing_listening_at_all(tmp_path):
    client = PacsClient(PeerAddress("127.0.0.1", free_port(), "ORTHANC"))
    with pytest.raises(PacsUnreachable):
        client.echo()
