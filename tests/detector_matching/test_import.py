"""Import validation: every fault is reported per row / column; refusals import nothing."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.core.errors import InputRejected
from station_plugins.detector_matching import indicators as I
from station_plugins.detector_matching.importer import PoolImportRefused, import_pool
from station_plugins.detector_matching.pool_io import write_table


def _write(tmp_path: Path, cols, rows, units=None, name="p.csv") -> Path:
    p = tmp_path / name
    write_table(p, cols, rows, units)
    return p


def _codes(exc_info) -> set[str]:
    return {i.code for i in exc_info.value.report.issues if i.severity == "refuse"}


def test_clean_pool_round_trips_in_all_formats(tmp_path, table):
    cols, rows = table
    sizes = set()
    for ext in ("csv", "parquet", "xlsx"):
        pool = import_pool(_write(tmp_path, cols, rows, name=f"p.{ext}"))
        sizes.add((pool.size, len(pool.excluded)))
        assert pool.values.shape == (pool.size, len(I.INDICATOR_COLUMNS))
        assert len(pool.source_sha256) == 64
    assert len(sizes) == 1 and sum(sizes.pop()) == len(rows)


def test_planted_out_of_spec_modules_are_excluded_with_reason(tmp_path):
    from station_plugins.detector_matching.generator import generate
    from station_plugins.detector_matching.pool_io import generated_rows
    g = generate(300, 11)
    cols, rows = generated_rows(g)
    pool = import_pool(_write(tmp_path, cols, rows))
    bad = {s for s, b in zip(g.serials, g.out_of_spec) if b}
    assert bad and bad <= {e.serial for e in pool.excluded}   # natural tails may add a few
    assert all(r.startswith("out of spec") for e in pool.excluded for r in e.reasons)
    assert not bad & set(pool.serials)


def test_missing_indicator_column_refuses(tmp_path, table):
    cols, rows = table
    k = cols.index("afterglow_z2_c15")
    cols2 = cols[:k] + cols[k + 1:]
    rows2 = [r[:k] + r[k + 1:] for r in rows]
    with pytest.raises(PoolImportRefused) as ei:
        import_pool(_write(tmp_path, cols2, rows2))
    assert "DM-IMP-MISSCOL" in _codes(ei)
    assert "afterglow_z2_c15" in ei.value.detail


def test_unit_mismatch_refuses_naming_the_column(tmp_path, table):
    cols, rows = table
    units = [I.UNITS.get(c, "") for c in cols]
    units[cols.index("drift_c03")] = "%/degF"
    with pytest.raises(PoolImportRefused) as ei:
        import_pool(_write(tmp_path, cols, rows, units))
    issue = next(i for i in ei.value.report.issues if i.code == "DM-IMP-UNIT")
    assert issue.column == "drift_c03"


def test_file_without_unit_row_refuses(tmp_path, table):
    cols, rows = table
    p = tmp_path / "nounits.csv"
    with p.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        w.writerows(rows)
    with pytest.raises(PoolImportRefused) as ei:
        import_pool(p)
    assert "DM-IMP-NOUNITS" in _codes(ei)


def test_schema_version_mismatch_refuses_whole_file(tmp_path, table):
    cols, rows = table
    rows = [list(r) for r in rows]
    rows[5][cols.index("schema_version")] = "DM-2.0"
    with pytest.raises(PoolImportRefused) as ei:
        import_pool(_write(tmp_path, cols, rows))
    issue = next(i for i in ei.value.report.issues if i.code == "DM-IMP-SCHEMA")
    assert issue.row == 5 + 3          # header + unit row, 1-based lines


@pytest.mark.parametrize("cell,code", [("", "DM-IMP-MISSING"), ("nan", "DM-IMP-NAN"),
                                       ("n/a", "DM-IMP-TEXT")])
def test_bad_cell_excludes_only_that_module(tmp_path, table, cell, code):
    cols, rows = table
    rows = [list(r) for r in rows]
    rows[7][cols.index("noise_z1_c04")] = cell
    pool = import_pool(_write(tmp_path, cols, rows))
    serial = rows[7][0]
    assert serial not in pool.serials
    ex = next(e for e in pool.excluded if e.serial == serial)
    assert "noise_z1_c04" in ex.reasons[0]
    issue = next(i for i in pool.report.issues if i.code == code)
    assert issue.column == "noise_z1_c04" and issue.row == 7 + 3


def test_duplicate_serials_exclude_both_rows(tmp_path, table):
    cols, rows = table
    rows = [list(r) for r in rows]
    rows[9][0] = rows[2][0]
    pool = import_pool(_write(tmp_path, cols, rows))
    dups = [e for e in pool.excluded if e.serial == rows[2][0]]
    assert len(dups) == 2 and all("duplicate serial" in e.reasons[0] for e in dups)


def test_strict_mode_refuses_on_a_faulty_row(tmp_path, table):
    cols, rows = table
    rows = [list(r) for r in rows]
    rows[1][cols.index("gain_z0_c00")] = ""
    with pytest.raises(PoolImportRefused):
        import_pool(_write(tmp_path, cols, rows), strict=True)


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(InputRejected):
        import_pool(tmp_path / "pool.json")
    with pytest.raises(InputRejected):
        import_pool(tmp_path / "absent.csv")


def test_garbage_parquet_is_refused_cleanly(tmp_path):
    p = tmp_path / "bad.parquet"
    p.write_bytes(b"not a parquet file")
    with pytest.raises(InputRejected) as ei:
        import_pool(p)
    assert ei.value.code == "DM-IMP-READ"
