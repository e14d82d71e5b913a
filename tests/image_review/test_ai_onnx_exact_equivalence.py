"""The network on the CPU with app/adapters/onnx_exact's rewrite (the 2.x classifiers'
constant-grid GridSample as GatherElements / Mul / Add) gives the file's graph's outputs
bit for bit: on the released classifier's real inputs (a simulated series through the
station's own measurements) and on edge cases, at every batch size the station uses.
The check that guards the rewrite at load must notice a plan that rounds otherwise (it
is what keeps an onnxruntime whose GridSample rounds differently on the file's graph).
Speed: benchmarks/image_review/bench_ai.py (never asserted here)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.image_review.conftest import REAL_DIR, TINY_ONNX, real_model


def _plain(data: bytes, threads: int = 1):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    return ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])


def _bits(outs: dict[str, np.ndarray]) -> dict[str, bytes]:
    return {k: np.asarray(v).tobytes() for k, v in outs.items()}


@pytest.fixture(scope="module")
def released():
    from app.adapters.inference import ModelRegistry

    return ModelRegistry(REAL_DIR.parents[1]).load("ct_phantom_classifier", REAL_DIR.name)


@pytest.fixture(scope="module")
def real_inputs(released):
    """Network inputs of a simulated CatPhan 504 series (a ring in half the slices)
    through normalise.prepare in the released model's layout, plus edge cases: a flat
    image (the high-pass is 0 everywhere), the HU range's ends, a checkerboard (every
    neighbour differs)."""
    from app.ct.ai.check import AiChecker
    from app.ct.ai.normalise import prepare
    from app.ct.simulator import SimParams, simulate_series
    from app.ct.simulator.params import ArtifactSpec

    s = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                  n_slices=12, z_range_mm=(-80.0, -58.0), noise_sd_hu=10.0,
                                  seed=16,
                                  artifacts=(ArtifactSpec("ring", 30.0, radius_mm=40.0,
                                                          slices=tuple(range(6))),)))
    x, ctx, _ = prepare(s.volume, s.pixel_mm, list(range(1, 11)),
                        AiChecker(released).evidence_layout)
    flat = np.full((1, 3, 256, 256), 40.0, np.float32)
    lo, hi = np.full_like(flat, -3024.0), np.full_like(flat, 3071.0)
    yy, xx = np.mgrid[:256, :256]
    checker = np.broadcast_to(np.where((yy + xx) % 2, 1000.0, -1000.0).astype(np.float32),
                              flat.shape).copy()
    x = np.concatenate([x, flat, lo, hi, checker])
    ctx = np.concatenate([ctx, np.repeat(ctx[:1], 4, axis=0)])
    return x, ctx


@real_model
@pytest.mark.slow
def test_the_released_classifier_is_rewritten_and_keeps_its_outputs_bit_for_bit(
        released, real_inputs):
    x, ctx = real_inputs
    assert any("GridSample" in r for r in released.rewrites)
    data = REAL_DIR.joinpath("model.onnx").read_bytes()
    plain1, plain0 = _plain(data, 1), _plain(data, 0)
    n = len(x)
    for size in (1, 2, 3, 4, 16):
        for s in range(0, n, size):
            feeds = {"image": x[s:s + size], "context": ctx[s:s + size]}
            want = _bits(dict(zip(released.output_names, plain1.run(None, feeds))))
            assert _bits(released.run(feeds, threads=1)) == want, (size, s)
            want0 = _bits(dict(zip(released.output_names, plain0.run(None, feeds))))
            assert _bits(released.run(feeds)) == want0, (size, s)


@real_model
def test_the_whole_check_says_the_same_with_and_without_the_rewrite(released):
    """classify on the rewritten sessions: every slice's class, scores, anomaly and input
    digest as on the file's graph."""
    from app.adapters.inference import OnnxModel
    from app.ct.ai.check import AiChecker
    from app.ct.simulator import SimParams, simulate_series

    s = simulate_series(SimParams(phantom="catphan504", matrix=512, slice_thickness_mm=2.0,
                                  n_slices=8, seed=5))
    plain = OnnxModel(released.card, exact_rewrites=False)
    assert plain.rewrites == []
    a = AiChecker(released).classify(s.volume, pixel_mm=s.pixel_mm)
    b = AiChecker(plain).classify(s.volume, pixel_mm=s.pixel_mm)
    assert [v.to_dict() for v in a.slices] == [v.to_dict() for v in b.slices]


