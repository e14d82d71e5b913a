"""Error analysis of a leave-one-renderer-out run (issue 16): every miss on the left-out
renderer with its facts (what the renderer drew) and the physical measures it was judged
by, so that a miss can be told to lie at the class's measurement floor or well above it.

    PYTHONPATH=$PWD .venv/bin/python models/training/loro_error_analysis.py --tag e4 \
        [--tag e4s2 ...] [--data-dir /tmp/ai16/data] [--json OUT]

Reads ``loro_<tag>_<train>_to_<test>.npz`` (per-sample probabilities of the left-out
renderer, written by train_ct_phantom_classifier2.py) beside the data, the sets' facts,
context vectors, ev4 evidence and shell steps (ai_shell_cache.py; computed when missing).
Per direction and tag:

* band: one-sided ("flat": one neighbour off, the other level - a band on the centre
  slice and a neighbour, or a module boundary) against two-sided steps; the shell step
  over the disc step of the stepped side (a band moves the shell by ~1.1 of the body's
  step, a module boundary ~0), the true band, the measured step and grid noise;
* ring: misses by radius, by amplitude over the native noise SD, arcs; the ring
  matched-filter evidence (ring_mf3) of the misses against the normals' tail;
* streak: misses by amplitude and module, the streak evidence against the normals';
* noise: the measured native SD of the misses (class >= 24 HU, normal <= 14 HU drawn);
* blur: the drawn system MTF50 of the misses and of the slices wrongly called blur.

``--band-gate``: the stored probabilities with the shell veto of ai_band_gate.py
applied (no fitted constant; the networks were trained without it, as the 2.4
candidate applies it at inference); ``--noise-gate`` likewise ai_noise_gate.py.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "training"))
from app.ct.ai.evidence import EVIDENCE_NAMES  # noqa: E402
from app.ct.ai.preprocess import CLASSES  # noqa: E402

SETS = ("train", "edge", "centred", "heldout", "edgeheldout")   # the LORO test order
EV = {n: i for i, n in enumerate(EVIDENCE_NAMES)}


def left_out(data_dir: Path, r: str) -> dict:
    """The left-out renderer's samples in the order the training reports them."""
    from ai_evidence_cache import set_evidence
    from ai_shell_cache import set_shell

    y, ctx, ok, facts, ev, sh, src = [], [], [], [], [], [], []
    for s in SETS:
        n = f"{r}_{s}"
        if not (data_dir / f"{n}.npz").exists():
            continue
        m = np.load(data_dir / f"{n}.npz")
        y.append(m["y"])
        ctx.append(m["ctx"])
        ok.append(np.array([(not p) or p == "the phantom is cut by the field of view"
                            for p in m["problems"]]))
        facts += json.loads((data_dir / f"{n}.facts.json").read_text())
        ev.append(set_evidence(data_dir, n))
        sh.append(set_shell(data_dir, n))
        src += [n] * len(m["y"])
    return {"y": np.concatenate(y), "ctx": np.concatenate(ctx), "ok": np.concatenate(ok),
            "facts": facts, "ev": np.concatenate(ev), "shell": np.concatenate(sh),
            "src": np.array(src)}


def _r(a: np.ndarray, n: int = 2) -> list[float]:
    """Sorted, rounded, as plain floats (JSON)."""
    return [round(float(v), n) for v in np.sort(np.asarray(a, np.float64))]


def _ring_fwhm(f: dict) -> float:
    """A ring's FWHM (mm) from its facts: img / r3 say it (r3 before recipe 2.7: its
    Gaussian sigma), sim the number of bad channels (~0.62 mm each at the isocentre)."""
    if "ring_fwhm_mm" in f:
        return float(f["ring_fwhm_mm"])
    rings = f.get("config", {}).get("ring") or []
    if rings:
        return 2.3548 * float(rings[0].get("width_mm", 0.6))
    if "ring_channels" in f:
        return 0.62 * float(f["ring_channels"])
    return float("nan")


def _noise(f: dict) -> float:
    return float(f.get("noise_sd", (f.get("scanner") or {}).get("noise_sd", np.nan)))


