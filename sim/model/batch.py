"""Many runs at once: ``run_many`` runs a list of (scenario, seed) and returns each
run's timeseries, the same DataFrame a single run gives, stepping the runs that can
share one vectorised state together (sim.model.replicas) and the rest one by one.

Runs are batched together when they are of the OrganisationModel's own week (a model
class that changes nothing of it: no extension schedule, state, reporters or methods),
have no scheduled events, and are of one shape: they share every parameter value but
those of sim.model.replicas.PER_REPLICATION (R seeds of one scenario, or the particles
of a calibration, the points of a Sobol or LHS design, the alternatives of a
comparison that differ only in those). Everything else runs singly, with the same
results.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas

from .customers import CUSTOMER_STATE
from .model import OrganisationModel
from .organisation import EMPLOYEE_STATE
from .params import PARAMS_LIST
from .phases import WEEK
from .replicas import PER_REPLICATION, Replicas
from .scenario import Scenario

# Runs at most this large (customers + prospects) are worth batching: measured with
# benchmarks/bench_small.py (docs/performance.md, "Many small runs": 2.0x at 5,000,
# 1.2x at 20,000, 1.0-1.1x at 50,000); above it a run's own arithmetic outweighs the
# fixed cost per phase that batching shares.
SMALL_RUN = 20_000
DEFAULT_BATCH = 128  # replications stepped together: the best of 16-128 at 2,000 (bench_small)
BATCH_NODES = 256_000  # ... and at most this many customers and prospects in one batch

_METHODS = ("__init__", "step", "run", "collect", "timeseries", "fire", "trigger", "grow")
_OWN = {name: getattr(OrganisationModel, name) for name in _METHODS}  # as the kernel wrote them


def batchable_class(model_class: type) -> bool:
    """A model class whose week, state and outputs are the OrganisationModel's own."""
    if not (isinstance(model_class, type) and issubclass(model_class, OrganisationModel)):
        return False
    same = all(getattr(model_class, name) is _OWN[name] for name in _METHODS)
    return (same and model_class.schedule is WEEK and model_class.customer_state is CUSTOMER_STATE
            and model_class.employee_state is EMPLOYEE_STATE and not model_class.reporters
            and model_class.causes == OrganisationModel.causes
            and model_class.parameters is PARAMS_LIST)


def run_params(model_class: type, scenario: Scenario) -> dict:
    """The parameters a model of ``model_class`` runs with (model.__init__'s)."""
    missing = {p.name: p.default for p in model_class.parameters if p.name not in scenario.params}
    return {**scenario.params, **missing}


def batch_key(model_class: type, scenario: Scenario) -> Any:
    """What runs must share to be stepped together (their shape), or None if this one
    runs singly: every parameter's value but those of PER_REPLICATION, of which only
    the type counts (a Python float and a NumPy float meet float32 arrays differently)."""
    if not batchable_class(model_class) or scenario.events:
        return None
    params = run_params(model_class, scenario)
    if any(not isinstance(params[k], (int, float)) or isinstance(params[k], bool)
           for k in PER_REPLICATION if k in params):
        return None
    try:
        return tuple(sorted((k, type(v).__name__ if k in PER_REPLICATION else v)
                            for k, v in params.items()))
    except TypeError:
        return None


def is_small(scenario: Scenario) -> bool:
    """A run small enough to be worth batching (SMALL_RUN)."""
    p = scenario.params
    return p["n_customers"] + p["n_prospects"] <= SMALL_RUN


def batch_size(scenario: Scenario) -> int:
    """How many runs of this scenario to step together: DEFAULT_BATCH, fewer for
    larger firms (BATCH_NODES in all)."""
    p = scenario.params
    return max(1, min(DEFAULT_BATCH, BATCH_NODES // max(1, p["n_customers"] + p["n_prospects"])))


def group_size(batch: int, runs: int, workers: int = 1) -> int:
    """How many of ``runs`` runs (of one shape, at most ``batch`` together) a worker
    steps at once when ``workers`` share them: no more than keeps every worker busy."""
    return max(1, min(batch, -(-runs // max(1, workers))))


def run_single(model_class: type, scenario, seed: int, steps: int) -> pandas.DataFrame:
    m = model_class(scenario, rng=seed)
    m.run(steps)
    return m.timeseries()


def run_many(model_class: type, scenarios: list, seeds: list[int], steps: int,
             max_batch: int | None = None) -> list[pandas.DataFrame]:
    """For each (scenario, seed), the timeseries of ``m = model_class(scenario, rng=seed);
    m.run(steps)``, identical to that single run; runs that can be (see the module doc)
    are stepped together, ``max_batch`` at a time (default ``batch_size``)."""
    if len(scenarios) != len(seeds):
        raise ValueError(f"run_many: {len(scenarios)} scenarios but {len(seeds)} seeds")
    size = max(1, max_batch) if max_batch else None
    resolved = [s if isinstance(s, Scenario) else None for s in scenarios]
    out: list[pandas.DataFrame | None] = [None] * len(scenarios)
    groups: dict[Any, list[int]] = {}
    for i, sc in enumerate(resolved):
        key = (batch_key(model_class, sc) if sc is not None and size != 1 and is_small(sc)
               else None)
        if key is None:
            out[i] = run_single(model_class, scenarios[i], seeds[i], steps)
        else:
            groups.setdefault(key, []).append(i)
    for members in groups.values():
        step = size or batch_size(resolved[members[0]])
        for start in range(0, len(members), step):
            chunk = members[start:start + step]
            params = [run_params(model_class, resolved[i]) for i in chunk]
            for i, frame in zip(chunk, _run_batch(params,
                                                  [seeds[i] for i in chunk], steps)):
                out[i] = frame
    for i in range(len(out)):  # a batch that cannot be stacked (degenerate networks)
        if out[i] is None:
            out[i] = run_single(model_class, scenarios[i], seeds[i], steps)
    return out


def _run_batch(params: list[dict], seeds: list[int], steps: int) -> list[pandas.DataFrame | None]:
    if len(seeds) == 1:
        return [None]
    reps = Replicas(params, [int(s) for s in seeds])
    if not reps.ok:
        return [None] * len(seeds)
    for _ in range(steps):
        reps.step()
    return _frames(reps.columns())


_FROM_BLOCKS = getattr(getattr(pandas.api, "internals", None), "create_dataframe_from_blocks", None)


def _frames(columns: dict[str, np.ndarray]) -> list["pandas.DataFrame"]:
    """Each replication's DataFrame from columns of (weeks + 1, R): the frame a single
    run's DataCollector makes (``pandas.DataFrame`` of its dict of int64 and float64
    columns), built from its blocks: one 2-D array per dtype, laid out as the
    DataFrame constructor lays it out, for the R frames at once."""
    names = list(columns)
    if _FROM_BLOCKS is None:  # a pandas without it: the constructor, as the DataCollector
        return [pandas.DataFrame({k: v[:, r] for k, v in columns.items()})
                for r in range(next(iter(columns.values())).shape[1])]
    index, cols = pandas.RangeIndex(len(next(iter(columns.values())))), pandas.Index(names)
    groups = []
    for dtype in dict.fromkeys(v.dtype for v in columns.values()):
        place = np.array([j for j, k in enumerate(names) if columns[k].dtype == dtype], np.intp)
        values = np.stack([columns[names[j]].T for j in place], axis=1)  # (R, columns, weeks)
        groups.append((values, place))
    R = groups[0][0].shape[0]
    return [_FROM_BLOCKS(
        [(values[r].copy(), place) for values, place in groups], index.copy(), cols.copy())
        for r in range(R)]

