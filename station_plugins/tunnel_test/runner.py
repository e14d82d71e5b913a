"""Run a sequence outside the GUI: in a separate process (default) or in-process.

The runner process owns the journal writes; it sends each event over a pipe only
after it is committed. The console answers prompts and requests aborts over the same
pipe. A child that hangs or dies can be killed without losing the GUI or the journal:
the run then shows as unfinished and can be resumed or aborted-and-recorded.

The runner never outlives its console: on Linux it asks for a parent-death signal
(``prctl(PR_SET_PDEATHSIG, SIGUSR1)``), and on every platform a watchdog notices the
pipe closing; SIGTERM to the runner does the same. Either way it interrupts the run, makes the unit safe, journals
``safe_state`` + ``interrupted`` and exits; a backstop does the same from the watchdog
thread if the run thread does not stop in time. Each run has one writer: the runner
holds the run's lock (:mod:`station_plugins.tunnel_test.run_lock`) while it runs.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from app.core.ids import new_id
from app.core.spawn import start_process
from app.core.tasks import CancelToken


@dataclass
class RunSpec:
    sequence_path: str
    serial: str
    operator: str
    data_dir: str
    station_id: str = "WS-01"
    socket: str = "A"
    mode: str = "released"
    single_step: str = ""
    mes_order: str = ""
    params: dict = field(default_factory=dict)
    run_id: str = field(default_factory=new_id)
    endpoint: str = ""                # OPC UA endpoint; "" = in-process simulated C-arm
    defects: list = field(default_factory=list)
    faults: dict = field(default_factory=dict)
    models_dir: str = ""
    auto_answer: bool = False         # demo/CLI: answer prompts with the first pass choice
    resume_user: str = ""             # set: resume this run_id
    resume_reason: str = ""
    reconnect_max_s: float = 4.0
    security: str = "None"            # [opcua] security of the tunnel link
    pki_dir: str = ""                 # PKI folder (own/, trusted/, rejected/)
    opcua_user: str = ""              # OPC UA user identity ("" = anonymous)
    opcua_password: str = field(default="", repr=False)
    console_pid: int = 0              # set by RunProcess: the console that owns the run
    backstop_s: float = 20.0          # console lost: the watchdog acts itself after this

    @property
    def journal_path(self) -> Path:
        return Path(self.data_dir) / "tunnel_journal.db"


def run_here(spec: RunSpec, *, listener: Callable[[dict], None] | None = None,
             prompt: Callable[[dict], dict] | None = None, token: CancelToken | None = None,
             engine_ready: Callable[[Any], None] | None = None, journal: Any = None,
             drivers: Any = None) -> Any:
    """Build drivers, journal, classifiers and engine; run (or resume) the sequence."""
    from station_plugins.tunnel_test.adapters.journal import TunnelJournal
    from station_plugins.tunnel_test.ai_step import ClassifierCache
    from station_plugins.tunnel_test.drivers import known_driver_names
    from station_plugins.tunnel_test.engine import RunEngine, RunRequest
    from station_plugins.tunnel_test.resume import plan_resume
    from station_plugins.tunnel_test.sequence_loader import load_sequence

    from station_plugins.tunnel_test.run_lock import RunLock

    seq = load_sequence(spec.sequence_path, known_drivers=known_driver_names())
    lock = RunLock(spec.data_dir, spec.run_id).acquire(
        "runner (resume)" if spec.resume_user else "runner")
    own_journal = journal is None
    own_drivers = drivers is None
    try:
        journal = journal or TunnelJournal(spec.journal_path)
        drivers = drivers or make_drivers(spec)
    except BaseException:
        if own_journal and journal is not None:
            journal.close()
        lock.release()
        raise
    try:
        from station_plugins.tunnel_test.adapters.inference import InferenceTimeout, OnnxTunnelClassifier
        from app.paths import models_dir

        classifiers = ClassifierCache(Path(spec.models_dir or models_dir()), OnnxTunnelClassifier)
        classifiers.timeout_error = InferenceTimeout  # type: ignore[attr-defined]
        if spec.auto_answer and prompt is None:
            prompt = _auto_answer(seq)
        req = RunRequest(sequence=seq, serial=spec.serial, operator=spec.operator,
                         station_id=spec.station_id, socket=spec.socket, mode=spec.mode,
                         single_step=spec.single_step, mes_order=spec.mes_order,
                         params=dict(spec.params, auto_answer=spec.auto_answer),
                         run_id=spec.run_id, link=link_info(spec))
        engine = RunEngine(req, drivers=drivers, journal=journal, data_dir=Path(spec.data_dir),
                           listener=listener, classifiers=classifiers, prompt=prompt,
                           token=token)
        if engine_ready is not None:
            engine_ready(engine)
        if spec.resume_user:
            plan = plan_resume(seq, journal.events(spec.run_id))
            return engine.run(plan, resumed_by=spec.resume_user, reason=spec.resume_reason)
        return engine.run()
    finally:
        try:
            if own_drivers:
                drivers.close()
            if own_journal:
                journal.close()
        finally:
            lock.release()


def link_info(spec: RunSpec) -> dict:
    """How the unit is reached (journalled in the header; no secret)."""
    if not spec.endpoint:
        return {"endpoint": "", "kind": "in-process simulator"}
    return {"endpoint": spec.endpoint, "security": spec.security,
            "user": spec.opcua_user or "anonymous"}


def make_drivers(spec: RunSpec) -> Any:
    from station_plugins.tunnel_test.carm_sim import CArmSim
    from station_plugins.tunnel_test.drivers import LocalDriverSet, OpcUaDriverSet, defects_from

    if not spec.endpoint:
        return LocalDriverSet(CArmSim(serial=spec.serial, defects=defects_from(spec.defects)),
                              faults=spec.faults)
    from station_plugins.tunnel_test.adapters.opcua import TunnelOpcUaClient
    from app.runtime.loop_thread import LoopThread

    loop = LoopThread(name="tunnel-opcua").start()
    client = TunnelOpcUaClient(spec.endpoint, loop, reconnect_max_s=spec.reconnect_max_s,
                               security=spec.security,
                               pki_dir=Path(spec.pki_dir) if spec.pki_dir else None,
                               user=spec.opcua_user, password=spec.opcua_password)
    try:
        client.connect()
    except BaseException:
        client.close()
        loop.stop()
        raise
    drivers = OpcUaDriverSet(client)
    original_close = drivers.close

    def close() -> None:
        original_close()
        loop.stop()

    drivers.close = close  # type: ignore[method-assign]
    return drivers


def _auto_answer(seq: Any) -> Callable[[dict], dict]:
    def answer(event: dict) -> dict:
        step = seq.step(event["step"])
        return {"choice": step.prompt.pass_choices[0], "user": "auto-answer (demo)"}
    return answer


# --- separate process --------------------------------------------------------------
def _set_parent_death_signal() -> None:
    """Linux: SIGUSR1 to this process when the thread that spawned it ends (the console
    is gone). Elsewhere the pipe watchdog alone notices."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGUSR1, 0, 0, 0)     # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass


