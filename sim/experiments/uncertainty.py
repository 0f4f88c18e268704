"""Numbers over a posterior: runs at K parameter sets drawn from it, each with the
same R seeds (common random numbers across draws and across scenarios).

The 95% interval of a figure then has two parts, added in quadrature:

- parameter uncertainty: 1.96 x the standard deviation over the draws of each draw's
  mean over its seeds (the spread of the outcome over the plausible parameter sets;
  with the same seeds in every draw, seed luck hardly enters it);
- seed noise: the t-interval of the mean over the R seeds (each seed's value
  averaged over the draws), the interval a comparison without a posterior gives.

A posterior concentrated on one point has no spread over draws, and the interval is
the seed-noise interval alone.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .store import t_quantile

Z95 = 1.959964  # the normal 97.5% quantile: the spread over draws is not a mean's error


def split(values, draw, rep) -> tuple[float, float, float, int]:
    """(mean, parameter half-width, seed half-width, units) of ``values`` measured at
    (draw, seed) units; a half-width that cannot be estimated (one draw, one seed) is 0."""
    df = pd.DataFrame({"x": np.asarray(values, float), "d": np.asarray(draw), "r": np.asarray(rep)})
    if df.empty:
        return math.nan, math.nan, math.nan, 0
    by_draw = df.groupby("d")["x"].mean()
    by_seed = df.groupby("r")["x"].mean()
    param = Z95 * float(by_draw.std(ddof=1)) if len(by_draw) > 1 else 0.0
    n_r = len(by_seed)
    seed = t_quantile(n_r - 1) * float(by_seed.std(ddof=1)) / math.sqrt(n_r) if n_r > 1 else 0.0
    return float(df["x"].mean()), param, seed, len(df)


def half_width(values, draw, rep) -> float:
    """The combined 95% half-width: sqrt(parameter^2 + seed^2)."""
    _, param, seed, _ = split(values, draw, rep)
    return math.hypot(param, seed)


def per_draw(values, draw) -> pd.Series:
    """Each draw's mean over its seeds, by draw."""
    return pd.Series(np.asarray(values, float)).groupby(np.asarray(draw)).mean()


def share_positive(diff, draw) -> float:
    """The share of draws (equally weighted: they are resampled by weight) whose mean
    paired difference over the seeds is above 0."""
    m = per_draw(diff, draw)
    return float((m > 0).mean()) if len(m) else math.nan
