"""The arrangement optimiser: seeds -> compiled annealing -> exact LAP polish, with a
Lagrangian lower bound computed on the second core at the same time.

``solve(problem, settings, token=..., progress=...)`` returns a :class:`Solution` whose
``gap`` is certified: (objective - lower_bound) / lower_bound.
The arrangement is deterministic for a seed as long as neither the time limit nor a
cancel cuts a phase (``Solution.cut_by_time`` says so). The bound's subgradient steps aim
at the annealer's best value so far, so the bound's last digits may vary with timing;
it is certified either way.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from app.core.errors import Cancelled, InputRejected
from app.core.tasks import CancelToken, no_progress
from station_plugins.detector_matching.anneal import (anneal_chunk, path_cost, sample_uphill,
                                                     shift_bounds)
from station_plugins.detector_matching import dual_store, kernels
from station_plugins.detector_matching.bounds import BoundResult, lagrangian_bound
from station_plugins.detector_matching.costs import MatchProblem
from station_plugins.detector_matching.parallel_anneal import ChainPair
from station_plugins.detector_matching.lap import hungarian
from station_plugins.detector_matching.seeds import complete_perm, greedy_chain, lap_polish


@dataclass(frozen=True)
class OptimiserSettings:
    seed: int = 0
    time_limit: float = 5.0          # seconds, whole solve
    moves_per_slot: int = 35_000     # annealing budget = moves_per_slot * n, both chains
    chunk_moves: int = 100_000       # both chains together; the elite restart follows each
    max_segment: int = 32
    move_mix: tuple = (0.70, 0.05, 0.05, 0.10, 0.0, 0.05)   # guided, swap, exchange,
    insertion_share: float = 0.05                             # block swap, reverse, rotate
    candidates: int = 5              # guided moves: best successors / predecessors per module
    guided_swap_share: float = 0.3   # guided moves done by a swap; the rest move a segment
    guided_segment: int = 8          # longest segment a guided move carries
    guided_window: int = 0           # widest stretch it may shift (0: the whole arc)
    t_start_factor: float = 0.04     # T0 = factor * mean uphill swap delta (physics cost)
    t_start_factor_learned: float = 0.02   # the same for the learned neighbour cost
    t_end_factor: float = 0.0025
    anneal_threads: int = 2          # 2: two chains on two threads, sharing their best
    sync_every: int = 1              # chunks between the chains' elite restarts
    bound: bool = True
    bound_iterations: int = 400      # per 5 s of limit: in practice the clock ends it
    bound_threads: int = 2           # each DP as two halves on two threads (same values)
    polish: bool = True
    seed_polish_share: float = 0.1   # most of the limit the start's LAP polish may use
    budget_reference_s: float = 5.0  # moves_per_slot is for this limit (0: fixed budget)


@dataclass
class Solution:
    perm: np.ndarray                  # (m,) slots first, then spares (candidate indices)
    objective: float
    slot_cost: float
    neighbour_cost: float
    lower_bound: float
    gilmore_lawler: float
    gap: float                        # (objective - lower_bound) / lower_bound
    seconds: float
    feasible: bool
    seed: int
    cut_by_time: bool = False
    moves: int = 0
    seeds: dict = field(default_factory=dict)     # seed name -> objective
    bound_iterations: int = 0
    cpu_seconds: dict = field(default_factory=dict)   # thread CPU time: annealing, bound
    compile_seconds: float = 0.0      # kernels loaded / compiled before the clock started
    bound_start: str = ""             # the ascent's start: gilmore_lawler | memory | file


def finite_costs(p: MatchProblem) -> tuple[np.ndarray, np.ndarray, float]:
    fc = p.c[np.isfinite(p.c)]
    fd = p.d[np.isfinite(p.d)]
    scale = (abs(fc).max() if fc.size else 1.0) + (abs(fd).max() if fd.size else 1.0)
    big = 1e4 * max(scale, 1.0)
    C = np.where(np.isfinite(p.c), p.c, big)
    D = np.where(np.isfinite(p.d), p.d, big)
    return np.ascontiguousarray(C), np.ascontiguousarray(D), big


def _fixed_arrays(fixed: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    free_pos = np.flatnonzero(fixed < 0).astype(np.int64)
    next_fixed = np.full(n + 1, n, dtype=np.int64)
    for s in range(n - 1, -1, -1):
        next_fixed[s] = s if fixed[s] >= 0 else next_fixed[s + 1]
    return free_pos, next_fixed


def neighbour_lists(D: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each module's k best successors (by d[i, .]) and predecessors (by d[., j])."""
    k = max(1, min(k, D.shape[0] - 1))
    out_nb = np.argpartition(D, k, axis=1)[:, :k].astype(np.int64)
    in_nb = np.argpartition(D.T, k, axis=1)[:, :k].astype(np.int64)
    return np.ascontiguousarray(out_nb), np.ascontiguousarray(in_nb)


