"""Sequence files: shipped C-arm sequence, rejection with file + line + reason."""
from __future__ import annotations


import pytest

from app.core.ids import sha256_hex
from station_plugins.tunnel_test.drivers import known_driver_names
from station_plugins.tunnel_test.plugin import DEFAULT_SEQUENCE
from station_plugins.tunnel_test.sequence_loader import SequenceError, load_sequence, parse_sequence

from .conftest import HEADER, MINI, write_seq


def _line_of(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


def test_shipped_carm_sequence_has_200_plus_items_and_its_sha256():
    seq = load_sequence(DEFAULT_SEQUENCE, known_drivers=known_driver_names())
    assert seq.item_count() >= 200
    assert len(seq.main_steps()) >= 150
    assert seq.sha256 == sha256_hex(DEFAULT_SEQUENCE.read_bytes())
    groups = {g.key for g in seq.groups}
    assert {"xray", "motion", "safety", "interlocks"} <= groups
    assert len(seq.safe_state) == 2 and seq.status == "released"
    pe = seq.step("safety.pe.carm_frame").measurements[0]
    assert pe.unit == "ohm" and pe.limits.high == pytest.approx(0.2)   # 200 mohm -> ohm


def test_mini_sequence_limits_converted(mini_seq):
    seq = load_sequence(mini_seq, known_drivers=known_driver_names())
    t = seq.step("xray.kv80").measurements[1]
    assert (t.limits.low, t.limits.high) == pytest.approx((95.0, 105.0))   # s -> ms
    assert seq.limits_sha256 and seq.sha256


@pytest.mark.parametrize("bad, needle, reason", [
    ("          - {name: kv, from: kv_measured, unit: kV, limits: {low: 1, high: 2, unit: mA}}",
     "unit: mA", "limits in wrong unit"),
    ("          - {name: kv, from: kv_measured, unit: kVolt, limits: {low: 1}}",
     "kVolt", "unknown unit"),
    ("          - {name: kv, from: kv_measured, unit: kV, limits: {low: 5, high: 2}}",
     "low: 5", "is above high"),
    ("          - {name: kv, from: kv_measured, unit: kV, limmits: {low: 1}}",
     "limmits", "unknown key 'limmits'"),
    ("          - {name: kv, from: kv_measured, unit: kV, limits: {low: 1, marginal_low: 0}}",
     "marginal_low", "marginal band"),
])
def test_semantic_errors_name_file_line_reason(tmp_path, bad, needle, reason):
    body = MINI.replace(
        "          - {name: kv, from: kv_measured, unit: kV, limits: {nominal: 80, tolerance_pct: 5}}",
        bad)
    p = write_seq(tmp_path, body)
    text = p.read_text()
    with pytest.raises(SequenceError) as ei:
        load_sequence(p, known_drivers=known_driver_names())
    e = ei.value
    assert e.file == str(p) and reason in e.reason
    assert e.line == _line_of(text, needle)
    assert f"{p}:{e.line}:" in e.message


def test_yaml_syntax_error_has_line(tmp_path):
    p = write_seq(tmp_path, "groups:\n  - key: g\n    steps: [\n      {key: a\n")
    with pytest.raises(SequenceError) as ei:
        load_sequence(p)
    assert ei.value.line >= 9 and "YAML syntax" in ei.value.reason


@pytest.mark.parametrize("snippet, reason", [
    ("precondition: \"__import__('os').system('x')\"", "only read"),
    ("skip_if: \"unit.__class__\"", "private attribute"),
    ("run_if: \"lambda: 1\"", "not allowed"),
    ("run_if: \"open('f')\"", "only read"),
    ("action: {driver: generator.explode}", "unknown driver call"),
    ("action: {python: 'station_plugins.tunnel_test.steplib:nope'}", "is not a function"),
    ("retries: 99", "outside 0..10"),
])
def test_step_level_rejections(tmp_path, snippet, reason):
    body = f"groups:\n  - key: g\n    steps:\n      - key: a\n        action: {{driver: door.set, " \
           f"args: {{closed: true}}}}\n      - key: b\n        {snippet}\n"
    if snippet.startswith("action"):
        body = body.replace("      - key: b\n", "      - key: b\n")
    else:
        body += "        action: {driver: sensors.read}\n"
    p = write_seq(tmp_path, body)
    with pytest.raises(SequenceError) as ei:
        load_sequence(p, known_drivers=known_driver_names())
    assert reason in ei.value.reason
    assert ei.value.line == _line_of(p.read_text(), snippet)


def test_duplicate_keys_and_missing_safe_state(tmp_path):
    dup = "groups:\n  - key: g\n    steps:\n      - {key: a, action: {driver: sensors.read}}\n" \
          "      - {key: a, action: {driver: sensors.read}}\n"
    with pytest.raises(SequenceError, match="duplicate key"):
        load_sequence(write_seq(tmp_path, dup))
    text = HEADER.format(id="x", status="released").split("safe_state")[0] + \
        "groups:\n  - key: g\n    steps:\n      - {key: a, action: {driver: sensors.read}}\n"
    with pytest.raises(SequenceError, match="safe_state"):
        parse_sequence(text, "x.yaml")


def test_unreadable_and_non_utf8(tmp_path):
    with pytest.raises(SequenceError, match="cannot read"):
        load_sequence(tmp_path / "missing.yaml")
    p = tmp_path / "latin.yaml"
    p.write_bytes(b"format: x\nid: \xe9\n")
    with pytest.raises(SequenceError) as ei:
        load_sequence(p)
    assert ei.value.line == 2


def test_malformed_file_never_starts_a_run(tmp_path, ws):
    from station_plugins.tunnel_test.console import TunnelConsole

    p = write_seq(tmp_path, MINI.replace("unit: kV,", "unit: kV, limits: {},"))
    console = TunnelConsole(data_dir=tmp_path / "st", store=ws.store, audit=ws.audit)
    user = ws.auth.authenticate("qe1", "Us3r-secret-pw!")
    with pytest.raises(SequenceError):
        console.make_spec(sequence_path=str(p), serial="SN1", user=user)
    assert console.journal.runs() == []
    console.close()
