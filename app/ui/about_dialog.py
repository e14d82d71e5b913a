"""About box: Pharos and the versions of everything it runs on (for validation records)."""
from __future__ import annotations

import platform
import sys
from importlib import metadata
from typing import Mapping

import PySide6
from PySide6.QtCore import QEvent, qVersion
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

import app

PACKAGES = ("numpy", "scipy", "pyqtgraph", "pydicom", "pynetdicom", "onnxruntime",
            "opencv-python-headless", "SQLAlchemy", "alembic", "asyncua", "argon2-cffi")


def collect_versions(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Versions from package metadata: nothing heavy is imported."""
    versions = {"Pharos": app.__version__,
                "Python": platform.python_version(),
                "Qt": qVersion(),
                "PySide6": PySide6.__version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "—"
    versions["Platform"] = f"{platform.system()} {platform.release()} ({platform.machine()})"
    if getattr(sys, "frozen", False):
        versions["Build"] = "frozen bundle"
    versions.update(extra or {})
    return versions


class AboutDialog(QDialog):
    def __init__(self, versions: Mapping[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.versions = dict(versions or collect_versions())
        self.title_label = QLabel(self)
        self.title_label.setObjectName("about_title")
        self.text_label = QLabel(self)
        self.text_label.setObjectName("about_text")
        self.text_label.setWordWrap(True)
        self.table = QTableWidget(len(self.versions), 2, self)
        self.table.setObjectName("about_versions")
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (name, version) in enumerate(self.versions.items()):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(version))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.setObjectName("about_buttons")
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.text_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.resize(560, 520)
        self.retranslate_ui()

    def as_text(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.versions.items())

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("About Pharos"))
        self.title_label.setText(f"<h2>Pharos {self.versions.get('Pharos', '')}</h2>")
        self.text_label.setText(self.tr(
            "Operator workstation for the quality and test stations of the CT factory. "
            "Quote these versions in deviation reports and validation records."))
        self.table.setHorizontalHeaderLabels([self.tr("Component"), self.tr("Version")])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
