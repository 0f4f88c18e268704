"""The points of a study and its runs: a full grid or a SALib sample, replications
ordered replication-major, a seed per run from the study's seed and the run's index."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model.params import PARAMS, coerce
from .spec import Experiment


def problem(exp: Experiment) -> dict:
    """The SALib problem of a sampled study."""
    names = list(exp.sampler.ranges)
    return {"num_vars": len(names), "names": names,
            "bounds": [list(exp.sampler.ranges[n]) for n in names]}


def sample_matrix(exp: Experiment) -> np.ndarray:
    """The sampler's matrix (rows: points, columns: the ranged parameters), seeded by
    the study's seed so a study always has the same points."""
    from SALib.sample import latin, morris, sobol

    s, prob, seed = exp.sampler, problem(exp), exp.seed % (2**32)
    if s.method == "lhs":
        return latin.sample(prob, s.n, seed=seed)
    if s.method == "morris":
        return morris.sample(prob, s.n, num_levels=s.levels, seed=seed)
    return sobol.sample(prob, s.n, calc_second_order=s.second_order, seed=seed)


def points(exp: Experiment) -> list[dict[str, Any]]:
    """Every point of the study: the varied parameters' values, canonical types (an
    integer parameter sampled over a range is rounded)."""
    if exp.sampler is None:
        names = list(exp.grid)
        return [dict(zip(names, combo)) for combo in itertools.product(*exp.grid.values())]
    out = []
    for row in sample_matrix(exp):
        point = {}
        for name, x in zip(exp.sampler.ranges, row):
            value = int(round(x)) if PARAMS[name].kind is int else float(x)
            point[name] = coerce(name, value)
        out.append(point)
    return out


def run_seed(study_seed: int, index: int) -> int:
    """The seed of run ``index``: numpy SeedSequence spawning from the study's seed,
    whatever worker runs it or when."""
    ss = np.random.SeedSequence(study_seed, spawn_key=(index,))
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


@dataclass(frozen=True)
class Run:
    """One run of a study: which point, which replication, its seed and key."""

    index: int
    point: int
    replication: int
    params: dict[str, Any]
    seed: int
    key: str


def run_key(params: dict[str, Any], seed: int, steps: int, version: str, model: str = "") -> str:
    """A run's identity: its full parameters, seed, length, package version and, when
    it is not sim's own, the model class."""
    ident = {"params": params, "seed": seed, "steps": steps, "version": version}
    if model:
        ident["model"] = model
    blob = json.dumps(ident, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def make_run(exp: Experiment, pts: list[dict], point: int, replication: int, version: str) -> Run:
    """Run for (point, replication); index = replication x points + point, so every
    point's first replication comes before any point's second."""
    index = replication * len(pts) + point
    seed = run_seed(exp.seed, index)
    full = {**exp.base.params, **pts[point]}
    return Run(index, point, replication, pts[point], seed,
               run_key(full, seed, exp.steps, version, exp.model))


def plan(exp: Experiment, version: str, replications: int | None = None) -> list[Run]:
    """Every run of the study in replication-major order."""
    pts = points(exp)
    reps = exp.replications if replications is None else replications
    return [make_run(exp, pts, i, r, version) for r in range(reps) for i in range(len(pts))]
