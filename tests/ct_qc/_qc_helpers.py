"""Shared helpers of the CT QC analysis tests: simulate, wrap, analyse (cached per args)."""
from __future__ import annotations

from functools import lru_cache

from app.ct.analysis import analyze_series
from app.ct.dicom_load import LoadedSeries
from app.ct.simulator import ArtifactSpec, SimParams, simulate_series


@lru_cache(maxsize=16)
def simulated(**kw):
    kw.setdefault("matrix", 256)
    arts = kw.pop("artifacts", ())
    return simulate_series(SimParams(artifacts=tuple(ArtifactSpec(**dict(a)) for a in arts), **kw))


def analysed(phantom="catphan504", profile=None, **kw):
    sim = simulated(**kw)
    return sim, analyze_series(LoadedSeries.from_simulated(sim), phantom=phantom, profile=profile)


def art(kind, amplitude, **kw):
    """Hashable artifact description for the cached simulator call."""
    return tuple(sorted({"kind": kind, "amplitude_hu": amplitude, **kw}.items()))
