"""Text in the reports, set as it stands, for a name in any script.

- Fonts: DejaVu Sans (matplotlib ships it) covers the Latin scripts of the Nordic
  languages and the rest of Europe, Greek, Cyrillic, Hebrew and Arabic (with its
  presentation forms); WenQuanYi Zen Hei, a TrueType font Debian ships as
  fonts-wqy-zenhei (scripts/test.sh and scripts/demo.sh install it), covers Chinese,
  Japanese and Korean. ReportLab embeds only TrueType outlines, which rules out the
  OpenType/CFF Noto CJK fonts. Text with a character neither font has is refused in one
  line before anything is written, rather than printed as boxes.
- Right-to-left: Arabic letters are joined by arabic-reshaper and the lines put in
  display order by python-bidi (the Unicode bidirectional algorithm), line by line
  after the line breaks are chosen in reading order, as the algorithm prescribes. The
  paragraph's direction is that of its first strong character, as in the HTML
  (dir="auto") and in matplotlib's figures (libraqm).
- Nothing is markup: figures are drawn with mathtext off (``RC_TEXT``), the PDF's text is
  escaped, and words longer than a line are broken.
- Long titles and labels are shortened where space is fixed (``short``); the full text
  stays in the body.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from ..model.scenario import ScenarioError

FONT, BOLD, OBLIQUE, MONO, CJK = ("OrgsimSans", "OrgsimSans-Bold", "OrgsimSans-Oblique",
                                  "OrgsimMono", "OrgsimCJK")
CJK_FONT_FILES = (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),)
CJK_FAMILY = "WenQuanYi Zen Hei"
CJK_PACKAGE = "fonts-wqy-zenhei"
TITLE_MAX = 120   # characters of a title on the title page
FOOTER_MAX = 90   # characters of the title in the page footer
LABEL_MAX = 60    # characters of a scenario's label in figures and table headers
# matplotlib: text is literal (no mathtext) and falls back to the CJK font
RC_TEXT = {"text.parse_math": False, "font.family": ["DejaVu Sans", CJK_FAMILY]}


def short(text: str, n: int) -> str:
    """``text`` if it has at most ``n`` characters; else cut at a word boundary (or at
    n - 1 characters) with an ellipsis."""
    if len(text) <= n:
        return text
    cut = text[:n - 1]
    space = cut.rfind(" ")
    if space > n * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "\u2026"


def _dejavu(name: str) -> Path:
    import matplotlib
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def cjk_font_file() -> Path | None:
    """The CJK font this machine has, or None."""
    return next((p for p in CJK_FONT_FILES if p.is_file()), None)


def font_file(font: str) -> Path | None:
    """The file of one of the report's fonts (None: the CJK font is not installed)."""
    if font == CJK:
        return cjk_font_file()
    return _dejavu({FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf",
                    OBLIQUE: "DejaVuSans-Oblique.ttf", MONO: "DejaVuSansMono.ttf"}[font])


@lru_cache(maxsize=None)
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    font = TTCollection(str(path)).fonts[0] if path.suffix == ".ttc" else TTFont(str(path))
    return frozenset(font.getBestCmap())


def has_glyph(font: str, c: str) -> bool:
    path = font_file(font)
    return path is not None and ord(c) in _cmap(path)


def font_for(c: str, font: str) -> str | None:
    """The font that draws ``c`` in text set in ``font``: the font itself, else the
    regular face (Arabic and Hebrew have no bold-oblique or mono faces here), else the
    CJK font; None if none of them has it."""
    for f in (font, FONT, CJK):
        if has_glyph(f, c):
            return f
    return None


def _silent(c: str) -> bool:
    """Characters no glyph is drawn for: spaces and format characters (joiners, marks)."""
    return c.isspace() or unicodedata.category(c) == "Cf"


def _needs_shaping(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f" for c in text)


def shaped(text: str) -> str:
    """Arabic letters in their joined forms (arabic-reshaper); other text unchanged."""
    if not _needs_shaping(text):
        return text
    import arabic_reshaper
    return arabic_reshaper.reshape(text)


def missing(text: str) -> list[str]:
    """The characters of ``text`` (once each) that no font of the report can draw."""
    out = []
    for c in dict.fromkeys(shaped(text)):
        if not _silent(c) and font_for(c, FONT) is None:
            out.append(c)
    return out


def check_printable(texts, what: str = "the report") -> None:
    """Refuse, in one line, text with characters the report's fonts do not have."""
    for text in texts:
        gone = missing(text)
        if gone:
            shown = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?').lower()}"
                              for c in gone[:3])
            hint = (f"; CJK needs the {CJK_PACKAGE} font (apt-get install {CJK_PACKAGE})"
                    if cjk_font_file() is None else "")
            raise ScenarioError(f"{what}: {short(text, 60)!r} holds characters the report's "
                                f"fonts cannot print ({shown}); allowed: the Latin, Greek, "
                                f"Cyrillic, Hebrew, Arabic and CJK scripts{hint}")


