"""Labelled data set export of reviewer decisions (Qt-free), for retraining.

``export_dataset(queue, out_dir, ...)`` writes, for every finally decided item
(approved or rejected; a rejection awaiting its second signature is not final):

    images/<item_id>.npz   the reviewed image (sha256 checked against the queue)
    labels.csv             one row per item (columns: LABEL_COLUMNS)
    labels.jsonl           the same rows as JSON lines (scores as objects)
    manifest.json          dataset id, provenance (who, when, station, software,
                           filter) and the sha256 of every file above

and an audit entry ``export`` / ``review_dataset`` / <dataset id>. A model card names
the labelled sets a version was trained on by this dataset id and its manifest sha256.
"""
from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from app.core.errors import InputRejected, ValidationError
from app.core.ids import canonical_json, new_id, utc_iso
from app.ct.review import (APPROVE_REASONS, REJECT_REASONS,
                                                       ReviewItem, ReviewQueue)

FORMAT = "pharos.review_dataset"
FORMAT_VERSION = 1
LABEL_COLUMNS = ("item_id", "image_file", "image_sha256", "series_uid", "scanner_serial",
                 "slice_index", "ai_class", "ai_scores", "ai_anomaly", "model_id",
                 "model_version", "model_sha256", "physics_verdict", "physics_artifacts",
                 "decision", "status", "reason_code", "reason_text", "comment",
                 "training_label", "reviewer", "signature_id", "second_reviewer",
                 "second_signature_id", "decided_utc", "queue_reasons")
# reviewer reason -> training class (None: no clean class label, kept for audit)
REASON_TO_CLASS = {"artifact_absent": "normal", "phantom_positioning": "normal",
                   "artifact_acceptable": None, "ring_artifact": "ring",
                   "streak_artifact": "streak", "band_artifact": "band",
                   "noise_excess": "noise", "ct_number_shift": "shift",
                   "blur_geometry": "blur", "other_defect": None}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ai_slice(item: ReviewItem) -> dict:
    for s in item.ai.get("slices", []):
        if s.get("slice_index") == item.slice_index:
            return s
    return {}


def label_row(item: ReviewItem) -> dict:
    """One labels row; the final decision is the last, earlier ones are provenance."""
    final = item.decisions[-1]
    first = item.decisions[0] if len(item.decisions) > 1 else final
    code = final["reason_code"]
    s = _ai_slice(item)
    return {
        "item_id": item.id, "image_file": f"images/{item.id}.npz",
        "image_sha256": item.image_sha256, "series_uid": item.series_uid,
        "scanner_serial": item.scanner_serial, "slice_index": item.slice_index,
        "ai_class": item.ai.get("label"), "ai_scores": s.get("scores", {}),
        "ai_anomaly": s.get("anomaly"), "model_id": item.ai.get("model_id"),
        "model_version": item.ai.get("model_version"),
        "model_sha256": item.ai.get("model_sha256"),
        "physics_verdict": item.physics.get("verdict"),
        "physics_artifacts": [a.get("type") for a in item.physics.get("artifacts", [])
                              if a.get("verdict") in ("WARN", "FAIL")],
        "decision": final["decision"], "status": item.status, "reason_code": code,
        "reason_text": {**APPROVE_REASONS, **REJECT_REASONS}.get(code, code),
        "comment": final.get("comment", ""), "training_label": REASON_TO_CLASS.get(code),
        "reviewer": first["username"], "signature_id": first["signature_id"],
        "second_reviewer": final["username"] if final is not first else "",
        "second_signature_id": final["signature_id"] if final is not first else "",
        "decided_utc": final["created_utc"], "queue_reasons": list(item.reasons),
    }


def _csv_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, ensure_ascii=False)
    return str(v)


def export_dataset(queue: ReviewQueue, out_dir: Path, *, username: str, audit: Any = None,
                   since: str | None = None, station_id: str = "",
                   software_version: str = "") -> dict:
    """Write the labelled set; returns the manifest. ``since``: decided at/after (ISO)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ValidationError(f"The export folder {out_dir} is not empty.",
                              remedy="Choose a new or empty folder: an export is never "
                                     "mixed with other files.")
    items = [it for it in queue.items(sort="age") if it.status in ("approved", "rejected")
             and it.decisions and (since is None or it.decisions[-1]["created_utc"] >= since)]
    (out_dir / "images").mkdir(parents=True, exist_ok=True)
    rows = []
    for it in items:
        src = queue.image_file(it)
        if not src.exists() or _sha256(src) != it.image_sha256:
            raise InputRejected(f"The review image of item {it.id} is missing or altered; "
                                f"the export stops (nothing unverified is exported).")
        shutil.copyfile(src, out_dir / f"images/{it.id}.npz")
        rows.append(label_row(it))
    with open(out_dir / "labels.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=LABEL_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({k: _csv_value(r[k]) for k in LABEL_COLUMNS})
    with open(out_dir / "labels.jsonl", "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    files = {p.relative_to(out_dir).as_posix(): _sha256(p)
             for p in sorted(out_dir.rglob("*")) if p.is_file()}
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["decision"]] = counts.get(r["decision"], 0) + 1
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "dataset_id": new_id(),
        "created_utc": utc_iso(), "created_by": username, "station_id": station_id,
        "software_version": software_version,
        "filter": {"since": since, "statuses": ["approved", "rejected"]},
        "items": len(rows), "decisions": counts,
        "models": sorted({f"{r['model_id']}:{r['model_version']}:{r['model_sha256']}"
                          for r in rows if r["model_id"]}),
        "label_columns": list(LABEL_COLUMNS), "reason_to_class": REASON_TO_CLASS,
        "files": files,
        "files_sha256": hashlib.sha256(canonical_json(files).encode()).hexdigest(),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False)
                                           + "\n", encoding="utf-8")
    manifest["manifest_sha256"] = _sha256(out_dir / "manifest.json")
    if audit is not None:
        audit.append("export", "review_dataset", manifest["dataset_id"], username=username,
                     new={"path": str(out_dir), "items": len(rows), "since": since,
                          "files_sha256": manifest["files_sha256"],
                          "manifest_sha256": manifest["manifest_sha256"]},
                     reason="labelled data set export")
    return manifest
