"""Two annealing chains at the same time (numba releases the GIL), sharing their best.

Both chains follow the same temperature schedule from the same start, with seeds fixed
by (seed, phase, chain). Every ``sync_every`` phases the chain that is behind continues
from the other one's arrangement (an elite restart), so the pair searches like one
longer chain more than like two short ones. A phase ends when both chains are done,
so the result does not depend on thread timing (deterministic for a seed).
(Measured: two threads on disjoint slot regions of one arrangement were no better than
one chain of half the moves, so the chains are independent between the syncs.)
"""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from station_plugins.detector_matching.anneal import anneal_chunk, shift_bounds


# Niceness of the annealing threads above the process's own (Linux: per thread). 0 on
# the command line; the workstation sets it (plugin.create_panel) so the window's GUI
# thread wins a core from its own optimiser. Only these threads: they run compiled code
# without the GIL, so a slower one never holds the interpreter the GUI thread waits for.
WORKER_NICE = 0


def _lower_priority() -> None:
    """WORKER_NICE steps below the thread's current priority (at most 19): relative, so
    a workstation started with ``nice`` keeps the gap, and a privileged one never
    raises its threads above the process (an absolute value would)."""
    if WORKER_NICE > 0 and hasattr(os, "setpriority"):
        try:
            tid = threading.get_native_id()
            now = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, min(19, now + WORKER_NICE))
        except OSError:          # not allowed here: the default priority is fine
            pass


class ChainPair:
    def __init__(self, perm: np.ndarray, cost: float, sync_every: int = 4) -> None:
        self.perms = [perm.copy(), perm.copy()]
        self.bests = [perm.copy(), perm.copy()]
        self.current = [cost, cost]
        self.best = [cost, cost]
        self.sync_every = max(1, sync_every)
        self.phases = 0
        self.cpu = 0.0                    # thread CPU seconds of the annealing threads
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="dm-anneal",
                                       initializer=_lower_priority)

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    @staticmethod
    def _run(*args: Any) -> tuple[float, float, float]:
        c0 = time.thread_time()
        cur, best, _ = anneal_chunk(*args)
        return cur, best, time.thread_time() - c0

    def phase(self, C: np.ndarray, D: np.ndarray, lam: np.ndarray, n: int, fixed_mask: np.ndarray,
              free_pos: np.ndarray, next_fixed: np.ndarray, out_nb: np.ndarray, in_nb: np.ndarray,
              moves: int, t_start: float, t_end: float, seed: int, max_seg: int, mix: float,
              guided: np.ndarray, CT: np.ndarray | None = None,
              SB: np.ndarray | None = None) -> tuple[np.ndarray, float]:
        if CT is None:
            CT = np.ascontiguousarray(C.T)
        if SB is None:
            SB = shift_bounds(C, int(guided[1]))
        """Both chains run ``moves``; returns (best arrangement so far, its cost)."""
        jobs = [self.pool.submit(self._run, self.perms[k], self.bests[k], C, D, lam, n,
                                 fixed_mask, free_pos, next_fixed, out_nb, in_nb, moves,
                                 t_start, t_end, seed * 2 + k, max_seg, self.current[k],
                                 self.best[k], mix, guided, CT, SB) for k in range(2)]
        for k, job in enumerate(jobs):
            self.current[k], self.best[k], cpu = job.result()
            self.cpu += cpu
        self.phases += 1
        if self.phases % self.sync_every == 0:
            lead = 0 if self.current[0] <= self.current[1] else 1
            self.perms[1 - lead][:] = self.perms[lead]
            self.current[1 - lead] = self.current[lead]
        k = 0 if self.best[0] <= self.best[1] else 1
        return self.bests[k], self.best[k]
