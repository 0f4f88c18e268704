"""One run of a study as a worker does it: build the model, step it (until the stop
condition, within the time limit), keep the weekly columns and customer snapshots
asked for, and return the run's record with its provenance."""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..files.scenarios import Scenario
from . import store
from .design import Run
from .spec import Snapshots


class TimeLimitExceeded(RuntimeError):
    """A run took longer than the study's time_limit."""


@dataclass
class Task:
    """Everything a worker needs for one run (the scenario travels resolved, so a
    worker on another machine reads no files)."""

    run: Run
    scenario: Scenario
    steps: int
    timeseries: tuple[str, ...]
    model: str = ""  # the model class's reference; the worker imports it
    measure: int | str = 1
    stop_when: str = ""
    time_limit: float | None = None
    snapshots: Snapshots | None = None


def execute(task: Task) -> dict[str, Any]:
    """Run one simulation: ``{"record": ..., "files": {...}}``, or an error record.
    The model is freed with its last reference (mesa_ids), not kept by Mesa for good."""
    from .mesa_ids import forget_finished_models

    forget_finished_models()
    try:
        return _execute(task)
    except Exception as err:  # reported with its parameters and seed; others go on
        return error_record(task, f"{type(err).__name__}: {err}", traceback.format_exc())


def error_record(task: Task, error: str, trace: str) -> dict[str, Any]:
    return {"error": error, "trace": trace, "key": task.run.key}


def _execute(task: Task) -> dict[str, Any]:
    from ..files.extensions import load_model_class
    from .conditions import parse
    from .variables import apply

    started = time.monotonic()
    model_class = load_model_class(task.model)
    scenario = apply(task.scenario, task.run.params)
    model = model_class(scenario, rng=task.run.seed)
    stop = parse(task.stop_when, ("step", *model.columns)) if task.stop_when else None
    weeks = set(task.snapshots.weeks) if task.snapshots else set()
    snaps = [_snapshot(model, task.snapshots)] if 0 in weeks else []
    stopped = False
    for week in range(1, task.steps + 1):
        model.step()
        if week in weeks:
            snaps.append(_snapshot(model, task.snapshots))
        if stop is not None and stop(model.current):
            stopped = True
            break
        if task.time_limit is not None and time.monotonic() - started > task.time_limit:
            raise TimeLimitExceeded(f"the run took more than time_limit = {task.time_limit:g} s "
                                    f"(stopped at week {week} of {task.steps})")
    files = {}
    snapshots = None
    if task.snapshots:
        taken = sorted(w for w in weeks if w <= int(model.steps))  # an early stop takes fewer
        snapshots = {"weeks": taken, "columns": list(task.snapshots.columns)}
        files[store.SNAPSHOTS] = store.frame_bytes(pd.concat(snaps, ignore_index=True), ".parquet")
    return _record(task, scenario, model.timeseries(), model_class, model.params, stopped,
                   snapshots, files)


def _record(task: Task, scenario: Scenario, ts: pd.DataFrame, model_class: type, params: dict,
            stopped: bool = False, snapshots: dict | None = None,
            files: dict | None = None, code: str | None = None) -> dict[str, Any]:
    """A finished run's record (and files) from its time series; ``code``: the code
    digest when the caller took it (provenance.run_provenance)."""
    from ..files.results import end_of_run
    from .provenance import run_provenance

    result: dict[str, Any] = {
        "metrics": end_of_run(ts, model_class.causes, params, tuple(model_class.reporters)),
        "stopped": stopped,
        "provenance": run_provenance(task.model, scenario.params, [e.as_dict() for e in scenario.events],
                                     code),
    }
    if task.timeseries:
        keep = ts[ts["step"].isin(store.measured_steps(int(ts["step"].iloc[-1]), task.measure))]
        result["timeseries"] = {c: keep[c].tolist() for c in ("step", *task.timeseries)}
    if snapshots is not None:
        result["snapshots"] = snapshots
    return {"record": store.record_for(task.run, task.steps, result), "files": files or {}}


# --- many small runs at once (sim.model.batch) ---------------------------------------------

def max_batch() -> int:
    """At most this many runs a worker steps together: ORGSIM_MAX_BATCH if set (1: every
    run alone), else sim.model.batch.DEFAULT_BATCH (fewer for larger firms: batch_size)."""
    from ..model.batch import DEFAULT_BATCH

    raw = os.environ.get("ORGSIM_MAX_BATCH", "")
    return int(raw) if raw.isdigit() and int(raw) >= 1 else DEFAULT_BATCH


def _batch_key(task: Task):
    """What tasks must share to be run together, or None for a task run alone: the
    same model (one whose week can be batched), length, outputs and shape (the parameter
    values but those that may differ within a batch: sim.model.batch.batch_key), no
    events, stop condition, time limit or snapshots, and a small firm."""
    if task.stop_when or task.time_limit is not None or task.snapshots:
        return None
    from ..files.extensions import load_model_class
    from ..model.batch import batch_key, batch_size, is_small
    from .variables import apply

    try:
        model_class = load_model_class(task.model)
        scenario = apply(task.scenario, task.run.params)
    except Exception:  # reported when the task runs
        return None
    key = batch_key(model_class, scenario) if is_small(scenario) else None
    if key is None:
        return None
    return (task.model, task.steps, task.timeseries, task.measure, batch_size(scenario), key)


def group_tasks(tasks: list[Task], workers: int = 1, size: int | None = None) -> list[list[Task]]:
    """The tasks in groups a worker runs together (at most ``size``, and no more than
    keeps ``workers`` busy), in their order; a task that cannot share is a group alone."""
    from ..model.batch import group_size

    size = max_batch() if size is None else size
    groups: list[list[Task]] = []
    by_key: dict = {}
    for t in tasks:
        key = _batch_key(t) if size > 1 else None
        if key is None:
            groups.append([t])
        else:
            by_key.setdefault(key, []).append(t)
    for key, members in by_key.items():
        n = group_size(min(size, key[4]), len(members), workers)
        groups.extend(members[i:i + n] for i in range(0, len(members), n))
    return groups


def execute_group(tasks: list[Task]) -> list[dict[str, Any]]:
    """Run a group of tasks (group_tasks): one alone as ``execute`` does, several of one
    shape stepped together (sim.model.batch.run_many), with the same records."""
    if len(tasks) == 1:
        return [execute(tasks[0])]
    from .mesa_ids import forget_finished_models

    forget_finished_models()  # runs that cannot be stacked are models made here
    try:
        from ..files.extensions import load_model_class
        from ..model.batch import run_many, run_params
        from .provenance import code_digest
        from .variables import apply

        model_class = load_model_class(tasks[0].model)
        scenarios = [apply(t.scenario, t.run.params) for t in tasks]
        frames = run_many(model_class, scenarios, [t.run.seed for t in tasks], tasks[0].steps,
                          max_batch=len(tasks))
        code = code_digest(tasks[0].model)  # the group's code: one model, one moment
        return [_record(t, sc, ts, model_class, run_params(model_class, sc), code=code)
                for t, sc, ts in zip(tasks, scenarios, frames)]
    except Exception:  # each run alone, each error reported with its own run
        return [execute(t) for t in tasks]


def _snapshot(model, snapshots: Snapshots) -> pd.DataFrame:
    """Every customer's and prospect's chosen attributes this week."""
    arrays = model.cust.arrays()
    n = model.cust.n
    return pd.DataFrame({"week": [int(model.steps)] * n, "customer": range(n),
                         **{c: arrays[c].copy() for c in snapshots.columns}})
