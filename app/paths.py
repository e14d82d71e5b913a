"""Platform folders. The data folder holds the local store, logs, backups, quarantine."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def default_data_dir() -> Path:
    env = os.environ.get("PHAROS_DATA_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "Pharos"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Pharos"
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "pharos"


def default_config_path(data_dir: Path | None = None) -> Path:
    env = os.environ.get("PHAROS_CONFIG")
    if env:
        return Path(env).expanduser()
    return (data_dir or default_data_dir()) / "pharos.toml"


def resources_dir() -> Path:
    """``resources/`` beside the packages (source tree) or inside a frozen bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def models_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "models"
    return Path(__file__).resolve().parent.parent / "models"
