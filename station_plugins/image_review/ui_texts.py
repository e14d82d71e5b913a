"""Translated display texts of the image-review codes (the codes are what is stored)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from widgets.ai_texts import class_text  # noqa: F401 - the AI class names, shared


def queue_reason_text(code: str) -> str:
    """Why an item is in the queue."""
    return {
        "ai_abnormal": QCoreApplication.translate("ImageReview", "AI abnormal"),
        "low_confidence": QCoreApplication.translate("ImageReview", "Low AI confidence"),
        "anomaly": QCoreApplication.translate("ImageReview", "Fits no AI class"),
        "failed_limits": QCoreApplication.translate("ImageReview", "Failed limits"),
        "disagreement": QCoreApplication.translate("ImageReview", "AI ≠ physics"),
    }.get(code, code)


def queue_reason_short(code: str) -> str:
    """The queue's word for a reason, one line in its narrow column (the whole words of
    ``queue_reason_text`` are in the row's tooltip and the review header)."""
    return {
        "ai_abnormal": QCoreApplication.translate("ImageReview", "AI abnormal"),
        "low_confidence": QCoreApplication.translate("ImageReviewShort", "AI unsure"),
        "anomaly": QCoreApplication.translate("ImageReviewShort", "No AI class"),
        "failed_limits": QCoreApplication.translate("ImageReview", "Failed limits"),
        "disagreement": QCoreApplication.translate("ImageReviewShort", "AI ≠ physics"),
    }.get(code, code)


def decision_reason_text(code: str) -> str:
    """The controlled approve / reject reasons (review_queue.APPROVE/REJECT_REASONS)."""
    return {
        "artifact_absent": QCoreApplication.translate(
            "ImageReview", "No artifact on review (AI false positive)"),
        "artifact_acceptable": QCoreApplication.translate(
            "ImageReview", "Artifact present but within acceptance"),
        "phantom_positioning": QCoreApplication.translate(
            "ImageReview", "Phantom positioning, not a scanner defect"),
        "ring_artifact": QCoreApplication.translate("ImageReview", "Ring / arc artifact"),
        "streak_artifact": QCoreApplication.translate("ImageReview", "Streak artifact"),
        "band_artifact": QCoreApplication.translate("ImageReview", "Band / z-banding artifact"),
        "noise_excess": QCoreApplication.translate("ImageReview", "Excess noise"),
        "ct_number_shift": QCoreApplication.translate("ImageReview", "CT-number shift"),
        "blur_geometry": QCoreApplication.translate("ImageReview", "Blur / geometry defect"),
        "other_defect": QCoreApplication.translate("ImageReview", "Other image-quality defect"),
    }.get(code, code)


def status_text(code: str) -> str:
    return {
        "open": QCoreApplication.translate("ImageReview", "Open"),
        "awaiting_second": QCoreApplication.translate("ImageReview", "Awaiting 2nd signature"),
        "approved": QCoreApplication.translate("ImageReview", "Approved"),
        "rejected": QCoreApplication.translate("ImageReview", "Rejected"),
    }.get(code, code)


def priority_text(priority: int) -> str:
    return {3: QCoreApplication.translate("ImageReview", "High"),
            2: QCoreApplication.translate("ImageReview", "Medium"),
            1: QCoreApplication.translate("ImageReview", "Low"),
            0: QCoreApplication.translate("ImageReview", "Info")}.get(priority, str(priority))


PRIORITY_LEVEL = {3: "high", 2: "medium", 1: "low", 0: "info"}   # -> state_style.PRIORITY_COLORS
