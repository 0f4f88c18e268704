"""Running a study: local processes by default, a Dask cluster when given its address.

Runs are independent: each is a function of its scenario, parameters, length and seed,
so the results are the same on one worker, many, or a cluster. Finished runs are saved
as they arrive; a failed run is reported with its parameters and seed and the others
go on; a run whose worker died is given again (pool.RETRIES times).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from . import store
from .backends import make_backend, progress_bar  # noqa: F401  (used by sim.validation)
from .cost import check_cost
from .design import Plan, unique
from .folder import OWN_FOLDERS, Folder
from .pool import machine_cores
from .provenance import study_provenance
from .resume import reconcile
from .spec import Experiment, check_size, load_experiment
from .task import Task, error_record, execute, execute_group, group_tasks  # noqa: F401  (Task, execute: comparison, replay)

STUDY_TABLES = ("study.json", "runs.parquet", "timeseries.parquet", "summary.csv",
                "summary_weekly.csv", "failures.csv", "sensitivity.csv", "customers.parquet")


@dataclass
class Results:
    """A study's tables, as pandas DataFrames."""

    runs: pd.DataFrame
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    failures: pd.DataFrame
    out: Path
    weekly: pd.DataFrame = field(default_factory=pd.DataFrame)  # per point and week
    notes: list[str] = field(default_factory=list)  # what was said about the folder


def _sayer(notes: list[str]) -> Callable[[str], None]:
    """Say a line about the folder (to stderr, whatever the progress setting) and keep it."""
    def say(line: str) -> None:
        notes.append(line)
        print(f"orgsim: {line}", file=sys.stderr, flush=True)
    return say