def is_rtl(text: str) -> bool:
    """Whether a paragraph runs right to left: it holds right-to-left letters and no
    left-to-right ones. The report is in English, Swedish or Norwegian, so its
    sentences, with a name in Arabic or Hebrew inside, run left to right; a question
    written wholly in Arabic runs right to left."""
    kinds = {unicodedata.bidirectional(c) for c in text}
    return bool(kinds & {"R", "AL"}) and "L" not in kinds


LRM = "\u200e"  # left-to-right mark


def for_figure(text: str) -> str:
    """``text`` for a matplotlib label: matplotlib (libraqm) takes the direction from the
    first strong character, so a label that runs left to right (is_rtl) but starts with
    a right-to-left name gets a left-to-right mark first, as the PDF and HTML set it."""
    return LRM + text if has_rtl(text) and not is_rtl(text) else text


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


# --- ReportLab ----------------------------------------------------------------------------

def register_fonts() -> None:
    """Register the report's fonts with ReportLab once (embedded, subset, in the PDF)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_dejavu("DejaVuSans.ttf"))))
        pdfmetrics.registerFont(TTFont(BOLD, str(_dejavu("DejaVuSans-Bold.ttf"))))
        pdfmetrics.registerFont(TTFont(OBLIQUE, str(_dejavu("DejaVuSans-Oblique.ttf"))))
        pdfmetrics.registerFont(TTFont(MONO, str(_dejavu("DejaVuSansMono.ttf"))))
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, BOLD)
        addMapping(FONT, 0, 1, OBLIQUE)
    path = cjk_font_file()
    if path is not None and CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(CJK, str(path), subfontIndex=0))


def _runs(text: str, font: str) -> list[tuple[str, str]]:
    """``text`` cut into runs of (the font that draws them, characters)."""
    out: list[tuple[str, str]] = []
    for c in text:
        f = font if _silent(c) else (font_for(c, font) or font)
        if out and out[-1][0] == f:
            out[-1] = (f, out[-1][1] + c)
        else:
            out.append((f, c))
    return out


def markup(text: str, font: str) -> str:
    """ReportLab paragraph markup that prints ``text`` literally in ``font``, each
    character the font lacks in the font that has it."""
    return "".join(escape(t) if f == font else f'<font name="{f}">{escape(t)}</font>'
                   for f, t in _runs(text, font))


def width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    return sum(stringWidth(t, f, size) for f, t in _runs(text, font))


def break_lines(text: str, avail: float, font: str, size: float) -> list[str]:
    """Lines of ``text`` in reading order, each at most ``avail`` wide: greedy at
    spaces, a word longer than a line broken between characters."""
    lines, line = [], ""
    for word in text.split(" "):
        while width(word, font, size) > avail and len(word) > 1:
            if line:
                lines.append(line)
                line = ""
            k = len(word) - 1
            while k > 1 and width(word[:k], font, size) > avail:
                k = max(1, int(k * 0.9)) if k > 20 else k - 1
            lines.append(word[:k])
            word = word[k:]
        candidate = f"{line} {word}" if line else word
        if line and width(candidate, font, size) > avail:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    return lines


def paragraph(text: str, style):
    """A flowable that sets ``text`` literally in ``style``: a ReportLab Paragraph, or,
    for text with right-to-left characters, a BidiParagraph."""
    from reportlab.platypus import Paragraph

    if has_rtl(text):
        return _bidi_class()(text, style)
    return Paragraph(markup(text, style.fontName), style)


@lru_cache(maxsize=None)
def _bidi_class():
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.platypus import Flowable, Paragraph

    class BidiParagraph(Flowable):
        """Text with right-to-left characters: lines broken in reading order, Arabic
        joined, each line put in display order by the Unicode bidirectional algorithm
        (python-bidi) in the paragraph's direction (is_rtl; right-aligned if it runs
        right to left), then set as a ReportLab paragraph of those lines."""

        def __init__(self, text: str, style):
            super().__init__()
            self.text, self.style = shaped(text), style
            self.rtl = is_rtl(text)
            self._para = None

        def _inner(self, avail_width: float):
            from bidi import get_display

            st = self.style
            avail = avail_width - st.leftIndent - st.rightIndent - 0.5
            lines = break_lines(self.text, max(avail, st.fontSize), st.fontName, st.fontSize)
            shown = [get_display(line, base_dir="R" if self.rtl else "L") for line in lines]
            style = st.clone(st.name + "-rtl", alignment=TA_RIGHT) if self.rtl else st
            return Paragraph("<br/>".join(markup(s, st.fontName) for s in shown), style)

        def wrap(self, avail_width, avail_height):
            self._para = self._inner(avail_width)
            return self._para.wrap(avail_width, avail_height)

        def split(self, avail_width, avail_height):
            return self._inner(avail_width).split(avail_width, avail_height)

        def draw(self):
            self._para.drawOn(self.canv, 0, 0)

        def getSpaceBefore(self):
            return self.style.spaceBefore

        def getSpaceAfter(self):
            return self.style.spaceAfter

    return BidiParagraph


# --- matplotlib ---------------------------------------------------------------------------

def matplotlib_fonts() -> None:
    """Make the CJK font known to matplotlib (its family is in RC_TEXT's fallbacks)."""
    import logging

    from matplotlib import font_manager

    path = cjk_font_file()
    if path is not None and not any(f.name == CJK_FAMILY for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # weight fallbacks
