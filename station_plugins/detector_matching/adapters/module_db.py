"""Test-database reader for the detector matching station (SQLAlchemy, any URL).

Reads the long-format module test table (one row per module and indicator) and turns
driver errors into operator messages; the station pivots and validates the rows
(``station_plugins/detector_matching/pool_db.py``).
"""
from __future__ import annotations

from typing import Sequence

from app.core.errors import InputRejected


def safe_url(url: str) -> str:
    """The URL as it may be shown and stored: the password hidden."""
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for messages
        return url.split("@")[-1]


def read_long_table(url: str, table: str, columns: Sequence[str],
                    default_table: str) -> list[tuple]:
    """All rows of ``columns`` from ``table``, ordered by the first and fifth column
    (module serial, indicator)."""
    import sqlalchemy as sa
    shown = safe_url(url)
    try:
        engine = sa.create_engine(url)
    except Exception as exc:  # noqa: BLE001
        raise InputRejected(f"Not a usable database URL ({shown}): {exc}", code="DM-IMP-DB",
                            remedy="Use a SQLAlchemy URL, e.g. "
                                   "postgresql+psycopg://user@host/quality.") from exc
    try:
        with engine.connect() as conn:
            try:
                t = sa.Table(table, sa.MetaData(), autoload_with=conn)
            except sa.exc.NoSuchTableError as exc:
                raise InputRejected(f"The test database {shown} has no table '{table}'.",
                                    code="DM-IMP-DB", remedy="Give the table with --table "
                                    f"(default {default_table}).") from exc
            missing = [c for c in columns if c not in t.c]
            if missing:
                raise InputRejected(
                    f"Table '{table}' lacks the column(s) {', '.join(missing)}; a test "
                    f"database table needs {', '.join(columns)} (one row per module "
                    "and indicator).", code="DM-IMP-DB",
                    remedy="Point --table at the measurement table or a view with these "
                           "columns.")
            return [tuple(r) for r in conn.execute(
                sa.select(*[t.c[c] for c in columns])
                .order_by(t.c[columns[0]], t.c[columns[4]])).all()]
    except InputRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - driver errors become an operator message
        raise InputRejected(f"Cannot read table '{table}' from {shown}: {exc}",
                            code="DM-IMP-DB", remedy="Check the database URL, that the "
                            "database is reachable and that this user may read the "
                            "table.") from exc
    finally:
        engine.dispose()