def _child_main(spec_dict: dict, conn: Any) -> None:
    spec = RunSpec(**spec_dict)
    answers: queue.SimpleQueue = queue.SimpleQueue()
    holder: list = []
    send_lock = threading.Lock()
    lost: list[str] = []
    finished = threading.Event()

    def send(msg: tuple) -> None:
        with send_lock:
            try:
                conn.send(msg)
            except (OSError, EOFError):
                pass            # console gone: the journal still has everything

    def console_lost(why: str) -> None:
        if lost:
            return
        lost.append(why)
        answers.put(None)
        if holder:
            holder[0].interrupt(why)
        threading.Thread(target=_backstop, args=(spec, holder, lost, finished),
                         name="tunnel-backstop", daemon=True).start()

    def reader() -> None:
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                if not finished.is_set():
                    console_lost("console lost (its pipe closed)")
                return
            if msg[0] == "answer":
                answers.put(msg[1])
            elif msg[0] == "abort":
                answers.put(None)
                if holder:
                    holder[0].request_abort(msg[1], msg[2])

    def on_parent_death(signum: int, frame: Any) -> None:  # noqa: ARG001
        # a parent-death signal for the spawning *thread* while the console process
        # lives on is not a lost console: only act when we were re-parented
        if spec.console_pid and os.getppid() == spec.console_pid:
            return
        console_lost("console lost (parent-death signal)")

    def on_term(signum: int, frame: Any) -> None:  # noqa: ARG001
        console_lost("runner asked to stop (SIGTERM)")

    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, on_parent_death)
    signal.signal(signal.SIGTERM, on_term)
    # Ctrl+C at a terminal reaches the whole process group: the console handles it, and
    # if the console ends the watchdog stops the run safely
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _set_parent_death_signal()
    threading.Thread(target=reader, daemon=True).start()
    if spec.console_pid and os.getppid() != spec.console_pid:
        console_lost("console lost before the run started")

    def prompt(event: dict) -> dict:  # noqa: ARG001 - engine prompt callback signature
        ans = answers.get()
        if ans is None:
            from station_plugins.tunnel_test.step_runner import RunStopped
            if lost:
                raise RunStopped("interrupted", lost[0])
            raise RunStopped("aborted", "aborted while waiting for the operator")
        return ans

    def ready(engine: Any) -> None:
        holder.append(engine)
        if lost:
            engine.interrupt(lost[0])

    code = 0
    try:
        outcome = run_here(spec, listener=lambda ev: send(("event", ev)),
                           prompt=None if spec.auto_answer else prompt,
                           engine_ready=ready)
        send(("done", asdict(outcome)))
    except BaseException as exc:  # noqa: BLE001 - reported to the console, then exit
        send(("failed", {"error": f"{type(exc).__name__}: {exc}", "message": str(exc),
                         "code": getattr(exc, "code", ""),
                         "file": getattr(exc, "file", ""), "line": getattr(exc, "line", 0)}))
        code = 2
    finally:
        finished.set()
        try:
            conn.close()
        finally:
            os._exit(code)   # ends abandoned (hung) driver threads with the process


