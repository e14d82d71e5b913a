"""Headless commands: ``pharos match generate | run | batch``.

Exit codes: 0 ok, 2 bad input (clear message on stderr), 130 cancelled.
Also runnable without the workstation: ``python -m station_plugins.detector_matching.cli``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.errors import PharosError

if TYPE_CHECKING:
    from station_plugins.detector_matching.detector_models import DetectorLayout
    from station_plugins.detector_matching.importer import ModulePool
    from station_plugins.detector_matching.kernels import WarmUp


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    match = subparsers.add_parser("match", help="detector module matching (arrangement "
                                  "optimiser)")
    sub = match.add_subparsers(dest="match_command", metavar="SUBCOMMAND", required=True)

    g = sub.add_parser("generate", help="write a synthetic module pool in the import format")
    g.add_argument("--slots", type=int, default=400, help="slots of the target detector")
    g.add_argument("--modules", type=int, default=None,
                   help="modules in the pool (default: 1.1 x slots)")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--out", type=Path, required=True, help=".csv, .parquet or .xlsx")
    g.set_defaults(func=cmd_generate)

    r = sub.add_parser("run", help="optimise the arrangement of a pool")
    r.add_argument("pool", help="pool file (.csv, .parquet, .xlsx) or a test-database URL "
                   "(SQLAlchemy, e.g. postgresql+psycopg://user@host/quality)")
    r.add_argument("--table", default=None,
                   help="database table / view in long format (default module_test_results)")
    r.add_argument("--detector-model", default="PX-400",
                   help="slot definition in resources/detector_models (name or .toml path)")
    r.add_argument("--slots", type=int, default=None,
                   help="override the detector model's number of slots")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--time-limit", type=float, default=5.0, help="seconds (default 5)")
    r.add_argument("--cost", choices=("auto", "physics", "learned"), default="auto",
                   help="neighbour cost: learned ONNX regression if available (auto)")
    r.add_argument("--strict", action="store_true", help="refuse the import on any faulty row")
    r.add_argument("--json", dest="json_out", type=Path, required=True,
                   help="result file (schema: match_result.schema.json); '-' = stdout")
    r.set_defaults(func=cmd_run)

    b = sub.add_parser("batch", help="build several detectors from one pool")
    b.add_argument("pool", help="pool file or test-database URL, as for run")
    b.add_argument("--table", default=None, help="database table, as for run")
    b.add_argument("--detector-model", default="PX-48")
    b.add_argument("--detectors", type=int, default=None, help="default: as many as fit")
    b.add_argument("--spec-cost-per-slot", type=float, default=1.6)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--time-limit", type=float, default=10.0)
    b.add_argument("--cost", choices=("auto", "physics", "learned"), default="auto",
                   help="neighbour cost, as for run (default: learned when available)")
    b.add_argument("--json", dest="json_out", type=Path, required=True)
    b.set_defaults(func=cmd_batch)

    w = sub.add_parser("warmup", help="compile the optimiser's kernels into the cache now "
                       "(installation / setup step; later runs only load them)")
    w.add_argument("--cache-dir", type=Path, default=None,
                   help="kernel cache folder, e.g. the program folder's numba_cache at "
                   "installation: made readable by every account (default: "
                   "$NUMBA_CACHE_DIR, else <data folder>/cache/numba, private)")
    w.set_defaults(func=cmd_warmup)


def _guard(fn):
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except PharosError as exc:
            print(f"error: {exc.message} [{exc.code}]", file=sys.stderr)
            if exc.detail:
                print(exc.detail, file=sys.stderr)
            print(f"  remedy: {exc.remedy}", file=sys.stderr)
            return 130 if exc.code == "PH-CANCEL" else 2
    wrapped.__name__ = fn.__name__
    return wrapped


@_guard
def cmd_generate(args: argparse.Namespace) -> int:
    from app.core.errors import InputRejected
    from station_plugins.detector_matching.generator import generate
    from station_plugins.detector_matching.pool_io import generated_rows, write_table
    if args.slots < 2:
        raise InputRejected("--slots must be at least 2.", code="DM-ARG")
    modules = args.modules or int(math.ceil(1.1 * args.slots))
    if modules < 1:
        raise InputRejected("--modules must be positive.", code="DM-ARG")
    pool = generate(modules, args.seed)
    cols, rows = generated_rows(pool)
    write_table(args.out, cols, rows)
    assert pool.out_of_spec is not None   # generate() plants and records them
    print(f"wrote {modules} modules ({int(pool.out_of_spec.sum())} planted out of spec) "
          f"to {args.out}", file=sys.stderr)
    return 0


def _kernels(args: argparse.Namespace) -> WarmUp:
    """Kernel cache of this data folder (before anything compiles), then load / compile
    the kernels: done before the optimiser's clock starts, and said on stderr."""
    from station_plugins.detector_matching import kernels, optimiser  # noqa: F401 - the
    # optimiser registers the warm-up solve that ensure_ready runs
    kernels.configure(getattr(args, "data_dir", None), getattr(args, "cache_dir", None))
    w = kernels.ensure_ready()
    if w.how == "compiled" and args.match_command != "warmup":
        print(f"compiled the optimiser's kernels in {w.seconds:.1f} s (cache {w.cache_dir}; "
              "run `pharos match warmup` at installation to avoid this)", file=sys.stderr)
    return w


