"""Display names of the AI image check's classes (app.ct.ai.preprocess.CLASSES, plus
'uncertain', 'not applicable' and none), in the user's language. Shared by every view that
shows an AI verdict (CT QC's series list, image review): the codes are what is stored."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def class_text(code: str | None) -> str:
    """AI classes (preprocess.CLASSES) plus 'uncertain' and none."""
    if not code:
        return QCoreApplication.translate("ImageReview", "no AI verdict")
    return {
        "normal": QCoreApplication.translate("ImageReview", "normal"),
        "ring": QCoreApplication.translate("ImageReview", "ring"),
        "streak": QCoreApplication.translate("ImageReview", "streak"),
        "band": QCoreApplication.translate("ImageReview", "band"),
        "noise": QCoreApplication.translate("ImageReview", "noise"),
        "shift": QCoreApplication.translate("ImageReview", "CT-number shift"),
        "blur": QCoreApplication.translate("ImageReview", "blur / geometry"),
        "uncertain": QCoreApplication.translate("ImageReview", "uncertain"),
        "not_applicable": QCoreApplication.translate("ImageReview", "AI not applicable"),
    }.get(code, code)
