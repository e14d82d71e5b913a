"""Platform folders. The data folder holds the local store, logs, backups, quarantine."""
from __future__ import annotations

import importlib.util
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


def _package_dir(package: str) -> Path:
    """The folder of a data package (``resources`` / ``models``): inside a frozen bundle,
    beside ``app/`` in a source tree, else wherever the wheel installed it."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / package
    beside = Path(__file__).resolve().parent.parent / package
    if (beside / "__init__.py").is_file():
        return beside
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the Pharos data package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def resources_dir() -> Path:
    """Phantoms, limit profiles, detector models, theme, translations, alarm definitions."""
    return _package_dir("resources")


def models_dir() -> Path:
    """The ONNX models with their cards."""
    return _package_dir("models")
