"""Walk every visible widget text of a window (labels, buttons, tabs, headers, combo
items, placeholders, menus, group titles) and find user text left in English."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QGroupBox,
                               QHeaderView, QLabel, QLineEdit, QMenu, QTabWidget, QWidget)

# views / labels whose text is authored data, not UI text: none. (The tunnel step table
# and its current-step line were exempt until the sequence titles (title_zh) and the
# measurement names, units and yes/no values (tunnel_test/ui_words.py) were translated.)
DATA_VIEWS: set[str] = set()
DATA_LABELS: set[str] = set()
CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
# not translated on purpose: units, standards, abbreviations, product and protocol names
ALLOWED = {
    "ct", "qc", "ai", "mtf", "hu", "pdf", "csv", "mes", "dicom", "pacs", "kv", "ma", "ms",
    "mas", "roi", "ttf", "nps", "sd", "id", "uid", "ok", "pharos", "opc", "ua", "sha",
    "utc", "ae", "scp", "scu", "tls", "mm", "cm", "mgy", "mgy/h", "usv", "usv/h", "gy",
    "lp", "cnr", "snr", "catphan", "acr", "iso", "iec", "gbz", "onnx", "cpu", "gpu", "db",
    "url", "ip", "tcp", "http", "https", "yaml", "json", "png", "xlsx", "min", "max", "hz",
    "kw", "kwh", "rh", "sn", "mlc", "fov", "dpi", "gb", "mb", "kb", "ver", "rev", "qr",
    "esc", "enter", "ctrl", "shift", "tab", "mtf10", "mtf50", "fwhm", "hvl", "ctdi",
    "postgresql", "orthanc", "sqlite", "wl", "ww", "nan", "inf", "lot", "ctqc", "kvp", "us",
    "deg", "nm", "rpm",
}
# upper-case words that are not abbreviations: a verdict or state left in English ("PASS"
# in a Chinese window was an issue-17 finding)
NOT_ABBREVIATIONS = {"PASS", "FAIL", "WARN", "SKIP", "ERROR", "READY", "DONE", "ABORT"}


def _english_words(text: str, ignore: frozenset[str] = frozenset()) -> list[str]:
    words = []
    for w in WORD.findall(text):
        lw = w.lower()
        if lw in ignore or lw in ALLOWED or (w.isupper() and len(w) <= 5 and w not in NOT_ABBREVIATIONS):
            continue
        words.append(w)
    return words


def untranslated(text: str, ignore: frozenset[str] = frozenset()) -> bool:
    """``ignore``: lower-case words that are data here (the user's own name)."""
    text = re.sub(r"\b[\w.-]*\d[\w.-]*\b", " ", text or "")   # serials, ids, numbers
    text = re.sub(r"\S+[/\\]\S+", " ", text)                 # paths, URLs, units like mGy/h
    text = re.sub(r"\b\w+(?:\.\w+)+\b", " ", text)           # file names, dotted keys
    text = re.sub(r"\b\w*_\w*\b", " ", text)                   # identifiers (model ids)
    words = _english_words(text, ignore)
    if not words:
        return False
    if not CJK.search(text):
        return True
    # mixed: a lower-case English word inside Chinese text is a word left untranslated
    # ("均匀性（top）", "AI uncertain · 已送影像复核"); a capitalised one may be a name
    if any(w[0].islower() and len(w) >= 3 for w in words):
        return True
    # or a phrase of two or more English words
    for a, b in re.findall(r"([A-Za-z][A-Za-z']+)\s+(?=([A-Za-z][A-Za-z']+))", text):
        if a in words and b in words:
            return True
    return False


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text the user can see now."""
    out: list[tuple[str, str]] = []

    def add(w: QWidget, what: str, text: str) -> None:
        if text and text.strip():
            out.append((f"{type(w).__name__}#{w.objectName() or '?'}.{what}", text))

    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        if w.objectName() in DATA_LABELS:
            continue
        if isinstance(w, QLabel):
            add(w, "text", w.text() if w.textFormat() != Qt.TextFormat.RichText else
                re.sub(r"<[^>]+>", " ", w.text()))
        elif isinstance(w, QAbstractButton):
            add(w, "text", w.text())
        if isinstance(w, QGroupBox):
            add(w, "title", w.title())
        if isinstance(w, QLineEdit):
            add(w, "placeholder", w.placeholderText())
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                add(w, f"item{i}", w.itemText(i))
        if isinstance(w, QTabWidget):
            for i in range(w.count()):
                add(w, f"tab{i}", w.tabText(i))
        if isinstance(w, QAbstractItemView) and w.model() is not None and \
                not isinstance(w, QHeaderView) and w.objectName() not in DATA_VIEWS:
            m = w.model()
            try:
                columns = m.columnCount()
            except TypeError:                         # a list model
                columns = 0
            for r in range(min(m.rowCount(), 400)):
                for c in range(max(columns, 1)):
                    value = m.data(m.index(r, c))
                    if isinstance(value, str):
                        add(w, f"cell{r},{c}", value)
            for c in range(columns):
                add(w, f"header{c}", str(m.headerData(c, Qt.Orientation.Horizontal) or ""))
    for menu in root.findChildren(QMenu):
        add(menu, "title", menu.title())
        for a in menu.actions():
            if a.isVisible():
                add(menu, "action", a.text().replace("&", ""))
    return out


def find_untranslated(root: QWidget, ignore: frozenset[str] = frozenset()) -> list[str]:
    return [f"{where}: {text!r}" for where, text in visible_texts(root)
            if untranslated(text, ignore)]
