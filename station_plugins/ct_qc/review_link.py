"""The CT QC station's link to the image-review station (Qt-free).

After every analysis :meth:`ReviewLink.check` runs the AI hand-off
(``image_review.handoff.check_and_queue``): the AI verdict is stored beside the physics
result (record kind ``ct_qc.ai_verdict``) and flagged series are queued for reviewers,
with the scanner's accepted baseline image beside them. :func:`holds` reads the holds
the image-review station placed on scanners.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from app.core.tasks import CancelToken, no_progress

AI_KIND = "ct_qc.ai_verdict"


class ReviewLink:
    """The hand-off to the image-review station (AI check + reviewer queue), Qt-free."""

    def __init__(self, store: Any, signatures: Any, models: Any, data_root: Path, *,
                 two_person_rejection: bool = False) -> None:
        self.store, self.signatures, self.models = store, signatures, models
        self.data_root = Path(data_root)        # the workstation's data folder
        self.two_person_rejection = two_person_rejection

    @classmethod
    def from_ctx(cls, ctx: Any) -> "ReviewLink":
        try:
            two = bool(ctx.config.get("security", "two_person_rejection"))
        except (AttributeError, KeyError):
            two = False
        return cls(ctx.store, ctx.signatures, ctx.models, Path(ctx.config.data_dir),
                   two_person_rejection=two)

    def queue(self) -> Any:
        from app.ct.review import ReviewQueue

        return ReviewQueue.for_data_folder(self.store, self.signatures, self.data_root,
                                           two_person_rejection=self.two_person_rejection)

    def availability(self) -> tuple[bool, str]:
        from app.ct.ai.handoff import checker_or_reason

        checker, reason = checker_or_reason(self.models)
        return checker is not None, reason

    def check(self, outcome: Any, *, username: str, baseline: Any = None,
              token: CancelToken | None = None, progress: Callable = no_progress) -> dict:
        """Run check_and_queue; an AI failure is stored as 'unavailable' with its reason
        (the physics verdict stands alone), never lost."""
        from app.core.errors import Cancelled, PharosError
        from app.ct.ai.handoff import (cancelled_reason, check_and_queue, checker_or_reason,
                                       failed_reason)

        res = outcome.result
        kw = dict(store=self.store, queue=self.queue(), volume_hu=outcome.series.volume,
                  result_payload=json.loads(res.to_json()),
                  scanner_serial=(res.inputs or {}).get("scanner_serial")
                  or outcome.entry.scanner_serial or "unknown",
                  series_uid=(res.inputs or {}).get("series_uid") or outcome.entry.series_uid,
                  qc_record_id=outcome.record_id, username=username,
                  baseline_volume=baseline.volume() if baseline is not None else None,
                  pixel_mm=getattr(outcome.series, "pixel_mm", None))
        checker, reason = checker_or_reason(self.models)
        try:
            check_and_queue(checker=checker, unavailable_reason=reason, token=token,
                            progress=progress, **kw)
        except Cancelled:
            check_and_queue(checker=None, unavailable_reason=cancelled_reason(), **kw)
            raise
        except PharosError as exc:      # stored with its code: shown in the user's language
            check_and_queue(checker=None, unavailable_reason=failed_reason(exc), **kw)
        return self.stored_verdict(kw["series_uid"])

    def stored_verdict(self, series_uid: str) -> dict:
        """The newest stored AI verdict of a series (with review_reasons, disagreement)."""
        rows = self.store.query_records(kind=AI_KIND, ref=series_uid, limit=1)
        return dict(rows[0].payload, record_id=rows[0].id) if rows else {}

    def holds(self) -> dict[str, dict]:
        """Active holds by scanner serial: {serial: {reason, since, username, ...}}."""
        return self.queue().held_scanners()


def ai_verdicts(store: Any, limit: int = 5000) -> dict[str, dict]:
    """The newest stored AI verdict per series UID (payload + record id)."""
    out: dict[str, dict] = {}
    for row in store.query_records(kind=AI_KIND, limit=limit):
        if row.ref not in out:
            out[row.ref] = dict(row.payload, record_id=row.id)
    return out


def ai_summary(ai: dict | None) -> dict:
    """What the panel shows of an AI verdict: state available / unavailable / none."""
    if not ai:
        return {"state": "none"}
    if not ai.get("available"):
        return {"state": "unavailable", "reason": ai.get("reason") or "unknown reason",
                "reason_code": ai.get("reason_code")}      # its code, or None
    return {"state": "available", "label": ai.get("label"), "verdict": ai.get("verdict"),
            "flagged": bool(ai.get("flagged")),
            "disagreement": bool(ai.get("disagreement")),
            "note": str(ai.get("note") or ""),
            "note_code": ai.get("note_code"),      # its code (app.ct.note_codes), or None
            "not_applicable_reason": str(ai.get("not_applicable_reason") or ""),
            "not_applicable_reason_code": ai.get("not_applicable_reason_code"),
            "review_reasons": list(ai.get("review_reasons") or []),
            "model": f"{ai.get('model_id', '')} {ai.get('model_version', '')}".strip()}
