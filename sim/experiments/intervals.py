"""95% intervals of a mean over independent replications, the same in every table and
report: the Student t-interval, and for a share (every value in [0, 1]) that interval
made on the logit scale, which stays in [0, 1]."""

from __future__ import annotations

import math

import numpy as np

# End-of-run figures that are shares (0 to 1): their intervals are on the logit scale.
SHARES = frozenset({"retention", "annual_churn_rate", "failure_demand_share",
                    "first_contact_resolution"})
# Weekly columns that are shares (the reports' bands): those and mean satisfaction (0 to 1).
WEEKLY_SHARES = SHARES | {"mean_satisfaction"}


def t_quantile(df: int) -> float:
    """Two-sided 95% Student t quantile."""
    from scipy import stats
    return float(stats.t.ppf(0.975, df))


def share_interval(mean, half, n: int):
    """The 95% logit-scale interval of a mean share given the t-interval's half-width
    ``half`` (arrays or numbers): logit(m) +- half / (m (1 - m)) by the delta method,
    taken back; the t-interval's width near the middle, narrowing towards a bound
    instead of crossing it. At a bound, or with no spread, the mean itself."""
    m = np.asarray(mean, dtype=float)
    h = np.asarray(half, dtype=float)
    inside = (m > 0) & (m < 1) & (h > 0)
    safe = np.where(inside, m, 0.5)
    centre = np.log(safe / (1 - safe))
    spread = np.where(inside, h / (safe * (1 - safe)), 0.0)
    lo = np.where(inside, 1 / (1 + np.exp(-(centre - spread))), m)
    hi = np.where(inside, 1 / (1 + np.exp(-(centre + spread))), m)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def estimates(x, share: bool = False) -> tuple[float, float, float, float]:
    """Mean, standard deviation and the 95% interval (low, high) of replications ``x``:
    the t-interval, or with ``share`` and every value in [0, 1] the logit-scale one.
    NaN for the spread and interval with fewer than two values."""
    x = np.asarray(x, dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = t_quantile(len(x) - 1) * sd / math.sqrt(len(x))
    if share and bool(np.all((x >= 0) & (x <= 1))):
        return (mean, sd, *share_interval(mean, half, len(x)))
    return mean, sd, mean - half, mean + half
