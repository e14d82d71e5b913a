"""The station plugin: import-light, roles/actions, CLI groups registered."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from app.core.roles import Role

ROOT = Path(__file__).resolve().parents[2]


def test_info_roles_and_actions():
    from station_plugins.image_review.plugin import ImageReviewStation

    info = ImageReviewStation.info
    assert (info.id, info.title, info.title_zh) == ("image_review", "Image review", "影像复核")
    assert info.open_roles == {Role.REVIEWER, Role.QUALITY_ENGINEER, Role.SUPERVISOR,
                               Role.ADMIN}
    assert info.actions["review"] == {Role.REVIEWER, Role.SUPERVISOR}
    assert info.actions["assign"] == {Role.SUPERVISOR, Role.QUALITY_ENGINEER, Role.ADMIN}
    assert info.actions["export"] == {Role.QUALITY_ENGINEER, Role.SUPERVISOR, Role.ADMIN}
    assert info.actions["classify"] == {Role.QUALITY_ENGINEER, Role.OPERATOR,
                                        Role.SUPERVISOR, Role.ADMIN}


def test_plugin_and_cli_import_pull_no_qt_and_no_numpy():
    code = ("import sys, argparse; import station_plugins.image_review.plugin as p; "
            "p.ImageReviewStation.add_cli(argparse.ArgumentParser().add_subparsers()); "
            "bad = [m for m in ('PySide6', 'numpy', 'pyqtgraph', 'onnxruntime') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_qt_free_modules_import_with_pyside_blocked():
    code = ("import sys; sys.modules['PySide6'] = None; sys.modules['pyqtgraph'] = None\n"
            "import station_plugins.image_review.service, station_plugins.image_review.export,"
            " station_plugins.image_review.cli, app.ct.review,"
            " app.ct.ai.check")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_add_cli_registers_ai_and_review_groups():
    from station_plugins.image_review.plugin import ImageReviewStation

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    ImageReviewStation.add_cli(sub)
    args = parser.parse_args(["ai", "classify", "x.npy", "--json", "o.json"])
    assert args.paths == ["x.npy"] and args.json_out == "o.json"
    args = parser.parse_args(["review", "decide", "abc", "--reject", "--reason",
                              "ring_artifact", "--as", "rev1"])
    assert (args.decision, args.reason, args.as_user) == ("reject", "ring_artifact", "rev1")
    args = parser.parse_args(["review", "list", "--status", "open", "--class", "ring"])
    assert args.ai_class == "ring"
    args = parser.parse_args(["review", "export", "out", "--since", "2026-01-01"])
    assert args.since == "2026-01-01"
