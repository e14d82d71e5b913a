"""The image-review station's Qt-free facade, shared by the panel and the CLI.

* ``load_input(paths)``: a DICOM series (folder or files, CT only) or a ``.npy`` volume
  in HU -> :class:`LoadedInput`.
* ``ai_json(result, series_uid)``: the ``pharos ai classify`` JSON contract.
* :class:`ReviewService` (built from a StationContext): the review queue with the
  configured two-person rule, the AI check (or the reason it is unavailable: a model
  that is missing, truncated or altered is refused by the registry and the station
  carries on with physics checks only), AI verdict records, series intake, heatmaps.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from app.core.errors import Cancelled, InputRejected, ModelIntegrityError, PharosError
from app.core.tasks import CancelToken, no_progress
from app.ct.ai.check import AiChecker, AiResult
from app.ct.note_codes import code_entries, code_entry, note
from app.ct.review import ReviewItem, ReviewQueue, ai_note, flag_reasons

KIND_AI_VERDICT = "review.ai_verdict"
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class LoadedInput:
    volume: np.ndarray              # (slices, rows, columns) float32, HU
    series_uid: str | None
    scanner_serial: str
    source: str
    kind: str                       # "dicom" or "npy"
    series: Any = None              # the ct_qc LoadedSeries (DICOM input)

    @property
    def pixel_mm(self) -> float | None:
        """In-plane pixel size (DICOM PixelSpacing); None for a .npy volume."""
        px = getattr(self.series, "pixel_mm", None)
        return float(px) if px else None


def load_input(paths: str | Path | Iterable[str | Path], *,
               series_uid: str | None = None) -> LoadedInput:
    """Read a CT series (DICOM folder / files, modality CT) or a ``.npy`` HU volume."""
    items = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not items:
        raise InputRejected("No input given.", remedy="Give a DICOM series folder, "
                            "DICOM files or a .npy volume.")
    if len(items) == 1 and items[0].suffix.lower() == ".npy":
        return _load_npy(items[0])
    from app.ct.dicom_load import load_series

    series = load_series(items if len(items) > 1 else items[0], series_uid=series_uid,
                         require_ct=True)
    hdr = series.header
    return LoadedInput(volume=series.volume, series_uid=hdr.get("series_uid"),
                       scanner_serial=str(hdr.get("scanner_serial") or "unknown"),
                       source=str(items[0]), kind="dicom", series=series)


def _load_npy(path: Path) -> LoadedInput:
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputRejected(f"{path.name}: not a readable .npy array ({exc}).") from exc
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "fiu":
        raise InputRejected(f"{path.name}: a numeric HU volume is required, got "
                            f"dtype {getattr(arr, 'dtype', type(arr))}.")
    vol = arr.astype(np.float32)
    if vol.ndim == 2:
        vol = vol[None]
    if vol.ndim != 3:
        raise InputRejected(f"{path.name}: a volume (slices, rows, columns) or one slice "
                            f"is required, got shape {arr.shape}.")
    return LoadedInput(volume=vol, series_uid=None, scanner_serial="unknown",
                       source=str(path), kind="npy")


def ai_json(result: AiResult, series_uid: str | None) -> dict:
    """The ``pharos ai classify --json`` contract (keys are stable)."""
    return {
        "model": {"id": result.model_id, "version": result.model_version,
                  "sha256": result.model_sha256, "providers": list(result.providers)},
        "series_uid": series_uid,
        "images": [{"slice_index": s.slice_index, "class": s.label, "scores": s.scores,
                    "anomaly_score": s.anomaly, "confidence": s.confidence,
                    "flagged": s.flagged, "reasons": [str(r) for r in s.reasons],
                    "reason_codes": code_entries(s.reasons),
                    "input_sha256": s.input_sha256} for s in result.slices],
        "series_class": result.label,
        "series_evidence": result.decision()[1].to_dict(),
        "flagged": result.flagged,
        "applicable": result.applicable,
        "not_applicable_reason": result.not_applicable_reason,
        "not_applicable_reason_code": code_entry(result.not_applicable_reason),
        "pixel_mm": result.pixel_mm,
        "notes": list(result.notes),
        "note_codes": code_entries(result.notes),
        "latency_ms_per_slice": round(result.latency_ms_per_slice, 3),
    }


def physics_summary(qc_result: Any) -> dict:
    """What a review item keeps of a CT QC result (ct_qc QcResult or its dict)."""
    d = qc_result if isinstance(qc_result, dict) else qc_result.to_dict()
    return {"verdict": d.get("verdict"), "phantom": d.get("phantom"),
            "result_id": d.get("result_id", ""),
            "profile": d.get("profile", {}),
            "artifacts": list(d.get("artifacts", [])),
            "measurements": [{k: m.get(k) for k in ("key", "value", "unit", "verdict",
                                                    "limits")}
                             for m in d.get("measurements", [])]}


def physics_for(inp: LoadedInput, *, token: CancelToken | None = None,
                progress: Progress = no_progress) -> dict:
    """The CT QC physics verdict of a DICOM series (ct_qc analysis, default limit
    profile by phantom). An analysis that cannot decide is an ERROR verdict, kept."""
    if inp.series is None:
        return {}
    from app.ct.analysis import analyze_series
    from app.ct.limits import resolve_profile

    try:
        result = analyze_series(inp.series, phantom="auto",
                                profile=lambda phantom: resolve_profile("auto", phantom),
                                token=token, progress=progress)
    except Cancelled:
        raise
    except PharosError as exc:
        return {"verdict": "ERROR", "error": exc.message, "artifacts": [], "measurements": []}
    return physics_summary(result)


def slices_around(volume: np.ndarray, index: int) -> np.ndarray:
    """(3, rows, columns): slices index-1, index, index+1 (edges repeat)."""
    nz = volume.shape[0]
    return np.stack([volume[min(max(i, 0), nz - 1)] for i in (index - 1, index, index + 1)])


def _default_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


class ReviewService:
    """The station's logic for one StationContext (panel and CLI share it)."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.queue = ReviewQueue.for_data_folder(ctx.store, ctx.signatures, ctx.config.data_dir,
                                                 two_person_rejection=self.two_person_rule())
        self._checker: AiChecker | None = None
        self._ai_error: PharosError | None = None

    def two_person_rule(self) -> bool:
        cfg = self.ctx.config
        if cfg is not None:
            try:
                return bool(cfg.get("security", "two_person_rejection"))
            except (KeyError, AttributeError):
                pass
        return bool(self.ctx.settings.get("two_person_rejection", False))

    # --- AI ------------------------------------------------------------------------------
    def ai_checker(self, *, retry: bool = False) -> AiChecker:
        """The loaded classifier; ModelIntegrityError (cached) when it is refused."""
        if self._checker is not None:
            return self._checker
        if self._ai_error is not None and not retry:
            raise self._ai_error
        try:
            if self.ctx.models is None:
                raise ModelIntegrityError(note("model.no_registry_configured"))
            self._checker = AiChecker.from_registry(self.ctx.models)
            self._ai_error = None
        except ModelIntegrityError as exc:
            self._ai_error = exc
            raise
        return self._checker

    def ai_status(self, *, retry: bool = False) -> tuple[bool, str]:
        """(available, text): 'AI check unavailable: <reason> - physics checks only'."""
        try:
            checker = self.ai_checker(retry=retry)
        except ModelIntegrityError as exc:
            return False, f"AI check unavailable: {exc.message} - physics checks only"
        card = checker.onnx.card
        return True, (f"AI check: {card.name} {card.version} (sha256 {card.sha256[:12]}…) "
                      f"on {', '.join(checker.onnx.providers)}")

    def classify(self, volume: np.ndarray, indices: list[int] | None = None, *,
                 pixel_mm: float | None = None, token: CancelToken | None = None,
                 progress: Progress = no_progress, series: Any = None) -> AiResult:
        """``series``: the loaded DICOM series (its slice positions and thickness): the
        phantom's modules are localised for the band gate (app.ct.ai.modules)."""
        checker = self.ai_checker()
        plateaus = None
        if series is not None:
            from app.ct.ai.modules import module_plateaus

            plateaus = module_plateaus(volume, series.slice_positions_mm,
                                       pixel_mm or series.pixel_mm, series.slice_thickness_mm)
        return checker.classify(volume, indices, pixel_mm=pixel_mm, token=token,
                                progress=progress, module_plateaus=plateaus)

    def record_ai_verdict(self, result: AiResult, *, series_uid: str | None,
                          scanner_serial: str, source: str, username: str | None = None
                          ) -> str:
        """Store the AI verdict (model id, version, sha256, per-slice input digests,
        scores, latency) as an append-only record; returns its id."""
        payload = dict(ai_json(result, series_uid), scanner_serial=scanner_serial,
                       source=source, thresholds=result.thresholds)
        rec = self.ctx.store.add_record(
            KIND_AI_VERDICT, scanner_serial, payload, username=username or _default_user(),
            ref=series_uid or "", verdict="FLAG" if result.flagged else "PASS")
        return rec.id

    def heatmap(self, item: ReviewItem, image: np.ndarray, *,
                token: CancelToken | None = None) -> np.ndarray | None:
        """Occlusion heatmap (0..1) of the item's centre slice at the image's size;
        None when the AI check is unavailable."""
        try:
            checker = self.ai_checker()
        except ModelIntegrityError:
            return None
        heat = checker.explain(image, 1, pixel_mm=(item.ai or {}).get("pixel_mm"),
                               token=token)
        rows, cols = image.shape[1:]
        if heat.shape != (rows, cols):
            import cv2

            heat = cv2.resize(heat, (cols, rows), interpolation=cv2.INTER_LINEAR)
        return heat.clip(0, 1).astype(np.float32)

    # --- intake ---------------------------------------------------------------------------
    def check_series(self, inp: LoadedInput, *, analysed_by: str, physics: dict | None = None,
                     baseline: np.ndarray | None = None, qc_record_id: str = "",
                     token: CancelToken | None = None, progress: Progress = no_progress
                     ) -> tuple[AiResult | None, ReviewItem | None]:
        """AI check of a series (when available) + the physics verdict -> the queue.

        Returns (AI result or None when unavailable, the queued item or None when
        nothing needs a person). ``baseline``: the scanner's accepted baseline volume.
        """
        physics = physics or {}
        try:
            result = self.classify(inp.volume, pixel_mm=inp.pixel_mm, token=token,
                                   progress=progress, series=inp.series)
        except ModelIntegrityError as exc:
            result, unavailable = None, exc.message
        else:
            unavailable = ""
            assert result is not None   # classify() returned (mypy does not narrow into else)
            self.record_ai_verdict(result, series_uid=inp.series_uid,
                                   scanner_serial=inp.scanner_serial, source=inp.source,
                                   username=analysed_by)
        if result is not None:
            ai = result.to_dict()
            index = result.worst_slice().slice_index
            reasons = flag_reasons(ai, physics)
            if not physics:         # no physics verdict: nothing to disagree with
                reasons = [r for r in reasons if r != "disagreement"]
            note = ai_note(ai, physics) if physics else ""
            if note:                # the AI beside the physics, as the reviewer reads it
                ai["note"], ai["note_code"] = str(note), code_entry(note)
        else:
            ai = {"label": None, "unavailable": str(unavailable),
                  "unavailable_code": code_entry(unavailable)}
            index = _worst_physics_slice(physics, inp.volume.shape[0])
            reasons = (["failed_limits"] if physics.get("verdict") in ("FAIL", "ERROR")
                       else [])
        base = None
        if baseline is not None and baseline.ndim == 3 and baseline.shape[0] > 0:
            base = slices_around(baseline, min(index, baseline.shape[0] - 1))
        item = self.queue.submit(scanner_serial=inp.scanner_serial,
                                 series_uid=inp.series_uid or inp.source,
                                 slice_index=index, ai=ai, physics=physics,
                                 analysed_by=analysed_by,
                                 image=slices_around(inp.volume, index), baseline=base,
                                 qc_record_id=qc_record_id, reasons=reasons)
        return result, item


def _worst_physics_slice(physics: dict, n_slices: int) -> int:
    for art in physics.get("artifacts", []):
        rng = (art.get("location") or {}).get("slice_range")
        if isinstance(rng, (list, tuple)) and rng:
            return int(min(max(int(rng[0]), 0), n_slices - 1))
    return n_slices // 2
