"""Pharos operator workstation."""
from importlib import metadata as _md

try:
    __version__ = _md.version("pharos")
except _md.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.1.0+src"
try:  # a release bundle carries the version stamped by installer/build.sh
    from app._build_info import VERSION as __version__  # type: ignore[import-not-found,no-redef]  # noqa: F401, N811
except ImportError:  # source tree or editable install: no stamp
    pass
