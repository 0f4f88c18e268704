"""Reading a finished study back: its definition from study.json, one run replayed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..model.events import Event, make_event
from ..files.scenarios import Scenario
from . import store
from .design import make_run, points
from .spec import Adaptive, Experiment, ExperimentError, Sampler


def study_from_folder(folder: Path) -> tuple[Experiment, pd.DataFrame]:
    """The study as it was resolved when run, and its runs table."""
    folder = Path(folder)
    doc_path, runs_path = folder / "study.json", folder / "runs.parquet"
    if not doc_path.is_file() or not runs_path.is_file():
        raise ExperimentError(f"{folder}: not a study's results folder (no study.json / runs.parquet)")
    doc = json.loads(doc_path.read_text())
    base = Scenario(name=doc["scenario"], params=doc["scenario_params"], steps=doc["steps"],
                    events=tuple(make_event(e.pop("at"), e.pop("kind"), e, "events") for e in doc["events"]))
    sampler = None
    if doc["sampler"]:
        s = doc["sampler"]
        sampler = Sampler(s["method"], s["n"], {k: tuple(v) for k, v in s["ranges"]},
                          s["levels"], s["second_order"])
    exp = Experiment(
        name=doc["name"], base=base, steps=doc["steps"], replications=doc["replications"],
        seed=doc["seed"], metrics=tuple(doc["metrics"]), timeseries=tuple(doc["timeseries"]),
        grid={k: tuple(v) for k, v in doc["grid"]}, sampler=sampler,
        adaptive=Adaptive(**doc["adaptive"]) if doc["adaptive"] else None,
        description=doc["description"], source=doc["source"], fixed=doc["set"],
    )
    return exp, pd.read_parquet(runs_path)


def replay(folder: Path, index: int) -> tuple[dict[str, Any], bool]:
    """Re-run run ``index`` of the study in ``folder`` from its stored parameters and
    seed; returns the new row and whether it equals the stored one."""
    from .. import __version__
    from .runner import Task, execute

    exp, runs = study_from_folder(folder)
    stored = runs[runs["index"] == index]
    if stored.empty:
        raise ExperimentError(f"{folder}: no run {index}; runs are {runs['index'].min()} to "
                              f"{runs['index'].max()}")
    row = {c: stored[c].iloc[0] for c in stored.columns}  # per column: no dtype upcast
    pts = points(exp)
    run = make_run(exp, pts, int(row["point"]), int(row["replication"]), __version__)
    if run.seed != int(row["seed"]):
        raise ExperimentError(f"{folder}: run {index} was stored with seed {row['seed']}, "
                              f"the study gives {run.seed}")
    record = execute(Task(run, exp.base, exp.steps, exp.metrics, exp.timeseries))
    if "error" in record:
        raise ExperimentError(f"run {index} failed on replay: {record['error']}")
    table = store.runs_table([record], exp.varied, exp.metrics)
    new = {c: table[c].iloc[0] for c in table.columns}
    same = list(table.columns) == list(stored.columns) and all(new[c] == row[c] for c in new)
    return new, same
