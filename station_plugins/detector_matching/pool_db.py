"""Read a module pool from the MES / test database (any SQLAlchemy URL).

Test databases store one row per measurement, so the table is read in *long* format:

    module_serial, lot, test_date, schema_version, indicator, value, unit

(one row per module and indicator; ``indicator`` is the column name of the file format,
e.g. ``linearity_z2_c15``). It is pivoted to the file format's one-row-per-module table
and handed to :func:`importer.validate_table`, so the same all-or-nothing validation
applies, plus what only a database can get wrong:

* an indicator measured twice for one module with different values: the module is
  excluded ("duplicate measurements ..."); equal repeats are accepted;
* one module with two lots / test dates / schema versions: the module is excluded;
* one indicator in two units across rows: the whole import is refused (unit mismatch).

The source is recorded as ``db:<URL without password>#<table>`` with the sha256 of the
rows read (sorted), so an arrangement traces back to exactly the data it used.
"""
from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from station_plugins.detector_matching import indicators as I
from station_plugins.detector_matching.pool_io import RawTable

if TYPE_CHECKING:
    from station_plugins.detector_matching.importer import ModulePool

LONG_COLUMNS = ("module_serial", "lot", "test_date", "schema_version", "indicator",
                "value", "unit")
DEFAULT_TABLE = "module_test_results"


def is_db_url(text: str) -> bool:
    head = str(text).split("://", 1)[0]
    return "://" in str(text) and head.replace("+", "").isalnum()


def read_db_table(url: str, table: str = DEFAULT_TABLE
                  ) -> tuple[RawTable, dict[int, list[tuple[str, str, str]]], str, str]:
    """(raw table in the file format, per-row problems, source label, sha256 of the rows
    read)."""
    from station_plugins.detector_matching.adapters.module_db import read_long_table, safe_url
    rows = read_long_table(url, table, LONG_COLUMNS, DEFAULT_TABLE)
    canon = json.dumps([[None if v is None else str(v) for v in r] for r in rows],
                       ensure_ascii=False)
    digest = hashlib.sha256(canon.encode("utf-8")).hexdigest()
    raw, problems = pivot(rows)
    return raw, problems, f"db:{safe_url(url)}#{table}", digest


def _distinct(values: list[Any]) -> list[str]:
    return sorted({str(v) for v in values if v is not None})


def pivot(rows: list[tuple]) -> tuple[RawTable, dict[int, list[tuple[str, str, str]]]]:
    """Long rows (LONG_COLUMNS order) -> the file format's wide table (raw cells) and
    the per-row problems that exclude a module (row index -> [(code, message, column)])."""
    modules: dict[str, dict[str, Any]] = {}
    units: dict[str, set[str]] = {}
    order: list[str] = []
    for serial, lot, date, version, indicator, value, unit in rows:
        key = "" if serial is None else str(serial)
        mod = modules.get(key)
        if mod is None:
            mod = modules[key] = {"lot": [], "test_date": [], "schema_version": [],
                                  "values": {}}
            order.append(key)
        mod["lot"].append(lot)
        mod["test_date"].append(date.isoformat() if hasattr(date, "isoformat") else date)
        mod["schema_version"].append(version)
        ind = "" if indicator is None else str(indicator).strip()
        units.setdefault(ind, set()).add("" if unit is None else str(unit).strip())
        mod["values"].setdefault(ind, []).append(value)
    known = [c for c in I.INDICATOR_COLUMNS if c in units]
    extra = sorted(c for c in units if c not in I.UNITS)
    columns = list(I.ID_COLUMNS) + known + extra
    unit_map = {c: (next(iter(u)) if len(u) == 1 else "mixed: " + " | ".join(sorted(u)))
                for c, u in units.items()}
    table_rows = []
    problems: dict[int, list[tuple[str, str, str]]] = {}
    for r, key in enumerate(order):
        mod = modules[key]
        row: list[Any] = [key or None]
        for col, what in (("lot", "lots"), ("test_date", "test dates"),
                          ("schema_version", "schema versions")):
            distinct = _distinct(mod[col])
            row.append(mod[col][0])
            if len(distinct) > 1 and col != "schema_version":   # versions: the importer
                problems.setdefault(r, []).append(                # refuses a mismatch
                    ("DM-IMP-CONFLICT", f"conflicting {what}: {' / '.join(distinct)}", col))
            elif len(distinct) > 1:
                row[-1] = " / ".join(distinct)
        for c in known + extra:
            vals = mod["values"].get(c)
            if not vals:
                row.append(None)                                   # missing: excluded
                continue
            row.append(vals[0])
            if len(_distinct(vals)) > 1:
                problems.setdefault(r, []).append(
                    ("DM-IMP-REPEAT", "duplicate measurements with different values: "
                     + " / ".join(str(v) for v in vals), c))
        table_rows.append(row)
    return RawTable(columns, unit_map, table_rows, "database", header_rows=0), problems


def import_pool_db(url: str, table: str = DEFAULT_TABLE, *, strict: bool = False,
                   token: Any = None, progress: Any = None) -> ModulePool:
    """Read and validate (token / progress: for the station's background runner)."""
    from station_plugins.detector_matching.importer import validate_table
    if progress is not None:
        progress(0.1, f"reading {table} from the test database")
    raw, problems, source, digest = read_db_table(url, table)
    if progress is not None:
        progress(0.7, f"validating {len(raw.rows)} modules")
    return validate_table(raw, source, strict=strict, source_sha256=digest,
                          row_problems=problems)
