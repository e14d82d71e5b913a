"""Detector matching station (import-light: no Qt, no numpy at import)."""
from __future__ import annotations

import argparse
import logging
import sys
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.roles import roles
from app.station_settings import setting
from app.stations import StationInfo, StationPlugin

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)
ENGINEERS = ("quality_engineer", "supervisor", "admin")


@dataclass(frozen=True)
class DetectorMatchingSettings:
    """``[stations.detector_matching]`` (settings_version 1)."""

    learned_cost: bool = setting(True, doc="use the learned neighbour cost model when valid")
    test_db_url: str = setting("", doc="prefills the 'From test database' dialog (no password)")
    test_db_table: str = setting("module_test_results", doc="prefills the dialog's table")


class DetectorMatchingStation(StationPlugin):
    info = StationInfo(
        id="detector_matching", title="Detector matching", title_zh="探测器模块匹配",
        description="Arrange tested detector modules in the slots of a CT detector: "
                    "optimal arrangement with a certified gap, approval and MES hand-over.",
        open_roles=roles(*ENGINEERS),
        actions={"import": roles(*ENGINEERS), "optimise": roles(*ENGINEERS),
                 "approve": roles("quality_engineer", "supervisor"),
                 "send_to_mes": roles(*ENGINEERS)},
        order=30,
        requires=("resources/detector_models/*.toml",
                  "models/detector_neighbour_cost/*/card.json"))
    settings_type = DetectorMatchingSettings
    settings_version = 1

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._session: Any = None
        self._session_lock = threading.Lock()
        self._panels: weakref.WeakSet[Any] = weakref.WeakSet()

    def shutdown(self) -> None:
        """The workstation closes: a running optimisation is cancelled and its threads are
        waited for (bounded), so none is still working when the interpreter exits."""
        panels = list(self._panels)
        if panels:                         # a window: Qt is loaded
            from shiboken6 import isValid

            for panel in panels:
                if isValid(panel) and not panel.shutdown(timeout=5.0):
                    log.warning("detector matching: an optimisation did not end within 5 s "
                                "of the station's shutdown")
        if "station_plugins.detector_matching.optimiser" in sys.modules:
            from station_plugins.detector_matching.optimiser import wait_for_bound_threads

            wait_for_bound_threads(5.0)

    def warm_up(self) -> None:
        """Called in the workstation's warm-up thread: the session (ONNX cost model
        loaded) is ready before the panel opens, not built on the GUI thread."""
        _ = self.session

    @property
    def session(self) -> Any:
        with self._session_lock:
            return self._make_session()

    def _make_session(self) -> Any:
        if self._session is None:
            from station_plugins.detector_matching.learned_cost import load_learned_cost
            from station_plugins.detector_matching.session import MatchSession
            use_learned = self.ctx.settings.get("learned_cost", True)
            learned, why = load_learned_cost() if use_learned else (None, "disabled in settings")
            self._session = MatchSession(self.ctx, learned=learned, learned_reason=why)
        return self._session

    def create_panel(self, parent: "QWidget | None" = None) -> "QWidget":
        from station_plugins.detector_matching import kernels, optimiser  # noqa: F401 - the
        # optimiser registers the warm-up solve the background load runs
        from station_plugins.detector_matching.panel import DetectorMatchingPanel

        # the optimiser's compiled kernels: this data folder's cache, loaded (or compiled)
        # in the background now, so that an optimisation's clock never pays for them
        # (a second after the panel exists: loading holds the GIL for a moment, and a
        # first compile on an installation without `pharos match warmup` for longer)
        from PySide6.QtCore import QTimer

        data_dir = getattr(self.ctx.config, "data_dir", None) or self.ctx.data_dir
        kernels.configure(data_dir)
        QTimer.singleShot(1000, kernels.warm_up_in_background)
        from station_plugins.detector_matching import dual_store

        # the bound continues from the prices of an earlier optimisation of the same costs,
        # also one before the station was restarted (session 8)
        dual_store.configure(dual_store.folder_for(data_dir))
        from station_plugins.detector_matching import parallel_anneal

        parallel_anneal.WORKER_NICE = 10     # the window's GUI thread first (nogil chains)

        panel = DetectorMatchingPanel(self.ctx, self.session, parent)
        self._panels.add(panel)
        return panel

    @classmethod
    def add_cli(cls, subparsers: argparse._SubParsersAction) -> None:
        from station_plugins.detector_matching.cli import add_commands

        add_commands(subparsers)
