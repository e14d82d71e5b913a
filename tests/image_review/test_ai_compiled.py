"""The AI check's compiled kernels (app/ct/ai/compiled.py): the area resample is OpenCV's
INTER_AREA resize bit for bit and checks itself per size, the ring sums are the numpy
code's bit for bit; both fall back to OpenCV / numpy wherever they cannot be used."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.ct.ai import compiled as ar
from app.ct.ai.grid_field import to_grid

pytest.importorskip("numba")


@pytest.fixture(scope="module")
def warm() -> None:
    assert ar.warm_up()
    assert ar.ready()


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a.view(np.uint32),
                                                                        b.view(np.uint32))


@pytest.mark.parametrize("n0,n1,m", [(512, 512, 250), (512, 512, 253), (768, 768, 375),
                                     (1024, 1024, 500), (600, 600, 293), (512, 520, 250),
                                     (300, 512, 256), (512, 512, 256), (512, 512, 128),
                                     (9, 13, 4)])
def test_equal_to_opencv_bit_for_bit(warm: None, n0: int, n1: int, m: int) -> None:
    rng = np.random.default_rng(n0 + n1 + m)
    a = (rng.standard_normal((n0, n1)) * 900.0 - 300.0).astype(np.float32)
    a[::7, ::5] = 3071.0                      # some high values and exact zeros
    a[3, :] = 0.0
    want = cv2.resize(a, (m, m), interpolation=cv2.INTER_AREA)
    assert _same_bits(ar.area_resize(a, m), want)


def test_the_kernel_itself_matches_at_the_grids_scale(warm: None) -> None:
    """Not only the fall-back: at 512 -> 250 (the 0.488 mm slices' grid) the compiled path
    is the one used, and it is exact."""
    assert ar._exact_here(512, 512, 250, 250)
    rng = np.random.default_rng(5)
    a = (rng.standard_normal((512, 512)) * 50.0).astype(np.float32)
    assert _same_bits(ar._area_compiled(a, 250, 250),
                      cv2.resize(a, (250, 250), interpolation=cv2.INTER_AREA))


def test_a_simulated_slice_on_the_grid_is_unchanged(warm: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ct.simulator import SimParams, simulate_series

    sim = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                    n_slices=3, seed=3))
    a = sim.volume[1].astype(np.float32)
    fast = to_grid(a, sim.pixel_mm)
    monkeypatch.setattr(ar, "_kernels", {})
    slow = to_grid(a, sim.pixel_mm)
    assert _same_bits(fast, slow)


def test_a_size_where_the_kernel_differs_falls_back_to_opencv(
        warm: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-size check is real: a kernel that is off by one ulp is never used."""
    monkeypatch.setattr(ar, "_verdicts", {})
    real = ar._area_compiled
    monkeypatch.setattr(ar, "_area_compiled",
                        lambda a, m0, m1: np.nextafter(real(a, m0, m1), np.float32(np.inf)))
    rng = np.random.default_rng(2)
    a = rng.standard_normal((512, 512)).astype(np.float32)
    want = cv2.resize(a, (250, 250), interpolation=cv2.INTER_AREA)
    assert _same_bits(ar.area_resize(a, 250), want)
    assert ar._verdicts == {(512, 512, 250, 250): False}


def test_without_numba_opencv_resamples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ar, "_kernels", {})
    monkeypatch.setattr(ar, "_tried", False)
    monkeypatch.setitem(sys.modules, "numba", None)        # import numba -> ImportError
    assert ar.warm_up() is False
    assert not ar.ready()
    assert ar.warm_up() is False                            # tried once per process
    a = np.random.default_rng(1).standard_normal((512, 512)).astype(np.float32)
    assert _same_bits(ar.area_resize(a, 250),
                      cv2.resize(a, (250, 250), interpolation=cv2.INTER_AREA))


def test_other_types_and_upsampling_are_opencvs(warm: None) -> None:
    a = np.random.default_rng(3).standard_normal((300, 300))
    assert np.array_equal(ar.area_resize(a, 200),
                          cv2.resize(a, (200, 200), interpolation=cv2.INTER_AREA))
    b = a.astype(np.float32)[:200, :200]
    assert to_grid(b, 1.5).shape == (256, 256)              # 200 -> 300: linear, as before


