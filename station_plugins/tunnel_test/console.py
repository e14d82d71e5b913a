"""The console's workflow (Qt-free): shared by the panel and the CLI.

Before start: role rules (operators run released sequences only), MES route check.
During: the run executes in a runner process (or in-process for the CLI/tests).
After: record committed, MES outbox filled and pumped. After a crash: unfinished runs
are offered for resume or abort-and-record, both audited with user and reason.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from app.core.errors import PermissionDenied, ValidationError
from app.core.roles import Role
from station_plugins.tunnel_test import release as rel
from station_plugins.tunnel_test.runner import RunProcess, RunSpec, run_here
from station_plugins.tunnel_test.sequence_loader import load_sequence

RELEASED_ONLY = {Role.OPERATOR.value}


def user_roles(user: Any) -> set[str]:
    return {getattr(r, "value", r) for r in getattr(user, "roles", [])}


class TunnelConsole:
    def __init__(self, *, data_dir: Path, store: Any, audit: Any, signatures: Any = None,
                 mes: Any = None, station_id: str = "WS-01", library: Any = None,
                 resend_interval_s: float = 5.0) -> None:
        from app.adapters.tunnel_journal import TunnelJournal
        from station_plugins.tunnel_test.outbox import OutboxResender

        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.journal = TunnelJournal(self.data_dir / "tunnel_journal.db")
        self.store, self.audit, self.signatures, self.mes = store, audit, signatures, mes
        self.station_id = station_id
        self.active: dict[str, RunProcess] = {}
        self.library = library
        self.outbox = OutboxResender(self.journal, mes, interval_s=resend_interval_s)

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
                       single_step=single_step, mes_order=route.get("order", order), **kw)

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
        if spec.socket in {p.spec.socket for p in self.active.values() if p.alive}:
            raise ValidationError(f"Tunnel socket {spec.socket} is already running a unit.")
        if announce:
            self._started(spec)
        proc = RunProcess(spec, on_message)
        self.active[spec.run_id] = proc
        return proc

    def run_inline(self, spec: RunSpec, **kw: Any) -> Any:
        self._started(spec)
        return run_here(spec, journal=self.journal, **kw)

    def any_active(self) -> bool:
        return any(p.alive for p in self.active.values())

    # --- after the run -----------------------------------------------------------------
    def finish(self, run_id: str, username: str) -> tuple[Any, dict]:
        self.active.pop(run_id, None)
        row, decision = rel.commit_run(self.store, self.journal, run_id, data_dir=self.data_dir,
                                       username=username,
                                       criteria=rel.ReleaseCriteria.load(self.data_dir))
        self.pump()
        return row, decision

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

    # --- after a crash -------------------------------------------------------------------
    def unfinished(self) -> list[dict]:
        return [r for r in self.journal.unfinished_runs() if r["run_id"] not in self.active
                or not self.active[r["run_id"]].alive]

    def resume_spec(self, run_id: str, *, user: Any, reason: str, **kw: Any) -> RunSpec:
        run = self._unfinished(run_id, reason)
        h = run["header"]
        self.audit.append("tunnel.resume", "tunnel_run", run_id, username=user.username,
                          reason=reason, new={"serial": run["serial"]})
        return RunSpec(sequence_path=h["sequence"]["path"], serial=run["serial"],
                       operator=h["operator"], data_dir=str(self.data_dir),
                       station_id=h["station_id"], socket=h["socket"], mode=h["mode"],
                       single_step=h.get("single_step", ""), mes_order=h.get("mes_order", ""),
                       params={k: v for k, v in h.get("params", {}).items()
                               if k != "auto_answer"},
                       run_id=run_id, resume_user=user.username, resume_reason=reason, **kw)

    def abort_and_record(self, run_id: str, *, user: Any, reason: str,
                         drivers: Any = None) -> tuple[Any, dict]:
        run = self._unfinished(run_id, reason)
        self.audit.append("tunnel.abort", "tunnel_run", run_id, username=user.username,
                          reason=reason, old={"status": run["status"]},
                          new={"status": "aborted"})
        events: list[dict] = [{"kind": "abort_recorded", "user": user.username, "reason": reason}]
        if drivers is not None:
            from station_plugins.tunnel_test.execution import make_safe

            seq = load_sequence(run["header"]["sequence"]["path"])
            events.append({"kind": "safe_state", "reason": reason,
                           "actions": make_safe(seq.safe_state, drivers.call)})
        events.append({"kind": "run_end", "status": "aborted", "disposition": "ABORTED",
                       "reason": f"aborted after interruption by {user.username}: {reason}",
                       "review_items": []})
        self.journal.append(run_id, events, status="aborted", disposition="ABORTED")
        return self.finish(run_id, user.username)

    def _unfinished(self, run_id: str, reason: str) -> dict:
        if not reason.strip():
            raise ValidationError("A reason is required.")
        run = self.journal.run(run_id)
        if run is None:
            raise ValidationError(f"run {run_id} is not in the journal")
        if run["status"] != "running" or (run_id in self.active and self.active[run_id].alive):
            raise ValidationError(f"run {run_id} is not an interrupted run "
                                  f"(status {run['status']})")
        return run

    def recent(self, limit: int = 20) -> list[dict]:
        return self.journal.runs(limit=limit)

    def close(self) -> None:
        self.outbox.stop()
        for p in self.active.values():
            p.kill()
        self.journal.close()


