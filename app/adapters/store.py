"""Local store: SQLite (WAL) through SQLAlchemy 2, migrated by Alembic at start.

* Migrations run automatically at open, after a backup; a migration that fails
  restores the backup and refuses to start.
* A corrupted or read-only database file gives a clear StoreError; nothing is
  overwritten.
* Writers take ``BEGIN IMMEDIATE`` (one writer at a time, also across processes);
  every synced row gets a per-station monotonic ``station_seq`` and an outbox row in
  the same transaction.
"""
from __future__ import annotations

import ast
import json
import logging
import os
import re
import shutil
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Connection, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError

from app.adapters import schema as S
from app.core.errors import StoreError, ValidationError
from app.core.ids import canonical_json, new_id, sha256_hex, utc_iso

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class RecordRow:
    id: str
    station_id: str
    station_seq: int
    kind: str
    subject: str
    ref: str
    verdict: str | None
    payload: dict
    payload_sha256: str
    supersedes: str | None
    username: str
    created_utc: str
    software_version: str
    config_hash: str


def _check_file(db_path: Path) -> None:
    """Refuse a database file we cannot trust, before SQLAlchemy or Alembic touch it."""
    if not db_path.exists():
        parent = db_path.parent
        if not os.access(parent, os.W_OK):
            raise StoreError(f"The data folder {parent} is not writable; the local store "
                             f"cannot be created.")
        return
    if not os.access(db_path, os.R_OK | os.W_OK) or not os.access(db_path.parent, os.W_OK):
        raise StoreError(
            f"The local database {db_path} is read-only (file or folder permissions). "
            f"Pharos will not start on a store it cannot write.",
            remedy="Give the Pharos user write access to the data folder, or point "
                   "PHAROS_DATA_DIR at a writable folder.")
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            row = con.execute("PRAGMA quick_check").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"The local database {db_path} is damaged or not a Pharos "
                         f"database ({exc}). It was left untouched.",
                         remedy="Restore the newest file from the 'backups' folder, or "
                                "move the damaged file away to start a new store.") from exc
    if not row or row[0] != "ok":
        raise StoreError(f"The local database {db_path} failed its integrity check "
                         f"({row[0] if row else 'no answer'}). It was left untouched.",
                         remedy="Restore the newest file from the 'backups' folder.")


