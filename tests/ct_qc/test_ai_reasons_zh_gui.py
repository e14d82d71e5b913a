"""The CT QC verdict strip shows why the AI did not judge a series in the user's language:
the registry's "No model ... is installed in <folder>" (the folder as written) and a
series the AI is not applicable to (1.5 mm pixels: outside the 0.25..1.25 mm the AI
knows), through the records' codes (``reason_code``, ``not_applicable_reason_code``);
the English screen keeps the English texts. A real station (store, audit, registry, the
trained classifier) analyses a simulated series; both screens are rendered at 1366x768
(NOTE_SHOTS=<folder> keeps the PNGs) and checked to fit."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ct_qc._station_env import StationEnv, station_env  # noqa: E402,F401
from tests.ct_qc.test_panel import import_and_wait, open_panel  # noqa: E402
from tests.ct_qc.test_panel_station import _newest_classifier_version  # noqa: E402
from tests.ui.zh_walk import untranslated  # noqa: E402

SIZE = (1366, 768)


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("NOTE_SHOTS") or tmp_path)


def _series(out: Path, *, fov_mm: float = 250.0, serial: str = "SN-AI-NA") -> Path:
    """CTP404 and a little beyond at 256 x 256 (5 slices): small, quick to analyse."""
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    s = simulate_series(SimParams(matrix=256, fov_mm=fov_mm, slice_thickness_mm=5.0, seed=4,
                                  z_range_mm=(-10.0, 10.0)))
    write_dicom_series(s, out, scanner_serial=serial)
    return out


def _strip_fits(panel) -> None:  # noqa: ANN001
    assert panel.width() <= SIZE[0] and panel.height() <= SIZE[1]
    w = panel.strip.ai_label
    top_left = w.mapTo(panel, w.rect().topLeft())
    assert top_left.x() >= 0 and top_left.x() + w.width() <= panel.width() + 1
    assert top_left.y() >= 0 and top_left.y() + w.height() <= panel.height() + 1


@pytest.fixture(params=["en", "zh_CN"])
def language(request, qapp):  # noqa: ANN001, ANN201
    """The screen's language, set before the panel opens (as a Chinese station starts)."""
    from app.ui import i18n

    i18n.set_language(qapp, request.param)
    yield request.param
    i18n.set_language(qapp, "en")


def _shown(panel, tmp_path: Path, name: str) -> str:  # noqa: ANN001
    """The AI pill's text; the screen rendered to PNG at 1366x768 and checked to fit."""
    from app.ui.screenshot import render_widget_png

    panel.resize(*SIZE)
    panel.show()
    render_widget_png(panel, _shots(tmp_path) / f"{name}.png", SIZE)
    _strip_fits(panel)
    return panel.strip.ai_text


def test_no_model_message_in_chinese_with_the_folder_as_written(qtbot, language, station_env,
                                                                tmp_path):
    ctx = station_env.context()
    panel = import_and_wait(qtbot, open_panel(qtbot, ctx), _series(tmp_path / "series"))
    ai = ctx.store.query_records(kind="ct_qc.ai_verdict")[0].payload
    folder = str(station_env.models_dir)
    # the record: the English text (unchanged) and its code, the folder a parameter
    assert ai["reason"] == f"No model 'ct_phantom_classifier' is installed in {folder}."
    assert ai["reason_code"] == {"code": "model.not_installed",
                                 "params": {"name": "ct_phantom_classifier", "folder": folder}}
    shown = _shown(panel, tmp_path, f"ct_qc_ai_no_model_{language}")
    from station_plugins.ct_qc.ui_series import COL_AI

    table = panel.series_table
    tip = table.model_.cell(table.row_of(panel._current_uid), COL_AI).tip   # the AI cell's tip
    if language == "en":
        assert shown == (f"AI check unavailable: No model 'ct_phantom_classifier' is installed "
                         f"in {folder}. - physics checks only")
        assert tip == ai["reason"]
    else:
        assert shown == f"AI 检查不可用：{folder} 中未安装模型“ct_phantom_classifier”。 - 仅物理检测"
        assert not untranslated(shown.replace(folder, " "))     # the folder is data
        assert tip == f"{folder} 中未安装模型“ct_phantom_classifier”。"


@pytest.mark.skipif(_newest_classifier_version() is None,
                    reason="the trained classifier is not installed")
def test_not_applicable_series_reason_in_chinese(qtbot, language, tmp_path):
    env = StationEnv(tmp_path, model="real")
    try:
        ctx = env.context()
        panel = import_and_wait(qtbot, open_panel(qtbot, ctx),
                                _series(tmp_path / "series", fov_mm=384.0))   # 1.5 mm pixels
        ai = ctx.store.query_records(kind="ct_qc.ai_verdict")[0].payload
        assert ai["label"] == "not_applicable" and not ai["applicable"]
        n = len(ai["slices"])
        reason = f"pixel size 1.50 mm is outside 0.25..1.25 mm ({n} of {n} slices)"
        assert ai["not_applicable_reason"] == reason
        assert ai["not_applicable_reason_code"] == {
            "code": "ai.na_series",
            "params": {"why": {"code": "ai.na_pixel",
                               "params": {"pixel_mm": 1.5, "lo_mm": 0.25, "hi_mm": 1.25}},
                       "count": n, "total": n}}
        shown = _shown(panel, tmp_path, f"ct_qc_ai_not_applicable_{language}")
        if language == "en":
            assert shown == f"AI not applicable to this series ({reason}) - physics decides alone"
        else:
            assert shown == (f"AI 不适用于此序列（像素尺寸 1.50 mm 超出 0.25..1.25 mm（{n} 层中有 "
                             f"{n} 层））- 由物理检测单独判定")
            assert not untranslated(shown)
        panel.shutdown()
    finally:
        env.close()


