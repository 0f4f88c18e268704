"""Tools for orgsim's catalogues (scripts/update_catalogues.sh and tests/test_i18n.py;
never used at run time): Babel extractors for the data files (named in babel.cfg), the
check that a translation has the placeholders of its message, and the compiler.

- ``scenarios``: a scenario file's label (its name in words, context "scenario") and its
  description (context "scenario description"), as the report shows them.
- ``params``: the slider labels and units of the parameters (contexts "parameter", "unit").
- ``lessons``: a classroom lesson's texts (title, show_first, notice, try, questions),
  each as the page reads it (show_first with its whitespace joined). The essay passages
  are not extracted: quotations stay in their original language.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PLACEHOLDER = re.compile(r"{(\w*)[^{}]*}")

LESSON_TEXTS = ("title", "show_first")
LESSON_LISTS = ("notice", "try", "questions")


def _lines(text: str) -> dict[str, int]:
    """The line on which each top-level key starts (1-based)."""
    out: dict[str, int] = {}
    for i, line in enumerate(text.splitlines(), 1):
        key = line.split("=", 1)[0].strip()
        if "=" in line and key.isidentifier() and not line.startswith((" ", "\t")):
            out.setdefault(key, i)
    return out


def scenarios(fileobj, keywords, comment_tags, options):
    text = fileobj.read().decode("utf-8")
    doc = tomllib.loads(text)
    name = Path(getattr(fileobj, "name", "scenario.toml")).stem
    lines = _lines(text)
    yield 1, "pgettext", ("scenario", name.replace("_", "-")), [f"the scenario {name}"]
    if isinstance(doc.get("description"), str):
        yield (lines.get("description", 1), "pgettext", ("scenario description",
                                                         doc["description"]),
               [f"the description of the scenario {name}"])


def params(fileobj, keywords, comment_tags, options):
    """The labels of the parameters that have one (the page's sliders; context
    "parameter") and their units (context "unit"), from the declarations themselves."""
    from sim.model.params import PARAMS

    lines = fileobj.read().decode("utf-8").splitlines()

    def line_of(text: str) -> int:
        return next((i for i, line in enumerate(lines, 1) if f'"{text}"' in line), 1)

    for p in PARAMS.values():
        if p.label:
            yield line_of(p.label), "pgettext", ("parameter", p.label), [f"the parameter {p.name}"]
            if p.unit != "-":
                yield line_of(p.unit), "pgettext", ("unit", p.unit), [f"the unit of {p.name}"]


def lessons(fileobj, keywords, comment_tags, options):
    text = fileobj.read().decode("utf-8")
    doc = tomllib.loads(text)
    lines = _lines(text)
    for key in LESSON_TEXTS:
        if isinstance(doc.get(key), str):
            text = " ".join(doc[key].split()) if key == "show_first" else doc[key]
            yield lines.get(key, 1), "gettext", text, [f"lesson: {key}"]
    for key in LESSON_LISTS:
        for item in doc.get(key, ()):
            if isinstance(item, str):
                yield lines.get(key, 1), "gettext", item, [f"lesson: {key}"]


def placeholders(text: str) -> set[str]:
    """The names of the {named} placeholders in ``text``."""
    return set(PLACEHOLDER.findall(text))


def problems(catalog) -> list[str]:
    """Every way the catalogue's translations are not usable, one line each: a message
    untranslated or fuzzy, or a translation with a placeholder its message lacks (which
    would fail when it is filled in) or without one its message has (a number or name
    lost); the singular of a plural may leave out {n} ("ett år" for "one year")."""
    out = []
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, (list, tuple)) else (m.id,)
        strings = m.string if isinstance(m.string, (list, tuple)) else (m.string,)
        where = f"{catalog.locale}: {ids[0][:60]!r}"
        if "fuzzy" in m.flags:
            out.append(f"{where}: fuzzy")
        if not all(strings):
            out.append(f"{where}: untranslated")
            continue
        want = set().union(*(placeholders(i) for i in ids))
        for k, s in enumerate(strings):
            have = placeholders(s)
            if have - want:
                out.append(f"{where}: unknown placeholder(s) {sorted(have - want)} in {s[:60]!r}")
            lost = want - have - ({"n"} if len(ids) > 1 and k == 0 else set())
            if lost:
                out.append(f"{where}: placeholder(s) {sorted(lost)} missing in {s[:60]!r}")
    return out


def compile_catalogue(po: Path) -> list[str]:
    """Write the .mo beside ``po`` if it has no problems; return the problems. (Babel's
    own compile checks printf-style placeholders, which orgsim does not use: its check
    takes "% of" for one.)"""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as f:
        catalog = read_po(f)
    found = problems(catalog)
    if not found:
        with open(po.with_suffix(".mo"), "wb") as f:
            write_mo(f, catalog)
    return found


def add_pending(template: Path, pending: Path) -> int:
    """Add to the extracted ``template`` the messages of ``pending`` (the strings of a
    branch not merged yet, e.g. the classroom page's) it lacks, so their translations
    stay in the catalogues until the code that uses them arrives; return how many."""
    from babel.messages.pofile import read_po, write_po

    with open(template, "rb") as f:
        cat = read_po(f)
    with open(pending, "rb") as f:
        have = {(x.id, x.context) for x in cat}
        extra = [m for m in read_po(f) if m.id and (m.id, m.context) not in have]
    for m in extra:
        m.string = ""  # a template's
        cat[m.id] = m
    with open(template, "wb") as f:
        write_po(f, cat, width=0, sort_by_file=True, omit_header=True)
    return len(extra)


if __name__ == "__main__":
    # python -m sim.i18n_tools compile PO...         check and compile each catalogue
    # python -m sim.i18n_tools add-pending POT PENDING   add a pending branch's strings
    import sys

    if sys.argv[1:2] == ["add-pending"]:
        print(f"{add_pending(Path(sys.argv[2]), Path(sys.argv[3]))} pending message(s) added")
        sys.exit(0)
    bad = [p for arg in sys.argv[2:] for p in compile_catalogue(Path(arg))]
    print("\n".join(bad) or f"compiled {len(sys.argv) - 2} catalogue(s)")
    sys.exit(1 if bad else 0)