def _dual_store(args: argparse.Namespace) -> None:
    """The bound's prices of earlier runs on the same costs, per data folder."""
    from app.paths import default_data_dir
    from station_plugins.detector_matching import dual_store
    dual_store.configure(dual_store.folder_for(getattr(args, "data_dir", None)
                                               or default_data_dir()))


def _load(args: argparse.Namespace) -> tuple[ModulePool, DetectorLayout]:
    from station_plugins.detector_matching.detector_models import load_layout
    from station_plugins.detector_matching.importer import import_pool
    from station_plugins.detector_matching.pool_db import DEFAULT_TABLE, import_pool_db, is_db_url
    layout = load_layout(args.detector_model)
    if getattr(args, "slots", None):
        layout = layout.with_slots(args.slots)
    strict = getattr(args, "strict", False)
    if is_db_url(args.pool):
        pool = import_pool_db(args.pool, args.table or DEFAULT_TABLE, strict=strict)
    else:
        pool = import_pool(Path(args.pool), strict=strict)
    return pool, layout


def _write(path: Path, data: dict) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if str(path) == "-":
        print(text)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")


def process_age() -> float | None:
    """Seconds since this process started (Linux: /proc; None elsewhere): the start-up
    of the interpreter and the program before the command began."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            stat = fh.read()
        ticks = int(stat[stat.rindex(b")") + 2:].split()[19])    # field 22: starttime
        return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME)
                   - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class _PreClock:
    """Where the time before the optimiser's clock goes (new JSON keys, seconds):
    ``startup_seconds`` process start -> command (interpreter, program imports, argument
    parsing; null where the OS does not say), ``libraries_seconds`` importing the
    optimiser (numpy, numba), ``import_seconds`` reading and validating the pool and the
    detector model, ``kernel_seconds`` (already reported) loading the compiled kernels,
    ``cost_model_seconds`` loading the learned cost model (ONNX runtime, in a thread
    beside the other steps; null when not used), ``cost_matrix_seconds`` the learned
    neighbour costs of the pool (194 k pair predictions at 440 modules, in that thread
    beside the kernel load; null when not used), ``pre_clock_seconds`` process start (or
    command start) -> optimiser called, ``total_seconds`` -> result written."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.startup = process_age()
        self.split: dict[str, float | None] = {"startup_seconds": self.startup,
                                               "cost_matrix_seconds": None}
        self._learned: Future | None = None
        self._matrix: Future | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._mark = self.t0

    def lap(self, key: str) -> None:
        now = time.perf_counter()
        self.split[key] = now - self._mark
        self._mark = now

    def start_learned(self, cost: str) -> None:
        """The learned cost model loads in a thread beside the pool import and the
        kernel load (onnxruntime's import and session set-up are native code); physics
        runs never import onnxruntime."""
        if cost == "physics":
            self.split["cost_model_seconds"] = None
            return
        # the station's modules (and numpy) are imported here, in this thread: the other
        # thread imports only onnxruntime and the adapter, which import none of them
        from station_plugins.detector_matching.learned_cost import load_learned_cost

        def load() -> tuple:
            t = time.perf_counter()
            learned, why = load_learned_cost()
            return learned, why, time.perf_counter() - t
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="learned-cost")
        self._learned = self._pool.submit(load)

    def start_cost_matrix(self, pool: ModulePool) -> None:
        """The pool's learned neighbour costs, on the same thread once the model is
        loaded, beside the kernel load (the provider keeps the matrix: the optimiser's
        clock finds it ready)."""
        if self._pool is None or self._learned is None:
            return
        first = self._learned

        def compute() -> float | None:
            learned = first.result()[0]
            if learned is None:
                return None
            t = time.perf_counter()
            learned.neighbour_cost(pool.values)
            return time.perf_counter() - t
        self._matrix = self._pool.submit(compute)

    def learned(self) -> tuple:
        if self._learned is None:
            return None, "physics requested"
        learned, why, seconds = self._learned.result()
        self.split["cost_model_seconds"] = seconds
        if self._matrix is not None:
            self.split["cost_matrix_seconds"] = self._matrix.result()
        if self._pool is not None:
            self._pool.shutdown(wait=False)
        self.lap("cost_model_wait_seconds")
        return learned, why

    def before_clock(self) -> None:
        self.split["pre_clock_seconds"] = ((self.startup or 0.0) + time.perf_counter()
                                           - self.t0)

    def report(self, kernel_seconds: float) -> dict:
        out = dict(self.split)
        out["kernel_seconds"] = kernel_seconds
        out.pop("kernel_wait_seconds", None)
        out["total_seconds"] = (self.startup or 0.0) + time.perf_counter() - self.t0
        out.pop("cost_model_wait_seconds", None)
        return {k: (None if v is None else round(v, 4)) for k, v in out.items()}


