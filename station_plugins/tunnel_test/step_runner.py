"""Runs one step: conditions, locks, attempts (action + prompt + judging + AI), retries.

Every event goes through ``emit`` (journal first, then the listeners). Used by
:class:`station_plugins.tunnel_test.engine.RunEngine`.
"""
from __future__ import annotations

import importlib
import os
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from app.core.errors import DeviceError, PharosError
from app.core.ids import sha256_hex
from app.core.measurement import Verdict
from station_plugins.tunnel_test import ai_step
from station_plugins.tunnel_test.carm_sim import array_to_bytes
from station_plugins.tunnel_test.conditions import ConditionError, evaluate
from station_plugins.tunnel_test.execution import CallTimeout, RunStopped  # noqa: F401
from station_plugins.tunnel_test.judging import judge_all
from station_plugins.tunnel_test.sequence_model import Step


class StepContext:
    """What a Python step function gets: drivers, earlier outputs, a way to attach."""

    def __init__(self, runner: "StepRunner", step: Step) -> None:
        self._runner, self.step = runner, step
        self.results = runner.outputs
        self.unit = runner.unit
        self.token = runner.token

    def call(self, name: str, **args: Any) -> dict:
        return self._runner.drivers.call(name, args, self.step.timeout_s)

    def read(self, name: str) -> Any:
        return self._runner.drivers.read([name])[name]


def _scalars(outputs: dict) -> dict:
    out: dict[str, Any] = {}
    for k, v in outputs.items():
        if isinstance(v, (bool, int, float, str)) or v is None:
            out[k] = v
        elif isinstance(v, np.generic):
            out[k] = v.item()
        elif isinstance(v, (list, tuple)) and len(v) <= 32 and all(
                isinstance(x, (int, float)) for x in v):
            out[k] = list(v)
        elif isinstance(v, dict) and len(v) <= 32:
            out[k] = {kk: (vv.item() if isinstance(vv, np.generic) else vv) for kk, vv in v.items()
                      if isinstance(vv, (bool, int, float, str, np.generic))}
    return out


