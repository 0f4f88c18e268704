"""A report as a PDF (A4), the same blocks as the HTML, laid out with ReportLab.

The fonts are embedded (``sim.report.text``: DejaVu Sans, which matplotlib ships, and a
CJK font), so the PDF shows every character the figures use and looks the same on any
machine; every text is set literally, right-to-left text in display order."""

from __future__ import annotations

import io

from ..i18n import lang
from .document import Figure, Heading, PageBreak, Para, Report, Table
from .text import BOLD, FONT, FOOTER_MAX, MONO, OBLIQUE, paragraph, register_fonts, short, width


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, spaceAfter=6)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5,
                                textColor=colors.HexColor("#333333")),
        "finding": ParagraphStyle("finding", parent=base, fontSize=11, leading=15.5,
                                  backColor=colors.HexColor("#f2f2f2"), borderPadding=8,
                                  borderColor=colors.HexColor("#111111"), borderWidth=0,
                                  leftIndent=8, rightIndent=8, spaceBefore=8, spaceAfter=14),
        "code": ParagraphStyle("code", parent=base, fontName=MONO, fontSize=8.5, leading=11.5,
                               backColor=colors.HexColor("#f2f2f2"), borderPadding=4),
        "h1": ParagraphStyle("h1", parent=base, fontName=BOLD, fontSize=15, leading=19,
                             spaceBefore=10, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=12, leading=15,
                             spaceBefore=8, spaceAfter=6),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=24, leading=29,
                                spaceAfter=12),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=14, leading=18, spaceAfter=18),
        "question": ParagraphStyle("question", parent=base, fontName=OBLIQUE, fontSize=13,
                                   leading=18, spaceAfter=24, textColor=colors.HexColor("#222222")),
        "fact": ParagraphStyle("fact", parent=base, spaceAfter=7),
        "factkey": ParagraphStyle("factkey", parent=base, fontName=BOLD, spaceAfter=0),
        "footer": ParagraphStyle("footer", parent=base, fontSize=8, leading=10, spaceAfter=0),
        "caption": ParagraphStyle("caption", parent=base, fontSize=8.5, leading=11,
                                  textColor=colors.HexColor("#333333"), spaceAfter=12),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cellsmall": ParagraphStyle("cellsmall", parent=base, fontSize=7, leading=8.5, spaceAfter=0),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD, fontSize=8.5, leading=10.5,
                               spaceAfter=0),
        "headsmall": ParagraphStyle("headsmall", parent=base, fontName=BOLD, fontSize=7,
                                    leading=8.5, spaceAfter=0),
    }


def _table(b: Table, st, width: float):
    from reportlab.lib import colors
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    cell = st["cellsmall" if b.small else "cell"]
    right = cell.clone("right", alignment=2)
    num = b.numeric or (False,) * len(b.header)
    head = [paragraph(h, st["headsmall" if b.small else "head"]) for h in b.header]
    rows = [[paragraph(c, right if n else cell) for c, n in zip(r, num)] for r in b.rows]
    widths = _widths([b.header, *b.rows], cell.fontSize, width)
    t = RLTable([head] + rows, colWidths=widths, repeatRows=1, splitInRow=1)  # a tall row breaks
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    out = [t]
    if b.caption:
        out.append(paragraph(b.caption, st["caption"]))
    return out


def _widths(rows: list, size: float, total: float) -> list[float]:
    """Column widths: each at least its longest word (so no ordinary word breaks; a word
    longer than 40% of the width is broken), the rest of the width shared by how much
    more each column's longest text would take on one line."""
    pad = 14  # the table's own cell padding, 6 a side, and a little air
    cols = list(zip(*rows))
    cap = 0.4 * total
    least = [min(max(width(w, BOLD, size) for c in col for w in (str(c).split() or [""])) + pad,
                 cap) for col in cols]
    full = [max(width(str(c), BOLD, size) for c in col) + pad for col in cols]
    spare = total - sum(least)
    if spare <= 0:
        return [total * x / sum(least) for x in least]
    want = [f - m for f, m in zip(full, least)]
    if sum(want) <= spare:
        return [f + (spare - sum(want)) / len(full) for f in full]
    return [m + spare * w / sum(want) for m, w in zip(least, want)]


def _facts(report: Report, st) -> list:
    """The title page's facts: each label in bold over its value (paragraphs, which
    break across pages however long the value)."""
    out = []
    for k, v in report.title_facts():
        out += [paragraph(k, st["factkey"]), paragraph(v, st["fact"])]
    return out


def _flowables(report: Report, st, width: float) -> list:
    from reportlab.platypus import Image, KeepTogether, Spacer
    from reportlab.platypus import PageBreak as RLBreak

    out = [Spacer(1, 120), paragraph(report.shown_title, st["title"]),
           paragraph(report.subtitle, st["subtitle"]),
           paragraph(report.question, st["question"]), *_facts(report, st)]
    out.append(RLBreak())
    for b in report.blocks:
        if isinstance(b, Heading):
            out.append(paragraph(b.text, st["h1" if b.level == 1 else "h2"]))
        elif isinstance(b, Para):
            out.append(paragraph(b.text, st.get(b.style, st["body"])))
        elif isinstance(b, Figure):
            from PIL import Image as PILImage
            with PILImage.open(b.path) as im:
                w, h = im.size
            fw = width * b.width
            out.append(KeepTogether([Image(str(b.path), width=fw, height=fw * h / w),
                                     paragraph(b.caption, st["caption"])]))
        elif isinstance(b, Table):
            out.extend(_table(b, st, width))
        elif isinstance(b, PageBreak):
            out.append(RLBreak())
    return out


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    st = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, title=report.shown_title,
                            author="orgsim", subject=short(report.question, 300))
    room = doc.width - 25 * mm  # beside "page N"
    n = FOOTER_MAX
    while n > 10 and width(short(report.title, n), FONT, st["footer"].fontSize) > room:
        n = int(n * 0.8)
    title = short(report.title, n)  # one line
    t = lang(report.lang)

    def footer(canvas, d):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        line = paragraph(title, st["footer"])
        line.wrapOn(canvas, room, 20 * mm)
        line.drawOn(canvas, 18 * mm, 8.5 * mm)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, t._("page {page}", page=d.page))
        canvas.restoreState()

    doc.build(_flowables(report, st, doc.width), onFirstPage=lambda c, d: None, onLaterPages=footer)
    return buf.getvalue()