@real_model
def test_the_load_check_refuses_a_plan_that_rounds_otherwise(released, monkeypatch, caplog):
    """A plan one rounding away from onnxruntime's (the weights in float64, then float32;
    onnxruntime's older generic formula differs the same way) is caught by the check at
    load: the session keeps the file's graph and says so."""
    from app.adapters import onnx_exact
    from app.adapters.inference import OnnxModel

    real = onnx_exact.bilinear_plan

    def off_by_rounding(grid, h, w):
        idx, wts = real(grid, h, w)
        g = grid.reshape(-1, 2).astype(np.float64)
        x, y = ((g[:, 0] + 1) * w - 1) / 2, ((g[:, 1] + 1) * h - 1) / 2
        dx1, dy1 = x - np.floor(x), y - np.floor(y)
        w64 = np.stack([(1 - dy1) * (1 - dx1), (1 - dy1) * dx1, dy1 * (1 - dx1), dy1 * dx1])
        return idx, w64.astype(np.float32)

    data = REAL_DIR.joinpath("model.onnx").read_bytes()
    monkeypatch.setattr(onnx_exact, "bilinear_plan", off_by_rounding)
    moved, done = onnx_exact.rewrite(data)
    assert done
    assert not onnx_exact.same_outputs(_plain(data), _plain(moved))
    with caplog.at_level("WARNING"):
        m = OnnxModel(released.card)
    assert m.rewrites == [] and "differ" in caplog.text
    feeds = onnx_exact.probe_feeds(m.session, 2)
    assert _bits(m.run(feeds)) == _bits(dict(zip(m.output_names, _plain(data, 0).run(None, feeds))))


def test_a_graph_without_a_constant_grid_sample_is_left_as_it_is():
    from app.adapters import onnx_exact

    data = TINY_ONNX.read_bytes()
    assert onnx_exact.rewrite(data) == (data, [])


@real_model
def test_the_rewritten_bytes_keep_every_other_part_of_the_model():
    """Only nodes change: the GridSample, the 8 x 8 AveragePool with its Concat, and the
    nodes nothing reads any more (the grid's Constant and Expand); every initializer,
    input, output and every other node is there byte for byte, in order."""
    from app.adapters import onnx_exact
    from app.adapters import onnx_wire as ox

    data = REAL_DIR.joinpath("model.onnx").read_bytes()
    new, done = onnx_exact.rewrite(data)
    assert [d.split()[0] for d in done] == ["AveragePool", "GridSample", "20"]

    def graph(b: bytes):
        g = next(f for f in ox.fields(b) if f.number == ox.MODEL_GRAPH)
        return [(f, b[f.start:f.end]) for f in ox.fields(b, g.value, g.stop)]

    old, now = graph(data), graph(new)
    others = [blob for f, blob in old if f.number != ox.GRAPH_NODE]
    assert [blob for f, blob in now if f.number != ox.GRAPH_NODE][:len(others)] == others
    new_nodes = [ox.node_of(new, f) for f, _ in now if f.number == ox.GRAPH_NODE]
    read = {x for n in new_nodes for x in n.inputs} | {"probabilities", "logits", "anomaly"}
    kept = {blob for f, blob in now if f.number == ox.GRAPH_NODE}
    for f, blob in old:
        if f.number != ox.GRAPH_NODE or blob in kept:
            continue
        n = ox.node_of(data, f)
        assert n.op in ("GridSample", "AveragePool", "Concat") or \
            not any(o in read for o in n.outputs), n.op
    assert [f.number for f in ox.fields(new)] == [f.number for f in ox.fields(data)]


def test_the_wire_codec_reads_what_it_writes():
    """onnx_wire: varints (0, 127, 128, 2^35, -1 as int64), a node with an int attribute
    and a tensor read back from their bytes."""
    from app.adapters import onnx_wire as ox

    for v in (0, 1, 127, 128, 300, 1 << 35, (1 << 64) - 1):
        assert ox.read_varint(ox.enc_varint(v), 0) == (v, len(ox.enc_varint(v)))
    assert ox.enc_varint(-1) == ox.enc_varint((1 << 64) - 1)
    blob = ox.node_field("Concat", ["a", "b"], ["c"], "n1", {"axis": 1})
    (f,) = ox.fields(blob)
    n = ox.node_of(blob, f)
    assert (n.op, n.inputs, n.outputs, set(n.attrs)) == ("Concat", ["a", "b"], ["c"], {"axis"})
    assert ox.attr(blob, n.attrs["axis"], ox.ATTR_I).value == 1
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 5.5
    (t,) = ox.fields(ox.tensor_field("t", a))
    back = ox.read_tensor(ox.tensor_field("t", a), t.value, t.stop)
    assert back is not None and back.dtype == np.float32 and np.array_equal(back, a)