def run_experiment(experiment: Experiment | str | os.PathLike, out: str | os.PathLike | None = None,
                   *, workers: int | None = None, scheduler: str | None = None,
                   resume: bool = False, replications: int | None = None,
                   steps: int | None = None, progress: bool = True,
                   allow_code_change: bool = False, yes_this_is_big: bool = False,
                   max_memory: int | None = None) -> Results:
    """Run a study (or what is missing of it, with ``resume``) and write its tables.

    Returns the runs, time series, per-point summary and failures as DataFrames.
    Before any point is made, a study of more runs than spec.MAX_RUNS is refused unless
    ``yes_this_is_big``, and one whose estimated memory exceeds ``max_memory`` bytes
    (default: a share of this machine's, sim.files.budget) is refused whatever its size.
    Works from a plain script without a ``__main__`` guard: local workers are fresh
    interpreters that never import the caller (sim.experiments.pool).
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    exp = exp.with_overrides(replications, steps)
    check_size(exp, yes_this_is_big)
    at_once = 1 if scheduler else min(workers or machine_cores(), machine_cores())
    check_cost(exp, at_once, max_memory)
    out = Path(out) if out is not None else Path("results") / exp.name
    plan = Plan(exp)
    notes: list[str] = []
    say = _sayer(notes)
    prov = study_provenance(exp.model, exp.base.params, [e.as_dict() for e in exp.base.events])
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    def prepare(records: dict) -> dict:
        done = reconcile(exp, plan, out, records, prov, allow_code_change, say)
        store.write_atomic(out / "study.json", _json(study_document(exp, prov, done, 0, started, None)))
        return done

    def work(backend, done: dict, failures: list) -> None:
        if exp.adaptive is None:
            todo = [r for r in unique(plan.runs(exp.replications)) if r.key not in done]
            run_tasks([task_of(exp, r) for r in todo], backend, out, done, failures, progress)
        else:
            _run_adaptive(exp, plan, backend, out, done, failures, progress)

    results = run_in_folder(out, Folder(out, "study", exp.name), STUDY_TABLES, prepare, work,
                            lambda done, failures: finish(exp, plan, out, done, failures, started, prov),
                            workers=workers, scheduler=scheduler, resume=resume, progress=progress,
                            say=say)
    results.notes[:0] = notes
    return results


def task_of(exp: Experiment, run) -> Task:
    return Task(run, exp.base, exp.steps, exp.timeseries, exp.model, exp.measure, exp.stop_when,
                exp.time_limit, exp.snapshots)


def run_in_folder(out: Path, folder: Folder, tables: tuple[str, ...], prepare: Callable,
                  work: Callable, finish_tables: Callable, *, workers: int | None,
                  scheduler: str | None, resume: bool, progress: bool, say: Callable):
    """The frame of every batch of runs: check the folder (another study's, foreign
    files, results without ``resume``: refused in one line, nothing written), then
    ``prepare(records)`` gives the stored runs to keep, ``work(backend, done,
    failures)`` runs what is missing, and the tables are always written by
    ``finish_tables(done, failures)``, even after an interruption. The backend is made
    before anything is written, so a cluster that cannot be reached leaves no folder."""
    records, bad = store.scan_runs(out)
    folder.open(tables, resume, has_runs=bool(records or bad))
    backend = make_backend(workers, scheduler, say)  # first: a bad --scheduler writes nothing
    try:
        out.mkdir(parents=True, exist_ok=True)
        folder.claim(*tables, *OWN_FOLDERS)
        done = prepare(records)
        store.set_aside(out, bad, say)
    except BaseException:
        backend.close()
        raise
    failures: list[dict] = []
    try:
        work(backend, done, failures)
    finally:
        backend.close()
        results = finish_tables(done, failures)
    if progress:
        print(f"{len(results.runs)} runs done, {len(failures)} failed; results in {out}/")
    return results


def run_tasks(tasks: list[Task], backend, out: Path, done: dict, failures: list,
              progress: bool) -> None:
    """Run ``tasks`` on ``backend``, saving each finished run in ``out`` as it arrives
    (and in ``done``); a failed run goes to ``failures`` and the others go on. Small
    runs of one shape go to a worker together and are stepped at once
    (task.group_tasks, sim.model.batch): the same records, in less time."""
    by_key = {t.run.key: t.run for t in tasks}

    def lost(group: list[Task], why: str) -> list[dict]:
        return [error_record(t, f"WorkerLost: {why}", f"no traceback: {why}\n") for t in group]

    groups = group_tasks(tasks, getattr(backend, "workers", 1))
    with progress_bar(len(tasks), progress) as bar:
        for results in backend.map_unordered(execute_group, groups, lost):
            for result in results:
                if "error" in result:
                    run = by_key[result["key"]]
                    failures.append({"index": run.index, "point": run.point,
                                     "replication": run.replication, "seed": run.seed,
                                     "params": json.dumps(run.params, sort_keys=True),
                                     "error": result["error"], "trace": result["trace"]})
                    bar.write(f"run {run.index} failed (params {run.params}, seed {run.seed}): "
                              f"{result['error']}")
                else:
                    store.save_run(out, result["record"], result["files"])
                    done[result["record"]["key"]] = result["record"]
                bar.set_postfix_str(str(bar.total - bar.n - 1), refresh=False)
                bar.update(1)


def _run_adaptive(exp: Experiment, plan: Plan, backend, out: Path, done: dict, failures: list,
                  progress: bool) -> None:
    """Replications round by round (replication-major) for the points whose 95%
    interval of the adaptive metric is still wider than asked, up to the cap."""
    ad = exp.adaptive
    for rep in range(ad.max_replications):
        n = len(plan.points)
        need = range(n) if rep < max(exp.replications, 2) else [
            i for i in range(n) if _ci_width(plan, done, i, rep, ad.metric) > ad.ci_width]
        if not need:
            break
        todo = unique([plan.run(i, rep) for i in need])
        run_tasks([task_of(exp, r) for r in todo if r.key not in done], backend, out, done,
                  failures, progress)


def _ci_width(plan: Plan, done: dict, point: int, reps: int, metric: str) -> float:
    keys = [plan.run(point, r).key for r in range(reps)]
    x = [done[k]["metrics"][metric] for k in keys if k in done]
    if len(x) < 2:
        return math.inf
    _, _, low, high = store.estimates(x, metric in store.SHARES)  # the interval summary.csv gives
    return high - low


def finish(exp: Experiment, plan: Plan, out: Path, done: dict, failures: list, started: str,
           prov: dict) -> Results:
    """Rebuild the tables from the finished runs of this study and write them."""
    pairs = [(run, r) for r in done.values() for run in plan.find(r)]
    runs = store.runs_table(pairs, exp.varied, exp.metrics, stopped=bool(exp.stop_when))
    ts = store.timeseries_table(pairs, exp.timeseries, exp.measure)
    summary = store.summary_table(runs, exp.varied, exp.metrics)
    weekly = store.weekly_summary(ts, runs, exp.varied, exp.timeseries)
    fails = store.write_failures(out, failures)
    store.write_frame(out / "runs.parquet", runs)
    if exp.timeseries:
        store.write_frame(out / "timeseries.parquet", ts)
        store.write_frame(out / "summary_weekly.csv", weekly)
    if exp.snapshots:
        store.write_frame(out / "customers.parquet", store.snapshots_table(out, pairs))
    store.write_frame(out / "summary.csv", summary)
    store.write_frame(out / "failures.csv", fails)
    store.write_atomic(out / "study.json", _json(study_document(exp, prov, done, len(fails),
                                                                started, time.strftime("%Y-%m-%dT%H:%M:%S%z"))))
    results = Results(runs, ts, summary, fails, out, weekly)
    complete = len(runs) and runs["point"].nunique() == len(plan.points)
    if exp.sampler and exp.sampler.method in ("morris", "sobol") and complete:
        from .sensitivity import write_sensitivity
        write_sensitivity(exp, results)
    from .figures import draw_all
    draw_all(exp, results)
    return results


def _json(doc: dict) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n"


def study_document(exp: Experiment, prov: dict, done: dict, n_failed: int, started: str,
                   finished: str | None) -> dict:
    """study.json: the study as resolved, its provenance (and which code made how many
    of the runs), start and end time (``finished`` is null while it runs)."""
    from ..files.extensions import class_name, load_model_class

    codes: dict[str, int] = {}
    for r in done.values():
        code = r["provenance"].get("code", "")
        codes[code] = codes.get(code, 0) + 1
    sampler = None
    if exp.sampler:
        sampler = {**asdict(exp.sampler), "ranges": [[k, list(v)] for k, v in exp.sampler.ranges.items()],
                   "choices": [[k, list(v)] for k, v in exp.sampler.choices.items()]}
    return {
        "name": exp.name, "description": exp.description, "source": exp.source,
        "model": {"ref": exp.model, "class": class_name(load_model_class(exp.model))},
        "scenario": exp.base.name, "scenario_params": exp.base.params,
        "events": [e.as_dict() for e in exp.base.events], "set": exp.fixed,
        "steps": exp.steps, "replications": exp.replications, "seed": exp.seed,
        "metrics": list(exp.metrics), "timeseries": list(exp.timeseries),
        "measure": exp.measure, "stop_when": exp.stop_when, "time_limit": exp.time_limit,
        "snapshots": asdict(exp.snapshots) if exp.snapshots else None,
        # lists of pairs, not tables: the order of parameters defines the points
        "grid": [[k, list(v)] for k, v in exp.grid.items()],
        "sampler": sampler,
        "adaptive": asdict(exp.adaptive) if exp.adaptive else None,
        "provenance": {**prov, "codes_in_runs": codes},
        "orgsim_version": prov["orgsim"], "started": started, "finished": finished,
        "runs": len(done), "failed": n_failed,
    }
