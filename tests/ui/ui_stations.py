"""Two tiny stations for shell tests: one with a working panel, one whose panel raises."""
from __future__ import annotations

from pathlib import Path

from app.core.roles import Role, roles
from app.stations import StationContext, StationInfo, StationPlugin


class GoodStation(StationPlugin):
    info = StationInfo(id="good", title="Good station", title_zh="正常工位",
                       description="test", open_roles=roles("operator", "admin"), order=1)
    panels_created = 0

    def __init__(self, ctx: StationContext) -> None:
        super().__init__(ctx)
        self.busy = False
        self.shut_down = 0

    def create_panel(self, parent=None):  # noqa: ANN001, ANN201
        from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

        type(self).panels_created += 1
        panel = QWidget(parent)
        panel.setObjectName("good_panel")
        edit = QLineEdit(panel)
        edit.setObjectName("good_input")
        QVBoxLayout(panel).addWidget(edit)
        return panel

    def can_close(self) -> bool:
        return not self.busy

    def shutdown(self) -> None:
        self.shut_down += 1


class BrokenPanelStation(StationPlugin):
    info = StationInfo(id="broken", title="Broken station", title_zh="故障工位",
                       description="test", open_roles=frozenset(Role), order=2)

    def create_panel(self, parent=None):  # noqa: ANN001, ANN201
        raise RuntimeError("detector driver missing")


class SupervisorStation(GoodStation):
    info = StationInfo(id="sup", title="Supervisor only", title_zh="主管工位",
                       description="test", open_roles=roles("supervisor"), order=3)


def make_ctx(station_id: str, tmp: Path, session=None) -> StationContext:  # noqa: ANN001
    return StationContext(station_id=station_id, config=None, settings={}, store=None,
                          audit=None, auth=None, signatures=None, session=session, tasks=None,
                          loop=None, notifier=None, data_dir=tmp / station_id)
