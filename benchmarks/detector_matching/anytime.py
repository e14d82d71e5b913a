"""Detector matching as a user runs it: `pharos match run POOL --time-limit L`, cold, warm
and on a loaded machine; prints one table.

    PYTHONPATH=. .venv/bin/python -W ignore benchmarks/detector_matching/anytime.py \
        [--seeds 11 12 13] [--limits 1 2 5 10] [--modes cold warm loaded] \
        [--reference-s 60] [--cost auto|physics|learned]

Pools: `pharos match generate --seed N` (400 slots / 440 modules; seeds the optimiser was
not tuned on: 11-15). Every run is a fresh `pharos match run` process (the CLI), its
wall time measured from the process start to its exit:

* cold:   a fresh data folder, NUMBA_CACHE_DIR unset, empty kernel cache (the kernels
          are compiled before the optimiser's clock starts: "kernels s");
* warm:   one data folder after `pharos match warmup` (what installation does);
* loaded: warm, with one CPU-bound process per core running during the run;
* repeat: warm, the second run of the same pool and limit (its bound continues from the
          prices the first one stored in the data folder; session 8). cold, warm and
          loaded rows are first runs: the stored prices are removed before each.

Columns: wall = process wall time (Python start-up, imports, pool import, kernels,
learned pair costs, optimiser, exit); kernels = loading / compiling the kernels before
the clock; pre = everything before the clock (`pre_clock_seconds`); clock = the
optimiser's time from its clock's start to the answer (the promise: <= limit + 5 %);
wall-pre = wall minus pre (the clock, writing the result and the process exit: the CLI's
promise is wall <= limit x 1.05 + pre); exit = wall minus `total_seconds`; load = the
1-minute load average when the run ended;
gap = certified gap; "% > best" against the best arrangement known for the pool (the
best of every run here and a long reference run, --reference-s, in-process, warm).
Also a plain annealer (swap / spare-exchange moves only, one chain, geometric cooling
over the same time, from the engineer's greedy chain) given each limit in-process
(building the costs inside its time, as the optimiser does; with the same load in the
loaded mode), as the baseline the 1 s result should beat. Times on a shared machine are noisy: the load
average before and after is printed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _env(cache: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR" or cache}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PHAROS_DATA_DIR", None)
    return env


def pharos(args: list[str], timeout: float) -> tuple[int, str, float]:
    """One `pharos` process; its output goes to files (this process only waits for it, as
    a shell does: reading pipes on a busy machine added up to 0.1 s to the wall)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-W", "ignore", "-m", "app", *args], cwd=ROOT,
                           env=_env(False), stdout=out, stderr=err, timeout=timeout)
        wall = time.perf_counter() - t
        err.seek(0)
        return r.returncode, err.read().decode(errors="replace"), wall


