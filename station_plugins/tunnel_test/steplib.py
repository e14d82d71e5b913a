"""Python step functions named in sequence files (``python: module:function``).

Each takes a :class:`StepContext` (drivers, earlier outputs) plus the step's ``args``
and returns a dict of outputs that the step's measurements pick from.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from station_plugins.tunnel_test.carm_sim import LP_FREQS, PIXEL_MM


def dose_linearity(ctx: Any, kv: float, ma: float, times_ms: list[float]) -> dict:
    """Coefficient of linearity L = |X1 - X2| / (X1 + X2) of dose per mAs between
    adjacent mAs settings (IEC 60601-2-54 style); the worst pair is reported."""
    per_mas = []
    for t in times_ms:
        r = ctx.call("generator.expose", kv=kv, ma=ma, ms=t)
        mas = r["ma_measured"] * r["time_ms"] / 1000.0
        per_mas.append(r["dose_uGy"] / max(mas, 1e-9))
    coeffs = [abs(a - b) / (a + b) for a, b in zip(per_mas, per_mas[1:])]
    return {"linearity": max(coeffs), "dose_per_mas": {f"{t:g}ms": round(x, 4)
                                                      for t, x in zip(times_ms, per_mas)}}


def dose_reproducibility(ctx: Any, kv: float, ma: float, ms: float, n: int = 5) -> dict:
    doses = [ctx.call("generator.expose", kv=kv, ma=ma, ms=ms)["dose_uGy"] for _ in range(n)]
    d = np.asarray(doses)
    return {"cv": float(d.std(ddof=1) / d.mean()), "mean_dose": float(d.mean()),
            "doses": [round(x, 3) for x in doses]}


def limiting_resolution(ctx: Any, kv: float, ma: float, ms: float,
                        threshold: float = 0.1) -> dict:
    """Capture the line-pair phantom; modulation per bar group; the highest frequency
    whose modulation stays above ``threshold`` is the limiting resolution."""
    img = ctx.call("detector.capture", kv=kv, ma=ma, ms=ms, phantom="line_pairs")["image"]
    profile = np.asarray(img, dtype=float).mean(axis=0)
    seg = len(profile) // len(LP_FREQS)
    mods: dict[str, float] = {}
    limiting, resolved = 0.0, True
    for i, f in enumerate(LP_FREQS):
        p = profile[i * seg + 5:(i + 1) * seg - 5]
        m = float((p.max() - p.min()) / max(p.max() + p.min(), 1e-9))
        mods[f"{f:g}"] = round(m, 4)
        resolved = resolved and m >= threshold and f <= 1 / (2 * PIXEL_MM)
        if resolved:
            limiting = f
    return {"limiting_resolution": limiting, "modulation": mods, "image": img}


def positioning(ctx: Any, axis: str, targets: list[float], speed: float) -> dict:
    """Move to each target; signed position error per target (multi-value)."""
    errors = {}
    for t in targets:
        r = ctx.call("axis.move", axis=axis, target=t, speed=speed)
        errors[f"{t:g}"] = round(r["position"] - t, 4)
    return {"errors": errors, "max_abs_error": max(abs(e) for e in errors.values())}


def motion_profile(ctx: Any, axis: str, target: float, speed: float) -> dict:
    """One move with its motor-current waveform (for the waveform and AI judgements)."""
    return ctx.call("axis.move", axis=axis, target=target, speed=speed)


def estop_sequence(ctx: Any, which: str) -> dict:
    """Press an e-stop during a move, read the reactions, reset."""
    r = ctx.call("estop.test", which=which)
    reset = ctx.call("estop.reset")
    return {**r, "reset": reset["reset"]}


def trivial(ctx: Any, value: float = 1.0) -> dict:  # noqa: ARG001 - benchmark step
    return {"value": value}


def slow(ctx: Any, ms: float = 5.0) -> dict:  # noqa: ARG001 - crash-test step
    time.sleep(ms / 1000.0)
    return {"value": 1.0}


def raises(ctx: Any, message: str = "step failed on purpose") -> dict:  # noqa: ARG001
    raise RuntimeError(message)


def hang(ctx: Any) -> dict:  # noqa: ARG001 - a step function that never returns
    while True:
        time.sleep(3600)


def beam_hold(ctx: Any, kv: float = 80.0, ma: float = 5.0, hold_ms: float = 400.0) -> dict:
    """Crash-test step: an exposure, then the beam is held on for ``hold_ms`` (a kill
    lands inside the beam-on window); the safe-state routine must switch it off."""
    out = ctx.call("generator.expose", kv=kv, ma=ma, ms=100.0)
    time.sleep(hold_ms / 1000.0)
    return {"value": 1.0, "kv_measured": out.get("kv_measured")}
