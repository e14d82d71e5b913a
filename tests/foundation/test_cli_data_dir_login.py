"""D14 / D17: --data-dir before and after every subcommand; private files and folders;
commands that read or write records need a login (real AuthService, real store)."""
from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.main import build_parser, main
from tests.accounts import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]


def _leaves(parser: argparse.ArgumentParser, path=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for sp in subs:
        for name, child in sp.choices.items():
            yield from _leaves(child, (*path, name))


def test_no_subcommand_default_overrides_the_global_data_dir():
    parser = build_parser()
    leaves = list(_leaves(parser))
    assert len(leaves) > 20
    for path, p in leaves:
        for action in p._actions:
            if action.dest in ("data_dir", "config"):
                assert action.default is argparse.SUPPRESS, \
                    f"`pharos {' '.join(path)}` resets --{action.dest.replace('_', '-')}"


@pytest.mark.parametrize("before", [True, False])
def test_qc_listen_uses_the_global_data_dir(tmp_path, before):
    from station_plugins.ct_qc.net_cli import _service

    d = tmp_path / "plant-data"
    argv = (["--data-dir", str(d), "qc", "listen", "--port", "0"] if before
            else ["qc", "listen", "--port", "0", "--data-dir", str(d)])
    args = build_parser().parse_args(argv)
    assert args.data_dir == d
    svc = _service(args)
    assert Path(svc.data_dir) == d / "stations" / "ct_qc"
    args = build_parser().parse_args(argv + ["--station-dir", str(tmp_path / "st")])
    assert Path(_service(args).data_dir) == tmp_path / "st"


@pytest.mark.parametrize("argv", [
    ["users", "list"], ["audit", "export", "--csv", "X"], ["sync", "status"],
    ["audit", "verify"], ["tunnel", "list"]])
def test_data_dir_after_the_subcommand_is_the_same_as_before(tmp_path, argv):
    d = str(tmp_path / "d")
    a = build_parser().parse_args(["--data-dir", d, *argv])
    b = build_parser().parse_args([*argv, "--data-dir", d])
    assert a.data_dir == b.data_dir == Path(d)


# --- login -------------------------------------------------------------------------------
@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    make_user(d, "qe1", "quality_engineer")
    make_user(d, "op1", "operator")
    make_user(d, "sup1", "supervisor")
    monkeypatch.delenv("PHAROS_PASSWORD", raising=False)
    monkeypatch.delenv("PHAROS_PASSWORD_FILE", raising=False)
    monkeypatch.setattr("sys.stdin", open(os.devnull))
    return d


def test_audit_export_needs_a_login(data_dir, tmp_path, capsys, monkeypatch):
    out = tmp_path / "trail.csv"
    assert main(["--data-dir", str(data_dir), "audit", "export", "--csv", str(out)]) == 2
    assert "needs a user: pass --as USER" in capsys.readouterr().err
    assert not out.exists()
    monkeypatch.setenv("PHAROS_PASSWORD", PASSWORD)
    assert main(["--data-dir", str(data_dir), "audit", "export", "--csv", str(out),
                 "--as", "op1"]) == 2                        # operators may not
    assert "may not audit export" in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir), "audit", "export", "--csv", str(out),
                 "--as", "qe1"]) == 0
    assert "login" in out.read_text()              # the logins themselves are in the trail


def test_users_list_needs_a_login(data_dir, capsys, monkeypatch):
    assert main(["--data-dir", str(data_dir), "users", "list"]) == 2
    assert "needs a user" in capsys.readouterr().err
    monkeypatch.setenv("PHAROS_PASSWORD", "wrong-password-123")
    assert main(["--data-dir", str(data_dir), "users", "list", "--as", "sup1"]) == 2
    monkeypatch.setenv("PHAROS_PASSWORD", PASSWORD)
    capsys.readouterr()
    assert main(["users", "list", "--as", "sup1", "--data-dir", str(data_dir)]) == 0
    assert "qe1" in capsys.readouterr().out


def test_service_account_password_file_must_be_private(data_dir, tmp_path, capsys,
                                                       monkeypatch):
    pw = tmp_path / "svc.pw"
    pw.write_text(PASSWORD + "\n")
    pw.chmod(0o644)
    monkeypatch.setenv("PHAROS_PASSWORD_FILE", str(pw))
    assert main(["--data-dir", str(data_dir), "users", "list", "--as", "sup1"]) == 2
    assert "must be 0600" in capsys.readouterr().err
    pw.chmod(0o600)
    assert main(["--data-dir", str(data_dir), "users", "list", "--as", "sup1"]) == 0


# --- file modes ----------------------------------------------------------------------------
def test_files_are_created_owner_only(tmp_path):
    """Through the real command line with a permissive umask: every file 0600 (or
    stricter), every folder 0700, store, journals, logs, keys and audit.head included."""
    d = tmp_path / "data"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PHAROS_ADMIN_PASSWORD="Lighthouse42x",
               PHAROS_PASSWORD="Lighthouse42x", QT_QPA_PLATFORM="offscreen")
    env.pop("PHAROS_DATA_DIR", None)

    def pharos(*argv: str) -> str:
        out = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(d), *argv],
                             capture_output=True, text=True, env=env, cwd=ROOT, timeout=180,
                             preexec_fn=lambda: os.umask(0o022), stdin=subprocess.DEVNULL)
        assert out.returncode == 0, out.stderr
        return out.stdout

    pharos("setup", "--non-interactive", "--station-id", "QC-01")
    pharos("users", "list", "--as", "admin")
    pharos("audit", "export", "--as", "admin", "--csv", str(d / "export.csv"))
    pharos("audit", "verify")
    from tests.tunnel_test.conftest import MINI, write_seq      # writes a run journal

    seq = write_seq(tmp_path, MINI, id="mini")
    pharos("tunnel", "run", "--sequence", str(seq), "--serial", "CA-P", "--as", "admin")
    seen = {"pharos.db", "audit.head", "pharos.log", "audit.key", "pharos.toml"}
    found = set()
    for p in [d, *d.rglob("*")]:
        mode = stat.S_IMODE(p.lstat().st_mode)
        assert mode & 0o077 == 0, f"{p.relative_to(tmp_path)} is {mode:04o}"
        found.add(p.name)
    assert seen <= found, seen - found
    assert (d / "stations" / "tunnel_test").is_dir()


def test_store_journals_are_private_even_with_a_permissive_umask(tmp_path):
    from app.adapters.store import Store

    old = os.umask(0o022)
    try:
        store = Store(tmp_path / "s" / "pharos.db", station_id="S", software_version="t",
                      config_hash="h").open()
        try:
            store.add_record("x.y", "S1", {"a": 1}, username="u")
            journals = [p for p in (tmp_path / "s").iterdir() if p.name != "pharos.db"]
            assert any(p.name.endswith("-wal") for p in journals)
            for p in [tmp_path / "s" / "pharos.db", *journals]:
                assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, p
        finally:
            store.close()
    finally:
        os.umask(old)
