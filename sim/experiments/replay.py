"""Reading a finished study back: its definition from study.json, one run replayed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..model.events import EventError, make_event
from ..files.scenarios import Scenario
from . import store, stored
from .design import Plan
from .spec import Adaptive, Experiment, ExperimentError, Sampler, Snapshots
from .spec import _measure as measure


def study_from_folder(folder: Path) -> tuple[Experiment, pd.DataFrame]:
    """The study as it was resolved when run, and its runs table; a missing or
    damaged study.json is a one-line ExperimentError."""
    folder = Path(folder)
    doc_path, runs_path = folder / "study.json", folder / "runs.parquet"
    if not doc_path.is_file() or not runs_path.is_file():
        raise ExperimentError(f"{folder}: not a study's results folder (no study.json / runs.parquet)")
    try:
        doc = stored.read_document(doc_path)
        if not isinstance(doc["orgsim_version"], str):
            raise TypeError("orgsim_version")
        exp = _experiment(doc)
        runs = pd.read_parquet(runs_path)
        lacking = [c for c in (*exp.varied, *exp.metrics) if c not in runs.columns]
        if lacking:
            raise ValueError(f"runs.parquet has no column {lacking[0]!r}, which study.json names")
    except (*stored.DAMAGED, EventError) as err:
        raise ExperimentError(f"{doc_path}: damaged ({type(err).__name__}: {str(err)[:80]}); "
                              "orgsim writes it with the study: run the study again") from None
    return exp, runs


def _experiment(doc: dict[str, Any]) -> Experiment:
    steps = stored.steps(doc["steps"])
    for key in ("name", "description", "scenario"):
        stored.text(doc[key], key)
    stored.text(doc["source"], "source", optional=True)
    stored.table(doc["set"], "set")
    stored.text(stored.table(doc.get("model", {}), "model").get("ref", ""), "model.ref")
    measure(doc.get("measure", 1), "measure")
    base = Scenario(name=str(doc["scenario"]), params=stored.params(doc["scenario_params"], "scenario_params"),
                    steps=steps, events=tuple(make_event(e.pop("at"), e.pop("kind"), e, "events") for e in doc["events"]))
    sampler = None
    if doc["sampler"]:
        s = doc["sampler"]
        sampler = Sampler(s["method"], s["n"], {k: tuple(v) for k, v in s["ranges"]},
                          s["levels"], s["second_order"], {k: tuple(v) for k, v in s.get("choices", [])})
    snaps = doc.get("snapshots")
    return Experiment(
        name=str(doc["name"]), base=base, steps=steps,
        replications=stored.replications(doc["replications"]), seed=stored.seed(doc["seed"]),
        metrics=stored.texts(doc["metrics"], "metrics"),
        timeseries=stored.texts(doc["timeseries"], "timeseries"),
        grid={k: tuple(v) for k, v in doc["grid"]}, sampler=sampler,
        adaptive=Adaptive(**doc["adaptive"]) if doc["adaptive"] else None,
        description=doc["description"], source=doc["source"], fixed=doc["set"],
        model=doc.get("model", {}).get("ref", ""), measure=doc.get("measure", 1),
        stop_when=doc.get("stop_when", ""), time_limit=doc.get("time_limit"),
        snapshots=Snapshots(tuple(snaps["weeks"]), tuple(snaps["columns"])) if snaps else None,
    )


def replay(folder: Path, index: int) -> tuple[dict[str, Any], bool]:
    """Re-run run ``index`` of the study in ``folder`` from its stored parameters and
    seed; returns the new row and whether it equals the stored one."""
    from .runner import execute, task_of

    exp, runs = study_from_folder(folder)
    stored = runs[runs["index"] == index]
    if stored.empty:
        raise ExperimentError(f"{folder}: no run {index}; runs are {runs['index'].min()} to "
                              f"{runs['index'].max()}")
    row = {c: stored[c].iloc[0] for c in stored.columns}  # per column: no dtype upcast
    run = Plan(exp).run(int(row["point"]), int(row["replication"]))
    if run.seed != int(row["seed"]):
        raise ExperimentError(f"{folder}: run {index} was stored with seed {row['seed']}, "
                              f"the study gives {run.seed}")
    result = execute(task_of(exp, run))
    if "error" in result:
        raise ExperimentError(f"run {index} failed on replay: {result['error']}")
    table = store.runs_table([(run, result["record"])], exp.varied, exp.metrics,
                             stopped="stopped" in stored.columns)
    new = {c: table[c].iloc[0] for c in table.columns}
    same = list(table.columns) == list(stored.columns) and all(
        new[c] == row[c] for c in new if c != "code")
    return new, same