def _is_feasible(p: MatchProblem, perm: np.ndarray) -> bool:
    n = p.n
    a = perm[:n]
    if len(set(a.tolist())) != n:
        return False
    if not np.isfinite(p.c[np.arange(n), a]).all():
        return False
    return bool(np.isfinite(p.d[a[:-1], a[1:]]).all())


_DUALS = dual_store.MEMORY        # costs' hash -> the bound's last prices (dual_store)


def _costs_key(C: np.ndarray, D: np.ndarray, lam: np.ndarray) -> str:
    h = hashlib.sha1()
    for a in (C, D, lam):
        h.update(np.ascontiguousarray(a).tobytes())
        h.update(str(a.shape).encode())
    return h.hexdigest()


class _Stop:
    """Cancel token for the bound thread: the user's cancel, or the solve's end."""

    def __init__(self, token: CancelToken) -> None:
        self.token = token
        self.stop = False

    @property
    def cancelled(self) -> bool:
        return self.stop or self.token.cancelled


_bound_threads: set[threading.Thread] = set()   # the bound threads still running
_bound_lock = threading.Lock()


def wait_for_bound_threads(timeout: float) -> bool:
    """Wait (at most ``timeout`` seconds in all) for the bound threads of finished or
    cancelled solves: each ends after its current DP iteration once its solve is over.
    The station's shutdown calls this, so that no bound thread is still working when the
    interpreter exits. True: none is left."""
    end = time.monotonic() + max(0.0, timeout)
    with _bound_lock:
        threads = list(_bound_threads)
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    return not any(t.is_alive() for t in threads)


def solve(p: MatchProblem, settings: OptimiserSettings = OptimiserSettings(), *,
          token: CancelToken | None = None, progress: Callable[[float, str], None] = no_progress,
          start: np.ndarray | None = None, clock_start: float | None = None) -> Solution:
    """Optimise. The compiled kernels are made ready first (loaded from the cache, or
    compiled: ``kernels.ensure_ready``) and only then the clock starts, unless the caller
    started it (``clock_start``, a ``time.perf_counter()`` value taken after its own
    ``ensure_ready``): the answer comes ``settings.time_limit`` seconds after the clock
    started (plus the last annealing chunk or DP iteration, ~10-50 ms)."""
    warm = kernels.ensure_ready()
    sol = _solve_timed(p, settings, token=token, progress=progress, start=start,
                       clock_start=clock_start)
    sol.compile_seconds = warm.seconds
    return sol


def _budget(settings: OptimiserSettings, n: int) -> int:
    """Annealing moves: ``moves_per_slot`` per slot for a ``budget_reference_s`` limit,
    in proportion to the limit (x 0.1 .. x 4): a longer limit searches longer."""
    if settings.budget_reference_s <= 0:
        return settings.moves_per_slot * n
    scale = min(4.0, max(0.1, settings.time_limit / settings.budget_reference_s))
    return max(1, int(settings.moves_per_slot * n * scale))


def _bound_iterations(settings: OptimiserSettings) -> int:
    """``bound_iterations`` per ``budget_reference_s`` of limit (x 1 .. x 4): a longer
    limit also tightens the bound."""
    if settings.budget_reference_s <= 0:
        return settings.bound_iterations
    scale = min(4.0, max(1.0, settings.time_limit / settings.budget_reference_s))
    return int(round(settings.bound_iterations * scale))


