"""Headless: pharos tunnel run / record / list against the built-in OPC UA simulator."""
from __future__ import annotations

import json

import pytest

from app.main import main
from tests.accounts import PASSWORD, make_user

from .conftest import MINI, write_seq


@pytest.mark.slow
def test_cli_run_then_record_pdf(tmp_path, capsys, monkeypatch):
    make_user(tmp_path / "data", "op1", "operator")
    monkeypatch.setenv("PHAROS_PASSWORD", PASSWORD)
    seq = write_seq(tmp_path, MINI, id="mini")
    out_json = tmp_path / "run.json"
    rc = main(["tunnel", "run", "--sequence", str(seq), "--serial", "CA-7", "--json",
               str(out_json), "--data-dir", str(tmp_path / "data"), "--as", "op1"])
    assert rc == 0
    body = json.loads(out_json.read_text())
    s, r = body["summary"], body["record"]
    assert s["disposition"] == "PASS" and s["record_id"]
    assert s["release"]["mode"] == "blocked"          # unauthenticated CLI: not releasable
    assert r["unit"]["serial"] == "CA-7" and r["unit"]["identity_matches"] is True
    assert [o["state"] for o in s["mes_outbox"]] == ["sent", "sent", "sent"]
    pdf = tmp_path / "r.pdf"
    rc = main(["tunnel", "record", s["run_id"], "--pdf", str(pdf), "--json",
               str(tmp_path / "r.json"), "--data-dir", str(tmp_path / "data")])
    assert rc == 0 and pdf.read_bytes()[:4] == b"%PDF"
    assert json.loads((tmp_path / "r.json").read_text())["run_id"] == s["run_id"]
    rc = main(["tunnel", "run", "--sequence", str(seq), "--serial", "CA-8", "--defect",
               "kv_offset", "--data-dir", str(tmp_path / "data"), "--as", "op1"])
    assert rc == 1                                      # FAIL exit code
    capsys.readouterr()
    assert main(["tunnel", "list", "--data-dir", str(tmp_path / "data")]) == 0
    listing = capsys.readouterr().out
    assert "CA-7" in listing and "FAIL" in listing


def test_cli_rejects_malformed_sequence_with_line(tmp_path, capsys, monkeypatch):
    make_user(tmp_path / "data", "op1", "operator")
    monkeypatch.setenv("PHAROS_PASSWORD", PASSWORD)
    seq = write_seq(tmp_path, MINI.replace("unit: kV,", "unit: kVV,"))
    rc = main(["tunnel", "run", "--sequence", str(seq), "--serial", "CA-9",
               "--data-dir", str(tmp_path / "data"), "--as", "op1"])
    err = capsys.readouterr().err
    assert rc == 2 and f"{seq}:" in err and "unknown unit 'kVV'" in err


def test_cli_run_needs_a_login(tmp_path, capsys, monkeypatch):
    """D17: a run writes a test record; without --as it is refused before anything runs."""
    monkeypatch.delenv("PHAROS_PASSWORD", raising=False)
    seq = write_seq(tmp_path, MINI, id="mini")
    rc = main(["tunnel", "run", "--sequence", str(seq), "--serial", "CA-0",
               "--data-dir", str(tmp_path / "data")])
    assert rc == 2 and "needs a user: pass --as USER" in capsys.readouterr().err