def _sqlite_engine(db_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}", future=True,
                           connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con, _rec):  # noqa: ANN001
        dbapi_con.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        mode = conn.info.get("begin_mode", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _alembic_config(connection: Connection, script_location: Path):
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["connection"] = connection
    return cfg


def _current_and_heads(engine: Engine, script_location: Path) -> tuple[set[str], set[str]]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        conn.rollback()
    script = ScriptDirectory.from_config(_alembic_config(None, script_location))  # type: ignore[arg-type]
    return current, set(script.get_heads())


def backup_database(db_path: Path, backups_dir: Path, tag: str) -> Path:
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = utc_iso().replace(":", "").replace("-", "").replace(".", "")
    dest = backups_dir / f"{db_path.stem}-{stamp}-{tag}.db"
    src = sqlite3.connect(str(db_path))
    try:
        dst = sqlite3.connect(str(dest))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return dest


def migrate(db_path: Path, engine: Engine, *, script_location: Path = MIGRATIONS_DIR,
            backups_dir: Path | None = None) -> str | None:
    """Upgrade to all heads. Back up first when the store already exists.

    Returns the backup path (or None). On failure the backup is restored and a
    StoreError raised.
    """
    if _at_head_fast(db_path, script_location):
        return None  # the common start: no alembic import at all (start-up time)
    from alembic import command

    current, heads = _current_and_heads(engine, script_location)
    if current == heads:
        return None
    unknown = current - _all_revisions(script_location)
    if unknown:
        raise StoreError(f"The local database {db_path} was written by a newer Pharos "
                         f"(schema revision {', '.join(sorted(unknown))}). It was left "
                         f"untouched.", remedy="Install the newer Pharos version again.")
    backup = None
    if current:
        backup = backup_database(db_path, backups_dir or db_path.parent / "backups",
                                 "pre-" + "+".join(sorted(current)))
        log.info("store backed up to %s before migration", backup)
    try:
        with engine.connect() as conn:
            command.upgrade(_alembic_config(conn, script_location), "heads")
            conn.commit()
    except Exception as exc:  # noqa: BLE001 - any failure restores the backup
        engine.dispose()
        if backup is not None:
            for suffix in ("-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
            shutil.copyfile(backup, db_path)
            msg = f"restored the backup {backup.name}"
        else:
            db_path.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
            msg = "removed the half-created store"
        raise StoreError(f"Database migration failed ({type(exc).__name__}: "
                         f"{getattr(exc, 'orig', None) or exc}); "
                         f"{msg}. Pharos did not start.",
                         remedy="Report this to the Pharos administrator with the log file.",
                         ) from exc
    return str(backup) if backup else None


_REV = re.compile(r"^(revision|down_revision)\s*=\s*(.+)$", re.M)


def _heads_from_files(script_location: Path) -> set[str] | None:
    """Heads of the revision graph read from the version files (no alembic import)."""
    revs: dict[str, set[str]] = {}
    for f in (script_location / "versions").glob("*.py"):
        found = dict(_REV.findall(f.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        try:
            rev = ast.literal_eval(found["revision"].split("#")[0].strip())
            down = ast.literal_eval(found.get("down_revision", "None").split("#")[0].strip())
        except (ValueError, SyntaxError):
            return None  # unusual file: let alembic decide
        downs = set(down) if isinstance(down, (tuple, list)) else ({down} if down else set())
        revs[rev] = downs
    pointed = set().union(*revs.values()) if revs else set()
    return set(revs) - pointed


def _at_head_fast(db_path: Path, script_location: Path) -> bool:
    if not db_path.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            current = {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
        finally:
            con.close()
    except sqlite3.Error:
        return False
    heads = _heads_from_files(script_location)
    return heads is not None and bool(current) and current == heads


def _all_revisions(script_location: Path) -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None, script_location))  # type: ignore[arg-type]
    return {r.revision for r in script.walk_revisions()}


class Store:
    """The local store of one workstation."""

    def __init__(self, db_path: Path, *, station_id: str, software_version: str,
                 config_hash: str, script_location: Path = MIGRATIONS_DIR) -> None:
        self.db_path = Path(db_path)
        self.station_id = station_id
        self.software_version = software_version
        self.config_hash = config_hash
        self.script_location = script_location
        self.engine: Engine | None = None
        self.last_backup: str | None = None

    # --- lifecycle ------------------------------------------------------------
    def open(self) -> "Store":
        self.db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _check_file(self.db_path)
        _private_files(self.db_path)
        engine = _sqlite_engine(self.db_path)
        try:
            self.last_backup = migrate(self.db_path, engine, script_location=self.script_location)
        except StoreError:
            engine.dispose()
            raise
        except (DatabaseError, OperationalError) as exc:
            engine.dispose()
            raise StoreError(f"The local database {self.db_path} cannot be opened: "
                             f"{exc.orig if hasattr(exc, 'orig') else exc}.") from exc
        self.engine = _sqlite_engine(self.db_path) if engine is None else engine
        return self

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None

    # --- transactions ---------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE): commit on success, else roll back."""
        assert self.engine is not None, "store not open"
        try:
            with self.engine.connect() as conn:
                conn.info["begin_mode"] = "IMMEDIATE"
                try:
                    with conn.begin():
                        yield conn
                finally:
                    conn.info["begin_mode"] = "DEFERRED"
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not write to the local store: "
                             f"{getattr(exc, 'orig', exc)}.") from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        assert self.engine is not None, "store not open"
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    # --- sequences and outbox -------------------------------------------------
    def next_seq(self, conn: Connection, name: str | None = None) -> int:
        name = name or f"station:{self.station_id}"
        cur = conn.execute(select(S.sequences.c.value).where(S.sequences.c.name == name)).scalar()
        if cur is None:
            conn.execute(insert(S.sequences).values(name=name, value=1))
            return 1
        conn.execute(update(S.sequences).where(S.sequences.c.name == name)
                     .values(value=cur + 1))
        return int(cur) + 1

    def enqueue(self, conn: Connection, table_name: str, row: dict) -> None:
        """Outbox row in the caller's transaction: the sync service consumes it."""
        conn.execute(insert(S.outbox).values(
            table_name=table_name, row_id=str(row.get("id", row.get("seq"))),
            station_seq=int(row.get("station_seq", row.get("seq", 0))),
            created_utc=utc_iso(), payload=canonical_json(row), attempts=0,
            quarantined=False))

    def outbox_size(self) -> tuple[int, str | None]:
        with self.read() as conn:
            n = conn.execute(select(func.count()).select_from(S.outbox)
                             .where(S.outbox.c.quarantined.is_(False))).scalar() or 0
            oldest = conn.execute(select(func.min(S.outbox.c.created_utc))
                                  .where(S.outbox.c.quarantined.is_(False))).scalar()
        return int(n), oldest

    # --- records --------------------------------------------------------------
    def add_record(self, kind: str, subject: str, payload: dict, *, username: str,
                   ref: str = "", verdict: str | None = None, supersedes: str | None = None,
                   conn: Connection | None = None, record_id: str | None = None) -> RecordRow:
        """Append a result record and its outbox row in one transaction."""
        if conn is None:
            with self.write() as c:
                return self.add_record(kind, subject, payload, username=username, ref=ref,
                                       verdict=verdict, supersedes=supersedes, conn=c,
                                       record_id=record_id)
        if verdict is not None and verdict not in S.RECORD_VERDICTS:
            raise ValidationError(
                f"Record verdict {verdict!r} ({kind}) is not one of "
                f"{', '.join(S.RECORD_VERDICTS)}; the central database would refuse it.")
        body = canonical_json(payload)
        row = {
            "id": record_id or new_id(), "station_id": self.station_id,
            "station_seq": self.next_seq(conn), "kind": kind, "subject": subject,
            "ref": ref, "verdict": verdict, "payload": body,
            "payload_sha256": sha256_hex(body), "supersedes": supersedes,
            "username": username, "created_utc": utc_iso(),
            "software_version": self.software_version, "config_hash": self.config_hash,
        }
        conn.execute(insert(S.records).values(**row))
        self.enqueue(conn, "records", row)
        return _record(row)

    def get_record(self, record_id: str, conn: Connection | None = None) -> RecordRow | None:
        """One record by id; pass ``conn`` to read inside a write transaction."""
        if conn is None:
            with self.read() as c:
                return self.get_record(record_id, c)
        r = conn.execute(select(S.records).where(S.records.c.id == record_id)).mappings().first()
        return _record(dict(r)) if r else None

    def query_records(self, kind: str | None = None, subject: str | None = None,
                      ref: str | None = None, since: str | None = None,
                      limit: int = 1000, newest_first: bool = True,
                      conn: Connection | None = None) -> list[RecordRow]:
        """Records, newest first; pass ``conn`` to read inside a write transaction."""
        q = select(S.records)
        if kind:
            q = q.where(S.records.c.kind == kind)
        if subject:
            q = q.where(S.records.c.subject == subject)
        if ref:
            q = q.where(S.records.c.ref == ref)
        if since:
            q = q.where(S.records.c.created_utc >= since)
        order = S.records.c.created_utc.desc() if newest_first else S.records.c.created_utc
        q = q.order_by(order, S.records.c.station_seq.desc() if newest_first
                       else S.records.c.station_seq).limit(limit)
        if conn is not None:
            return [_record(dict(r)) for r in conn.execute(q).mappings()]
        with self.read() as c:
            return [_record(dict(r)) for r in c.execute(q).mappings()]

    def subjects(self, kind: str) -> list[str]:
        """The distinct subjects (serials) of one record kind (index-only, no payloads)."""
        q = select(S.records.c.subject).where(S.records.c.kind == kind).distinct()
        with self.read() as c:
            return [r[0] for r in c.execute(q)]

    # --- small key/value settings (window layout is Qt's; this is domain state) ---
    def get_setting(self, key: str, default: Any = None) -> Any:
        with self.read() as conn:
            v = conn.execute(select(S.settings_kv.c.value).where(S.settings_kv.c.key == key)).scalar()
        return json.loads(v) if v is not None else default

    def set_setting(self, key: str, value: Any, conn: Connection | None = None) -> None:
        if conn is None:
            with self.write() as c:
                return self.set_setting(key, value, c)
        body = json.dumps(value)
        exists = conn.execute(select(S.settings_kv.c.key).where(S.settings_kv.c.key == key)).scalar()
        if exists:
            conn.execute(update(S.settings_kv).where(S.settings_kv.c.key == key)
                         .values(value=body, updated_utc=utc_iso()))
        else:
            conn.execute(insert(S.settings_kv).values(key=key, value=body, updated_utc=utc_iso()))


def _record(row: dict) -> RecordRow:
    data = dict(row)
    data["payload"] = json.loads(data["payload"]) if isinstance(data["payload"], str) else data["payload"]
    return RecordRow(**data)


def _private_files(db_path: Path) -> None:
    """The store and its journals (-wal, -shm, -journal) readable by the owner only:
    created 0600 (SQLite gives its journals the database file's mode), and an existing
    install's files tightened."""
    import os
    import stat

    if not db_path.exists():
        try:
            os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
    for p in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm",
                                                                        "-journal"))):
        try:
            if p.exists() and stat.S_IMODE(p.stat().st_mode) & 0o077:
                p.chmod(0o600)
        except OSError:
            pass
