"""Fixtures: small generated pools written in the import format, a problem factory."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from station_plugins.detector_matching.generator import generate
from station_plugins.detector_matching.pool_io import generated_rows, write_table


def write_pool(path: Path, modules: int = 40, seed: int = 3, lots: int | None = None
               ) -> tuple[list[str], list[list]]:
    cols, rows = generated_rows(generate(modules, seed, lots=lots))
    write_table(path, cols, rows)
    return cols, rows


@pytest.fixture
def pool_csv(tmp_path: Path) -> Path:
    p = tmp_path / "pool.csv"
    write_pool(p)
    return p


@pytest.fixture(scope="session")
def table() -> tuple[list[str], list[list]]:
    return generated_rows(generate(40, 3))


def random_problem(n: int, m: int, seed: int):
    """A MatchProblem with random asymmetric costs (for exact checks)."""
    from station_plugins.detector_matching.costs import MatchProblem
    from station_plugins.detector_matching.detector_models import DetectorLayout
    rng = np.random.default_rng(seed)
    c = rng.random((n, m)) * 2
    d = rng.random((m, m)) * 3
    np.fill_diagonal(d, np.inf)
    lam = 0.5 + rng.random(n - 1)
    return MatchProblem(c=c, d=d, lam=lam, fixed=np.full(n, -1, dtype=np.int64),
                        serials=[f"S{i}" for i in range(m)], lots=["L"] * m,
                        layout=DetectorLayout(name="T", slots=n))


# The optimiser's compiled kernels: one cache for all test runs (compiled once, ~10 s),
# never the user's data folder (kernels.configure() would pick that by default).
import os as _os  # noqa: E402
import tempfile as _tempfile  # noqa: E402

_os.environ.setdefault("NUMBA_CACHE_DIR",
                       str(Path(_tempfile.gettempdir()) / "pharos-test-numba-cache"))

# the fixed-sub-folder locator before any test compiles a kernel (so every compile of
# this test session lands where `kernels` and the subprocess tests look)
from station_plugins.detector_matching import kernels as _kernels  # noqa: E402

_kernels.configure()
