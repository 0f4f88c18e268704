"""Estimates for the validation table: means of replications with t-intervals, and
the Mantel-Haenszel rate ratio for hazards in strata (Greenland & Robins 1985)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..report.numbers import Estimate

Z95 = 1.959963984540054


@dataclass(frozen=True)
class RateRatio:
    """A rate ratio with its 95% interval (on the log scale)."""

    ratio: float
    low: float
    high: float
    events: int  # exposed defections it rests on


def mantel_haenszel(a: np.ndarray, t1: np.ndarray, b: np.ndarray, t0: np.ndarray) -> RateRatio:
    """Rate ratio of exposed to unexposed, stratified: ``a`` exposed events in ``t1``
    exposed person-time, ``b`` unexposed events in ``t0``, one entry per stratum.
    RR = sum(a t0 / T) / sum(b t1 / T); var(ln RR) from Greenland & Robins (1985)."""
    a, t1, b, t0 = (np.asarray(x, dtype=float) for x in (a, t1, b, t0))
    t = t1 + t0
    ok = t > 0
    a, t1, b, t0, t = a[ok], t1[ok], b[ok], t0[ok], t[ok]
    num, den = float(np.sum(a * t0 / t)), float(np.sum(b * t1 / t))
    if num <= 0 or den <= 0:
        return RateRatio(math.nan, math.nan, math.nan, int(a.sum()))
    rr = num / den
    var = float(np.sum(t1 * t0 * (a + b) / t**2)) / (num * den)
    half = Z95 * math.sqrt(var)
    return RateRatio(rr, rr * math.exp(-half), rr * math.exp(half), int(a.sum()))


def share(num, den) -> Estimate:
    """Mean and t-interval over replications of per-replication shares num/den."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return Estimate.of(num[den > 0] / den[den > 0])


def paired_difference(x, y) -> Estimate:
    """Mean of x - y over replications (common random numbers) with its interval."""
    return Estimate.of(np.asarray(x, dtype=float) - np.asarray(y, dtype=float))