def analyse(d: dict, probs: np.ndarray) -> dict:
    y, ok, ctx, ev, facts = d["y"], d["ok"], d["ctx"], d["ev"], d["facts"]
    pred = probs.argmax(1)
    bp, bn = ctx[:, 3] * 5.0, ctx[:, 4] * 5.0
    big, small = np.maximum(abs(bp), abs(bn)), np.minimum(abs(bp), abs(bn))
    flat = small < 0.3 * big
    side = np.where(abs(bp) >= abs(bn), 0, 1)
    disc = np.where(side == 0, bp, bn)
    shell = d["shell"][np.arange(len(y)), side]
    ratio = shell / np.where(abs(disc) > 1e-6, disc, 1e-6)
    noise_native = 10.0 * np.exp(ctx[:, 0])
    out: dict = {"accuracy": float((pred == y)[ok].mean()),
                 "recall": {c: float((pred[ok & (y == i)] == i).mean())
                            for i, c in enumerate(CLASSES)}}
    # by phantom (sim draws five; img and r3 only CatPhan 504) and by kernel family / ring
    # width / streak kind where the renderer says
    out["by_phantom"] = {}
    ph = np.array([str(f.get("phantom", "catphan504")) for f in facts])
    for name in sorted(set(ph)):
        s = ok & (ph == name)
        out["by_phantom"][name] = {
            "n": int(s.sum()), "accuracy": round(float((pred == y)[s].mean()), 4),
            "recall": {c: round(float((pred[s & (y == i)] == i).mean()), 3)
                       for i, c in enumerate(CLASSES) if (s & (y == i)).any()}}
    b = ok & (y == CLASSES.index("band"))
    miss = b & (pred != y)
    out["band"] = {
        "n": int(b.sum()), "flat": int((b & flat).sum()), "missed": int(miss.sum()),
        "missed_flat": int((miss & flat).sum()), "missed_two_sided": int((miss & ~flat).sum()),
        "missed_shell_ratio": _r(ratio[miss], 2),
        "missed_true_hu": _r(np.array([abs(facts[i].get("band_hu", np.nan))
                                       for i in np.nonzero(miss)[0]]), 1),
        "bands_shell_ratio_q": [round(float(v), 2) for v in np.quantile(ratio[b & (big >= 3)],
                                                    [0, .02, .5, .98, 1])]}
    nm = ok & (y == 0)
    step_n = nm & (big >= 3)
    out["normal_steps"] = {
        "n_with_step_3hu": int(step_n.sum()), "flat": int((step_n & flat).sum()),
        "called_band": int((nm & (pred == CLASSES.index("band"))).sum()),
        "shell_ratio_q": [round(float(v), 2) for v in np.quantile(ratio[step_n], [0, .02, .5, .98, 1])]
        if step_n.any() else []}
    r = ok & (y == CLASSES.index("ring"))
    rm = r & (pred != y)
    rad = np.array([f.get("ring_r", np.nan) for f in facts])
    amp = np.array([f.get("ring_hu", np.nan) for f in facts])
    cov = np.array([f.get("coverage", np.nan) for f in facts])
    snr = amp / np.array([_noise(f) for f in facts])
    mf = ev[:, EV["ring_mf3"]]
    fw = np.array([_ring_fwhm(f) for f in facts])
    rmeas = r & measurable(ev)
    out["ring"] = {
        "n": int(r.sum()), "missed": int(rm.sum()),
        "missed_as": np.bincount(pred[rm], minlength=len(CLASSES)).tolist(),
        "by_radius": {f"{lo}-{hi}": [int((r & (rad >= lo) & (rad < hi)).sum()),
                                     int((rm & (rad >= lo) & (rad < hi)).sum())]
                      for lo, hi in ((0, 30), (30, 60), (60, 85), (85, 94), (94, 96))},
        "by_amp_over_noise": {f"{lo}-{hi}": [int((r & (snr >= lo) & (snr < hi)).sum()),
                                             int((rm & (snr >= lo) & (snr < hi)).sum())]
                              for lo, hi in ((0, .5), (.5, 1), (1, 2), (2, 99))},
        "arcs": [int((r & (cov < 300)).sum()), int((rm & (cov < 300)).sum())],
        "by_fwhm_mm": {f"{lo}-{hi}": [int((r & (fw >= lo) & (fw < hi)).sum()),
                                      int((rm & (fw >= lo) & (fw < hi)).sum())]
                       for lo, hi in ((0, 1), (1, 1.6), (1.6, 2.5), (2.5, 99))},
        "normals_ring_mf3_q99_max": [round(float(np.quantile(mf[nm], .99)), 2),
                                     round(float(mf[nm].max()), 2)],
        "missed_ring_mf3": _r(mf[rm], 2),
        # rings the runtime ring gate's statistic measures (z >= 5 full or >= 6 arc, on
        # the training grid): [how many, recall on them]
        "measurable": [int(rmeas.sum()),
                       round(float((pred[rmeas] == CLASSES.index("ring")).mean()), 3)
                       if rmeas.any() else None]}
    s = ok & (y == CLASSES.index("streak"))
    sm = s & (pred != y)
    samp = np.array([f.get("streak_hu", np.nan) for f in facts])
    out["streak"] = {
        "n": int(s.sum()), "missed": int(sm.sum()),
        "by_amp": {f"{lo}-{hi}": [int((s & (samp >= lo) & (samp < hi)).sum()),
                                  int((sm & (samp >= lo) & (samp < hi)).sum())]
                   for lo, hi in ((30, 50), (50, 80), (80, 120), (120, 151))},
        "missed_modules": sorted(str(facts[i].get("module")) for i in np.nonzero(sm)[0]),
        "normals_streak_spec3_q99": round(float(np.quantile(ev[nm, EV["streak_spec3"]], .99)), 2),
        "missed_streak_spec3": _r(ev[sm, EV["streak_spec3"]], 2)}
    k = ok & (y == CLASSES.index("noise"))
    km = k & (pred != y)
    out["noise"] = {"n": int(k.sum()), "missed": int(km.sum()),
                    "missed_as": np.bincount(pred[km], minlength=len(CLASSES)).tolist(),
                    "missed_native_sd": _r(noise_native[km], 1),
                    "other_classes_native_sd_max": round(float(noise_native[ok & ~k].max()), 1)}
    blur = CLASSES.index("blur")
    mtf = np.array([f.get("mtf50", np.nan) for f in facts])
    out["blur"] = {"missed_mtf50": _r(mtf[ok & (y == blur) & (pred != blur)], 2),
                   "called_blur_mtf50": _r(mtf[ok & (y != blur) & (pred == blur)], 2)}
    return out


