"""Artifact images made in the projection domain (or the detector-row domain).

ring   - a detector channel with a gain error: an error constant over the views at that
         channel's ray distance t0 from the rotation centre; its FBP is a ring at r = |t0|
         (an arc when the channel fails for part of the rotation).
streak - photon starvation: noisy, biased errors on the few views whose rays cross the
         longest path; their FBP is a set of streaks along that ray direction.
cupping / capping - beam-hardening error -k * p(t)^2 (under / over-correction).
band, shift, noise - detector-row gain mismatch, calibration offset, extra noise: applied
         per slice in :mod:`series`.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from app.ct.fbp import backproject, radial_fbp, ramp_filter
from app.ct.simulator.params import ArtifactSpec, SimParams
from app.ct.simulator.render import Grid

CUPPING_EDGE_INSET_MM = 15.0  # cupping amplitude = f(R_inner - 15 mm) - f(0)


def channel_to_radius(p: SimParams, channel: float) -> float:
    gamma = math.radians((channel - p.central_channel) * p.channel_pitch_deg)
    return p.source_iso_mm * math.sin(gamma)


def radius_to_channel(p: SimParams, radius_mm: float) -> float:
    gamma = math.degrees(math.asin(max(-1.0, min(1.0, radius_mm / p.source_iso_mm))))
    return p.central_channel + gamma / p.channel_pitch_deg


def _radial_axes(grid: Grid, cx: float, cy: float, tau: float) -> tuple[np.ndarray, np.ndarray]:
    corners = [(grid.xs[0], grid.ys[0]), (grid.xs[-1], grid.ys[0]),
               (grid.xs[0], grid.ys[-1]), (grid.xs[-1], grid.ys[-1])]
    r_max = max(math.hypot(x - cx, y - cy) for x, y in corners) + 10.0
    t_axis = np.arange(-r_max, r_max + tau / 2, tau)
    return t_axis, np.arange(0.0, r_max, tau)


def _radius_image(grid: Grid, cx: float, cy: float) -> np.ndarray:
    x = grid.xs[None, :] - cx
    y = grid.ys[:, None] - cy
    return np.sqrt(x * x + y * y)


def _smooth_1d(f: np.ndarray, tau: float, sigma: float) -> np.ndarray:
    n = int(math.ceil(4 * sigma / tau))
    k = np.exp(-0.5 * (np.arange(-n, n + 1) * tau / sigma) ** 2)
    k /= k.sum()
    padded = np.concatenate([f[n:0:-1], f, np.full(n, f[-1])])  # even extension at r = 0
    return np.convolve(padded, k, mode="same")[n:n + len(f)]


def ring_image(spec: ArtifactSpec, p: SimParams, grid: Grid,
               rot_cx: float, rot_cy: float) -> tuple[np.ndarray, dict]:
    """Ring / arc from a bad channel; scaled so the ring's peak equals the amplitude."""
    radius = channel_to_radius(p, spec.channel) if spec.channel is not None else spec.radius_mm
    assert radius is not None  # ArtifactSpec: a ring has a channel or a radius_mm
    t0 = float(radius)
    width = spec.width_mm or p.source_iso_mm * math.sin(math.radians(p.channel_pitch_deg))
    tau = grid.pixel_mm / 8
    t_axis, r_axis = _radial_axes(grid, rot_cx, rot_cy, tau)
    g = np.clip((width / 2 - np.abs(t_axis - t0)) / tau + 0.5, 0.0, 1.0)
    if spec.coverage_deg >= 360:
        f = _smooth_1d(radial_fbp(g, t_axis, r_axis), tau, p.psf_sigma_mm)
        near = np.abs(r_axis - abs(t0)) <= 2 * width + 2 * p.psf_sigma_mm
        peak = f[near][np.argmax(np.abs(f[near]))]
        img = np.interp(_radius_image(grid, rot_cx, rot_cy), r_axis, f)
    else:
        n_views = max(16, int(round(spec.coverage_deg / 360 * 720)))
        thetas = np.radians(spec.start_deg + np.arange(n_views) * spec.coverage_deg / n_views)
        q = ramp_filter(g, tau)
        x = grid.xs[None, :] - rot_cx
        y = grid.ys[:, None] - rot_cy
        img = backproject(np.broadcast_to(q, (n_views, len(q))), thetas, t_axis, x, y,
                          math.pi / 360)
        ks = int(2 * math.ceil(3 * p.psf_sigma_mm / grid.pixel_mm) + 1)
        img = cv2.GaussianBlur(img, (ks, ks), p.psf_sigma_mm / grid.pixel_mm)
        peak = img.flat[np.argmax(np.abs(img))]
    img = (img * (spec.amplitude_hu / peak)).astype(np.float32)
    truth = {"kind": "ring", "amplitude_hu": spec.amplitude_hu, "radius_mm": abs(t0),
             "width_mm": width, "channel": int(round(radius_to_channel(p, t0))),
             "channel_mirror": int(round(radius_to_channel(p, -t0))),
             "coverage_deg": spec.coverage_deg, "start_deg": spec.start_deg,
             "centre_mm": [rot_cx, rot_cy]}
    return img, truth


