"""Where the phantom's modules lie along the series, for the band gate (Qt-free).

A band is one or two slices whose central-disc level goes outside both neighbours'
(:mod:`series_consistency`). A longer run off both sides is either a block of detector
rows or the plateau of a module whose body differs from both neighbours (the shared
foreign CatPhan: CTP515's +40 HU body between CTP486's +5 and CTP404's +10, its body
reaching the rim); the levels alone cannot tell them apart, so the band gate leaves the
network's "band" on such a plateau's end slices. The CT QC localisation can: it places
the phantom's definition along the table (:func:`app.ct.analysis.localise.auto_place`,
~0.1 s for 68 slices). Where it does, a run that is a localised module's plateau - the
slices wholly inside the module, its partial-volume slices left out - is that module's
body, not a block of rows.

:func:`module_plateaus` gives each localised module's extent in fractional slice
indices; :func:`is_plateau` compares a run with them (each end between the module's
first / last wholly-inside slice and its partial-volume slice, half a slice + 3 mm
either way).
"""
from __future__ import annotations

import logging
import math
from typing import Sequence

import numpy as np

log = logging.getLogger(__name__)

# a run's end may lie this far beyond the module's partial-volume / wholly-inside slices:
# half a slice (the localisation places the definition to about that on thick slices: on
# the foreign clean series averaged into 6 mm slabs, CTP515's end 2.6 mm off the 2 mm
# series' placement) + 3 mm (the module lengths of a phantom in hand against its
# definition: our image renderer draws CTP515 3-4 mm longer)
PLATEAU_TOL_SLICES, PLATEAU_TOL_MM = 0.5, 3.0

# (first slice touching the module, first wholly inside, last wholly inside, last
# touching - fractional slice indices - and the tolerance in slices): a plateau's run
# starts between the first touching and the first wholly-inside slice (a partial-volume
# slice may still read off both sides) and ends between the last two
Plateau = tuple[float, float, float, float, float]


def module_plateaus(volume: np.ndarray, positions_mm: Sequence[float], pixel_mm: float,
                    thickness_mm: float) -> tuple[Plateau, ...] | None:
    """Each localised module's :data:`Plateau` - of the modules whose both ends lie inside
    the series; None when no known phantom is placed (any phantom the CT QC station knows;
    the AI check then goes on without)."""
    from app.core.errors import PharosError
    from app.ct.analysis import localise, phantom_spec

    pos = np.asarray(positions_mm, float)
    if len(pos) < 3 or not np.all(np.diff(pos) > 0) or not thickness_mm > 0:
        return None
    try:
        pl = localise.auto_place(np.asarray(volume), pos, float(pixel_mm), float(thickness_mm),
                                 phantom_spec.available())
    except (PharosError, ValueError) as exc:
        log.info("band gate: no module positions (%s)", exc)
        return None
    spacing = float(np.median(np.diff(pos)))
    half = float(thickness_mm) / 2.0
    idx = np.arange(len(pos), dtype=float)
    tol = PLATEAU_TOL_SLICES + PLATEAU_TOL_MM / spacing
    out = []
    for m in pl.defn["modules"]:
        z0 = pl.origin_z_mm + float(m["z_mm"]) - float(m["length_mm"]) / 2.0
        z1 = z0 + float(m["length_mm"])
        # both ends inside the series (a module the series starts or ends in has no
        # observed end there: a run up to the series' end is no plateau of it)
        if z1 - half <= z0 + half or z0 - half < pos[0] or z1 + half > pos[-1]:
            continue
        a0, a1, b0, b1 = (float(np.interp(z, pos, idx))
                          for z in (z0 - half, z0 + half, z1 - half, z1 + half))
        out.append((a0, a1, b0, b1, tol))
    return tuple(out)


def is_plateau(first: int, last: int, plateaus: Sequence[Plateau]) -> bool:
    """Is the run of slices first..last a localised module's plateau? Its first slice lies
    between the module's first touching slice and its first wholly-inside one, its last
    between the last wholly-inside and the last touching one (each +- the tolerance)."""
    return any(a0 - tol <= first <= math.ceil(a1 - 1e-6) + tol
               and math.floor(b0 + 1e-6) - tol <= last <= b1 + tol
               for a0, a1, b0, b1, tol in plateaus)
