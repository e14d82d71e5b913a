"""Every reason the AI check gives for not judging a slice or a series is a coded note
(app/ct/note_table.py ``ai.na_*``): the English text stays the record, word for word; the
code and its parameters survive the JSON and render in Chinese with no English left."""
from __future__ import annotations

import json

import numpy as np
import pytest

from app.ct.ai.check import NOT_APPLICABLE, AiChecker, SliceVerdict
from app.ct.ai.normalise import prepare
from app.ct.note_codes import Note, code_entry, render, restore
from app.ct.note_table import TEMPLATES
from tests.ct_qc.test_note_codes import _catalogue
from tests.image_review.test_ai_applicability import _head, _sim
from tests.ui.zh_walk import untranslated


def _disc(d_mm: float, px: float = 0.5, n: int = 512, hu: float = 0.0, noise: float = 5.0
          ) -> np.ndarray:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:n, :n]
    img = np.where(np.hypot(xx - (n - 1) / 2, yy - (n - 1) / 2) * px <= d_mm / 2, hu, -1000.0)
    return (img[None] + rng.normal(0, noise, (3, n, n))).astype(np.float32)


def _cases() -> list[tuple[str, np.ndarray, float, str]]:
    """(code, volume, pixel mm, the English reason: what the uncoded code wrote for it)."""
    v, px = _sim(512, 250.0)
    cut, cpx = _sim(512, 215.0, centre_offset_mm=(25.0, 0.0))
    n = 512
    yy, xx = np.mgrid[:n, :n]
    ell = ((xx - 255.5) / 200) ** 2 + ((yy - 255.5) / 120) ** 2 <= 1
    not_round = np.where(ell, 40.0, -1000.0)[None].repeat(3, 0).astype(np.float32)
    return [
        ("ai.na_pixel", v, 2.0, "pixel size 2.00 mm is outside 0.25..1.25 mm"),
        ("ai.na_no_body", np.full((3, 256, 256), -1000.0, np.float32), 1.0,
         "no phantom body in the slice"),
        ("ai.na_diameter", _disc(50.0), 0.5,
         "no phantom of 120..280 mm diameter (the body measures 50 mm)"),
        ("ai.na_not_round", not_round, 0.5, "the body is not round (reaches 100 mm from its "
         "centre, a disc of its area 78 mm): not a cylindrical phantom"),
        ("ai.na_cut", cut, cpx, "the phantom is cut by the field of view"),
        ("ai.na_elliptical", _head(95, 75, 6), 0.5,
         "the body is elliptical (axes 191 x 151 mm): not a cylindrical phantom"),
        ("ai.na_shell", _head(86, 86, 6), 0.5, "a dense shell inside the body's edge (+1162 HU "
         "over the body, like a skull): not a QC phantom the AI knows"),
        ("ai.na_noise", _disc(200.0, noise=400.0), 0.5,
         "noise SD 401 HU is beyond any CT scan of a phantom"),
    ]


@pytest.mark.parametrize("case", range(8))
def test_each_reason_is_coded_keeps_its_english_and_reads_chinese(case):
    code, vol, px, english = _cases()[case]
    _, _, problems = prepare(vol, px, [1])
    p = problems[0]
    assert isinstance(p, Note) and p.code == code and code in TEMPLATES
    assert str(p) == english                         # the record, word for word
    entry = json.loads(json.dumps(code_entry(p)))    # as stored
    back = restore(english, entry)
    assert render(back) == english
    cat = _catalogue()
    zh = render(back, lambda ctx, s, d=None: cat.get(s, s), "zh_CN")
    assert zh != english and not untranslated(zh), zh


def _na(i: int, reason: str) -> SliceVerdict:
    return SliceVerdict(i, NOT_APPLICABLE, 0.9, {}, 0.1, False, (f"AI not applicable: {reason}",),
                        "")


def test_series_reason_is_coded_and_counts_as_before():
    from app.ct.note_codes import note

    checker = AiChecker.__new__(AiChecker)
    checker.series_na_fraction = 0.5
    # reasons with different numbers count apart, as their texts always did
    problems = [note("ai.na_diameter", lo_mm=120.0, hi_mm=280.0, body_mm=b)
                for b in (330.0, 330.0, 331.0)]
    why = checker._series_reason([_na(i, p) for i, p in enumerate(problems)], problems)
    assert str(why) == "no phantom of 120..280 mm diameter (the body measures 330 mm) (3 of 3 slices)"
    entry = code_entry(why)
    assert entry["code"] == "ai.na_series" and entry["params"]["why"]["code"] == "ai.na_diameter"
    # the anomaly: per slice with its numbers, the series reason without them
    problems = [note("ai.na_anomaly", anomaly=a, threshold=3.0) for a in (3.5, 4.25)] + [""]
    verdicts = [_na(i, p) for i, p in enumerate(problems[:2])] + [
        SliceVerdict(2, "normal", 0.99, {}, 0.1, False, (), "")]
    assert str(problems[0]) == ("the slice is unlike any phantom slice the AI was trained and "
                                "calibrated on (anomaly 3.50 > 3.00)")
    why = checker._series_reason(verdicts, problems)
    assert str(why) == ("the slice is unlike any phantom slice the AI was trained and "
                        "calibrated on (2 of 3 slices)")
    assert code_entry(why)["params"]["why"] == {"code": "ai.na_unlike", "params": {}}
    cat = _catalogue()
    zh = render(why, lambda ctx, s, d=None: cat.get(s, s), "zh_CN")
    assert zh == "该层与 AI 训练和校准所用的任何体模层都不相似（3 层中有 2 层）"
    # a reason without a code (plain text: an older caller) keeps the old wording, uncoded
    why = checker._series_reason([_na(0, "x"), _na(1, "x")], ["", ""])
    assert why == "x (2 of 2 slices)" and code_entry(why) is None


def test_why_a_series_has_no_ai_verdict_is_coded_with_its_old_english():
    """The stored ``reason`` of a series without an AI verdict keeps the English it always
    had; its code (``reason_code``) makes it read Chinese: a failed check with the error
    nested (a coded registry message is translated too, any other error as written),
    a cancelled check, no registry."""
    from app.core.errors import InputRejected, ModelIntegrityError
    from app.ct.ai.handoff import cancelled_reason, checker_or_reason, failed_reason
    from app.ct.note_codes import coded

    cat = _catalogue()

    def zh(n):  # noqa: ANN001, ANN202
        back = restore(str(n), json.loads(json.dumps(code_entry(n))))
        return render(back, lambda ctx, s, d=None: cat.get(s, s), "zh_CN")

    plain = failed_reason(InputRejected("The image contains non-finite values (NaN or infinity)."))
    assert str(plain) == "AI check failed: The image contains non-finite values (NaN or infinity)."
    assert code_entry(plain) == {"code": "ai.check_failed", "params": {
        "error": "The image contains non-finite values (NaN or infinity)."}}
    assert zh(plain) == "AI 检查失败：The image contains non-finite values (NaN or infinity)."
    refused = failed_reason(ModelIntegrityError(coded(
        "Model file /m/model.onnx is missing.", "model.file_missing", path="/m/model.onnx")))
    assert str(refused) == "AI check failed: Model file /m/model.onnx is missing."
    assert zh(refused) == "AI 检查失败：模型文件 /m/model.onnx 缺失。"
    assert str(cancelled_reason()) == "AI check cancelled"
    assert zh(cancelled_reason()) == "AI 检查已取消"
    checker, why = checker_or_reason(None)
    assert checker is None and str(why) == "no model registry" and zh(why) == "未配置模型库"
