"""Physics-grounded quality model: slot cost c[s,i], neighbour cost d[i,j], lambda[s].

F(pi) = sum_s c[s, pi(s)] + sum_{s<n-1} lambda[s] * d[pi(s), pi(s+1)]

Calibration removes static gain and offset, so costs use what it cannot remove:
nonlinearity, afterglow, spectral dependence, temperature drift and noise.

* d[i, j] (i immediately LEFT of j) = mean over row zones of the root-sum-square of the
  normalised steps between i's right-edge channels and j's left-edge channels, plus
  a lot-change penalty; +inf for forbidden lot pairs. Asymmetric by construction.
* c[s, i] = importance[s] * b_i + edge_flux[s] * h_i, with b_i the module's own
  channel-to-channel residual non-uniformity (sharp rings inside the module) and h_i its
  high-flux behaviour (afterglow, linearity) that matters at the fan ends.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from station_plugins.detector_matching import indicators as I
from station_plugins.detector_matching.detector_models import DetectorLayout
from station_plugins.detector_matching.importer import ModulePool

# engineering scales: one unit of cost ~ one "just visible" residual step
SCALES = {"linearity": 0.10, "afterglow": 25.0, "spectral": 0.10, "noise": 0.10,
          "drift": 0.01}
EDGE_WEIGHTS = {"linearity": 1.0, "afterglow": 0.8, "spectral": 0.8, "noise": 0.4,
                "drift": 0.6}
SLOT_COST_SCALE = 1.0
NEIGHBOUR_COST_SCALE = 1.0


@dataclass
class EdgeFeatures:
    """Normalised edge and interior descriptors of each module (measured indicators)."""
    left: np.ndarray        # (m, K, Z) left-edge values per kind and zone
    right: np.ndarray       # (m, K, Z)
    interior: np.ndarray    # (m,) channel-to-channel residual non-uniformity b_i
    high_flux: np.ndarray   # (m,) high-flux badness h_i
    kinds: tuple[str, ...] = tuple(SCALES)


def residual_channels(values: np.ndarray) -> dict[str, np.ndarray]:
    """(m, Z, C) normalised residual kinds (drift repeated over zones)."""
    out = {k: I.zoned_block(values, k) / SCALES[k]
           for k in ("linearity", "afterglow", "spectral", "noise")}
    drift = I.drift_block(values) / SCALES["drift"]
    out["drift"] = np.repeat(drift[:, None, :], I.ZONES, axis=1)
    return out


def edge_features(values: np.ndarray) -> EdgeFeatures:
    res = residual_channels(values)
    kinds = tuple(SCALES)
    # edge value: 2/3 outermost channel + 1/3 next one (the step the ring sees)
    left = np.stack([(2 * res[k][:, :, 0] + res[k][:, :, 1]) / 3 for k in kinds], axis=1)
    right = np.stack([(2 * res[k][:, :, -1] + res[k][:, :, -2]) / 3 for k in kinds], axis=1)
    combo = np.add.reduce([EDGE_WEIGHTS[k] * res[k] for k in ("linearity", "afterglow", "spectral")])
    hp = combo[:, :, 1:] - combo[:, :, :-1]
    interior = np.sqrt((hp ** 2).mean(axis=(1, 2))) + 0.5 * np.maximum(
        res["noise"].mean(axis=(1, 2)) - 8.5, 0) + 0.3 * np.abs(res["drift"]).mean(axis=(1, 2))
    high_flux = (res["afterglow"].mean(axis=(1, 2)) / 5.0
                 + np.abs(res["linearity"]).mean(axis=(1, 2)) / 2.5)
    return EdgeFeatures(left, right, interior, high_flux, kinds)


def physics_neighbour_cost(feat: EdgeFeatures) -> np.ndarray:
    """(m, m) d[i, j]: i's right edge against j's left edge; diagonal +inf."""
    w = np.array([EDGE_WEIGHTS[k] for k in feat.kinds])[None, :, None]
    r = feat.right * w                   # (m, K, Z)
    lft = feat.left * w
    m = r.shape[0]
    d = np.zeros((m, m))
    for z in range(r.shape[2]):
        rz, lz = r[:, :, z], lft[:, :, z]
        sq = ((rz ** 2).sum(1)[:, None] + (lz ** 2).sum(1)[None, :] - 2 * rz @ lz.T)
        d += np.sqrt(np.maximum(sq, 0) + 1e-3)
    d *= NEIGHBOUR_COST_SCALE / r.shape[2]
    np.fill_diagonal(d, np.inf)
    return d


@dataclass
class MatchProblem:
    """Everything the optimiser needs, over the *candidate* modules of the pool."""
    c: np.ndarray                 # (n, m) slot cost, +inf = not eligible
    d: np.ndarray                 # (m, m) neighbour cost, +inf = forbidden pair
    lam: np.ndarray               # (n-1,) boundary weights
    fixed: np.ndarray             # (n,) candidate index locked to the slot, -1 = free
    serials: list[str]            # candidate module serials (length m)
    lots: list[str]
    layout: DetectorLayout
    cost_source: str = "physics"  # physics | learned
    left_out: list[dict] = field(default_factory=list)   # modules not candidates
    joints: np.ndarray | None = None   # batch mode: boundary indices with zero weight

    @property
    def n(self) -> int:
        return self.c.shape[0]

    @property
    def m(self) -> int:
        return self.c.shape[1]


def candidate_modules(pool: ModulePool, layout: DetectorLayout) -> tuple[list[int], list[dict]]:
    """Pool indices usable for this layout, and the modules left out with reasons."""
    keep, left = [], []
    for e in pool.excluded:
        left.append({"serial": e.serial, "reason": "; ".join(e.reasons), "stage": "import"})
    for k, s in enumerate(pool.serials):
        if s in layout.reserved_modules:
            left.append({"serial": s, "reason": "reserved for other work", "stage": "constraints"})
        elif s in layout.excluded_modules:
            left.append({"serial": s, "reason": "excluded by quality engineering",
                         "stage": "constraints"})
        elif pool.lots[k] in layout.excluded_lots:
            left.append({"serial": s, "reason": f"lot {pool.lots[k]} excluded",
                         "stage": "constraints"})
        else:
            keep.append(k)
    return keep, left


def build_problem(pool: ModulePool, layout: DetectorLayout, *,
                  neighbour_cost: np.ndarray | None = None, cost_source: str = "physics"
                  ) -> MatchProblem:
    """Costs over the candidate modules. ``neighbour_cost`` (over the whole pool) replaces
    the physics neighbour cost (e.g. the learned one)."""
    from app.core.errors import InputRejected
    keep, left = candidate_modules(pool, layout)
    values = pool.values[keep]
    feat = edge_features(values)
    if neighbour_cost is None:
        d = physics_neighbour_cost(feat)
    else:
        d = np.array(neighbour_cost, dtype=float)[np.ix_(keep, keep)]
        np.fill_diagonal(d, np.inf)
    lots = [pool.lots[k] for k in keep]
    serials = [pool.serials[k] for k in keep]
    if layout.lot_change_penalty:
        la = np.array(lots)
        d = d + layout.lot_change_penalty * (la[:, None] != la[None, :])
    for a, b in layout.forbidden_adjacent_lots:
        la = np.array(lots)
        mask = ((la[:, None] == a) & (la[None, :] == b)) | ((la[:, None] == b) & (la[None, :] == a))
        d[mask] = np.inf
    n = layout.slots
    c = SLOT_COST_SCALE * (layout.importance()[:, None] * feat.interior[None, :]
                           + layout.edge_flux()[:, None] * feat.high_flux[None, :])
    fixed = np.full(n, -1, dtype=np.int64)
    index = {s: k for k, s in enumerate(serials)}
    for slot, serial in layout.fixed_slots.items():
        if serial not in index:
            raise InputRejected(f"Slot {slot} is fixed to module {serial}, which is not a "
                                f"usable module of this pool.", code="DM-LOCK",
                                remedy="Import the module's data or release the lock.")
        i = index[serial]
        fixed[slot] = i
        col = c[slot, i]
        c[:, i] = np.inf
        c[slot, :] = np.inf
        c[slot, i] = col
    if len(keep) < n:
        raise InputRejected(f"The pool has {len(keep)} usable modules but detector "
                            f"{layout.name} needs {n}.", code="DM-SHORT",
                            remedy="Import more modules or choose a smaller detector model.")
    return MatchProblem(c=c, d=d, lam=layout.boundary_weights(), fixed=fixed,
                        serials=serials, lots=lots, layout=layout,
                        cost_source=cost_source, left_out=left)


def objective_parts(p: MatchProblem, perm: np.ndarray) -> tuple[float, float]:
    """(slot cost, weighted neighbour cost) of slots -> candidate indices ``perm[:n]``."""
    n = p.n
    a = np.asarray(perm[:n])
    slot = float(p.c[np.arange(n), a].sum())
    nb = float((p.lam * p.d[a[:-1], a[1:]]).sum()) if n > 1 else 0.0
    return slot, nb


def objective(p: MatchProblem, perm: np.ndarray) -> float:
    s, b = objective_parts(p, perm)
    return s + b


def artifact_profile(p: MatchProblem, perm: np.ndarray) -> dict[str, np.ndarray]:
    """Predicted artifact profile across the fan: per slot and per boundary (weighted)."""
    n = p.n
    a = np.asarray(perm[:n])
    slot = p.c[np.arange(n), a]
    boundary = p.lam * p.d[a[:-1], a[1:]]
    return {"slot_angle": p.layout.slot_angles(), "slot": slot,
            "boundary_angle": p.layout.boundary_angles(), "boundary": boundary}
