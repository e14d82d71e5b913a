"""Which OPC UA endpoint the tunnel station tests through (Qt-free, import-light: the
plugin, the panel and the CLI all resolve it the same way)."""
from __future__ import annotations

from typing import Any


def configured_endpoint(settings: dict, config: Any) -> str | None:
    """Which OPC UA endpoint to test through; ``None``: start the built-in simulator.

    1. ``[stations.tunnel_test] endpoint = "local"``: simulated C-arm inside the runner
       process (``""``), in any mode.
    2. demo mode (``[station] demo = true``): the built-in simulator server (``None``).
    3. otherwise the station setting ``endpoint`` (this station's own tunnel) overrides
       the workstation-wide ``[opcua] tunnel_endpoint``, which is used when the station
       table names none.
    """
    station_value = str(settings.get("endpoint", "") or "")
    if station_value == "local":
        return ""
    if bool(getattr(config, "demo", True)):
        return None
    return station_value or str(config.get("opcua", "tunnel_endpoint") or "") or None
