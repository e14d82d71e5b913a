"""LORO per class with the station's gates (models/training/loro_gated.py): from a tag's
stored outputs and the sets' cached measurements, a ring the ring gate cannot measure and
a shift that neither the air offset nor the cupping shows count normal, and a "normal"
whose streak spectrum is above every non-streak stack of the training renderers counts
streak, exactly as app/ct/ai/ring_gate.py, shift_gate.py and streak_measured.py decide
at run time; the card gets the figures."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "training"))

import loro_gated as lg  # noqa: E402
from app.ct.ai import ring_gate, shift_gate  # noqa: E402
from app.ct.ai.evidence import EVIDENCE_NAMES  # noqa: E402
from app.ct.ai.normalise import CONTEXT_NAMES  # noqa: E402


def _write(tmp: Path) -> tuple[np.ndarray, np.ndarray]:
    """sim left out: 10 samples in its train set, 2 in its held-out set; the training
    renderers' sets carry only their labels and streak spectra (the rule's level: 20)."""
    # normal, normal(->shift, nothing measured), normal(->shift, air 9 HU), shift(->shift,
    # cupping 20 HU), ring(->ring, measurable), ring(->ring, not measurable),
    # ring(->normal, not measurable), band(->band), streak(->normal, spectrum z 30),
    # streak(->normal, z 10) | held-out: shift(->shift, air 25), normal
    y = np.array([0, 0, 0, 5, 1, 1, 1, 3, 2, 2, 5, 0])
    pred = np.array([0, 5, 5, 5, 1, 1, 0, 3, 0, 0, 5, 0])
    air = np.array([1.0, 2.0, 9.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 25.0, 0.0])
    cup = np.array([0.0, 1.0, 0.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    spec = np.array([19.0, 1, 1, 1, 1, 1, 1, 1, 30.0, 10.0, 1, 2], np.float32)
    ring_z = np.array([[0, 0], [0, 0], [0, 0], [0, 0], [9, 2], [3, 4], [2, 2], [0, 0],
                       [0, 0], [0, 0], [0, 0], [0, 0]], np.float32)
    probs = np.eye(7, dtype=np.float32)[pred]
    np.savez(tmp / "loro_t_img+r3_to_sim.npz", probs=probs, anomaly=np.zeros(12), y=y,
             ok=np.ones(12, bool))
    ctx = np.zeros((12, len(CONTEXT_NAMES)), np.float32)
    ctx[:, CONTEXT_NAMES.index("air_offset")] = air / 10.0
    ev = np.zeros((12, len(EVIDENCE_NAMES)), np.float32)
    ev[:, EVIDENCE_NAMES.index("cupping")] = cup / 10.0
    # the streak gate's measures: every row 0.5 (below the training normals' levels)
    # except the band (row 7: not called streak) - so a network streak is taken back
    for n in ("streak_z", "streak_z3", "streak_spec", "streak_spec3"):
        ev[:, EVIDENCE_NAMES.index(n)] = 0.5
    for name, sl in (("train", slice(0, 10)), ("heldout", slice(10, 12))):
        np.savez(tmp / f"sim_{name}.npz", ctx=ctx[sl], y=y[sl])
        np.savez(tmp / f"sim_{name}.ev5.npz", ev=ev[sl])
        np.savez(tmp / f"sim_{name}.rg2.npz", z=ring_z[sl])
        np.savez(tmp / f"sim_{name}.sp1.npz", z=spec[sl])
    # the training renderers: a normal at z 20 and a streak at 99 (img), a ring at 15 (r3);
    # their held-out sets never count for the level
    for r, ys, zs in (("img", [0, 2], [20.0, 99.0]), ("r3", [1], [15.0])):
        np.savez(tmp / f"{r}_train.npz", y=np.array(ys))
        np.savez(tmp / f"{r}_train.sp1.npz", z=np.array(zs, np.float32))
        tev = np.zeros((len(ys), len(EVIDENCE_NAMES)), np.float32)
        tev[:] = 1.0                                   # the training normals' measures
        np.savez(tmp / f"{r}_train.ev4.npz", ev=tev)
        np.savez(tmp / f"{r}_heldout.npz", y=np.array([0]))
        np.savez(tmp / f"{r}_heldout.sp1.npz", z=np.array([50.0], np.float32))
    return y, pred


def test_the_gates_are_the_runtime_gates(tmp_path):
    y, pred = _write(tmp_path)
    res = lg.gated(tmp_path, "t", 1)["train_img+r3_test_sim"]
    assert res["network"]["accuracy"] == round(float(np.mean(pred == y)), 5)
    g = res["with_gates"]
    # the normal called shift with nothing measured and the unmeasurable ring called ring
    # become normal; the normal with a 9 HU air offset stays shift; true shifts stay
    assert g["recall"]["normal"] == round(3 / 4, 4)
    assert g["recall"]["shift"] == 1.0 and g["recall"]["ring"] == round(1 / 3, 4)
    m = res["with_gates_measurable_rings"]
    assert m["rings_below_the_gate_left_out"] == 2 and m["samples"] == 10
    assert m["recall"]["ring"] == 1.0
    # the streak rule: level 20 from the training renderers' fit sets; the streak at z 30
    # becomes streak, the one at 10 stays normal, the normal at 19 stays normal
    assert g["recall"]["streak"] == 0.0
    s = res["with_gates_and_streak_rule"]
    assert s["streak_level_z"] == 20.0
    assert s["called_streak_by_the_rule"] == 1 and s["of_them_streaks"] == 1
    assert s["recall"]["streak"] == 0.5 and s["recall"]["normal"] == g["recall"]["normal"]
    assert res["with_gates_and_streak_rule_measurable_rings"]["recall"]["streak"] == 0.5
    # the streak gate: levels 1.0 (the img normal's measures); no row the network calls
    # streak here, so nothing is taken back and with_all is the rule's figure
    a = res["with_all"]
    assert a["streak_gate_levels"] == {"streak_z": 1.0, "streak_z3": 1.0, "streak_spec": 1.0,
                                       "streak_spec3": 1.0}
    assert a["taken_back_by_the_streak_gate"] == 0 and a["recall"] == s["recall"]
    # the same decisions as the runtime gates' own code
    gate = np.stack([[9.0, 2.0, 9.0], [2.0, 1.0, 0.0]]).T.astype(np.float32)
    p3 = np.eye(7, dtype=np.float32)[[5, 5, 5]]
    p3[:, 5] = 0.9
    p3[:, 0] = 0.1
    out, n = shift_gate.apply(p3, gate[:, ::-1].copy(), ["", "", ""])
    assert n == 1 and out[1].argmax() == 0
    assert ring_gate.FULL_Z_MIN == 5.0 and ring_gate.ARC_Z_MIN == 6.0


def test_the_card_gets_the_figures(tmp_path, monkeypatch):
    _write(tmp_path)
    card = tmp_path / "card.json"
    card.write_text(json.dumps({"name": "ct_phantom_classifier", "metrics": {"x": 1}}))
    monkeypatch.setattr(sys, "argv", ["loro_gated.py", "--data-dir", str(tmp_path), "--tag", "t",
                                      "--update-card", str(card)])
    lg.main()
    m = json.loads(card.read_text())["metrics"]
    assert m["x"] == 1
    assert m["leave_one_renderer_out_with_gates"]["tag"] == "t"
    assert "train_img+r3_test_sim" in m["leave_one_renderer_out_with_gates"]


def test_the_ring_snr_ranks_rings_by_contrast_area_and_pixel_size() -> None:
    """loro_ring_snr's SNR: amplitude / noise x sqrt(area in pixels x 3 slices), the area
    2 pi r x FWHM x coverage / 360 (a 10 HU full ring of r 20 mm, FWHM 1 mm, noise 10 HU on
    0.5 mm pixels: sqrt(2 pi 20 / 0.25 x 3) = 38.8); half the arc is sqrt(2) less."""
    import math

    import loro_ring_snr as lrs

    full = {"ring_hu": -10.0, "ring_r": 20.0, "ring_fwhm_mm": 1.0, "coverage": 360.0,
            "noise_sd": 10.0, "params": {"pixel_mm": 0.5}}
    assert lrs._snr(full) == pytest.approx(math.sqrt(2 * math.pi * 20 / 0.25 * 3))
    assert lrs._snr({**full, "coverage": 180.0}) == pytest.approx(lrs._snr(full) / math.sqrt(2))
    assert lrs._snr({**full, "noise_sd": 20.0}) == pytest.approx(lrs._snr(full) / 2)
