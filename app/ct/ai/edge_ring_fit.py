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


_PSI_COS = np.cos(np.linspace(0, 2 * math.pi, 48, endpoint=False))


def _templates(u: np.ndarray, u0s: np.ndarray, offset: float, fwhms: tuple[float, ...]
               ) -> np.ndarray:
    """(len(u0s) x len(fwhms), len(u)): the template of a ring (each width, inner) at each
    u0 (outer) about C seen in the profile about P (offset |P - C| mm smears it). A
    template depends on u - u0 only, which on the profile's and the search's grids takes
    few values: each is computed once."""
    dd, inv = np.unique(u[None, :] - u0s[:, None], return_inverse=True)
    d = dd[:, None] + (offset * _PSI_COS)[None, :]
    out = np.empty((len(fwhms), len(u0s) * len(u)))
    for j, fw in enumerate(fwhms):
        sig = fw / 2.3548
        out[j] = np.exp(-0.5 * (d / sig) ** 2).mean(1)[inv.ravel()]
    return out.reshape(len(fwhms), len(u0s), len(u)).transpose(1, 0, 2).reshape(
        len(u0s) * len(fwhms), len(u))


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
    tmpl = _templates(u, grid_u0, offset, RING_FWHMS) * w[None, :]
    yw = y * w
    ones, slope = np.ones_like(u), u / 10.0

    def fits(eis: np.ndarray) -> list[tuple[float, float, np.ndarray, np.ndarray]]:
        designs, inner = [], []
        for sg in EDGE_SIGMAS:
            p1 = _phi(u, sg)
            outer = [p1, p1 - _phi(u, LOBE * sg)]
            for ei in eis:
                pi = _phi(u - ei, sg)
                cols = [ones, slope, pi, pi - _phi(u - ei, LOBE * sg), *outer]
                designs.append(np.stack(cols, 1) * w[:, None])
                inner.append(float(ei))
        # (one LAPACK call over the stack: each matrix's Q as its own call gives it, bit
        # for bit - test_edge_ring_fit_batched_qr - at a seventh of the overhead)
        qs: list[np.ndarray] = list(np.linalg.qr(np.stack(designs))[0]) if designs else []
        out = []
        for q, ei in zip(qs, inner):
            ry = yw - q @ (q.T @ yw)
            out.append((float(ry @ ry), ei, q, ry))
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
    over a local line, the best-fitting one.

    Every radius and template at once: the window's weighted least squares of three
    columns (a constant, a slope, the template) by their 3 x 3 normal equations (the
    same solution as the SVD's, to ~1e-12 relative on these well-conditioned columns;
    tests/image_review/test_ai_edge_ring_fit_equivalence.py); a window whose columns
    are nearly dependent is fitted by the SVD as before (:func:`_fit_b_one`)."""
    v = V0 + (np.arange(NV) + 0.5) * DV
    top = min(r_mm + SEARCH_B[1], field_mm - FIELD_MARGIN)
    r0s = np.arange(r_mm + SEARCH_B[0], top + 1e-9, 0.25)
    if not r0s.size:
        return 0.0, 0.0, 0.0
    fin = np.isfinite(y) & np.isfinite(se) & (v <= min(r_mm + B_WINDOW_END,
                                                         field_mm - FIELD_MARGIN / 2))
    d = v[None, :] - r0s[:, None]                            # (m, NV)
    win = (np.abs(d) <= REACH_B) & fin[None, :]
    keep = win.sum(1) >= 16
    if not keep.any():
        return 0.0, 0.0, 0.0
    r0s, d, win = r0s[keep], d[keep], win[keep]
    inv_se = np.divide(1.0, se, out=np.zeros(NV), where=fin)
    y0 = np.where(fin, y, 0.0)
    w = np.where(win, inv_se[None, :], 0.0)                  # (m, NV); 0 outside
    yw = y0[None, :] * w
    x1 = d / REACH_B * w
    temps = []
    for fw in RING_FWHMS:
        sig = fw / 2.3548
        g = np.exp(-0.5 * (d / sig) ** 2)
        lobes = (g - np.exp(-0.5 * (d / (LOBE * sig)) ** 2) / LOBE) / (1 - 1 / LOBE)
        temps += [g, lobes]
    xt = np.stack(temps, 1) * w[:, None, :]                  # (m, 6, NV)
    m, k = xt.shape[:2]
    gram = np.empty((m, k, 3, 3))
    gram[:, :, 0, 0] = np.einsum("mn,mn->m", w, w)[:, None]
    gram[:, :, 0, 1] = gram[:, :, 1, 0] = np.einsum("mn,mn->m", w, x1)[:, None]
    gram[:, :, 1, 1] = np.einsum("mn,mn->m", x1, x1)[:, None]
    gram[:, :, 0, 2] = gram[:, :, 2, 0] = np.einsum("mkn,mn->mk", xt, w)
    gram[:, :, 1, 2] = gram[:, :, 2, 1] = np.einsum("mkn,mn->mk", xt, x1)
    gram[:, :, 2, 2] = np.einsum("mkn,mkn->mk", xt, xt)
    rhs = np.empty((m, k, 3))
    rhs[:, :, 0] = np.einsum("mn,mn->m", w, yw)[:, None]
    rhs[:, :, 1] = np.einsum("mn,mn->m", x1, yw)[:, None]
    rhs[:, :, 2] = np.einsum("mkn,mn->mk", xt, yw)
    # nearly dependent columns (never seen on a profile): the SVD's rank decides there
    ev = np.linalg.eigvalsh(gram)
    shaky = ~(ev[..., 0] > 1e-9 * ev[..., -1]).all(1)
    gram[shaky] = np.eye(3)
    inv = np.linalg.inv(gram)                                # (m, k, 3, 3)
    coef = np.einsum("mkij,mkj->mki", inv, rhs)
    res = yw[:, None, :] - coef[..., 0:1] * w[:, None, :] - coef[..., 1:2] * x1[:, None, :] \
        - coef[..., 2:3] * xt
    rss = np.einsum("mkn,mkn->mk", res, res)
    j = np.argmin(rss, 1)                                    # the first of equal ones
    at = np.arange(m)
    rss_j, amp = rss[at, j], coef[at, j, 2]
    s2 = np.maximum(1.0, rss_j / (win.sum(1) - 3))
    z = np.abs(amp) / np.sqrt(inv[at, j, 2, 2] * s2)
    z = np.where(np.isfinite(z), z, 0.0)
    for s in np.nonzero(shaky)[0]:
        z[s], amp[s] = _fit_b_one(y, se, v, float(r0s[s]), win[s])
    b = int(np.argmax(z))                                    # the first of equal ones
    if not z[b] > 0.0:
        return 0.0, 0.0, 0.0
    return float(r0s[b]), float(amp[b]), float(z[b])


def _fit_b_one(y: np.ndarray, se: np.ndarray, v: np.ndarray, r0: float, win: np.ndarray
               ) -> tuple[float, float]:
    """(z, amplitude) of the ring at r0 by the SVD (numpy's least squares; rank < 3 left
    out): :func:`fit_b`'s fit of one radius, one template after the other."""
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
        return 0.0, 0.0
    rss, coef, X = min(fits, key=lambda f: f[0])
    s2 = max(1.0, rss / (vv.size - 3))
    cov = np.linalg.inv(X.T @ X) * s2
    return abs(coef[2]) / math.sqrt(cov[2, 2]), float(coef[2])
