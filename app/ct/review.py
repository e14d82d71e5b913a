"""The reviewer queue (Qt-free): flagged images in, signed decisions out.

Everything is an append-only record in the local store (synced centrally):

  review.item        a flagged series/slice: why (AI abnormal, low confidence, AI vs
                     physics disagreement, failed limits), the AI and physics verdicts,
                     who analysed it, the image (npz, sha256-checked)
  review.assignment  item -> reviewer
  review.decision    approve / reject with a controlled reason, free text and the id
                     of the electronic signature it was recorded under
  review.hold        a rejected scanner is held (the CT QC station shows it); released
                     by a later approval of the same scanner

The state of an item is the fold of its events. Deciding happens in one write
transaction that first re-reads the item's state: of two reviewers deciding at once,
one wins and the other gets a ConflictError naming the winner.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import InputRejected, PermissionDenied, PharosError, ValidationError
from app.core.ids import new_id, utc_iso
from app.ct.note_codes import note, restore
from app.ct.review_proportion import contradictions

KIND_ITEM, KIND_ASSIGN, KIND_DECISION, KIND_HOLD = (
    "review.item", "review.assignment", "review.decision", "review.hold")

APPROVE_REASONS = {
    "artifact_absent": "No artifact on review (AI false positive)",
    "artifact_acceptable": "Artifact present but within acceptance",
    "phantom_positioning": "Phantom positioning, not a scanner defect",
}
REJECT_REASONS = {
    "ring_artifact": "Ring / arc artifact",
    "streak_artifact": "Streak artifact",
    "band_artifact": "Band / z-banding artifact",
    "noise_excess": "Excess noise",
    "ct_number_shift": "CT-number shift",
    "blur_geometry": "Blur / geometry defect",
    "other_defect": "Other image-quality defect",
}
PRIORITY = {"failed_limits": 3, "disagreement": 2, "ai_abnormal": 1, "anomaly": 1,
            "low_confidence": 0}


class ConflictError(PharosError):
    code = "PH-REVIEW-CONFLICT"
    remedy = "Reload the queue: another reviewer decided this item first."


@dataclass
class ReviewItem:
    id: str
    created_utc: str
    scanner_serial: str
    series_uid: str
    slice_index: int
    reasons: list[str]
    priority: int
    ai: dict
    physics: dict
    analysed_by: str
    image_path: str
    image_sha256: str
    qc_record_id: str = ""
    assigned_to: str | None = None
    status: str = "open"        # open / awaiting_second / approved / rejected
    decisions: list[dict] = field(default_factory=list)

    @property
    def ai_label(self) -> str:
        return str(self.ai.get("label", ""))

    @property
    def disagreement(self) -> bool:
        return "disagreement" in self.reasons


def flag_reasons(ai: dict, physics: dict) -> list[str]:
    """Why a series goes to a reviewer (empty: it does not).

    In proportion: only a confident AI class against a physics PASS, or an AI "normal"
    against a physics FAIL that answers the AI's own question (an artifact at action
    level on the slices the AI judged, a noise or MTF failure beyond the AI class's
    definition: review_proportion.contradictions), is a "disagreement"; an AI "normal"
    next to other failed limits is queued for them ("failed_limits") with a note, and
    next to an artifact at WARNING level it is a note (ai_note). An uncertain AI (low confidence,
    no supported class) next to a physics PASS is a note ("low_confidence", the lowest
    priority), never a disagreement. When the AI is not applicable to the series, the
    physics decides alone: only failed limits send it to a reviewer.
    """
    reasons = []
    label = ai.get("label")
    phys_artifacts = physics.get("artifacts", [])
    phys_bad = physics.get("verdict") in ("FAIL", "ERROR")
    phys_artifact = any(a.get("verdict") in ("WARN", "FAIL") for a in phys_artifacts)
    phys_fail_artifact = any(a.get("verdict") == "FAIL" for a in phys_artifacts)
    if label == "not_applicable" or ai.get("applicable") is False:
        return ["failed_limits"] if phys_bad else []
    ai_abnormal = label not in (None, "normal", "uncertain")
    slices = [s for s in ai.get("slices", []) if s.get("label") != "not_applicable"]
    if ai_abnormal:
        reasons.append("ai_abnormal")
    # weak slice flags count when they make the series "uncertain" (ai_check.AiResult.label;
    # a verdict without a series label - older records - counts every slice)
    if label in ("uncertain", None) or ai_abnormal:
        low = any("low confidence" in r for s in slices for r in s.get("reasons", []))
        odd = any("fits no class" in r for s in slices for r in s.get("reasons", []))
        if low or (label == "uncertain" and not odd):
            reasons.append("low_confidence")
        if odd:
            reasons.append("anomaly")
    if phys_bad:
        reasons.append("failed_limits")
    if (label == "normal" and (phys_fail_artifact or phys_bad)
            and contradictions(ai, physics)[0]) or \
            (ai_abnormal and not (phys_artifact or phys_bad)):
        reasons.append("disagreement")
    return reasons


def ai_note(ai: dict, physics: dict) -> str:
    """A one-line note when the AI neither agrees nor disagrees (shown in proportion:
    information, not an alarm); '' otherwise. The English text is the record; it is a
    coded note (app.ct.note_codes: its code and parameters go beside it as ``note_code``)."""
    label = ai.get("label")
    if label == "not_applicable" or ai.get("applicable") is False:
        why = restore(ai.get("not_applicable_reason"), ai.get("not_applicable_reason_code")) \
            or "the input is unlike its training"
        return note("ai.not_applicable", why=why if isinstance(why, str) else str(why))
    if label == "normal" and physics.get("verdict") in ("FAIL", "ERROR"):
        against, beside = contradictions(ai, physics)
        if beside and not against:
            return note("ai.physics_beside", verdict=str(physics.get("verdict")),
                        findings=beside)
    warned = sorted({a.get("type") or "?" for a in physics.get("artifacts", [])
                     if a.get("verdict") == "WARN"})
    if label == "normal" and warned and physics.get("verdict") not in ("FAIL", "ERROR"):
        return note("ai.physics_warns", kinds=[str(k) for k in warned])
    ev = ai.get("series_evidence") or {}
    weak = (note("ai.weak_evidence", weak=ev["weak"], judged=ev["judged"],
                 expected=ev["expected_weak"], p_value=ev["p_value"])
            if {"weak", "judged", "expected_weak", "p_value"} <= set(ev) else "")
    if label == "uncertain":
        verdict = str(physics.get("verdict") or "none")
        return (note("ai.uncertain_weak", evidence=weak, verdict=verdict) if weak else
                note("ai.uncertain", verdict=verdict))
    if label == "normal" and weak and ev["weak"] > 0:
        return note("ai.normal_weak", evidence=weak)
    return ""


def _conflict(current: ReviewItem) -> ConflictError:
    if not current.decisions:
        return ConflictError(f"This item changed meanwhile (now {current.status}).")
    last = current.decisions[-1]
    return ConflictError(f"This item was decided meanwhile by {last['username']} "
                         f"({last['decision']}, {last['created_utc']}); it is now "
                         f"{current.status}.")


def review_image_dir(data_root: Path) -> Path:
    """The review images of a workstation's data folder."""
    return Path(data_root) / "review_images"


