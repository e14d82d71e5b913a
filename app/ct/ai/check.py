"""AI image check of CT phantom slices (Qt-free).

Classifies every slice (three adjacent slices as input) with the ONNX classifier from
the model registry, records per slice the class, scores, anomaly score, model id,
version and sha256, the sha256 of the exact input and the latency; flags slices that
are abnormal, low-confidence or anomalous; explains a flagged slice with occlusion
sensitivity (where hiding the image changes the abnormal score most).

Models whose card names the ``grid1mm_context`` preprocessing (2.0 and later) see the
scanner-independent input of :mod:`normalise` (1 mm grid + physical context);
``grid1mm_context_evidence`` adds the ring / streak / cupping evidence of
:mod:`evidence` to the context (the card's context names must match the layout);
``grid1mm_context_evidence_shell`` adds the two shell steps of :mod:`shell_step` (measured
on the triples by a wrapper around the loaded model, before the body median). A slice
the AI cannot judge (no phantom of the expected size, pixel size outside the trained
range, an anomaly score above the card's ``not_applicable`` threshold, calibrated on a
renderer the model never saw) is labelled ``not_applicable`` with its reason; when that
holds for at least ``series_not_applicable_fraction`` of the slices the whole series is
"AI not applicable to this series (reason)" and the physics decides alone.
"""
from __future__ import annotations

import hashlib
import math
import time
from typing import Any, Callable, Sequence

import numpy as np

from app.core.errors import InputRejected, ModelIntegrityError
from app.core.tasks import CancelToken, no_progress
from app.ct.ai.ai_result import AiResult, SliceVerdict
from app.ct.ai.modules import Plateau
from app.ct.ai.preprocess import CLASSES, INPUT_SIZE, resample
from app.ct.ai_classes import NOISE_CLASS_MIN_SD_HU
from app.ct.ai.series_consistency import Level
from app.ct.ai.streak_gate import NAMES as STREAK_GATE_NAMES
from app.ct.note_codes import Note, note
from app.ct.ai.series_decision import (NOT_APPLICABLE,
                                       SERIES_ALPHA, weak_rate_from_card)

CLASSIFIER = "ct_phantom_classifier"
SCHEME_CONTEXT = "grid1mm_context"
# the same input + the ring / streak / cupping evidence in the context (2.3 candidate)
SCHEME_EVIDENCE = "grid1mm_context_evidence"
# + the shell steps (app/ct/ai/shell_step.py: a band moves the phantom's shell, a module
# boundary does not), measured on the triples the network sees
SCHEME_SHELL = "grid1mm_context_evidence_shell"
# the same input + the ring evidence alone in the context (2.9: the ring's matched filter,
# without the streak and cupping measures the 2.3 candidate paid ~3 ms a slice for)
SCHEME_RING = "grid1mm_context_ring"
# the same layout, its ring search keeping the masks' ring bands (2.13: a ring of 150-300
# HU had its own band left out as busy or structure; app/ct/ai/evidence.py ring_bands)
SCHEME_RING2 = "grid1mm_context_ring2"
# ... and also the band of a ring that has grown into the structures it crosses (inserts,
# bar groups, the phantom's edge: evidence._polar_bands)
SCHEME_RING3 = "grid1mm_context_ring3"
# the ring layouts' schemes, in normalise.RING_LAYOUTS' order
RING_SCHEMES = (SCHEME_RING, SCHEME_RING2, SCHEME_RING3)
# .npy input carries no pixel size: the usual phantom field of view is assumed (noted)
ASSUMED_FOV_MM = 250.0
NOISE = CLASSES.index("noise")


def ring_layout(scheme: str) -> str | None:
    """normalise.RING / RING2 / RING3 for a ring layout's scheme, else None."""
    from app.ct.ai.normalise import RING_LAYOUTS

    return dict(zip(RING_SCHEMES, RING_LAYOUTS)).get(scheme)


def _digest(x: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(x, dtype=np.float32).tobytes()).hexdigest()


