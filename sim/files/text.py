"""Text a user gives orgsim (a client's name and question, a scenario's description):
one line of characters that are printed as they stand.

Control characters and the Unicode bidirectional embedding, override and isolate
controls are refused: they are invisible, and an override reverses what the reader sees
(a name can be made to read as another), in the terminal, the page and the reports
alike. Right-to-left and any other script are welcome; the reports set them with a font
and a bidirectional layout made for them (``sim.report.text``).
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from ..model.params import show
from ..model.scenario import ScenarioError

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_problem(value: str) -> str | None:
    """What makes ``value`` unfit as one line of text, or None if it is fine."""
    for i, c in enumerate(value):
        if c in "\r\n":
            return "must be one line"
        if c in BIDI_CONTROLS:
            return (f"holds the invisible direction control U+{ord(c):04X} at character "
                    f"{i + 1}; allowed: text without embedding, override or isolate controls")
        if unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn"):
            return (f"holds the control or unassigned character U+{ord(c):04X} at character "
                    f"{i + 1}; allowed: printable text")
    return None


def check_text(value: Any, label: str) -> str:
    """``value`` if it is one line of printable text; else a one-line ScenarioError
    that starts with ``label`` (e.g. "my.toml: client.name")."""
    if not isinstance(value, str):
        raise ScenarioError(f"{label} = {show(value)} must be one line of text")
    problem = text_problem(value)
    if problem:
        raise ScenarioError(f"{label} {problem}")
    return value


def _bound(x: float) -> str:
    """A range end as people write it: 5,000,000 rather than 5e+06."""
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:g}"


def check_number(value: Any, label: str, lo: float, hi: float, whole: bool = False) -> float:
    """``value`` if it is a finite number from ``lo`` to ``hi`` (a whole one with
    ``whole``, returned as int); else a one-line ScenarioError that starts with ``label``."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, float))
          and math.isfinite(value) and lo <= value <= hi)
    if ok and whole:
        ok = float(value).is_integer()
    if not ok:
        kind = "a whole number" if whole else "a number"
        raise ScenarioError(f"{label} = {show(value)} is not allowed; allowed: {kind} from "
                            f"{_bound(lo)} to {_bound(hi)}")
    return int(value) if whole else float(value)
