"""Running a study: local processes by default, a Dask cluster when given its address.

Runs are independent: each is a function of its scenario, parameters, length and seed,
so the results are the same on one worker, many, or a cluster. Finished runs are saved
as they arrive; a failed run is reported with its parameters and seed and the others
go on.
"""

from __future__ import annotations

import json
import math
import os
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd

from .. import __version__
from ..files.scenarios import Scenario
from . import store
from .design import Run, make_run, plan, points
from .spec import Experiment, ExperimentError, load_experiment


@dataclass
class Task:
    """Everything a worker needs for one run (the scenario travels resolved, so a
    worker on another machine reads no files)."""

    run: Run
    scenario: Scenario
    steps: int
    metrics: tuple[str, ...]
    timeseries: tuple[str, ...]
    model: str = ""  # the model class's reference; the worker imports it


def execute(task: Task) -> dict[str, Any]:
    """Run one simulation; returns its stored record, or an error record."""
    from ..files.extensions import load_model_class
    from ..files.results import end_of_run

    try:
        model_class = load_model_class(task.model)
        scenario = task.scenario.with_overrides("run", **task.run.params)
        model = model_class(scenario, rng=task.run.seed)
        model.run(task.steps)
        ts = model.timeseries()
        end = end_of_run(ts, model.causes, model.params, tuple(model.reporters))
        result = {"metrics": {m: end[m] for m in task.metrics}}
        if task.timeseries:
            result["timeseries"] = {c: ts[c].tolist() for c in ("step", *task.timeseries)}
        return store.record_for(task.run, result)
    except Exception as err:  # reported with its parameters and seed; others go on
        return {"error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc(),
                "index": task.run.index, "key": task.run.key}


@dataclass
class Results:
    """A study's tables, as pandas DataFrames."""

    runs: pd.DataFrame
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    failures: pd.DataFrame
    out: Path


class _Local:
    """Local worker processes (or this process for one worker)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers) if workers > 1 else None

    def map_unordered(self, fn: Callable, tasks: list) -> Iterable:
        if self.pool is None:
            for t in tasks:
                yield fn(t)
            return
        pending = {self.pool.submit(fn, t) for t in tasks}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    yield f.result()
        finally:
            for f in pending:
                f.cancel()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)


class _Dask:
    """An existing Dask distributed cluster; a lost worker's runs are rerun on others."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise ExperimentError("--scheduler needs Dask: pip install 'orgsim[distributed]'") from None
        try:
            self.client = Client(address, timeout="20s")
        except OSError as err:
            raise ExperimentError(f"--scheduler {address}: cannot connect: {err}") from None

    def map_unordered(self, fn: Callable, tasks: list) -> Iterable:
        from distributed import as_completed

        futures = self.client.map(fn, tasks, pure=False, retries=3,
                                  key=[f"orgsim-run-{t.run.key}-{i}" for i, t in enumerate(tasks)])
        try:
            for f in as_completed(futures):
                yield f.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()


def make_backend(workers: int | None = None, scheduler: str | None = None):
    """A Dask cluster when given its address, else local processes (one per core)."""
    return _Dask(scheduler) if scheduler else _Local(workers or os.cpu_count() or 1)


def progress_bar(total: int, enabled: bool):
    """A tqdm bar saying runs done, runs left (its postfix: keep it up to date) and the
    time to go."""
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="run", disable=not enabled, dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n_fmt} runs done{postfix} left, about {remaining} to go",
                postfix=str(total))