def _backstop(spec: RunSpec, holder: list, lost: list, finished: threading.Event) -> None:
    """The run thread did not stop within ``backstop_s`` after the console was lost (a
    call that ignores interruption): make the unit safe from here, journal it, exit."""
    if finished.wait(spec.backstop_s):
        return
    from station_plugins.tunnel_test.adapters.journal import TunnelJournal
    from station_plugins.tunnel_test.execution import CallWorker, make_safe

    try:
        engine = holder[0] if holder else None
        if engine is not None:
            actions = make_safe(engine.seq.safe_state, lambda n, a, t: CallWorker().call(
                lambda: engine.drivers.call(n, a, t), t, f"safe-state '{n}'"))
            j = TunnelJournal(spec.journal_path)
            try:
                j.append(spec.run_id, [
                    {"kind": "safe_state", "actions": actions, "by": "runner watchdog",
                     "reason": f"{lost[0]}; the run thread did not stop within "
                               f"{spec.backstop_s:g} s"},
                    {"kind": "interrupted", "reason": lost[0]}])
            finally:
                j.close()
    finally:
        os._exit(3)


class RunProcess:
    """Console side of a runner process. ``on_message(kind, body)`` runs on a reader
    thread (the Qt bridge re-posts it to the GUI thread)."""

    def __init__(self, spec: RunSpec, on_message: Callable[[str, dict], None]) -> None:
        self.spec, self.on_message = spec, on_message
        ctx = mp.get_context("spawn")
        self._conn, child_conn = ctx.Pipe(duplex=True)
        spec.console_pid = os.getpid()
        self.process = ctx.Process(target=_child_main, args=(asdict(spec), child_conn),
                                   name=f"tunnel-run-{spec.socket}", daemon=True)
        start_process(self.process)     # not while OpenCV's loader edits sys.path
        child_conn.close()
        self.finished = threading.Event()
        self.ended = False        # the runner reported done/failed: run_end is journalled
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    @property
    def run_id(self) -> str:
        return self.spec.run_id

    def _read(self) -> None:
        ended = False
        while True:
            try:
                kind, body = self._conn.recv()
            except (EOFError, OSError):
                break
            if kind in ("done", "failed"):
                ended = self.ended = True
            self.on_message(kind, body)
        self.process.join(5)
        if not ended:
            self.on_message("lost", {"exitcode": self.process.exitcode,
                                     "run_id": self.spec.run_id})
        self.finished.set()

    def answer(self, choice: str, user: str) -> None:
        self._send(("answer", {"choice": choice, "user": user}))

    def abort(self, reason: str, user: str) -> None:
        self._send(("abort", reason, user))

    def _send(self, msg: tuple) -> None:
        try:
            self._conn.send(msg)
        except (OSError, EOFError, BrokenPipeError):
            pass

    def kill(self) -> None:
        """Last resort (runner unresponsive): SIGKILL; the journal keeps what was done."""
        if self.process.is_alive():
            self.process.kill()

    def stop(self, wait_s: float = 10.0) -> None:
        """Ask the runner to stop (SIGTERM: it interrupts the run, makes the unit safe and
        journals it); SIGKILL if it has not ended within ``wait_s``."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(wait_s)
        self.kill()

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    @property
    def running(self) -> bool:
        """The run is still going: the process lives and has not reported its end (after
        "done" it only closes its drivers and exits; the socket is free again)."""
        return self.alive and not self.ended
