"""Client reports (``orgsim report``): a results folder made into report.html (one
self-contained file) and report.pdf with the same content, figures also as PNG and SVG.

>>> from sim.report import make_report
>>> make_report("results/demo")   # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

from ..experiments.spec import ExperimentError
from ..experiments.store import write_atomic


def build_report(folder: str | os.PathLike, lang: str | None = None):
    """The Report of a comparison folder or of a study's results folder, in language
    ``lang`` (one of sim.i18n.LANGUAGES; default: a client file's, else English)."""
    from ..i18n import check_language

    if lang is not None:
        check_language(lang, "--lang")
    folder = Path(folder)
    if (folder / "comparison.json").is_file() and (folder / "runs.parquet").is_file():
        from .comparison_report import build
        return build(folder, lang)
    if (folder / "study.json").is_file() and (folder / "runs.parquet").is_file():
        from .study_report import build
        return build(folder, lang)
    raise ExperimentError(f"{folder}: not a results folder: no comparison.json or study.json "
                          "beside runs.parquet (made by orgsim compare or orgsim sweep)")


def make_report(folder: str | os.PathLike, lang: str | None = None):
    """Write FOLDER/report.html and FOLDER/report.pdf (each atomically), in language
    ``lang`` (as build_report); return the Report."""
    from .html import render_html
    from .pdf import render_pdf
    from .text import check_printable

    folder = Path(folder)
    report = build_report(folder, lang)
    check_printable(report.texts(), f"{folder}: the report")  # before writing either file
    html, pdf = render_html(report), render_pdf(report)
    write_atomic(folder / "report.html", html)
    write_atomic(folder / "report.pdf", pdf)
    return report


__all__ = ["build_report", "make_report"]
