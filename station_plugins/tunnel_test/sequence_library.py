"""Versioned sequence library (Qt-free): edit -> draft version -> e-signed release.

Layout under the station's data folder::

    sequences/<id>/<version>/draft.yaml        written once (an edit is a NEW version)
    sequences/<id>/<version>/released.yaml     written once, read-only, status: released
    sequences/<id>/<version>/release.json      the e-signature that released it

Rules: every save is validated with the same loader that runs sequences (errors name
file, line and reason); a version that exists (draft, released or shipped) is never
written again; releasing needs an engineer's e-signature (meaning "approved") bound to
the sha256 of the released file's bytes, and is audited. A library file that says
``released`` without a matching signature is not runnable as released. The sequences
shipped with the software (``sequences/*.yaml`` of the station) are released by the
software release itself and listed read-only.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from app.core.errors import PermissionDenied, ValidationError
from app.core.ids import sha256_hex
from app.core.roles import roles
from station_plugins.tunnel_test.sequence_loader import SequenceError, parse_sequence

SIGN_KIND = "tunnel.sequence"
RELEASE_ROLES = roles("quality_engineer", "admin")
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class SequenceEntry:
    id: str
    version: str
    status: str            # released | draft | invalid
    path: str
    source: str            # shipped | library
    sha256: str = ""
    signed_by: str = ""
    problem: str = ""

    @property
    def label(self) -> str:
        extra = f" - {self.problem}" if self.problem else ""
        return f"{self.id} v{self.version} ({self.status}, {self.source}){extra}"


def _top_line(text: str, key: str) -> re.Match | None:
    return re.search(rf"^{key}:[^\n]*$", text, flags=re.MULTILINE)


def set_top_value(text: str, key: str, value: str) -> str:
    """Replace (or add after ``version:``) one top-level ``key: value`` line."""
    line = f"{key}: {json.dumps(value, ensure_ascii=False)}"
    m = _top_line(text, key)
    if m:
        return text[:m.start()] + line + text[m.end():]
    anchor = _top_line(text, "version") or _top_line(text, "id")
    if anchor is None:
        return line + "\n" + text
    return text[:anchor.end()] + "\n" + line + text[anchor.end():]


def bump_version(version: str) -> str:
    """'3.1.0' -> '3.1.1', '1.0' -> '1.1', 'A' -> 'A.1'."""
    parts = version.split(".")
    if parts and parts[-1].isdigit():
        parts[-1] = str(int(parts[-1]) + 1)
        return ".".join(parts)
    return version + ".1"


class SequenceLibrary:
    def __init__(self, folder: Path, *, shipped: Iterable[Path] = (), audit: Any = None,
                 signatures: Any = None) -> None:
        self.folder = Path(folder)
        self.shipped = [Path(p) for p in shipped]
        self.audit, self.signatures = audit, signatures

    # --- listing ---------------------------------------------------------------------
    def entries(self) -> list[SequenceEntry]:
        out = [self._shipped_entry(p) for p in self.shipped if p.exists()]
        if self.folder.is_dir():
            for vdir in sorted(p for p in self.folder.glob("*/*") if p.is_dir()):
                for name in ("released.yaml", "draft.yaml"):
                    if (vdir / name).exists():
                        out.append(self._library_entry(vdir / name))
        return out

    def visible(self, engineer: bool) -> list[SequenceEntry]:
        """Operators see released (and intact) versions only; engineers see everything."""
        return [e for e in self.entries()
                if engineer or (e.status == "released" and not e.problem)]

    def _shipped_entry(self, path: Path) -> SequenceEntry:
        try:
            seq = parse_sequence(path.read_text(encoding="utf-8"), str(path))
        except (OSError, SequenceError) as exc:
            return SequenceEntry(path.stem, "?", "invalid", str(path), "shipped", problem=str(exc))
        return SequenceEntry(seq.id, seq.version, seq.status, str(path), "shipped", seq.sha256,
                             seq.approved_by)

    def _library_entry(self, path: Path) -> SequenceEntry:
        sid, version = path.parent.parent.name, path.parent.name
        try:
            data = path.read_bytes()
            seq = parse_sequence(data.decode("utf-8"), str(path))
        except (OSError, UnicodeDecodeError, SequenceError) as exc:
            return SequenceEntry(sid, version, "invalid", str(path), "library", problem=str(exc))
        problem, signed_by = "", ""
        if (seq.id, seq.version) != (sid, version):
            problem = f"file says {seq.id} v{seq.version}"
        if path.name == "released.yaml" or seq.status == "released":
            released_problem, signed_by = self._release_problem(path, data)
            problem = problem or released_problem
        return SequenceEntry(seq.id, seq.version, seq.status, str(path), "library",
                             sha256_hex(data), signed_by, problem)

    def _release_problem(self, path: Path, data: bytes) -> tuple[str, str]:
        meta_path = path.parent / "release.json"
        if path.name != "released.yaml" or not meta_path.exists():
            return "released without an e-signature", ""
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("sha256") != sha256_hex(data):
            return "file changed after its release signature", meta.get("signed_by", "")
        if self.signatures is not None:
            sigs = [s for s in self.signatures.signatures_for(SIGN_KIND, meta["record_id"])
                    if s.id == meta.get("signature_id")]
            if not sigs or sigs[0].content_sha256 != meta["sha256"]:
                return "release signature not found in the signature store", ""
        return "", meta.get("signed_by", "")

    def entry_for(self, path: str | Path) -> SequenceEntry | None:
        p = Path(path).resolve()
        for e in self.entries():
            if Path(e.path).resolve() == p:
                return e
        return None

    def check_runnable_released(self, path: str | Path) -> None:
        """Raise PermissionDenied when a library file is not an intact, signed release."""
        p = Path(path).resolve()
        if self.folder.resolve() not in p.parents:
            return
        e = self._library_entry(p)
        if e.status != "released" or e.problem:
            raise PermissionDenied(f"Sequence {e.id} v{e.version} is not a signed release "
                                   f"({e.problem or e.status}); operators cannot run it.")

    # --- editing ----------------------------------------------------------------------
    @staticmethod
    def validate(text: str, file: str = "<editor>") -> Any:
        """The runner's loader on the editor text: SequenceError(file, line, reason)."""
        from station_plugins.tunnel_test.drivers import known_driver_names

        return parse_sequence(text, file, known_drivers=known_driver_names())

    def new_draft_text(self, path: str | Path) -> str:
        """Text of a new draft based on ``path``: next free version, status draft."""
        text = Path(path).read_text(encoding="utf-8")
        seq = parse_sequence(text, str(path))
        version = bump_version(seq.version)
        while self._exists(seq.id, version):
            version = bump_version(version)
        text = set_top_value(text, "version", version)
        return set_top_value(text, "status", "draft")

    def _exists(self, sid: str, version: str) -> bool:
        return (self.folder / sid / version).exists() or any(
            (e.id, e.version) == (sid, version) for e in map(self._shipped_entry, self.shipped))

    def save_draft(self, text: str, *, username: str, reason: str = "") -> SequenceEntry:
        seq = self.validate(text, "<editor>")
        if seq.status != "draft":
            m = _top_line(text, "status")     # None: status written another way (quoted key...)
            line = text[:m.start()].count("\n") + 1 if m is not None else 1
            raise SequenceError("<editor>", line, "save as 'status: draft'; a version is "
                                                  "released only by an e-signature")
        for value, what in ((seq.id, "id"), (seq.version, "version")):
            if not _SAFE.match(value):
                raise ValidationError(f"sequence {what} '{value}' may use letters, digits, "
                                      f". _ - only (max 64)")
        if self._exists(seq.id, seq.version):
            raise ValidationError(f"{seq.id} v{seq.version} exists; a saved or released "
                                  f"version is never overwritten. Use a new version number.")
        vdir = self.folder / seq.id / seq.version
        vdir.mkdir(parents=True)
        path = vdir / "draft.yaml"
        _write_once(path, text.encode("utf-8"))
        if self.audit is not None:
            self.audit.append("tunnel.sequence_save", "tunnel_sequence",
                              f"{seq.id}:{seq.version}", username=username, reason=reason,
                              new={"status": "draft", "sha256": seq.sha256, "path": str(path)})
        return self._library_entry(path)

    def release_text(self, draft_path: str | Path, username: str) -> str:
        text = Path(draft_path).read_text(encoding="utf-8")
        return set_top_value(set_top_value(text, "status", "released"), "approved_by", username)

    def release(self, draft_path: str | Path, *, username: str, password: str,
                comment: str = "") -> tuple[SequenceEntry, Any]:
        """Release a library draft: e-signature (engineer, 'approved') over the released
        file's bytes, then write released.yaml (read-only) + release.json, audited."""
        if self.signatures is None:
            raise ValidationError("no signature service: sequences cannot be released here")
        draft = Path(draft_path)
        entry = self._library_entry(draft)
        if draft.name != "draft.yaml" or entry.status != "draft" or entry.problem:
            raise ValidationError(f"{draft} is not an intact library draft "
                                  f"({entry.problem or entry.status})")
        if (draft.parent / "released.yaml").exists():
            raise ValidationError(f"{entry.id} v{entry.version} is already released")
        text = self.release_text(draft, username)
        seq = self.validate(text, str(draft.parent / "released.yaml"))
        record_id = f"{seq.id}:{seq.version}"
        sig = self.signatures.sign(SIGN_KIND, record_id, text, "approved", username=username,
                                   password=password, comment=comment,
                                   allowed_roles=RELEASE_ROLES)
        path = draft.parent / "released.yaml"
        _write_once(path, text.encode("utf-8"))
        meta = {"record_id": record_id, "sha256": seq.sha256, "draft_sha256": entry.sha256,
                "signature_id": sig.id, "signed_by": f"{sig.printed_name} ({sig.username})",
                "signed_utc": sig.signed_utc, "meaning": sig.meaning}
        _write_once(draft.parent / "release.json", json.dumps(meta, indent=1).encode())
        if self.audit is not None:
            self.audit.append("tunnel.sequence_release", "tunnel_sequence", record_id,
                              username=sig.username, reason=comment,
                              old={"status": "draft", "sha256": entry.sha256},
                              new={"status": "released", "sha256": seq.sha256,
                                   "signature_id": sig.id})
        return self._library_entry(path), sig


def _write_once(path: Path, data: bytes) -> None:
    """Create ``path`` (fails if it exists), fsync, make it read-only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, 0o444)
