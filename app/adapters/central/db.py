"""Connection to the central PostgreSQL database: engine, migrations, schema check.

The station refuses to write to a central schema other than the one it was built for
(``tables.HEAD_REVISION``): behind (the plant has not migrated yet), ahead (a newer
Pharos migrated it) or not initialised. The check runs inside every push transaction,
so a refusal never leaves a partial write.
"""
from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.adapters.central import tables as T
from app.core.errors import PharosError
from app.core.ids import canonical_json

log = logging.getLogger(__name__)
CENTRAL_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class CentralUnavailable(PharosError):
    code = "PH-SYNC-DOWN"
    remedy = ("Nothing is lost: results stay in the local outbox and are pushed when the "
              "central database answers again. Check the network and the database server.")


class CentralSchemaMismatch(PharosError):
    code = "PH-SYNC-SCHEMA"
    remedy = ("Run `pharos central migrate --url URL` with the Pharos version that matches "
              "the plant, or install the Pharos version the central database expects. "
              "Results stay in the local outbox meanwhile.")


class CentralConfigMissing(PharosError):
    code = "PH-SYNC-LOCAL"
    remedy = "Set [database] central_url in the configuration to sync with the plant."


class CentralCredentialsRefused(PharosError):
    code = "PH-SYNC-AUTH"
    remedy = ("The central database refused this station's credentials (user or password). "
              "Fix the user in [database] central_url or the password in the 0600 file "
              "[database] central_password_file (`pharos setup --central-url ...`). Sync "
              "does not retry until then; results stay in the local outbox.")


class CentralConfigInvalid(PharosError):
    code = "PH-SYNC-CONFIG"
    remedy = ("The central database URL is wrong (not a URL, unknown host, no such "
              "database). Fix [database] central_url (`pharos setup --central-url ...`). "
              "Sync does not retry until then; results stay in the local outbox.")


# PostgreSQL SQLSTATEs and libpq texts that no retry will cure
_AUTH_STATES = {"28P01", "28000", "42501"}
_CONFIG_STATES = {"3D000"}
_AUTH_TEXTS = ("password authentication failed", "no password supplied", "role \"",
               "no pg_hba.conf entry", "authentication failed")
_CONFIG_TEXTS = ("could not translate host name", "name or service not known",
                 "invalid dsn", "invalid connection option", "invalid integer value",
                 "invalid port", "database \"")


def classify_error(exc: BaseException, url: str, doing: str) -> PharosError:
    """A connection/driver failure as the PharosError the operator can act on:
    credentials refused, configuration wrong (neither retried automatically), or
    the database unreachable (retried with backoff)."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from app.config import redact_text

    where = redact(url) if url else "the central database"
    if isinstance(exc, PharosError):
        return exc
    if isinstance(exc, (ArgumentError, NoSuchModuleError, ValueError)):
        return CentralConfigInvalid(f"The central database URL {where} is not usable: "
                                    f"{redact_text(_first_line(exc))}")
    orig = getattr(exc, "orig", None) or exc
    state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None),
                                                       "sqlstate", None)
    full = redact_text(str(orig))
    low = full.lower()
    lines = [ln.strip() for ln in full.splitlines() if ln.strip()]
    text = next((ln for ln in lines if "FATAL" in ln), lines[0] if lines else type(orig).__name__)
    text = text if len(text) <= 300 else text[:299] + "…"
    if state in _AUTH_STATES or any(t in low for t in _AUTH_TEXTS):
        return CentralCredentialsRefused(f"Central database {where} refused the "
                                         f"credentials while {doing}: {text}")
    if state in _CONFIG_STATES or any(t in low for t in _CONFIG_TEXTS if t != 'database "') \
            or ('database "' in low and "does not exist" in low):
        return CentralConfigInvalid(f"Central database {where}: configuration error while "
                                    f"{doing}: {text}")
    return CentralUnavailable(f"Central database {where} not reachable while {doing}: {text}")


def _first_line(exc: object, n: int = 300) -> str:
    t = str(exc).strip()
    t = t.splitlines()[0] if t else type(exc).__name__
    return t if len(t) <= n else t[: n - 1] + "…"


def normalise_url(url: str) -> str:
    """Accept postgresql:// and postgres:// URLs; always drive them with psycopg 3."""
    if not url:
        raise CentralConfigMissing("No central database is configured ([database] "
                                   "central_url is empty): this station works local only.")
    u = make_url(url.replace("postgres://", "postgresql://", 1)
                 if url.startswith("postgres://") else url)
    if u.get_backend_name() != "postgresql":
        raise CentralConfigInvalid(f"The central database URL must be a PostgreSQL URL "
                                   f"(postgresql://...), got '{u.get_backend_name()}'.")
    return u.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def redact(url: str) -> str:
    from app.config import redact_text

    try:
        return redact_text(make_url(url).render_as_string(hide_password=True))
    except Exception:  # noqa: BLE001 - only for messages
        return "<central database>"


