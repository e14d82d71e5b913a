"""The vectorised import path gives exactly the reference (per-cell) path's result: the
same modules, values, exclusions and issues, on clean pools and on faulty ones; and the
CLI reports where the time before the optimiser's clock went (new JSON keys)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from station_plugins.detector_matching import importer
from station_plugins.detector_matching.generator import generate
from station_plugins.detector_matching.importer import PoolImportRefused, import_pool
from station_plugins.detector_matching.pool_io import generated_rows, write_table

ROOT = Path(__file__).resolve().parents[2]


def _both(monkeypatch, path: Path, **kw):
    """(fast, reference) results: ModulePool, or the refusal's report as a dict."""
    out = []
    for fast in (True, False):
        monkeypatch.setattr(importer, "FAST_PARSE", fast)
        try:
            out.append(import_pool(path, **kw))
        except PoolImportRefused as exc:
            out.append(exc.report.to_dict())
    return out


def _same(a, b) -> None:
    if isinstance(a, dict) or isinstance(b, dict):
        assert a == b
        return
    assert a.serials == b.serials and a.lots == b.lots and a.test_dates == b.test_dates
    assert np.array_equal(a.values, b.values)
    assert a.values.dtype == b.values.dtype == np.float64
    assert [e.to_dict() for e in a.excluded] == [e.to_dict() for e in b.excluded]
    assert a.report.to_dict() == b.report.to_dict()


def _faulty_rows(seed: int) -> tuple[list[str], list[list]]:
    cols, rows = generated_rows(generate(60, seed))
    rows = [list(r) for r in rows]
    rows[1][10] = "abc"                       # text
    rows[2][11] = None                        # missing (written as an empty cell)
    rows[3][12] = float("nan")
    rows[4][13] = float("inf")
    rows[5][14] = " 1.25 "                    # spaces around a number: accepted
    rows[6][5], rows[6][6], rows[6][7] = "x", None, float("-inf")   # three faults, one row
    rows[7] = rows[7][:200]                   # short row: the rest missing
    rows[8][2] = "31.02.2026"                 # bad date
    rows[9][0] = rows[10][0]                  # duplicated serial
    rows[11][0] = ""                          # no serial
    rows[12][20] = "1e400"                    # overflows to inf
    return cols, rows


@pytest.mark.parametrize("ext", ["csv", "parquet", "xlsx"])
def test_fast_path_equals_reference_on_generated_pools(tmp_path, monkeypatch, ext):
    modules, seeds = (40, (11,)) if ext == "xlsx" else (120, (11, 12))   # Excel is slow
    for seed in seeds:
        cols, rows = generated_rows(generate(modules, seed))
        path = tmp_path / f"g{seed}.{ext}"
        write_table(path, cols, rows)
        fast, ref = _both(monkeypatch, path)
        assert not isinstance(fast, dict) and fast.size > modules * 0.8
        _same(fast, ref)


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_fast_path_equals_reference_on_faulty_rows(tmp_path, monkeypatch, ext):
    cols, rows = _faulty_rows(5)
    path = tmp_path / f"bad.{ext}"
    write_table(path, cols, rows)
    fast, ref = _both(monkeypatch, path)
    _same(fast, ref)
    codes = {i.code for i in fast.report.issues}
    assert {"DM-IMP-TEXT", "DM-IMP-MISSING", "DM-IMP-NAN", "DM-IMP-DATE", "DM-IMP-DUP",
            "DM-IMP-NOSERIAL"} <= codes
    row6 = next(e for e in fast.excluded if e.row == 6 + 3)       # header + units rows
    # Excel cannot hold -inf: openpyxl writes an empty cell (missing), both paths agree
    assert len(row6.reasons) == (3 if ext == "csv" else 2) and any("not a number" in r for r in row6.reasons)
    assert fast.serials.count(rows[5][0]) == 1                     # " 1.25 " accepted
    k = fast.index_of(rows[5][0])
    assert fast.values[k, 14 - 4] == 1.25
    # strict: the same refusal, with the same full report, on both paths
    fast_s, ref_s = _both(monkeypatch, path, strict=True)
    assert isinstance(fast_s, dict) and fast_s == ref_s and fast_s["refused"]


