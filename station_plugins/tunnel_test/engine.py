"""The sequence engine (Qt-free): runs a validated sequence against a driver set.

Journal first: every event is committed to the durable journal before the listeners
(UI, pipe to the console) hear of it. On any abnormal end (abort, hung call, lost
journal, unexpected exception, lost console, a run that ends in ERROR such as a lost
link) the safe-state routine runs (beam off, motion stop) and is journalled. A lost
console *interrupts* the run: the call in flight is abandoned, the unit is made safe,
``safe_state`` + ``interrupted`` are journalled and the run stays resumable.
Setup and teardown always run on a normal end; an ERROR or a timeout never ends as PASS.
"""
from __future__ import annotations

import json
import platform
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from station_plugins.tunnel_test.adapters.journal import JournalError
from app.core.ids import new_id
from app.core.measurement import Verdict
from app.core.tasks import CancelToken
from station_plugins.tunnel_test.execution import CallWorker, NamedLocks, make_safe
from station_plugins.tunnel_test.resume import ResumePlan
from station_plugins.tunnel_test.sequence_model import Group, Sequence, Step
from station_plugins.tunnel_test.step_runner import RunStopped, StepRunner

SOFTWARE = {"name": "pharos", "version": "0.1.0", "python": platform.python_version()}


@dataclass
class RunRequest:
    sequence: Sequence
    serial: str
    operator: str
    station_id: str = "WS-01"
    socket: str = "A"
    mode: str = "released"           # released | draft | single_step
    single_step: str = ""
    mes_order: str = ""
    params: dict = field(default_factory=dict)
    run_id: str = field(default_factory=new_id)
    link: dict = field(default_factory=dict)     # endpoint + security (journalled)


@dataclass
class RunOutcome:
    run_id: str
    status: str                      # completed | aborted | error | journal_failed | interrupted
    verdict: str                     # PASS / WARN / FAIL / ERROR / ABORTED
    reason: str = ""
    review_items: list[str] = field(default_factory=list)


