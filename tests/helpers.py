"""Helpers for the tests: small, fast scenarios and replication statistics."""

from __future__ import annotations

import numpy as np
from sim import OrganisationModel, load_scenario

SMALL = dict(n_customers=1500, n_prospects=1500, n_employees=40)


def small(name: str = "baseline", **overrides):
    """A named scenario at a size that runs a simulated year in a fraction of a second."""
    return load_scenario(name, **{**SMALL, **overrides})


def run(name: str = "baseline", steps: int = 52, seed: int = 1, **overrides):
    """Run a small scenario and return (model, timeseries)."""
    m = OrganisationModel(small(name, **overrides), rng=seed)
    m.run(steps)
    return m, m.timeseries()


def mean_ci(values) -> tuple[float, float, float]:
    """Mean and 95% t-interval of independent replications."""
    from scipy import stats  # scipy is a dependency of mesa
    v = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return v.mean(), v.mean() - half, v.mean() + half