def run_experiment(experiment: Experiment | str | os.PathLike, out: str | os.PathLike | None = None,
                   *, workers: int | None = None, scheduler: str | None = None,
                   resume: bool = False, replications: int | None = None,
                   steps: int | None = None, progress: bool = True) -> Results:
    """Run a study (or what is missing of it, with ``resume``) and write its tables.

    Returns the runs, time series, per-point summary and failures as DataFrames.
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    exp = exp.with_overrides(replications, steps)
    out = Path(out) if out is not None else Path("results") / exp.name

    def work(backend, done: dict, failures: list) -> None:
        if exp.adaptive is None:
            todo = [r for r in plan(exp, __version__) if r.key not in done]
            _run_batch(exp, todo, backend, out, done, failures, progress)
        else:
            _run_adaptive(exp, backend, out, done, failures, progress)

    return run_in_folder(out, work, lambda done, failures, started:
                         finish(exp, out, done, failures, started),
                         workers=workers, scheduler=scheduler, resume=resume, progress=progress)


def run_in_folder(out: Path, work: Callable, finish_tables: Callable, *, workers: int | None,
                  scheduler: str | None, resume: bool, progress: bool):
    """The frame of every batch of runs: refuse a folder that already holds results
    unless resuming; ``work(backend, done, failures)`` runs what is missing; the tables
    are always written by ``finish_tables(done, failures, started)``, even after an
    interruption, and its result returned."""
    done = store.load_runs(out)
    if done and not resume:
        raise ExperimentError(f"--out {out} already holds results; use --resume to continue, "
                              "or another folder")
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    backend = make_backend(workers, scheduler)
    failures: list[dict] = []
    try:
        work(backend, done, failures)
    finally:
        backend.close()
        results = finish_tables(done, failures, started)
    if progress:
        print(f"{len(results.runs)} runs done, {len(failures)} failed; results in {out}/")
    return results


def _run_batch(exp, runs: list[Run], backend, out: Path, done: dict, failures: list,
               progress: bool) -> None:
    tasks = [Task(r, exp.base, exp.steps, exp.metrics, exp.timeseries, exp.model) for r in runs]
    run_tasks(tasks, backend, out, done, failures, progress)


def run_tasks(tasks: list[Task], backend, out: Path, done: dict, failures: list,
              progress: bool) -> None:
    """Run ``tasks`` on ``backend``, saving each finished run in ``out`` as it arrives
    (and in ``done``); a failed run goes to ``failures`` and the others go on."""
    by_key = {t.run.key: t.run for t in tasks}
    with progress_bar(len(tasks), progress) as bar:
        for record in backend.map_unordered(execute, tasks):
            if "error" in record:
                run = by_key[record["key"]]
                failures.append({"index": run.index, "point": run.point,
                                 "replication": run.replication, "seed": run.seed,
                                 "params": json.dumps(run.params, sort_keys=True),
                                 "error": record["error"]})
                bar.write(f"run {run.index} failed (params {run.params}, seed {run.seed}): "
                          f"{record['error']}")
            else:
                store.save_run(out, record)
                done[record["key"]] = record
            bar.set_postfix_str(str(bar.total - bar.n - 1), refresh=False)
            bar.update(1)


def _run_adaptive(exp, backend, out: Path, done: dict, failures: list, progress: bool) -> None:
    """Replications round by round (replication-major) for the points whose 95%
    interval of the adaptive metric is still wider than asked, up to the cap."""
    pts = points(exp)
    ad = exp.adaptive
    for rep in range(ad.max_replications):
        need = range(len(pts)) if rep < max(exp.replications, 2) else [
            i for i in range(len(pts)) if _ci_width(done, i, ad.metric) > ad.ci_width]
        if not need:
            break
        runs = [make_run(exp, pts, i, rep, __version__) for i in need]
        _run_batch(exp, [r for r in runs if r.key not in done], backend, out, done, failures, progress)


def _ci_width(done: dict, point: int, metric: str) -> float:
    x = [r["metrics"][metric] for r in done.values() if r["point"] == point]
    if len(x) < 2:
        return math.inf
    s = pd.Series(x, dtype=float)
    return 2 * store.t_quantile(len(x) - 1) * float(s.std(ddof=1)) / math.sqrt(len(x))


def finish(exp: Experiment, out: Path, done: dict, failures: list, started: str) -> Results:
    """Rebuild the tables from the finished runs of this study (runs of other studies
    in the folder are ignored) and write them."""
    keys = _study_keys(exp, done)
    records = [done[k] for k in keys]
    runs = store.runs_table(records, exp.varied, exp.metrics)
    ts = store.timeseries_table(records, exp.timeseries)
    summary = store.summary_table(runs, exp.varied, exp.metrics)
    fails = pd.DataFrame(failures, columns=["index", "point", "replication", "seed", "params", "error"])
    out.mkdir(parents=True, exist_ok=True)
    store.write_frame(out / "runs.parquet", runs)
    if exp.timeseries:
        store.write_frame(out / "timeseries.parquet", ts)
    store.write_frame(out / "summary.csv", summary)
    store.write_frame(out / "failures.csv", fails)
    store.write_atomic(out / "study.json", json.dumps(study_document(exp, len(runs), len(fails), started),
                                                      indent=2, sort_keys=True, default=str) + "\n")
    results = Results(runs, ts, summary, fails, out)
    complete = len(runs) and runs["point"].nunique() == len(points(exp))
    if exp.sampler and exp.sampler.method in ("morris", "sobol") and complete:
        from .sensitivity import write_sensitivity
        write_sensitivity(exp, results)
    from .figures import draw_all
    draw_all(exp, results)
    return results


def _study_keys(exp: Experiment, done: dict) -> list[str]:
    """Keys of this study's finished runs, whatever replications they came from."""
    pts = points(exp)
    cap = exp.adaptive.max_replications if exp.adaptive else exp.replications
    keys = []
    for rep in range(cap):
        for i in range(len(pts)):
            k = make_run(exp, pts, i, rep, __version__).key
            if k in done:
                keys.append(k)
    return keys


def study_document(exp: Experiment, n_runs: int, n_failed: int, started: str) -> dict:
    """study.json: the study as resolved, package version, start and end time."""
    from ..files.extensions import class_name, load_model_class

    return {
        "name": exp.name, "description": exp.description, "source": exp.source,
        "model": {"ref": exp.model, "class": class_name(load_model_class(exp.model))},
        "scenario": exp.base.name, "scenario_params": exp.base.params,
        "events": [e.as_dict() for e in exp.base.events], "set": exp.fixed,
        "steps": exp.steps, "replications": exp.replications, "seed": exp.seed,
        "metrics": list(exp.metrics), "timeseries": list(exp.timeseries),
        # lists of pairs, not tables: the order of parameters defines the points
        "grid": [[k, list(v)] for k, v in exp.grid.items()],
        "sampler": ({**asdict(exp.sampler), "ranges": [[k, list(v)] for k, v in exp.sampler.ranges.items()]}
                    if exp.sampler else None),
        "adaptive": asdict(exp.adaptive) if exp.adaptive else None,
        "orgsim_version": __version__, "started": started,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "runs": n_runs, "failed": n_failed,
    }
