"""The shell step: does the phantom's outer shell move with a central-disc step?

A band is a detector row's gain error: it scales the attenuation of the WHOLE slice, so
the phantom's outer shell (CatPhan: 3 mm of plastic around every module) moves with the
body - by (shell + 1000) / (body + 1000) of the body's step, about 1.1. A module
boundary is a change of the body material INSIDE a shell that runs through all modules:
the central disc steps, the shell does not. On three slices a band on the centre slice
and one neighbour and a module boundary next to the centre slice give the same level
profile (one neighbour off, the other level); the structure change that a boundary
usually brings is absent where a uniform module meets a low-contrast one (CatPhan
CTP486 / CTP515: a 35 HU body step and <= 10 HU discs). The shell tells them apart.

Measured on both renderers' stored 1 mm grids (docs/image_review.md, "Band against the
shell"): shell step / central-disc step of every band 0.58-1.71 (2nd percentile 0.87),
of every normal with a disc step >= 3 HU -0.29..0.86 (98th percentile 0.28-0.39).

``shell_steps``: the centre slice's shell median minus each neighbour's (HU), the
annulus SHELL_RING_MM inside the phantom's outer radius about the centre slice's
phantom centre (the same centre for the three slices, as the band measure
``normalise.band_steps``). Written from the phantom definition (a 3 mm shell; the 1 mm
grid's partial volume on both sides left out), not fitted to either renderer.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from app.ct.ai.normalise import _nonzero, median

SHELL_RING_MM = (3.0, 1.0)     # from R - 3 mm to R - 1 mm (R: the body's area radius)
SHELL_MIN_PIXELS = 200


def _annulus(n: int, centre: tuple[float, float], r_mm: float, grid_mm: float = 1.0
             ) -> tuple[slice, slice, np.ndarray] | None:
    """(rows, columns, mask) of the shell annulus on its bounding box in an n x n grid;
    None when it has fewer than SHELL_MIN_PIXELS pixels or no inner radius (no phantom)."""
    r_out = (r_mm - SHELL_RING_MM[1]) / grid_mm
    r_in = (r_mm - SHELL_RING_MM[0]) / grid_mm
    if r_in <= 0:
        return None
    cx, cy = centre
    x0, y0 = max(0, int(math.floor(cx - r_out))), max(0, int(math.floor(cy - r_out)))
    x1, y1 = min(n, int(math.ceil(cx + r_out)) + 1), min(n, int(math.ceil(cy + r_out)) + 1)
    yy, xx = np.ogrid[y0:y1, x0:x1]
    d2 = (xx - cx) ** 2 + (yy - cy) ** 2
    ann = (d2 >= r_in * r_in) & (d2 < r_out * r_out)
    if int(np.count_nonzero(ann)) < SHELL_MIN_PIXELS:
        return None
    return slice(y0, y1), slice(x0, x1), ann


def shell_levels(grids: Sequence[np.ndarray], centre: tuple[float, float], r_mm: float,
                 grid_mm: float = 1.0) -> list[float]:
    """Median (HU) of the shell annulus of each 1 mm grid slice (one annulus for all:
    the same centre and radius); nan when the annulus has fewer than SHELL_MIN_PIXELS
    pixels (no phantom)."""
    if not len(grids):
        return []
    box = _annulus(np.shape(grids[0])[0], centre, r_mm, grid_mm)
    if box is None:
        return [float("nan")] * len(grids)
    ys, xs, ann = box
    # the annulus' pixels as flat indices into the grid, in the box's row-major order
    # (the pixels of grid[ys, xs][ann], in the same order); normalise.median: np.median's
    # value bit for bit, one partition
    n = np.shape(grids[0])[1]
    rows, cols = _nonzero(ann)             # (= np.nonzero(ann), by OpenCV's scan)
    at = (rows + ys.start) * n + (cols + xs.start)
    return [float(median(np.ascontiguousarray(g, np.float32).ravel()[at])) for g in grids]


def shell_level(grid: np.ndarray, centre: tuple[float, float], r_mm: float,
                grid_mm: float = 1.0) -> float:
    """Median (HU) of the shell annulus of one 1 mm grid slice; nan when the annulus has
    fewer than SHELL_MIN_PIXELS pixels (no phantom)."""
    return shell_levels([grid], centre, r_mm, grid_mm)[0]


def shell_steps(grids: Sequence[np.ndarray], centre: tuple[float, float], r_mm: float
                ) -> tuple[float, float]:
    """Centre slice's shell median minus each neighbour's (HU): (prev, next); 0 where
    the shell cannot be measured."""
    lv = shell_levels(grids, centre, r_mm)
    if not all(math.isfinite(v) for v in lv):
        return 0.0, 0.0
    return lv[1] - lv[0], lv[1] - lv[2]


def stack_shell_steps(x3: np.ndarray, geometry: tuple[float, float, float] | None = None
                      ) -> tuple[float, float]:
    """shell_steps of a stored (3, 256, 256) 1 mm grid stack, the centre and radius
    measured on the centre slice as ``normalise.slice_facts`` measures them.

    ``geometry``: (centre column, row, radius mm) of the centre slice as its
    ``SliceFacts`` already hold them (``phantom_geometry``) - the same numbers bit for
    bit (the same phantom_mask of the same grid), not measured again; NaN: measure."""
    if geometry is not None and math.isfinite(geometry[2]):
        cx, cy, r_mm = geometry
        return shell_steps([x3[0], x3[1], x3[2]], (float(cx), float(cy)), float(r_mm))
    from app.ct.ai.normalise import phantom_mask

    c = np.asarray(x3[1], np.float32)
    body = phantom_mask(c)
    if body.sum() < 100:
        return 0.0, 0.0
    ys, xs = np.nonzero(body)
    r_mm = math.sqrt(float(body.sum()) / math.pi)
    return shell_steps([x3[0], x3[1], x3[2]], (float(xs.mean()), float(ys.mean())), r_mm)


def phantom_geometry(centre: tuple[float, float], radius_mm: float) -> tuple[float, float, float]:
    """The centre slice's (column, row, radius mm) for :func:`stack_shell_steps` from its
    ``SliceFacts``: NaN where slice_facts did not measure the phantom (radius 0: a pixel
    size out of range - measured on the grid then - or no phantom, which the grid's own
    measurement finds as well)."""
    if radius_mm > 0:
        return float(centre[0]), float(centre[1]), float(radius_mm)
    return float("nan"), float("nan"), float("nan")


def shell_features(prev_hu: float, next_hu: float) -> np.ndarray:
    """The two context features (HU / 5, clipped to +-20 as the band steps)."""
    return np.clip(np.array([prev_hu, next_hu], np.float32) / 5.0, -20.0, 20.0)


SHELL_NAMES = ("shell_prev", "shell_next")
SCHEME_SHELL = "grid1mm_context_evidence_shell"


def context_names_shell() -> list[str]:
    """The ``grid1mm_context_evidence_shell`` context layout: the evidence layout with
    the two shell steps before the body median (the body median stays last)."""
    from app.ct.ai.normalise import CONTEXT_NAMES_EVIDENCE

    return list(CONTEXT_NAMES_EVIDENCE[:-1]) + list(SHELL_NAMES) + [CONTEXT_NAMES_EVIDENCE[-1]]


GEOMETRY = "phantom_geometry"   # the series run's extra feed: (N, 3) of phantom_geometry


def with_shell(image: np.ndarray, context: np.ndarray, geometry: np.ndarray | None = None
               ) -> np.ndarray:
    """(N, 3, 256, 256) grid triples + their (N, evidence layout) context -> the
    (N, shell layout) context: the shell steps measured on the triples themselves
    (the centre slice's phantom centre and radius, as the training measured them;
    ``geometry``: (N, 3) of :func:`phantom_geometry`, those numbers as the slice
    measurements already hold them)."""
    image = np.asarray(image)
    context = np.asarray(context, np.float32)
    geo = [None] * len(image) if geometry is None else [tuple(g) for g in np.asarray(geometry)]
    sh = np.stack([shell_features(*stack_shell_steps(np.asarray(t, np.float32), g))
                   for t, g in zip(image, geo)]) if len(image) else np.zeros((0, 2), np.float32)
    return np.concatenate([context[:, :-1], sh, context[:, -1:]], axis=1).astype(np.float32)


class ShellContextModel:
    """A loaded ``grid1mm_context_evidence_shell`` model behind the evidence layout's
    feeds: ``run`` adds the shell steps of the image triples to the context (the series
    run and the occlusion heatmaps build the evidence layout; everything else - card,
    providers, sessions - is the wrapped model's). The series run also feeds
    ``GEOMETRY``, the centre slices' phantom centre and radius from its measurements
    (``takes_geometry``), so that the phantom is not measured a second time."""

    takes_geometry = True

    def __init__(self, model: object) -> None:
        self._model = model

    def __getattr__(self, name: str) -> object:
        return getattr(self._model, name)

    def run(self, inputs: dict[str, np.ndarray], token: object = None, **kw: object
            ) -> dict[str, np.ndarray]:
        from app.ct.ai.normalise import N_CONTEXT_EVIDENCE

        feeds = dict(inputs)
        geometry = feeds.pop(GEOMETRY, None)
        ctx = feeds.get("context")
        # the evidence layout gets its shell steps; a context that has them passes
        if "image" in feeds and ctx is not None and np.shape(ctx)[1] == N_CONTEXT_EVIDENCE:
            feeds["context"] = with_shell(feeds["image"], ctx, geometry)
        return self._model.run(feeds, token, **kw)  # type: ignore[attr-defined]
