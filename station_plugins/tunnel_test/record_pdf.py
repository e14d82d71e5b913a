"""The run record as PDF (reportlab): header block (DHR fields), one row per step with
limits, units, value, verdict and attempts, AI verdicts beside the limits, attachments
with sha256, disposition and release authority, the record's own hash on every page.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

VERDICT_COLORS = {"PASS": "#2e7d32", "WARN": "#9a5b00", "FAIL": "#c62828", "ERROR": "#6a1b9a",
                  "SKIP": "#6b7177", "ABORTED": "#c62828", "UNFINISHED": "#6a1b9a"}


def _fmt(v: Any) -> str:
    """Values as a reader expects them: never a Python repr (dicts become 'name value')."""
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v[:8]) + (" ..." if len(v) > 8 else "")
    if isinstance(v, dict):
        return "; ".join(f"{str(k).replace('_', ' ')} {_fmt(x)}" for k, x in v.items())
    return "" if v is None else str(v)


def instrument_lines(record: dict) -> str:
    """Each instrument with its calibration status on the run's date; an expired one is
    flagged (a released run refuses to start with it: engine.expired_instruments)."""
    from datetime import date

    started = str(record.get("started_utc") or "")[:10]
    try:
        on = date.fromisoformat(started)
    except ValueError:
        on = date.today()
    out = []
    for i in record.get("instruments", []):
        due = str(i.get("cal_due") or "")
        try:
            ok = date.fromisoformat(due[:10]) >= on
        except ValueError:
            ok = False
        status = f"calibrated, due {due}" if ok else f"CALIBRATION EXPIRED (was due {due})"
        out.append(f"{i.get('id')} ({i.get('kind', '')}): {status}")
    return "; ".join(out) or "-"


def _release_text(rel: dict) -> str:
    if not rel:
        return "not released"
    by = rel.get("printed_name") or rel.get("username") or rel.get("by") or ""
    when = rel.get("signed_utc") or rel.get("utc") or rel.get("released_utc") or ""
    meaning = rel.get("meaning") or "released"
    rest = {k: v for k, v in rel.items() if k not in ("printed_name", "username", "by",
                                                      "signed_utc", "utc", "released_utc",
                                                      "meaning")}
    head = " ".join(x for x in (meaning, "by" if by else "", by, when) if x)
    return head + (f" ({_fmt(rest)})" if rest else "")


def step_title(step: dict, language: str) -> str:
    """The step's title for the record in ``language``: in Chinese the plant's title with
    the English title of the released sequence beneath it (both are the sequence's
    words); the English title alone where the sequence has no Chinese one."""
    zh = step.get("title_zh") or ""
    if zh and language.startswith("zh"):
        return f"{_esc(zh)}<br/><font size='5.5' color='#555555'>{_esc(step['title'])}</font>"
    return _esc(step["title"])


def _cjk_font() -> str:
    """A font with Chinese glyphs that every PDF reader has (Adobe's CID font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def write_record_pdf(record: dict, path: str | Path, *, release: dict | None = None,
                     language: str = "en") -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    path = Path(path)
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=6.5, leading=8)
    title_cell = cell.clone("title_cell", fontName=_cjk_font()) \
        if language.startswith("zh") else cell
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=10 * mm,
                            rightMargin=10 * mm, topMargin=10 * mm, bottomMargin=12 * mm,
                            title=f"Tunnel test record {record['run_id']}")
    u, s = record["unit"], record["sequence"]
    disp = record["disposition"]
    story: list = [Paragraph(f"Tunnel test record - {u.get('serial')} - "
                             f"<font color='{VERDICT_COLORS.get(disp, '#000')}'>{disp}</font>",
                             styles["Title"])]
    rel = release or {}
    head = [
        ("Run id", record["run_id"]), ("Unit", f"{u.get('serial')}  P/N {u.get('part_number', '')}"
                                       f" rev {u.get('revision', '')}  UDI {u.get('udi', '')}"),
        ("Key parts", ", ".join(f"{k} {v}" for k, v in (u.get("parts") or {}).items())),
        ("MES order", record.get("mes_order") or "-"),
        ("Station / socket", f"{record['station_id']} / {record['socket']}  mode {record['mode']}"
                             f"  releasable {'yes' if record['releasable'] else 'NO'}"),
        ("Sequence", f"{s.get('id')} v{s.get('version')} ({s.get('status')})  sha256 "
                     f"{s.get('sha256')}"),
        ("Limits", f"{record['limits']['version']}  sha256 {record['limits']['sha256']}"),
        ("Software", _fmt(record.get("software"))),
        ("AI models", "; ".join(f"{m['id']} v{m['version']} sha256 {str(m['sha256'])[:16]}..."
                                for m in record["models"]) or "-"),
        ("Instruments", instrument_lines(record)),
        ("Operators", ", ".join(record["operators"])),
        ("Started / ended (UTC)", f"{record['started_utc']}  /  {record['ended_utc'] or '-'}"),
        ("Status", f"{record['status']}  {record.get('reason') or ''}"),
        ("Counts", _fmt(record["counts"])),
        ("AI review items", ", ".join(record["review_items"]) or "none"),
        ("Release", _release_text(rel)),
        ("Record sha256", record["content_sha256"]),
    ]
    t = Table([[Paragraph(f"<b>{k}</b>", small), Paragraph(_esc(v), small)] for k, v in head],
              colWidths=[40 * mm, 235 * mm])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [t, Spacer(1, 4 * mm)]
    header = ["Step", "Title", "Measurement", "Value", "Unit", "Limits", "Verdict", "AI",
              "Attempts"]
    rows = [[Paragraph(f"<b>{h}</b>", cell) for h in header]]
    styles_cmds = [("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#d5d9de")),
                   ("VALIGN", (0, 0), (-1, -1), "TOP")]
    for st in record["steps"]:
        ms = st["measurements"] or [{"name": "-", "value": st.get("reason"), "unit": "",
                                     "limits_text": "", "verdict": st["verdict"]}]
        ai = st.get("ai") or {}
        ai_txt = (f"{ai.get('verdict')} {ai.get('label', '')} {ai.get('confidence', '')} "
                  f"{ai.get('latency_ms', '')} ms{' DISAGREES' if ai.get('disagrees') else ''}"
                  f"{' REVIEW' if ai.get('effective') == 'review' else ''}") if ai else ""
        attempts = "; ".join(f"#{a['n']} {a['verdict']}{' ' + a['error'] if a['error'] else ''}"
                             for a in st["attempts"])
        for i, m in enumerate(ms):
            v = m.get("verdict") or st["verdict"] or "IN FLIGHT"
            rows.append([Paragraph(_esc(st["key"] if i == 0 else ""), cell),
                         Paragraph(step_title(st, language) if i == 0 else "", title_cell),
                         Paragraph(_esc(m.get("name")), cell),
                         Paragraph(_esc(_fmt(m.get("values") or m.get("value"))), cell),
                         Paragraph(_esc(m.get("unit")), cell),
                         Paragraph(_esc(m.get("limits_text")), cell),
                         Paragraph(f"<font color='{VERDICT_COLORS.get(v, '#000')}'><b>{v}</b>"
                                   f"</font>", cell),
                         Paragraph(_esc(ai_txt if i == 0 else ""), cell),
                         Paragraph(_esc(attempts if i == 0 else ""), cell)])
    table = Table(rows, colWidths=[50 * mm, 45 * mm, 25 * mm, 35 * mm, 13 * mm, 30 * mm,
                                   15 * mm, 35 * mm, 30 * mm], repeatRows=1)
    table.setStyle(TableStyle(styles_cmds))
    story.append(table)
    if record["attachments"]:
        story += [Spacer(1, 4 * mm), Paragraph("<b>Attachments</b>", small)]
        story.append(Table([[Paragraph(_esc(f"{a['step']} / {a['name']} #{a['attempt']}"), cell),
                             Paragraph(_esc(a["file"]), cell), Paragraph(a["sha256"], cell),
                             Paragraph(str(a.get("verified")), cell)]
                            for a in record["attachments"]],
                           colWidths=[70 * mm, 70 * mm, 110 * mm, 20 * mm]))

    doc.build(story, canvasmaker=_footer_canvas(
        f"Pharos tunnel record {record['run_id']}  sha256 {record['content_sha256']}"))
    return path


def _esc(v: Any) -> str:
    return str(v if v is not None else "").replace("&", "&amp;").replace("<", "&lt;") \
        .replace(">", "&gt;")


def _footer_canvas(footer: str) -> type:
    from app.adapters.pdf_table import numbered_canvas

    return numbered_canvas(footer, margin=28.0, y=17.0, gray=0.0)