class ReviewQueue:
    def __init__(self, store: Any, signatures: Any, image_dir: Path, *,
                 two_person_rejection: bool = False,
                 legacy_image_dirs: tuple[Path, ...] = ()) -> None:
        self.store = store
        self.signatures = signatures
        self.image_dir = Path(image_dir)
        self.legacy_image_dirs = tuple(Path(d) for d in legacy_image_dirs)
        self.two_person = two_person_rejection

    # --- intake ------------------------------------------------------------------------
    def submit(self, *, scanner_serial: str, series_uid: str, slice_index: int, ai: dict,
               physics: dict, analysed_by: str, image: np.ndarray,
               baseline: np.ndarray | None = None, qc_record_id: str = "",
               reasons: list[str] | None = None) -> ReviewItem | None:
        """Queue a series when it needs a person; returns None when it does not."""
        reasons = reasons if reasons is not None else flag_reasons(ai, physics)
        if not reasons:
            return None
        img = np.asarray(image, dtype=np.float32)
        if img.ndim != 3 or img.shape[0] != 3:
            raise InputRejected(f"A review image is three adjacent slices, got {img.shape}.")
        item_id = new_id()
        self.image_dir.mkdir(parents=True, exist_ok=True)
        path = self.image_dir / f"{item_id}.npz"
        arrays: dict[str, Any] = {"image": img.astype(np.float16)}
        if baseline is not None:
            arrays["baseline"] = np.asarray(baseline, dtype=np.float16)
        np.savez_compressed(path, **arrays)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        payload = {"scanner_serial": scanner_serial, "series_uid": series_uid,
                   "slice_index": int(slice_index), "reasons": reasons,
                   "priority": max(PRIORITY.get(r, 0) for r in reasons), "ai": ai,
                   "physics": physics, "analysed_by": analysed_by,
                   "image_path": path.name, "image_sha256": sha,
                   "qc_record_id": qc_record_id}
        self.store.add_record(KIND_ITEM, scanner_serial, payload, username=analysed_by,
                              ref=series_uid, verdict="FLAG", record_id=item_id)
        return self.get(item_id)

    # --- state -------------------------------------------------------------------------
    def _events(self, kind: str, item_id: str | None = None) -> list[Any]:
        rows = self.store.query_records(kind, limit=1_000_000, newest_first=False)
        return [r for r in rows if item_id is None or r.payload.get("item_id") == item_id]

    def _fold(self, rec: Any, assigns: list[Any], decisions: list[Any]) -> ReviewItem:
        p = rec.payload
        item = ReviewItem(id=rec.id, created_utc=rec.created_utc,
                          scanner_serial=p["scanner_serial"], series_uid=p["series_uid"],
                          slice_index=p["slice_index"], reasons=list(p["reasons"]),
                          priority=p["priority"], ai=p["ai"], physics=p["physics"],
                          analysed_by=p["analysed_by"], image_path=p["image_path"],
                          image_sha256=p["image_sha256"], qc_record_id=p.get("qc_record_id", ""))
        for a in assigns:
            item.assigned_to = a.payload["reviewer"]
        for d in decisions:
            dp = dict(d.payload, created_utc=d.created_utc, username=d.username)
            item.decisions.append(dp)
            item.status = dp["status"]
        return item

    def items(self, *, status: str | None = None, scanner: str | None = None,
              ai_class: str | None = None, since: str | None = None,
              until: str | None = None, sort: str = "priority") -> list[ReviewItem]:
        recs = self.store.query_records(KIND_ITEM, limit=1_000_000, newest_first=False)
        assigns: dict[str, list] = {}
        for a in self._events(KIND_ASSIGN):
            assigns.setdefault(a.payload["item_id"], []).append(a)
        decs: dict[str, list] = {}
        for d in self._events(KIND_DECISION):
            decs.setdefault(d.payload["item_id"], []).append(d)
        out = []
        for r in recs:
            it = self._fold(r, assigns.get(r.id, []), decs.get(r.id, []))
            if status and it.status != status:
                continue
            if scanner and it.scanner_serial != scanner:
                continue
            if ai_class and it.ai_label != ai_class:
                continue
            if since and it.created_utc < since:
                continue
            if until and it.created_utc > until:
                continue
            out.append(it)
        if sort == "priority":
            out.sort(key=lambda i: (-i.priority, i.created_utc))
        elif sort == "age":
            out.sort(key=lambda i: i.created_utc)
        return out

    def get(self, item_id: str) -> ReviewItem:
        rec = self.store.get_record(item_id)
        if rec is None or rec.kind != KIND_ITEM:
            raise ValidationError(f"No review item {item_id}.")
        return self._fold(rec, self._events(KIND_ASSIGN, item_id),
                          self._events(KIND_DECISION, item_id))

    @classmethod
    def for_data_folder(cls, store: Any, signatures: Any, data_root: Path, *,
                        two_person_rejection: bool = False) -> "ReviewQueue":
        """The workstation's queue: images in ``<data>/review_images`` (a folder of its
        own, written by CT QC's hand-off and read by image review, neither station's);
        items from before it was introduced keep their images in the image-review
        station's old folder, which is still read."""
        root = Path(data_root)
        return cls(store, signatures, review_image_dir(root),
                   two_person_rejection=two_person_rejection,
                   legacy_image_dirs=(root / "stations" / "image_review" / "images",))

    def image_file(self, item: ReviewItem) -> Path:
        """Where an item's image lies (the shared folder, else an older item's folder)."""
        path = self.image_dir / item.image_path
        if not path.exists():
            for folder in self.legacy_image_dirs:
                if (folder / item.image_path).exists():
                    return folder / item.image_path
        return path

    def load_images(self, item: ReviewItem) -> tuple[np.ndarray, np.ndarray | None]:
        path = self.image_file(item)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputRejected(f"The review image {path.name} is missing.") from exc
        if hashlib.sha256(data).hexdigest() != item.image_sha256:
            raise InputRejected(f"The review image {path.name} was altered (sha256 differs "
                                f"from the queued item); it is not shown.")
        with np.load(path) as z:
            img = z["image"].astype(np.float32)
            base = z["baseline"].astype(np.float32) if "baseline" in z else None
        return img, base

    # --- assignment and decisions --------------------------------------------------------
    def assign(self, item_id: str, reviewer: str, *, by: str) -> None:
        item = self.get(item_id)
        if item.analysed_by == reviewer:
            raise PermissionDenied(f"'{reviewer}' analysed this series and may not review it.")
        self.store.add_record(KIND_ASSIGN, item.scanner_serial,
                              {"item_id": item_id, "reviewer": reviewer, "by": by},
                              username=by, ref=item.series_uid)

    def signed_content(self, item: ReviewItem, decision: str, reason_code: str,
                       comment: str) -> dict:
        """Exactly what a reviewer signs: the item, its image hash and the decision."""
        return {"item_id": item.id, "series_uid": item.series_uid,
                "scanner_serial": item.scanner_serial, "image_sha256": item.image_sha256,
                "ai": {k: item.ai.get(k) for k in ("label", "model_id", "model_version",
                                                    "model_sha256")},
                "physics_verdict": item.physics.get("verdict"), "decision": decision,
                "reason_code": reason_code, "comment": comment}

    def decide(self, item_id: str, decision: str, reason_code: str, comment: str, *,
               username: str, password: str,
               expected_status: str | None = None) -> ReviewItem:
        """Record approve / reject under an electronic signature (one transaction).

        ``expected_status``: the status the reviewer saw (a UI passes it); when another
        reviewer changed it meanwhile (e.g. a first rejection now awaiting its second
        signature), the decision is refused with a ConflictError naming them.
        """
        if decision not in ("approve", "reject"):
            raise ValidationError("A decision is 'approve' or 'reject'.")
        reasons = APPROVE_REASONS if decision == "approve" else REJECT_REASONS
        if reason_code not in reasons:
            raise ValidationError(f"Choose a reason from the list for '{decision}' "
                                  f"({', '.join(reasons)}).")
        item = self.get(item_id)
        if item.status in ("approved", "rejected") or (
                expected_status is not None and item.status != expected_status):
            raise _conflict(item)
        second = item.status == "awaiting_second"
        meaning = ("verified" if second else "rejected" if decision == "reject"
                   else "approved")
        forbid = item.analysed_by
        signer = self.signatures.authenticate_signer(username, password, meaning,
                                                     forbid_user=forbid)
        if second and signer.username == item.decisions[-1]["username"]:
            raise PermissionDenied("The second signature on a rejection must come from "
                                   "another reviewer (two-person rule).")
        with self.store.write() as conn:
            decided = [r for r in self.store.query_records(
                KIND_DECISION, subject=item.scanner_serial, limit=1_000_000,
                newest_first=False, conn=conn) if r.payload["item_id"] == item_id]
            current = self._fold(self.store.get_record(item_id, conn), [], decided)
            if current.status != item.status or current.status in ("approved", "rejected"):
                raise _conflict(current)
            if second:
                status = "rejected" if decision == "reject" else "open"
            elif decision == "reject" and self.two_person:
                status = "awaiting_second"
            else:
                status = "rejected" if decision == "reject" else "approved"
            content = self.signed_content(item, decision, reason_code, comment)
            sig = self.signatures.record(conn, signer, KIND_DECISION, item_id, content,
                                         meaning, comment)
            self.store.add_record(KIND_DECISION, item.scanner_serial,
                                  {"item_id": item_id, "decision": decision,
                                   "reason_code": reason_code, "comment": comment,
                                   "status": status, "signature_id": sig.id,
                                   "content_sha256": sig.content_sha256,
                                   "stage": "second" if second else "first"},
                                  username=signer.username, ref=item.series_uid,
                                  verdict="FAIL" if status == "rejected" else None, conn=conn)
            if status == "rejected":
                self.store.add_record(KIND_HOLD, item.scanner_serial,
                                      {"item_id": item_id, "active": True,
                                       "reason": REJECT_REASONS[reason_code],
                                       "since": utc_iso()},
                                      username=signer.username, ref=item.series_uid,
                                      conn=conn)
            elif status == "approved" and self.hold(item.scanner_serial):
                self.store.add_record(KIND_HOLD, item.scanner_serial,
                                      {"item_id": item_id, "active": False,
                                       "reason": "released by approval",
                                       "since": utc_iso()},
                                      username=signer.username, ref=item.series_uid,
                                      conn=conn)
        return self.get(item_id)

    # --- holds ---------------------------------------------------------------------------
    def hold(self, scanner_serial: str) -> dict | None:
        """The active hold on a scanner (None when it is not held)."""
        recs = self.store.query_records(KIND_HOLD, subject=scanner_serial, limit=1)
        if recs and recs[0].payload.get("active"):
            return dict(recs[0].payload, username=recs[0].username)
        return None

    def held_scanners(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for r in self.store.query_records(KIND_HOLD, limit=1_000_000, newest_first=False):
            if r.payload.get("active"):
                out[r.subject] = dict(r.payload, username=r.username)
            else:
                out.pop(r.subject, None)
        return out
