"""The engine's notes carry stable codes (app.ct.note_codes / note_table): every code and
term has a zh_CN translation, the English text of the record is what it was, the codes go
into the JSON as new keys only, and a note without a known code shows its English text."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from app.ct import note_codes as nc
from app.ct.note_table import SEPARATORS, TEMPLATES, TERMS
from tests.ct_qc._qc_helpers import art, simulated

TS = Path(__file__).resolve().parents[2] / "resources" / "i18n" / "ct_notes_zh_CN.ts"
PLACEHOLDER = re.compile(r"%(\d)")


def _catalogue() -> dict[str, str]:
    """{source: translation} of the EngineNotes context (unfinished ones left out)."""
    text = TS.read_text(encoding="utf-8")
    ctx = re.search(r"<name>EngineNotes</name>(.*?)</context>", text, re.S)
    assert ctx, "no EngineNotes context in ct_notes_zh_CN.ts"
    out = {}
    for src, attrs, tr in re.findall(r"<source>(.*?)</source>\s*(?:<comment>.*?</comment>\s*)?"
                                     r"<translation([^>]*)>(.*?)</translation>", ctx.group(1), re.S):
        if "unfinished" not in attrs and tr.strip():
            out[html.unescape(src)] = html.unescape(tr)
    return out


def test_every_code_term_and_separator_has_a_chinese_translation():
    cat = _catalogue()
    missing = [f"{code}: {t.text!r}" for code, t in TEMPLATES.items() if t.text not in cat]
    missing += [f"term {t!r}" for t in TERMS if t not in cat]
    missing += [f"separator {s!r}" for s in SEPARATORS.values() if s not in cat]
    assert not missing, ("add zh_CN translations to resources/i18n/ct_notes_zh_CN.ts "
                         "(pyside6-lupdate app/ct/note_table.py) for: " + "; ".join(missing))
    for code, t in TEMPLATES.items():      # each placeholder kept, none invented
        assert sorted(PLACEHOLDER.findall(cat[t.text])) == sorted(PLACEHOLDER.findall(t.text)), code
        assert len(set(PLACEHOLDER.findall(t.text))) == len(t.params), code
        assert all(p in t.formats for p in t.params), code


@pytest.fixture(scope="module")
def results():
    from app.ct.analysis import analyze_series
    from app.ct.dicom_load import LoadedSeries

    out = []
    for kw in ({}, {"phantom": "acr464"},
               {"artifacts": (art("ring", 12.0, radius_mm=40.0), art("streak", 60.0)),
                "z_range_mm": (-10.0, 10.0)}):
        out.append(analyze_series(LoadedSeries.from_simulated(simulated(**kw)), phantom="auto"))
    return out


def _notes(result) -> list:  # noqa: ANN001
    return (list(result.notes) + [m.note for m in result.measurements if m.note]
            + [a.note for a in result.artifacts if a.note])


def _codes(entry) -> set:  # noqa: ANN001
    """The codes of a note's JSON entry, nested ones included."""
    if isinstance(entry, list):
        return set().union(*(_codes(e) for e in entry)) if entry else set()
    if isinstance(entry, dict) and "code" in entry:
        return {entry["code"]} | _codes(list(entry.get("params", {}).values()))
    return set()


@pytest.mark.slow            # three analyses (~3 s)
def test_every_note_of_real_analyses_is_coded_and_its_english_is_the_record(results):
    seen = set()
    for r in results:
        for n in _notes(r):
            assert isinstance(n, nc.Note) and n.code in TEMPLATES, f"uncoded note {n!r}"
            seen |= _codes(nc.code_entry(n))
            if n.code != "result.unmeasured":     # people read names, the record keys
                assert nc.render(n) == str(n)
            json.dumps(nc.code_entry(n), allow_nan=False)
    # the partial, streaked series exercises the result-level notes too
    assert {"analysis.modules_missing", "thickness.ramp", "ct_number.streak_crossed"} <= seen


