"""``pharos`` entry point: the GUI by default, headless subcommands otherwise."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TYPE_CHECKING

from app import __version__
from app.cli import core_commands
from app.cli.common import add_global_options, fail
from app.core.errors import PharosError

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    # discovery problems are reported by the GUI and `pharos --self-check`, not on
    # every command line: keep them out of stderr until logging is configured
    app_log = logging.getLogger("app")
    if not any(isinstance(h, logging.NullHandler) for h in app_log.handlers):
        app_log.addHandler(logging.NullHandler())   # once, however often it is built
    parser = argparse.ArgumentParser(
        prog="pharos", description="Pharos CT factory quality workstation. Without a "
        "command, starts the workstation GUI.")
    parser.add_argument("--version", action="version", version=f"pharos {__version__}")
    add_global_options(parser)
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--self-check", action="store_true",
                        help="check this installation and exit (same as `pharos self-check`)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    g = sub.add_parser("gui", help="start the workstation GUI (the default)")
    g.add_argument("--demo", action="store_true", help="force demo mode (simulators)")
    g.set_defaults(func=_gui)
    core_commands.register(sub)
    from app.sync_cli import add_sync_commands

    add_sync_commands(sub)
    from app import selfcheck, setup_wizard  # installer: self-check and first-run setup

    selfcheck.register(sub)
    setup_wizard.register(sub)
    _register_station_commands(sub)
    for p in sub.choices.values():
        add_global_options_if_missing(p)
    return parser


def add_global_options_if_missing(p: argparse.ArgumentParser) -> None:
    """Accept --data-dir/--config after the subcommand too (pharos users list --data-dir X)."""
    opts = {a for action in _actions(p) for a in action.option_strings}
    for action in _actions(p):
        # a subcommand's own --data-dir/--config must not reset the global value given
        # before the subcommand (`pharos --data-dir X qc listen`): no default of its own
        if action.dest in ("data_dir", "config") and action.option_strings:
            action.default = argparse.SUPPRESS
    if "--data-dir" not in opts:
        p.add_argument("--data-dir", dest="data_dir", type=_path, default=argparse.SUPPRESS)
    if "--config" not in opts:
        p.add_argument("--config", dest="config", type=_path, default=argparse.SUPPRESS)
    for action in _actions(p):
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001 - no public name
            for child in action.choices.values():
                add_global_options_if_missing(child)


def _actions(p: argparse.ArgumentParser) -> list[argparse.Action]:
    """A parser's arguments (argparse has no public accessor for them)."""
    return p._actions  # noqa: SLF001 - argparse has no public accessor


def _path(s: str) -> Path:
    from pathlib import Path

    return Path(s)


def _register_station_commands(sub: argparse._SubParsersAction) -> None:
    """Each station class adds its own subcommands; a broken station is skipped."""
    from app.stations import discover_stations

    for d in discover_stations():
        if d.cls is None:
            log.debug("station %s has no CLI: %s", d.id, d.error)
            continue
        try:
            d.cls.add_cli(sub)
        except Exception as exc:  # noqa: BLE001 - one station's CLI never breaks the others
            log.warning("station %s CLI unavailable: %s", d.id, exc)


def _gui(args: argparse.Namespace) -> int:
    from app.gui import run_gui

    return run_gui(args)


def main(argv: list[str] | None = None) -> int:
    # files and folders this process creates (store, journals, logs, keys, audit.head,
    # quarantine) are readable by the owner only: 0600 / 0700
    os.umask(0o077)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_check:
        from app.selfcheck import cmd_self_check

        return cmd_self_check(args)
    if args.startup_probe:
        args.probe = True
        return _gui(args)
    func = getattr(args, "func", None)
    if func is None:
        args.demo = False
        return _gui(args)
    try:
        rc = int(func(args) or 0)
    except PharosError as exc:
        return fail(exc)
    except core_commands.AccountChangeNeedsAdmin as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader of our output went away (`pharos ai classify ... | head`): the work
        # is done or stored; no traceback, the shell's code for SIGPIPE
        return _stdout_gone()
    if argv is None and getattr(args, "quick_exit", False):
        quick_exit(rc)
    return rc


def _stdout_gone() -> int:
    """Point stdout at the null device, so that the interpreter's final flush of what is
    still buffered does not raise again at exit; 141 = 128 + SIGPIPE, as a shell reports
    a command whose pipe was closed."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return 141


def quick_exit(rc: int) -> None:
    """End the process now, for a command that set ``args.quick_exit`` (its results are
    written and closed): threads joined and exit handlers run as at a normal exit (logging
    flushed), then ``os._exit`` skips the interpreter's teardown of every module and
    compiled object, which took 0.2-2.5 s after a detector-matching run (issue 21)."""
    import atexit
    import threading
    join = getattr(threading, "_shutdown", None)     # what the interpreter's exit calls
    if join is not None:
        join()
    atexit._run_exitfuncs()    # noqa: SLF001 - logging.shutdown and the others
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(rc)


if __name__ == "__main__":
    raise SystemExit(main())