def _solve_timed(p: MatchProblem, settings: OptimiserSettings, *,
                 token: CancelToken | None = None, progress: Callable[[float, str], None] = no_progress,
                 start: np.ndarray | None = None, clock_start: float | None = None) -> Solution:
    token = token or CancelToken()
    stop = _Stop(token)
    try:
        return _solve_run(p, settings, token, stop, progress, start, clock_start)
    finally:
        stop.stop = True       # whatever ended the solve (cancel, error): the bound ends too


def _solve_run(p: MatchProblem, settings: OptimiserSettings, token: CancelToken, stop: _Stop,
               progress: Callable[[float, str], None], start: np.ndarray | None,
               clock_start: float | None) -> Solution:
    t0 = time.perf_counter() if clock_start is None else clock_start
    n, m = p.n, p.m
    if m < n:
        raise InputRejected(f"{m} candidate modules for {n} slots.", code="DM-SHORT")
    deadline = t0 + settings.time_limit
    C, D, big = finite_costs(p)
    lam = np.ascontiguousarray(p.lam, dtype=float)
    fixed = p.fixed.astype(np.int64)
    free_pos, next_fixed = _fixed_arrays(fixed, n)
    fixed_mask = fixed >= 0
    out_nb, in_nb = neighbour_lists(D, settings.candidates)

    bound_box: dict = {}
    have_bound = threading.Event()
    best_known: list[float] = [np.inf]      # the annealer's best, read by the bound thread
    bound_thread = None
    if settings.bound:
        def live(it: int, value: float) -> None:      # the best bound so far, certified
            bound_box["live"] = (it, value)
            if it == 0:
                bound_box["gl"] = value
                have_bound.set()

        def run_bound() -> None:
            try:
                bound_work()
            finally:
                with _bound_lock:
                    _bound_threads.discard(threading.current_thread())

        def bound_work() -> None:
            # the same costs optimised again (the panel's "optimise" after an edit or a
            # lock, `pharos match run` of the same pool): the dual ascent continues where
            # the last run stopped (in this process, or one before it: dual_store)
            c0 = time.thread_time()
            key = _costs_key(C, D, lam)
            start_prices, source = dual_store.load(key, C.shape[1])
            bound_box["start"] = source or "gilmore_lawler"
            r = lagrangian_bound(
                C, D, lam, lambda: best_known[0], iterations=_bound_iterations(settings),
                time_limit=max(0.05, deadline - time.perf_counter() - 0.05), token=stop,
                on_iteration=live, start=start_prices, threads=settings.bound_threads)
            if r.state is not None:
                dual_store.save(key, r.state)      # before "r": the solve's join waits
            bound_box["r"] = r
            bound_box["cpu"] = time.thread_time() - c0
        bound_thread = threading.Thread(target=run_bound, name="dm-bound", daemon=True)

    progress(0.0, "seeding")
    seeds = {"greedy_chain": greedy_chain(C, D, lam, fixed)}
    if start is not None:
        seeds["given"] = np.asarray(start, dtype=np.int64).copy()
    seed_obj = {k: float(path_cost(v, C, D, lam, n)) for k, v in seeds.items()}
    best_name = min(seed_obj, key=lambda k: seed_obj[k])
    perm = seeds[best_name].copy()
    best_known[0] = seed_obj[best_name]
    if bound_thread is not None:
        with _bound_lock:
            _bound_threads.add(bound_thread)
        bound_thread.start()
    # the linear assignment on slot costs alone is a reported baseline (never a good
    # start: 50-80 % above the best known): computed on its own thread (numba, no GIL)
    lap_box: dict = {}
    lap_thread = threading.Thread(
        target=lambda: lap_box.__setitem__("perm", complete_perm(hungarian(C)[0], m)),
        name="dm-lap-baseline", daemon=True)
    lap_thread.start()
    polish_reserve = 0.02 + 3e-4 * n
    lap_estimate = 5e-5 * n              # one polish LAP at n slots, idle machine
    if settings.polish:
        # at most a tenth of the limit: on a busy machine the polished seed alone could
        # take a short limit, and the annealing from it is what improves the arrangement
        perm = lap_polish(perm, C, D, lam, fixed, max_rounds=3, token=token,
                          lap_estimate=lap_estimate,
                          deadline=min(deadline - polish_reserve, time.perf_counter()
                                       + settings.seed_polish_share * settings.time_limit
                                       + lap_estimate))
    upper = float(path_cost(perm, C, D, lam, n))
    best_known[0] = upper

    best_perm = perm.copy()
    current = best = upper
    total = _budget(settings, n)
    moves = 0
    cut = False
    uphill = sample_uphill(perm.copy(), C, D, lam, n, free_pos, 2000, settings.seed)
    if uphill <= 0 or uphill > big / 10:
        uphill = max(1e-6, abs(upper) / max(n, 1) * 0.1)
    t_hi = uphill * (settings.t_start_factor_learned if p.cost_source == "learned"
                     else settings.t_start_factor)
    t_lo = settings.t_end_factor * uphill
    chunk = 0
    CT = np.ascontiguousarray(C.T)       # module-major slot costs (long or-opt moves)
    SB = shift_bounds(C, settings.guided_segment)
    guided = np.array([settings.guided_swap_share, settings.guided_segment,
                       settings.guided_window if settings.guided_window > 0 else n],
                      dtype=float)
    mix = np.cumsum(np.asarray(settings.move_mix, dtype=float))
    mix = mix / (mix[-1] + settings.insertion_share)
    sa_start = time.perf_counter()
    cpu0 = time.thread_time()
    sa_end = deadline - polish_reserve
    sa_budget = max(1e-3, sa_end - sa_start)
    frac = 0.0            # schedule position: max(moves done / budget, time used / time)
    rate = 0.0            # seconds per move of the last chunk
    parallel = (ChainPair(perm, current, settings.sync_every)
                if settings.anneal_threads > 1 and free_pos.size >= 2 else None)
    try:
        while frac < 1.0 and moves < total and free_pos.size >= 2:
            if token.cancelled:
                raise Cancelled("Optimisation cancelled.")
            k = min(settings.chunk_moves, total - moves)
            if chunk == 0:                  # a short first chunk measures the move rate
                k = min(k, max(2_000, settings.chunk_moves // 10))
            now = time.perf_counter()
            left = sa_end - now
            if rate > 0 and k * rate > left / 3:
                # anytime: near the deadline a chunk is cut to a third of what the clock
                # has left, so a chunk that runs slower than the last one (a busy
                # machine: other processes take the cores) overruns by little
                k = int(left / 3 / rate)
                cut = True
                if k < 2_000:
                    break
            elif left <= 0:
                cut = True
                break
            # the schedule follows whichever is further on: the move budget or the clock
            # (a busy machine, a short limit): the search always ends cold at the deadline
            f0 = frac
            f1 = (moves + k) / total
            time_f1 = (now - sa_start + k * rate) / sa_budget
            if time_f1 > f1:
                cut = True
                f1 = min(1.0, time_f1)
            ts = t_hi * (t_lo / t_hi) ** f0
            te = t_hi * (t_lo / t_hi) ** f1
            t_chunk = time.perf_counter()
            chunk_seed = settings.seed * 100_003 + chunk
            if parallel is not None:
                chain_best, best = parallel.phase(C, D, lam, n, fixed_mask, free_pos,
                                                  next_fixed, out_nb, in_nb, k // 2, ts, te,
                                                  chunk_seed, settings.max_segment, mix,
                                                  guided, CT, SB)
                best_perm[:] = chain_best
            else:
                current, best, _ = anneal_chunk(perm, best_perm, C, D, lam, n, fixed_mask,
                                                free_pos, next_fixed, out_nb, in_nb, k, ts, te,
                                                chunk_seed, settings.max_segment, current, best,
                                                mix, guided, CT, SB)
                current = float(path_cost(perm, C, D, lam, n))   # drift-free bookkeeping
            rate = (time.perf_counter() - t_chunk) / max(k, 1)
            best_known[0] = min(best_known[0], best)
            moves += k
            chunk += 1
            frac = f1
            progress(0.05 + 0.85 * frac, f"annealing: best {best:.4f}")
    finally:
        if parallel is not None:
            parallel.close()
    sa_cpu = time.thread_time() - cpu0 + (parallel.cpu if parallel is not None else 0.0)
    perm = best_perm
    if settings.polish:
        progress(0.92, "polishing (exact LAP neighbourhoods)")
        perm = lap_polish(perm, C, D, lam, fixed, token=token, deadline=deadline - 0.01,
                          lap_estimate=lap_estimate)
    if token.cancelled:
        raise Cancelled("Optimisation cancelled.")
    slot_cost = float(p.c[np.arange(n), perm[:n]].sum())
    nb = float((p.lam * p.d[perm[:n - 1], perm[1:n]]).sum()) if n > 1 else 0.0
    objective = slot_cost + nb
    best_known[0] = min(best_known[0], objective)
    b = None
    if bound_thread is not None:
        progress(0.96, "waiting for the lower bound")
        bound_thread.join(max(0.0, deadline - time.perf_counter()))
        if not have_bound.is_set():        # not even Gilmore-Lawler yet (a very busy
            have_bound.wait(max(0.0, deadline + 0.04 * settings.time_limit  # machine)
                                - time.perf_counter()))
        stop.stop = True                   # the bound ends after its current DP iteration
        b = bound_box.get("r")
        if b is None:                      # still in an iteration: its best so far
            it, live_value = bound_box.get("live", (0, -np.inf))
            gl0 = bound_box.get("gl", -np.inf)
            b = BoundResult(gl0, live_value, it, time.perf_counter() - t0, []) \
                if np.isfinite(max(live_value, gl0)) else None
    gl = b.gilmore_lawler if b else float("nan")
    lb = b.value if b else float("nan")
    if b is not None and (b.timed_out or bound_box.get("r") is None):
        cut = True                         # the bound was stopped by the clock
    gap = (objective - lb) / abs(lb) if b and lb and np.isfinite(objective) else float("nan")
    lap_thread.join(max(0.0, deadline - time.perf_counter()))
    if "perm" in lap_box:
        seed_obj = {"linear_assignment": float(path_cost(lap_box["perm"], C, D, lam, n)),
                    **seed_obj}
    else:
        seed_obj = {"linear_assignment": float("nan"), **seed_obj}
    progress(1.0, "done")
    return Solution(perm=perm, objective=objective, slot_cost=slot_cost, neighbour_cost=nb,
                    lower_bound=lb, gilmore_lawler=gl, gap=gap,
                    seconds=time.perf_counter() - t0, feasible=_is_feasible(p, perm),
                    seed=settings.seed, cut_by_time=cut, moves=moves, seeds=seed_obj,
                    bound_iterations=b.iterations if b else 0,
                    cpu_seconds={"anneal": sa_cpu, "bound": bound_box.get("cpu", 0.0)},
                    bound_start=bound_box.get("start", ""))


def _exercise() -> None:
    """A tiny solve through the same code paths (so the same argument types) as a real
    one: both annealing chains, the single-chain path, the bound, the LAP, the polish."""
    from station_plugins.detector_matching.detector_models import DetectorLayout
    rng = np.random.default_rng(0)
    n, m = 12, 14
    d = rng.random((m, m))
    np.fill_diagonal(d, np.inf)
    p = MatchProblem(c=rng.random((n, m)), d=d, lam=0.5 + rng.random(n - 1),
                     fixed=np.full(n, -1, dtype=np.int64), serials=[f"W{i}" for i in range(m)],
                     lots=["W"] * m, layout=DetectorLayout(name="warm-up", slots=n))
    for threads in (2, 1):
        _solve_timed(p, OptimiserSettings(time_limit=60, moves_per_slot=200, chunk_moves=1000,
                                          bound_iterations=2, anneal_threads=threads),
                     clock_start=None)


kernels.register_exercise(_exercise)
