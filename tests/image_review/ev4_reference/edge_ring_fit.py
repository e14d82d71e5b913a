"""The two fits of the edge-ring rule (:mod:`edge_ring`, Qt-free): a ring concentric with
the phantom against one system's edge response at the shell's inner and outer edges (A),
and a ring in the residual about the rotation centre over a local line (B). See
:mod:`edge_ring` for the physics; the grids of its profiles are defined here."""
from __future__ import annotations

import math

import numpy as np

U0, U1, DU = -16.0, 4.0, 0.25          # mm about the outer edge: the profile about P
NU = int(round((U1 - U0) / DU))
V0, V1, DV = 60.0, 124.0, 0.5          # mm about C: the residual profile
NV = int(round((V1 - V0) / DV))
SEARCH_B = (-12.0, -0.5)               # off-centre: ring radii about C, mm relative to R
RING_FWHMS = (1.2, 2.0, 3.5)           # the ring templates' widths (mm): the best fit counts
EDGE_SIGMAS = (0.4, 0.55, 0.75, 1.0, 1.4, 2.0)
LOBE = 2.5                              # an overshoot lobe's width over the core's
A_WINDOW_END = -0.5                    # mm: the concentric fit ends inside the outer edge
SHELL_MIN_HU = 20.0                    # a distinct shell: this far from the body
A_MAX_OFFSET = 2.0                     # mm: |P - C| up to which the concentric fit runs
INNER_GAP = 1.5                        # mm: a ring this near the shell's inner edge is not searched
B_WINDOW_END = 1.5                     # mm: the off-centre fit's window ends here
EDGE_JITTER = 0.15                     # mm
SEARCH_A = (-12.0, -2.0)               # concentric: the outer edge's own zone left out
INNER = np.arange(-7.5, -1.49, 0.25)   # the shell's inner edge (mm relative to R)
REACH_B = 6.0                          # mm: B's local window
FIELD_MARGIN = 3.0                     # mm: rings searched this far inside the field's edge
_SQ2 = math.sqrt(2.0)


def _phi(x: np.ndarray, s: float) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * (1.0 + erf(x / (s * _SQ2)))


def _template(u: np.ndarray, u0: float, offset: float, fwhm: float) -> np.ndarray:
    """A ring (``fwhm`` mm) at u0 about C seen in the profile about P (offset |P - C| mm
    smears it)."""
    sig = fwhm / 2.3548
    psi = np.linspace(0, 2 * math.pi, 48, endpoint=False)
    d = u[:, None] - u0 + offset * np.cos(psi)[None, :]
    return np.exp(-0.5 * (d / sig) ** 2).mean(1)


def _inner_edge(u: np.ndarray, y: np.ndarray) -> float | None:
    body = np.median(y[(u >= -16.0) & (u <= -10.0)]) if np.any(u <= -10.0) else np.nan
    shell_bins = (u >= -2.5) & (u <= -1.0)
    if not shell_bins.any() or not np.isfinite(body):
        return None
    shell = float(np.median(y[shell_bins]))
    if abs(shell - body) < SHELL_MIN_HU:
        return None
    mid = 0.5 * (shell + body)
    inside = (u <= -1.5) & (u >= INNER[0])
    us, ys = u[inside][::-1], y[inside][::-1]          # from the shell inward
    below = np.nonzero((ys - mid) * np.sign(shell - body) < 0)[0]
    if not below.size or below[0] == 0:
        return None
    k = int(below[0])
    y0, y1 = ys[k - 1] - mid, ys[k] - mid
    return float(us[k - 1] + (us[k] - us[k - 1]) * y0 / (y0 - y1))


