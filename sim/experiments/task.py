"""One run of a study as a worker does it: build the model, step it (until the stop
condition, within the time limit), keep the weekly columns and customer snapshots
asked for, and return the run's record with its provenance."""

from __future__ import annotations

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
    from ..files.results import end_of_run
    from .conditions import parse
    from .provenance import run_provenance
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
    ts = model.timeseries()
    result: dict[str, Any] = {
        "metrics": end_of_run(ts, model.causes, model.params, tuple(model.reporters)),
        "stopped": stopped,
        "provenance": run_provenance(task.model, scenario.params, [e.as_dict() for e in scenario.events]),
    }
    if task.timeseries:
        keep = ts[ts["step"].isin(store.measured_steps(int(ts["step"].iloc[-1]), task.measure))]
        result["timeseries"] = {c: keep[c].tolist() for c in ("step", *task.timeseries)}
    files = {}
    if task.snapshots:
        taken = sorted(w for w in weeks if w <= int(model.steps))  # an early stop takes fewer
        result["snapshots"] = {"weeks": taken, "columns": list(task.snapshots.columns)}
        files[store.SNAPSHOTS] = store.frame_bytes(pd.concat(snaps, ignore_index=True), ".parquet")
    return {"record": store.record_for(task.run, task.steps, result), "files": files}


def _snapshot(model, snapshots: Snapshots) -> pd.DataFrame:
    """Every customer's and prospect's chosen attributes this week."""
    arrays = model.cust.arrays()
    n = model.cust.n
    return pd.DataFrame({"week": [int(model.steps)] * n, "customer": range(n),
                         **{c: arrays[c].copy() for c in snapshots.columns}})
