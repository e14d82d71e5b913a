"""Validated, all-or-nothing import of a module pool.

Faults that make the whole file untrustworthy REFUSE the import (nothing is imported):
unreadable file, schema version mismatch, missing or duplicated indicator columns,
missing unit row or a unit that differs from the format, no usable module.
Faults of one module EXCLUDE that module, listed with its reasons: a missing value,
NaN or text in an indicator, a bad test date, a duplicated serial, out of spec.
With ``strict=True`` every exclusion other than out-of-spec refuses the import.
Either a complete :class:`ModulePool` comes back or :class:`PoolImportRefused` is
raised with the full per-row, per-column report: nothing is half-imported.
"""
from __future__ import annotations

import hashlib
import math
import operator
from itertools import chain
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import InputRejected
from station_plugins.detector_matching import indicators as I
from station_plugins.detector_matching.pool_io import RawTable, read_table

REFUSE, EXCLUDE, WARNING = "refuse", "exclude", "warning"


@dataclass(frozen=True)
class ImportIssue:
    severity: str                  # refuse | exclude | warning
    code: str                      # stable, e.g. DM-IMP-NAN
    message: str
    row: int | None = None         # line number in the file (1-based), None = whole file
    column: str | None = None
    serial: str | None = None

    def to_dict(self) -> dict:
        return {"severity": self.severity, "code": self.code, "message": self.message,
                "row": self.row, "column": self.column, "serial": self.serial}


@dataclass
class ImportReport:
    source: str
    issues: list[ImportIssue] = field(default_factory=list)
    rows_read: int = 0
    accepted: int = 0

    @property
    def refused(self) -> bool:
        return any(i.severity == REFUSE for i in self.issues)

    def add(self, severity: str, code: str, message: str, **kw: Any) -> None:
        self.issues.append(ImportIssue(severity, code, message, **kw))

    def to_dict(self) -> dict:
        return {"source": self.source, "rows_read": self.rows_read,
                "accepted": self.accepted, "refused": self.refused,
                "issues": [i.to_dict() for i in self.issues]}

    def to_text(self, limit: int = 40) -> str:
        head = (f"{self.source}: {self.rows_read} rows, {self.accepted} accepted, "
                f"{sum(i.severity == EXCLUDE for i in self.issues)} exclusion notes"
                + (" - IMPORT REFUSED" if self.refused else ""))
        lines = [head]
        for i in sorted(self.issues, key=lambda i: (i.severity != REFUSE, i.row or 0))[:limit]:
            where = []
            if i.row is not None:
                where.append(f"row {i.row}")
            if i.column:
                where.append(f"column {i.column}")
            if i.serial:
                where.append(f"module {i.serial}")
            lines.append(f"  [{i.severity}] {i.code} {', '.join(where)}: {i.message}")
        if len(self.issues) > limit:
            lines.append(f"  ... {len(self.issues) - limit} more")
        return "\n".join(lines)


class PoolImportRefused(InputRejected):
    code = "DM-IMP"
    remedy = "Correct the file (see the import report) and import it again; nothing was imported."

    def __init__(self, report: ImportReport) -> None:
        first = next(i for i in report.issues if i.severity == REFUSE)
        n = sum(i.severity == REFUSE for i in report.issues)
        super().__init__(f"Import of {report.source} refused: {first.message}"
                         + (f" (+{n - 1} more refusing faults)" if n > 1 else ""),
                         detail=report.to_text())
        self.report = report


@dataclass(frozen=True)
class ExcludedModule:
    serial: str
    row: int
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"serial": self.serial, "row": self.row, "reasons": list(self.reasons)}


@dataclass
class ModulePool:
    serials: list[str]
    lots: list[str]
    test_dates: list[str]
    values: np.ndarray                         # (m, 500) float64, accepted modules
    excluded: list[ExcludedModule]
    report: ImportReport
    source_sha256: str = ""
    schema_version: str = I.SCHEMA_VERSION

    @property
    def size(self) -> int:
        return len(self.serials)

    def index_of(self, serial: str) -> int:
        return self.serials.index(serial)


def _to_float(cell: Any) -> float | None:
    if cell is None:
        return None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        try:
            return float(cell)
        except OverflowError:     # an int beyond float range: reported as infinite
            return math.inf
    text = str(cell).strip()
    if not text:
        return None
    return float(text)            # ValueError for text


_WORDS = {"DM-IMP-TEXT": "not a number", "DM-IMP-MISSING": "missing value",
          "DM-IMP-NAN": "NaN or infinite"}
_FAST_TYPES = frozenset({str, float, int})
FAST_PARSE = True          # False: every cell through _to_float (the reference path, tests)