class Load:
    """One CPU-bound process per core while the block runs (ended by pid)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> "Load":
        for _ in range(self.n):
            self.procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        time.sleep(0.3)
        return self

    def __exit__(self, *exc) -> None:
        for p in self.procs:
            p.kill()
            p.wait()


def run_once(pool: Path, limit: float, data: Path, cost: str, out: Path) -> dict:
    rc, err, wall = pharos(["match", "run", str(pool), "--time-limit", str(limit),
                            "--cost", cost, "--json", str(out), "--data-dir", str(data)],
                           timeout=limit + 600)
    if rc != 0:
        raise RuntimeError(f"pharos match run failed ({rc}): {err}")
    d = json.loads(out.read_text())
    d["gap"] = float("nan") if d["gap"] is None else d["gap"]
    return {"wall": wall, "kernels": d.get("kernel_seconds", 0.0), "clock": d["seconds"],
            "objective": d["objective"], "gap": d["gap"], "weak": d.get("weak"),
            "lb": d["lower_bound"], "cut": d["cut_by_time"],
            "pre": d.get("pre_clock_seconds", 0.0),
            "exit": wall - d.get("total_seconds", wall), "load": os.getloadavg()[0]}


def first_run(data: Path) -> None:
    """No bound prices stored by an earlier row (dual_store): each row a first run."""
    shutil.rmtree(data / "cache" / "detector_matching" / "duals", ignore_errors=True)


def pool_reader(pool: Path, cost: str):
    """The pool imported now; the returned function builds the costs (timed by callers)."""
    from station_plugins.detector_matching.detector_models import load_layout
    from station_plugins.detector_matching.importer import import_pool
    from station_plugins.detector_matching.learned_cost import load_learned_cost
    from station_plugins.detector_matching.workflow import MatchInputs, prepare_problem
    learned, why = (None, "physics") if cost == "physics" else load_learned_cost()
    inputs = MatchInputs(pool=import_pool(pool), layout=load_layout("PX-400"), cost=cost,
                         learned=learned, learned_unavailable_reason=why)
    if learned is not None:          # as `pharos match run`: computed before the clock
        learned.neighbour_cost(inputs.pool.values)
    return lambda: prepare_problem(inputs)[0]


def generated_pool(seed: int, path: Path, work: Path) -> Path:
    """``pharos match generate --seed SEED --out PATH`` (data folder under ``work``), once."""
    if not path.exists():
        rc, err, _ = pharos(["match", "generate", "--seed", str(seed), "--out", str(path),
                             "--data-dir", str(work / "gen")], 600)
        assert rc == 0, err
    return path


def problem_of(pool: Path, cost: str):
    from station_plugins.detector_matching.detector_models import load_layout
    from station_plugins.detector_matching.importer import import_pool
    from station_plugins.detector_matching.learned_cost import load_learned_cost
    from station_plugins.detector_matching.workflow import MatchInputs, prepare_problem
    learned, why = (None, "physics") if cost == "physics" else load_learned_cost()
    p, _ = prepare_problem(MatchInputs(pool=import_pool(pool), layout=load_layout("PX-400"),
                                       cost=cost, learned=learned,
                                       learned_unavailable_reason=why))
    return p


def plain_annealer(pool: Path, cost: str, seconds: float, seed: int = 0) -> float:
    """Classic SA: swaps and spare exchanges (O(1) deltas, the same compiled kernel),
    one chain, geometric cooling over the time given, from the greedy chain. Its second
    includes building the costs, as the optimiser's clock does (the pool is read and the
    learned pair costs are computed before, as `pharos match run` does)."""
    import numpy as np

    from station_plugins.detector_matching.anneal import (anneal_chunk, path_cost,
                                                         sample_uphill, shift_bounds)
    from station_plugins.detector_matching.optimiser import (_fixed_arrays, finite_costs,
                                                             neighbour_lists)
    from station_plugins.detector_matching.seeds import greedy_chain
    read = pool_reader(pool, cost)
    t0 = time.perf_counter()
    p = read()
    C, D, _ = finite_costs(p)
    n, lam, fixed = p.n, np.ascontiguousarray(p.lam), p.fixed.astype(np.int64)
    free_pos, next_fixed = _fixed_arrays(fixed, n)
    out_nb, in_nb = neighbour_lists(D, 5)
    perm = greedy_chain(C, D, lam, fixed)
    best_perm = perm.copy()
    cur = best = float(path_cost(perm, C, D, lam, n))
    up = sample_uphill(perm.copy(), C, D, lam, n, free_pos, 2000, seed)
    t_hi, t_lo = 0.08 * up, 0.005 * up
    mix = np.array([0.0, 0.7, 1.0, 1.0, 1.0, 1.0])           # swap 70 %, exchange 30 %
    guided = np.array([0.0, 1.0, float(n)])
    CT, SB = np.ascontiguousarray(C.T), shift_bounds(C, 1)
    frac, chunk, k = 0.0, 0, 50_000
    while True:
        el = time.perf_counter() - t0
        if el >= seconds:
            break
        f1 = min(1.0, (el + 0.01) / seconds)
        ts, te = t_hi * (t_lo / t_hi) ** frac, t_hi * (t_lo / t_hi) ** f1
        cur, best, _ = anneal_chunk(perm, best_perm, C, D, lam, n, fixed >= 0, free_pos,
                                    next_fixed, out_nb, in_nb, k, ts, te, seed * 1000 + chunk,
                                    8, cur, best, mix, guided, CT, SB)
        frac, chunk = f1, chunk + 1
    return float(path_cost(best_perm, C, D, lam, n))


def reference(p, seconds: float) -> float:
    from station_plugins.detector_matching.optimiser import solve
    from station_plugins.detector_matching.workflow import settings_for
    return solve(p, settings_for(99, seconds, bound=False)).objective


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    ap.add_argument("--limits", type=float, nargs="+", default=[1, 2, 5, 10])
    ap.add_argument("--modes", nargs="+", default=["cold", "warm", "loaded"],
                    choices=["cold", "warm", "loaded", "repeat"])
    ap.add_argument("--cost", default="auto", choices=["auto", "physics", "learned"])
    ap.add_argument("--reference-s", type=float, default=60.0,
                    help="long in-process reference run per pool (0: none)")
    ap.add_argument("--work", type=Path, default=None, help="folder for pools and results")
    ap.add_argument("--best-known", nargs="*", default=[], metavar="SEED=OBJECTIVE",
                    help="best arrangement known for a pool (e.g. from earlier runs)")
    a = ap.parse_args()
    work = a.work or Path(tempfile.mkdtemp(prefix="dm-anytime-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)", flush=True)
    pools = {}
    for s in a.seeds:
        pools[s] = generated_pool(s, work / f"pool{s}.parquet", work)
    warm_data = work / "warm-data"
    rc, err, w = pharos(["match", "warmup", "--data-dir", str(warm_data)], 900)
    assert rc == 0, err
    print(f"warm-up (installation step): {w:.1f} s wall: {err.strip()}", flush=True)

    rows = []
    for mode in a.modes:
        for limit in a.limits:
            for s in a.seeds:
                out = work / f"{mode}-{limit}-{s}.json"
                if mode == "cold":
                    data = Path(tempfile.mkdtemp(prefix="fresh-", dir=work))
                    r = run_once(pools[s], limit, data, a.cost, out)
                elif mode in ("warm", "repeat"):
                    first_run(warm_data)
                    if mode == "repeat":            # the first run stores its prices
                        run_once(pools[s], limit, warm_data, a.cost, out)
                    r = run_once(pools[s], limit, warm_data, a.cost, out)
                else:
                    first_run(warm_data)
                    with Load(os.cpu_count() or 2):
                        r = run_once(pools[s], limit, warm_data, a.cost, out)
                r.update(mode=mode, limit=limit, seed=s)
                rows.append(r)
                print(f"  {mode:6s} {limit:4g} s seed {s}: wall {r['wall']:.2f} kernels "
                      f"{r['kernels']:.2f} pre-clock {r['pre']:.2f} clock {r['clock']:.2f} "
                      f"exit {r['exit']:.2f} obj {r['objective']:.3f} "
                      f"gap {100 * r['gap']:.2f} % load {r['load']:.1f}", flush=True)

    print("plain annealer and reference runs (in-process, warm)...", flush=True)
    from station_plugins.detector_matching import kernels, optimiser  # noqa: F401 - registers the warm-up
    kernels.configure(warm_data)
    kernels.ensure_ready()
    best, plain = {}, {}
    known = {int(k): float(v) for k, v in (x.split("=") for x in a.best_known)}
    for s in a.seeds:
        p = problem_of(pools[s], a.cost)
        best[s] = min(r["objective"] for r in rows if r["seed"] == s)
        if s in known:
            best[s] = min(best[s], known[s])
        if a.reference_s > 0:
            best[s] = min(best[s], reference(p, a.reference_s))
        for limit in a.limits:
            for loaded in sorted({m == "loaded" for m in a.modes}):
                if loaded:
                    with Load(os.cpu_count() or 2):
                        v = plain_annealer(pools[s], a.cost, limit)
                else:
                    v = plain_annealer(pools[s], a.cost, limit)
                plain[(s, limit, loaded)] = v
                best[s] = min(best[s], v)

    def above(obj: float, s: int) -> float:
        return 100 * (obj - best[s]) / best[s]

    print()
    print("runs (400 slots / 440 modules, cost " + a.cost + ")")
    print(f"{'mode':7s}{'limit':>6s}{'seed':>5s}{'wall s':>8s}{'kernels s':>10s}{'pre s':>7s}"
          f"{'clock s':>8s}{'over %':>7s}{'wall-pre':>9s}{'exit s':>7s}{'objective':>11s}"
          f"{'gap %':>7s}{'% > best':>9s}{'load':>6s}  weak")
    for r in rows:
        print(f"{r['mode']:7s}{r['limit']:6g}{r['seed']:5d}{r['wall']:8.2f}{r['kernels']:10.2f}"
              f"{r['pre']:7.2f}{r['clock']:8.2f}{100 * (r['clock'] / r['limit'] - 1):7.1f}"
              f"{r['wall'] - r['pre']:9.2f}{r['exit']:7.2f}"
              f"{r['objective']:11.3f}{100 * r['gap']:7.2f}{above(r['objective'], r['seed']):9.2f}"
              f"{r['load']:6.1f}  {'yes' if r['weak'] else 'no'}")
    print()
    print("summary (mean / max over the seeds)")
    print(f"{'mode':7s}{'limit':>6s}{'wall s':>14s}{'clock s (max)':>14s}"
          f"{'wall-pre (max)':>15s}{'gap %':>14s}{'% > best':>14s}{'plain SA % > best':>19s}"
          f"{'load':>12s}")
    for mode in a.modes:
        for limit in a.limits:
            sel = [r for r in rows if r["mode"] == mode and r["limit"] == limit]
            if not sel:
                continue

            def mm(vals):
                return f"{sum(vals) / len(vals):6.2f} /{max(vals):6.2f}"
            pl = [above(plain[(r['seed'], limit, mode == "loaded")], r["seed"]) for r in sel]
            print(f"{mode:7s}{limit:6g}{mm([r['wall'] for r in sel]):>14s}"
                  f"{max(r['clock'] for r in sel):14.2f}"
                  f"{max(r['wall'] - r['pre'] for r in sel):15.2f}"
                  f"{mm([100 * r['gap'] for r in sel]):>14s}"
                  f"{mm([above(r['objective'], r['seed']) for r in sel]):>14s}"
                  f"{mm(pl):>19s}"
                  f"{min(r['load'] for r in sel):6.1f}-{max(r['load'] for r in sel):4.1f}")
    print()
    print("best known: " + ", ".join(f"seed {s} {best[s]:.3f}" for s in a.seeds)
          + (f" (incl. a {a.reference_s:g} s reference run each)" if a.reference_s else ""))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores; above ~{os.cpu_count()} means other work shared the "
          "CPUs: times and qualities are then noisy)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
