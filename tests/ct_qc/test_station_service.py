"""The CT QC station service without Qt: intake -> series complete -> analysis queue ->
stored result, on a real store / audit / task pool; the plugin owns it and asks it in
can_close; nobody logged in -> the series waits; cancel; receiver settings resolution."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from station_plugins.ct_qc import workflow
from station_plugins.ct_qc.station_service import AnalysisOptions, intake_settings
from tests.ct_qc._station_env import station_env, write_series  # noqa: F401
from tests.waiting import wait_for


@pytest.fixture(scope="module")
def series_folder(tmp_path_factory) -> Path:  # noqa: ANN001
    return write_series(tmp_path_factory.mktemp("svc_series"), serial="SN-SVC")


class Events:
    """A subscriber: every event, in order, with a wait for a kind."""

    def __init__(self) -> None:
        self.items: list = []
        self._cond = threading.Condition()

    def __call__(self, event) -> None:  # noqa: ANN001 - called from service threads
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def kinds(self) -> list[str]:
        with self._cond:
            return [e.kind for e in self.items if e.kind != "progress"]

    def wait_for(self, kind: str, timeout: float = 120.0):  # noqa: ANN201
        end = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [e for e in self.items if e.kind == kind]
                if found:
                    return found[-1]
                left = end - time.monotonic()
                assert left > 0, f"no {kind!r} event; got {self.kinds()}"
                self._cond.wait(left)


def _service(ctx):  # noqa: ANN001, ANN202
    return ctx.extras["station"].service


@pytest.mark.slow      # a real analysis / optimisation (seconds)
def test_imported_series_is_queued_analysed_and_stored_as_the_logged_in_user(
        station_env, series_folder):
    ctx = station_env.context(username="op1")
    plugin = ctx.extras["station"]
    svc = plugin.service
    assert plugin.service is svc                    # one service per plugin
    events = Events()
    svc.subscribe(events)
    report = svc.intake.import_folder(series_folder)
    assert len(report.stored) == 28 and len(report.rejected) == 1      # truth.json
    uid = report.stored[0].series_instance_uid
    svc.intake.analyse(uid)                         # complete now (as the panel's import)
    assert events.wait_for("series_ready").data.series_uid == uid
    done = events.wait_for("analysed")
    assert done.data.entry.series_uid == uid and done.data.record_id
    kinds = events.kinds()
    assert kinds.index("series_ready") < kinds.index("queued") < kinds.index("analysing") \
        < kinds.index("analysed")
    (row,) = ctx.store.query_records(kind=workflow.RESULT_KIND)
    assert row.id == done.data.record_id and row.username == "op1" and row.ref == uid
    assert row.payload["profile"]["name"] == "factory_simct_120kv"   # the station's profile
    assert ctx.store.query_records(kind="ct_qc.ai_verdict", ref=uid)  # AI hand-off ran
    assert svc.known_series()[-1][1] == "analysed"
    wait_for(lambda: not svc.busy, timeout=60.0, what="the service to be idle")
    assert plugin.can_close()


@pytest.mark.slow      # a real analysis / optimisation (seconds)
def test_a_series_completing_while_nobody_is_logged_in_waits_for_a_login(
        station_env, series_folder):
    ctx = station_env.context(username=None)
    svc = _service(ctx)
    events = Events()
    svc.subscribe(events)
    report = svc.intake.import_folder(series_folder)
    uid = report.stored[0].series_instance_uid
    svc.intake.analyse(uid)
    assert events.wait_for("waiting").data == uid
    assert not svc.busy and svc.known_series()[-1][1] == "waiting"
    assert ctx.store.query_records(kind=workflow.RESULT_KIND) == []
    ctx.session.login(station_env.auth.get("qe1"))
    assert svc.queue_waiting() == 1
    assert events.wait_for("analysed").data.entry.series_uid == uid
    (row,) = ctx.store.query_records(kind=workflow.RESULT_KIND)
    assert row.username == "qe1"


@pytest.mark.slow      # a real analysis / optimisation (seconds)
def test_explicit_queue_runs_in_order_cancel_stores_nothing_a_failure_is_an_error_record(
        station_env, series_folder):
    ctx = station_env.context(settings={"auto_analyse": False})
    plugin = ctx.extras["station"]
    svc = plugin.service
    assert svc.auto is None
    events = Events()
    svc.subscribe(events)
    (entry,) = workflow.scan_folder(series_folder)
    # a series whose UID is not in its files: its analysis fails with a clear reason
    bad = workflow.SeriesEntry(**{**entry.__dict__, "series_uid": "1.2.826.0.1.99"})
    assert svc.queue(entry, "qe1", AnalysisOptions(profile="factory_simct_120kv"))
    assert svc.analysing == entry.series_uid and svc.busy and not plugin.can_close()
    assert not svc.queue(entry, "qe1")              # already analysing
    assert svc.queue(bad, "qe1") and svc.pending() == [bad.series_uid]
    assert not svc.queue(bad, "qe1")                # already queued
    svc.cancel_current()
    assert events.wait_for("analysis_cancelled").data.series_uid == entry.series_uid
    failed = events.wait_for("analysis_failed")     # the next one started by itself
    assert failed.data[0].series_uid == bad.series_uid
    assert svc.queue(entry, "qe1")                  # a cancelled series can be queued again
    assert events.wait_for("analysed").data.entry.series_uid == entry.series_uid
    wait_for(lambda: not svc.busy, timeout=60.0, what="the service to be idle")
    rows = {r.ref: r for r in ctx.store.query_records(kind=workflow.RESULT_KIND)}
    assert set(rows) == {entry.series_uid, bad.series_uid}       # one each, none for the cancel
    assert rows[bad.series_uid].verdict == "ERROR"
    assert rows[bad.series_uid].payload["error"]["message"] in failed.text
    assert plugin.can_close()


def test_a_failing_listener_does_not_stop_the_others(tmp_path):
    from app.runtime.task_runner import TaskRunner
    from station_plugins.ct_qc.station_service import CtQcService

    tasks = TaskRunner(max_workers=1)
    svc = CtQcService(tmp_path, intake_settings({}, {}, demo=False), tasks=tasks)
    events = Events()

    def broken(event) -> None:  # noqa: ANN001
        raise RuntimeError("listener bug")
    svc.subscribe(broken)
    unsubscribe = svc.subscribe(events)
    svc._emit("queued", "x", "1.2")  # noqa: SLF001 - the dispatch itself
    assert events.kinds() == ["queued"]
    unsubscribe()
    svc._emit("queued", "y", "1.3")  # noqa: SLF001
    assert events.kinds() == ["queued"]
    svc.shutdown()
    tasks.shutdown()


@pytest.mark.slow      # a real analysis / optimisation (seconds)
def test_plugin_shutdown_stops_the_receiver_and_refuses_new_work(station_env, series_folder):
    ctx = station_env.context()
    plugin = ctx.extras["station"]
    svc = plugin.service
    svc.start_receiving()
    assert svc.receiving and svc.intake.scp_port
    plugin.shutdown()
    plugin.shutdown()                               # idempotent
    assert not svc.receiving
    (entry,) = workflow.scan_folder(series_folder)
    assert not svc.queue(entry, "qe1") and not svc.busy


def test_receiver_settings_pacs_then_station_then_flags():
    pacs = {"scp_ae_title": "PACS_AE", "scp_port": 104, "series_settle_s": 5,
            "allowed_calling_aes": ["CT1"], "peer_ae_title": "ORTHANC"}
    station = {"scp_port": 11112, "scp_host": "0.0.0.0", "peer_host": None,
               "allowed_calling_aes": None, "allow_enhanced_ct": True}
    s = intake_settings(pacs, station, demo=True, port=None, ae_title="CLI_AE",
                        allowed_calling_aes=("A", "B"))
    assert (s.ae_title, s.port, s.host) == ("CLI_AE", 11112, "0.0.0.0")
    assert s.allowed_calling_aes == ("A", "B") and s.allow_enhanced_ct
    assert s.peer_host == "127.0.0.1"               # station None: [pacs] / default
    assert s.calling_aes == ("A", "B", "ORTHANC", "SIMSCAN")
    assert intake_settings(pacs, {}, demo=False).allowed_calling_aes == ("CT1",)


def test_every_text_of_the_panel_and_its_controllers_is_in_the_chinese_catalogue():
    from tests.catalogue_check import missing_texts

    root = Path(__file__).resolve().parents[2]
    folder = root / "station_plugins" / "ct_qc"
    modules = [folder / n for n in ("panel.py", "ui_wiring.py", "ui_actions.py",
                                    "ui_toolbar.py", "ui_intake.py", "ui_series.py",
                                    "ui_results.py")]
    assert missing_texts(root / "resources" / "i18n" / "ct_qc_zh_CN.ts", modules,
                         {"_tr": "CtQcPanel"}) == []
