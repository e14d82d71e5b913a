"""The run record (device-history-record grade) built from the journal, nothing else.

Unit identity, MES order, station, sequence id + version + sha256, limits version +
hash, software build, AI model ids, instruments with calibration due dates, operators,
UTC ms timestamps, every step (its title, and the plant's Chinese title when the sequence
has one) with limits, units, value, verdict and every attempt,
attachments with sha256, disposition and the release authority.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.ids import content_hash, sha256_hex

RECORD_KIND = "tunnel.run"
SCHEMA = "pharos.tunnel.run/1"


def build_record(run: dict, events: list[dict], *, attachments_dir: Path | None = None,
                 journal_problems: list[str] | None = None) -> dict:
    start = next(e for e in events if e["kind"] == "run_start")
    end = next((e for e in reversed(events) if e["kind"] == "run_end"), None)
    steps: dict[str, dict] = {}
    order: list[str] = []
    operators = {start.get("operator", "")}
    models: dict[str, dict] = {}
    attachments: list[dict] = []
    events_summary: list[dict] = []

    def step(key: str) -> dict:
        if key not in steps:
            steps[key] = {"key": key, "title": key, "title_zh": "", "group": "", "phase": "",
                          "verdict": None,
                          "reason": "", "attempts": [], "measurements": [], "ai": None,
                          "started_utc": None, "ended_utc": None, "prompts": []}
            order.append(key)
        return steps[key]

    pending: dict[str, dict] = {}
    for ev in events:
        k = ev["kind"]
        if k in ("resume", "abort", "safe_state", "abort_recorded", "group_start", "group_end",
                 "interrupted"):
            events_summary.append({x: ev.get(x) for x in ("seq", "ts_utc", "kind", "user",
                                                          "reason", "group", "attempt",
                                                          "verdict", "actions", "by",
                                                          "target") if x in ev})
            if ev.get("user"):
                operators.add(ev["user"])
            continue
        key = ev.get("step")
        if not key:
            continue
        s = step(key)
        if k == "step_start":
            s.update(title=ev.get("title", key), title_zh=ev.get("title_zh", ""),
                     group=ev.get("group", ""),
                     phase=ev.get("phase", ""))
            s["started_utc"] = s["started_utc"] or ev["ts_utc"]
        elif k == "measurement":
            m: dict[str, Any] = {x: ev.get(x) for x in ("name", "unit", "type", "value", "values", "labels",
                                        "verdicts", "limits", "limits_text", "verdict", "note",
                                        "reduce", "attachment") if ev.get(x) is not None}
            pending.setdefault(key, {}).setdefault("measurements", []).append(m)
            if "attachment" in m:
                attachments.append({"step": key, "name": m["name"], "attempt": ev["attempt"],
                                    **m["attachment"], "verified": _verify(attachments_dir,
                                                                           m["attachment"])})
        elif k == "ai_verdict":
            pending.setdefault(key, {})["ai"] = {x: v for x, v in ev.items()
                                                 if x not in ("kind", "step", "seq")}
            if ev.get("model_id"):
                models[ev["model_id"]] = {"id": ev["model_id"], "version": ev.get("model_version"),
                                          "sha256": ev.get("model_sha256")}
        elif k in ("prompt", "prompt_answer"):
            s["prompts"].append({x: ev.get(x) for x in ("kind", "text", "text_zh", "choice",
                                                        "user", "ts_utc", "attempt") if x in ev})
            if ev.get("user"):
                operators.add(ev["user"])
        elif k == "attempt":
            got = pending.pop(key, {})
            s["attempts"].append({"n": ev["attempt"], "verdict": ev["verdict"],
                                  "error": ev.get("error", ""), "ts_utc": ev["ts_utc"],
                                  "duration_ms": ev.get("duration_ms"),
                                  "outputs": ev.get("outputs", {}),
                                  "measurements": got.get("measurements", []),
                                  "ai": got.get("ai")})
            s["measurements"] = got.get("measurements", [])
            s["ai"] = got.get("ai")
        elif k == "step_end":
            s.update(verdict=ev["verdict"], reason=ev.get("reason", ""),
                     ended_utc=ev["ts_utc"], group=ev.get("group", s["group"]),
                     phase=ev.get("phase", s["phase"]))
    in_flight = [k for k in order if steps[k]["verdict"] is None]
    seqid = start.get("sequence", {})
    body = {
        "schema": SCHEMA, "run_id": run["run_id"],
        "unit": _unit(start),
        "mes_order": start.get("mes_order", ""), "station_id": start.get("station_id"),
        "socket": start.get("socket"), "mode": start.get("mode"),
        "releasable": bool(start.get("releasable")) and not any(
            (start.get("params") or {}).get(k) for k in ("auto_answer", "unauthenticated")),
        "sequence": seqid,
        "limits": {"version": seqid.get("limits_version"), "sha256": seqid.get("limits_sha256")},
        "link": start.get("link", {}),
        "software": start.get("software"), "models": sorted(models.values(),
                                                             key=lambda m: m["id"]),
        "instruments": start.get("instruments", []), "operators": sorted(o for o in operators if o),
        "started_utc": start["ts_utc"], "ended_utc": end["ts_utc"] if end else None,
        "status": end["status"] if end else "unfinished",
        "disposition": end["disposition"] if end else "UNFINISHED",
        "reason": end.get("reason", "") if end else "",
        "review_items": end.get("review_items", []) if end else [],
        "steps": [steps[k] for k in order], "steps_in_flight": in_flight,
        "attachments": attachments, "events": events_summary,
        "counts": _counts(steps.values()),
        "journal": {"events": len(events), "last_seq": events[-1]["seq"] if events else 0,
                    "problems": journal_problems or []},
    }
    body["content_sha256"] = content_hash({k: v for k, v in body.items()
                                           if k != "content_sha256"})
    return body


def _unit(start: dict) -> dict:
    reported = dict(start.get("unit") or {})
    scanned = start.get("serial")
    return {**reported, "serial": scanned, "reported_serial": reported.get("serial"),
            "identity_matches": reported.get("serial") == scanned}


def _counts(steps: Any) -> dict:
    out: dict[str, int] = {}
    for s in steps:
        v = s["verdict"] or "IN_FLIGHT"
        out[v] = out.get(v, 0) + 1
    return out


def _verify(folder: Path | None, att: dict) -> bool | None:
    if folder is None:
        return None
    p = Path(folder) / att["file"]
    return p.is_file() and sha256_hex(p.read_bytes()) == att["sha256"]
