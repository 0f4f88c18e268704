"""A posterior made by ``orgsim calibrate`` (``DIR/posterior.parquet``): one row per
accepted draw, one float column per fitted parameter named as the model parameter,
and ``weight`` (normalised, sums to 1). Read strictly, because every later number
rests on it: an unknown parameter, a design lever or the firm's size in it, a value
out of its parameter's range, a missing, negative or not-finite weight, NaN anywhere
is one line naming the field.

A posterior's parameters are calibration constants of the model's mechanisms (what
is not known about the world), never the design levers (what the organisation
chooses: the thing compared) nor the firm's size (what the client states).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..model.params import PARAMS, ParameterError, coerce, role
from .scenarios import ScenarioError

WEIGHT = "weight"
WEIGHT_TOLERANCE = 1e-6  # normalised weights sum to 1 up to float rounding
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class Posterior:
    """A checked posterior: the parameters' names, the draws (rows x names) and weights."""

    path: str
    names: tuple[str, ...]
    values: np.ndarray  # rows x names, floats
    weights: np.ndarray
    sha256: str

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Each parameter's smallest and largest accepted value."""
        return {n: (float(self.values[:, i].min()), float(self.values[:, i].max()))
                for i, n in enumerate(self.names)}

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i`` as model parameter values in their canonical types."""
        return {n: coerce(n, float(self.values[i, j])) for j, n in enumerate(self.names)}

    def draw(self, k: int, seed: int) -> list[int]:
        """``k`` row numbers drawn with replacement in proportion to the weights
        (multinomial resampling), from a generator seeded with ``seed``: the draws are
        then equally weighted samples of the posterior."""
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DRAW_KEY,)))
        return [int(i) for i in rng.choice(len(self.weights), size=k, replace=True,
                                           p=self.weights / self.weights.sum())]


DRAW_KEY = 7_400  # the spawn key of the resampling stream, apart from the runs' seeds


def load_posterior(path: str | Path, label: str = "--posterior") -> Posterior:
    """Read and check a posterior file; every problem is one ScenarioError line."""
    import pandas as pd

    path = Path(path)
    where = f"{label} {path}"
    if path.suffix != ".parquet":
        raise ScenarioError(f"{where}: not allowed; allowed: a posterior.parquet written by "
                            "`orgsim calibrate`")
    try:
        blob = path.read_bytes()
    except OSError as err:
        raise ScenarioError(f"{where}: cannot read: {err.strerror or err}") from None
    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several kinds for a damaged file
        raise ScenarioError(f"{where}: not a Parquet table ({type(err).__name__})") from None
    return check_posterior(frame, where, str(path), hashlib.sha256(blob).hexdigest())


def check_posterior(frame, where: str, path: str = "", sha256: str = "") -> Posterior:
    """A posterior from a table: the checks of ``load_posterior`` on a DataFrame."""
    columns = [str(c) for c in frame.columns]
    if WEIGHT not in columns:
        raise ScenarioError(f"{where}: column {WEIGHT!r} is missing; allowed: one column per "
                            "fitted parameter and 'weight'")
    names = [c for c in columns if c != WEIGHT]
    if not names:
        raise ScenarioError(f"{where}: no parameter columns; allowed: one column per fitted "
                            "calibration constant and 'weight'")
    if len(set(columns)) < len(columns):
        raise ScenarioError(f"{where}: a column is given twice")
    for name in names:
        kind = role(name)
        if kind == "unknown":
            raise ScenarioError(f"{where}: column {name!r} is not a model parameter; see "
                                "`orgsim params`")
        if kind == "lever":
            raise ScenarioError(f"{where}: column {name!r} is a design lever; a posterior "
                                "holds calibration constants only (the levers are what "
                                "the scenarios compare)")
        if kind == "scale" or PARAMS[name].kind is str:
            raise ScenarioError(f"{where}: column {name!r} is not a calibration constant; "
                                "allowed: numeric parameters of the model's mechanisms")
    if not 1 <= len(frame) <= MAX_ROWS:
        raise ScenarioError(f"{where}: {len(frame)} rows; allowed: 1 to {MAX_ROWS:,}")
    try:
        table = frame[[*names, WEIGHT]].to_numpy(dtype=float)
    except (TypeError, ValueError):
        bad = next(c for c in (*names, WEIGHT) if frame[c].dtype.kind not in "fiu")
        raise ScenarioError(f"{where}: column {bad!r} is not numeric") from None
    values, weights = table[:, :-1], table[:, -1]
    for j, name in enumerate([*names, WEIGHT]):
        col = table[:, j]
        bad = np.flatnonzero(~np.isfinite(col))
        if len(bad):
            raise ScenarioError(f"{where}: column {name!r} row {bad[0]} is {col[bad[0]]!r}; "
                                "allowed: finite numbers")
    neg = np.flatnonzero(weights < 0)
    if len(neg):
        raise ScenarioError(f"{where}: column 'weight' row {neg[0]} is {weights[neg[0]]:g}; "
                            "allowed: weights of 0 or more that sum to 1")
    total = float(weights.sum())
    if not math.isclose(total, 1.0, abs_tol=WEIGHT_TOLERANCE):
        raise ScenarioError(f"{where}: column 'weight' sums to {total:.6g}; allowed: "
                            "normalised weights (sum 1)")
    for j, name in enumerate(names):
        col = values[:, j]
        odd = np.flatnonzero(col != np.round(col)) if PARAMS[name].kind is int else []
        for x in (col.min(), col.max(), *col[odd[:1]]):
            try:
                coerce(name, float(x))
            except ParameterError as err:
                raise ScenarioError(f"{where}: column {err}") from None
    return Posterior(path, tuple(names), values, weights, sha256)