def _parse_indicators(rows: list[list[Any]], ind_idx: np.ndarray, ncols: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Indicator values (m, k) and the mask of rows whose every indicator is a finite
    number, parsed without a Python loop per cell: ``float()`` over all cells at once
    (the same conversion as :func:`_to_float` for str / float / int cells; bool and
    other types never take this path). A block that fails is retried in chunks and
    row by row (:func:`_parse_block`); rows still failing (text, empty, NaN, short
    rows) are left to the per-cell loop, which reports every faulty cell with its code,
    as before."""
    m, k = len(rows), len(ind_idx)
    values = np.full((m, k), np.nan)
    parsed = np.zeros(m, dtype=bool)
    if not FAST_PARSE or m == 0 or k < 2:
        return values, parsed
    get = operator.itemgetter(*ind_idx.tolist())
    full = [r for r in range(m) if len(rows[r]) >= ncols]
    if not full:
        return values, parsed
    _parse_block(rows, full, get, values, parsed, split=True)
    values[~parsed] = np.nan      # the per-cell loop fills those rows' good cells
    return values, parsed


def _parse_block(rows: list[list[Any]], block: list[int], get: Any, values: np.ndarray,
                 parsed: np.ndarray, split: bool) -> None:
    """Parse the indicator cells of the rows ``block`` at once; when that fails (a
    faulty cell somewhere), the block is retried in 64-row chunks (``split``), and a
    failing chunk row by row, so one bad cell costs little."""
    k = values.shape[1]
    cells = list(chain.from_iterable(map(get, (rows[r] for r in block))))
    try:
        if not set(map(type, cells)) <= _FAST_TYPES:
            raise TypeError("a cell that is not str / float / int")
        got = np.fromiter(map(float, cells), float, len(cells)).reshape(len(block), k)
    except (ValueError, TypeError, OverflowError):
        if len(block) == 1:
            return
        size = 64 if split and len(block) > 64 else 1
        for i in range(0, len(block), size):
            _parse_block(rows, block[i:i + size], get, values, parsed, split=False)
        return
    values[block] = got
    parsed[block] = np.isfinite(got).all(axis=1)


def validate_table(table: RawTable, source: str, *, strict: bool = False,
                   source_sha256: str = "",
                   row_problems: dict[int, list[tuple[str, str, str]]] | None = None
                   ) -> ModulePool:
    """Validate a raw table (from a file or an MES/test-database query).
    ``row_problems``: row index -> [(code, message, column)] found by the reader (e.g.
    conflicting repeated measurements in a database); each excludes its row."""
    rep = ImportReport(source, rows_read=len(table.rows))
    cols = table.columns
    seen: dict[str, int] = {}
    for k, c in enumerate(cols):
        if c in seen:
            rep.add(REFUSE, "DM-IMP-DUPCOL", f"column '{c}' appears twice "
                    f"(positions {seen[c] + 1} and {k + 1})", column=c)
        seen[c] = k
    for c in I.ID_COLUMNS:
        if c not in seen:
            rep.add(REFUSE, "DM-IMP-NOID", f"required column '{c}' is missing", column=c)
    missing = [c for c in I.INDICATOR_COLUMNS if c not in seen]
    if missing:
        shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
        rep.add(REFUSE, "DM-IMP-MISSCOL", f"{len(missing)} indicator columns are missing: "
                f"{shown}", column=missing[0])
    extra = [c for c in cols if c not in I.UNITS and c not in I.ID_COLUMNS and c]
    if extra:
        rep.add(WARNING, "DM-IMP-EXTRA", f"{len(extra)} unknown columns ignored: "
                f"{', '.join(extra[:5])}")
    if table.units is None:
        rep.add(REFUSE, "DM-IMP-NOUNITS", "the file carries no units (CSV/Excel: second row "
                "starting with '#units'; Parquet: field metadata 'unit')")
    else:
        for c in I.INDICATOR_COLUMNS:
            if c in seen and table.units.get(c, "") != I.UNITS[c]:
                rep.add(REFUSE, "DM-IMP-UNIT", f"unit '{table.units.get(c, '')}' but the "
                        f"format requires '{I.UNITS[c]}'", column=c)
    if not table.rows:
        rep.add(REFUSE, "DM-IMP-EMPTY", "the file has no module rows")
    if rep.refused:
        raise PoolImportRefused(rep)

    id_idx = {c: seen[c] for c in I.ID_COLUMNS}
    ind_idx = np.array([seen[c] for c in I.INDICATOR_COLUMNS])
    m = len(table.rows)
    values, parsed = _parse_indicators(table.rows, ind_idx, len(cols))
    reasons: list[list[str]] = [[] for _ in range(m)]
    serials, lots, dates = [], [], []
    line0 = table.header_rows + 1
    for r, row in enumerate(table.rows):
        line = r + line0
        row = list(row) + [None] * (len(cols) - len(row))
        serial = "" if row[id_idx["module_serial"]] is None else str(row[id_idx["module_serial"]]).strip()
        serials.append(serial)
        lots.append("" if row[id_idx["lot"]] is None else str(row[id_idx["lot"]]).strip())
        sv = "" if row[id_idx["schema_version"]] is None else str(row[id_idx["schema_version"]]).strip()
        if sv.split(".")[0] != I.SCHEMA_MAJOR:
            rep.add(REFUSE, "DM-IMP-SCHEMA", f"schema version '{sv}' is not supported "
                    f"(this station reads {I.SCHEMA_MAJOR}.x)", row=line,
                    column="schema_version", serial=serial or None)
        if not serial:
            reasons[r].append("no module serial")
            rep.add(EXCLUDE, "DM-IMP-NOSERIAL", "row has no module serial", row=line,
                    column="module_serial")
        raw_date = row[id_idx["test_date"]]
        try:
            d = raw_date if isinstance(raw_date, date) else date.fromisoformat(str(raw_date).strip()[:10])
            dates.append(d.isoformat())
        except (TypeError, ValueError):
            dates.append("")
            reasons[r].append(f"bad test date '{raw_date}'")
            rep.add(EXCLUDE, "DM-IMP-DATE", f"test date '{raw_date}' is not a date "
                    "(YYYY-MM-DD)", row=line, column="test_date", serial=serial)
        for code, message, column in (row_problems or {}).get(r, []):
            reasons[r].append(message)
            rep.add(EXCLUDE, code, message, row=line, column=column, serial=serial)
        if parsed[r]:
            continue                 # every indicator a finite number (fast path)
        bad_cols: dict[str, list[str]] = {}
        for k, ci in enumerate(ind_idx):
            cell = row[ci]
            try:
                v = _to_float(cell)
            except ValueError:
                bad_cols.setdefault("DM-IMP-TEXT", []).append(I.INDICATOR_COLUMNS[k])
                continue
            if v is None:
                bad_cols.setdefault("DM-IMP-MISSING", []).append(I.INDICATOR_COLUMNS[k])
            elif math.isnan(v) or math.isinf(v):
                bad_cols.setdefault("DM-IMP-NAN", []).append(I.INDICATOR_COLUMNS[k])
            else:
                values[r, k] = v
        for code, names in bad_cols.items():
            reasons[r].append(f"{_WORDS[code]} in {len(names)} indicator(s): "
                              f"{', '.join(names[:4])}{' ...' if len(names) > 4 else ''}")
            for name in names:
                rep.add(EXCLUDE, code, _WORDS[code], row=line, column=name, serial=serial)
    if rep.refused:
        raise PoolImportRefused(rep)

    by_serial: dict[str, list[int]] = {}
    for r, s in enumerate(serials):
        if s:
            by_serial.setdefault(s, []).append(r)
    for s, rows_of in by_serial.items():
        if len(rows_of) > 1:
            lines = ", ".join(str(r + line0) for r in rows_of)
            for r in rows_of:
                reasons[r].append(f"duplicate serial (rows {lines})")
                rep.add(EXCLUDE, "DM-IMP-DUP", f"serial appears in rows {lines}",
                        row=r + line0, column="module_serial", serial=s)
    complete = np.array([not reasons[r] for r in range(m)])
    if complete.any():
        spec = I.out_of_spec_reasons(np.where(complete[:, None], values, 0.0))
        for r in np.flatnonzero(complete).tolist():
            for text in spec[r]:
                reasons[r].append(text)
                rep.add(EXCLUDE, "DM-IMP-SPEC", text, row=int(r) + line0, serial=serials[r])
    if strict:
        for i in list(rep.issues):
            if i.severity == EXCLUDE and i.code != "DM-IMP-SPEC":
                rep.add(REFUSE, "DM-IMP-STRICT", f"strict import: {i.message}", row=i.row,
                        column=i.column, serial=i.serial)
                break
    keep = [r for r in range(m) if not reasons[r]]
    if not keep and not rep.refused:
        rep.add(REFUSE, "DM-IMP-NONE", "no module in the file is usable")
    if rep.refused:
        raise PoolImportRefused(rep)
    rep.accepted = len(keep)
    excluded = [ExcludedModule(serials[r] or f"<row {r + line0}>", r + line0,
                               tuple(reasons[r])) for r in range(m) if reasons[r]]
    return ModulePool(serials=[serials[r] for r in keep], lots=[lots[r] for r in keep],
                      test_dates=[dates[r] for r in keep], values=values[keep].copy(),
                      excluded=excluded, report=rep, source_sha256=source_sha256)


def import_pool(path: str | Path, *, strict: bool = False, token: Any = None,
                progress: Any = None) -> ModulePool:
    """Read and validate a pool file (token / progress: for the station's background
    runner; reading is one step, so a cancel takes effect before validation)."""
    path = Path(path)
    if progress is not None:
        progress(0.1, f"reading {path.name}")
    table = read_table(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if token is not None and token.cancelled:
        from app.core.errors import Cancelled
        raise Cancelled("Import cancelled.")
    if progress is not None:
        progress(0.6, f"validating {len(table.rows)} modules")
    return validate_table(table, path.name, strict=strict, source_sha256=digest)