class RunEngine:
    def __init__(self, request: RunRequest, *, drivers: Any, journal: Any,
                 data_dir: Path, listener: Callable[[dict], None] | None = None,
                 classifiers: Any = None, prompt: Callable[[dict], dict] | None = None,
                 locks: NamedLocks | None = None, token: CancelToken | None = None) -> None:
        self.req, self.seq = request, request.sequence
        self.drivers, self.journal, self.listener = drivers, journal, listener
        self.data_dir = Path(data_dir)
        self.token = token or CancelToken()
        self._interrupt = ""
        self.worker = CallWorker(interrupt=lambda: self._interrupt)
        self._abort: tuple[str, str] | None = None
        self._lock = threading.Lock()
        self.journal_ok = True
        self._held: list[dict] = []
        self.steps = StepRunner(
            run_id=request.run_id, drivers=drivers, worker=self.worker, emit=self.emit,
            unit={"serial": request.serial}, params=dict(request.params), token=self.token,
            attachments_dir=self.data_dir / "attachments", classifiers=classifiers or _NoAi(),
            locks=locks or NamedLocks(self.data_dir / "locks"), prompt=prompt,
            stop_check=self._stop_check)

    # --- journal first, then listeners -------------------------------------------------
    def emit(self, events: list[dict], *, defer: bool = False, **close: Any) -> list[dict]:
        """Journal, then tell the listener. ``defer``: hold the events and commit them in
        the same transaction as the next ones (a step's end rides with the next step's
        start: one fsync per step). Held events are not shown before they are committed."""
        if defer:
            self._held.extend(events)
            return []
        events, self._held = self._held + list(events), []
        if not events:
            return []
        try:
            stored = self.journal.append(self.req.run_id, events, **close)
        except (JournalError, OSError) as exc:
            self.journal_ok = False
            raise RunStopped("journal_failed", f"journal write failed: {exc}") from exc
        if self.listener is not None:
            for ev in stored:
                self.listener(ev)
        return stored

    def request_abort(self, reason: str, user: str) -> None:
        with self._lock:
            if self._abort is None:
                self._abort = (reason, user)
        self.token.cancel()

    def interrupt(self, reason: str) -> None:
        """The console is gone: stop at once (the call in flight is abandoned), make the
        unit safe, journal it; the run stays unfinished (resumable)."""
        with self._lock:
            if not self._interrupt:
                self._interrupt = reason
        self.token.cancel()

    def _stop_check(self) -> None:
        if self._interrupt:
            raise RunStopped("interrupted", self._interrupt)
        if self._abort is not None:
            raise RunStopped("aborted", f"aborted by {self._abort[1]}: {self._abort[0]}")

    # --- the run -------------------------------------------------------------------------
    def header(self) -> dict:
        r = self.req
        return {"run_id": r.run_id, "serial": r.serial, "socket": r.socket,
                "operator": r.operator, "station_id": r.station_id, "mode": r.mode,
                "single_step": r.single_step, "mes_order": r.mes_order,
                "releasable": r.mode == "released" and self.seq.status == "released",
                "sequence": self.seq.identity(), "software": SOFTWARE,
                "params": r.params, "item_count": self.seq.item_count(), "link": r.link,
                "step_keys": [s.key for s in self.seq.main_steps()]}

    def _identify(self) -> dict:
        """Unit identity + instruments, read once at start (recorded in run_start)."""
        info: dict[str, Any] = {}
        try:
            ident = self.worker.call(lambda: self.drivers.call("unit.identity", {}, 5.0),
                                     5.0, "unit.identity")
            info["unit"] = ident.get("identity") or json.loads(ident["identity_json"])
        except Exception as exc:  # noqa: BLE001 - recorded; the run goes on
            info["unit_error"] = f"{type(exc).__name__}: {exc}"
        try:
            info["instruments"] = self.worker.call(self.drivers.instruments, 5.0,
                                                   "tunnel.instruments")
        except Exception as exc:  # noqa: BLE001
            info["instruments_error"] = f"{type(exc).__name__}: {exc}"
        return info

    def run(self, resume: ResumePlan | None = None, *, resumed_by: str = "",
            reason: str = "") -> RunOutcome:
        status, why = "completed", ""
        try:
            if resume is None:
                header = self.header()
                ident = self._identify()
                stored = self.journal.begin_run(self.req.run_id, header,
                                                {"kind": "run_start", **header, **ident})
                if self.listener is not None:
                    self.listener(stored[0])
                expired = expired_instruments(ident.get("instruments") or [])
                if expired and self.req.mode == "released":
                    raise RunStopped("error", "calibration expired: " + "; ".join(
                        f"{i['id']} ({i.get('kind', '')}) was due {i['cal_due']}"
                        for i in expired) + " - the run does not start")
            else:
                self.steps.outputs.update(resume.outputs)
                self.steps.verdicts.update(resume.verdicts)
                self.emit([{"kind": "resume", "user": resumed_by, "reason": reason,
                            "from_step": resume.first_step, "kept": len(resume.done)}])
            self._body(resume)
        except RunStopped as stop:
            status, why = stop.status, stop.reason
        except JournalError as exc:
            self.journal_ok, status, why = False, "journal_failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - unexpected: the run ends as ERROR
            status, why = "error", f"{type(exc).__name__}: {exc}"
        return self._finish(status, why)

    def _body(self, resume: ResumePlan | None) -> None:
        only = self.req.single_step if self.req.mode == "single_step" else ""
        for st in self.seq.setup:
            if self.steps.run(st) in (Verdict.ERROR, Verdict.FAIL):
                raise RunStopped("error", f"setup step '{st.key}' did not pass")
        try:
            for g in self.seq.groups:
                if only and not any(s.key == only for s in g.steps):
                    continue
                self._group(g, resume, only)
        finally:
            if self.journal_ok and not self._interrupt:
                for st in self.seq.teardown:   # always runs (also after an abort)
                    self._teardown_step(st)

    def _teardown_step(self, st: Step) -> None:
        saved, self.steps.stop_check = self.steps.stop_check, (lambda: None)
        try:
            self.steps.run(st)
        except RunStopped:
            raise
        except Exception:  # noqa: BLE001 - teardown problems are in the journal already
            pass
        finally:
            self.steps.stop_check = saved

    def _group(self, g: Group, resume: ResumePlan | None, only: str) -> None:
        if g.run_if:
            try:
                run = self.steps._condition(g.run_if)  # noqa: SLF001
            except Exception as exc:  # noqa: BLE001
                raise RunStopped("error", f"group '{g.key}' condition: {exc}") from exc
            if not run:
                for s in g.steps:
                    self.steps._end(s, Verdict.SKIP, "group condition", started=False)  # noqa: SLF001
                return
        steps = [s for s in g.steps if not only or s.key == only]
        if resume is not None:
            steps = [s for s in steps if s.key not in resume.done]
            if not steps:
                return
        for attempt in range(1, g.retries + 2):
            self.emit([{"kind": "group_start", "group": g.key, "attempt": attempt}])
            verdicts: list[Verdict] = []
            try:
                for st in g.setup:
                    v = self.steps.run(st, group_attempt=attempt)
                    if v in (Verdict.ERROR, Verdict.FAIL):
                        verdicts.append(Verdict.ERROR)
                        break
                else:
                    for st in steps:
                        verdicts.append(self.steps.run(st, group_attempt=attempt))
            finally:
                if self.journal_ok and not self._interrupt:
                    for st in g.teardown:
                        self._teardown_step(st)
            gv = Verdict.worst(verdicts)
            self.emit([{"kind": "group_end", "group": g.key, "attempt": attempt,
                        "verdict": gv.value}])
            if gv.value not in g.retry_on or attempt > g.retries:
                return
            steps = [s for s in g.steps if not only or s.key == only]

    def _finish(self, status: str, why: str) -> RunOutcome:
        main = [s.key for s in self.seq.main_steps()]
        verdicts = [Verdict(self.steps.verdicts[k]) for k in main if k in self.steps.verdicts]
        if self.req.mode == "single_step":
            verdicts = [Verdict(self.steps.verdicts.get(self.req.single_step, "ERROR"))]
        overall = Verdict.worst(verdicts)
        if status != "completed":
            disposition = "ABORTED" if status == "aborted" else "ERROR"
        elif overall is Verdict.SKIP or (self.req.mode != "single_step"
                                         and len(verdicts) < len(main)):
            disposition = "ERROR"
        else:
            disposition = overall.value
        safe = []
        if status != "completed" or disposition == "ERROR":   # abnormal end: link loss too
            if hasattr(self.drivers, "recover"):
                try:
                    self.drivers.recover()
                except Exception:  # noqa: BLE001 - safe state is still attempted
                    pass
            safe = make_safe(self.seq.safe_state, self._safe_call)
        self.worker.close()
        why_safe = why or f"run ended {disposition}"
        safe_ev = [{"kind": "safe_state", "actions": safe, "reason": why_safe,
                    "by": "runner"}] if safe else []
        if status == "interrupted":    # console lost: safe, journalled, resumable later
            events = safe_ev + [{"kind": "interrupted", "reason": why,
                                 "abandoned_calls": self.worker.abandoned}]
            if self.journal_ok:
                try:
                    self.emit(events)
                except RunStopped:
                    pass
            return RunOutcome(self.req.run_id, status, "UNFINISHED", why,
                              self.steps.review_items)
        end = {"kind": "run_end", "status": status, "disposition": disposition,
               "reason": why, "review_items": self.steps.review_items,
               "abandoned_calls": self.worker.abandoned}
        events = safe_ev + [end]
        if self.journal_ok:
            try:
                self.emit(events, status=status, disposition=disposition)
            except RunStopped:
                status = "journal_failed"
        if not self.journal_ok and self.listener is not None:
            for ev in events:          # the console must still hear it: marked unjournalled
                self.listener({**ev, "journaled": False, "status": "journal_failed"})
        return RunOutcome(self.req.run_id, status, disposition, why, self.steps.review_items)

    def _safe_call(self, name: str, args: dict, timeout_s: float) -> dict:
        return CallWorker().call(lambda: self.drivers.call(name, args, timeout_s),
                                 timeout_s, f"safe-state '{name}'")


class _NoAi:
    def get(self, name: str) -> None:  # noqa: ARG002
        return None

def expired_instruments(instruments: list[dict], today: Any = None) -> list[dict]:
    """Instruments whose calibration due date has passed (a released run refuses them)."""
    from datetime import date

    today = today or date.today()
    out = []
    for inst in instruments:
        try:
            if date.fromisoformat(str(inst.get("cal_due"))[:10]) < today:
                out.append(inst)
        except ValueError:
            out.append(inst)          # an unreadable due date is not a valid calibration
    return out