def make_engine(url: str, *, connect_timeout_s: float = 5.0, pool_size: int = 2) -> Engine:
    return create_engine(
        normalise_url(url), future=True, pool_pre_ping=True, pool_size=pool_size,
        max_overflow=2, pool_recycle=1800, json_serializer=canonical_json,
        connect_args={"connect_timeout": max(1, int(connect_timeout_s)),
                      "application_name": "pharos-sync"})


def _alembic_config(connection: Connection | None, script_location: Path):
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["connection"] = connection
    return cfg


def known_revisions(script_location: Path = CENTRAL_MIGRATIONS) -> list[str]:
    """Revisions of the central line, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None, script_location))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def expected_revision(script_location: Path = CENTRAL_MIGRATIONS) -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_alembic_config(None, script_location)).get_heads()
    if len(heads) != 1:
        raise CentralSchemaMismatch(f"The central migration line has {len(heads)} heads.")
    return heads[0]


def migrate_central(url: str, target: str = "head", *,
                    script_location: Path = CENTRAL_MIGRATIONS) -> str:
    """Upgrade (or downgrade) the central schema; returns the revision now in place."""
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            current = central_revision(conn)
            conn.rollback()
            cfg = _alembic_config(conn, script_location)
            if current and current not in known_revisions(script_location):
                raise CentralSchemaMismatch(
                    f"The central database is at schema revision {current}, written by a "
                    f"newer Pharos; this version does not know it and will not change it.")
            order = known_revisions(script_location)
            if target == "head" or not current or order.index(target) >= order.index(current):
                command.upgrade(cfg, target)
            else:
                command.downgrade(cfg, target)
            conn.commit()
            now = central_revision(conn)
            conn.rollback()
        return now or ""
    except (DBAPIError, SQLAlchemyError) as exc:
        raise CentralUnavailable(f"Central migration failed: {getattr(exc, 'orig', exc)}") from exc
    finally:
        engine.dispose()


def central_revision(conn: Connection) -> str | None:
    exists = conn.execute(text("SELECT to_regclass(:t)"), {"t": T.VERSION_TABLE}).scalar()
    if not exists:
        return None
    rows = [r[0] for r in conn.execute(text(f"SELECT version_num FROM {T.VERSION_TABLE}"))]
    return rows[0] if len(rows) == 1 else (",".join(sorted(rows)) or None)


def check_schema(conn: Connection, expected: str = T.HEAD_REVISION) -> str:
    """Raise CentralSchemaMismatch unless the central schema is exactly ``expected``."""
    current = central_revision(conn)
    if current == expected:
        return current
    known = known_revisions()
    if current is None:
        msg = ("The central database has no Pharos schema (not initialised). The station "
               "refuses to push into it.")
    elif current in known and known.index(current) < known.index(expected):
        behind = known.index(expected) - known.index(current)
        msg = (f"The central database schema is {behind} migration(s) behind this station "
               f"(central {current}, station expects {expected}). The station refuses to "
               f"push until the central database is migrated.")
    else:
        msg = (f"The central database schema is ahead of this station (central {current}, "
               f"station expects {expected}): a newer Pharos migrated it. The station "
               f"refuses to push until it is updated.")
    raise CentralSchemaMismatch(msg, detail=f"central={current} expected={expected}")
