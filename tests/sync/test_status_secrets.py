"""D16: `sync status` tells the truth; wrong password / bad URL are named and not retried.
D5: a planted central password appears in no output, log, file or table (local and central)
- it lives only in the 0600 password file the configuration names."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from app.adapters.central.db import make_engine
from app.adapters.central.status import CONFIG_ERROR
from app.adapters.sync import SyncService
from tests.pg_fixtures import free_port
from tests.sync.stations import open_station, wait_for

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
PLANTED = "Pl4nted-S3cret-xq9Z"
ROLE = "pharos_pw"


@pytest.fixture(scope="module")
def pw_central(pg_server):
    """A role that must give a password (scram), owning a migrated central database."""
    hba = pg_server.data / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text(f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n" + original)
    pg_server.admin(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PLANTED}'")
    pg_server.admin("SELECT pg_reload_conf()")
    db = pg_server.create_database(template="pharos_central_template")
    pg_server.admin(f'ALTER DATABASE "{db}" OWNER TO {ROLE}')
    pg_server.admin(f'GRANT ALL ON DATABASE "{db}" TO {ROLE}')
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={pg_server.port} user=pharos dbname={db}",
                         autocommit=True) as con:
        for (t,) in con.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'"):
            con.execute(f'ALTER TABLE "{t}" OWNER TO {ROLE}')
        for (v,) in con.execute("SELECT viewname FROM pg_views WHERE schemaname='public'"):
            con.execute(f'ALTER VIEW "{v}" OWNER TO {ROLE}')
    yield f"postgresql://{ROLE}:{PLANTED}@127.0.0.1:{pg_server.port}/{db}", pg_server, db


# --- D16: status and errors ------------------------------------------------------------------
def test_status_is_truthful(tmp_path, central_url):
    store, audit = open_station(tmp_path / "s", "ST-S")
    store.add_record("x.y", "S", {"a": 1}, username="u", verdict="PASS")
    svc = SyncService(store, central_url, audit_head=audit.head)
    s = svc.probe()                               # connected, but a row waits
    assert s.connected and s.backlog == 1 and not s.in_sync
    assert s.state == "behind" and "Not in sync" in s.summary()
    svc.sync_once(pull=False)
    s = svc.probe()
    assert s.in_sync and s.summary().startswith("In sync")
    down = SyncService(store, f"postgresql://pharos@127.0.0.1:{free_port()}/x",
                       connect_timeout_s=1)
    store.add_record("x.y", "S", {"a": 2}, username="u")
    s = down.probe()
    assert s.connected is False and s.state == "offline" and not s.in_sync
    assert "not reachable" in s.last_error and s.backlog == 1
    for x in (svc, down):
        x.close()
    store.close()


def test_cli_status_exit_codes(tmp_path, central_url, capsys, monkeypatch):
    from app.bootstrap import Workstation
    from app.main import main

    d = tmp_path / "ws"
    ws = Workstation.open(data_dir=d, with_stations=False, start_loop=False,
                          admin_password="Adm1n-secret-pw", env={"PHAROS_DATA_DIR": str(d)})
    ws.close()
    argv = ["--data-dir", str(d), "sync", "status", "--central", central_url]
    assert main(argv) == 1                              # the setup's audit rows wait
    assert "Not in sync" in capsys.readouterr().out
    assert main(["--data-dir", str(d), "sync", "now", "--central", central_url]) == 0
    capsys.readouterr()
    assert main(argv + ["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["in_sync"] is True
    dead = f"postgresql://pharos@127.0.0.1:{free_port()}/x"
    assert main(["--data-dir", str(d), "sync", "status", "--central", dead]) == 1
    assert "unreachable" in capsys.readouterr().out
    assert main(["--data-dir", str(d), "sync", "status", "--central", "garbage"]) == 2
    assert "URL" in capsys.readouterr().out


def test_wrong_password_is_named_and_not_retried(tmp_path, pw_central):
    url, server, db = pw_central
    wrong = url.replace(PLANTED, "not-the-password")
    store, audit = open_station(tmp_path / "s", "ST-W")
    store.add_record("x.y", "S", {"a": 1}, username="u")
    svc = SyncService(store, wrong, interval_s=0.2)
    svc.backoff.base_s = 0.05
    svc.start()
    try:
        wait_for(lambda: svc.status.state == CONFIG_ERROR, timeout=20)
        assert svc.status.last_error_code == "PH-SYNC-AUTH"
        assert "credentials" in svc.status.last_error
        time.sleep(1.5)                                 # a retry loop would try ~10 times
        (row,) = svc.backlog_rows()
        assert row["attempts"] == 1
    finally:
        svc.close()
    nodb = SyncService(store, url.rsplit("/", 1)[0] + "/no_such_db")
    s = nodb.probe()
    assert s.state == CONFIG_ERROR and s.last_error_code == "PH-SYNC-CONFIG"
    nodb.close()
    store.close()


# --- D5: the planted password -------------------------------------------------------------------
def test_planted_password_is_nowhere_but_its_0600_file(tmp_path, pw_central):
    url, server, db = pw_central
    d = tmp_path / "data"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PHAROS_ADMIN_PASSWORD="Lighthouse42x",
               PHAROS_PASSWORD="Lighthouse42x", QT_QPA_PLATFORM="offscreen")
    env.pop("PHAROS_DATA_DIR", None)
    outputs: list[str] = []

    def pharos(*argv: str, ok=(0,)) -> str:
        out = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(d), *argv],
                             capture_output=True, text=True, env=env, cwd=ROOT, timeout=180,
                             stdin=subprocess.DEVNULL)
        outputs.append(out.stdout + out.stderr)
        assert out.returncode in ok, out.stdout + out.stderr
        return out.stdout

    pharos("setup", "--non-interactive", "--station-id", "QC-PW", "--central-url", url,
           "--test")
    pharos("setup", "--non-interactive", "--central-url", url, "--dry-run", "--as", "admin",
           ok=(0, 2))
    pharos("config", "--show")
    pharos("sync", "now")                   # connects with the password from the file
    pharos("sync", "status")
    pharos("sync", "verify")
    pharos("self-check", ok=(0, 1, 2))
    pharos("audit", "export", "--as", "admin", "--csv", str(tmp_path / "trail.csv"))
    pharos("audit", "verify", "--central")
    pharos("users", "list", "--as", "admin")
    # a URL with the password inline still works and is still not shown
    pharos("sync", "status", "--central", url, ok=(0, 1))
    pharos("config", "--show")

    secret = d / "keys" / "central_db.secret"
    assert secret.read_text().strip() == PLANTED
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    toml = (d / "pharos.toml").read_text()
    assert "central_password_file" in toml and ROLE in toml
    leaks = [o for o in outputs if PLANTED in o]
    assert not leaks, leaks[0][-2000:]
    for p in [*d.rglob("*"), tmp_path / "trail.csv"]:
        if p.is_file() and p != secret:
            assert PLANTED.encode() not in p.read_bytes(), f"password in {p}"
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() > 0
            tables = conn.execute(text("SELECT tablename FROM pg_tables "
                                       "WHERE schemaname='public'")).scalars().all()
            for t in tables:
                dump = conn.execute(text(f'SELECT coalesce(string_agg(x::text, \'\n\'), \'\') '
                                         f'FROM "{t}" x')).scalar()
                assert PLANTED not in dump, f"password in central table {t}"
    finally:
        engine.dispose()