@pytest.mark.slow
def test_json_keeps_every_english_key_and_adds_the_codes(results):
    from app.ct.analysis.result import QcResult

    partial = results[2]
    d = json.loads(partial.to_json())
    assert d["notes"] == [str(n) for n in partial.notes]     # the English, as before
    assert d["notes"][0] == "modules not in the series: CTP486, CTP515, CTP528"
    assert d["note_codes"][0] == {"code": "analysis.modules_missing",
                                  "params": {"modules": ["CTP486", "CTP515", "CTP528"]}}
    assert len(d["note_codes"]) == len(d["notes"])
    for m, md in zip(partial.measurements, d["measurements"]):
        assert md.get("note", "") == str(m.note)
        assert ("note_code" in md) == bool(m.note)
    back = QcResult.from_dict(json.loads(partial.to_json()))
    assert back.to_dict() == d and back.notes[0].code == "analysis.modules_missing"
    # an older record (no codes) reads as before: plain English notes
    old = {k: v for k, v in d.items() if k != "note_codes"}
    old["measurements"] = [{k: v for k, v in m.items() if k != "note_code"}
                           for m in d["measurements"]]
    again = QcResult.from_dict(old)
    assert list(again.notes) == d["notes"] and not isinstance(again.notes[0], nc.Note)


def test_unknown_or_broken_codes_fall_back_to_the_english_text():
    zh = {t.text: "中文" for t in TEMPLATES.values()}

    def tr(_c: str, text: str, _d: str | None = None) -> str:
        return zh.get(text, text)

    assert nc.render(nc.Note("some text", "no.such.code", {}), tr, "zh_CN") == "some text"
    assert nc.render(nc.Note("uneven slice spacing x", "dicom.uneven_spacing",
                             {"min_mm": "a"}), tr, "zh_CN") == "uneven slice spacing x"
    assert nc.render(nc.Note("spacing", "dicom.uneven_spacing", {}), tr, "zh_CN") == "spacing"
    assert nc.render("plain", tr, "zh_CN") == "plain"
    assert nc.restore("text", {"code": 3}) == "text" and nc.restore("t", None) == "t"
    assert nc.restore_all(["a", "b"], [None]) == ("a", "b")       # lengths differ: as is
    with pytest.raises(KeyError):
        nc.note("no.such.code")


def test_numbers_are_formatted_as_the_engine_writes_them_whatever_the_locale():
    n = nc.note("dicom.uneven_spacing", min_mm=0.5, max_mm=1234.5)
    assert str(n) == "uneven slice spacing 0.500..1234.500 mm"
    zh = nc.render(n, lambda _c, t, _d=None: {"uneven slice spacing %1..%2 mm":
                                              "层间距不均匀：%1..%2 mm"}.get(t, t), "zh_CN")
    assert zh == "层间距不均匀：0.500..1234.500 mm"
    # a value holding "%2" is not substituted again
    assert nc.render(nc.note("analysis.step_failed", step="MTF", error="bad %2")) == \
        "MTF: could not be measured (bad %2)"


def test_the_ai_notes_keep_their_english_and_carry_codes():
    from app.ct.review import ai_note

    phys = {"verdict": "FAIL", "measurements": [{"key": "ct_number.uniform", "verdict": "FAIL",
                                                 "value": 23.2}],
            "artifacts": [{"type": "band", "verdict": "FAIL",
                           "location": {"slice_range": [40, 42]}}]}
    n = ai_note({"label": "normal", "slices": [{"slice_index": 3, "label": "normal"}]}, phys)
    assert n == ("physics FAIL: band on slices 40-42, which the AI did not judge, "
                 "ct_number.uniform 23.2 - not what an AI class judges; the AI's 'normal' does "
                 "not contradict it, the physics decides")
    assert nc.code_entry(n)["code"] == "ai.physics_beside"
    weak = ai_note({"label": "uncertain", "series_evidence": {
        "weak": 4, "judged": 20, "expected_weak": 1.2, "p_value": 0.013}}, {"verdict": "PASS"})
    assert weak == ("AI uncertain on some slices (4 of 20 slices weak where a clean series "
                    "shows about 1.2, p = 0.013) (physics PASS): a note for the reviewer, not a "
                    "disagreement")
    assert nc.render(weak) == weak and nc.code_entry(weak)["code"] == "ai.uncertain_weak"
