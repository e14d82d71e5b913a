"""Sequence versions: edit -> validated draft (new version, never overwrite) -> e-signed,
audited release; operators see and run signed releases only; draft records not releasable."""
from __future__ import annotations

import json
import os

import pytest

from app.core.errors import AuthError, PermissionDenied, ValidationError
from station_plugins.tunnel_test.console import TunnelConsole
from station_plugins.tunnel_test.sequence_library import (SequenceLibrary, bump_version,
                                                          set_top_value)
from station_plugins.tunnel_test.sequence_loader import SequenceError

from .conftest import USER_PW


@pytest.fixture
def library(tmp_path, ws, mini_seq):
    return SequenceLibrary(tmp_path / "lib", shipped=[mini_seq], audit=ws.audit,
                           signatures=ws.signatures)


def test_bump_and_set_top_value():
    assert bump_version("3.1.0") == "3.1.1" and bump_version("1.0") == "1.1"
    assert bump_version("A") == "A.1"
    text = "format: x\nid: a\nversion: \"1.0\"\nstatus: released\n"
    out = set_top_value(set_top_value(text, "status", "draft"), "approved_by", "qe1")
    assert "status: \"draft\"" in out and out.index("approved_by") > out.index("version")


def test_new_draft_save_never_overwrites(library, ws, mini_seq):
    text = library.new_draft_text(mini_seq)
    assert "version: \"1.1\"" in text and "status: \"draft\"" in text
    entry = library.save_draft(text, username="qe1")
    assert (entry.status, entry.version, entry.problem) == ("draft", "1.1", "")
    assert not os.access(entry.path, os.W_OK) or os.geteuid() == 0   # read-only file
    with pytest.raises(ValidationError, match="never overwritten"):
        library.save_draft(text, username="qe1")
    with pytest.raises(ValidationError, match="never overwritten"):   # shipped release 1.0
        library.save_draft(set_top_value(text, "version", "1.0"), username="qe1")
    assert "1.2" in library.new_draft_text(mini_seq)                  # next free version


def test_save_rejects_invalid_text_with_line_and_released_status(library, mini_seq):
    text = library.new_draft_text(mini_seq)
    bad = text.replace("high: 0.105, unit: s}", "high: 0.105, unit: kV}", 1)
    with pytest.raises(SequenceError) as err:
        library.save_draft(bad, username="qe1")
    line = bad.splitlines().index(next(l for l in bad.splitlines() if "unit: kV}" in l)) + 1
    assert err.value.line == line and err.value.file == "<editor>"
    with pytest.raises(SequenceError, match="e-signature") as err:
        library.save_draft(set_top_value(text, "status", "released"), username="qe1")
    assert err.value.line == 4
    assert not (library.folder / "mini").exists()                    # nothing half-saved


def test_a_released_status_under_a_quoted_key_is_refused_like_any_other(library, mini_seq):
    text = set_top_value(library.new_draft_text(mini_seq), "status", "released")
    quoted = text.replace('\nstatus: "released"', '\n"status": "released"', 1)
    assert quoted != text
    with pytest.raises(SequenceError, match="e-signature"):    # was an AttributeError
        library.save_draft(quoted, username="qe1")
    assert not (library.folder / "mini").exists()


def test_release_needs_engineer_signature_and_is_audited(library, ws, mini_seq):
    draft = library.save_draft(library.new_draft_text(mini_seq), username="qe1")
    assert [e.version for e in library.visible(engineer=False)] == ["1.0"]
    with pytest.raises(AuthError):
        library.release(draft.path, username="qe1", password="wrong-password")
    with pytest.raises(PermissionDenied):                              # operators cannot
        library.release(draft.path, username="op1", password=USER_PW)
    assert not os.path.exists(os.path.join(os.path.dirname(draft.path), "released.yaml"))
    entry, sig = library.release(draft.path, username="qe1", password=USER_PW,
                                 comment="validated on tunnel 2")
    assert entry.status == "released" and not entry.problem and "qe1" in entry.signed_by
    assert sig.meaning == "approved" and sig.content_sha256 == entry.sha256
    assert sorted(e.version for e in library.visible(engineer=False)) == ["1.0", "1.1"]
    assert len(library.visible(engineer=True)) == 3                   # + the draft
    trail = ws.audit.entries(action="tunnel.sequence_release")
    assert [(e.username, e.entity_id) for e in trail] == [("qe1", "mini:1.1")]
    assert len(ws.audit.entries(action="tunnel.sequence_save")) == 1
    with pytest.raises(ValidationError, match="already released"):
        library.release(draft.path, username="qe1", password=USER_PW)


def test_tampered_release_is_not_runnable_by_operators(tmp_path, library, ws, mini_seq):
    draft = library.save_draft(library.new_draft_text(mini_seq), username="qe1")
    entry, _ = library.release(draft.path, username="qe1", password=USER_PW)
    console = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit,
                            library=library)
    try:
        op = ws.auth.authenticate("op1", USER_PW)
        console.check_mode(op, entry.path, "released")                # intact: allowed
        os.chmod(entry.path, 0o644)
        with open(entry.path, "a", encoding="utf-8") as f:
            f.write("# edited after release\n")
        assert "changed after" in library.entry_for(entry.path).problem
        assert library.visible(engineer=False)[-1].version == "1.0"
        with pytest.raises(PermissionDenied, match="not a signed release"):
            console.check_mode(op, entry.path, "released")
        with pytest.raises(PermissionDenied):                          # draft: engineers only
            console.check_mode(op, draft.path, "draft")
    finally:
        console.close()


def test_draft_run_by_engineer_is_not_releasable(tmp_path, library, ws, mini_seq, mes):
    from app.adapters.mes import MesClient

    draft = library.save_draft(library.new_draft_text(mini_seq), username="qe1")
    console = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit,
                            library=library, mes=MesClient(mes.url, timeout_s=2))
    try:
        qe = ws.auth.authenticate("qe1", USER_PW)
        with pytest.raises(PermissionDenied, match="draft"):
            console.make_spec(sequence_path=draft.path, serial="SN-D", user=qe)
        spec = console.make_spec(sequence_path=draft.path, serial="SN-D", user=qe, mode="draft")
        out = console.run_inline(spec)
        row, decision = console.finish(out.run_id, "qe1")
        assert row.payload["disposition"] == "PASS" and row.payload["releasable"] is False
        assert row.payload["sequence"]["status"] == "draft" and decision["mode"] == "blocked"
        assert json.loads(json.dumps(row.payload["sequence"]))["version"] == "1.1"
    finally:
        console.close()
