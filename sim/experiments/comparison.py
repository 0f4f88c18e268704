"""Scenarios side by side (``orgsim compare``).

Each scenario runs R times; replication r has the same seed in every scenario (common
random numbers), so differences between scenarios are not differences of luck. For
every event a scenario schedules, a twin of it without that event runs with the same
seeds, so the report can say what the event cost and how long the firm took to get
over it. Runs go through the study machinery: in parallel, saved one by one, resumable.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..model.churn import CAUSES
from .intervals import share_interval
from ..model.events import EVENT_CAUSES, make_event
from ..files.results import END_METRICS
from ..files.scenarios import Scenario, ScenarioError, load_scenario
from . import store
from .design import Run, run_seed
from .folder import Folder
from .provenance import study_provenance
from .resume import keep
from .spec import ExperimentError
from . import stored
from .runner import Task, _sayer, run_in_folder, run_tasks

SERIES = ("active_customers", "retention", "churned", *(f"churn_{c}" for c in CAUSES + EVENT_CAUSES),
          "acquired", "mean_satisfaction", "nps", "failure_demand_share",
          "first_contact_resolution", "revenue", "mean_relationship")
DEFAULT_REPLICATIONS = 20
DEFAULT_SEED = 1
# Over a posterior: K = 40 parameter sets, so the share of them where the advantage
# holds has a standard error of at most 8 points (sqrt(0.25 / 40)); 5 seeds each, the
# same in every draw and scenario, because paired seeds make each draw's difference
# clear with few of them and the seed noise of the whole is averaged over K x 5 runs.
DEFAULT_DRAWS = 40
DEFAULT_POSTERIOR_REPLICATIONS = 5


@dataclass(frozen=True)
class Arm:
    """What one column of runs simulates: a scenario as given, or its twin without
    one of its events (``without`` is that event's index)."""

    scenario: int
    without: int | None
    spec: Scenario


@dataclass(frozen=True)
class Comparison:
    """Scenarios to compare and how: replications, weeks, the comparison's seed."""

    scenarios: tuple[Scenario, ...]
    labels: tuple[str, ...]
    replications: int = DEFAULT_REPLICATIONS
    steps: int = 156
    seed: int = DEFAULT_SEED
    question: str = ""
    client: dict[str, Any] | None = None
    events_from: str | None = None
    command: str = ""
    refs: tuple[str, ...] = field(default_factory=tuple)
    # parameter sets drawn from a posterior (empty: the scenarios as given only) and
    # where they came from (path, sha256, rows drawn, the resampling seed)
    draws: tuple[dict[str, Any], ...] = ()
    posterior: dict[str, Any] | None = None

    def units(self) -> list[tuple[int, int]]:
        """(draw, replication) of every unit of paired runs: the scenarios as given
        (draw -1), then each posterior draw, each with the same R seeds."""
        draws = [-1, *range(len(self.draws))] if self.draws else [-1]
        return [(d, r) for d in draws for r in range(self.replications)]

    def unit(self, draw: int, replication: int) -> int:
        """A unit's number (column 'replication' of the tables): unique per (draw, seed)."""
        return (draw + 1) * self.replications + replication

    def arms(self) -> list[Arm]:
        """Every scenario as given, then its event-less twins, in a fixed order."""
        out = []
        for i, s in enumerate(self.scenarios):
            out.append(Arm(i, None, s))
            for j in range(len(s.events)):
                out.append(Arm(i, j, replace(s, events=s.events[:j] + s.events[j + 1:])))
        return out

    def seed_of(self, replication: int) -> int:
        """The seed of replication r, the same in every scenario and twin."""
        return run_seed(self.seed, replication)


def label_of(scenario: Scenario) -> str:
    """A scenario's name as people read it: product_centric -> product-centric."""
    return scenario.name.replace("_", "-")


def build_comparison(refs: list[str], replications: int | None = None,
                     steps: int | None = None, seed: int = DEFAULT_SEED,
                     events: str | None = None, question: str | None = None,
                     command: str = "", posterior: str | None = None,
                     draws: int = DEFAULT_DRAWS) -> Comparison:
    """Resolve scenario names, scenario files and at most one client file into a
    Comparison; every problem is a one-line ScenarioError. ``posterior`` (or a client
    file's) draws ``draws`` parameter sets that every scenario runs with."""
    from ..files.client import is_client_file, load_client

    scenarios, labels, client, post_ref = [], [], None, None
    for ref in refs:
        if is_client_file(ref):
            if client is not None:
                raise ScenarioError(f"{ref}: only one client file per comparison")
            c = load_client(ref)
            client = {"name": c.name, "question": c.question, "given": c.given,
                      "origin": c.origin, "churn_scale": c.churn_scale, "source": c.source,
                      "scenarios": [s.name for s in c.scenarios]}
            scenarios += c.scenarios
            labels += c.labels
            question = question or c.question
            post_ref = c.posterior
        else:
            s = load_scenario(ref)
            scenarios.append(s)
            labels.append(label_of(s))
    names = [s.name for s in scenarios]
    for n in names:
        if names.count(n) > 1:
            raise ScenarioError(f"scenario {n!r} is given twice; compare different scenarios")
    if len(scenarios) < 2:
        raise ScenarioError("compare needs at least two scenarios (or a client file with "
                            "alternatives); got " + (", ".join(refs) or "none"))
    if events is not None:
        common = load_scenario(events).events
        scenarios = [replace(s, events=common) for s in scenarios]
    steps = steps if steps is not None else max(s.steps for s in scenarios)
    for s in scenarios:
        try:
            s.check_horizon(steps)
        except ScenarioError as err:
            raise ScenarioError(f"scenario {s.name}: {err}") from None
    post_ref = posterior if posterior is not None else post_ref
    sets, post = (), None
    if post_ref is not None:
        sets, post = posterior_draws(post_ref, draws, seed,
                                     "--posterior" if posterior is not None else "client.posterior")
    if replications is None:
        replications = DEFAULT_POSTERIOR_REPLICATIONS if sets else DEFAULT_REPLICATIONS
    if sets and replications < 2:
        raise ScenarioError(f"--replications {replications} is not allowed with a posterior; "
                            "allowed: 2 or more (the seed noise is measured over them)")
    return Comparison(tuple(scenarios), tuple(labels), replications, steps, seed,
                      question or "", client, events, command, tuple(refs), sets, post)


def posterior_draws(ref: str, k: int, seed: int, label: str) -> tuple[tuple[dict, ...], dict]:
    """``k`` parameter sets resampled by weight from the posterior file ``ref`` with a
    stream spawned from the comparison's seed, and the record of where they came from."""
    from ..files.posterior import load_posterior

    post = load_posterior(ref, label)
    rows = post.draw(k, seed)
    sets = tuple(post.row(i) for i in rows)
    return sets, {"path": str(ref), "sha256": post.sha256, "parameters": list(post.names),
                  "rows": len(post.weights), "drawn": rows, "draws": k, "seed": seed,
                  "ranges": {n: list(v) for n, v in post.ranges().items()}}


def _key(arm: Arm, seed: int, steps: int) -> str:
    blob = json.dumps({"params": arm.spec.params, "events": [e.as_dict() for e in arm.spec.events],
                       "seed": seed, "steps": steps}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def plan(comp: Comparison) -> list[tuple[Run, Arm]]:
    """Every run, replication-major (all arms' first replication first); over a
    posterior, draw by draw (the scenarios as given first), each draw's parameters
    set in every arm."""
    arms = comp.arms()
    out = []
    for d, r in comp.units():
        seed = comp.seed_of(r)
        u = comp.unit(d, r)
        for a, arm in enumerate(arms):
            if d >= 0:
                arm = replace(arm, spec=replace(arm.spec, params={**arm.spec.params, **comp.draws[d]}))
            out.append((Run(u * len(arms) + a, a, u, {}, seed, _key(arm, seed, comp.steps)), arm))
    return out


@dataclass
class ComparisonResults:
    """A comparison's tables, as written to its folder."""

    runs: pd.DataFrame
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    failures: pd.DataFrame
    out: Path


COMPARISON_TABLES = ("comparison.json", "runs.parquet", "timeseries.parquet", "summary.csv",
                     "failures.csv", "draws.csv")


def run_comparison(comp: Comparison, out: str | Path, *, workers: int | None = None,
                   scheduler: str | None = None, resume: bool = False,
                   progress: bool = True, allow_code_change: bool = False) -> ComparisonResults:
    """Run what the folder lacks of the comparison and write its tables."""
    out = Path(out)
    notes: list[str] = []
    say = _sayer(notes)
    runs = plan(comp)
    keys = {run.key for run, _ in runs}
    prov = study_provenance("", {}, [])
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    def prepare(records: dict) -> dict:
        return keep(out, records, lambda r: r["key"] in keys, prov, allow_code_change, say,
                    "comparison.json", comp.steps)

    def work(backend, done: dict, failures: list) -> None:
        todo = list({run.key: Task(run, arm.spec, comp.steps, SERIES) for run, arm in runs
                     if run.key not in done}.values())  # a draw taken twice: one run
        run_tasks(todo, backend, out, done, failures, progress)

    name = "-vs-".join(s.name for s in comp.scenarios)
    return run_in_folder(out, Folder(out, "comparison", name), COMPARISON_TABLES, prepare, work,
                         lambda done, failures: finish(comp, out, done, failures, started, prov),
                         workers=workers, scheduler=scheduler, resume=resume, progress=progress,
                         say=say)


def _arm_name(comp: Comparison, arm: Arm) -> str:
    if arm.without is None:
        return "as given"
    e = comp.scenarios[arm.scenario].events[arm.without]
    return f"without {e.kind} at week {e.at}"


def finish(comp: Comparison, out: Path, done: dict, failures: list, started: str,
           prov: dict | None = None) -> ComparisonResults:
    """Tables from the finished runs of this comparison, written atomically."""
    arms = comp.arms()
    rows, series = [], []
    draw_of = {comp.unit(d, r): d for d, r in comp.units()}
    for run, arm in plan(comp):
        rec = done.get(run.key)
        if rec is None:
            continue
        ident = {"index": run.index, "scenario": comp.scenarios[arm.scenario].name,
                 "event": -1 if arm.without is None else arm.without,
                 "replication": run.replication, "seed": run.seed}
        if comp.draws:
            ident["draw"] = draw_of[run.replication]
        rows.append({**ident, "arm": _arm_name(comp, arm), **rec["metrics"]})
        ts = rec["timeseries"]
        series.append(pd.DataFrame({**{k: v for k, v in ident.items() if k != "seed"},
                                    **{c: ts[c] for c in ("step", *SERIES)}}))
    ident_cols = ["index", "scenario", "event", "replication", *(["draw"] if comp.draws else [])]
    runs = pd.DataFrame(rows, columns=[*ident_cols, "seed", "arm", *END_METRICS])
    ts = (pd.concat(series, ignore_index=True) if series else
          pd.DataFrame(columns=[*ident_cols, "step", *SERIES]))
    summary = summarise(runs[runs["event"] == -1], comp)
    fails = store.write_failures(out, failures).rename(columns={"point": "arm"})
    if len(fails):
        fails["arm"] = [f"{comp.scenarios[arms[a].scenario].name}, {_arm_name(comp, arms[a])}"
                        for a in fails["arm"]]
    out.mkdir(parents=True, exist_ok=True)
    store.write_frame(out / "runs.parquet", runs)
    store.write_frame(out / "timeseries.parquet", ts)
    store.write_frame(out / "summary.csv", summary)
    store.write_frame(out / "failures.csv", fails)
    if comp.draws:
        store.write_frame(out / "draws.csv", draws_table(runs[runs["event"] == -1], comp))
    doc = comparison_document(comp, len(runs), len(fails), started, prov)
    store.write_atomic(out / "comparison.json", json.dumps(doc, indent=2, sort_keys=True,
                                                           default=str) + "\n")
    return ComparisonResults(runs, ts, summary, fails, out)


def summarise(runs: pd.DataFrame, comp: Comparison) -> pd.DataFrame:
    """Per scenario and end-of-run figure: mean, standard deviation, 95% interval (the
    t-interval; for a share the logit-scale one, within [0, 1]: store.summary_table).
    Over a posterior, a row for the scenarios as given (``parameters`` "as given",
    seed noise only) and one over the draws ("posterior": the interval adds the
    spread over the draws, sim.experiments.uncertainty; a share's taken to the logit
    scale the same way)."""
    from .uncertainty import half_width

    out = []
    groups = [("as given", runs)]
    if comp.draws:
        groups = [("as given", runs[runs["draw"] == -1]), ("posterior", runs[runs["draw"] >= 0])]
    for over, part in groups:
        for s, label in zip(comp.scenarios, comp.labels):
            g = part[part["scenario"] == s.name]
            for m in END_METRICS:
                x = g[m].to_numpy(dtype=float)
                share = m in store.SHARES
                mean, sd, low, high = store.estimates(x, share)
                if over == "posterior" and len(x):
                    half = half_width(x, g["draw"], g["replication"] % comp.replications)
                    low, high = mean - half, mean + half
                    if share and bool(np.all((x >= 0) & (x <= 1))):
                        low, high = share_interval(mean, half, len(x))
                row = {"scenario": s.name, "label": label, "metric": m, "mean": mean, "std": sd,
                       "ci_low": low, "ci_high": high, "n": len(x)}
                out.append({**row, "parameters": over} if comp.draws else row)
    return pd.DataFrame(out)


def draws_table(runs: pd.DataFrame, comp: Comparison) -> pd.DataFrame:
    """draws.csv: one row per posterior draw: its parameter values and each scenario's
    retention and total profit, means over the draw's seeds."""
    post = runs[runs["draw"] >= 0]
    rows = []
    for d, values in enumerate(comp.draws):
        g = post[post["draw"] == d]
        row = {"draw": d, "posterior_row": comp.posterior["drawn"][d], **values}
        for s in comp.scenarios:
            h = g[g["scenario"] == s.name]
            row[f"{s.name}:retention"] = float(h["retention"].mean()) if len(h) else math.nan
            row[f"{s.name}:profit_total"] = float(h["profit_total"].mean()) if len(h) else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def comparison_document(comp: Comparison, n_runs: int, n_failed: int, started: str,
                        prov: dict | None = None) -> dict:
    """comparison.json: everything needed to read the results and to run them again."""
    return {
        "kind": "comparison", "question": comp.question, "command": comp.command,
        "refs": list(comp.refs), "replications": comp.replications, "steps": comp.steps,
        "seed": comp.seed, "seeds": [comp.seed_of(r) for r in range(comp.replications)],
        "events_from": comp.events_from, "client": comp.client,
        "scenarios": [{"name": s.name, "label": label, "description": s.description,
                       "source": s.source, "presets": list(s.presets), "params": s.params,
                       "events": [e.as_dict() for e in s.events]}
                      for s, label in zip(comp.scenarios, comp.labels)],
        "orgsim_version": __version__, "provenance": prov, "started": started,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "runs": n_runs, "failed": n_failed,
        "posterior": ({**comp.posterior, "sets": list(comp.draws)} if comp.draws else None),
    }


def comparison_from_folder(folder: Path) -> Comparison:
    """The comparison as it was resolved when run, from comparison.json; a damaged
    file (not JSON, keys missing or of the wrong type) is a one-line ExperimentError."""
    path = Path(folder) / "comparison.json"
    try:
        doc = stored.read_document(path)
        if not isinstance(doc["seeds"], list) or not isinstance(doc["orgsim_version"], str):
            raise TypeError("seeds or orgsim_version")
        steps = stored.steps(doc["steps"])
        for s in doc["scenarios"]:
            for key in ("name", "label", "description"):
                stored.text(s[key], f"scenarios.{key}")
        stored.text(doc["question"], "question", optional=True)
        stored.client(doc.get("client"))
        scenarios = tuple(
            Scenario(name=s["name"], params=stored.params(s["params"], "params"),
                     description=s["description"], steps=steps, source=s["source"],
                     presets=tuple(s["presets"]),
                     events=tuple(make_event(e.pop("at"), e.pop("kind"), e, "events") for e in s["events"]))
            for s in doc["scenarios"])
        names = [s.name for s in scenarios]
        if not scenarios or len(set(names)) < len(names):
            raise ValueError("no scenarios, or one named twice")
        runs = Path(folder) / "runs.parquet"
        if runs.is_file():
            import pyarrow
            try:
                ran = set(pd.read_parquet(runs, columns=["scenario"])["scenario"])
            except (pyarrow.ArrowException, KeyError) as err:
                raise ValueError(f"runs.parquet: {err}") from None
            if not ran <= set(names):
                raise ValueError(f"runs.parquet holds scenario {sorted(ran - set(names))[0]!r}, "
                                 "which it does not list")
        return Comparison(scenarios, tuple(str(s["label"]) for s in doc["scenarios"]),
                          stored.replications(doc["replications"]), steps, stored.seed(doc["seed"]),
                          doc["question"], doc["client"], doc["events_from"], doc["command"],
                          tuple(doc["refs"]), *_posterior_of(doc))
    except stored.DAMAGED as err:
        raise ExperimentError(f"{path}: damaged ({type(err).__name__}: {str(err)[:80]}); orgsim "
                              "writes it with the comparison: run the comparison again") from None


def _posterior_of(doc: dict) -> tuple[tuple[dict, ...], dict | None]:
    post = doc.get("posterior")
    if post is None:
        return (), None
    sets = tuple(dict(s) for s in post["sets"])
    if len(sets) != int(post["draws"]):
        raise ValueError("posterior sets")
    return sets, {k: v for k, v in post.items() if k != "sets"}
