"""PDF report of one CT phantom QC result (reportlab; no Qt).

``write_report(result, path, series=None, images=None)``: header with verdict, scanner and
series, software and limit-profile versions (with hash); module images with the ROIs
drawn where they were measured (cv2 -> PNG); the measurement table coloured by verdict;
artifacts; MTF / NPS / linearity / radial-profile plots; a signature block.
"""
from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from app.core.measurement import Verdict

VERDICT_RGB = {Verdict.PASS: (0.80, 0.93, 0.80), Verdict.WARN: (1.0, 0.92, 0.70),
               Verdict.FAIL: (1.0, 0.78, 0.78), Verdict.ERROR: (0.93, 0.80, 0.95),
               Verdict.SKIP: (0.95, 0.95, 0.95)}
_BGR = {Verdict.PASS: (60, 180, 60), Verdict.WARN: (0, 170, 255), Verdict.FAIL: (40, 40, 230),
        Verdict.ERROR: (200, 60, 200), Verdict.SKIP: (230, 160, 0)}


def render_slice(img: np.ndarray, measurements: list, slice_idx: int, *, level: float = 40.0,
                 width: float = 400.0, size: int = 360) -> bytes:
    """PNG of one slice with the ROIs of the measurements taken on it."""
    lo = level - width / 2
    g: np.ndarray = np.clip((img - lo) / width * 255.0, 0, 255).astype(np.uint8)
    scale = size / max(img.shape)
    g = cv2.resize(g, (int(img.shape[1] * scale), int(img.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(g, cv2.COLOR_GRAY2BGR)
    for m in measurements:
        w = m.where or {}
        if w.get("slice") != slice_idx:
            continue
        col = _BGR[m.verdict]
        if w.get("kind") == "circle" and w.get("centre_px"):
            c = (int(round(w["centre_px"][0] * scale)), int(round(w["centre_px"][1] * scale)))
            cv2.circle(rgb, c, max(1, int(round(w.get("radius_px", 2) * scale))), col, 1, cv2.LINE_AA)
        for line in w.get("lines_px", []):
            p0 = tuple(int(round(v * scale)) for v in line[0])
            p1 = tuple(int(round(v * scale)) for v in line[1])
            cv2.line(rgb, p0, p1, col, 1, cv2.LINE_AA)
        for pt in w.get("points_px", []):
            cv2.drawMarker(rgb, (int(round(pt[0] * scale)), int(round(pt[1] * scale))), col,
                           cv2.MARKER_CROSS, 8, 1)
        for r in w.get("rects_px", []):
            cv2.rectangle(rgb, (int(r[0] * scale), int(r[1] * scale)), (int(r[2] * scale), int(r[3] * scale)), col, 1)
    ok, buf = cv2.imencode(".png", rgb)
    return bytes(buf) if ok else b""


def _plot(curve: Any, title: str, w: float, h: float, *, ylog: bool = False) -> Any:
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    d = Drawing(w, h)
    pts = [(float(x), float(y)) for x, y in zip(curve.x, curve.y)
           if x is not None and y is not None and math.isfinite(x) and math.isfinite(y)]
    d.add(String(4, h - 12, f"{title} [{curve.y_unit or '-'} vs {curve.x_unit}]", fontSize=8))
    if len(pts) < 2:
        return d
    lp = LinePlot()
    lp.x, lp.y, lp.width, lp.height = 34, 24, w - 44, h - 44
    lp.data = [pts]
    lp.lines[0].strokeColor = colors.HexColor("#1f5fa8")
    lp.xValueAxis.labels.fontSize = lp.yValueAxis.labels.fontSize = 6
    d.add(lp)
    return d


def _table_rows(result: Any, small: Any) -> tuple[list, list]:
    """Measurements by their human names (the key below, grey); every cell wraps."""
    from reportlab.platypus import Paragraph

    from station_plugins.ct_qc.ui_names import measurement_name

    rows = [["measurement", "value", "unit", "limits", "verdict", "note"]]
    styles = []
    for k, m in enumerate(result.measurements, start=1):
        v = "-" if m.value is None else (f"{m.value:.4g}" if isinstance(m.value, float) else str(m.value))
        name = Paragraph(f"{_esc(measurement_name(m.key))}<br/>"
                         f"<font color='#666666' size='5.5'>{_esc(m.key)}</font>", small)
        rows.append([name, v, Paragraph(_esc(m.unit or ""), small),
                     Paragraph(_esc(m.limits.text()), small), m.verdict.value,
                     Paragraph(_esc(m.note or ""), small)])
        styles.append(("BACKGROUND", (4, k), (4, k), VERDICT_RGB[m.verdict]))
    return rows, styles


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def human_value(value: Any) -> str:
    """A location or detail value as text a reader expects: numbers rounded, lists joined,
    mappings as 'name value' pairs (never a Python repr)."""
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(human_value(v) for v in value) + ")"
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')} {human_value(v)}" for k, v in value.items())
    return str(value)


def review_text(review: dict | None) -> tuple[str, str]:
    """(headline, detail) of the AI check and the human review for the report header."""
    if not review:
        return "AI check: no AI verdict on this series", ""
    ai = review.get("ai") or {}
    state = ai.get("state")
    if state == "unavailable":
        head = f"AI check: not available ({ai.get('reason', '')})"
    elif state == "available":
        head = f"AI check: {ai.get('label')} ({ai.get('model', '')})"
        if ai.get("disagreement"):
            head += "; AI and physics disagree"
    else:
        head = "AI check: no AI verdict on this series"
    decision = review.get("decision")
    if decision:
        detail = f"Review: {decision}"
    elif ai.get("flagged") or ai.get("disagreement"):
        detail = ("Review: PENDING - flagged for a quality engineer's review; this result is "
                  "not released until the review is signed")
    else:
        detail = "Review: not required"
    hold = review.get("hold")
    if hold:
        detail += f". Scanner on hold: {hold.get('reason', '')} ({hold.get('username', '')})"
    return head, detail


def write_report(result: Any, path: str | Path, *, series: Any = None,
                 images: dict[str, np.ndarray] | None = None, signer: str = "",
                 signatures: list[tuple[str, str, str]] | None = None,
                 record_id: str = "", review: dict | None = None) -> Path:
    """``signatures``: e-signatures on the result as (printed name (user), UTC, meaning),
    listed in the signature block above an empty row for a handwritten signature.
    ``record_id``: the stored record (footer of every page, with page x of y);
    ``review``: {"ai": review_link.ai_summary(...), "decision": text, "hold": {...}}."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table,
                                    TableStyle)

    path = Path(path)
    ss = getSampleStyleSheet()
    small = ss["BodyText"].clone("small", fontSize=7, leading=8.5)
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm,
                            title=f"CT QC {result.phantom} {result.inputs.get('scanner_serial') or ''}")
    inp, loc = result.inputs, result.localisation
    story = [Paragraph(f"CT image quality report - {result.phantom}", ss["Title"])]
    head, detail = review_text(review)
    pending = "PENDING" in detail
    badge_text = f"PHYSICS: {result.verdict.value}" + (" - REVIEW PENDING" if pending else "")
    badge = Table([[badge_text]], colWidths=[110 * mm if pending else 60 * mm])
    badge.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), VERDICT_RGB[result.verdict]
                                if not pending else (1.0, 0.92, 0.70)),
                               ("FONTSIZE", (0, 0), (-1, -1), 14), ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    story += [badge, Spacer(1, 2 * mm), Paragraph(_esc(head), small),
              Paragraph(_esc(detail), small), Spacer(1, 2 * mm)]

    def cell(text: Any) -> Any:
        return Paragraph(_esc(text), small)
    info = [["scanner serial", str(inp.get("scanner_serial") or "-"), "series UID", str(inp.get("series_uid") or "-")],
            ["kVp / kernel", f"{inp.get('kvp') or '-'} / {inp.get('kernel') or '-'}",
             "slices / thickness", f"{inp.get('n_slices')} / {inp.get('slice_thickness_mm')} mm"],
            ["limit profile", f"{result.profile.name} {result.profile.version}", "profile sha256",
             (result.profile.sha256 or "-")[:32]],
            ["software", f"{result.software.get('name', '')} {result.software.get('version', '')}",
             "result id / time", f"{result.result_id[:8]} {result.created_utc}"],
            ["phantom centre", f"{loc.centre_mm[0]:+.1f}, {loc.centre_mm[1]:+.1f} mm; roll {loc.roll_deg:+.1f} deg",
             "origin slice / confidence", f"{loc.origin_slice} / {loc.confidence:.2f}"]]
    if loc.missing_modules:
        info.append(["missing modules", ", ".join(loc.missing_modules), "", ""])
    info = [[cell(c) for c in row] for row in info]           # every cell wraps
    t = Table(info, colWidths=[30 * mm, 60 * mm, 35 * mm, 57 * mm])
    t.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 7), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
    story += [t, Spacer(1, 3 * mm)]
    imgs: dict[str, Any] = dict(images or {})
    if series is not None:
        for mod, idx in loc.module_slices.items():
            if 0 <= idx < series.volume.shape[0]:
                imgs[f"{mod} (slice {idx})"] = (series.volume[idx], idx)
    cells = []
    for name, val in list(imgs.items())[:4]:
        arr, idx = val if isinstance(val, tuple) else (val, -1)
        png = render_slice(np.asarray(arr, np.float32), list(result.measurements), idx)
        cells.append([Image(io.BytesIO(png), 44 * mm, 44 * mm), Paragraph(name, small)])
    if cells:
        grid = Table([[c[0] for c in cells], [c[1] for c in cells]])
        story += [grid, Spacer(1, 2 * mm)]
    if result.artifacts:
        rows = [["artifact", "amplitude HU", "location", "verdict"]]
        for a in result.artifacts:
            loc_txt = "; ".join(f"{str(k).replace('_', ' ')} {human_value(v)}"
                                for k, v in a.location.items() if k not in ("centre_px",))
            from station_plugins.ct_qc.ui_names import part_name
            rows.append([part_name(a.type), f"{a.amplitude_hu:+.1f}",
                         Paragraph(_esc(loc_txt), small), a.verdict.value])
        at = Table(rows, colWidths=[20 * mm, 22 * mm, 120 * mm, 18 * mm])
        at.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 7), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]
                               + [("BACKGROUND", (3, k), (3, k), VERDICT_RGB[a.verdict])
                                  for k, a in enumerate(result.artifacts, start=1)]))
        story += [Paragraph("Artifacts", ss["Heading3"]), at]
    else:
        story.append(Paragraph("Artifacts: none detected.", ss["BodyText"]))
    plots = [(c, title) for key, title in (("mtf", "MTF"), ("nps", "NPS"), ("linearity", "CT-number linearity"),
                                           ("uniformity.radial_profile", "radial profile"))
             for c in [result.curve(key)] if c is not None]
    if plots:
        row = [_plot(c, title, 88 * mm, 55 * mm) for c, title in plots]
        story += [Spacer(1, 2 * mm), Table([row[:2], row[2:4] if len(row) > 2 else ["", ""]])]
    story.append(PageBreak())
    rows, styles = _table_rows(result, small)
    mt = Table(rows, colWidths=[42 * mm, 18 * mm, 12 * mm, 32 * mm, 14 * mm, 64 * mm], repeatRows=1)
    mt.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 6.5), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)] + styles))
    story += [Paragraph("Measurements", ss["Heading3"]), mt, Spacer(1, 6 * mm)]
    for n in result.notes:
        story.append(Paragraph(_esc(f"Note: {n}"), small))
    esigs = [[Paragraph(n, small), Paragraph(d, small), Paragraph(m, small)]
             for n, d, m in (signatures or [])]
    sig = Table([["Reviewed by (name, signature)", "Date", "Meaning"], *esigs,
                 [signer or "", "", "reviewed / approved / released"]],
                colWidths=[90 * mm, 40 * mm, 50 * mm],
                rowHeights=[6 * mm] + [None] * len(esigs) + [16 * mm])
    sig.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTSIZE", (0, 0), (-1, -1), 8)]))
    story += [Spacer(1, 6 * mm), Paragraph("Signature", ss["Heading3"]), sig]
    rid = record_id or result.result_id
    from app.adapters.pdf_table import numbered_canvas

    doc.build(story, canvasmaker=numbered_canvas(f"CT image quality report - record {rid}"))
    return path
