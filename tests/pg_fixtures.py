"""A throwaway PostgreSQL server for tests and benchmarks (Debian ``postgresql``).

* ``PgServer``: initdb into a private folder, start on 127.0.0.1 and a free port, stop
  (``fast`` or ``immediate``, for crash tests) and start again on the same port.
  initdb and pg_ctl refuse to run as root, so as root they run as ``postgres`` via
  ``runuser``; the folder is owned by that user.
* pytest fixtures: ``pg_server`` (session scope, torn down at the end),
  ``central_url`` (a fresh database per test, migrated to the central schema head,
  cloned from a template) and ``blank_central_url`` (a fresh empty database).

The server binary is found under /usr/lib/postgresql (installed by scripts/setup.sh --test; a fixture never installs).
"""
from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_counter = itertools.count(1)


def postgres_bin() -> Path:
    """The newest installed PostgreSQL server's bin folder. A fixture never installs
    anything (``scripts/setup.sh --test`` does): a missing server fails the test, naming
    the set-up step, instead of calling apt-get from inside the test run."""
    root = Path(os.environ.get("PHAROS_PG_ROOT", "/usr/lib/postgresql"))
    found = sorted((d for d in root.glob("*/bin")
                    if (d / "initdb").is_file() and (d / "pg_ctl").is_file()),
                   key=lambda d: [int(x) if x.isdigit() else x for x in d.parent.name.split(".")])
    if not found:
        pytest.fail(f"PostgreSQL server binaries not found under {root}: run "
                    "scripts/setup.sh --test (it installs the test peers)", pytrace=False)
    return found[-1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster in a temporary folder, superuser ``pharos``, trust auth."""

    user = "pharos"

    def __init__(self, base: Path | None = None, *, fsync: bool = False) -> None:
        self.fsync = fsync  # tests: off (-F, fast); benchmarks: on (what a plant runs)
        self.bin = postgres_bin()
        self.base = Path(base or tempfile.mkdtemp(prefix="pharos-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        self.running = False

    # --- process control ------------------------------------------------------
    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check and out.returncode != 0:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed: {out.stderr.strip()}\n{tail}")
        return out

    def init(self) -> "PgServer":
        if self._as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
        os.chmod(self.base, 0o700)
        self._run("initdb", "-D", str(self.data), f"--username={self.user}", "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8")
        return self

    def start(self) -> "PgServer":
        opts = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                f"-c unix_socket_directories={self.base} {'' if self.fsync else '-F '}"
                f"-c max_connections=200 "
                f"-c shared_buffers=128MB")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w",
                  "start")
        self.running = True
        return self

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
            self.running = False

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    # --- databases ------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} "
                             f"dbname=postgres", autocommit=True) as con:
            con.execute(sql)

    def create_database(self, name: str | None = None, template: str = "template0") -> str:
        name = name or f"pharos_t{next(_counter)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name


# --- pytest fixtures ------------------------------------------------------------
_TEMPLATE = "pharos_central_template"


@pytest.fixture(scope="session")
def pg_server():
    server = PgServer().init().start()
    try:
        from app.adapters.central.db import migrate_central

        server.create_database(_TEMPLATE)
        migrate_central(server.url(_TEMPLATE))
        yield server
    finally:
        server.destroy()


@pytest.fixture
def central_url(pg_server: PgServer) -> str:
    """A fresh database at the central schema head (cloned from a migrated template)."""
    if not pg_server.running:
        pg_server.start()
    return pg_server.url(pg_server.create_database(template=_TEMPLATE))


@pytest.fixture
def blank_central_url(pg_server: PgServer) -> str:
    if not pg_server.running:
        pg_server.start()
    return pg_server.url(pg_server.create_database())
