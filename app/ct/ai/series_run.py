"""The AI check of a whole series on all cores (Qt-free; no I/O library).

A slice is measured once (:func:`normalise.slice_facts`: the 1 mm grid, noise, edge
spread, ...) and is part of three inputs (as slice i - 1, i, i + 1). The measurements
and the network run as tasks of one thread pool, in series order: the slices of the
next batch are measured while the network judges the triples whose slices are done,
so neither waits for the other and both cores stay busy. On the CPU the network runs in
small batches on the model's single-threaded session (``OnnxModel.run(threads=1)``),
one batch per worker: numpy, OpenCV, hashlib and onnxruntime release the GIL, and no
thread pool of onnxruntime spins beside ours on a shared CPU.

The result is the same as :func:`normalise.prepare` followed by one run of the network:
the same slice measurements, the same stacked arrays and context vectors, the same model
(tests/image_review/test_ai_series_run.py compares both on a simulated series).
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

import cv2
import numpy as np

from app.core.tasks import CancelToken, no_progress
from app.ct.ai.normalise import (GRID_MM, GRID_N, RING_LAYOUTS, Evidence, SliceFacts,
                                 concentric_level, context_size, context_vector, slice_facts)
from app.ct.ai.normalise import CONTEXT_NAMES
from app.ct.ai.ring_gate import GATE, EvidenceCache, evidence_in_context, measure
from app.ct.ai.series_consistency import Level, disc_level
from app.ct.ai.shift_gate import GATE as SHIFT_GATE
from app.ct.ai.shift_gate import measure as measure_shift
from app.ct.ai.streak_gate import GATE as STREAK_REFUTE
from app.ct.ai.streak_gate import StreakCache
from app.ct.ai.streak_gate import measure as measure_streak_gate
from app.ct.ai.streak_measured import GATE as STREAK_GATE
from app.ct.ai.streak_measured import measure as measure_streak

# triples per network run on the CPU: a batch of 16 needs ~75 MB of intermediate maps and
# runs out of the cache (CPU time per slice, one thread: batch 1-4 2.6-2.9 ms, 16 3.2 ms)
EVIDENCE_OFFSET = len(CONTEXT_NAMES) - 1    # where the evidence layout's EVIDENCE_NAMES start
CPU_BATCH = 4
MAX_WORKERS = 4
# OpenCV's own thread pool is off while a series run measures its slices on all cores
# (see _opencv_serial)
OPENCV_SERIAL = True
_CV_LOCK = threading.Lock()
_cv_runs = 0
_cv_threads = 0


@contextmanager
def _opencv_serial() -> Iterator[None]:
    """OpenCV single-threaded for the duration of the series run(s): the run's workers
    already keep every core busy with one slice each, and OpenCV's pool split each
    small grid operation over the cores, its workers spin-waiting (sched_yield) after
    every call - CPU time that does no work (the results are the same: OpenCV's
    operations compute every pixel alike on any number of threads). Nested and
    concurrent runs share it; the last one out restores the thread count."""
    global _cv_runs, _cv_threads
    if not OPENCV_SERIAL:
        yield
        return
    with _CV_LOCK:
        if _cv_runs == 0:
            _cv_threads = cv2.getNumThreads()
            cv2.setNumThreads(1)
        _cv_runs += 1
    try:
        yield
    finally:
        with _CV_LOCK:
            _cv_runs -= 1
            if _cv_runs == 0:
                cv2.setNumThreads(_cv_threads)


@dataclass(frozen=True)
class SeriesRun:
    """The network's outputs (in the order of ``indices``), one problem text per index
    ('' = judgeable), the sha256 of each exact network input, the network's own
    time (summed over the batches, seconds), the central-disc level of every
    measured slice (series_consistency: the band check) and the native noise SD of the
    judged slices."""

    outputs: dict[str, np.ndarray]
    problems: list[str]
    digests: list[str]
    inference_s: float
    levels: dict[int, Level] = field(default_factory=dict)
    # native noise SD (HU) of each judged slice (the noise class's own measure)
    noise: dict[int, float] = field(default_factory=dict)


def _facts(volume: np.ndarray, j: int, pixel_mm: float, token: CancelToken | None,
           evidence: Evidence = False, levels: dict[int, Level] | None = None,
           spectrum: bool = False) -> SliceFacts:
    """Slice j's measurements; its band-check level into ``levels`` (measured here, in
    the pool, instead of one after another once the pool is done)."""
    if token is not None:
        token.raise_if_cancelled()
    f = slice_facts(volume[j], pixel_mm, evidence, spectrum)
    if levels is not None and (lv := _level(f)) is not None:
        levels[j] = lv
    return f


def _level(f: SliceFacts) -> Level | None:
    """The slice's central-disc level - also of a slice the AI cannot judge: beyond the
    phantom's end it is the air the end face meets (its partial-volume slice lies
    between body and air, never outside), and a side level is a measurement, not a
    verdict."""
    return disc_level(f.grid, f.centre, f.noise_grid, GRID_MM)


def _judge(model: Any, batch: list[int], facts: dict[int, Future], nz: int, threads: int,
           token: CancelToken | None, evidence: Evidence = False,
           gate: EvidenceCache | None = None, spectrum: bool = False,
           streaks: StreakCache | None = None, streak_levels: np.ndarray | None = None
           ) -> tuple[dict[str, np.ndarray], list[str], list[str], float]:
    """Stack one batch of triples (waiting for their slices' measurements, which were
    queued before this task: the pool is first in, first out, so they are running or
    done - no task waits for one that no worker has taken) and run the network on it."""
    x = np.empty((len(batch), 3, GRID_N, GRID_N), np.float32)
    ctx = np.empty((len(batch), context_size(evidence)), np.float32)
    problems = []
    digests = []
    centres = []
    triples, triple_facts = [], []
    for k, i in enumerate(batch):
        js = tuple(min(max(j, 0), nz - 1) for j in (i - 1, i, i + 1))
        fs = [facts[j].result() for j in js]
        centres.append(fs[1])
        triples.append(js)
        triple_facts.append(tuple(fs))
        for c, f in enumerate(fs):
            x[k, c] = f.grid
        # the sha256 of the exact network input, hashed while its 786 kB are still in
        # the cache (after the network they were not: ~0.68 instead of ~0.46 ms); the
        # C-contiguous input's own buffer: the bytes of x[k].tobytes(), without a copy
        digests.append(hashlib.sha256(x[k].data).hexdigest())
        ctx[k] = context_vector(fs, evidence)
        problems.append(fs[1].problem)
    feeds = {"image": x, "context": ctx}
    if getattr(model, "takes_geometry", False):
        # a shell-layout model (shell_step.ShellContextModel): the centre slices'
        # phantom centre and radius as measured here, not measured again on the grid
        from app.ct.ai.shell_step import GEOMETRY, phantom_geometry

        feeds[GEOMETRY] = np.array([phantom_geometry(f.centre, f.radius_mm)
                                    for f in centres], np.float64)
    if getattr(model, "takes_indices", False):
        # the edge-ring rule (edge_ring.EdgeRingModel) measures every k-th slice by index
        from app.ct.ai.edge_ring import SLICE_INDEX

        feeds[SLICE_INDEX] = np.asarray(batch, np.int64)
    if token is not None:
        token.raise_if_cancelled()
    t0 = time.perf_counter()
    out = model.run(feeds, token, threads=threads)
    dt = time.perf_counter() - t0
    if gate is not None and "probabilities" in out:
        # the ring gate's evidence of the stacks the network calls "ring" (ring_gate.py)
        out = dict(out)
        if evidence and evidence not in RING_LAYOUTS:
            out[GATE] = evidence_in_context(ctx, out["probabilities"], EVIDENCE_OFFSET)
        else:
            out[GATE] = measure(out["probabilities"], triples, triple_facts, gate)
        # the shift gate's measurements of the stacks the network calls "shift"
        out[SHIFT_GATE] = measure_shift(out["probabilities"], triple_facts)
    if streaks is not None and "probabilities" in out:
        # the streak gate's measures of the stacks the network calls "streak"
        # (streak_gate.py)
        out = dict(out)
        out[STREAK_REFUTE] = measure_streak_gate(out["probabilities"], triples, triple_facts,
                                                 streaks, streak_levels)
    if spectrum and "probabilities" in out:
        # the measured-streak rule's spectrum z of the stacks the network calls "normal"
        # (streak_measured.py)
        out = dict(out)
        out[STREAK_GATE] = measure_streak(out["probabilities"], triple_facts)
    return out, problems, digests, dt


def run_series(model: Any, volume: np.ndarray, pixel_mm: float, indices: list[int], *,
               batch_size: int = 16, workers: int | None = None,
               token: CancelToken | None = None, evidence: Evidence = False,
               progress: Callable[[float, str], None] = no_progress,
               check: Callable[[], None] | None = None,
               ring_gate_centre: float | None = None, spectrum: bool = False,
               streak_gate: np.ndarray | None = None) -> SeriesRun:
    """Measure the needed slices and run the network on the triples of ``indices``.

    ``ring_gate_centre``: the rotation centre on the grid; given, the stacks the network
    calls "ring" also get their ring evidence (output ``ring_gate``, see ring_gate.py).
    ``spectrum``: every slice's streak spectrum is measured too, and the stacks the
    network calls "normal" get their 3-slice spectrum z (output ``streak_measured``, see
    streak_measured.py). ``streak_gate``: the stacks the network calls "streak" get their
    streak measures (output ``streak_gate``, see streak_gate.py; the gate's levels: the
    line sums are measured only where the spectrum does not reach them).

    ``check``: the input's check, run as the pool's first task (beside the first
    measurements, not before them); what it raises is raised before any result is
    used or any progress reported, whatever the measurements of a refused input did.

    ``model``: an ``app.adapters.inference.OnnxModel`` with the grid1mm_context inputs
    (``evidence``: the grid1mm_context_evidence layout; normalise.RING / RING2 / RING3
    the grid1mm_context_ring / _ring2 / _ring3 ones).
    On the CPU the batches hold at most CPU_BATCH triples and use the model's
    single-threaded session; with a GPU provider ``batch_size`` triples on the shared
    session."""
    nz = volume.shape[0]
    cpu_only = all(p == "CPUExecutionProvider" for p in model.providers)
    threads = 1 if cpu_only else 0
    size = max(1, min(batch_size, CPU_BATCH) if cpu_only else batch_size)
    batches = [indices[s:s + size] for s in range(0, len(indices), size)]
    n_workers = max(1, workers or min(MAX_WORKERS, os.cpu_count() or 1))
    if not batches:
        if check is not None:
            check()
        return SeriesRun({}, [], [], 0.0, {})
    facts: dict[int, Future] = {}
    jobs: list[Future] = []
    parts: dict[str, list[np.ndarray]] = {}
    problems: list[str] = []
    digests: list[str] = []
    inference_s = 0.0
    levels: dict[int, Level] = {}
    checked: Future | None = None
    gate = EvidenceCache(ring_gate_centre, concentric=concentric_level(evidence)) \
        if ring_gate_centre is not None else None
    streaks = StreakCache() if streak_gate is not None else None
    with _opencv_serial(), \
            ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="ai-series") as pool:
        try:
            def measure(batch: list[int]) -> None:
                for i in batch:
                    for j in (i - 1, i, i + 1):
                        j = min(max(j, 0), nz - 1)
                        if j not in facts:
                            facts[j] = pool.submit(_facts, volume, j, pixel_mm, token, evidence,
                                                   levels, spectrum)

            if check is not None:
                checked = pool.submit(check)
            # one batch ahead: a batch's slices are queued before the network task of
            # the batch before it, so a worker rarely waits for a measurement
            measure(batches[0])
            for b, batch in enumerate(batches):
                if b + 1 < len(batches):
                    measure(batches[b + 1])
                jobs.append(pool.submit(_judge, model, batch, facts, nz, threads, token,
                                        evidence, gate, spectrum, streaks, streak_gate))
            # the band check's side levels: a pair i, i + 1 needs slice i + 2 (and i - 2
            # for i - 1, i), measured only where no input holds it - the edges of the
            # judged blocks (the hand-off's modules) and the series' ends
            # (no input holds them: no streak spectrum)
            for j in sorted({j for i in indices for j in (i - 2, i + 2)} - set(facts)):
                if 0 <= j < nz:
                    facts[j] = pool.submit(_facts, volume, j, pixel_mm, token, evidence,
                                           levels)
            if checked is not None:
                checked.result()
            done = 0
            for batch, job in zip(batches, jobs):
                out, probs, digs, dt = job.result()
                for k, v in out.items():
                    parts.setdefault(k, []).append(v)
                problems += probs
                digests += digs
                inference_s += dt
                done += len(batch)
                progress(done / len(indices), "inference")
                if token is not None and done < len(indices):
                    token.raise_if_cancelled()
            for f in facts.values():
                f.result()             # (the side levels' measurements: done, or raise)
        except BaseException:
            for f in [*jobs, *facts.values()]:
                f.cancel()
            raise
    levels = dict(sorted(levels.items()))
    noise = {i: float(facts[i].result().noise_native) for i in indices if i in facts}
    return SeriesRun({k: np.concatenate(v) for k, v in parts.items()}, problems, digests,
                     inference_s, levels, noise)
