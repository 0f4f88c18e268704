"""Validation (``orgsim validate``): the model held against ten patterns from the
literature on customers and organisations (pattern-oriented modelling, Grimm et al.
2005), with fixed seeds and replications, in a quick mode for CI and a full mode for
``docs/validation.md``.

>>> from sim.validation import validate, QUICK
>>> outcomes = validate(QUICK, workers=2)           # doctest: +SKIP
>>> all(o.passed for o in outcomes)                 # doctest: +SKIP
True
"""

from __future__ import annotations

from collections import defaultdict

from .patterns import PATTERNS, Outcome, Pattern
from .runs import FULL, QUICK, Job, Mode, measure


def jobs_of(patterns: tuple[Pattern, ...], mode: Mode) -> list[Job]:
    """Every run the patterns need, each once (several patterns read the same runs),
    the longest first so that the workers finish together."""
    unique = list(dict.fromkeys(j for p in patterns for j in p.jobs(mode)))
    return sorted(unique, key=lambda j: (j.kind != "profit", j.kind != "bass", j.kind))


def validate(mode: Mode = FULL, workers: int | None = None, progress: bool = False,
             patterns: tuple[Pattern, ...] = PATTERNS) -> list[Outcome]:
    """Run what the patterns need on local processes (one per core by default) and
    judge each pattern; outcomes in the patterns' order."""
    from ..experiments.runner import make_backend, progress_bar

    jobs = jobs_of(patterns, mode)
    results: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
    backend = make_backend(workers)
    try:
        with progress_bar(len(jobs), progress) as bar:
            for job, result in backend.map_unordered(measure, jobs):
                results[(job.kind, job.variant)][job.replication] = result
                bar.set_postfix_str(str(bar.total - bar.n - 1), refresh=False)
                bar.update(1)
    finally:
        backend.close()
    by_arm = {arm: [reps[r] for r in sorted(reps)] for arm, reps in results.items()}
    return [p.judge(p, by_arm) for p in patterns]


def validate_and_write(mode: Mode, out, workers: int | None = None,
                       progress: bool = False) -> list[Outcome]:
    """Validate, then write ``out`` (docs/validation.md) with the table and a figure per
    pattern in the folder ``validation/`` beside it; returns the outcomes."""
    import time
    from pathlib import Path

    from .document import write_markdown
    from .figures import draw

    out = Path(out)
    started = time.time()
    outcomes = validate(mode, workers, progress)
    figures = draw(outcomes, out.parent / out.stem)
    write_markdown(outcomes, figures, out, mode, time.time() - started)
    return outcomes


__all__ = ["FULL", "PATTERNS", "QUICK", "Mode", "Outcome", "validate", "validate_and_write"]