def exit_reserve(startup: float | None, limit: float) -> float:
    """Seconds the search leaves of the user's limit for what follows its answer in a
    command: writing the result and ending the process (30-200 ms at load 6-10 on the
    shared 2-core machine, issue 21). Estimated from how slow this process's own start-up
    was (half of it: the machine's current speed), 20 ms at least and 10 % of the limit
    at most, so the command's wall stays within limit x 1.05 after its start-up."""
    est = 0.5 * (startup if startup is not None else 0.2)
    return min(0.1 * limit, max(0.02, est))


@_guard
def cmd_run(args: argparse.Namespace) -> int:
    clock = _PreClock()
    if args.time_limit <= 0:
        from app.core.errors import InputRejected
        raise InputRejected("--time-limit must be positive.", code="DM-ARG")
    clock.start_learned(args.cost)
    from station_plugins.detector_matching import optimiser  # noqa: F401 - libraries
    from station_plugins.detector_matching.workflow import MatchInputs, run, settings_for
    clock.lap("libraries_seconds")
    pool, layout = _load(args)
    clock.lap("import_seconds")
    clock.start_cost_matrix(pool)
    warm = _kernels(args)
    clock.lap("kernel_wait_seconds")
    _dual_store(args)
    learned, why = clock.learned()
    search = args.time_limit - exit_reserve(clock.startup, args.time_limit)
    inputs = MatchInputs(pool=pool, layout=layout, settings=settings_for(args.seed, search),
                         cost=args.cost, learned=learned, learned_unavailable_reason=why)
    clock.before_clock()
    result = run(inputs)
    result.time_limit = args.time_limit                # the user's limit, as given
    result.solution.compile_seconds = warm.seconds     # before the clock (this process)
    data = result.to_dict()
    data.update(clock.report(warm.seconds))            # new keys only (kernel_seconds: same)
    _write(args.json_out, data)
    s = result.solution
    print(f"{layout.name}: objective {s.objective:.4f}, lower bound {s.lower_bound:.4f}, "
          f"gap {100 * s.gap:.2f} %, {s.seconds:.2f} s, cost {result.problem.cost_source}",
          file=sys.stderr)
    weak = result.weakness
    if weak is not None:
        print(f"WARNING: WEAK RESULT - {weak.text()}. Run again with a longer --time-limit "
              f"(now {args.time_limit:g} s); approving it will require a reason.",
              file=sys.stderr)
    args.quick_exit = True        # the result is written: skip the interpreter's teardown
    return 0


