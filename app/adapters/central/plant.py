"""The plant view's read-only queries on the central database, as one service: the UI
(app/ui/plant_view.py) asks it for plain data and never touches SQLAlchemy."""
from __future__ import annotations

from typing import Any, Callable

from app.adapters.central import queries as Q
from app.adapters.central.db import CentralUnavailable, make_engine


class PlantQueries:
    """Cross-station results, fleet trends, alarm KPIs and stations, read from the
    central database (one small connection pool, opened on first use)."""

    def __init__(self, central_url: str) -> None:
        self.central_url = central_url
        self._engine: Any = None

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._engine is None:
            self._engine = make_engine(self.central_url, pool_size=1)
        try:
            with self._engine.connect() as conn:
                return fn(conn, *args)
        except CentralUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - a database problem reaches the bar
            raise CentralUnavailable(f"The central database did not answer the plant "
                                     f"query: {str(getattr(exc, 'orig', exc)).strip()[:300]}") from exc

    def overview(self, days: float) -> dict[str, Any]:
        return {"serials": self._run(Q.scanner_serials, days),
                "keys": self._run(Q.measurement_keys, days),
                "alarms": self._run(Q.alarm_kpis, days),
                "stations": self._run(Q.stations_overview)}

    def results_for_serial(self, serial: str, days: float) -> Any:
        return self._run(Q.results_for_serial, serial, days)

    def fleet(self, key: str, days: float) -> tuple[str, Any, Any]:
        return key, self._run(Q.fleet_trend, key, days), self._run(Q.fleet_summary, key, days)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
