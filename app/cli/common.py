"""Helpers shared by every CLI command (core and stations)."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from app.core.errors import AuthError, PharosError

if TYPE_CHECKING:
    from types import SimpleNamespace

    from app.adapters.auth import User
    from app.bootstrap import Workstation
    from app.core.roles import Role
    from app.stations import StationContext


def add_global_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data folder (default: platform data folder or $PHAROS_DATA_DIR)")
    p.add_argument("--config", type=Path, default=None,
                   help="configuration file (default: <data folder>/pharos.toml)")


def open_workstation(args: argparse.Namespace | SimpleNamespace, *, with_stations: bool = False,
                     start_loop: bool = False) -> Workstation:
    """A non-exclusive workstation for a headless command (shares the store safely)."""
    from app.bootstrap import Workstation

    ws = Workstation.open(config_path=getattr(args, "config", None),
                          data_dir=getattr(args, "data_dir", None), exclusive=False,
                          with_stations=with_stations, console_log=True, start_loop=start_loop)
    if ws.first_run_password:
        print_first_run_password(ws.first_run_password)
    return ws


def station_instance(ws: Any, station_id: str) -> Any:
    """The station plugin ``station_id`` built on ``ws``'s context, found by discovery
    (entry points / the built-in list) as the GUI finds it: a station's CLI uses its own
    plugin's services without importing the plugin module (no plugin <-> cli cycle)."""
    from app.core.errors import ConfigError
    from app.stations import discover_stations

    found = discover_stations([station_id])
    if not found or not found[0].available:
        why = found[0].error if found else "not installed"
        raise ConfigError(f"Station '{station_id}' is unavailable: {why}.")
    cls = found[0].cls
    return cls(ws.context_for(station_id, station=cls))  # type: ignore[misc]


def open_station(args: argparse.Namespace, station_id: str, *, login: bool,
                 start_loop: bool = False) -> tuple[Any, Any, Any]:
    """(Workstation, station plugin, logged-in user or None) for a station's headless
    command; the user logs in with ``--as USER`` when ``login``."""
    ws = open_workstation(args, start_loop=start_loop)
    try:
        user = cli_login(ws, getattr(args, "as_user", None)) if login else None
        return ws, station_instance(ws, station_id), user
    except BaseException:
        ws.close()
        raise


def open_context(args: argparse.Namespace, station_id: str, *, login: bool = False,
                 start_loop: bool = True) -> tuple[Workstation, StationContext]:
    """(Workstation, StationContext) for a station's headless command.

    With ``login`` the command authenticates a user (``--as USER``; password from
    $PHAROS_PASSWORD or a prompt) so role checks and signatures work headless.
    """
    ws = open_workstation(args, start_loop=start_loop)
    if login:
        cli_login(ws, getattr(args, "as_user", None))
    return ws, ws.context_for(station_id)


def cli_login(ws: Workstation, username: str | None, *, action: str = "") -> User:
    if not username:
        what = f"{action} reads or writes records and " if action else "This command "
        raise AuthError(f"{what[0].upper()}{what[1:]}needs a user: pass --as USER (password "
                        f"from $PHAROS_PASSWORD, the file named by $PHAROS_PASSWORD_FILE, "
                        f"or stdin).")
    user = ws.auth.authenticate(username, read_password(f"Password for {username}: "))
    ws.session.login(user)
    return user


def require_login(ws: Workstation, args: argparse.Namespace, action: str,
                  allowed: Iterable[Role | str] | None = None) -> User:
    """Log in ``--as USER`` for a command that reads or writes records; with ``allowed``
    (roles) the user must hold one of them. A service account is an ordinary account
    with a role; a service reads its password from ``$PHAROS_PASSWORD_FILE`` (0600).
    Every login and every refusal is in the audit trail (AuthService)."""
    from app.core.roles import check_action

    user = cli_login(ws, getattr(args, "as_user", None), action=action)
    if allowed:
        check_action(user.roles, allowed, action, user.username)
    return user


def add_login_option(p: argparse.ArgumentParser, *, required_text: str = "") -> None:
    p.add_argument("--as", dest="as_user", metavar="USER",
                   help=(required_text or "log in as USER") + " (password: $PHAROS_PASSWORD, "
                        "$PHAROS_PASSWORD_FILE or stdin)")


def read_password(prompt: str = "Password: ") -> str:
    env = os.environ.get("PHAROS_PASSWORD")
    if env is not None:
        return env
    pw_file = os.environ.get("PHAROS_PASSWORD_FILE")
    if pw_file:
        return read_secret_file(Path(pw_file), "password file ($PHAROS_PASSWORD_FILE)")
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\n")
    return getpass.getpass(prompt)


def print_first_run_password(pw: str) -> None:
    print("=" * 64, file=sys.stderr)
    print("First run: an administrator account was created.", file=sys.stderr)
    print(f"  user: admin   password: {pw}", file=sys.stderr)
    print("This password is shown ONCE; you must change it at first login.", file=sys.stderr)
    print("=" * 64, file=sys.stderr)


def fail(exc: BaseException, code: int = 2) -> int:
    if isinstance(exc, PharosError):
        print(f"error: {exc.message} [{exc.code}]", file=sys.stderr)
        if exc.remedy:
            print(f"  remedy: {exc.remedy}", file=sys.stderr)
    else:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return code


def write_json(path: Path | str | None, data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if path in (None, "-"):
        print(text)
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")


def read_secret_file(path: Path, what: str = "secret file") -> str:
    """The first line of a secret file that only its owner can read (0600 or 0400)."""
    from app.config import read_secret_file as _read

    return _read(path, what)
