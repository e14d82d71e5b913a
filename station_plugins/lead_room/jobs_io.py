"""Job list import (CSV) with row-by-row rejection, room table, generated test days.

CSV columns (header required): ``job_id, unit, capability, duration_min, release,
due, priority``. ``release``/``due`` are minutes from the plan origin, ``HH:MM`` on
the plan day, or ISO date-times (converted against ``origin``). A bad row is rejected
with its line number and reason; the good rows are imported. Qt-free.
"""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from app.core.errors import InputRejected
from station_plugins.lead_room.scheduling import Job, Room

COLUMNS = ("job_id", "unit", "capability", "duration_min", "release", "due", "priority")
CAPABILITIES = ("CT", "XR-160", "XR-450")


@dataclass
class ImportReport:
    jobs: list[Job] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)   # (line, reason)

    def to_dict(self) -> dict:
        return {"accepted": len(self.jobs),
                "rejected": [{"line": n, "reason": r} for n, r in self.rejected]}


def _minutes(text: str, origin: datetime | None, what: str) -> int:
    t = text.strip()
    if not t:
        raise ValueError(f"{what} is empty")
    if t.lstrip("-").isdigit():
        return int(t)
    if len(t) <= 5 and ":" in t:
        hh, mm = t.split(":")
        if not (hh.isdigit() and mm.isdigit()) or int(hh) > 47 or int(mm) > 59:
            raise ValueError(f"{what} '{t}' is not HH:MM")
        return int(hh) * 60 + int(mm)
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        raise ValueError(f"{what} '{t}' is not minutes, HH:MM or an ISO date-time") from None
    if origin is None:
        raise ValueError(f"{what} is a date-time but the plan has no origin")
    dt = dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    return int((dt - origin).total_seconds() // 60)


def parse_jobs(text: str, *, capabilities: set[str] | None = None,
               origin: datetime | None = None) -> ImportReport:
    caps = capabilities or set(CAPABILITIES)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputRejected(f"The job list lacks column(s) {', '.join(missing)} "
                            f"(needs {', '.join(COLUMNS)}).")
    rep = ImportReport()
    seen: set[str] = set()
    for n, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        try:
            jid = row["job_id"]
            if not jid:
                raise ValueError("job_id is empty")
            if jid in seen:
                raise ValueError(f"job_id '{jid}' appears twice")
            if not row["unit"]:
                raise ValueError("unit (device serial) is empty")
            if row["capability"] not in caps:
                raise ValueError(f"capability '{row['capability']}' unknown (rooms offer "
                                 f"{', '.join(sorted(caps))})")
            try:
                dur = int(float(row["duration_min"]))
            except ValueError:
                raise ValueError(f"duration_min '{row['duration_min']}' is not a number") \
                    from None
            if not 1 <= dur <= 24 * 60:
                raise ValueError(f"duration_min {dur} outside 1..1440")
            rel = _minutes(row["release"], origin, "release")
            due = _minutes(row["due"], origin, "due")
            if due < rel + dur:
                raise ValueError(f"due {due} is before release + duration ({rel + dur})")
            pr = int(row["priority"] or 1)
            if not 1 <= pr <= 5:
                raise ValueError(f"priority {pr} outside 1..5")
        except (ValueError, KeyError) as exc:
            rep.rejected.append((n, str(exc)))
            continue
        seen.add(jid)
        rep.jobs.append(Job(jid, row["unit"], row["capability"], dur, rel, due, pr))
    return rep


def load_jobs(path: Path, *, capabilities: set[str] | None = None,
              origin: datetime | None = None) -> ImportReport:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputRejected(f"The job list {path} cannot be read: {exc}.") from exc
    return parse_jobs(text, capabilities=capabilities, origin=origin)


def default_rooms(n: int = 30) -> list[Room]:
    """The plant's rooms: mostly CT, some high-energy and low-energy X-ray rooms."""
    out = []
    for i in range(1, n + 1):
        caps = {"CT"} if i % 5 else {"XR-450", "XR-160"}
        if i % 3 == 0:
            caps.add("XR-160")
        out.append(Room(f"Room{i:02d}", frozenset(caps), speed=1.25 if i % 7 == 0 else 1.0))
    return out


def generate_day(n_jobs: int, *, seed: int = 1, day_min: int = 16 * 60,
                 load: float = 0.7, rooms: int = 30) -> list[Job]:
    """A synthetic test day: releases over two shifts, due = release + slack."""
    rng = random.Random(seed)
    mean_dur = max(20, int(load * rooms * day_min / max(1, n_jobs)))
    jobs = []
    for k in range(n_jobs):
        cap = rng.choices(CAPABILITIES, weights=(0.75, 0.15, 0.10))[0]
        dur = max(10, int(rng.gauss(mean_dur, mean_dur * 0.3)))
        rel = int(rng.uniform(0, day_min * 0.8))
        due = rel + dur + int(rng.uniform(0.5, 3.0) * mean_dur)
        jobs.append(Job(f"J{k + 1:04d}", f"SN{rng.randint(100000, 999999)}", cap, dur, rel,
                        due, rng.choice((1, 1, 1, 2, 3))))
    return jobs
