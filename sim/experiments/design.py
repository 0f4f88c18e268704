"""The points of a study and its runs: a full grid or a SALib sample, replications
ordered replication-major, and for each run a seed and a key made from what the run
is (its parameters, events and replication), not from where it sits in the order, so
adding a level or replications leaves every existing run's seed and key as it was."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .spec import Experiment
from .variables import apply


def problem(exp: Experiment) -> dict:
    """The SALib problem of a sampled study (a categorical variable with k choices is
    sampled over [0, k) and its choice is the whole part)."""
    s = exp.sampler
    names = list(s.ranges)
    bounds = [[0.0, float(len(s.choices[n]))] if n in s.choices else list(s.ranges[n]) for n in names]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


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


def n_points(exp: Experiment) -> int:
    """How many points the study has, counted without making them."""
    if exp.sampler is None:
        return math.prod(len(v) for v in exp.grid.values())
    s, k = exp.sampler, len(exp.sampler.ranges)
    if s.method == "lhs":
        return s.n
    if s.method == "morris":
        return s.n * (k + 1)
    return s.n * (2 * k + 2 if s.second_order else k + 2)


def points(exp: Experiment) -> list[dict[str, Any]]:
    """Every point of the study: the varied names' values in canonical types (an
    integer sampled over a range is rounded, a categorical one is its choice)."""
    if exp.sampler is None:
        names = list(exp.grid)
        return [dict(zip(names, combo)) for combo in itertools.product(*exp.grid.values())]
    s, out, variables = exp.sampler, [], exp.variables
    for row in sample_matrix(exp):
        point = {}
        for name, x in zip(s.ranges, row):
            var = variables[name]
            if name in s.choices:
                point[name] = s.choices[name][min(int(x), len(s.choices[name]) - 1)]
            else:
                point[name] = int(round(x)) if var.spec.kind is int else float(x)
        out.append(point)
    return out


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, default=str, separators=(",", ":"))


def run_seed(study_seed: int, index: int) -> int:
    """Seed number ``index`` spawned from ``study_seed`` (numpy SeedSequence), the same
    on whatever worker and whenever it runs."""
    return spawned_seed(study_seed, (index,))


def spawned_seed(study_seed: int, key: tuple[int, ...]) -> int:
    ss = np.random.SeedSequence(study_seed, spawn_key=key)
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def point_seed(study_seed: int, identity: str, replication: int) -> int:
    """The seed of replication ``replication`` of the point whose resolved parameters
    and events are ``identity`` (canonical JSON): spawned from the study's seed with a
    key made of the identity's SHA-256 and the replication."""
    words = np.frombuffer(hashlib.sha256(identity.encode()).digest()[:16], dtype="<u4")
    return spawned_seed(study_seed, (*(int(w) for w in words), replication))


@dataclass(frozen=True)
class Run:
    """One run of a study: where it sits (index, point), which replication, the varied
    values, its seed and key."""

    index: int
    point: int
    replication: int
    params: dict[str, Any]
    seed: int
    key: str


def run_key(identity: str, seed: int, steps: int, model: str = "", stop_when: str = "") -> str:
    """A run's identity: its resolved parameters and events, seed, length, stop
    condition and, when it is not sim's own, the model class."""
    ident = {"point": identity, "seed": seed, "steps": steps}
    if model:
        ident["model"] = model
    if stop_when:
        ident["stop_when"] = stop_when
    return hashlib.sha256(canonical(ident).encode()).hexdigest()[:24]


def identities(exp: Experiment, pts: list[dict]) -> list[str]:
    """Each point's identity: the base scenario with the point's values, resolved."""
    out = []
    for values in pts:
        sc = apply(exp.base, values)
        out.append(canonical({"params": sc.params, "events": [e.as_dict() for e in sc.events]}))
    return out


def make_run(exp: Experiment, pts: list[dict], point: int, replication: int,
             idents: list[str] | None = None) -> Run:
    """Run for (point, replication); index = replication x points + point, so every
    point's first replication comes before any point's second."""
    ident = idents[point] if idents is not None else identities(exp, [pts[point]])[0]
    seed = point_seed(exp.seed, ident, replication)
    return Run(replication * len(pts) + point, point, replication, pts[point], seed,
               run_key(ident, seed, exp.steps, exp.model, exp.stop_when))


class Plan:
    """A study's points and their identities, made once; runs on request."""

    def __init__(self, exp: Experiment):
        self.exp = exp
        self.points = points(exp)
        self.identities = identities(exp, self.points)
        self.by_values: dict[str, list[int]] = {}
        for i, p in enumerate(self.points):  # a sample may hold a point twice: one run
            self.by_values.setdefault(canonical(p), []).append(i)

    def run(self, point: int, replication: int) -> Run:
        return make_run(self.exp, self.points, point, replication, self.identities)

    def runs(self, replications: int) -> list[Run]:
        """Replications 0..replications-1 of every point, replication-major."""
        return [self.run(i, r) for r in range(replications) for i in range(len(self.points))]

    def find(self, record: dict[str, Any]) -> list[Run]:
        """The runs of this study a stored record is (more than one where a sample
        holds the same point twice), or none: a point no longer in the study, another
        length, seed or model."""
        where = self.by_values.get(canonical(record.get("params")), [])
        rep = record.get("replication")
        if not where or not isinstance(rep, int) or isinstance(rep, bool) or rep < 0:
            return []
        runs = [self.run(i, rep) for i in where]
        return [r for r in runs if r.key == record.get("key")]


def unique(runs: list[Run]) -> list[Run]:
    """Each run once (points a sample holds twice are one run)."""
    return list({r.key: r for r in runs}.values())


def plan(exp: Experiment, replications: int | None = None) -> list[Run]:
    """Every run of the study in replication-major order."""
    return Plan(exp).runs(exp.replications if replications is None else replications)