@_guard
def cmd_batch(args: argparse.Namespace) -> int:
    clock = _PreClock()
    if args.time_limit <= 0:
        from app.core.errors import InputRejected
        raise InputRejected("--time-limit must be positive.", code="DM-ARG")
    clock.start_learned(args.cost)
    from station_plugins.detector_matching import optimiser  # noqa: F401 - libraries
    from station_plugins.detector_matching.workflow import MatchInputs, batch, settings_for
    clock.lap("libraries_seconds")
    pool, layout = _load(args)
    clock.lap("import_seconds")
    clock.start_cost_matrix(pool)
    warm = _kernels(args)
    clock.lap("kernel_wait_seconds")
    _dual_store(args)        # the joint arrangement's bound: prices of the last same batch
    learned, why = clock.learned()
    inputs = MatchInputs(pool=pool, layout=layout, cost=args.cost, learned=learned,
                         learned_unavailable_reason=why,
                         settings=settings_for(args.seed, args.time_limit
                                               - exit_reserve(clock.startup, args.time_limit),
                                               moves_per_slot=20_000))
    clock.before_clock()
    res = batch(inputs, args.spec_cost_per_slot, args.detectors)
    res.time_limit = args.time_limit                   # the user's limit, as given
    data = res.to_dict()
    data.update(clock.report(warm.seconds))
    _write(args.json_out, data)
    print(f"{res.meeting_spec}/{len(res.detectors)} detectors meet spec "
          f"({res.balancing['meeting_spec_before']} before spec balancing; given up for the "
          f"others: {res.balancing['given_up'] or 'none'}), material utilisation "
          f"{100 * res.utilisation:.1f} %, {res.seconds:.1f} s, cost {res.cost_source}",
          file=sys.stderr)
    failing = [d["detector"] for d in res.detectors if not d["meets_spec"]]
    if failing:          # a batch detector is weak when it does not meet the spec
        more = (f" The clock cut the search (limit {args.time_limit:g} s): a longer "
                "--time-limit may rescue some." if res.cut_by_time else "")
        print(f"WARNING: WEAK RESULT - detector(s) {', '.join(map(str, failing))} do not "
              f"meet the spec of {args.spec_cost_per_slot:g} per slot.{more}",
              file=sys.stderr)
    args.quick_exit = True
    return 0


@_guard
def cmd_warmup(args: argparse.Namespace) -> int:
    from station_plugins.detector_matching import kernels

    w = _kernels(args)
    if w.cache_dir is None:
        print("error: no writable kernel cache folder; the optimiser compiles before each "
              "run's clock starts", file=sys.stderr)
        return 2
    # the AI check's kernels into the same cache (the CT stations and `pharos qc listen`
    # load them from there); before the files are shared with every account
    ai = kernels.warm_ai_kernels()
    if args.cache_dir is not None:     # an installation's cache: every account reads it
        kernels.share_with_all_accounts(w.cache_dir)
    print(f"optimiser kernels {w.how} in {w.seconds:.1f} s ({w.compiled} compiled, "
          f"{w.seeded_files} copied from the installation), AI check kernels "
          f"{'ready' if ai else 'unavailable (the AI check measures with OpenCV / numpy)'}, "
          f"cache {w.cache_dir}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pharos")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