def streak_image(spec: ArtifactSpec, p: SimParams, grid: Grid, rot_cx: float, rot_cy: float,
                 ph_cx: float, ph_cy: float, radius: float,
                 rng: np.random.Generator) -> np.ndarray:
    """Unscaled photon-starvation error image: errors on ``spec.views`` adjacent views whose
    rays run along ``angle_deg``, strongest for the longest chords through the phantom."""
    alpha = math.radians(spec.angle_deg or 0.0)
    theta0 = alpha + math.pi / 2  # rays of view theta run perpendicular to n_theta
    d_view = math.pi / p.n_views * 2
    thetas = theta0 + (np.arange(spec.views) - (spec.views - 1) / 2) * d_view
    tau = grid.pixel_mm / 2
    t_axis, _ = _radial_axes(grid, rot_cx, rot_cy, tau)
    views = []
    for th in thetas:
        tc = (ph_cx - rot_cx) * math.cos(th) + (ph_cy - rot_cy) * math.sin(th)
        chord = np.sqrt(np.clip(radius ** 2 - (t_axis - tc) ** 2, 0.0, None)) / radius
        starving = chord ** 12  # only the longest paths starve
        noisy = np.convolve(rng.standard_normal(len(t_axis)), np.ones(3) / 3, mode="same")
        err = starving * (0.5 + noisy)
        views.append(ramp_filter(err, tau))
    x = grid.xs[None, :] - rot_cx
    y = grid.ys[:, None] - rot_cy
    img = backproject(np.asarray(views), thetas, t_axis, x, y, math.pi / p.n_views)
    ks = int(2 * math.ceil(3 * p.psf_sigma_mm / grid.pixel_mm) + 1)
    return cv2.GaussianBlur(img, (ks, ks), p.psf_sigma_mm / grid.pixel_mm)


def cupping_profile(amplitude: float, r_inner: float, r_outer: float, sign: float,
                    tau: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Radial error profile from a beam-hardening error -p(t)^2 in a uniform cylinder,
    scaled so f(edge) - f(0) = sign * amplitude (edge = r_inner - 15 mm)."""
    t_axis = np.arange(-r_outer - 20, r_outer + 20 + tau / 2, tau)
    r_axis = np.arange(0.0, r_outer + 20, tau)
    chord2 = np.clip(r_outer ** 2 - t_axis ** 2, 0.0, None) / r_outer ** 2
    f = radial_fbp(-chord2, t_axis, r_axis, n_theta=512)
    edge = max(r_inner - CUPPING_EDGE_INSET_MM, 0.5 * r_inner)
    depth = np.interp(edge, r_axis, f) - f[0]
    f = (f - np.interp(edge, r_axis, f)) * (sign * amplitude / depth)
    f[r_axis > r_outer] = 0.0
    return r_axis, f