def fit_a(y: np.ndarray, se: np.ndarray, offset: float) -> tuple[float, float, float]:
    """(u0, amplitude, z) of the best concentric ring in the edge profile y (NU,): within
    u <= A_WINDOW_END the model is a constant, a slope and ONE system's edge response (a
    blurred step of sigma + an overshoot lobe of LOBE x sigma, amplitudes free) at the
    shell's inner edge and at the outer edge (its tail), sigma and the inner edge searched;
    the ring's template added; the fit with the least residual decides."""
    u = U0 + (np.arange(NU) + 0.5) * DU
    ok = np.isfinite(y) & np.isfinite(se) & (u <= A_WINDOW_END)
    if ok.sum() < 30:
        return 0.0, 0.0, 0.0
    grad = np.gradient(np.where(np.isfinite(y), y, 0.0), DU)
    u, y = u[ok], y[ok]
    # a position error of EDGE_JITTER mm (the edge's non-circularity, the centre, the
    # grid's partial volume) moves a steep bin by its gradient: such bins weigh less
    w = 1.0 / np.sqrt(se[ok] ** 2 + (EDGE_JITTER * grad[ok]) ** 2)
    grid_u0 = np.arange(SEARCH_A[0], SEARCH_A[1] + 1e-9, 0.25)
    u0s = np.repeat(grid_u0, len(RING_FWHMS))
    tmpl = np.stack([_template(u, a, offset, fw) for a in grid_u0 for fw in RING_FWHMS]) \
        * w[None, :]
    yw = y * w

    def fits(eis: np.ndarray) -> list[tuple[float, float, np.ndarray, np.ndarray]]:
        out = []
        for sg in EDGE_SIGMAS:
            outer = [_phi(u, sg), _phi(u, sg) - _phi(u, LOBE * sg)]
            for ei in eis:
                cols = [np.ones_like(u), u / 10.0, _phi(u - ei, sg),
                        _phi(u - ei, sg) - _phi(u - ei, LOBE * sg), *outer]
                q, _ = np.linalg.qr(np.stack(cols, 1) * w[:, None])
                ry = yw - q @ (q.T @ yw)
                out.append((float(ry @ ry), float(ei), q, ry))
        return out

    # the shell's inner edge: where the profile, walking inward from the shell, falls
    # below the middle of the shell and the body (a ring further inside does not move
    # it); without a distinct shell the edge model's best fit without a ring. A ring
    # within INNER_GAP of it is that edge moved (a narrow bump at a step is the step
    # shifted): not searched
    ei0 = _inner_edge(u, y)
    if ei0 is None:
        ei0 = min(fits(INNER), key=lambda m: m[0])[1]
    models = fits(INNER[np.abs(INNER - ei0) <= 0.5])
    best_rss = np.inf
    best: tuple[float, float, float] = (0.0, 0.0, 0.0)
    n_col = 6 + 1
    near = (u0s <= ei0 - INNER_GAP)
    for rss0, _ei, q, ry in models:
        if not near.any():
            break
        rt = tmpl - (tmpl @ q) @ q.T
        tt = np.einsum("kn,kn->k", rt, rt)
        ty = rt @ ry
        valid = (tt > 1e-3 * np.einsum("kn,kn->k", tmpl, tmpl)) & near
        gain = np.where(valid, ty * ty / np.maximum(tt, 1e-30), 0.0)
        k = int(np.argmax(gain))
        rss = rss0 - float(gain[k])
        if rss < best_rss and valid[k]:
            best_rss = rss
            s2 = max(1.0, rss / max(u.size - n_col, 1))
            amp = float(ty[k] / tt[k])
            best = (float(u0s[k]), amp, abs(amp) / math.sqrt(s2 / tt[k]))
    return best


def fit_b(y: np.ndarray, se: np.ndarray, r_mm: float, field_mm: float = 1e4
           ) -> tuple[float, float, float]:
    """(radius about C, amplitude, z) of the best ring in the residual profile y (NV,):
    a ring's template (each of RING_FWHMS; a bump or one with an FBP's negative side lobes)
    over a local line, the best-fitting one."""
    v = V0 + (np.arange(NV) + 0.5) * DV
    best = (0.0, 0.0, 0.0)
    top = min(r_mm + SEARCH_B[1], field_mm - FIELD_MARGIN)
    for r0 in np.arange(r_mm + SEARCH_B[0], top + 1e-9, 0.25):
        win = (np.abs(v - r0) <= REACH_B) & np.isfinite(y) & np.isfinite(se) & \
            (v <= min(r_mm + B_WINDOW_END, field_mm - FIELD_MARGIN / 2))
        if win.sum() < 16:
            continue
        vv, w = v[win], 1.0 / se[win]
        yy = y[win] * w
        fits = []
        for fw in RING_FWHMS:
            sig = fw / 2.3548
            g = np.exp(-0.5 * ((vv - r0) / sig) ** 2)
            # a bump, or one with the negative side lobes of a filtered back-projection
            # (a detector channel's error through the ramp filter: zero net area), peak 1
            lobes = (g - np.exp(-0.5 * ((vv - r0) / (LOBE * sig)) ** 2) / LOBE) / (1 - 1 / LOBE)
            for t in (g, lobes):
                X = np.stack([np.ones_like(vv), (vv - r0) / REACH_B, t], 1) * w[:, None]
                coef, _, rank, _ = np.linalg.lstsq(X, yy, rcond=None)
                if rank < 3:
                    continue
                r = yy - X @ coef
                fits.append((float(r @ r), coef, X))
        if not fits:
            continue
        rss, coef, X = min(fits, key=lambda f: f[0])
        s2 = max(1.0, rss / (vv.size - 3))
        cov = np.linalg.inv(X.T @ X) * s2
        z = abs(coef[2]) / math.sqrt(cov[2, 2])
        if z > best[2]:
            best = (float(r0), float(coef[2]), float(z))
    return best
