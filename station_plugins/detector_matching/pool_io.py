"""Read and write module pool tables: CSV, Parquet (pyarrow) and Excel (openpyxl).

Format: one row per module; columns ``module_serial, lot, test_date, schema_version``
then the 500 indicator columns. Units travel with the data: in CSV and Excel as the
second row (first cell ``#units``), in Parquet as field metadata ``unit``.
Reading returns a :class:`RawTable` of raw cells; validation is the importer's job.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from app.core.errors import InputRejected
from station_plugins.detector_matching import indicators as I

UNITS_MARKER = "#units"
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}


@dataclass
class RawTable:
    columns: list[str]
    units: dict[str, str] | None        # column -> unit, None when the file has none
    rows: list[list[Any]]               # raw cells (str for CSV, python values otherwise)
    source_format: str
    header_rows: int = 1                # data row r is line r + header_rows + 1 in the file


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputRejected(f"Unsupported pool file type '{path.suffix}' ({path.name}).",
                            remedy="Use .csv, .parquet or .xlsx.", code="DM-IMP-FMT")
    return fmt


def _units_for(columns: Sequence[str]) -> list[str]:
    return [I.UNITS.get(c, "") for c in columns]


def write_table(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                units: Sequence[str] | None = None) -> None:
    """Write a table (rows of python values) in the format given by the extension."""
    path = Path(path)
    fmt = file_format(path)
    units = list(units) if units is not None else _units_for(columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    if fmt == "csv":
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            w.writerow([UNITS_MARKER] + list(units[1:]))
            for r in rows:
                w.writerow([repr(v) if isinstance(v, float) else ("" if v is None else v)
                            for v in r])
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
        fields, arrays = [], []
        for k, name in enumerate(columns):
            col = [r[k] for r in rows]
            is_num = all(isinstance(v, (int, float)) or v is None for v in col) and name \
                not in I.ID_COLUMNS
            typ = pa.float64() if is_num else pa.string()
            fields.append(pa.field(name, typ, metadata={"unit": units[k]}))
            arrays.append(pa.array(col if is_num else [None if v is None else str(v)
                                                       for v in col], type=typ))
        pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)), tmp)
    else:
        from openpyxl import Workbook
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("modules")
        ws.append(list(columns))
        ws.append([UNITS_MARKER] + list(units[1:]))
        for r in rows:
            ws.append(list(r))
        wb.save(tmp)
    tmp.replace(path)   # a reader never sees a half-written file


def read_table(path: Path) -> RawTable:
    path = Path(path)
    fmt = file_format(path)
    if not path.is_file():
        raise InputRejected(f"Pool file not found: {path}", code="DM-IMP-NOFILE",
                            remedy="Check the path and try again.")
    try:
        if fmt == "csv":
            return _read_csv(path)
        if fmt == "parquet":
            return _read_parquet(path)
        return _read_xlsx(path)
    except InputRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - library errors become an operator message
        raise InputRejected(f"Cannot read {path.name} as {fmt}: {exc}",
                            code="DM-IMP-READ",
                            remedy="Export the file again from the test database.") from exc


def _split_units(columns: list[str], rows: list[list[Any]]) -> tuple[dict | None, list, int]:
    if rows and str(rows[0][0]).strip() == UNITS_MARKER:
        unit_row = rows[0]
        units = {c: ("" if k >= len(unit_row) or unit_row[k] is None else
                     str(unit_row[k]).strip()) for k, c in enumerate(columns) if k > 0}
        return units, rows[1:], 2
    return None, rows, 1


def _read_csv(path: Path) -> RawTable:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        all_rows = list(csv.reader(fh))
    if not all_rows:
        raise InputRejected(f"{path.name} is empty.", code="DM-IMP-EMPTY")
    columns = [c.strip() for c in all_rows[0]]
    units, rows, header_rows = _split_units(columns, all_rows[1:])
    rows = [r for r in rows if any(cell.strip() for cell in r)]   # blank lines
    return RawTable(columns, units, rows, "csv", header_rows)


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq
    table = pq.read_table(path)
    columns = list(table.column_names)
    units: dict[str, str] | None = {}
    for f in table.schema:
        meta = f.metadata or {}
        u = meta.get(b"unit")
        if u is None:
            units = None
            break
        assert units is not None   # set to None only just before the break
        units[f.name] = u.decode("utf-8")
    cols = [table.column(k).to_pylist() for k in range(table.num_columns)]
    rows = [list(r) for r in zip(*cols)] if cols else []
    return RawTable(columns, units, rows, "parquet", 1)


def _read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        all_rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not all_rows:
        raise InputRejected(f"{path.name} has an empty first sheet.", code="DM-IMP-EMPTY")
    columns = ["" if c is None else str(c).strip() for c in all_rows[0]]
    units, rows, header_rows = _split_units(columns, all_rows[1:])
    rows = [r for r in rows if any(c is not None and str(c).strip() for c in r)]
    return RawTable(columns, units, rows, "xlsx", header_rows)


def generated_rows(pool: Any) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of a :class:`generator.GeneratedPool` in the import format."""
    columns = list(I.ID_COLUMNS) + list(I.INDICATOR_COLUMNS)
    rows = []
    for k, serial in enumerate(pool.serials):
        vals = [round(float(v), 6) for v in pool.values[k]]
        rows.append([serial, pool.lots[k], pool.test_dates[k], I.SCHEMA_VERSION] + vals)
    return columns, rows