class AiChecker:
    """Wraps a loaded classifier (an ``app.adapters.inference.OnnxModel``)."""

    def __init__(self, onnx_model: Any) -> None:
        self.onnx = onnx_model
        card = onnx_model.card.data
        if list(card.get("classes", [])) != list(CLASSES):
            raise ModelIntegrityError(f"Model {onnx_model.card.model_id} has classes "
                                      f"{card.get('classes')}, expected {list(CLASSES)}.")
        self.scheme = str((card.get("preprocessing") or {}).get("scheme", "resample256"))
        self._check_context_layout(card, onnx_model.card.model_id)
        if self.scheme == SCHEME_SHELL:
            from app.ct.ai.shell_step import ShellContextModel

            self.onnx = ShellContextModel(onnx_model)
        th = card.get("thresholds", {})
        self.anomaly_threshold = float(th.get("anomaly", 1.0))
        self.low_confidence = float(th.get("low_confidence", 0.8))
        self.not_applicable = float(th.get("not_applicable", float("inf")))
        self.series_na_fraction = float(th.get("series_not_applicable_fraction", 0.5))
        self.weak_rate, self.weak_rate_source = weak_rate_from_card(card)
        self.series_alpha = float(th.get("series_alpha", SERIES_ALPHA))
        from app.ct.ai.streak_measured import floor_from_card

        # the measured-streak rule's level (streak_measured.py); None: no rule
        self.streak_floor = floor_from_card(card)
        from app.ct.ai.streak_gate import levels_from_card

        # the streak gate's levels (streak_gate.py); None: no gate
        self.streak_levels = levels_from_card(card)

    @classmethod
    def from_registry(cls, registry: Any, name: str = CLASSIFIER) -> "AiChecker":
        return cls(registry.load(name))

    @property
    def uses_context(self) -> bool:
        return self.scheme in (SCHEME_CONTEXT, SCHEME_EVIDENCE, SCHEME_SHELL, *RING_SCHEMES)

    @property
    def uses_evidence(self) -> bool:
        return bool(self.evidence_layout)

    @property
    def evidence_layout(self) -> "bool | str":
        """What the layout measures (normalise.Evidence): False, True (all evidence) or
        normalise.RING / RING2 / RING3 (the ring evidence alone)."""
        ring = ring_layout(self.scheme)
        return ring if ring is not None else self.scheme in (SCHEME_EVIDENCE, SCHEME_SHELL)

    def _check_context_layout(self, card: dict, model_id: str) -> None:
        """A card that lists its context names must list the layout its scheme feeds
        (a model trained on another layout would read the wrong features)."""
        if not self.uses_context:
            return
        from app.ct.ai.normalise import CONTEXT_NAMES, CONTEXT_NAMES_EVIDENCE, CONTEXT_NAMES_RING
        from app.ct.ai.shell_step import context_names_shell

        want = list(CONTEXT_NAMES_RING) if ring_layout(self.scheme) is not None else \
            {SCHEME_EVIDENCE: list(CONTEXT_NAMES_EVIDENCE),
             SCHEME_SHELL: context_names_shell()}.get(self.scheme, list(CONTEXT_NAMES))
        for spec in card.get("inputs") or []:
            names = spec.get("names") if isinstance(spec, dict) else None
            if spec.get("name") == "context" and names is not None and list(names) != list(want):
                raise ModelIntegrityError(
                    f"Model {model_id} expects a context of {len(names)} features that is "
                    f"not the '{self.scheme}' layout of this station ({len(want)} features).")

    @staticmethod
    def _volume(volume_hu: np.ndarray, values: bool = True) -> np.ndarray:
        """The series as a 3-D array, refused with a clear reason when it cannot be
        judged; ``values=False``: its shape only (the caller checks the values with
        :meth:`_values`, e.g. in the series run's pool beside the first measurements)."""
        vol = np.asarray(volume_hu)
        if vol.ndim == 2:
            vol = vol[None]
        if vol.ndim != 3 or vol.shape[1] != vol.shape[2] or vol.shape[1] < 64:
            raise InputRejected(f"The AI check needs square CT slices of at least 64 x 64, "
                                f"got an array of shape {vol.shape}.")
        if values:
            AiChecker._values(vol)
        return vol

    @staticmethod
    def _values(vol: np.ndarray) -> None:
        # min and max propagate NaN and hold an infinity: both finite <=> every value
        # is (two passes over the series instead of three and a mask of its size)
        lo, hi = float(vol.min()), float(vol.max())
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise InputRejected("The image contains non-finite values (NaN or infinity).")
        if lo < -3100 or hi > 32000 or hi - lo < 50:
            raise InputRejected(f"The image does not look like a CT image in HU (range "
                                f"{lo:.0f} .. {hi:.0f}).")

    @staticmethod
    def _indices(nz: int, indices: list[int] | None) -> list[int]:
        if indices is None:
            # the input is a slice with both neighbours: the first and last slices of a
            # series have only one (they are judged only in a series of one or two)
            return list(range(1, nz - 1)) if nz >= 3 else list(range(nz))
        return list(indices)

    def inputs_for(self, volume_hu: np.ndarray, indices: list[int] | None = None
                   ) -> tuple[list[int], np.ndarray]:
        """Legacy input (models before 2.0): 3 slices area-resampled to 256 x 256."""
        vol = self._volume(volume_hu)
        idx = self._indices(vol.shape[0], indices)
        # resample each needed slice once (a slice is the neighbour of two others)
        nz = vol.shape[0]
        needed = sorted({min(max(j, 0), nz - 1) for i in idx for j in (i - 1, i, i + 1)})
        small = {j: resample(vol[j]) for j in needed}
        return idx, np.stack([np.stack([small[min(max(j, 0), nz - 1)] for j in (i - 1, i, i + 1)])
                              for i in idx]).astype(np.float32)

    def prepared(self, volume_hu: np.ndarray, indices: list[int] | None = None,
                 pixel_mm: float | None = None
                 ) -> tuple[list[int], dict[str, np.ndarray], list[str], float | None]:
        """(indices, ONNX feeds, per-slice problem ('' = judgeable), pixel size used)."""
        if not self.uses_context:
            idx, x = self.inputs_for(volume_hu, indices)
            return idx, {self.onnx.input_names[0]: x}, [""] * len(idx), pixel_mm
        from app.ct.ai.normalise import prepare

        vol = self._volume(volume_hu)
        idx = self._indices(vol.shape[0], indices)
        px = float(pixel_mm) if pixel_mm else ASSUMED_FOV_MM / vol.shape[1]
        x, ctx, problems = prepare(vol, px, idx, self.evidence_layout)
        if self.scheme == SCHEME_SHELL:
            from app.ct.ai.shell_step import with_shell

            ctx = with_shell(x, ctx)
        return idx, {"image": x, "context": ctx}, problems, px

    def _run(self, feeds: dict[str, np.ndarray], batch_size: int,
             token: CancelToken | None, progress: Callable[[float, str], None]
             ) -> dict[str, np.ndarray]:
        n = len(next(iter(feeds.values())))
        parts: dict[str, list[np.ndarray]] = {}
        for start in range(0, n, batch_size):
            out = self.onnx.run({k: np.ascontiguousarray(v[start:start + batch_size])
                                 for k, v in feeds.items()}, token)
            for k, v in out.items():
                parts.setdefault(k, []).append(v)
            progress(min(1.0, (start + batch_size) / max(n, 1)), "inference")
        return {k: np.concatenate(v) for k, v in parts.items()}

    def classify(self, volume_hu: np.ndarray, indices: list[int] | None = None, *,
                 pixel_mm: float | None = None, batch_size: int = 16,
                 token: CancelToken | None = None,
                 progress: Callable[[float, str], None] = no_progress,
                 module_plateaus: Sequence[Plateau] | None = None) -> AiResult:
        """``module_plateaus``: the localised modules' plateaus (:mod:`app.ct.ai.modules`)
        when the caller knows the slice positions; the band gate reads them."""
        t0 = time.perf_counter()
        levels: dict[int, Level] = {}
        noise_sd: dict[int, float] = {}
        if self.uses_context:
            # measurements and network overlapped on all cores (series_run)
            from app.ct.ai.series_run import run_series

            vol = self._volume(volume_hu, values=False)
            idx = self._indices(vol.shape[0], indices)
            px = float(pixel_mm) if pixel_mm else ASSUMED_FOV_MM / vol.shape[1]
            # the values' check is the pool's first task: a refused series raises it
            # before any result is used (the measurements beside it are discarded)
            # + the edge-ring rule's measurements of every judged slice (edge_ring.py)
            from app.ct.ai.edge_ring import EdgeRingModel, measure_every
            from app.ct.ai.normalise import grid_rotation_centre

            rc = grid_rotation_centre(vol.shape[1], px)
            model = EdgeRingModel(self.onnx, rc, vol.shape[1] * px / 2.0,
                                  every=measure_every(len(idx)))
            run = run_series(model, vol, px, idx, batch_size=batch_size, token=token,
                             progress=progress, evidence=self.evidence_layout,
                             check=lambda: self._values(vol), ring_gate_centre=rc,
                             spectrum=self.streak_floor is not None,
                             streak_gate=self.streak_levels)
            out, problems, digests = run.outputs, run.problems, run.digests
            infer_s = run.inference_s
            levels, noise_sd = run.levels, run.noise
        else:
            idx, feeds, problems, px = self.prepared(volume_hu, indices, pixel_mm)
            t1 = time.perf_counter()
            out = self._run(feeds, batch_size, token, progress)
            infer_s = time.perf_counter() - t1
            x = next(iter(feeds.values()))
            digests = [_digest(x[k]) for k in range(len(idx))]
        t2 = time.perf_counter()
        probs = out.get("probabilities", np.zeros((0, len(CLASSES)), np.float32))
        anomaly = out.get("anomaly", np.zeros(0, np.float32))
        verdicts = []
        problems = list(problems)      # + the anomaly's reason, per slice
        edge = None
        if "edge_ring" in out:         # a ring at the phantom's edge, measured (physics rule)
            from app.ct.ai.edge_ring import apply as edge_ring_rule

            probs, edge = edge_ring_rule(out, problems)
        edge_note = note("ai.edge_ring", radius_mm=edge.radius_mm,
                         amplitude_hu=abs(edge.amplitude_hu), z=edge.z) \
            if edge is not None and edge.ring else None
        gate_note = None
        if edge_note is None and "ring_gate" in out:
            # a network "ring" without a measurable ring is not one (ring_gate.py)
            from app.ct.ai.ring_gate import ARC_Z_MIN, FULL_Z_MIN
            from app.ct.ai.ring_gate import apply as ring_gate

            probs, n_gated = ring_gate(probs, out["ring_gate"], problems)
            if n_gated:
                gate_note = note("ai.ring_unmeasured", count=n_gated, full_z=FULL_Z_MIN,
                                 arc_z=ARC_Z_MIN)
        band_note = None
        if levels:
            # a network "band" the central-disc levels refute is not one (band_gate.py)
            from app.ct.ai.band_gate import REFUTE_SE
            from app.ct.ai.band_gate import apply as band_gate
            from app.ct.ai.series_consistency import BAND_MIN_HU

            probs, n_band = band_gate(probs, idx, problems, levels, module_plateaus)
            if n_band:
                band_note = note("ai.band_unmeasured", count=n_band, min_hu=BAND_MIN_HU,
                                 se=REFUTE_SE)
        shift_note = None
        from app.ct.ai.shift_gate import GATE as SHIFT_GATE
        if SHIFT_GATE in out:
            # a network "shift" the air level and the uniformity refute is not one
            # (shift_gate.py)
            from app.ct.ai.shift_gate import REFUTE_HU
            from app.ct.ai.shift_gate import apply as shift_gate

            probs, n_shift = shift_gate(probs, out[SHIFT_GATE], problems)
            if n_shift:
                shift_note = note("ai.shift_unmeasured", count=n_shift, max_hu=REFUTE_HU)
        refute_note = None
        from app.ct.ai.streak_gate import GATE as STREAK_REFUTE
        if STREAK_REFUTE in out and self.streak_levels is not None:
            # a network "streak" that no streak measure shows is not one (streak_gate.py)
            from app.ct.ai.streak_gate import QUANTILE
            from app.ct.ai.streak_gate import apply as streak_gate

            probs, n_refuted = streak_gate(probs, out[STREAK_REFUTE], problems,
                                           self.streak_levels)
            if n_refuted:
                refute_note = note("ai.streak_unmeasured", count=n_refuted,
                                   pct=round(100 * QUANTILE))
        streak_note = None
        from app.ct.ai.streak_measured import GATE as STREAK_GATE
        if STREAK_GATE in out and self.streak_floor is not None:
            # a network "normal" whose streak spectrum no non-streak training slice
            # reached is a streak (streak_measured.py)
            from app.ct.ai.streak_measured import apply as streak_rule

            probs, n_streak = streak_rule(probs, out[STREAK_GATE], problems, self.streak_floor)
            if n_streak:
                streak_note = note("ai.streak_measured", count=n_streak,
                                   min_z=self.streak_floor)
        # "noise" is defined by the measured native noise SD: a slice unlike the training
        # data that the network calls noise, confidently, with that measure at or above
        # the class's floor is judged noise, not "not applicable" (the foreign renderer's
        # sharp noise texture at 40-70 HU read as unfamiliar)
        measured_noise = {k for k, i in enumerate(idx)
                          if not problems[k] and int(np.argmax(probs[k])) == NOISE
                          and float(probs[k][NOISE]) >= self.low_confidence
                          and noise_sd.get(int(i), 0.0) >= NOISE_CLASS_MIN_SD_HU}
        noise_na = 0
        for k, i in enumerate(idx):
            p = probs[k]
            label = CLASSES[int(np.argmax(p))]
            conf = float(np.max(p))
            an = float(anomaly[k])
            reasons = []
            problem = problems[k]
            if not problem and an > self.not_applicable:
                if k in measured_noise:
                    noise_na += 1
                else:
                    problem = note("ai.na_anomaly", anomaly=an, threshold=self.not_applicable)
                    problems[k] = problem
            # each reason coded (JSON "reason_codes"), its English text as before
            if problem:
                label = NOT_APPLICABLE
                reasons.append(note("ai.slice_not_applicable", why=problem))
            else:
                if label != "normal":
                    reasons.append(note("ai.slice_class", label=label, confidence=conf))
                if edge_note is not None:
                    reasons.append(edge_note)
                if conf < self.low_confidence:
                    reasons.append(note("ai.slice_low_confidence", confidence=conf,
                                        threshold=float(self.low_confidence)))
                if an > self.anomaly_threshold:
                    reasons.append(note("ai.slice_anomaly", anomaly=an))
            verdicts.append(SliceVerdict(
                slice_index=int(i), label=label, confidence=round(conf, 5),
                scores={c: round(float(v), 5) for c, v in zip(CLASSES, p)},
                anomaly=round(an, 4), flagged=bool(reasons) and not problem,
                reasons=tuple(reasons), input_sha256=digests[k]))
        card = self.onnx.card
        # the rules' and gates' notes, in the order they ran
        notes = [n for n in (edge_note, gate_note, band_note, shift_note, refute_note,
                             streak_note) if n is not None]
        if noise_na:
            notes.append(note("ai.noise_measured", count=noise_na,
                              min_sd=NOISE_CLASS_MIN_SD_HU))
        if self.uses_context and not pixel_mm:
            notes.append(note("ai.pixel_unknown", fov_mm=float(ASSUMED_FOV_MM),
                              pixel_mm=float(px)))
        return AiResult(model_id=card.name, model_version=card.version,
                        model_sha256=card.sha256, providers=tuple(self.onnx.providers),
                        slices=tuple(verdicts),
                        latency_ms_per_slice=infer_s * 1000 / max(len(idx), 1),
                        total_ms=(t2 - t0) * 1000,
                        thresholds={"anomaly": self.anomaly_threshold,
                                    "low_confidence": self.low_confidence,
                                    "not_applicable": self.not_applicable,
                                    "series_not_applicable_fraction": self.series_na_fraction,
                                    "series_weak_rate": round(self.weak_rate, 5),
                                    "series_alpha": self.series_alpha,
                                    **({"streak_measured_spec_z": self.streak_floor}
                                       if self.streak_floor is not None else {}),
                                    **({"streak_gate_levels": {
                                        n: float(v) for n, v in zip(STREAK_GATE_NAMES,
                                                                    self.streak_levels)}}
                                       if self.streak_levels is not None else {})},
                        not_applicable_reason=self._series_reason(verdicts, problems),
                        pixel_mm=px, notes=tuple(notes), levels=levels)

    def _series_reason(self, verdicts: list[SliceVerdict], problems: list[str] | None = None
                       ) -> str:
        """The series' "not applicable" reason: the most frequent slice reason with its
        count (a coded note when that reason is one: e.g. metal in the field, whose
        measured area differs per slice - the largest is named); '' when enough slices
        can be judged."""
        na = [k for k, v in enumerate(verdicts) if v.label == NOT_APPLICABLE]
        if not verdicts or len(na) < self.series_na_fraction * len(verdicts):
            return ""
        why: dict[str, int] = {}
        coded: dict[str, Note] = {}
        for k in na:
            p = problems[k] if problems is not None and k < len(problems) else ""
            if isinstance(p, Note) and p.code == "ai.na_anomaly":
                key = str(note("ai.na_unlike"))   # the numbers differ per slice
                coded[key] = note("ai.na_unlike")
            elif isinstance(p, Note) and p.code and p.code != "ai.na_metal":
                key = str(p)       # as the text counted them
                coded[key] = p
            elif isinstance(p, Note) and p.code:
                key = p.code       # one reason, whatever the measured numbers
                best = coded.get(key)
                if best is None or float(p.params.get("area_mm2", 0)) > \
                        float(best.params.get("area_mm2", 0)):
                    coded[key] = p
            else:
                text = verdicts[k].reasons[0].removeprefix("AI not applicable: ")
                key = text.split(" (anomaly")[0]
            why[key] = why.get(key, 0) + 1
        top = max(why, key=lambda k: why[k])
        if top in coded:
            return note("ai.na_series", why=coded[top], count=len(na), total=len(verdicts))
        return f"{top} ({len(na)} of {len(verdicts)} slices)"

    def explain(self, volume_hu: np.ndarray, index: int, *, grid: int = 8,
                pixel_mm: float | None = None, token: CancelToken | None = None) -> np.ndarray:
        """Occlusion sensitivity (grid x grid patches) -> heatmap 0..1 at 256 x 256 (the
        model's input grid).

        Each patch is replaced by the local median (a neutral fill); the heat is how
        much the 'normal' probability rises (or the anomaly falls) when it is hidden:
        the places that make the image look abnormal.
        """
        _, feeds, _, _ = self.prepared(volume_hu, [index], pixel_mm)
        base = self.onnx.run(feeds, token)
        p0, a0 = float(base["probabilities"][0][0]), float(base["anomaly"][0])
        name = "image" if "image" in feeds else next(iter(feeds))
        x = feeds[name]
        step = INPUT_SIZE // grid
        batch = {k: np.repeat(v, grid * grid, axis=0) for k, v in feeds.items()}
        fill = np.median(x[0], axis=(1, 2))
        for gy in range(grid):
            for gx in range(grid):
                k = gy * grid + gx
                batch[name][k, :, gy * step:(gy + 1) * step, gx * step:(gx + 1) * step] = \
                    fill[:, None, None]
        out = self._run(batch, 16, token, no_progress)
        gain = (out["probabilities"][:, 0] - p0) + 0.25 * np.maximum(a0 - out["anomaly"], 0)
        heat = np.clip(gain, 0, None).reshape(grid, grid)
        if heat.max() > 0:
            heat = heat / heat.max()
        import cv2

        return cv2.resize(heat.astype(np.float32), (INPUT_SIZE, INPUT_SIZE),
                          interpolation=cv2.INTER_CUBIC).clip(0, 1)
