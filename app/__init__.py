"""Pharos operator workstation."""
from importlib import metadata as _md

try:
    __version__ = _md.version("pharos")
except _md.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.1.0+src"
