"""Import from the MES / test database (long format): the same pool as from a file, the
faults only a database has (conflicting repeats, mixed units, missing table / columns,
unreachable server), on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
import sqlalchemy as sa

from app.core.errors import InputRejected
from station_plugins.detector_matching import indicators as I
from station_plugins.detector_matching.importer import (PoolImportRefused, import_pool,
                                                        validate_table)
from station_plugins.detector_matching.adapters.module_db import safe_url
from station_plugins.detector_matching.pool_db import DEFAULT_TABLE, import_pool_db, is_db_url
from station_plugins.detector_matching.pool_io import RawTable
from tests.pg_fixtures import pg_server  # noqa: F401

from .conftest import write_pool


def long_rows(cols, rows):
    """The wide generated table as one row per module and indicator."""
    out = []
    ids = {c: k for k, c in enumerate(cols)}
    for r in rows:
        for c in I.INDICATOR_COLUMNS:
            out.append({"module_serial": r[ids["module_serial"]], "lot": r[ids["lot"]],
                        "test_date": date.fromisoformat(str(r[ids["test_date"]])[:10]),
                        "schema_version": r[ids["schema_version"]], "indicator": c,
                        "value": float(r[ids[c]]), "unit": I.UNITS[c]})
    return out


def make_table(url: str, records: list[dict], name: str = DEFAULT_TABLE) -> None:
    engine = sa.create_engine(url)
    md = sa.MetaData()
    t = sa.Table(name, md, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("module_serial", sa.String(40)), sa.Column("lot", sa.String(20)),
                 sa.Column("test_date", sa.Date), sa.Column("schema_version", sa.String(10)),
                 sa.Column("indicator", sa.String(40)), sa.Column("value", sa.Float),
                 sa.Column("unit", sa.String(10)))
    md.drop_all(engine)
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), records)
    engine.dispose()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("dmdb") / "pool.csv"
    cols, rows = write_pool(path, modules=12, seed=4)
    return path, cols, rows


def test_url_detection_and_password_hiding():
    assert is_db_url("postgresql+psycopg://qe:pw@db/quality")
    assert is_db_url("sqlite:///x.db")
    assert not is_db_url("pool.csv") and not is_db_url("C:/data/pool.csv")
    assert "pw" not in safe_url("postgresql+psycopg://qe:pw@db/quality")


def test_database_pool_equals_the_file_pool(tmp_path, generated):
    path, cols, rows = generated
    url = f"sqlite:///{tmp_path / 'mes.db'}"
    make_table(url, long_rows(cols, rows))
    from_db = import_pool_db(url)
    from_file = import_pool(path)
    assert from_db.serials == sorted(from_file.serials)
    order = [from_file.serials.index(s) for s in from_db.serials]
    np.testing.assert_allclose(from_db.values, from_file.values[order])
    assert from_db.lots == [from_file.lots[k] for k in order]
    assert from_db.report.source.startswith("db:sqlite:///") and len(from_db.source_sha256) == 64
    assert import_pool_db(url).source_sha256 == from_db.source_sha256      # reproducible


def test_database_faults_exclude_the_module_with_a_specific_reason(tmp_path, generated):
    _, cols, rows = generated
    recs = long_rows(cols, rows)
    first = recs[0]["module_serial"]
    second = next(r["module_serial"] for r in recs if r["module_serial"] != first)
    third = next(r["module_serial"] for r in recs if r["module_serial"] not in (first, second))
    recs.append(dict(recs[0], value=recs[0]["value"] + 1.0))        # repeat, other value
    r2 = next(r for r in recs if r["module_serial"] == second)
    recs.append(dict(r2, lot="OTHER-LOT", indicator=I.INDICATOR_COLUMNS[1]))  # two lots
    recs = [r for r in recs if not (r["module_serial"] == third
                                    and r["indicator"] == I.INDICATOR_COLUMNS[5])]
    recs.append(dict(recs[-1], value=recs[-1]["value"]))             # equal repeat: fine
    url = f"sqlite:///{tmp_path / 'mes.db'}"
    make_table(url, recs)
    pool = import_pool_db(url)
    reasons = {e.serial: " ".join(e.reasons) for e in pool.excluded}
    assert "duplicate measurements with different values" in reasons[first]
    assert "conflicting lots" in reasons[second] and "OTHER-LOT" in reasons[second]
    assert "missing value" in reasons[third] and I.INDICATOR_COLUMNS[5] in reasons[third]
    assert pool.size == 12 - 3 - sum(1 for s, why in reasons.items()
                                     if s not in (first, second, third))
    codes = {i.code for i in pool.report.issues}
    assert {"DM-IMP-REPEAT", "DM-IMP-CONFLICT", "DM-IMP-MISSING"} <= codes


def test_mixed_units_refuse_the_whole_import(tmp_path, generated):
    _, cols, rows = generated
    recs = long_rows(cols, rows)
    recs[3] = dict(recs[3], unit="ms")          # one row of an indicator in another unit
    url = f"sqlite:///{tmp_path / 'mes.db'}"
    make_table(url, recs)
    with pytest.raises(PoolImportRefused) as err:
        import_pool_db(url)
    assert "mixed" in err.value.report.to_text()


def test_missing_table_columns_and_server_are_clear_refusals(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    sa.create_engine(url).connect().close()
    with pytest.raises(InputRejected, match="no table 'module_test_results'"):
        import_pool_db(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE wide (module_serial TEXT, lot TEXT)"))
    with pytest.raises(InputRejected, match="lacks the column"):
        import_pool_db(url, "wide")
    with pytest.raises(InputRejected, match="Cannot read") as err:
        import_pool_db("postgresql+psycopg://qe:secretpw@127.0.0.1:1/quality")
    assert "secretpw" not in str(err.value)


def test_cli_runs_from_a_postgresql_test_database(tmp_path, generated, pg_server):  # noqa: F811
    from station_plugins.detector_matching.cli import main
    _, cols, rows = generated
    url = pg_server.url(pg_server.create_database())
    make_table(url, long_rows(cols, rows), name="module_tests")
    out = tmp_path / "result.json"
    rc = main(["match", "run", url, "--table", "module_tests", "--slots", "10",
               "--time-limit", "3", "--cost", "physics", "--json", str(out)])
    assert rc == 0
    data = json.loads(out.read_text())
    assert data["pool"]["source"].startswith("db:postgresql") and "module_tests" in \
        data["pool"]["source"]
    assert len(data["assignment"]) == 10
    assert rc == 0 and main(["match", "run", url, "--table", "nope", "--slots", "10",
                             "--json", str(tmp_path / "x.json")]) == 2
    assert not (tmp_path / "x.json").exists()


def test_validate_table_row_problems_exclude_rows():
    cols = list(I.ID_COLUMNS) + list(I.INDICATOR_COLUMNS)
    from station_plugins.detector_matching.generator import generate
    from station_plugins.detector_matching.pool_io import generated_rows
    gcols, grows = generated_rows(generate(5, 1))
    raw = RawTable(gcols, dict(I.UNITS), grows, "test")
    pool = validate_table(raw, "t", row_problems={1: [("DM-X", "reader says no", "lot")]})
    serial = grows[1][gcols.index("module_serial")]
    assert [(e.serial, " ".join(e.reasons)) for e in pool.excluded] == [(serial, "reader says no")]
    assert pool.size == 4 and cols[0] == "module_serial"
