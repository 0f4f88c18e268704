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
        for name, values in indices(kind, prob, X, Y, seed, exp.sampler.levels,
                                    exp.sampler.second_order).items():
            rows.append({"metric": m, "parameter": name, "role": role(name), "method": kind,
                         **values})
    return pd.DataFrame(rows)


def indices(kind: str, prob: dict, X: np.ndarray, Y: np.ndarray, seed: int, levels: int = 4,
            second_order: bool = False) -> dict[str, dict[str, float]]:
    """Morris or Sobol indices of outputs ``Y`` at the sample ``X`` (SALib), by
    parameter: {name: {"mu": ..., ...}} or {name: {"S1": ..., ...}}."""
    if kind == "morris":
        from SALib.analyze import morris
        res = morris.analyze(prob, X, Y, num_levels=levels, seed=seed)
        cols = MORRIS_COLUMNS
    else:
        from SALib.analyze import sobol
        res = sobol.analyze(prob, Y, calc_second_order=second_order, seed=seed)
        cols = SOBOL_COLUMNS
    return {name: {c: float(np.asarray(res[c])[i]) for c in cols}
            for i, name in enumerate(prob["names"])}


CI_FLOOR = 0.1  # a 95% half-width below this says the index is small, not unknown
OUTSIDE_TOL = 0.01  # a hundredth below 0 (or above 1) is an index at the bound, estimated


def sobol_problems(table: pd.DataFrame) -> dict[str, int]:
    """How many Sobol indices of ``table`` (columns S1, S1_conf, ST, ST_conf) cannot
    be meaningful: outside [0, 1] (an estimate of a share of variance; beyond
    OUTSIDE_TOL), or with a 95% interval wider than the index itself (and than
    CI_FLOOR: Ishigami's function at n = 1024 has none of either)."""
    out = {"indices": 0, "outside": 0, "wide": 0}
    for idx in ("S1", "ST"):
        if idx not in table.columns:
            continue
        x, conf = table[idx].to_numpy(float), table[f"{idx}_conf"].to_numpy(float)
        out["indices"] += len(x)
        out["outside"] += int(((x < -OUTSIDE_TOL) | (x > 1 + OUTSIDE_TOL)).sum())
        out["wide"] += int(((conf > np.abs(x)) & (conf > CI_FLOOR)).sum())
    return out


def sobol_warning(table: pd.DataFrame, n: int, points: int) -> str:
    """A one-line warning when a Sobol sample is too small for its indices, or ''."""
    p = sobol_problems(table)
    if not (p["outside"] or p["wide"]):
        return ""
    what = [f"{p['outside']} of {p['indices']} indices are negative or above one"
            if p["outside"] else "", f"{p['wide']} of {p['indices']} have 95% intervals wider "
            "than the index" if p["wide"] else ""]
    return (f"the Sobol sample (n = {n} base samples, {points} points) is too small for its "
            f"indices to be meaningful: {' and '.join(w for w in what if w)}; use a larger n "
            "(a power of two, e.g. 256 or more)")


def write_sensitivity(exp: Experiment, results) -> Path:
    """sensitivity.csv in the study's folder."""
    from .store import write_frame

    path = Path(results.out) / "sensitivity.csv"
    write_frame(path, analyze(exp, results.runs))
    return path
