"""Build the tiny stand-in classifiers used by the image-review tests (run once; the
.onnx files are committed so the tests need only onnxruntime: onnx is a training extra,
not in the runtime lock).

    .venv/bin/python tests/image_review/make_tiny_classifier.py

Same interface as the real ct_phantom_classifier (input ``image`` [N, 3, 256, 256] HU;
outputs ``probabilities`` [N, 7], ``logits`` [N, 7], ``anomaly`` [N]) but a rule the
tests can steer: g = mean |horizontal neighbour difference| of the centre slice / 100 HU.
logits: normal = 3 - 10 g, noise = 10 g - 3, other classes -4; anomaly = g / 2.
A smooth image (noise SD ~5 HU) is 'normal' with high confidence, a noisy one
(SD ~80 HU) is 'noise', an extremely noisy one (SD > ~180 HU) is also anomalous.

``evidence_rule.onnx`` (``build_evidence``): a model of the ``grid1mm_context_evidence``
layout (inputs ``image`` and ``context`` [N, N_CONTEXT_EVIDENCE]) whose rule reads the
evidence: logits = context @ W + b, 'ring' from ring_mf3, 'streak' from streak_spec3,
'normal' otherwise; anomaly 0 (tests/image_review/test_ai_evidence.py). Rebuild it when
``normalise.CONTEXT_NAMES_EVIDENCE`` changes.

``ring_rule.onnx`` (``build_ring_rule``): the ``grid1mm_context_ring`` layout (context
[N, N_CONTEXT_RING]: the ring evidence alone) whose rule reads it: 'ring' from ring_mf3,
'normal' otherwise (tests/image_review/test_ai_evidence.py). Rebuild it when
``normalise.CONTEXT_NAMES_RING`` changes.

``shell_rule.onnx`` (``build_shell``): the ``grid1mm_context_evidence_shell`` layout
(context [N, N_CONTEXT_EVIDENCE + 2], app/ct/ai/shell_step.py): 'band' from the two
shell steps (logit -4 + 4 x (shell_prev + shell_next), the features in 5 HU), 'normal'
3 otherwise (tests/image_review/test_ai_shell.py).

``ring_always.onnx`` (``build_ring_always``): the released model's layout (context
[N, N_CONTEXT]) calling every stack "ring" (logit 3, the others -4): a network that sees
rings where none is measurable (tests/image_review/test_ai_ring_gate.py).

``band_always.onnx`` (``build_band_always``): the same, calling every stack "band": a
network that sees bands at every module boundary (tests/image_review/test_ai_band_gate.py).

``noise_unfamiliar.onnx`` (``build_noise_unfamiliar``): the same layout calling every stack
"noise" with an anomaly of 2.0 on every slice: a network for which every input is unlike
its training data (tests/image_review/test_ai_noise_measured.py).

``shift_always.onnx`` (``build_shift_always``): the same layout calling every stack
"shift": a network that sees a CT-number shift on a scanner it was not trained on
(tests/image_review/test_ai_shift_gate.py).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = Path(__file__).with_name("data") / "tiny_classifier.onnx"
OUT_EVIDENCE = Path(__file__).with_name("data") / "evidence_rule.onnx"
OUT_SHELL = Path(__file__).with_name("data") / "shell_rule.onnx"
OUT_RING_RULE = Path(__file__).with_name("data") / "ring_rule.onnx"
OUT_RING_ALWAYS = Path(__file__).with_name("data") / "ring_always.onnx"
OUT_BAND_ALWAYS = Path(__file__).with_name("data") / "band_always.onnx"
OUT_NOISE_UNFAMILIAR = Path(__file__).with_name("data") / "noise_unfamiliar.onnx"
OUT_SHIFT_ALWAYS = Path(__file__).with_name("data") / "shift_always.onnx"
OUT_NORMAL_ALWAYS = Path(__file__).with_name("data") / "normal_always.onnx"
OUT_STREAK_ALWAYS = Path(__file__).with_name("data") / "streak_always.onnx"


def const(name: str, arr: np.ndarray) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(arr, name))


def outputs() -> list[onnx.ValueInfoProto]:
    """The classifier's outputs (the real ct_phantom_classifier's names and shapes)."""
    return [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 7]),
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 7]),
            helper.make_tensor_value_info("anomaly", TensorProto.FLOAT, ["batch"])]


def finish(graph: onnx.GraphProto) -> onnx.ModelProto:
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                          producer_name="pharos-tests")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def build() -> onnx.ModelProto:
    i64 = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    w = np.zeros((1, 7), np.float32)
    b = np.full((7,), -4.0, np.float32)
    w[0, 0], b[0] = -10.0, 3.0
    w[0, 4], b[4] = 10.0, -3.0
    nodes = [
        const("c_start", i64(1, 0)), const("c_end", i64(2, 255)), const("c_axes", i64(1, 3)),
        const("r_start", i64(1, 1)), const("r_end", i64(2, 256)),
        helper.make_node("Slice", ["image", "c_start", "c_end", "c_axes"], ["left"]),
        helper.make_node("Slice", ["image", "r_start", "r_end", "c_axes"], ["right"]),
        helper.make_node("Sub", ["right", "left"], ["diff"]),
        helper.make_node("Abs", ["diff"], ["absdiff"]),
        helper.make_node("ReduceMean", ["absdiff"], ["mad"], axes=[1, 2, 3], keepdims=1),
        const("hundred", np.array(100.0, np.float32)),
        const("flat", i64(-1, 1)),
        helper.make_node("Div", ["mad", "hundred"], ["g4"]),
        helper.make_node("Reshape", ["g4", "flat"], ["g"]),
        const("w", w), const("b", b),
        helper.make_node("MatMul", ["g", "w"], ["gw"]),
        helper.make_node("Add", ["gw", "b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        const("half", np.array(0.5, np.float32)), const("vec", i64(-1)),
        helper.make_node("Mul", ["g", "half"], ["a2"]),
        helper.make_node("Reshape", ["a2", "vec"], ["anomaly"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny_ct_phantom_classifier",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 256, 256])],
        outputs())
    return finish(graph)


def _context_rule(names: list[str], weights: dict[str, str], name: str,
                  default: str = "normal", anomaly: float = 0.0) -> onnx.ModelProto:
    """A linear rule on the context alone: ``default`` (normal) unless a named feature
    (4x) moves it towards its class; the image only shapes the anomaly output
    (``anomaly``, a constant)."""
    from app.ct.ai.preprocess import CLASSES

    idx = {n: i for i, n in enumerate(names)}
    w = np.zeros((len(names), len(CLASSES)), np.float32)
    b = np.full(len(CLASSES), -4.0, np.float32)
    b[CLASSES.index(default)] = 3.0
    for feature, cls in weights.items():
        w[idx[feature], CLASSES.index(cls)] = 4.0
    nodes = [const("w", w), const("b", b),
             helper.make_node("MatMul", ["context", "w"], ["cw"]),
             helper.make_node("Add", ["cw", "b"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
             helper.make_node("ReduceMean", ["image"], ["m"], axes=[1, 2, 3], keepdims=0),
             const("zero", np.array(0.0, np.float32))]
    if anomaly:
        nodes += [helper.make_node("Mul", ["m", "zero"], ["m0"]),
                  const("unfamiliar", np.array(anomaly, np.float32)),
                  helper.make_node("Add", ["m0", "unfamiliar"], ["anomaly"])]
    else:
        nodes.append(helper.make_node("Mul", ["m", "zero"], ["anomaly"]))
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 256, 256]),
         helper.make_tensor_value_info("context", TensorProto.FLOAT, ["batch", len(names)])],
        outputs())
    return finish(graph)


def build_evidence() -> onnx.ModelProto:
    from app.ct.ai.normalise import CONTEXT_NAMES_EVIDENCE

    return _context_rule(list(CONTEXT_NAMES_EVIDENCE),
                         {"ring_mf3": "ring", "streak_spec3": "streak"}, "evidence_rule")


def build_ring_rule() -> onnx.ModelProto:
    from app.ct.ai.normalise import CONTEXT_NAMES_RING

    return _context_rule(list(CONTEXT_NAMES_RING), {"ring_mf3": "ring"}, "ring_rule")


def build_shell() -> onnx.ModelProto:
    from app.ct.ai.shell_step import context_names_shell

    return _context_rule(context_names_shell(), {"shell_prev": "band", "shell_next": "band"},
                         "shell_rule")


def build_ring_always() -> onnx.ModelProto:
    from app.ct.ai.normalise import CONTEXT_NAMES

    return _context_rule(list(CONTEXT_NAMES), {}, "ring_always", default="ring")


def build_band_always() -> onnx.ModelProto:
    from app.ct.ai.normalise import CONTEXT_NAMES

    return _context_rule(list(CONTEXT_NAMES), {}, "band_always", default="band")


def build_shift_always() -> onnx.ModelProto:
    from app.ct.ai.normalise import CONTEXT_NAMES

    return _context_rule(list(CONTEXT_NAMES), {}, "shift_always", default="shift")


def build_normal_always() -> onnx.ModelProto:
    from app.ct.ai.normalise import CONTEXT_NAMES

    return _context_rule(list(CONTEXT_NAMES), {}, "normal_always")


def build_streak_always() -> onnx.ModelProto:
    from app.ct.ai.normalise import CONTEXT_NAMES

    return _context_rule(list(CONTEXT_NAMES), {}, "streak_always", default="streak")


def build_noise_unfamiliar() -> onnx.ModelProto:
    from app.ct.ai.normalise import CONTEXT_NAMES

    return _context_rule(list(CONTEXT_NAMES), {}, "noise_unfamiliar", default="noise",
                         anomaly=2.0)


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    for path, model in ((OUT, build()), (OUT_EVIDENCE, build_evidence()),
                        (OUT_SHELL, build_shell()), (OUT_RING_ALWAYS, build_ring_always()),
                        (OUT_BAND_ALWAYS, build_band_always()),
                        (OUT_NOISE_UNFAMILIAR, build_noise_unfamiliar()),
                        (OUT_RING_RULE, build_ring_rule()),
                        (OUT_SHIFT_ALWAYS, build_shift_always()),
                        (OUT_NORMAL_ALWAYS, build_normal_always()),
                        (OUT_STREAK_ALWAYS, build_streak_always())):
        onnx.save(model, path)
        print(f"wrote {path} ({path.stat().st_size} bytes)")
