"""A plain tabular PDF (reportlab) used by audit and list exports. CJK-safe font."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import SimpleDocTemplate

_CJK_FONT = None


def _font() -> str:
    """Register a CJK-capable TrueType font when one is installed (Noto CJK)."""
    global _CJK_FONT
    if _CJK_FONT is not None:
        return _CJK_FONT
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    try:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        _CJK_FONT = "STSong-Light"
    except Exception:  # noqa: BLE001
        _CJK_FONT = "Helvetica"
    return _CJK_FONT


def write_table_pdf(path: Path, *, title: str, subtitle: str, header: list[str],
                    rows: list[list[str]], col_widths: list[float] | None = None) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontName=font, fontSize=7, leading=8.5)
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=12 * mm,
                            rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=title)
    data = [[Paragraph(f"<b>{h}</b>", cell) for h in header]]
    for r in rows:
        data.append([Paragraph(_esc(c), cell) for c in r])
    table = Table(data, colWidths=col_widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#d9dde3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    h1 = styles["Heading2"].clone("h1", fontName=font)
    sub = styles["BodyText"].clone("sub", fontName=font, fontSize=8)

    def footer(canvas: Canvas, doc_: SimpleDocTemplate) -> None:
        canvas.setFont("Helvetica", 7)
        canvas.drawRightString(doc_.pagesize[0] - 12 * mm, 7 * mm, f"page {doc_.page}")

    doc.build([Paragraph(_esc(title), h1), Paragraph(_esc(subtitle), sub), Spacer(1, 4 * mm),
               table], onFirstPage=footer, onLaterPages=footer)


def _esc(s: str) -> str:
    return (s or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def numbered_canvas(footer: str, *, margin: float = 40.0, y: float = 20.0,
                    gray: float = 0.35) -> type:
    """A reportlab canvas class that writes ``footer`` and 'page x of y' on every page
    (a controlled record: the record id and the page count on each page)."""
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for n, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont("Helvetica", 7)
                self.setFillGray(gray)
                w, _h = self._pagesize
                self.drawString(margin, y, footer)
                self.drawRightString(w - margin, y, f"page {n} of {total}")
                super().showPage()
            super().save()

    return NumberedCanvas
