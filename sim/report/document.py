"""A report as plain data: a title page and a list of blocks (headings, paragraphs,
figures, tables). The HTML and the PDF are two renderings of the same blocks, so they
say the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .text import TITLE_MAX, short


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    style: str = "body"  # "body", "finding" (the boxed headline), "small" or "code"


@dataclass(frozen=True)
class Figure:
    path: Path  # the PNG; an SVG of the same name lies beside it
    caption: str
    width: float = 1.0  # share of the text width


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    numeric: tuple[bool, ...] = ()  # right-align these columns
    small: bool = False


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass
class Report:
    """Title page facts and the body."""

    title: str
    subtitle: str
    question: str
    facts: list[tuple[str, str]]  # label, value lines on the title page
    blocks: list = field(default_factory=list)
    lang: str = "en"  # the language it is written in (sim.i18n.LANGUAGES)

    def add(self, *blocks) -> "Report":
        self.blocks.extend(blocks)
        return self

    @property
    def shown_title(self) -> str:
        """The title as the title page, the footer and the window show it: at most
        TITLE_MAX characters."""
        return short(self.title, TITLE_MAX)

    def title_facts(self) -> list[tuple[str, str]]:
        """The title page's facts, with the full title first when it had to be shortened."""
        from ..i18n import lang
        full = ([(lang(self.lang)._("Full title"), self.title)] if self.shown_title != self.title
                else [])
        return full + list(self.facts)

    def texts(self) -> list[str]:
        """Every piece of text the report sets, for checking that its fonts print them."""
        out = [self.title, self.subtitle, self.question]
        out += [t for kv in self.facts for t in kv]
        for b in self.blocks:
            if isinstance(b, (Heading, Para)):
                out.append(b.text)
            elif isinstance(b, Figure):
                out.append(b.caption)
            elif isinstance(b, Table):
                out += [*b.header, b.caption, *(c for r in b.rows for c in r)]
        return out


def figures_of(report: Report) -> list[Figure]:
    return [b for b in report.blocks if isinstance(b, Figure)]


def finding_of(report: Report) -> str:
    """The text of the report's finding paragraph ('' if it has none)."""
    return next((b.text for b in report.blocks if isinstance(b, Para) and b.style == "finding"), "")


def show_value(v, t=None) -> str:
    """A parameter value as a table shows it: floats to four significant digits; in a
    language other than English (``t``, a sim.i18n.Lang) numbers as that language writes
    them, in English as a scenario file does."""
    if t is not None and t.code != "en" and not isinstance(v, bool):
        if isinstance(v, float):
            return t.sig(v, 4)
        if isinstance(v, int):
            return t.num(v)
    return f"{v:.4g}" if isinstance(v, float) else str(v)
