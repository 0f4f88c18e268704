"""Ready lessons for the classroom page, like a models library: one TOML file each in
this folder (``orgsim app --lesson NAME`` or the page's lesson picker).

A lesson names a scenario (and optionally a second one for the side-by-side view), what
to show first, things to notice, things to try, questions for the class and the essay
passages it illustrates, quoted in their own language (``lang``). The texts are data, so
they can be translated as files or through catalogues.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
LISTS = ("notice", "try", "questions")
KEYS = {"title", "order", "scenario", "compare_with", "show_first", "passages", *LISTS}


@dataclass(frozen=True)
class Passage:
    essay: str  # which essay, by its number in the model brief, author and title
    lang: str   # the language it is quoted in (sv, nb)
    text: str


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    order: int
    scenario: str
    compare_with: str | None
    show_first: str
    notice: tuple[str, ...]
    try_: tuple[str, ...]
    questions: tuple[str, ...]
    passages: tuple[Passage, ...]


def _load(path: Path) -> Lesson:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ValueError(f"{path.name}: unknown key(s) {', '.join(unknown)}; "
                         f"allowed: {', '.join(sorted(KEYS))}")
    return Lesson(
        name=path.stem, title=data["title"], order=int(data.get("order", 99)),
        scenario=data["scenario"], compare_with=data.get("compare_with"),
        show_first=" ".join(data["show_first"].split()),
        notice=tuple(data.get("notice", ())), try_=tuple(data.get("try", ())),
        questions=tuple(data.get("questions", ())),
        passages=tuple(Passage(**p) for p in data.get("passages", ())))


@lru_cache(maxsize=1)
def lessons() -> dict[str, Lesson]:
    """Every lesson shipped with orgsim, by name, in their order."""
    found = [_load(p) for p in FOLDER.glob("*.toml")]
    return {lesson.name: lesson for lesson in sorted(found, key=lambda l: (l.order, l.name))}


def lesson(name: object) -> Lesson:
    """The named lesson; KeyError with a one-line message for any other name (a name
    from a browser is looked up in the list, never used as a path)."""
    found = lessons()
    if not isinstance(name, str) or name not in found:
        from ..texts import LESSON_UNKNOWN
        shown = repr(name)[:40] if isinstance(name, str) else type(name).__name__
        raise KeyError(LESSON_UNKNOWN.format(name=shown, names=", ".join(found)))
    return found[name]


__all__ = ["Lesson", "Passage", "lesson", "lessons"]
