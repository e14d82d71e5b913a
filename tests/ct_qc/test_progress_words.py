"""The progress line of CT QC (and image review) in the user's language: the CT engine,
the AI check, the simulator and the CT QC jobs report progress in English (the CLI and
the log keep it); the Chinese screen showed it as written ("reading images", "streaks",
"AI check", "inference" under a Chinese tool bar). ``app.ct.progress_words`` translates
every message a real run reports; numbers and names stay as written."""
from __future__ import annotations

import os
import re

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.ct.progress_words import FIXED, PATTERNS, progress_text  # noqa: E402
from tests.ct_qc._station_env import station_env_ai  # noqa: E402,F401
from tests.ct_qc.test_note_codes import _catalogue  # noqa: E402
from tests.ct_qc.test_panel import import_and_wait, open_panel  # noqa: E402
from tests.ui.zh_walk import untranslated  # noqa: E402

PLACEHOLDER = re.compile(r"%\d")


def _zh(message: str) -> str:
    cat = _catalogue()
    return progress_text(message, lambda ctx, s, d=None: cat.get(s, s))


def test_every_progress_word_has_a_chinese_translation():
    cat = _catalogue()
    missing = [t for t in FIXED if t not in cat]
    missing += [t for _p, t in PATTERNS if t not in cat]
    assert not missing, missing
    for _p, t in PATTERNS:
        assert sorted(PLACEHOLDER.findall(cat[t])) == sorted(PLACEHOLDER.findall(t)), t
    # the messages with names and numbers, as their producers write them
    assert _zh("rendering slice 4/68") == "渲染第 4/68 层"
    assert _zh("simulating SN-1") == "模拟 SN-1"
    assert _zh("pushing SN-1 to PHAROS_QC@127.0.0.1:11112") == \
        "推送 SN-1 到 PHAROS_QC@127.0.0.1:11112"
    assert _zh("SN-DEMO-1 day 3") == "SN-DEMO-1 第 3 天"
    assert _zh("something else") == "something else"            # unknown: as written
    assert progress_text("reading images") == "reading images"   # no translator: English


@pytest.mark.slow      # a real simulation, analysis and AI check (seconds)
def test_the_progress_of_a_real_import_analysis_and_ai_check_reads_chinese(
        qtbot, station_env_ai, tmp_path, monkeypatch):  # noqa: F811
    """Every message of a real simulation, import, analysis and AI check (the tiny
    classifier) maps to Chinese with no English left (a file counter "2/6 CT_0002.dcm"
    has no words and stays as it is); the English is unchanged."""
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    from widgets.tasks import TaskController

    monkeypatch.setattr(TaskController, "PROGRESS_INTERVAL_S", 0.0)   # every message
    seen: list[str] = []
    sim = simulate_series(SimParams(matrix=256, fov_mm=250.0, slice_thickness_mm=5.0, seed=4,
                                    z_range_mm=(-10.0, 10.0)),
                          progress=lambda f, m="": seen.append(m))
    write_dicom_series(sim, tmp_path / "series", scanner_serial="SN-PROGRESS")
    panel = open_panel(qtbot, station_env_ai.context())
    for c in (panel.io, panel.analysis, panel.actions):
        c.sig_progress.connect(lambda f, m: seen.append(m))
    import_and_wait(qtbot, panel, tmp_path / "series")
    messages = sorted({m for m in seen if m})
    for expected in ("validating files", "reading images", "locating the phantom",
                     "CT numbers", "done", "AI check", "inference", "simulation done"):
        assert expected in messages, (expected, messages)
    assert "2/6 CT_0002.dcm" in messages             # a file counter: no words to translate
    for m in messages:
        assert progress_text(m) == m
        zh = _zh(m)
        if untranslated(m):                          # words: translated, none left
            assert zh != m and not untranslated(zh), (m, zh)
        else:
            assert zh == m
    panel.shutdown()


def test_the_bar_shows_the_translated_message(qtbot):
    from widgets.progress_bar import TaskProgressBar

    bar = TaskProgressBar(message_text=lambda m: f"«{m}»")
    qtbot.addWidget(bar)
    bar.set_progress(0.5, "inference")
    assert bar.message_label.text() == "«inference»"
    plain = TaskProgressBar()
    qtbot.addWidget(plain)
    plain.set_progress(0.5, "inference")
    assert plain.message_label.text() == "inference"
