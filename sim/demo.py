"""The demo study: product-centric, baseline and customer-centric organisations over
three years, compared with the same seeds, with a client report (HTML and PDF)."""

from __future__ import annotations

from pathlib import Path

from .experiments.comparison import build_comparison, run_comparison
from .i18n import NP_

DEMO_SCENARIOS = ("product_centric", "baseline", "customer_centric")
# Stored in English in comparison.json; the report shows it in its language (context
# "question" of the catalogue).
DEMO_QUESTION = NP_("question", "How many of its customers does an organisation keep over three "
                    "years when it is built around its products, and when it is built around its "
                    "customers?")


def run_demo(out: Path, replications: int = 5, steps: int = 156, seed: int = 1,
             workers: int | None = None, progress: bool = False, lang: str | None = None):
    """Compare the three organisations and write the comparison's tables, figures and
    report to ``out`` in language ``lang`` (default English; runs already in ``out`` are
    reused: they are the same runs); returns the Report."""
    from .report import make_report

    command = (f"orgsim demo --replications {replications} --steps {steps} --seed {seed} "
               f"--out {out}" + (f" --lang {lang}" if lang else ""))
    comp = build_comparison(list(DEMO_SCENARIOS), replications, steps, seed,
                            question=DEMO_QUESTION, command=command)
    run_comparison(comp, out, workers=workers, resume=True, progress=progress)
    return make_report(out, lang)