def test_a_reason_without_a_code_shows_as_written(qtbot, qapp):
    """An older record (no code) keeps its English reason, never blank."""
    from app.ui import i18n
    from station_plugins.ct_qc.ui_verdicts import VerdictStrip

    strip = VerdictStrip()
    qtbot.addWidget(strip)
    i18n.set_language(qapp, "zh_CN")
    try:
        strip.set_state(physics="PASS", ai={"available": False, "reason": "old reason"})
        assert strip.ai_text == "AI 检查不可用：old reason - 仅物理检测"
        strip.set_state(physics="PASS", ai={"available": True, "label": "not_applicable",
                                            "not_applicable_reason": "old why"})
        assert strip.ai_text == "AI 不适用于此序列（old why）- 由物理检测单独判定"
    finally:
        i18n.set_language(qapp, "en")


@pytest.mark.skipif(_newest_classifier_version() is None,
                    reason="the trained classifier is not installed")
def test_a_failed_ai_check_reads_in_the_users_language(qtbot, language, tmp_path):
    """The AI check raises after the model was loaded (its file altered on disk since:
    the registry refuses to load it again): the stored reason keeps its English text
    "AI check failed: <the registry's message>" and carries the code ``ai.check_failed``
    with the registry's coded message nested, so the Chinese screen shows no English
    ("AI check failed" stayed English before)."""
    import shutil

    from tests.ct_qc._station_env import REAL_MODEL_DIR

    version = _newest_classifier_version()
    env = StationEnv(tmp_path)
    try:
        shutil.copytree(REAL_MODEL_DIR / "ct_phantom_classifier" / version,
                        env.models_dir / "ct_phantom_classifier" / version)
        ctx = env.context()
        model = ctx.models.load("ct_phantom_classifier")    # loaded, as a warm station has it
        if not all(p == "CPUExecutionProvider" for p in model.providers):
            pytest.skip("the single-threaded session (re-read from the file) is CPU only")
        with open(model.card.path, "ab") as f:              # altered after loading
            f.write(b"\0")
        panel = import_and_wait(qtbot, open_panel(qtbot, ctx), _series(tmp_path / "series"))
        ai = ctx.store.query_records(kind="ct_qc.ai_verdict")[0].payload
        assert ai["available"] is False
        assert ai["reason"].startswith(f"AI check failed: Model {model.card.model_id} failed "
                                       f"its integrity check: sha256 ")
        assert ai["reason"].endswith("(file altered after loading). It was not loaded again.")
        entry = ai["reason_code"]
        assert entry["code"] == "ai.check_failed"
        assert entry["params"]["error"]["code"] == "model.altered_after_loading"
        shown = _shown(panel, tmp_path, f"ct_qc_ai_failed_{language}")
        if language == "en":
            assert shown == f"AI check unavailable: {ai['reason']} - physics checks only"
        else:
            p = entry["params"]["error"]["params"]
            assert shown == (f"AI 检查不可用：AI 检查失败：模型 {p['model']} 未通过完整性校验："
                             f"sha256 {p['actual']}… 与模型卡中的 {p['expected']}… 不一致"
                             f"（文件在加载后被改动）。未再次加载该模型。 - 仅物理检测")
            assert "AI check failed" not in shown
            assert not untranslated(shown.replace(p["model"], " "))
        panel.shutdown()
    finally:
        env.close()


@pytest.mark.skipif(_newest_classifier_version() is None,
                    reason="the trained classifier is not installed")
def test_the_json_only_sidecar_of_a_failed_ai_check_carries_its_code(tmp_path):
    """`pharos qc listen` without a store writes `<uid>.ai.json`: a check that raised (an
    image with NaN) keeps its English reason and now has its `reason_code` (it had none)."""
    import json

    import numpy as np

    from station_plugins.ct_qc.intake_jobs import ai_sidecar

    vol = np.zeros((3, 128, 128), np.float32)
    vol[1, 5, 5] = np.nan
    out = tmp_path / "1.2.3.ai.json"
    said = ai_sidecar(vol, out, pixel_mm=0.5)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["available"] is False
    assert doc["reason"] == said == ("AI check failed: The image contains non-finite values "
                                     "(NaN or infinity).")
    assert doc["reason_code"] == {"code": "ai.check_failed", "params": {
        "error": "The image contains non-finite values (NaN or infinity)."}}
