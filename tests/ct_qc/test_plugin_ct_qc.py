"""The station plugin is import-light and declares its roles and actions."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from app.core.roles import Role

ROOT = Path(__file__).resolve().parents[2]


def test_plugin_info_and_actions():
    from station_plugins.ct_qc.plugin import CtQcStation

    info = CtQcStation.info
    assert info.id == "ct_qc" and info.title_zh == "CT影像质量检测"
    assert {"analyse", "import", "archive", "set_baseline", "edit_limits",
            "export_report"} <= set(info.actions)
    assert Role.OPERATOR in info.open_roles and Role.OPERATOR not in info.actions["set_baseline"]


def test_plugin_import_does_not_pull_qt_or_numpy():
    code = ("import sys; import station_plugins.ct_qc.plugin; "
            "bad = [m for m in ('PySide6', 'numpy', 'pyqtgraph') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_add_cli_registers_the_qc_commands():
    """`pharos qc ...` exists with the documented subcommands (a contract, README)."""
    from station_plugins.ct_qc.plugin import CtQcStation

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    CtQcStation.add_cli(sub)
    assert "qc" in sub.choices
    qc_sub = next(a for a in sub.choices["qc"]._actions
                  if isinstance(a, argparse._SubParsersAction))
    assert {"analyze", "simulate", "listen"} <= set(qc_sub.choices)
    args = parser.parse_args(["qc", "analyze", "series", "--phantom", "catphan504"])
    assert args.command == "qc" and callable(args.func)
