"""Global sensitivity indices of a Morris or Sobol study (SALib), from its runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..model.params import role
from .design import problem, sample_matrix
from .spec import Experiment, ExperimentError

MORRIS_COLUMNS = ("mu", "mu_star", "sigma", "mu_star_conf")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")


def point_means(exp: Experiment, runs: pd.DataFrame, metric: str) -> np.ndarray:
    """The metric averaged over replications, one value per row of the sample matrix."""
    n_points = len(sample_matrix(exp))
    means = runs.groupby("point")[metric].mean()
    missing = n_points - means.index.isin(range(n_points)).sum()
    if missing:
        raise ExperimentError(f"sensitivity needs a run at every point; {missing} of "
                              f"{n_points} points have none (see failures.csv, then --resume)")
    return means.reindex(range(n_points)).to_numpy(dtype=float)


def analyze(exp: Experiment, runs: pd.DataFrame, metric: str | None = None) -> pd.DataFrame:
    """Morris (mu, mu*, sigma, mu* interval) or Sobol (S1, ST and intervals) indices of
    each kept metric, or of ``metric``: one row per (metric, parameter), with the
    parameter's role (a design lever, the scale, or a calibration constant)."""
    kind = exp.sampler.method if exp.sampler else "grid"
    if kind not in ("morris", "sobol"):
        raise ExperimentError(f"sensitivity indices need a morris or sobol study; this one is {kind}")
    metrics = exp.metrics if metric is None else (metric,)
    for m in metrics:
        if m not in runs.columns:
            raise ExperimentError(f"--metric {m!r} is not kept by this study; kept: {', '.join(exp.metrics)}")
    prob, X = problem(exp), sample_matrix(exp)
    seed = exp.seed % (2**32)
    rows = []
    for m in metrics:
        Y = point_means(exp, runs, m)
        if kind == "morris":
            from SALib.analyze import morris
            res = morris.analyze(prob, X, Y, num_levels=exp.sampler.levels, seed=seed)
            cols = MORRIS_COLUMNS
        else:
            from SALib.analyze import sobol
            res = sobol.analyze(prob, Y, calc_second_order=exp.sampler.second_order, seed=seed)
            cols = SOBOL_COLUMNS
        for i, name in enumerate(prob["names"]):
            rows.append({"metric": m, "parameter": name, "role": role(name), "method": kind,
                         **{c: float(np.asarray(res[c])[i]) for c in cols}})
    return pd.DataFrame(rows)


def write_sensitivity(exp: Experiment, results) -> Path:
    """sensitivity.csv in the study's folder."""
    from .store import write_frame

    path = Path(results.out) / "sensitivity.csv"
    write_frame(path, analyze(exp, results.runs))
    return path
