"""Acquisition: prospects convert through marketing and sales effort and through word of
mouth; negative word of mouth holds them back."""

from __future__ import annotations

import numpy as np

from .customers import ACTIVE, PROSPECT, Customers, promise_level
from .organisation import Employees, selling_effort
from .state import Context

PROMISE_PULL = 2.0  # conversion rises by 2x the promise above the base expectation


def acquire(c: Customers, emp: Employees, params: dict,
            rng: np.random.Generator) -> tuple[int, int]:
    """Convert prospects. Marketing hazard = marketing_rate x selling effort x
    (1 + PROMISE_PULL x promise above base expectation); word-of-mouth hazard =
    wom_conversion x positive score; both x exp(wom_deterrence x negative score).
    New customers start as their state declarations say on acquisition (they expect
    what was promised, get an account owner). Returns (by marketing, by word of mouth)."""
    pros = np.flatnonzero(c.status == PROSPECT)
    if len(pros) == 0:
        return 0, 0
    promise = promise_level(params, emp)
    h_mkt = params["marketing_rate"] * selling_effort(emp, params) * (
        1.0 + PROMISE_PULL * (promise - params["base_expectation"]))
    w = c.wom[pros]
    h_wom = params["wom_conversion"] * np.maximum(w, 0.0)
    total = h_mkt + h_wom
    neg = np.flatnonzero(w < 0)
    total[neg] *= np.exp(params["wom_deterrence"] * w[neg])
    join = rng.random(len(pros), dtype=np.float32) < 1.0 - np.exp(-total.astype(np.float32))
    new = pros[join]
    by_wom = rng.random(len(new)) < h_wom[join] / np.maximum(h_mkt + h_wom[join], 1e-300)
    c.status[new] = ACTIVE
    c.acquire(new, Context(len(new), params, rng, extra={"emp": emp}))
    return int((~by_wom).sum()), int(by_wom.sum())
