"""Series assembly (fake clock), folder import with a bad file, watched folder."""
from __future__ import annotations

import json
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from app.adapters.dicom_files import FolderWatcher, RejectedFile, StoredInstance
from app.core.errors import InputRejected
from station_plugins.ct_qc.intake import SeriesAssembler
from station_plugins.ct_qc.intake_service import IntakeService, IntakeSettings
from tests.pacs_fixtures import write_ct_series


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def stored(series: str, sop: str, z: float, *, duplicate: bool = False) -> StoredInstance:
    return StoredInstance(sop, series, "1.2.3", Path(f"/x/{sop}.dcm"), duplicate,
                          "dicom://SCAN@127.0.0.1:1", "2024-01-01T00:00:00.000Z",
                          image_position=(0.0, 0.0, z), instance_number=int(z))


def test_series_completes_when_count_is_stable_for_settle_time():
    clock, done = FakeClock(), []
    asm = SeriesAssembler(settle_s=5.0, clock=clock, on_series_complete=done.append)
    asm.add(stored("1.1", "1.1.3", 3))
    asm.add(stored("1.1", "1.1.1", 1))
    clock.now += 4.9
    assert asm.poll() == [] and done == []
    asm.add(stored("1.1", "1.1.2", 2))              # a new instance restarts the wait
    clock.now += 4.9
    assert asm.poll() == []
    clock.now += 0.2
    (info,) = asm.poll()
    assert done == [info]
    assert info.instance_count == 3 and info.completed_by == "settled"
    assert info.sop_instance_uids == ("1.1.1", "1.1.2", "1.1.3")   # sorted along z
    clock.now += 100
    assert asm.poll() == []                         # completes once


def test_duplicates_are_ignored_and_counted():
    clock = FakeClock()
    asm = SeriesAssembler(settle_s=1.0, clock=clock)
    assert asm.add(stored("1.1", "1.1.1", 1))
    assert asm.add(stored("1.1", "1.1.0", 0, duplicate=True))       # in the folder, new here
    clock.now += 0.9
    assert not asm.add(stored("1.1", "1.1.1", 1))                   # same SOP UID again
    assert not asm.add(stored("1.1", "1.1.1", 1, duplicate=True))
    clock.now += 0.2                                # duplicates do not restart the wait
    (info,) = asm.poll()
    assert info.instance_count == 2 and info.duplicates == 3


def test_explicit_analyse_and_late_instance_reopens():
    clock, done = FakeClock(), []
    asm = SeriesAssembler(settle_s=60.0, clock=clock, on_series_complete=done.append)
    asm.add(stored("1.1", "1.1.1", 1))
    info = asm.analyse("1.1")
    assert info.completed_by == "analyse" and done == [info]
    asm.add(stored("1.1", "1.1.2", 2))
    (state,) = asm.states()
    assert not state.complete and state.revision == 2
    clock.now += 61
    (again,) = asm.poll()
    assert again.revision == 2 and again.instance_count == 2
    with pytest.raises(InputRejected):
        asm.analyse("9.9.9")


def test_listener_error_reaches_on_error():
    clock, errors = FakeClock(), []

    def broken(info):  # noqa: ANN001
        raise RuntimeError("panel bug")

    asm = SeriesAssembler(settle_s=1, clock=clock, on_series_complete=broken,
                          on_error=errors.append)
    asm.add(stored("1.1", "1.1.1", 1))
    clock.now += 2
    asm.poll()
    assert [str(e) for e in errors] == ["panel bug"]


def test_folder_import_rejects_bad_file_and_keeps_the_series(tmp_path):
    clock, done, events = FakeClock(), [], []
    svc = IntakeService(tmp_path / "data", IntakeSettings(settle_s=2.0), clock=clock,
                        on_series_complete=done.append, on_event=events.append)
    paths = write_ct_series(tmp_path / "src", 5)
    ds = pydicom.dcmread(paths[2])
    del ds.RescaleSlope
    ds.save_as(paths[2])
    (tmp_path / "src" / "notes.txt").write_text("not dicom")
    report = svc.import_folder(tmp_path / "src")
    assert len(report.stored) == 4 and len(report.rejected) == 2
    reasons = sorted(r.reason for r in report.rejected)
    assert reasons == ["missing_attribute", "unreadable"]
    bad = next(r for r in report.rejected if r.reason == "missing_attribute")
    assert "RescaleSlope" in bad.message
    assert bad.quarantine_path.read_bytes() == paths[2].read_bytes()
    assert json.loads(bad.quarantine_path.with_suffix(".json").read_text())["rejections"][0][
        "reason"] == "missing_attribute"
    assert {r.reason for r in svc.rejected_files()} == {"missing_attribute", "unreadable"}
    clock.now += 3
    (info,) = svc.assembler.poll()
    assert done == [info] and info.instance_count == 4
    assert all(p.is_file() and p.parent.parent.parent == svc.intake_dir for p in info.paths)
    assert any(e.kind == "rejected" and "RescaleSlope" in e.text for e in events)
    again = svc.import_folder(tmp_path / "src")      # re-import: all duplicates
    assert again.duplicates == 4
    assert svc.assembler.info(info.series_instance_uid).duplicates == 4


def test_same_uid_with_other_content_is_a_conflict(tmp_path):
    svc = IntakeService(tmp_path / "data", IntakeSettings())
    (path,) = write_ct_series(tmp_path / "a", 1)
    assert isinstance(svc.files.ingest_file(path), StoredInstance)
    ds = pydicom.dcmread(path)
    ds.PixelData = bytes(len(ds.PixelData))
    ds.save_as(path)
    out = svc.files.ingest_file(path)
    assert isinstance(out, RejectedFile) and out.reason == "uid_conflict"


def test_watched_folder_waits_until_files_are_stable(tmp_path):
    clock, outcomes = FakeClock(), []
    svc = IntakeService(tmp_path / "data", IntakeSettings())
    watch = tmp_path / "drop"
    watch.mkdir()
    watcher = FolderWatcher(watch, svc.files, outcomes.append, debounce_s=2.0, clock=clock)
    write_ct_series(watch, 3, series_uid=str(generate_uid()))
    assert watcher.poll_once() == 0                 # first sight
    clock.now += 1.0
    assert watcher.poll_once() == 0                 # not yet stable long enough
    clock.now += 1.5
    assert watcher.poll_once() == 3
    assert all(isinstance(o, StoredInstance) for o in outcomes)
    clock.now += 10
    assert watcher.poll_once() == 0                 # each file once
