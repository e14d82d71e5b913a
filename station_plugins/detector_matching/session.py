"""The station's working state, Qt-free: pool, current and previous arrangement, manual
lock / swap with instant recompute, approval with an e-signature and the idempotent
MES outbox + trace records. The panel only renders this and starts long work.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import InputRejected, ValidationError
from app.core.ids import content_hash
from station_plugins.detector_matching.costs import MatchProblem, artifact_profile, build_problem
from station_plugins.detector_matching.detector_models import DetectorLayout, load_layout
from station_plugins.detector_matching.importer import ModulePool, import_pool
from station_plugins.detector_matching.optimiser import OptimiserSettings, Solution
from station_plugins.detector_matching.result import MatchResult, Weakness, weakness
from station_plugins.detector_matching.workflow import MatchInputs, evaluate

ARRANGEMENT_KIND = "detector_matching.arrangement"
MES_KIND = "detector_matching.mes_message"
TRACE_KIND = "detector_matching.trace"
_NS = uuid.UUID("6f1d3c1e-2b7a-4d59-9a57-0d1c4b8e2a10")


@dataclass(eq=False)
class Arrangement:
    """An arrangement and how it came about: ``kind`` is ``optimised`` (args: seed),
    ``batch`` (detector, meets_spec) or ``swap`` (a, b); the panel words it in the user's
    language, ``label`` is the English wording (logs, tests)."""
    kind: str
    args: dict
    solution: Solution
    no: int = 0                 # number in the session's history (1, 2, ...)

    @property
    def label(self) -> str:
        return f"#{self.no} {self.origin}" if self.no else self.origin

    @property
    def origin(self) -> str:
        a = self.args
        if self.kind == "restored":
            return f"restored #{a['no']}"
        if self.kind == "optimised":
            return f"optimised (seed {a['seed']})"
        if self.kind == "batch":
            state = "meets spec" if a["meets_spec"] else "does NOT meet spec"
            return f"batch detector {a['detector']} ({state})"
        if self.kind == "swap":
            return f"manual swap {a['a']}<->{a['b']}"
        return self.kind

    @property
    def perm(self) -> np.ndarray:
        return self.solution.perm


class MatchSession:
    def __init__(self, ctx: Any, *, learned: Any = None, learned_reason: str = "") -> None:
        self.ctx = ctx
        self.learned = learned
        self.learned_reason = learned_reason
        self.pool: ModulePool | None = None
        self.layout: DetectorLayout = load_layout()
        self.problem: MatchProblem | None = None
        self.result: MatchResult | None = None
        self.current: Arrangement | None = None
        self.previous: Arrangement | None = None
        self.approved_record_id: str | None = None
        self.batch: Any = None                  # the last BatchResult
        self.batch_detector: int | None = None  # 1-based, while editing a batch detector
        # every arrangement of the current candidate set, oldest first (to compare any two
        # or go back to one); cleared when the pool, the model or the candidates change
        self.history: list[Arrangement] = []
        self._numbered = 0
        self._bound_locks: dict = {}          # the locks the current bound was computed under

    HISTORY_LIMIT = 50

    def _make_current(self, arr: Arrangement, *, keep_history: bool = True) -> Arrangement:
        """``arr`` becomes the current arrangement, numbered and kept in the history; the
        one it replaces becomes ``previous``."""
        if not keep_history:
            self.history = []
        self._numbered += 1
        arr.no = self._numbered
        self.previous = self.current if keep_history else None
        self.current = arr
        self.history = (self.history + [arr])[-self.HISTORY_LIMIT:]
        self.approved_record_id = None
        return arr

    def restore(self, no: int) -> Arrangement:
        """Make arrangement ``#no`` of the history current again (re-evaluated on the
        current costs and locks, so a lock set since then shows as infeasible)."""
        p = self._need()
        old = next((a for a in self.history if a.no == no), None)
        if old is None:
            raise ValidationError(f"Arrangement #{no} is not in this session's history.")
        sol = evaluate(p, old.perm, self.lower_bound, seed=old.solution.seed)
        return self._make_current(Arrangement("restored", {"no": no}, sol))

    def arrangement(self, no: int) -> Arrangement | None:
        return next((a for a in self.history if a.no == no), None)

    # --- data -----------------------------------------------------------------------
    def import_pool(self, path: str | Path, *, strict: bool = False) -> ModulePool:
        self.ctx.require("import")
        return self.accept_pool(import_pool(path, strict=strict))

    def import_pool_db(self, url: str, table: str, *, strict: bool = False) -> ModulePool:
        """Import from the MES / test database (long-format table; see pool_db)."""
        from station_plugins.detector_matching.pool_db import import_pool_db
        self.ctx.require("import")
        return self.accept_pool(import_pool_db(url, table, strict=strict))

    def accept_pool(self, pool: ModulePool) -> ModulePool:
        """Take a pool read elsewhere (e.g. in the background); role checked by the caller."""
        self.ctx.require("import")
        self.pool = pool
        self.problem = self.result = self.current = self.previous = self.batch = None
        self.approved_record_id = self.batch_detector = None
        self.history = []
        prefetch = getattr(self.learned, "prefetch", None)
        if prefetch is not None:     # the learned costs before any optimisation's clock
            prefetch(pool.values)
        return self.pool

    def set_layout(self, layout: DetectorLayout) -> None:
        self.layout = layout
        self.problem = self.result = self.current = self.previous = self.batch = None
        self.batch_detector = None
        self.history = []

    def inputs(self, settings: OptimiserSettings, cost: str = "auto") -> MatchInputs:
        self.ctx.require("optimise")
        if self.pool is None:
            raise ValidationError("Import a module pool first.")
        start = None
        if self.current is not None and self.problem is not None:
            start = [self.problem.serials[i] for i in self.current.perm[:self.problem.n]]
        return MatchInputs(pool=self.pool, layout=self.layout, settings=settings, cost=cost,
                           learned=self.learned, learned_unavailable_reason=self.learned_reason,
                           start_serials=start)

    def accept_result(self, result: MatchResult) -> None:
        same = (self.problem is not None and self.problem.serials == result.problem.serials
                and self.problem.n == result.problem.n)
        self.result = result
        self.problem = result.problem
        self._bound_locks = dict(result.problem.layout.fixed_slots)
        self._make_current(Arrangement("optimised", {"seed": result.solution.seed},
                                       result.solution), keep_history=same)
        self.batch_detector = None

    # --- batch mode ----------------------------------------------------------------
    def accept_batch(self, result: Any) -> None:
        self.batch = result

    def open_batch_detector(self, index: int) -> Arrangement:
        """Make detector ``index`` (0-based) of the last batch the current arrangement,
        to inspect, edit, approve and send like any other. Its lower bound is unknown
        (the batch bound is for all detectors together), so no gap is claimed."""
        b = self.batch
        if b is None or b.problem is None:
            raise ValidationError("Build detectors in batch mode first.")
        if not 0 <= index < len(b.detectors):
            raise ValidationError(f"There is no detector {index + 1} in this batch.")
        p = b.problem
        slots = np.asarray(b.arrangements[index], dtype=np.int64)
        rest = np.setdiff1d(np.arange(p.m), slots)
        sol = evaluate(p, np.concatenate([slots, rest]), float("nan"), seed=b.solution.seed)
        same = (self.problem is not None and self.problem.serials == p.serials
                and self.problem.n == p.n)
        self.layout = replace(self.layout, fixed_slots={})
        self.problem, self.result = p, None
        self._make_current(Arrangement("batch", {"detector": index + 1,
                                                 "meets_spec": bool(b.detectors[index]["meets_spec"])},
                                       sol), keep_history=same)
        self.batch_detector = index + 1
        return self._current()

    # --- manual edits (instant) -----------------------------------------------------
    @property
    def bound_valid(self) -> bool:
        """The optimisation's lower bound holds for the current problem only while every
        lock it was computed under is still set (a lock adds a constraint; releasing one
        the optimisation had relaxes the problem below the bound)."""
        if self.result is None:
            return False
        now = self.layout.fixed_slots
        return all(now.get(k) == v for k, v in self._bound_locks.items())

    @property
    def weakness(self) -> Weakness | None:
        """Why the current arrangement is weak (None: certified within the detector
        model's ``weak_gap``). A batch detector has no bound of its own: it is weak when
        it does not meet the batch's spec."""
        if self.current is None:
            return None
        sol = self.current.solution
        if self.batch_detector is not None and self.batch is not None:
            per_slot = sol.objective / max(1, self._need().n)
            if per_slot <= self.batch.spec_cost_per_slot:
                return None
            return Weakness(float("nan"), self.layout.weak_gap, self.layout.name,
                            note=f"batch detector {self.batch_detector} does not meet the "
                            f"spec: {per_slot:.4f} per slot > {self.batch.spec_cost_per_slot:.4f}")
        return weakness(sol.gap if self.bound_valid else float("nan"), self.layout)

    @property
    def lower_bound(self) -> float:
        return self.result.solution.lower_bound if self.bound_valid and self.result is not None else float("nan")

    def _edited(self, perm: np.ndarray, kind: str, args: dict) -> Arrangement:
        assert self.problem is not None and self.current is not None
        sol = evaluate(self.problem, perm, self.lower_bound, seed=self.current.solution.seed)
        return self._make_current(Arrangement(kind, args, sol))

    def swap(self, slot_a: int, slot_b: int) -> Arrangement:
        p = self._need()
        if p.fixed[slot_a] >= 0 or p.fixed[slot_b] >= 0:
            raise ValidationError(f"Slot {slot_a if p.fixed[slot_a] >= 0 else slot_b} is "
                                  "locked; unlock it before swapping.")
        perm = self._current().perm.copy()
        perm[slot_a], perm[slot_b] = perm[slot_b], perm[slot_a]
        return self._edited(perm, "swap", {"a": slot_a, "b": slot_b})

    def toggle_lock(self, slot: int) -> bool:
        """Lock the current module in ``slot`` (or release it); costs are rebuilt, the
        lower bound stays valid (a lock only adds a constraint). Returns locked state."""
        p = self._need()
        fixed = dict(self.layout.fixed_slots)
        if slot in fixed:
            fixed.pop(slot)
        else:
            fixed[slot] = p.serials[self._current().perm[slot]]
        self.layout = replace(self.layout, fixed_slots=fixed)
        d = p.d if p.cost_source == "learned" else None
        new = build_problem(self._the_pool(), self.layout, cost_source=p.cost_source,
                            neighbour_cost=self._pool_d(p) if d is not None else None)
        index = {s: k for k, s in enumerate(new.serials)}
        perm = np.array([index[p.serials[i]] for i in self._current().perm], dtype=np.int64)
        self.problem = new
        sol = evaluate(new, perm, self.lower_bound, seed=self._current().solution.seed)
        old = self._current()
        self.current = Arrangement(old.kind, old.args, sol, no=old.no)
        self.history = ([self.current if a is old else a for a in self.history]
                        if new.serials == p.serials else [self.current])
        return slot in fixed

    def _pool_d(self, p: MatchProblem) -> np.ndarray:
        m = self._the_pool().size
        full = np.full((m, m), np.inf)
        idx = [self._the_pool().serials.index(s) for s in p.serials]
        full[np.ix_(idx, idx)] = p.d
        return full

    def _need(self) -> MatchProblem:
        if self.problem is None or self.current is None:
            raise ValidationError("Optimise an arrangement first.")
        return self.problem

    def _current(self) -> Arrangement:
        if self.current is None:
            raise ValidationError("Optimise an arrangement first.")
        return self.current

    def _the_pool(self) -> ModulePool:
        if self.pool is None:
            raise ValidationError("Import a module pool first.")
        return self.pool

    def profile(self, which: Any = "current") -> dict[str, np.ndarray] | None:
        """Artifact profile of the current / previous arrangement, or of an
        :class:`Arrangement` of the history."""
        arr = (which if isinstance(which, Arrangement) else
               self.current if which == "current" else self.previous)
        if arr is None or self.problem is None:
            return None
        return artifact_profile(self.problem, arr.perm)

    # --- records --------------------------------------------------------------------
    def arrangement_payload(self, detector_serial: str) -> dict:
        p = self._need()
        s = self._current().solution
        slots = [{"slot": k, "module_serial": p.serials[i]}
                 for k, i in enumerate(self._current().perm[:p.n])]
        return {"detector_serial": detector_serial, "detector_model": self.layout.name,
                "pool_sha256": self._the_pool().source_sha256, "cost_source": p.cost_source,
                "objective": s.objective, "lower_bound": s.lower_bound, "gap": s.gap,
                "feasible": s.feasible, "seed": s.seed, "slots": slots}

    def approve(self, detector_serial: str, *, password: str, meaning: str = "approved",
                comment: str = "", weak_reason: str = "") -> tuple[Any, Any]:
        """Store the arrangement record and sign it (re-authentication). A weak
        arrangement (:attr:`weakness`) needs ``weak_reason``: it goes into the signed
        record and the audit trail."""
        self.ctx.require("approve")
        if not detector_serial.strip():
            raise InputRejected("Enter the detector serial number before approving.",
                                code="DM-SERIAL")
        if not self._current().solution.feasible:
            raise ValidationError("This arrangement is not feasible (lock or forbidden pair "
                                  "violated); it cannot be approved.")
        weak = self.weakness
        if weak is not None and not weak_reason.strip():
            raise InputRejected(f"This arrangement is weak ({weak.text()}).", code="DM-WEAK",
                                remedy="Optimise again with a longer time limit, or give the "
                                "reason for approving it anyway.")
        payload = self.arrangement_payload(detector_serial.strip())
        if weak is not None:
            payload["weak"] = {"reason_for_approval": weak_reason.strip(), "why": weak.text(),
                               "gap": weak.gap if weak.certified else None,
                               "threshold": weak.threshold}
        user = self.ctx.user
        signature = self.ctx.signatures.authenticate_signer(user.username, password, meaning)
        with self.ctx.store.write() as conn:
            record = self.ctx.store.add_record(ARRANGEMENT_KIND, payload["detector_serial"],
                                               payload, username=user.username,
                                               ref=content_hash(payload), verdict="PASS",
                                               conn=conn)
            sig = self.ctx.signatures.record(conn, signature, ARRANGEMENT_KIND, record.id,
                                             payload, meaning, comment)
            if weak is not None and self.ctx.audit is not None:
                self.ctx.audit.append("approve_weak_result", ARRANGEMENT_KIND, record.id,
                                      username=user.username, reason=weak_reason.strip(),
                                      new=payload["weak"], conn=conn)
        self.approved_record_id = record.id
        return record, sig

    def send_to_mes(self) -> tuple[Any, bool]:
        """Outbox MES message + trace record for the approved arrangement. Idempotent:
        the message id derives from the arrangement; a second send returns the first."""
        self.ctx.require("send_to_mes")
        if self.approved_record_id is None:
            raise ValidationError("Approve (sign) the arrangement before sending it to the MES.")
        arrangement = self.ctx.store.get_record(self.approved_record_id)
        payload = arrangement.payload
        msg_id = str(uuid.uuid5(_NS, f"{arrangement.subject}:{arrangement.payload_sha256}"))
        existing = self.ctx.store.get_record(msg_id)
        if existing is not None:
            return existing, False
        trace = [{"module_serial": s["module_serial"], "slot": s["slot"],
                  "detector_serial": arrangement.subject} for s in payload["slots"]]
        message = {"message_id": msg_id, "type": "DETECTOR_BUILD_ARRANGEMENT",
                   "detector_serial": arrangement.subject,
                   "detector_model": payload["detector_model"],
                   "arrangement_record_id": arrangement.id,
                   "arrangement_sha256": arrangement.payload_sha256, "slots": trace}
        user = self.ctx.user.username
        with self.ctx.store.write() as conn:
            rec = self.ctx.store.add_record(MES_KIND, arrangement.subject, message,
                                            username=user, ref=arrangement.id,
                                            record_id=msg_id, conn=conn)
            self.ctx.store.add_record(TRACE_KIND, arrangement.subject, {"trace": trace},
                                      username=user, ref=arrangement.id, conn=conn)
            if self.ctx.audit is not None:
                self.ctx.audit.append("send_to_mes", MES_KIND, msg_id, username=user,
                                      new={"detector_serial": arrangement.subject,
                                           "arrangement_record_id": arrangement.id},
                                      conn=conn)
        return rec, True
