"""The series class of the AI check, from its slices' verdicts (Qt-free).

A series is judged slice by slice (three adjacent slices as input); the series class
aggregates them:

* ``not_applicable`` - decided by the caller (the AI cannot judge >= half the slices);
* an abnormal class the slices SUPPORT: a band (one detector row: one or two adjacent
  slices) on one slice with >= LONE_SLICE_CONFIDENCE or on two nearby slices
  (:func:`band_partner`); the scanner-wide classes (ring, streak, noise, shift, blur: a
  bad channel or a calibration does not stop at a slice) on >= 2 slices and
  >= PERSISTENT_FRACTION of the judged slices; the class most slices share;
* ``uncertain`` - no class is supported, but more slices are WEAK (confidence below the
  card's low-confidence threshold, or an abnormal class no other slice supports) than a
  clean series explains: a one-sided binomial test of the weak count k among the n
  judged slices against the per-slice weak rate q of clean slices, P(X >= k | n, q) <
  ``alpha`` (0.01: one clean series in a hundred is sent to a person by chance) and k >= 2;
* else ``normal`` (its weak slices keep their own flags and reasons).

Why a test and not a fixed share: a classifier that is weak on ~3-7 % of clean slices
(the 2.0.0 card: 3.4 % of held-out slices below 0.8 confidence, 3.3 % of held-out
normals called another class) shows 3 weak slices of 54 in about every second clean
series; the former rule (>= 2 and >= 5 % of the slices) called those "uncertain". The
test asks instead whether the count is more than chance at that rate, and it does
scale with the series length: 3 of 54 is chance, 12 of 54 is not, and neither is a
class on 20 % of the slices that the 25 % persistence rule alone would call normal.

q comes from the model's card: ``thresholds.series_weak_rate`` when the card gives it
(from 2.7.0 on the training writes it: the mean share of weak slices among the normal
slices of the renderer left out of each leave-one-renderer-out run, since a plant
scanner is one the network was not trained on), else the held-out figures the card
carries (share of held-out slices below the low-confidence threshold, from
``metrics.calibration.bins``, plus 1 - the held-out normal recall: a bound on the share
of clean slices that are weak), else 5 %.
Adjacent slices share two of their three input slices, so weak slices of a clean series
come in small runs and the count is somewhat over-dispersed: the test is, if anything,
a little quick to say "uncertain", never slow.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Mapping, Sequence

from app.ct.ai.series_consistency import BandCheck, Level, band_check

NOT_APPLICABLE = "not_applicable"
# a lone abnormal slice names the series class only when the AI is this sure of it
LONE_SLICE_CONFIDENCE = 0.95
PERSISTENT_FRACTION = 0.25     # ring / streak / noise / shift / blur: share of the slices
LOW_CONFIDENCE = 0.8           # = the cards' low_confidence threshold
BAND_REACH = 3     # slices i and i + 3 both hold a band on i + 1, i + 2 in their input
SERIES_ALPHA = 0.01
DEFAULT_WEAK_RATE = 0.05
WEAK_RATE_RANGE = (0.005, 0.5)


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lp, lq, ln = math.log(p), math.log1p(-p), math.lgamma(n + 1)
    total = sum(math.exp(ln - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp
                         + (n - i) * lq) for i in range(k, n + 1))
    return min(1.0, total)


def weak_rate_from_card(card: dict) -> tuple[float, str]:
    """(per-slice weak rate q of clean slices, where it comes from) - see the module."""
    th = card.get("thresholds") or {}
    if th.get("series_weak_rate") is not None:
        return _clip_rate(float(th["series_weak_rate"])), "card thresholds.series_weak_rate"
    metrics = card.get("metrics") or {}
    low = float(th.get("low_confidence", LOW_CONFIDENCE))
    bins = (metrics.get("calibration") or {}).get("bins") or []
    recall = (((metrics.get("heldout") or {}).get("all") or {}).get("recall") or {}).get("normal")
    try:
        total = sum(int(b["n"]) for b in bins)
        below = sum(int(b["n"]) for b in bins if float(b["bin"][1]) <= low + 1e-9)
    except (KeyError, TypeError, ValueError, IndexError):
        total = 0
    if total > 0 and recall is not None:
        return (_clip_rate(below / total + (1.0 - float(recall))),
                f"card held-out: {below} of {total} slices below {low:.2f} confidence + "
                f"{1.0 - float(recall):.4f} normals called another class")
    return DEFAULT_WEAK_RATE, "default (the card has no held-out figures)"


def _clip_rate(q: float) -> float:
    return min(max(q, WEAK_RATE_RANGE[0]), WEAK_RATE_RANGE[1])


@dataclass(frozen=True)
class SeriesEvidence:
    """What the series class rests on (stored with the AI verdict as ``series_evidence``).

    ``weak``: judged slices with confidence below ``low_confidence`` or an abnormal class
    that is not the series class; ``expected_weak`` = ``judged`` x ``weak_rate``;
    ``p_value`` = P(>= weak of judged | weak_rate); ``class_slices``: slices per class."""

    judged: int
    weak: int
    weak_rate: float
    expected_weak: float
    p_value: float
    alpha: float
    low_confidence: float
    class_slices: dict[str, int]
    checks: tuple[dict, ...] = ()   # series_consistency: the measured check of a class

    def to_dict(self) -> dict:
        d = asdict(self)
        d["checks"] = [dict(c) for c in self.checks]
        for k in ("weak_rate", "expected_weak", "low_confidence"):
            d[k] = round(d[k], 4)
        d["p_value"] = float(f"{self.p_value:.3g}")
        return d

    def sentence(self) -> str:
        return (f"{self.weak} of {self.judged} slices weak where a clean series shows about "
                f"{self.expected_weak:.1f} (p = {self.p_value:.2g})")


def band_partner(s: Any, o: Any, judged: dict[int, str]) -> bool:
    """Do two band slices see the same band? A band hits one slice or two adjacent ones,
    and each slice is judged with both neighbours: the band on slices k, k + 1 is in the
    input of slices k - 1 .. k + 2. So two band verdicts at most BAND_REACH apart are one
    band when every slice between them is a band too or was not judged (a hand-off
    judges module slices only; the banded slices can lie between modules)."""
    a, b = sorted((s.slice_index, o.slice_index))
    if o.label != "band" or not 1 <= b - a <= BAND_REACH:
        return False
    return all(judged.get(k, "band") == "band" for k in range(a + 1, b))


def supported(s: Any, counts: dict[str, int], abnormal: list[Any], n_judged: int,
              judged: dict[int, str] | None = None,
              checks: Mapping[int, BandCheck] | None = None) -> bool:
    """Does this abnormal slice name the series class? (see the module). A band verdict
    whose input was measured is decided by the measurement that defines a band
    (series_consistency.band_check): an excursion outside both neighbouring levels is a
    band even on one slice; none (a module boundary's step) is no band, however sure."""
    if s.label == "band":
        check = (checks or {}).get(s.slice_index)
        if check is not None and check.band is not None:
            return check.band
        judged = judged if judged is not None else {o.slice_index: o.label for o in abnormal}
        # a partner the measurement found no band at (a module boundary's step) backs
        # nothing: only a verdict the measurement left open or confirmed can
        refuted = {k for k, c in (checks or {}).items() if c.band is False}
        return s.confidence >= LONE_SLICE_CONFIDENCE or any(
            band_partner(s, o, judged) for o in abnormal
            if o is not s and o.slice_index not in refuted)
    n = counts[s.label]
    if n_judged <= 3:                     # a single stack: its own verdict
        return s.confidence >= LOW_CONFIDENCE
    return n >= 2 and n >= PERSISTENT_FRACTION * n_judged


def decide(slices: Sequence[Any], *, weak_rate: float = DEFAULT_WEAK_RATE,
           alpha: float = SERIES_ALPHA, low_confidence: float = LOW_CONFIDENCE,
           levels: Mapping[int, Level] | None = None) -> tuple[str, SeriesEvidence]:
    """(series class, its evidence) of slice verdicts (``slice_index``, ``label``,
    ``confidence``); the caller decides ``not_applicable`` first. ``levels``: the
    central-disc level of the measured slices (series_consistency; without them - a
    stored verdict, a model before 2.0 - the band rule of the module alone)."""
    judged = [s for s in slices if s.label != NOT_APPLICABLE]
    abnormal = [s for s in judged if s.label != "normal"]
    counts: dict[str, int] = {}
    for s in judged:
        counts[s.label] = counts.get(s.label, 0) + 1
    labels = {s.slice_index: s.label for s in judged}
    checks = {s.slice_index: band_check(s.slice_index, levels)
              for s in abnormal if s.label == "band"} if levels else {}
    backing = [s for s in abnormal
               if supported(s, counts, abnormal, len(judged), labels, checks)]
    label = max(backing, key=lambda s: (counts[s.label], s.confidence)).label if backing \
        else "normal"
    weak = sum(1 for s in judged
               if s.confidence < low_confidence or s.label not in ("normal", label))
    n = len(judged)
    p = binomial_sf(weak, n, weak_rate)
    evidence = SeriesEvidence(judged=n, weak=weak, weak_rate=weak_rate,
                              expected_weak=n * weak_rate, p_value=p, alpha=alpha,
                              low_confidence=low_confidence, class_slices=counts,
                              checks=tuple(c.to_dict() for _, c in sorted(checks.items())))
    if label == "normal" and weak >= 2 and p < alpha:
        label = "uncertain"
    return label, evidence
