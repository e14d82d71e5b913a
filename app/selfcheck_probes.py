"""Probes and helpers of the self-check (Qt-free): ports, fonts, model cards, workstation."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

# system libraries Qt 6's xcb platform plugin loads (not bundled) -> Debian package
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4", "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1", "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0", "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1", "xkbcommon-x11": "libxkbcommon-x11-0",
}


def read_any_card(card_path: Path) -> Any:
    """A ModelCard from either card format: {name, version, sha256[, file]} (registry) or
    {id, version, sha256, file} (tunnel_test's models)."""
    from app.adapters.inference import ModelCard, read_card
    from app.core.errors import ModelIntegrityError

    try:
        return read_card(card_path)
    except ModelIntegrityError as first:
        try:
            data = json.loads(card_path.read_text(encoding="utf-8"))
            name, sha = data["id"], data["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            raise first from None
        return ModelCard(name=name, version=str(data.get("version", "?")), sha256=sha,
                         path=card_path.parent / data.get("file", "model.onnx"),
                         card_path=card_path, data=data)


def port_in_use(host: str, port: int) -> str | None:
    """None when ``host:port`` can be bound for listening, else the OS error text."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        if sys.platform.startswith("win"):
            s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_EXCLUSIVEADDRUSE", 0), 1)
        else:  # ignore TIME_WAIT leftovers; a listener still blocks the bind
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            s.listen(1)
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def cjk_font_families() -> list[str] | None:
    """Font families with Chinese glyphs (fontconfig), None when fc-list is absent."""
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, ":lang=zh", "family"], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


def workstation_without_accounts(config: Any, store: Any) -> Any:
    """A non-exclusive Workstation on an open store without ``ensure_admin``: a
    self-check must not create the first account (nor audit model refusals: it
    reports them itself)."""
    from app.bootstrap import Workstation

    return Workstation.assemble(config, store, workers=1, audit_model_refusals=False)
