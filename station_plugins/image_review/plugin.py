"""Image review station plugin (import-light: no Qt, no numpy at import)."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.core.roles import Role
from app.stations import StationInfo, StationPlugin

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QWidget

_REV, _QE, _SUP, _ADM, _OP = (Role.REVIEWER, Role.QUALITY_ENGINEER, Role.SUPERVISOR,
                              Role.ADMIN, Role.OPERATOR)


class ImageReviewStation(StationPlugin):
    info = StationInfo(
        id="image_review",
        title="Image review",
        title_zh="影像复核",
        description="AI check of CT phantom images and the reviewer queue: flagged images "
                    "(AI abnormal, low confidence, AI vs physics disagreement, failed "
                    "limits) are approved or rejected under an electronic signature; a "
                    "rejection holds the scanner.",
        open_roles=frozenset({_REV, _QE, _SUP, _ADM}),
        actions={
            "review": frozenset({_REV, _SUP}),
            "assign": frozenset({_SUP, _QE, _ADM}),
            "export": frozenset({_QE, _SUP, _ADM}),
            "classify": frozenset({_QE, _OP, _SUP, _ADM}),
        },
        order=20,
        requires=("models/ct_phantom_classifier/*/card.json", "resources/phantoms/*.json"),
    )

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._panel: Any = None

    def create_panel(self, parent: "QWidget | None" = None) -> "QWidget":
        from station_plugins.image_review.panel import ImageReviewPanel

        self._panel = ImageReviewPanel(self.ctx, parent)
        return self._panel

    def can_close(self) -> bool:
        return self._panel is None or not self._panel.is_busy()

    def shutdown(self) -> None:
        if self._panel is not None:
            self._panel.shutdown()
            self._panel = None

    @classmethod
    def add_cli(cls, subparsers: argparse._SubParsersAction) -> None:
        """``pharos ai ...`` and ``pharos review ...`` (see station_plugins.image_review.cli)."""
        from station_plugins.image_review import cli

        cli.add_commands(subparsers)
