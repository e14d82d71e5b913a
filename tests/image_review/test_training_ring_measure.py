"""The ring gate's own measure of stored training stacks (models/training/ai_ring_measure.py,
``train_ct_phantom_classifier2.py --ring-measured-only``): cached beside the set, the
stacks it calls measurable are exactly the ones the runtime ring gate lets keep "ring",
and clean stacks are not measurable rings."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "training"))

import ai_ring_measure as rm  # noqa: E402
import ct_phantom_dataset2 as ds  # noqa: E402


def test_the_measure_is_the_ring_gates_and_is_cached(tmp_path):
    from app.ct.ai.preprocess import CLASSES
    from app.ct.ai.ring_gate import RING, apply

    out = tmp_path / "img_train.npz"
    ds.build("img", {"normal": range(3), "ring": range(12)}, 5000, False, out, 1, "2.9")
    z = rm.set_ring_measure(tmp_path, "img_train")
    assert z.shape == (15, 2) and (tmp_path / f"img_train.rg{rm.RG_VERSION}.npz").exists()
    y = np.load(out)["y"]
    facts = json.loads((tmp_path / "img_train.facts.json").read_text())
    meas = rm.measurable(z)
    assert not meas[y == CLASSES.index("normal")].any()
    # a ring far above the noise is measured (a faint one may not be: the label's floor
    # is the ideal statistic, this one is the 1 mm grid's with the structure left out)
    strong = [i for i, f in enumerate(facts) if y[i] == RING
              and f["ring_hu"] > f["noise_sd"] and f["coverage"] >= 150.0 and f["ring_r"] < 85]
    assert len(strong) >= 5 and meas[strong].all()
    assert not meas.all()          # (and some drawn rings are not: recipe 2.9, seeds 5000+)
    # the runtime gate, given every stack called "ring", keeps exactly the measurable ones
    probs = np.zeros((len(y), len(CLASSES)), np.float32)
    probs[:, RING] = 1.0
    gated, n = apply(probs, z / 5.0, [""] * len(y))
    assert np.array_equal(gated.argmax(1) == RING, meas) and n == int((~meas).sum())
    # cached: a second call reads the file
    np.savez(tmp_path / f"img_train.rg{rm.RG_VERSION}.npz", z=np.full((15, 2), 7.0, np.float32))
    assert (rm.set_ring_measure(tmp_path, "img_train") == 7.0).all()