def test_ring_sums_equal_to_numpy_bit_for_bit(warm: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a simulated slice's ring residual, with and without the structures' exclusion and
    a phantom radius: the compiled pass gives the numpy code's float32 sums and counts."""
    from app.ct.ai.ring_evidence import ring_sums
    from app.ct.simulator import SimParams, simulate_series

    sim = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                    n_slices=3, seed=4))
    g = to_grid(sim.volume[1].astype(np.float32), sim.pixel_mm)
    resid = g - cv2.blur(g, (5, 5), borderType=cv2.BORDER_REFLECT)
    rng = np.random.default_rng(0)
    excl = rng.random(g.shape) < 0.1
    cases = [dict(), dict(excluded=excl), dict(excluded=excl, centre=(126.8, 128.4), r_in=92.5),
             dict(centre=(130.0, 125.0), r_in=60.0, rc=128.0)]
    assert "bin_sums" in ar._kernels
    for kw in cases:
        fast = ring_sums(resid, **kw)
        with monkeypatch.context() as m:
            m.setattr(ar, "_kernels", {})
            slow = ring_sums(resid, **kw)
        for f, s in zip(fast, slow):
            assert _same_bits(f, s)
        assert fast[1].sum() > 0


def test_noise_and_edge_spread_equal_to_numpy_bit_for_bit(
        warm: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disc's residuals (robust_noise_disc) and the edge profile's sums (edge_spread),
    on native and grid slices of two simulated series: the numpy code's values."""
    from app.ct.ai import normalise
    from app.ct.simulator import SimParams, simulate_series

    assert {"disc_every", "gather_bin_sums"} <= set(ar._kernels)
    for seed, matrix in ((4, 512), (6, 384)):
        sim = simulate_series(SimParams(phantom="catphan504", matrix=matrix,
                                        slice_thickness_mm=2.0, n_slices=3, seed=seed))
        a = sim.volume[1].astype(np.float32)
        g = to_grid(a, sim.pixel_mm)
        c = (a.shape[0] - 1) / 2 + 0.37
        calls = [lambda: normalise.robust_noise_disc(a, c, c - 1.2, 0.8 * 100 / sim.pixel_mm, 5),
                 lambda: normalise.robust_noise_disc(g, 127.9, 128.3, 80.2, 5),
                 lambda: normalise.robust_noise_disc(g, 3.0, 4.0, 2.0, 5),   # at the border: nan
                 lambda: normalise.edge_spread(a, c, c + 0.6, 100 / sim.pixel_mm,
                                               sim.pixel_mm, 0.0)]
        for call in calls:
            fast = call()
            with monkeypatch.context() as m:
                m.setattr(ar, "_kernels", {})
                slow = call()
            assert np.array_equal(np.asarray(fast), np.asarray(slow), equal_nan=True)
            assert np.asarray(fast).dtype == np.asarray(slow).dtype


@pytest.mark.parametrize("name,reference", [("bin_sums", "_bin_sums_numpy"),
                                            ("disc_every", "_disc_every_numpy"),
                                            ("gather_bin_sums", "_gather_bin_sums_numpy"),
                                            ("polar_band", "_polar_band_numpy")])
def test_a_kernel_that_differs_is_not_used(monkeypatch: pytest.MonkeyPatch, name: str,
                                           reference: str) -> None:
    """warm_up checks every kernel against the code it replaces: one that is off is
    dropped (and that code measures), the others stay."""
    monkeypatch.setattr(ar, "_kernels", {})
    monkeypatch.setattr(ar, "_tried", False)
    real = getattr(ar, reference)

    def off(*args):  # type: ignore[no-untyped-def]
        out = real(*args)
        if isinstance(out, tuple):
            return (out[0] + 1e-9, out[1])
        if out.dtype == bool:                          # (one sample off the band)
            return out ^ (np.arange(out.size).reshape(out.shape) == 0)
        return np.nextafter(out, np.inf)

    monkeypatch.setattr(ar, reference, off)
    assert ar.warm_up() is False
    assert name not in ar._kernels
    assert set(ar._kernels) == set(ar.KERNELS) - {name}


_PROBE = """
import sys
from station_plugins.detector_matching import kernels
kernels.configure(cache_dir=sys.argv[1])
from app.ct.ai import compiled
assert compiled.warm_up()
print(sum(sum(d.stats.cache_misses.values()) for d in compiled._kernels.values()),
      sum(sum(d.stats.cache_hits.values()) for d in compiled._kernels.values()))
"""


def _run_clean(code: str, arg: Path, timeout: int) -> subprocess.CompletedProcess:
    """``code`` in a new interpreter (argument ``arg``) at the repository root, without
    the test session's kernel cache ($NUMBA_CACHE_DIR) or PYTHONPATH: as a user starts it."""
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "PYTHONPATH")}
    env["PYTHONPATH"] = str(root)
    return subprocess.run([sys.executable, "-c", code, str(arg)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_the_kernels_are_cached_with_the_optimisers_and_load_in_a_new_process(tmp_path) -> None:
    """`pharos match warmup` and the station warm-up configure one kernel cache (per data
    folder, or the installation's): the AI kernels go there too, and a second process
    loads them instead of compiling."""
    cache = tmp_path / "cache"
    runs = []
    for _ in range(2):
        r = _run_clean(_PROBE, cache, 300)
        assert r.returncode == 0, r.stderr
        runs.append(tuple(int(v) for v in r.stdout.split()))
    assert runs[0][0] == len(ar.KERNELS)         # compiled: every kernel
    assert runs[1] == (0, len(ar.KERNELS))       # loaded: all from the cache
    names = sorted(p.name for p in (cache / "detector_matching").iterdir())
    assert any(n.startswith("compiled._row_pass_py") for n in names), names
    assert any(n.startswith("compiled._bin_sums_py") for n in names), names


def test_the_station_warm_up_readies_the_ai_kernels(tmp_path) -> None:
    """A CT station's start-up warm-up (app/ui/warmup.py) leaves the AI check's kernels
    ready, cached in the data folder's kernel cache."""
    code = ("import sys\nfrom app.ui import warmup\n"
            "t = warmup.start_warmup(['image_review'], sys.argv[1])\nt.join(300)\n"
            "from app.ct.ai import compiled\nprint(compiled.ready())\n")
    r = _run_clean(code, tmp_path / "data", 400)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[-1] == "True"
    assert list((tmp_path / "data" / "cache" / "numba" / "detector_matching").glob(
        "compiled.*.nbi"))


def test_qc_listen_loads_the_ai_kernels_from_its_data_folders_cache(tmp_path) -> None:
    """``pharos qc listen``'s kernel thread (compiled.warm_up_from) uses the data
    folder's kernel cache, as the GUI's warm-up does (it used numba's own location: beside
    the sources, none in a frozen bundle), and a second start loads instead of compiling.
    No detector-matching module is imported for it (the stations are independent)."""
    code = ("import sys\nfrom pathlib import Path\nfrom station_plugins.ct_qc import net_cli\n"
            "from app.ct.ai import compiled\n"
            "compiled.warm_up_from(Path(sys.argv[1]))\n"
            "print(compiled.ready(), sum(sum(k.stats.cache_hits.values()) "
            "for k in compiled._kernels.values()),\n"
            "      any(m.startswith('station_plugins.detector_matching') for m in sys.modules))\n")
    data = tmp_path / "data"
    outs = []
    for _ in range(2):
        r = _run_clean(code, data, 400)
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout.split()[-3:])
    assert outs[0][0] == outs[1][0] == "True"
    assert outs[1][1] == str(len(ar.KERNELS))    # the second start: every kernel loaded
    assert outs[0][2] == outs[1][2] == "False"
    assert list((data / "cache" / "numba" / "detector_matching").glob("compiled.*.nbi"))


def test_disc_residuals_on_many_discs(warm: None) -> None:
    """The compiled disc pass (runs found by bisection) against numpy's mask on discs whose
    edge passes exactly through pixel centres, centres outside the window, tiny and huge
    radii, and windows not starting at 0."""
    rng = np.random.default_rng(21)
    kernel = ar._kernels["disc_every"]
    for t in range(300):
        n0, n1 = int(rng.integers(1, 60)), int(rng.integers(1, 60))
        a = (rng.standard_normal((n0, n1)) * 10).astype(np.float32)
        low = (rng.standard_normal((n0, n1))).astype(np.float32)
        y0, x0 = int(rng.integers(0, 300)), int(rng.integers(0, 300))
        if t % 3 == 0:      # integer centre and radius: the edge through pixel centres
            cx, cy = float(x0 + rng.integers(-5, n1 + 5)), float(y0 + rng.integers(-5, n0 + 5))
            r2 = float(rng.integers(0, 900))
        else:
            cx = x0 + rng.uniform(-20, n1 + 20)
            cy = y0 + rng.uniform(-20, n0 + 20)
            r2 = rng.uniform(0, 40) ** 2
        step = int(rng.integers(1, 5))
        want = ar._disc_every_numpy(a, low, y0, x0, cx, cy, r2, step)
        got = kernel(a, low, y0, x0, cx, cy, r2, step)
        assert np.array_equal(got, want), (t, n0, n1, y0, x0, cx, cy, r2, step)


def test_an_index_out_of_range_raises_as_numpy_does(warm: None) -> None:
    """The kernels that index by their arguments' indices check them (numpy raises
    IndexError there; compiled code must not read past an array instead)."""
    values = np.zeros(10, np.float32)
    with pytest.raises(IndexError):
        ar.gather_bin_sums(values, np.array([3, 10]), np.array([0, 1]), 4)
    with pytest.raises(IndexError):
        ar.gather_bin_sums(values, np.array([3, 4]), np.array([0, 4]), 4)
    xy = np.zeros(2, np.float32)
    with pytest.raises(IndexError):
        ar.ring_bin_sums(values, np.array([2, 12]), np.array([0, 1]), xy, xy, 0.0, 0.0, 1.0,
                         None, 4)


def test_polar_band_on_many_maps(warm: None) -> None:
    """Ring layout 3's compiled band against its numpy code on random polar maps: rings of
    any radius and width on random fields of pieces, rim samples and unbroken-mask bits,
    gather indices off the grid, a single radius sample, no piece at all."""
    rng = np.random.default_rng(22)
    kernel = ar._kernels["polar_band"]
    n = 48 * 48
    for t in range(150):
        nr = int(rng.integers(1, 40))
        bits = (rng.random(n) < rng.random()).astype(np.uint8)
        bits |= ((rng.random(n) < rng.random()) * 2).astype(np.uint8)
        bits |= ((rng.random(n) < 0.05) * 4).astype(np.uint8)
        src = rng.integers(-1, n, (nr, 360)).astype(np.int64)
        ring = int(rng.integers(0, nr))                  # a ring: one sample row all 3
        src[ring] = rng.integers(0, 50)
        bits[src[ring]] = 3
        step, px, width = 0.5, float(rng.choice([1.0, 2.0])), float(rng.choice([4.0, 8.0]))
        deg = int(rng.choice([1, 90, 200]))
        got = kernel(bits, src, step, px, width, deg)
        want = ar._polar_band_numpy(bits, src, step, px, width, deg)
        assert got.dtype == want.dtype and np.array_equal(got, want), t
    empty = np.zeros(n, np.uint8)
    src = np.zeros((5, 360), np.int64)
    assert not kernel(empty, src, 0.5, 2.0, 8.0, 90).any()
    assert not ar._polar_band_numpy(empty, src, 0.5, 2.0, 8.0, 90).any()


def test_the_polar_map_gathers_what_opencv_remaps() -> None:
    """evidence._polar_maps' gather index takes, at every sample of the polar map, the
    pixel OpenCV's nearest-neighbour remap takes (off the grid: -1, the rim's bit)."""
    from app.ct.ai.evidence import POLAR_STEP, _polar_maps

    rng = np.random.default_rng(23)
    for rc in (63.75, 63.5, 64.0, 61.25):
        src, _ = _polar_maps((128, 128), rc)
        nr = src.shape[0]
        th = np.radians(np.arange(360) + 0.5)
        rr = np.arange(nr) * POLAR_STEP
        mx = (rc + rr[:, None] * np.cos(th)[None]).astype(np.float32)
        my = (rc + rr[:, None] * np.sin(th)[None]).astype(np.float32)
        img = rng.integers(0, 8, (128, 128)).astype(np.uint8)
        want = cv2.remap(img, mx, my, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=4)
        got = np.where(src >= 0, img.ravel()[np.maximum(src, 0)], 4)
        assert np.array_equal(got, want), rc
