"""Helpers for the tests: small, fast scenarios and replication statistics."""

from __future__ import annotations

import datetime as dt
import math

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


# A small TOML writer for the tests that write input files (no TOML writer is a dependency).

def toml_str(s: str) -> str:
    out = []
    for c in s:
        if c in '"\\' or ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_str(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)