def measurable(ev: np.ndarray) -> np.ndarray:
    """Stacks whose ring statistic (ev4, z / 5) reaches the runtime ring gate's floor:
    z >= FULL_Z_MIN over the full circle or >= ARC_Z_MIN over an arc."""
    from app.ct.ai.ring_gate import ARC_Z_MIN, EVIDENCE_SCALE, FULL_Z_MIN

    return (ev[:, EV["ring_mf3"]] * EVIDENCE_SCALE >= FULL_Z_MIN) | \
        (ev[:, EV["ring_mf3_arc"]] * EVIDENCE_SCALE >= ARC_Z_MIN)


def ring_gate_numpy(probs: np.ndarray, ev: np.ndarray) -> np.ndarray:
    """The runtime ring gate (app/ct/ai/ring_gate.apply itself) on stored probabilities,
    with the training grid's statistic: a "ring" the statistic does not measure counts
    normal."""
    from app.ct.ai.ring_gate import apply

    gate = ev[:, [EV["ring_mf3"], EV["ring_mf3_arc"]]]     # z / 5, as the runtime's
    return apply(probs, gate, [""] * len(probs))[0]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", type=Path, default=Path("/tmp/ai16/data"))  # noqa: S108
    p.add_argument("--tag", action="append", required=True)
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--band-gate", action="store_true",
                   help="apply ai_band_gate.py's shell veto to the probabilities")
    p.add_argument("--edge-ring", action="store_true",
                   help="apply the edge-ring rule (app/ct/ai/edge_ring.py, ai_edge_ring_gate.py) "
                        "to the probabilities (measured on the stored stacks, cached)")
    p.add_argument("--ring-gate", action="store_true",
                   help="apply the runtime ring gate's rule (app/ct/ai/ring_gate.py) with the "
                        "training grid's ring statistic (ev4)")
    p.add_argument("--noise-gate", action="store_true",
                   help="apply ai_noise_gate.py's normal / noise / blur split (threshold "
                        "from the training renderer's slices)")
    a = p.parse_args()
    res: dict = {}
    cache: dict = {}
    for tag in a.tag:
        for f in sorted(a.data_dir.glob(f"loro_{tag}_*_to_*.npz")):
            tr, te = f.stem[len(f"loro_{tag}_"):].split("_to_")
            if tr.count("_") or te.count("_"):
                continue
            d = cache.setdefault(te, left_out(a.data_dir, te))
            with np.load(f) as z:
                probs = z["probs"]
            if a.band_gate:
                from ai_band_gate import apply_numpy, veto_numpy
                probs = apply_numpy(probs, veto_numpy(d["ctx"], d["shell"]))
            if a.noise_gate:
                import ai_noise_gate as ng
                t_hu = ng.training_threshold(a.data_dir, tuple(tr.split("+")))
                probs = ng.apply_numpy(probs, d["ctx"][:, 0], t_hu)
            if a.ring_gate:
                probs = ring_gate_numpy(probs, d["ev"])
            if a.edge_ring:
                import ai_edge_ring_gate as erg
                ring = np.concatenate([erg.set_rings(a.data_dir, f"{te}_{s}") for s in SETS
                                       if (a.data_dir / f"{te}_{s}.npz").exists()])
                probs = erg.apply_numpy(probs, ring)
            r = analyse(d, probs)
            res[f"{tag}: {tr} -> {te}"] = r
            gates = (" + shell veto" if a.band_gate else "") + \
                (" + noise gate" if a.noise_gate else "") + (" + edge ring" if a.edge_ring else "") + \
                (" + ring gate" if a.ring_gate else "")
            print(f"== {tag}{gates}: train {tr} -> test {te}: "
                  f"accuracy {r['accuracy']:.4f}; recall " +
                  " ".join(f"{c} {v:.3f}" for c, v in r["recall"].items()))
            for key in ("by_phantom", "band", "normal_steps", "ring", "streak", "noise", "blur"):
                print(f"  {key}: {json.dumps(r[key])}")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