class StepRunner:
    def __init__(self, *, run_id: str, drivers: Any, worker: Any, emit: Callable,
                 unit: dict, params: dict, token: Any, attachments_dir: Path,
                 classifiers: Any, locks: Any, prompt: Callable[[dict], dict] | None,
                 stop_check: Callable[[], None]) -> None:
        self.run_id, self.drivers, self.worker, self.emit = run_id, drivers, worker, emit
        self.unit, self.params, self.token = unit, params, token
        self.attachments_dir, self.classifiers, self.locks = attachments_dir, classifiers, locks
        self.prompt_handler, self.stop_check = prompt, stop_check
        self.outputs: dict[str, dict] = {}
        self.verdicts: dict[str, str] = {}
        self.review_items: list[str] = []

    # --- helpers ------------------------------------------------------------------
    def drivers_grace(self, timeout_s: float) -> float:
        return timeout_s * getattr(self.drivers, "timeout_factor", 1.0) + \
            getattr(self.drivers, "timeout_grace_s", 0.0)

    def _condition(self, text: str) -> bool:
        return evaluate(text, unit=self.unit, results=self.outputs, verdicts=self.verdicts,
                        params=self.params,
                        read=lambda n: self.worker.call(lambda: self.drivers.read([n])[n],
                                                        5.0, f"read('{n}')"))

    def _attach(self, step: Step, attempt: int) -> Callable[[str, np.ndarray], dict]:
        def attach(name: str, arr: np.ndarray) -> dict:
            data = array_to_bytes(np.asarray(arr))
            folder = self.attachments_dir / self.run_id
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{step.key}.{name}.a{attempt}.npy"
            with open(path, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            return {"file": path.name, "sha256": sha256_hex(data), "bytes": len(data),
                    "shape": list(np.shape(arr)), "dtype": str(np.asarray(arr).dtype)}
        return attach

    def _act(self, step: Step) -> dict:
        a = step.action
        if a is None:
            return {}
        if a.driver:
            # the driver enforces the step timeout itself (and may wait for a
            # reconnection first); the worker timeout is the backstop for a driver that
            # blocks without one
            return self.worker.call(lambda: self.drivers.call(a.driver, dict(a.args),
                                                              step.timeout_s),
                                    self.drivers_grace(step.timeout_s),
                                    f"driver call '{a.driver}'")
        mod, _, fn_name = a.python.partition(":")
        fn = getattr(importlib.import_module(mod), fn_name)
        ctx = StepContext(self, step)
        result = self.worker.call(lambda: fn(ctx, **a.args), step.timeout_s,
                                  f"step function '{a.python}'")
        if not isinstance(result, dict):
            raise TypeError(f"step function '{a.python}' returned {type(result).__name__}, "
                            f"not a dict of outputs")
        return result

    def _ask(self, step: Step, attempt: int) -> dict:
        p = step.prompt
        assert p is not None   # _ask runs for prompt steps only
        zh = {k: v for k, v in (("text_zh", p.text_zh), ("choices_zh", list(p.choices_zh)))
              if v}                                  # format 2: the plant's words
        asked = self.emit([{"kind": "prompt", "step": step.key, "attempt": attempt,
                            "text": p.text, "choices": list(p.choices), "image": p.image,
                            **zh}])
        if self.prompt_handler is None:
            raise DeviceError("this run has no operator to answer prompts",
                              code="PH-TT-PROMPT")
        answer = self.prompt_handler(asked[-1])
        self.stop_check()
        choice = answer.get("choice")
        if choice not in p.choices:
            raise DeviceError(f"prompt answer {choice!r} is not one of the choices")
        self.emit([{"kind": "prompt_answer", "step": step.key, "attempt": attempt,
                    "choice": choice, "user": answer.get("user", ""),
                    "pass": choice in p.pass_choices}])
        return {"answer": choice, "answer_pass": choice in p.pass_choices}

    # --- one step --------------------------------------------------------------------
    def run(self, step: Step, *, group_attempt: int = 1) -> Verdict:
        self.stop_check()
        try:
            skip = (step.run_if and not self._condition(step.run_if)) or \
                (step.skip_if and self._condition(step.skip_if))
        except (ConditionError, PharosError) as exc:
            return self._end(step, Verdict.ERROR, f"condition: {exc}", started=False)
        if skip:
            return self._end(step, Verdict.SKIP, "condition", started=False)
        self.emit([{"kind": "step_start", "step": step.key, "title": step.title,
                    **({"title_zh": step.title_zh} if step.title_zh else {}),
                    "group": step.group, "phase": step.phase,
                    "group_attempt": group_attempt}])
        if step.precondition:
            try:
                ok = self._condition(step.precondition)
            except (ConditionError, PharosError) as exc:
                return self._end(step, Verdict.ERROR, f"precondition: {exc}")
            if not ok:
                return self._end(step, Verdict.ERROR,
                                 f"precondition not met: {step.precondition}")
        if step.locks:
            with self.locks.hold(step.locks) as waited:
                return self._attempts(step, lock_wait_s=waited)
        return self._attempts(step)

    def _attempts(self, step: Step, lock_wait_s: float = 0.0) -> Verdict:
        verdict, reason, pending = Verdict.ERROR, "", list[dict]()
        for n in range(1, step.retries + 2):
            self.stop_check()
            verdict, reason, timed_out, pending = self._attempt(step, n, lock_wait_s)
            if timed_out:
                self._end(step, Verdict.ERROR, reason, pre=pending)
                raise RunStopped("error", reason)
            if verdict.value not in step.retry_on or n > step.retries:
                break
            self.emit(pending)          # this attempt is final on disk before the retry
            pending = []
        return self._end(step, verdict, reason, pre=pending)

    def _attempt(self, step: Step, n: int, lock_wait_s: float
                 ) -> tuple[Verdict, str, bool, list[dict]]:
        t0 = time.perf_counter()
        events: list[dict] = []
        outputs: dict = {}
        error = ""
        timed_out = False
        try:
            outputs = self._act(step)
            if step.prompt is not None:
                outputs.update(self._ask(step, n))
        except CallTimeout as exc:
            error, timed_out = str(exc), True
        except RunStopped:
            raise
        except PharosError as exc:
            error = f"{exc.code}: {exc.message}"
        except Exception as exc:  # noqa: BLE001 - a raising step is an ERROR, recorded
            error = f"{type(exc).__name__}: {exc}"
        if error:
            verdict, measurements = Verdict.ERROR, []
        else:
            specs = step.measurements
            if not specs and step.prompt is not None:
                verdict = Verdict.PASS if outputs.get("answer_pass") else Verdict.FAIL
                measurements = [{"name": "answer", "unit": "text", "type": "text",
                                 "value": outputs.get("answer"),
                                 "limits": {"equals": list(step.prompt.pass_choices)},
                                 "limits_text": " | ".join(step.prompt.pass_choices),
                                 "verdict": verdict.value}]
            else:
                measurements, verdict = judge_all(specs, outputs, self._attach(step, n))
                if step.prompt is not None and not outputs.get("answer_pass"):
                    verdict = Verdict.worst([verdict, Verdict.FAIL])
                if not specs:
                    verdict = Verdict.PASS
        events.extend({"kind": "measurement", "step": step.key, "attempt": n, **m}
                      for m in measurements)
        if step.ai is not None and not error:
            ai = ai_step.judge(step.ai, outputs, self.classifiers.get(step.ai.onnx),
                               engineering=verdict, token=self.token,
                               timeout_error=getattr(self.classifiers, "timeout_error",
                                                     TimeoutError))
            verdict, review = ai_step.step_verdict_with_ai(verdict, ai)
            if review:
                self.review_items.append(step.key)
            events.append({"kind": "ai_verdict", "step": step.key, "attempt": n,
                           "review": review, **ai})
        events.append({"kind": "attempt", "step": step.key, "attempt": n,
                       "verdict": verdict.value, "error": error,
                       "duration_ms": round((time.perf_counter() - t0) * 1e3, 3),
                       "lock_wait_s": round(lock_wait_s, 3), "outputs": _scalars(outputs)})
        if not error:
            self.outputs[step.key] = outputs
        return verdict, error, timed_out, events

    def _end(self, step: Step, verdict: Verdict, reason: str, *, started: bool = True,
             pre: list[dict] | None = None) -> Verdict:
        self.verdicts[step.key] = verdict.value
        self.emit([*(pre or []), {"kind": "step_end", "step": step.key, "verdict": verdict.value,
                    "reason": reason, "group": step.group, "phase": step.phase,
                    "started": started}], defer=True)
        return verdict
