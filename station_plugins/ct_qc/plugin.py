"""CT image QC station plugin (import-light: no Qt, no numpy at import)."""
from __future__ import annotations

import argparse
import importlib
import logging
from typing import TYPE_CHECKING, Any

from app.core.roles import Role
from app.stations import StationInfo, StationPlugin

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

_QE, _SUP, _ADM, _OP = Role.QUALITY_ENGINEER, Role.SUPERVISOR, Role.ADMIN, Role.OPERATOR


class CtQcStation(StationPlugin):
    info = StationInfo(
        id="ct_qc",
        title="CT image QC",
        title_zh="CT影像质量检测",
        description="Scores CT phantom series (CatPhan, ACR, vendor water phantom) against "
                    "versioned limits, finds artifacts and keeps a trend per scanner serial.",
        open_roles=frozenset({_QE, _SUP, _ADM, _OP}),
        actions={
            "analyse": frozenset({_OP, _QE, _SUP, _ADM}),
            "import": frozenset({_OP, _QE, _SUP, _ADM}),
            "archive": frozenset({_QE, _SUP, _ADM}),
            "set_baseline": frozenset({_QE, _SUP}),
            "edit_limits": frozenset({_QE, _ADM}),
            "export_report": frozenset({_OP, _QE, _SUP, _ADM}),
        },
        order=10,
        requires=("resources/phantoms/catphan504.json", "resources/limits/*.toml",
                  "models/ct_phantom_classifier/*/card.json"),
    )

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._panel: Any = None

    def create_panel(self, parent: "QWidget | None" = None) -> "QWidget":
        from station_plugins.ct_qc.panel import CtQcPanel

        self._panel = CtQcPanel(self.ctx, parent)
        return self._panel

    def can_close(self) -> bool:
        return self._panel is None or not self._panel.is_busy()

    def shutdown(self) -> None:
        if self._panel is not None:
            self._panel.shutdown()

    @classmethod
    def add_cli(cls, subparsers: argparse._SubParsersAction) -> None:
        """Delegate to ``station_plugins.ct_qc.cli.add_qc_commands`` when it exists."""
        try:
            cli = importlib.import_module("station_plugins.ct_qc.cli")
        except ModuleNotFoundError as exc:
            if exc.name != "station_plugins.ct_qc.cli":
                raise
            log.info("ct_qc: no headless commands (station_plugins.ct_qc.cli is absent)")
            return
        cli.add_qc_commands(subparsers)
