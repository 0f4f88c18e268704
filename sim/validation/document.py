"""The validation table for the terminal and docs/validation.md, written from the
outcomes: every number in them comes from the runs."""

from __future__ import annotations

import os
import platform
import re
import textwrap
import time
from pathlib import Path

from .. import __version__
from ..experiments.store import write_atomic
from .observe import NOT_RAISED, RESOLVED_LATER, RESOLVED_QUICKLY
from .patterns import TARP_KEPT, Outcome
from .runs import SEED, Mode

HEADER = ("#", "pattern", "source", "target", "model (95% CI)", "pass")
WIDTHS = (2, 16, 28, 32, 40, 4)


def verdict(o: Outcome) -> str:
    return "pass" if o.passed else "FAIL"


def table_text(outcomes: list[Outcome]) -> str:
    """The table as fixed-width text, long cells wrapped within their column."""
    rows = [HEADER] + [(str(o.number), o.title, o.source, o.target, o.value, verdict(o))
                       for o in outcomes]
    lines = []
    for i, row in enumerate(rows):
        cells = [textwrap.wrap(text, w, break_on_hyphens=False) or [""] for text, w in zip(row, WIDTHS)]
        for k in range(max(len(c) for c in cells)):
            lines.append("  ".join((c[k] if k < len(c) else "").ljust(w) for c, w in zip(cells, WIDTHS)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in WIDTHS))
    passed = sum(o.passed for o in outcomes)
    lines.append(f"\n{passed} of {len(outcomes)} patterns pass.")
    return "\n".join(lines)


def anchor(title: str) -> str:
    """The anchor a Markdown renderer (GitHub's) gives a heading."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def table_markdown(outcomes: list[Outcome]) -> str:
    out = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for o in outcomes:
        out.append("| " + " | ".join(_md_cell(x) for x in (
            str(o.number), f"[{o.title}](#{anchor(f'{o.number} {o.title}')})", o.source, o.target,
            o.value, "pass" if o.passed else "**FAIL**")) + " |")
    return "\n".join(out)


def gaps(o: Outcome) -> str:
    """What the model does not reach, in words built from its numbers ('' if nothing)."""
    if o.key == "complaints":
        k = o.data["kept"]
        return (f"TARP's repurchase figures are customers' stated intentions after a problem, across "
                f"industries: {100 * TARP_KEPT[NOT_RAISED]:.0f}% / {100 * TARP_KEPT[RESOLVED_LATER]:.0f}% / "
                f"{100 * TARP_KEPT[RESOLVED_QUICKLY]:.0f}% would buy again. The model's customers keep "
                f"{100 * k[NOT_RAISED].mean:.0f}% / {100 * k[RESOLVED_LATER].mean:.0f}% / "
                f"{100 * k[RESOLVED_QUICKLY].mean:.0f}% a year later, as behaviour. With 1-2 faults a "
                "customer a year and a baseline that loses 5-15% a year (pattern 1), a single fault "
                "cannot cost 63% of those who keep quiet: the firm would lose most of its customers "
                "every year. The model keeps TARP's order, and the largest cost falls on the problems "
                "never raised, because they go on for weeks (`silent_problem_weeks`); between quick and "
                f"later resolution the gap is {100 * o.data['quick_vs_later'].mean:.1f} points, small, "
                "because one bad week moves a customer's satisfaction for about ten weeks and the "
                "dissatisfaction hazard responds to lasting, not passing, dissatisfaction.")
    if o.key == "merger":
        r = o.data["ratio"]
        own = o.data["own_churn"]
        return (f"Gallup's acquirers are ordinary banks, whose own customers leave at about 5% a year. "
                f"The model's product-centric preset is a harder case: on its own it loses "
                f"{100 * own['product_centric'].mean:.0f}% of its customers in the same weeks, against "
                f"{100 * own['baseline'].mean:.0f}% for the baseline and "
                f"{100 * own['customer_centric'].mean:.0f}% for customer_centric, so the customers it "
                f"acquires churn {r['product_centric'].mean:.1f}x the baseline rather than Gallup's 2.0x "
                f"(and {r['customer_centric'].mean:.1f}x rather than 1.2x under a customer-centric "
                "acquirer). The direction and the middle figure are reached; the size of the spread "
                "depends on how far the acquirer's organisation is from the target's. The merger "
                "event gives the acquired firm a culture of its own only in its silo barrier and "
                "reward mix (ODD 7.13.3); its other organisational values are the acquirer's.")
    if o.key == "word_of_mouth":
        return ("The ratio is an input (`wom_negative_ratio`); the check is that the running model "
                "tells as many people as the parameter says, end to end (tellers, Poisson reach, "
                "self-messages dropped). The absolute reach per experience (`wom_reach` 1 a week) is a "
                "choice: TARP's 4-5 people are over time, not within a week.")
    if o.key == "retention_profit":
        return ("The figure is Reichheld & Sasser's customer value: the margin of a customer over its "
                "expected lifetime, discounted, less the cost of winning it. It rests on the economics "
                "parameters (`gross_margin`, `contact_cost`, `acquisition_cost`), which are modelling "
                f"choices; the firm's total profit over the three years rises {100 * o.data['firm'].mean:.0f}%. "
                "Unlike their firms, the model's customers do not grow more profitable with tenure.")
    return ""


def write_markdown(outcomes: list[Outcome], figures: dict[str, Path], out: Path, mode: Mode,
                   seconds: float) -> None:
    """docs/validation.md (or ``out``): the table, then each pattern with its method,
    its figure, the test and what it does not reach."""
    n_pass = sum(o.passed for o in outcomes)
    parts = [
        "# Validation: the model against what is known",
        "",
        "*Written by `orgsim validate` — do not edit by hand.* Pattern-oriented modelling "
        "(Grimm et al. 2005, Science 310): the model is held against patterns reported in the "
        "literature on customers and organisations, each measured in the model the way the "
        "study measured it. The calibrations the defaults carry for them are in `docs/ODD.md` "
        "(section 1.4).",
        "",
        f"- Mode: **{mode.name}** ({mode.replications} replications of each run; the observed "
        f"baseline has {mode.customers:,} customers, the firm-level runs {mode.firm_customers:,}). "
        "`orgsim validate --quick` runs fewer and smaller; the tests run it and every pattern must "
        "pass there too.",
        f"- Seeds: every run's seed is spawned from {SEED} and the run's replication, the same "
        "for every variant of a replication (common random numbers).",
        f"- orgsim {__version__}, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}; "
        f"{seconds:.0f} s on {os.cpu_count()} cores.",
        f"- **{n_pass} of {len(outcomes)} patterns pass.**",
        "",
        table_markdown(outcomes),
        "",
    ]
    for o in outcomes:
        parts += [f"## {o.number} {o.title}", "", f"**Source:** {o.source}. **Target:** {o.target}.",
                  "", o.method, "", f"![{o.title}]({os.path.relpath(figures[o.key], out.parent)})", "",
                  f"**Model:** {o.value}. **{verdict(o)}**:", ""]
        parts += [f"- {'✓' if ok else '✗'} {text}" for text, ok in o.checks]
        limit = gaps(o)
        if limit:
            parts += ["", f"**What the model does not reach, and why.** {limit}"]
        parts.append("")
    write_atomic(out, "\n".join(parts))


__all__ = ["table_markdown", "table_text", "write_markdown"]
