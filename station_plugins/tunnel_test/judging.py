"""Judge a step's outputs against its measurement specs (limits in the spec's unit).

Scalar, multi-value (one verdict per element, worst-of), waveform and image
measurements (the array is reduced to a figure and kept as an attachment). A missing
or non-numeric value is ERROR, never PASS.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from app.core.measurement import Verdict
from station_plugins.tunnel_test.sequence_model import MeasurementSpec

Attach = Callable[[str, np.ndarray], dict]


def reduce_waveform(arr: np.ndarray, how: str) -> float:
    a = np.asarray(arr, dtype=float)
    if a.size == 0:
        raise ValueError("empty waveform")
    return float({"rms": lambda: np.sqrt(np.mean(a ** 2)), "peak": lambda: np.max(np.abs(a)),
                  "mean": lambda: np.mean(a), "p2p": lambda: np.ptp(a),
                  "std": lambda: np.std(a)}[how]())


def _roi(img: np.ndarray, cy: float, cx: float, half: int) -> np.ndarray:
    n, m = img.shape
    y, x = int(cy * (n - 1)), int(cx * (m - 1))
    return img[max(0, y - half): y + half, max(0, x - half): x + half]


def reduce_image(img: np.ndarray, how: str) -> float:
    a = np.asarray(img, dtype=float)
    if a.ndim != 2 or a.size < 64:
        raise ValueError(f"not a 2-D image (shape {a.shape})")
    half = max(2, min(a.shape) // 10)
    centre = _roi(a, 0.5, 0.5, half)
    if how == "mean":
        return float(centre.mean())
    if how == "noise_pct":
        return float(100.0 * centre.std() / max(centre.mean(), 1e-9))
    if how == "uniformity_pct":     # IEC-style: max deviation of corner ROIs from centre
        c = centre.mean()
        rois = [_roi(a, y, x, half).mean() for y, x in ((.2, .2), (.2, .8), (.8, .2), (.8, .8))]
        return float(100.0 * max(abs(r - c) for r in rois) / max(c, 1e-9))
    if how == "defect_contrast_pct":  # worst 5x5 block mean vs the image's smooth level
        k = 5
        h, w = (a.shape[0] // k) * k, (a.shape[1] // k) * k
        blocks = a[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3))
        med = float(np.median(blocks))
        return float(100.0 * np.max(np.abs(blocks - med)) / max(med, 1e-9))
    raise ValueError(f"unknown image reducer '{how}'")


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float, np.floating, np.integer)):
        x = float(v)
        return None if math.isnan(x) or math.isinf(x) else x
    return None


def judge_measurement(spec: MeasurementSpec, outputs: dict, attach: Attach | None = None
                      ) -> dict:
    """-> {name, unit, kind, value, limits, limits_text, verdict, [values], [attachment], [note]}"""
    out: dict[str, Any] = {"name": spec.name, "unit": spec.unit, "type": spec.kind,
                           "limits": spec.limits.to_dict(), "limits_text": spec.limits.text()}
    if spec.source not in outputs:
        return {**out, "value": None, "verdict": Verdict.ERROR.value,
                "note": f"output '{spec.source}' missing"}
    raw = outputs[spec.source]
    lim = spec.limits
    try:
        if spec.kind in ("waveform", "image"):
            arr = np.asarray(raw)
            if attach is not None:
                out["attachment"] = attach(spec.name, arr)
            value: float | None = reduce_waveform(arr, spec.reduce) if spec.kind == "waveform" \
                else reduce_image(arr, spec.reduce)
            out["reduce"] = spec.reduce
        elif spec.kind == "multi":
            vals = [_number(v) for v in (raw.values() if isinstance(raw, dict) else raw)]
            labels = list(raw.keys()) if isinstance(raw, dict) else list(spec.labels)
            verdicts = [Verdict.ERROR if v is None else
                        (Verdict.SKIP if lim.is_empty() else lim.judge(v)) for v in vals]
            out.update(values=vals, labels=labels, verdicts=[v.value for v in verdicts])
            worst = Verdict.worst(verdicts) if vals else Verdict.ERROR
            return {**out, "value": (max(vals, key=lambda v: -1e300 if v is None else v)
                                     if vals else None), "verdict": worst.value}
        elif spec.kind == "text" or lim.equals is not None:
            value = raw.item() if isinstance(raw, np.generic) else raw
            verdict = Verdict.SKIP if lim.is_empty() else lim.judge(value)
            return {**out, "value": value, "verdict": verdict.value}
        else:
            value = _number(raw)
            if value is None:
                return {**out, "value": None, "verdict": Verdict.ERROR.value,
                        "note": f"value {raw!r} is not a number"}
    except (ValueError, TypeError, KeyError) as exc:
        return {**out, "value": None, "verdict": Verdict.ERROR.value, "note": str(exc)}
    verdict = Verdict.SKIP if lim.is_empty() else lim.judge(value)
    return {**out, "value": value, "verdict": verdict.value}


def judge_all(specs: tuple[MeasurementSpec, ...], outputs: dict, attach: Attach | None = None
              ) -> tuple[list[dict], Verdict]:
    results = [judge_measurement(s, outputs, attach) for s in specs]
    return results, Verdict.worst(Verdict(r["verdict"]) for r in results)
