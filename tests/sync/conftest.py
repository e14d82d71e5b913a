"""Fixtures of the sync tests: a real PostgreSQL server (tests/pg_fixtures.py) and stations."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.pg_fixtures import blank_central_url, central_url, pg_server  # noqa: E402,F401
