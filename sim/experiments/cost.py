"""What a study will cost, estimated before any point is made: its most expensive run
(each varied parameter at its most expensive level, sim.files.budget) times the runs
held at once (a batch a worker for small runs), the points and runs the plan keeps,
and every run's weeks stored for the tables; refused in one line
(sim.files.budget.check) when it exceeds the memory limit.

Counted, never sampled: a 10^9-point grid or a huge Sobol sample is refused from its
size alone (spec.count_runs), without making one point.
"""

from __future__ import annotations

from typing import Any

from ..files import budget
from ..model.scenario import Scenario, ScenarioError
from .design import n_points
from .spec import Experiment, count_runs
from .variables import apply

# bytes, measured with tracemalloc on a 10,000-point grid of the baseline and rounded up
PER_POINT = 3000   # a point's values and its identity (the resolved parameters as JSON)
PER_RUN = 2000     # a run's plan entry, its task and its record kept for the tables
PER_KEPT_VALUE = 64  # a kept weekly number: in a run's record (a Python float in a list),
                     # then in the time-series table and its concatenation (8 bytes each)


def candidates(exp: Experiment) -> dict[str, tuple[Any, ...]]:
    """The values each varied name can take that may matter for cost: a grid's levels,
    a range's ends (rounded for an integer), a categorical range's choices."""
    if exp.sampler is None:
        return dict(exp.grid)
    out, variables = {}, exp.variables
    for name, (lo, hi) in exp.sampler.ranges.items():
        if name in exp.sampler.choices:
            out[name] = exp.sampler.choices[name]
        elif variables[name].spec.kind is int:
            out[name] = (int(round(lo)), int(round(hi)))
        else:
            out[name] = (lo, hi)
    return out


def worst_point(exp: Experiment, runs: int = 1, workers: int = 1) -> Scenario:
    """The base scenario with each varied name at its most expensive value (one name at
    a time, the others at the base's: the cost grows or falls with each driver alone, so
    the corner of the most expensive values is the most expensive point). Expensive by
    the memory of the runs held at once when ``runs`` go to ``workers``
    (budget.runs_at_once: small runs are held a batch at a time)."""
    def memory(values: dict[str, Any]) -> float:
        try:
            sc = apply(exp.base, values, "cost")
            return budget.scenario_cost(sc, exp.steps).memory * budget.runs_at_once(sc, runs, workers)[0]
        except ScenarioError:
            return -1.0
    worst = {name: max(values, key=lambda v, name=name: memory({name: v}))
             for name, values in candidates(exp).items()}
    try:
        return apply(exp.base, worst, "cost")
    except ScenarioError:  # a corner the scenario's own checks refuse: the base
        return exp.base


def study_cost(exp: Experiment, workers: int = 1) -> budget.Cost:
    """The memory and one core's time of the whole study, ``workers`` runs at a time."""
    points, runs = n_points(exp), count_runs(exp)
    worst = worst_point(exp, runs, workers)
    run = budget.scenario_cost(worst, exp.steps)
    at_once, together, held = budget.runs_at_once(worst, runs, workers)
    parts = {f"{held}, each: {k}": v * at_once for k, v in run.parts.items()}
    parts[f"the plan: {points:,} points x {exp.max_replications:,} replications = "
          f"{runs:,} runs ({plan_drivers(exp)})"] = points * PER_POINT + runs * PER_RUN
    if exp.timeseries:
        weeks = 1 if exp.measure == "end" else exp.steps // int(exp.measure) + 2
        parts[f"weekly columns kept: runs x weeks x columns = {runs:,} x {weeks:,} x "
              f"{len(exp.timeseries) + 1} (timeseries, measure)"] = (
            runs * weeks * (len(exp.timeseries) + 1) * PER_KEPT_VALUE)
    return budget.Cost(sum(parts.values()), budget.batched_seconds(run, exp.steps, together) * runs,
                       parts)


def plan_drivers(exp: Experiment) -> str:
    """What sets the number of points, in words."""
    if exp.sampler is None:
        return " x ".join(f"{len(v)} {k}" for k, v in exp.grid.items()) + " levels"
    s = exp.sampler
    return f"sample.method = {s.method}, sample.n = {s.n}, {len(s.ranges)} ranges"


def check_cost(exp: Experiment, workers: int = 1, limit: int | None = None) -> budget.Cost:
    """``study_cost`` if it fits in ``limit`` bytes (default: budget.default_limit());
    otherwise a one-line ScenarioError naming what drives it."""
    return budget.check(study_cost(exp, workers), limit,
                        f"{exp.source or exp.name} ({count_runs(exp):,} runs of {exp.steps} weeks)")
