"""Scenario discovery with PRIM (the Patient Rule Induction Method, Friedman & Fisher
1999) as the EMA Workbench implements it (``ema_workbench.analysis.prim``; Kwakkel
2017): boxes in parameter space where a case of interest (here: the challenger loses
its advantage) is concentrated.

PRIM peels a box from the whole space a little at a time (``peel_alpha`` of the
points per step), keeping each step that raises the share of cases inside, and pastes
back what it can; the steps are its peeling trajectory. On that trajectory the box
reported is the one of largest coverage (the share of all cases of interest inside)
whose density (the share of points inside that are cases) is at least ``threshold``:
the usual trade-off (Bryant & Lempert 2010), rather than the last, smallest and most
over-fitted box. Then PRIM looks for the next box among the points outside it.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

DENSITY = 0.8  # a box whose points are at least 80% cases of interest (Bryant & Lempert 2010)
MASS_MIN = 0.05  # the smallest box: 5% of the points (the EMA Workbench's default)
MAX_BOXES = 3


@dataclass(frozen=True)
class Box:
    """One PRIM box: how much of the cases it covers and how dense it is in them,
    the share of all points inside (mass), and the ranges of the parameters it
    restricts, with the quasi-p value of each restriction (small: not chance)."""

    number: int
    coverage: float
    density: float
    mass: float
    n: int       # points inside
    k: int       # cases of interest inside
    limits: dict[str, tuple[float, float]]
    qp: dict[str, float]
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim per peeling step
    chosen: int               # the step reported


def _prim():
    with warnings.catch_warnings():  # its parallel evaluators warn about missing extras
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim


def find_boxes(x: pd.DataFrame, cases, threshold: float = DENSITY, max_boxes: int = MAX_BOXES,
               mass_min: float = MASS_MIN, peel_alpha: float | None = None) -> list[Box]:
    """Up to ``max_boxes`` PRIM boxes of the points ``x`` (one column per parameter,
    floats) where ``cases`` (booleans, one per point) are concentrated; none when
    there is no case of interest or PRIM finds no box of density ``threshold``.
    ``peel_alpha`` (default 5%, the EMA Workbench's) is at least two points' share:
    with few points a 5% quantile is the smallest point and would peel nothing."""
    y = np.asarray(cases, dtype=bool)
    if len(y) != len(x):
        raise ValueError(f"{len(y)} cases for {len(x)} points")
    if not y.any():
        return []
    prim = _prim()
    x = x.reset_index(drop=True).astype(float)
    peel_alpha = peel_alpha if peel_alpha is not None else max(0.05, 2.0 / len(x))
    # PRIM's threshold on a 0/1 outcome: what counts as a case (y >= 0.5) and the density
    # its last, smallest step must reach for the box to be kept (else the whole space);
    # the density asked for here is applied below, in choosing the step
    with warnings.catch_warnings():  # its use of pandas' deprecated inplace drop
        warnings.simplefilter("ignore")
        p = prim.Prim(x, y.astype(int), threshold=0.5, peel_alpha=peel_alpha, mass_min=mass_min)
    init = p.box_init
    out: list[Box] = []
    for number in range(1, max_boxes + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = p.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]]
        traj = traj.astype(float).reset_index(drop=True)
        good = np.flatnonzero(traj["density"].to_numpy() >= threshold)
        if not len(good):
            break  # a dump box: what is left holds no dense region
        i = int(good[np.argmax(traj["coverage"].to_numpy()[good])])
        box.select(i)
        lims = box.box_lims[i]
        limits, qp = {}, {}
        for name in x.columns:
            lo, hi = float(lims.loc[0, name]), float(lims.loc[1, name])
            if lo > float(init.loc[0, name]) or hi < float(init.loc[1, name]):
                limits[name] = (lo, hi)
                q = [v for v in box.qp[i].get(name, []) if v is not None and np.isfinite(v)]
                qp[name] = float(max(q)) if q else float("nan")
        row = traj.iloc[i]
        out.append(Box(number, float(row["coverage"]), float(row["density"]), float(row["mass"]),
                       int(row["n"]), int(row["k"]), limits, qp, traj, i))
        if not limits:
            break  # the whole space: nothing left to look for
    return out


def boxes_table(boxes: list[Box], ranges: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """prim_boxes.csv: one row per (box, restricted parameter), with the box's
    coverage, density and mass, the parameter's range in the box and in the whole
    space, and the restriction's quasi-p value."""
    rows = []
    for b in boxes:
        for name, (lo, hi) in (b.limits or {"(none)": (np.nan, np.nan)}).items():
            full = ranges.get(name, (np.nan, np.nan))
            rows.append({"box": b.number, "coverage": b.coverage, "density": b.density,
                         "mass": b.mass, "points": b.n, "cases": b.k, "parameter": name,
                         "low": lo, "high": hi, "range_low": full[0], "range_high": full[1],
                         "quasi_p": b.qp.get(name, np.nan)})
    return pd.DataFrame(rows, columns=["box", "coverage", "density", "mass", "points", "cases",
                                       "parameter", "low", "high", "range_low", "range_high",
                                       "quasi_p"])
