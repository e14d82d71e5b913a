"""The image-review station says why there is no AI check in the user's language: the
registry's "No model ... is installed in <folder>" through its code, the folder as
written; the English screen keeps the English text."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.ui.zh_walk import untranslated  # noqa: E402


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_no_model_status_in_the_users_language(qtbot, qapp, env, language):  # noqa: ANN001
    from app.ui import i18n
    from station_plugins.image_review.panel import ImageReviewPanel

    folder = env.tmp / "no_models"
    folder.mkdir()
    i18n.set_language(qapp, language)
    try:
        panel = ImageReviewPanel(env.context("rev1", models_dir=folder))
        qtbot.addWidget(panel)
        panel.resize(1366, 768)
        panel.show()
        qtbot.waitUntil(lambda: panel.ai_available is not None, timeout=20000)
        assert panel.ai_available is False
        text = panel.ai_label.text()
        if language == "en":
            assert text == (f"AI check unavailable: No model 'ct_phantom_classifier' is "
                            f"installed in {folder}. - physics checks only")
        else:
            assert text == f"AI 检查不可用：{folder} 中未安装模型“ct_phantom_classifier”。 - 仅进行物理检测"
            assert not untranslated(text.replace(str(folder), " "))
    finally:
        i18n.set_language(qapp, "en")


def test_refused_model_status_in_chinese(qtbot, qapp, env):  # noqa: ANN001
    """An altered model file: the registry's integrity refusal, translated through its code
    (the sha256 prefixes as written); the audit keeps the English text."""
    from app.ui import i18n
    from station_plugins.image_review.panel import ImageReviewPanel

    env.onnx_path.write_bytes(env.onnx_path.read_bytes()[:100])
    i18n.set_language(qapp, "zh_CN")
    try:
        panel = ImageReviewPanel(env.context("rev1"))
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitUntil(lambda: panel.ai_available is not None, timeout=20000)
        text = panel.ai_label.text()
        assert text.startswith("AI 检查不可用：模型 ct_phantom_classifier:0.0.1 未通过完整性校验：sha256 ")
        assert "与模型卡中的" in text and text.endswith("未加载该模型。 - 仅进行物理检测")
        assert not untranslated(text)
    finally:
        i18n.set_language(qapp, "en")
    (refused,) = env.audit.entries(action="model_refused")
    assert refused.reason.startswith("Model ct_phantom_classifier:0.0.1 failed its integrity "
                                     "check: sha256 ")


def test_no_registry_status_in_chinese(qtbot, qapp, env):  # noqa: ANN001
    """A station without a model registry: "No model registry is configured." through its
    code (``model.no_registry_configured``); it stayed English before."""
    from app.ui import i18n
    from station_plugins.image_review.panel import ImageReviewPanel

    ctx = env.context("rev1")
    ctx.models = None
    i18n.set_language(qapp, "zh_CN")
    try:
        panel = ImageReviewPanel(ctx)
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitUntil(lambda: panel.ai_available is not None, timeout=20000)
        text = panel.ai_label.text()
        assert text == "AI 检查不可用：未配置模型库。 - 仅进行物理检测"
        assert not untranslated(text)
    finally:
        i18n.set_language(qapp, "en")
