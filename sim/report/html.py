"""A report as one self-contained HTML file: styles inline, figures embedded as data
URIs, no script and nothing fetched, so it opens from an email attachment offline."""

from __future__ import annotations

import base64
from html import escape

from .document import Figure, Heading, PageBreak, Para, Report, Table
from .text import is_rtl

CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, "WenQuanYi Zen Hei", "Noto Sans CJK SC",
       sans-serif; color: #111; max-width: 52em; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; overflow-wrap: anywhere; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; }
h2 { font-size: 1.35em; margin-top: 1.6em; border-bottom: 1px solid #999; }
h3 { font-size: 1.1em; margin-top: 1.2em; }
.subtitle { font-size: 1.2em; color: #333; margin-top: 0; }
.question { font-size: 1.15em; font-style: italic; margin: 1.2em 0; }
.title { border-bottom: 2px solid #111; padding-bottom: 1em; margin-bottom: 1.5em; }
dl.facts { display: grid; grid-template-columns: 8em 1fr; gap: 0.3em 1em; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
.finding { border-left: 4px solid #111; background: #f2f2f2; padding: 0.8em 1em; font-size: 1.08em; }
.small { font-size: 0.85em; color: #333; }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; background: #f2f2f2;
        padding: 0.3em 0.5em; overflow-wrap: anywhere; }
figure { margin: 1.2em 0; } figure img { width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #333; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; width: 100%; }
table.small { font-size: 0.8em; }
th, td { border-bottom: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #111; } td.num { text-align: right; white-space: nowrap; }
caption { caption-side: bottom; font-size: 0.85em; color: #333; text-align: left; padding-top: 0.3em; }
@media print { body { max-width: none; margin: 0; } .pagebreak { break-after: page; }
               figure, table { break-inside: avoid; } }
"""


def _dir(text: str) -> str:
    """The direction of an element whose text runs right to left (the PDF's rule)."""
    return ' dir="rtl"' if is_rtl(text) else ""


def _block(b) -> str:
    if isinstance(b, Heading):
        n = b.level + 1
        return f'<h{n}{_dir(b.text)}>{escape(b.text)}</h{n}>'
    if isinstance(b, Para):
        return f'<p class="{b.style}"{_dir(b.text)}>{escape(b.text)}</p>'
    if isinstance(b, Figure):
        data = base64.b64encode(b.path.read_bytes()).decode()
        return (f'<figure style="width:{100 * b.width:.0f}%"><img alt="{escape(b.caption)}" '
                f'src="data:image/png;base64,{data}"><figcaption>{escape(b.caption)}'
                f'</figcaption></figure>')
    if isinstance(b, Table):
        num = b.numeric or (False,) * len(b.header)
        head = "".join(f'<th{_dir(h)}>{escape(h)}</th>' for h in b.header)
        body = "".join("<tr>" + "".join(f'<td{_dir(c)}{" class=num" if n else ""}>{escape(c)}</td>'
                                        for c, n in zip(r, num)) + "</tr>" for r in b.rows)
        cap = f"<caption>{escape(b.caption)}</caption>" if b.caption else ""
        cls = ' class="small"' if b.small else ""
        return f"<table{cls}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(b, PageBreak):
        return '<div class="pagebreak"></div>'
    raise TypeError(f"unknown block {type(b).__name__}")


def render_html(report: Report) -> str:
    """The report as one HTML document."""
    facts = "".join(f'<dt>{escape(k)}</dt><dd{_dir(v)}>{escape(v)}</dd>'
                    for k, v in report.title_facts())
    body = "\n".join(_block(b) for b in report.blocks)
    return (f'<!DOCTYPE html>\n<html lang="{report.lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(report.shown_title)}</title><style>{CSS}</style></head><body>"
            f'<header class="title"><h1{_dir(report.shown_title)}>{escape(report.shown_title)}</h1>'
            f'<p class="subtitle"{_dir(report.subtitle)}>{escape(report.subtitle)}</p>'
            f'<p class="question"{_dir(report.question)}>{escape(report.question)}</p>'
            f'<dl class="facts">{facts}</dl></header>'
            f'<div class="pagebreak"></div>\n{body}\n</body></html>\n')