def test_python_values_bools_and_huge_ints_take_the_reference_semantics(monkeypatch):
    """Cells from Excel / a database are Python values: a bool is not a number, an int
    beyond float range is reported as infinite (it used to escape as OverflowError)."""
    from station_plugins.detector_matching import indicators as I
    from station_plugins.detector_matching.pool_io import RawTable
    cols, rows = generated_rows(generate(20, 4))
    rows = [list(r) for r in rows]
    rows[0][30] = True
    rows[1][31] = 10 ** 400
    rows[2][32] = 3                                    # a plain int is a number
    units = {c: I.UNITS.get(c, "") for c in cols[1:]}
    results = []
    for fast in (True, False):
        monkeypatch.setattr(importer, "FAST_PARSE", fast)
        results.append(importer.validate_table(RawTable(cols, units, rows, "xlsx"), "t"))
    _same(*results)
    pool = results[0]
    bad = {e.serial: e.reasons for e in pool.excluded}
    assert any("not a number" in r for r in bad[rows[0][0]])
    assert any("NaN or infinite" in r for r in bad[rows[1][0]])
    assert rows[2][0] in pool.serials or rows[2][0] in bad      # never an exception


@pytest.mark.slow
def test_run_json_reports_the_time_before_the_clock(tmp_path):
    from station_plugins.detector_matching.cli import main
    pool = tmp_path / "pool.csv"
    assert main(["match", "generate", "--slots", "30", "--modules", "36", "--seed", "2",
                 "--out", str(pool)]) == 0
    for cost in ("physics", "auto"):
        out = tmp_path / f"{cost}.json"
        assert main(["match", "run", str(pool), "--detector-model", "PX-48", "--slots", "30",
                     "--time-limit", "1", "--cost", cost, "--json", str(out)]) == 0
        d = json.loads(out.read_text())
        for key in ("libraries_seconds", "kernel_seconds", "import_seconds",
                    "pre_clock_seconds", "total_seconds"):
            assert isinstance(d[key], float) and d[key] >= 0, key
        assert d["startup_seconds"] is None or d["startup_seconds"] > 0
        parts = ((d["startup_seconds"] or 0) + d["libraries_seconds"] + d["kernel_seconds"]
                 + d["import_seconds"])
        assert parts <= d["pre_clock_seconds"] + 1e-3
        assert d["pre_clock_seconds"] + d["seconds"] <= d["total_seconds"] + 1e-3
        if cost == "physics":
            assert d["cost_model_seconds"] is None and d["cost_matrix_seconds"] is None
        else:
            assert d["cost_model_seconds"] is not None and d["cost_model_seconds"] >= 0
            if d["cost_source"] == "learned":      # computed before the clock
                assert d["cost_matrix_seconds"] >= 0
    out = tmp_path / "batch.json"
    pool50 = tmp_path / "pool50.csv"
    write_table(pool50, *generated_rows(generate(50, 4)))
    assert main(["match", "batch", str(pool50), "--detector-model", "PX-48", "--detectors",
                 "1", "--spec-cost-per-slot", "100", "--time-limit", "1", "--cost",
                 "physics", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["cost_model_seconds"] is None and d["import_seconds"] >= 0
    assert d["pre_clock_seconds"] <= d["total_seconds"]


def _python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter on this checkout (as a user's process)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT, timeout=300)


@pytest.mark.slow
def test_csv_physics_run_never_imports_pyarrow_or_onnxruntime(tmp_path):
    """What a run does not need is not imported (a fresh process, as the user runs it)."""
    pool = tmp_path / "pool.csv"
    write_table(pool, *generated_rows(generate(36, 2)))
    out = tmp_path / "o.json"
    code = ("import sys, json\n"
            "from app.main import main\n"
            f"rc = main(['match', 'run', {str(pool)!r}, '--detector-model', 'PX-48',"
            f" '--slots', '30', '--time-limit', '0.5', '--cost', 'physics',"
            f" '--json', {str(out)!r}])\n"
            "print(json.dumps([rc, sorted(m for m in ('pyarrow', 'onnxruntime', 'openpyxl',"
            " 'sqlalchemy', 'scipy.optimize') if m in sys.modules)]))\n")
    res = _python(code)
    assert res.returncode == 0, res.stderr
    rc, loaded = json.loads(res.stdout.strip().splitlines()[-1])
    assert rc == 0 and loaded == []
    assert json.loads(out.read_text())["startup_seconds"] > 0


def test_fast_path_parses_clean_rows_and_leaves_only_faulty_rows_to_the_cell_loop():
    """The vectorised path is really taken (not a silent fallback for every row)."""
    from station_plugins.detector_matching import indicators as I
    cols, rows = _faulty_rows(6)
    rows = [[str(v) if isinstance(v, float) else v for v in r] for r in rows]   # as CSV
    ind = np.array([cols.index(c) for c in I.INDICATOR_COLUMNS])
    values, parsed = importer._parse_indicators(rows, ind, len(cols))
    faulty = {1, 2, 3, 4, 6, 7, 12}          # text, None, nan, inf, 3 faults, short, 1e400
    assert set(np.flatnonzero(~parsed).tolist()) == faulty
    assert np.isnan(values[~parsed]).all() and np.isfinite(values[parsed]).all()
    assert values[5, 14 - 4] == 1.25
    clean = [r for k, r in enumerate(rows) if k not in faulty]
    values, parsed = importer._parse_indicators(clean, ind, len(cols))
    assert parsed.all()
    assert np.array_equal(values, np.array([[float(r[i]) for i in ind] for r in clean]))


@pytest.mark.slow
def test_match_run_process_ends_right_after_its_result(tmp_path):
    """`pharos match run` ends its process once the result is written (the interpreter's
    teardown took 0.2-2.5 s): exit handlers still run, the exit code is the command's,
    and nothing after main() runs; an in-process main(argv) returns as before."""
    pool = tmp_path / "pool.csv"
    write_table(pool, *generated_rows(generate(36, 2)))
    out = tmp_path / "o.json"
    marker = tmp_path / "atexit.txt"
    code = ("import atexit, sys, pathlib\n"
            f"atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text('ran'))\n"
            "from app.main import main\n"
            f"sys.argv = ['pharos', 'match', 'run', {str(pool)!r}, '--detector-model',"
            f" 'PX-48', '--slots', '30', '--time-limit', '0.5', '--cost', 'physics',"
            f" '--json', {str(out)!r}]\n"
            "rc = main()\n"
            "print('returned', rc)\n"
            "raise SystemExit(7)\n")
    res = _python(code)
    assert res.returncode == 0, res.stderr
    assert "returned" not in res.stdout and ": objective" in res.stderr
    assert marker.read_text() == "ran"
    assert json.loads(out.read_text())["slots"] == 30
    from app.main import main
    assert main(["match", "run", str(pool), "--detector-model", "PX-48", "--slots", "30",
                 "--time-limit", "0.5", "--cost", "physics", "--json",
                 str(tmp_path / "p.json")]) == 0


def test_run_leaves_time_for_its_result_and_exit_within_the_promise():
    """`match run` ends the search early by what writing the result and ending the
    process take (the command's wall: limit x 1.05 after its start-up)."""
    from station_plugins.detector_matching.cli import exit_reserve
    assert exit_reserve(None, 5.0) == pytest.approx(0.1)
    assert exit_reserve(0.01, 5.0) == 0.02                   # at least 20 ms
    assert exit_reserve(3.0, 1.0) == pytest.approx(0.1)       # at most 10 % of the limit
    assert exit_reserve(0.3, 0.1) == pytest.approx(0.01)
