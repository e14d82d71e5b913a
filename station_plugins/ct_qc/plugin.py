"""CT image QC station plugin (import-light: no Qt, no numpy at import)."""
from __future__ import annotations

import argparse
import importlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.roles import Role
from app.station_settings import ae_title, in_range, positive, setting
from app.stations import StationInfo, StationPlugin

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QWidget

    from station_plugins.ct_qc.station_service import CtQcService

log = logging.getLogger(__name__)

_QE, _SUP, _ADM, _OP = Role.QUALITY_ENGINEER, Role.SUPERVISOR, Role.ADMIN, Role.OPERATOR


def _ae_titles(v: Any) -> str | None:
    bad = [a for a in v if a != "*" and ae_title(a)]
    return f"each entry must be an AE title (1-16 printable ASCII) or '*', got {bad[0]!r}" \
        if bad else None


@dataclass(frozen=True)
class CtQcSettings:
    """``[stations.ct_qc]`` (settings_version 1). The receiver keys left unset (None) take
    their value from ``[pacs]``."""

    profile: str = setting("factory_simct_120kv", doc="limit profile preselected in the panel")
    auto_analyse: bool = setting(True, doc="analyse complete series automatically")
    use_baseline: bool = setting(True, doc="compare with the scanner's signed baseline")
    commit_timeout_s: float = setting(30.0, check=positive,
                                      doc="storage commitment wait when archiving")
    demo_matrix: int = setting(512, check=in_range(16, 2048),
                               doc="matrix of the demo scanner's series")
    allow_enhanced_ct: bool = setting(False, doc="accept Enhanced CT (multi-frame) objects")
    scp_host: str = setting("127.0.0.1", doc="address the DICOM receiver binds")
    scp_ae_title: str | None = setting(None, check=ae_title, doc="else [pacs] scp_ae_title")
    scp_port: int | None = setting(None, check=in_range(0, 65535),
                                   doc="else [pacs] scp_port (0: any free port)")
    allowed_calling_aes: tuple[str, ...] | None = setting(
        None, check=_ae_titles, doc="else [pacs] allowed_calling_aes")
    series_settle_s: float | None = setting(None, check=positive,
                                            doc="else [pacs] series_settle_s")
    peer_host: str | None = setting(None, doc="else [pacs] peer_host")
    peer_port: int | None = setting(None, check=in_range(1, 65535), doc="else [pacs] peer_port")
    peer_ae_title: str | None = setting(None, check=ae_title, doc="else [pacs] peer_ae_title")
    poll_s: float | None = setting(None, check=positive, doc="intake poll interval (0.5 s)")
    detector_source_iso_mm: float | None = setting(
        None, check=positive, doc="scanner geometry (ring artifacts); else the built-in model")
    detector_channel_pitch_deg: float | None = setting(None, check=positive,
                                                       doc="scanner geometry")
    detector_central_channel: float | None = setting(None, check=in_range(0),
                                                     doc="scanner geometry")


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
    settings_type = CtQcSettings
    settings_version = 1

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._panel: Any = None
        self._service: Any = None

    # --- the station's service: intake + analysis queue; it outlives its panels --------
    @property
    def service(self) -> "CtQcService":
        """The station's CT QC service, built on first use from the StationContext. The
        receiver keeps running when the panel is dropped at log-out; ``shutdown`` stops it."""
        if self._service is None:
            self._service = self.open_service()
        return self._service

    def open_service(self, *, data_dir: Any = None, **intake_overrides: Any) -> "CtQcService":
        """Build the service with receiver settings overridden (``pharos qc listen``
        flags; None = not given). Only before the service is first used."""
        from station_plugins.ct_qc.station_service import CtQcService

        if self._service is not None:
            raise RuntimeError("the CT QC service is already built")
        self._service = CtQcService.from_context(self.ctx, data_dir=data_dir,
                                                 **intake_overrides)
        return self._service

    def create_panel(self, parent: "QWidget | None" = None) -> "QWidget":
        from station_plugins.ct_qc.panel import CtQcPanel

        panel = CtQcPanel(self.ctx, self.service, parent)
        self._panel = panel
        panel.destroyed.connect(lambda *_: self._forget(panel))
        return panel

    def _forget(self, panel: Any) -> None:
        if self._panel is panel:
            self._panel = None

    def can_close(self) -> bool:
        """No while an analysis runs or waits in the service's queue, or an import,
        archive or report of the panel is under way."""
        if self._service is not None and self._service.busy:
            return False
        return self._panel is None or not self._panel.is_busy()

    def shutdown(self) -> None:
        if self._panel is not None:
            self._panel.shutdown()
        if self._service is not None:
            self._service.shutdown()

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
