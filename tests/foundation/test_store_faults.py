import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.adapters.store import MIGRATIONS_DIR, Store
from app.bootstrap import Workstation
from app.core.errors import AlreadyRunning, StoreError


def _store(path: Path, **kw) -> Store:
    return Store(path, station_id="WS", software_version="t", config_hash="h", **kw)


def test_wal_and_records_with_outbox(tmp_path):
    s = _store(tmp_path / "p.db").open()
    r1 = s.add_record("ct_qc.result", "SN1", {"x": 1}, username="u", ref="1.2", verdict="PASS")
    r2 = s.add_record("ct_qc.result", "SN1", {"x": 2}, username="u", supersedes=r1.id)
    assert (r1.station_seq, r2.station_seq) == (1, 2)
    assert s.outbox_size()[0] == 2
    with s.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert [r.payload["x"] for r in s.query_records("ct_qc.result", "SN1")] == [2, 1]
    s.close()


def test_corrupted_database_is_refused_and_left_untouched(tmp_path):
    db = tmp_path / "p.db"
    _store(db).open().close()
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    data = bytearray(db.read_bytes())
    data[0:100] = os.urandom(100)  # destroy the header
    db.write_bytes(bytes(data))
    before = db.read_bytes()
    with pytest.raises(StoreError, match="damaged|integrity"):
        _store(db).open()
    assert db.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_database_is_refused_nonroot(tmp_path):  # pragma: no cover - CI is root
    db = tmp_path / "p.db"
    _store(db).open().close()
    db.chmod(0o444)
    with pytest.raises(StoreError, match="read-only"):
        _store(db).open()


def test_read_only_database_is_refused(tmp_path, monkeypatch):
    db = tmp_path / "p.db"
    s = _store(db).open()
    s.add_record("k", "s", {"a": 1}, username="u")
    s.close()
    before = db.read_bytes()
    real_access = os.access

    def access(path, mode, *a, **kw):  # as seen by a non-root user on a read-only mount
        if Path(path) == db and mode & os.W_OK:
            return False
        return real_access(path, mode, *a, **kw)

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(StoreError, match="read-only"):
        _store(db).open()
    assert db.read_bytes() == before


def test_failed_migration_restores_backup(tmp_path):
    db = tmp_path / "p.db"
    s = _store(db).open()
    s.add_record("k", "SN", {"keep": True}, username="u")
    s.close()
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0002_broken.py").write_text(
        '"""broken"""\nfrom alembic import op\nimport sqlalchemy as sa\n'
        'revision = "0002_broken"\ndown_revision = "0001_core"\nbranch_labels = None\n'
        'depends_on = None\n\n\ndef upgrade():\n'
        '    op.add_column("records", sa.Column("half", sa.Integer))\n'
        '    op.execute("INSERT INTO nonexistent VALUES (1)")\n\n\ndef downgrade():\n    pass\n')
    with pytest.raises(StoreError, match="(?s)migration failed.*restored the backup"):
        _store(db, script_location=scripts).open()
    con = sqlite3.connect(db)
    cols = [r[1] for r in con.execute("PRAGMA table_info(records)")]
    assert "half" not in cols
    assert con.execute("select count(*) from records").fetchone()[0] == 1
    assert con.execute("select version_num from alembic_version").fetchone()[0] == "0001_core"
    con.close()
    assert list((tmp_path / "backups").glob("p-*-pre-0001_core.db"))
    s = _store(db).open()  # the old version still opens the restored store
    assert s.query_records("k")[0].payload == {"keep": True}
    s.close()


def test_newer_schema_is_refused(tmp_path):
    db = tmp_path / "p.db"
    _store(db).open().close()
    con = sqlite3.connect(db)
    con.execute("update alembic_version set version_num='9999_future'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer Pharos"):
        _store(db).open()


def test_second_instance_on_same_data_folder_is_refused(data_dir):
    w1 = Workstation.open(data_dir=data_dir, exclusive=True, with_stations=False,
                          start_loop=False)
    try:
        with pytest.raises(AlreadyRunning, match="already running"):
            Workstation.open(data_dir=data_dir, exclusive=True, with_stations=False,
                             start_loop=False)
        # a headless command shares the store safely meanwhile
        w2 = Workstation.open(data_dir=data_dir, exclusive=False, with_stations=False,
                              start_loop=False)
        w2.store.add_record("k", "s", {}, username="cli")
        w2.close()
        assert w1.store.query_records("k")
    finally:
        w1.close()
    w3 = Workstation.open(data_dir=data_dir, exclusive=True, with_stations=False,
                          start_loop=False)
    w3.close()
