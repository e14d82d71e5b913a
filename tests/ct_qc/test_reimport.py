"""Importing a series that is already stored: "0 new, N already stored (duplicates)", no
second analysis and no second result record for an unchanged series (also after a
restart), the audit trail says what happened; a changed file under a stored SOP Instance
UID is a conflict (counted, quarantined, first copy kept), never a silent replacement;
a new instance does reopen the series and is analysed."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pydicom
import pytest
from sqlalchemy import select

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.adapters import schema as S  # noqa: E402
from station_plugins.ct_qc import workflow  # noqa: E402
from station_plugins.ct_qc.intake import SeriesAssembler  # noqa: E402
from tests.ct_qc._station_env import station_env, write_series  # noqa: E402,F401
from tests.ct_qc.test_intake_assembly import FakeClock, stored  # noqa: E402
from tests.ct_qc.test_panel import import_and_wait, open_panel  # noqa: E402


def _audit(env, action: str) -> list:  # noqa: ANN001
    with env.store.read() as c:
        return list(c.execute(select(S.audit_log).where(S.audit_log.c.action == action)
                              .order_by(S.audit_log.c.seq)).mappings())


def _summary(qtbot, panel, folder) -> str:  # noqa: ANN001
    panel.messages.clear()
    panel.import_folder(folder)
    qtbot.waitUntil(lambda: panel.messages.text().startswith("Import: "), timeout=60000)
    qtbot.waitUntil(lambda: not panel.io.running, timeout=60000)
    return panel.messages.text()


def test_new_instances_count_only_files_new_to_the_intake_folder():
    clock, done = FakeClock(), []
    asm = SeriesAssembler(settle_s=1.0, clock=clock, on_series_complete=done.append)
    asm.add(stored("1.1", "1.1.1", 1))
    asm.add(stored("1.1", "1.1.2", 2, duplicate=True))     # already on disk (a restart)
    clock.now += 2
    (first,) = asm.poll()
    assert first.new_instances == 1 and first.to_dict()["new_instances"] == 1
    assert not asm.add(stored("1.1", "1.1.1", 1, duplicate=True))   # re-import: ignored
    again = asm.analyse("1.1")
    assert again.new_instances == 0 and again.revision == 1 and again.duplicates == 2
    asm.add(stored("1.1", "1.1.3", 3))                      # a late, new instance
    clock.now += 2
    (late,) = asm.poll()
    assert late.new_instances == 1 and late.revision == 2 and late.instance_count == 3
    # after a restart every file of a resent series is a duplicate: nothing new
    fresh = SeriesAssembler(settle_s=1.0, clock=clock)
    for i in (1, 2, 3):
        assert fresh.add(stored("1.1", f"1.1.{i}", i, duplicate=True))
    assert fresh.analyse("1.1").new_instances == 0


@pytest.mark.slow      # two real analyses (seconds)
def test_reimport_is_counted_as_duplicates_not_analysed_again_and_audited(
        qtbot, station_env, tmp_path):
    folder = write_series(tmp_path / "series", serial="SN-REIMPORT")
    ctx = station_env.context()
    panel = import_and_wait(qtbot, open_panel(qtbot, ctx), folder)
    uid = panel._current_uid
    (first,) = ctx.store.query_records(kind=workflow.RESULT_KIND)
    # 1. the same folder again: nothing new, the stored result stands
    text = _summary(qtbot, panel, folder)
    assert text.startswith("Import: 0 new file(s), 28 already stored (duplicates), "
                           "0 conflict(s), 1 rejected; 1 series, 1 unchanged."), text
    assert panel.messages.level == "warning"            # truth.json is rejected again
    qtbot.waitUntil(lambda: any(
        "Series unchanged, not analysed again: its result (" in panel.activity.item(i).text()
        and first.id in panel.activity.item(i).toolTip()
        for i in range(panel.activity.count())), timeout=30000)
    assert ctx.store.query_records(kind=workflow.RESULT_KIND) == [first]
    assert not panel.analysis.running and not ctx.extras["station"].service.busy
    assert panel.series_table.row_texts(uid)[2:4] == ["28", first.verdict]
    assert any(re.search(r"28 file\(s\) already stored \(duplicates", panel.activity.item(i)
                         .text()) for i in range(panel.activity.count()))
    imports = _audit(station_env, "ct_qc.import_folder")
    assert [a["reason"] for a in imports] == [
        "28 new, 0 already stored, 0 conflict(s), 1 rejected",
        "0 new, 28 already stored, 0 conflict(s), 1 rejected"]
    assert imports[0]["username"] == "qe1" and imports[0]["entity_id"] == str(folder)
    (skip,) = _audit(station_env, "ct_qc.series_unchanged")
    assert skip["entity_id"] == first.id and uid in skip["new_value"]
    # 2. one file changed under its stored SOP Instance UID: a conflict, first copy kept
    changed = tmp_path / "changed"
    shutil.copytree(folder, changed)
    victim = sorted(changed.glob("*.dcm"))[3]
    ds = pydicom.dcmread(victim)
    stored_copy = next(Path(ctx.data_dir, "intake").rglob(f"{ds.SOPInstanceUID}.dcm"))
    before = stored_copy.read_bytes()
    ds.PixelData = bytes(len(ds.PixelData))
    ds.save_as(victim)
    text = _summary(qtbot, panel, changed)
    assert text.startswith("Import: 0 new file(s), 27 already stored (duplicates), "
                           "1 conflict(s), 1 rejected; 1 series, 1 unchanged. A conflict is"), text
    assert panel.messages.level == "warning"
    assert stored_copy.read_bytes() == before                 # never silently replaced
    conflict = next(r for r in panel.rejected_table.rejected() if r.reason == "uid_conflict")
    assert conflict.source == str(victim) and Path(conflict.quarantine_path).exists()
    assert ctx.store.query_records(kind=workflow.RESULT_KIND) == [first]
    assert _audit(station_env, "ct_qc.import_folder")[-1]["reason"] == \
        "0 new, 27 already stored, 1 conflict(s), 1 rejected"
    (audited,) = _audit(station_env, "ct_qc.uid_conflict")
    assert audited["entity_id"] == conflict.sha256 and str(victim) in audited["new_value"]
    # 3. a restart (a new plugin and service on the same folders and store): the resent
    # files are duplicates of stored ones, the series is unchanged - not analysed again
    panel.shutdown()
    ctx2 = station_env.context()
    again = open_panel(qtbot, ctx2)
    qtbot.waitUntil(lambda: again.series_table.uids() == [uid], timeout=30000)
    text = _summary(qtbot, again, folder)
    assert text.startswith("Import: 0 new file(s), 28 already stored (duplicates)"), text
    qtbot.waitUntil(lambda: len(_audit(station_env, "ct_qc.series_unchanged")) == 3,
                    timeout=30000)
    assert ctx2.store.query_records(kind=workflow.RESULT_KIND) == [first]
    assert not ctx2.extras["station"].service.busy


@pytest.mark.slow      # two real analyses (seconds)
def test_a_new_instance_or_no_stored_result_is_analysed(station_env, tmp_path):
    from station_plugins.ct_qc.station_service import AnalysisOptions
    from tests.ct_qc.test_station_service import Events

    folder = write_series(tmp_path / "series", serial="SN-LATE")
    files = sorted(folder.glob("*.dcm"))
    part = tmp_path / "part"
    part.mkdir()
    for f in files[:-1]:
        shutil.copy2(f, part / f.name)
    ctx = station_env.context(settings={"auto_analyse": False})
    svc = ctx.extras["station"].service
    events = Events()
    svc.subscribe(events)
    # stored but never analysed (automatic analysis off): a re-import is not "unchanged"
    svc.intake.import_folder(part)
    uid = svc.intake.series_states()[0].series_instance_uid
    svc.intake.analyse(uid)
    events.wait_for("series_ready")
    svc.auto = AnalysisOptions()                      # automatic analysis on again
    svc.intake.import_folder(part)
    svc.intake.analyse(uid)
    assert events.wait_for("analysed").data.entry.n_images == 27
    assert "unchanged" not in events.kinds()
    # the missing instance arrives: revision 2, analysed again over all 28
    events.items.clear()
    svc.intake.ingest(files[-1])
    svc.intake.analyse(uid)
    assert events.wait_for("analysed").data.entry.n_images == 28
    rows = ctx.store.query_records(kind=workflow.RESULT_KIND, ref=uid)
    assert [r.payload["station"]["n_images"] for r in rows] == [28, 27]


@pytest.mark.slow      # two `pharos qc listen` processes and one real analysis
def test_cli_listen_folder_twice_counts_duplicates_and_does_not_analyse_again(tmp_path):
    import signal
    import subprocess
    import sys

    from app.adapters.store import Store
    from tests.accounts import PASSWORD, make_user
    from tests.ct_qc.test_dicom_cli import LineReader
    from tests.pacs_fixtures import REPO, free_port

    folder = write_series(tmp_path / "series", serial="SN-CLI")
    data_dir = tmp_path / "pharos-data"
    make_user(data_dir, "svc-qc", "operator")
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1",
               PHAROS_DATA_DIR=str(data_dir), PHAROS_PASSWORD=PASSWORD)

    def listen(wait_for: str) -> tuple[str, str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "qc", "listen", "--port", str(free_port()),
             "--settle", "0.3", "--store", "--as", "svc-qc", "--folder", str(folder),
             "--out", str(tmp_path / "results")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
        reader = LineReader(proc)
        try:
            imported = reader.wait_for("imported ", timeout=120)
            done = reader.wait_for(wait_for, timeout=180)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(30) == 0
        return imported, done

    imported, _ = listen("analysed")
    assert ": 28 new, 0 already stored (duplicates), 0 conflict(s), 1 rejected; " \
           "1 series, 0 unchanged" in imported
    imported, unchanged = listen("unchanged")
    assert ": 0 new, 28 already stored (duplicates), 0 conflict(s), 1 rejected; " \
           "1 series, 1 unchanged" in imported
    store = Store(data_dir / "pharos.db", station_id="check", software_version="t",
                  config_hash="h").open()
    try:
        (result,) = store.query_records(kind="ct_qc.result")
        assert result.id in unchanged and "not analysed again" in unchanged
        with store.read() as c:
            actions = [r[0] for r in c.execute(select(S.audit_log.c.action).where(
                S.audit_log.c.action.like("ct_qc.%")).order_by(S.audit_log.c.seq))]
        # (the poller may settle the series before the import's own entry is written)
        assert sorted(actions) == ["ct_qc.import_folder", "ct_qc.import_folder",
                                   "ct_qc.series_unchanged"]
    finally:
        store.close()
