"""The console's workflow (Qt-free): shared by the panel and the CLI.

Before start: role rules (operators run released sequences only), MES route check.
During: the run executes in a runner process (or in-process for the CLI/tests).
After: record committed, MES outbox filled and pumped. After a crash: unfinished runs
are offered for resume or abort-and-record, both audited with user and reason.

Nothing strands a unit: a run that ended (``run_end`` journalled) without a committed
record is committed from the journal by whoever finds it - this console when it starts,
``tunnel list``, ``tunnel recover`` - idempotently, and its MES messages follow from the
committed record. A runner that dies is noticed here: the console drives the unit's
safe-state routine itself and journals it (under the run's lock: one writer per run).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from app.core.errors import PermissionDenied, PharosError, ValidationError
from app.core.roles import Role
from station_plugins.tunnel_test import integrity
from station_plugins.tunnel_test import release as rel
from station_plugins.tunnel_test.run_lock import RunBusy, RunLock
from station_plugins.tunnel_test.runner import RunProcess, RunSpec, run_here
from station_plugins.tunnel_test.sequence_loader import load_sequence

log = logging.getLogger(__name__)

RELEASED_ONLY = {Role.OPERATOR.value}


def user_roles(user: Any) -> set[str]:
    return {getattr(r, "value", r) for r in getattr(user, "roles", [])}


class TunnelConsole:
    def __init__(self, *, data_dir: Path, store: Any, audit: Any, signatures: Any = None,
                 mes: Any = None, station_id: str = "WS-01", library: Any = None,
                 resend_interval_s: float = 5.0, link: dict | None = None,
                 recover: bool = True) -> None:
        from station_plugins.tunnel_test.adapters.journal import TunnelJournal
        from station_plugins.tunnel_test.outbox import OutboxResender

        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.journal = TunnelJournal(self.data_dir / "tunnel_journal.db")
        self.store, self.audit, self.signatures, self.mes = store, audit, signatures, mes
        self.station_id = station_id
        self.active: dict[str, RunProcess] = {}
        self.library = library
        self.outbox = OutboxResender(self.journal, mes, interval_s=resend_interval_s)
        # how this console reaches a unit for its safe state (security, pki, user)
        self.link = dict(link or {})
        self._secured: set[str] = set()
        self._closing = False
        self.recovered: list[dict] = self.recover_all() if recover else []

    # --- before the run -------------------------------------------------------------
    def check_mode(self, user: Any, sequence_path: str, mode: str) -> Any:
        seq = load_sequence(sequence_path)
        roles = user_roles(user)
        engineer = bool(roles - RELEASED_ONLY)
        if mode != "released" and not engineer:
            raise PermissionDenied(f"User '{user.username}' (operator) may run released "
                                   f"sequences only, not {mode} runs.")
        if mode == "released" and seq.status != "released":
            raise PermissionDenied(f"Sequence {seq.id} v{seq.version} is a draft; run it as a "
                                   f"draft (engineers only), records are not releasable.")
        if mode == "released" and self.library is not None:
            self.library.check_runnable_released(sequence_path)
        return seq

    def validate_route(self, serial: str, order: str = "") -> dict:
        serial = serial.strip()
        if not serial or any(c.isspace() for c in serial) or len(serial) > 64:
            raise ValidationError(f"'{serial}' is not a unit serial number.")
        if self.mes is None:
            return {"ok": True, "order": order, "route": "no MES configured"}
        return self.mes.validate_route(serial, order)

    def make_spec(self, *, sequence_path: str, serial: str, user: Any, mode: str = "released",
                  socket: str = "A", single_step: str = "", order: str = "",
                  **kw: Any) -> RunSpec:
        self.check_mode(user, sequence_path, mode)
        route = self.validate_route(serial, order)
        return RunSpec(sequence_path=str(sequence_path), serial=serial.strip(),
                       operator=user.username, data_dir=str(self.data_dir),
                       station_id=self.station_id, socket=socket, mode=mode,
                       single_step=single_step, mes_order=route.get("order", order),
                       **{**self.link_kw(kw.get("endpoint", "")), **kw})

    def link_kw(self, endpoint: str) -> dict:
        """RunSpec fields for reaching ``endpoint`` with this console's link security."""
        if not endpoint:
            return {}
        return {k: v for k, v in self.link.items()
                if k in ("security", "pki_dir", "opcua_user", "opcua_password",
                         "reconnect_max_s")}

    def announce(self, spec: RunSpec) -> None:
        """Queue the MES 'work started' message (durable; call off the GUI thread)."""
        self._started(spec)

    def _started(self, spec: RunSpec) -> None:
        self.journal.outbox_put(f"{spec.run_id}:started", spec.run_id, "work_started",
                                {"run_id": spec.run_id, "serial": spec.serial,
                                 "order": spec.mes_order, "station": self.station_id,
                                 "socket": spec.socket})

    # --- running ----------------------------------------------------------------------
    def start_process(self, spec: RunSpec, on_message: Callable[[str, dict], None], *,
                      announce: bool = True) -> RunProcess:
        if spec.socket in {p.spec.socket for p in self.active.values() if p.running}:
            raise ValidationError(f"Tunnel socket {spec.socket} is already running a unit.")
        if announce:
            self._started(spec)
        holder = RunLock(self.data_dir, spec.run_id).holder()
        if holder is not None:
            raise RunBusy(f"Run {spec.run_id} is being written by process "
                          f"{holder.get('pid')} ({holder.get('what')}); refused.")

        def relay(kind: str, body: dict) -> None:
            if kind == "lost" and not self._closing:
                try:
                    kind, body = self._runner_lost(spec.run_id, body)
                except Exception as exc:  # noqa: BLE001 - never lost on the reader thread
                    log.exception("handling a lost runner failed")
                    body = {**body, "safe_state_error": f"{type(exc).__name__}: {exc}"}
            on_message(kind, body)

        proc = RunProcess(spec, relay)
        self.active[spec.run_id] = proc
        return proc

    def _runner_lost(self, run_id: str, body: dict) -> tuple[str, dict]:
        """The runner process ended without reporting (crash, kill): if its run had
        ended, report it as done (its record is then committed by ``finish``); if not,
        make the unit safe from here and journal it."""
        run = self.journal.run(run_id)
        if run is not None and run["status"] != "running":
            return "done", {"run_id": run_id, "status": run["status"],
                            "verdict": run["disposition"], "reason": "runner ended after "
                            "journalling run_end", "review_items": []}
        why = f"runner process ended unexpectedly (exit code {body.get('exitcode')})"
        try:
            body = {**body, "safe_state": self.secure_interrupted(run_id, why)}
        except Exception as exc:  # noqa: BLE001 - reported, never raised on the reader thread
            log.exception("safe state after a lost runner failed")
            body = {**body, "safe_state_error": f"{type(exc).__name__}: {exc}"}
        return "lost", body

    def run_inline(self, spec: RunSpec, **kw: Any) -> Any:
        self._started(spec)
        return run_here(spec, journal=self.journal, **kw)

    def any_active(self) -> bool:
        return any(p.alive for p in self.active.values())

    # --- after the run -----------------------------------------------------------------
    def finish(self, run_id: str, username: str) -> tuple[Any, dict]:
        self.active.pop(run_id, None)
        criteria, note = rel.load_criteria(self.store, self.signatures, self.data_dir)
        row, decision = rel.commit_run(self.store, self.journal, run_id, data_dir=self.data_dir,
                                       username=username, criteria=criteria,
                                       signatures=self.signatures, note=note)
        self.pump()
        return row, decision

    # --- recovery: nothing strands a unit ---------------------------------------------
    def recover(self, run_id: str, username: str = "system:recovery") -> tuple[Any, dict]:
        """Commit the record of a run that ended without one (idempotent; audited when it
        commits). A run still running is refused with what to do instead."""
        run = self.journal.run(run_id)
        if run is None:
            raise ValidationError(f"run {run_id} is not in the journal")
        if run["status"] == "running":
            holder = RunLock(self.data_dir, run_id).holder()
            raise ValidationError(
                f"run {run_id} has not ended: " + (
                    f"process {holder.get('pid')} is still running it" if holder else
                    "it was interrupted; resume it or abort it (which records it)"))
        row, decision = self.finish(run_id, username)
        if decision.get("created"):
            self.audit.append("tunnel.recover", "tunnel_run", run_id, username=username,
                              reason="run ended without a committed record; record "
                                     "committed from the journal",
                              new={"record_id": row.id,
                                   "disposition": row.payload["disposition"]})
        return row, decision

    def recover_all(self, username: str = "system:recovery") -> list[dict]:
        """Recover every run that ended without a record (console start, ``tunnel list``)."""
        out = []
        try:
            stranded = self.journal.ended_without_record()
        except PharosError as exc:
            log.error("journal could not be read for recovery: %s", exc.message)
            return [{"error": exc.message}]
        for run in stranded:
            rid = run["run_id"]
            if rid in self.active and self.active[rid].alive:
                continue                      # its own console finishes it
            try:
                row, decision = self.recover(rid, username)
                out.append({"run_id": rid, "record_id": row.id,
                            "disposition": row.payload["disposition"],
                            "release": decision["mode"], "created": decision["created"]})
            except PharosError as exc:
                out.append({"run_id": rid, "error": exc.message})
        return out

    def secure_interrupted(self, run_id: str, why: str) -> dict | None:
        """Make the unit of an interrupted run safe from the console (its runner is
        gone) and journal ``safe_state`` - once per interruption, under the run's lock.
        None: nothing to do (ended, already safe, or a live runner holds the run)."""
        run = self.journal.run(run_id)
        if run is None or run["status"] != "running":
            return None
        lock = RunLock(self.data_dir, run_id).try_acquire("console: safe state")
        if lock is None:
            return None                       # a live runner writes (and secures) it
        try:
            self._secured.add(run_id)         # looked at under the lock: once per console
            last = self.journal.last_event(run_id) or {}
            if last.get("kind") in ("safe_state", "interrupted"):
                return None
            actions, target = self._drive_safe(run["header"])
            ev = {"kind": "safe_state", "by": "console", "reason": why, "target": target,
                  "actions": actions}
            self.journal.append(run_id, [ev])
            return ev
        finally:
            lock.release()

    def _drive_safe(self, header: dict) -> tuple[list[dict], str]:
        from station_plugins.tunnel_test.execution import make_safe
        from station_plugins.tunnel_test.runner import make_drivers

        try:
            seq = load_sequence(header["sequence"]["path"])
        except Exception as exc:  # noqa: BLE001 - named in the journal
            return [{"action": "load sequence", "ok": False,
                     "error": f"{type(exc).__name__}: {exc}"}], "-"
        link = header.get("link") or {}
        endpoint = link.get("endpoint", "")
        target = endpoint or ("in-process simulator (the simulated unit ended with its "
                              "runner process; the routine runs on a fresh one)")
        spec = RunSpec(sequence_path=header["sequence"]["path"], serial=header["serial"],
                       operator="console", data_dir=str(self.data_dir), endpoint=endpoint,
                       **{**self.link_kw(endpoint), "reconnect_max_s": 1.0})
        try:
            drivers = make_drivers(spec)
        except Exception as exc:  # noqa: BLE001 - unreachable unit: journalled as failed
            err = exc.message if isinstance(exc, PharosError) else f"{type(exc).__name__}: {exc}"
            return [{"action": a.target, "ok": False, "error": f"unit not reachable: {err}"}
                    for a in seq.safe_state], target
        try:
            return make_safe(seq.safe_state, drivers.call), target
        finally:
            drivers.close()

    def pump(self) -> dict:
        """Send pending MES messages now; what the MES does not take stays queued and
        the resender (``start_resender``) tries again every interval."""
        return self.outbox.pump_now()

    def start_resender(self, on_result: Callable[[dict], None] | None = None) -> None:
        """Store-and-forward in a background thread (GUI and headless alike)."""
        if on_result is not None:
            self.outbox.on_result = on_result
        self.outbox.start()

    def release(self, run_id: str, *, username: str, password: str, comment: str = "") -> dict:
        run = self.journal.run(run_id)
        if run is None or not run.get("record_id"):
            raise ValidationError(f"run {run_id} has no committed record yet")
        row = self.store.get_record(run["record_id"])
        authority = rel.release_with_signature(self.store, self.signatures, self.journal, row,
                                               username=username, password=password,
                                               comment=comment)
        self.pump()
        return authority

    # --- journal integrity (supervisor) -------------------------------------------------
    def integrity_status(self, run_id: str) -> dict:
        """A run's journal check and the signed decision covering its problems (if any):
        {run_id, serial, intact, problems, decision}. Panel and CLI alike."""
        run = self.journal.run(run_id)
        if run is None:
            raise ValidationError(f"run {run_id} is not in the journal")
        problems = self.journal.verify(run_id)
        decision = integrity.decision_for(self.store, self.signatures, run_id, problems) \
            if problems else None
        return {"run_id": run_id, "serial": run["serial"], "intact": not problems,
                "problems": problems, "decision": decision}

    def decide_integrity(self, run_id: str, *, decision: str, reason: str, username: str,
                         password: str) -> dict:
        """A supervisor's decision on a run whose journal failed its check, signed (meaning
        approved = accept, rejected = reject) and audited in one transaction."""
        return integrity.decide(self.store, self.signatures, self.audit, self.journal, run_id,
                                decision=decision, reason=reason, username=username,
                                password=password)

    # --- after a crash -------------------------------------------------------------------
    def unfinished(self, *, secure: bool = True) -> list[dict]:
        """Interrupted runs (no live runner). ``secure``: an interrupted run whose unit was
        never made safe (runner and console died together) is made safe now, once."""
        out = []
        for r in self.journal.unfinished_runs():
            rid = r["run_id"]
            if rid in self.active and self.active[rid].alive:
                continue
            holder = RunLock(self.data_dir, rid).holder()
            r["writer"] = holder
            if holder is None and secure and rid not in self._secured:
                try:
                    self.secure_interrupted(rid, "found interrupted with no runner")
                except PharosError as exc:
                    log.error("safe state for interrupted run %s failed: %s", rid, exc.message)
            last = self.journal.last_event(rid) or {}
            r["safe_state"] = last.get("kind") in ("safe_state", "interrupted")
            out.append(r)
        return out

    def resume_spec(self, run_id: str, *, user: Any, reason: str, **kw: Any) -> RunSpec:
        run = self._unfinished(run_id, reason)
        integrity.check(self.store, self.signatures, self.journal, run_id, "Resume")
        h = run["header"]
        self.audit.append("tunnel.resume", "tunnel_run", run_id, username=user.username,
                          reason=reason, new={"serial": run["serial"]})
        return RunSpec(sequence_path=h["sequence"]["path"], serial=run["serial"],
                       operator=h["operator"], data_dir=str(self.data_dir),
                       station_id=h["station_id"], socket=h["socket"], mode=h["mode"],
                       single_step=h.get("single_step", ""), mes_order=h.get("mes_order", ""),
                       params={k: v for k, v in h.get("params", {}).items()
                               if k != "auto_answer"},
                       run_id=run_id, resume_user=user.username, resume_reason=reason,
                       **{**self.link_kw(kw.get("endpoint", "")), **kw})

    def abort_and_record(self, run_id: str, *, user: Any, reason: str,
                         drivers: Any = None) -> tuple[Any, dict]:
        run = self._unfinished(run_id, reason)
        lock = RunLock(self.data_dir, run_id).acquire(f"console: abort by {user.username}")
        try:
            self.audit.append("tunnel.abort", "tunnel_run", run_id, username=user.username,
                              reason=reason, old={"status": run["status"]},
                              new={"status": "aborted"})
            events: list[dict] = [{"kind": "abort_recorded", "user": user.username,
                                   "reason": reason}]
            last = self.journal.last_event(run_id) or {}
            if drivers is not None:
                from station_plugins.tunnel_test.execution import make_safe

                seq = load_sequence(run["header"]["sequence"]["path"])
                events.append({"kind": "safe_state", "reason": reason, "by": "console",
                               "actions": make_safe(seq.safe_state, drivers.call)})
            elif last.get("kind") not in ("safe_state", "interrupted"):
                actions, target = self._drive_safe(run["header"])
                events.append({"kind": "safe_state", "reason": reason, "by": "console",
                               "target": target, "actions": actions})
            events.append({"kind": "run_end", "status": "aborted", "disposition": "ABORTED",
                           "reason": f"aborted after interruption by {user.username}: {reason}",
                           "review_items": []})
            self.journal.append(run_id, events, status="aborted", disposition="ABORTED")
        finally:
            lock.release()
        return self.finish(run_id, user.username)

    def _unfinished(self, run_id: str, reason: str) -> dict:
        if not reason.strip():
            raise ValidationError("A reason is required.")
        run = self.journal.run(run_id)
        if run is None:
            raise ValidationError(f"run {run_id} is not in the journal")
        if run["status"] != "running":
            raise ValidationError(f"run {run_id} is not an interrupted run (it ended: "
                                  f"{run['status']} {run['disposition']}); its record is "
                                  f"committed by: pharos tunnel recover {run_id}")
        holder = RunLock(self.data_dir, run_id).holder()
        if holder is not None or (run_id in self.active and self.active[run_id].alive):
            raise RunBusy(f"Run {run_id} is still being written by process "
                          f"{(holder or {}).get('pid', '?')} ({(holder or {}).get('what', '?')}, "
                          f"since {(holder or {}).get('since', '?')}); refused.")
        return run

    def recent(self, limit: int = 20) -> list[dict]:
        return self.journal.runs(limit=limit)

    def close(self) -> None:
        self.outbox.stop()
        self._closing = True
        for p in self.active.values():   # runners still going: stop them safely first
            p.stop()
        self.journal.close()


