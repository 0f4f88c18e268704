"""Where the conclusion breaks (``orgsim explore``): the two alternatives (by default
product_centric against customer_centric) at every point of a Latin hypercube over
the uncertain parameters, with the same seeds at every point and in both; then PRIM
boxes (sim.experiments.discovery) where the second alternative loses its advantage
over the first; and how the advantage's sensitivity to each parameter changes year by
year (Sobol or Morris indices of a second sample, per year, not only at the end).

The uncertain parameters and their ranges: a posterior's (the smallest and largest
accepted value of each fitted parameter; one with a single value is fixed at it), else
a spec file's ``[ranges]``, else the plausible ranges of the calibration constants
(``Param.plausible``). Runs go through the
study machinery (run_in_folder): local processes or a Dask cluster, every run saved
as it finishes, ``--resume``, the folder's manifest.

A spec file (every key optional):

    description = "Where customer focus stops paying"
    alternatives = ["product_centric", "customer_centric"]
    steps = 156
    seed = 1
    points = 100          # Latin hypercube points
    replications = 2      # seeds per point, the same at every point
    loses = "either"      # "retention", "profit" or "either"
    [set]                 # fixed changes to both alternatives (the firm's size)
    n_customers = 1000
    [ranges]              # instead of the plausible ranges
    competitor_pull = [0.0005, 0.006]
    [sensitivity]
    method = "sobol"      # "sobol", "morris" or "none"
    n = 32                # sobol: base samples (n (k + 2) points); morris: trajectories
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..files.scenarios import Scenario, ScenarioError, load_scenario, read_toml
from ..model.params import PARAMS_LIST, PARAMS, role, show
from . import store
from .design import Run, canonical, points as design_points, problem, run_seed, sample_matrix
from .folder import Folder
from .provenance import study_provenance
from .resume import keep
from .runner import Task, _sayer, run_in_folder, run_tasks
from .spec import Experiment, ExperimentError, Sampler

WEEKS_PER_YEAR = 52
LOSES = ("retention", "profit", "either")
METHODS = ("sobol", "morris", "none")
SPEC_KEYS = ("description", "alternatives", "steps", "seed", "points", "replications", "loses",
             "set", "ranges", "sensitivity")
# The calibration size of issue 16 (1,000 customers, two years and more): the firm's
# staffing per customer kept at the baseline's 50 customers per employee.
DEFAULT_SET = {"n_customers": 1000, "n_prospects": 1000, "n_employees": 20}
QUICK_SET = {"n_customers": 300, "n_prospects": 300, "n_employees": 6}
# 100 points: PRIM peels 5% a step and stops at 5% of the points, so a box rests on 5
# or more points; 2 seeds per point, shared, so the per-point advantage is paired.
DEFAULT = {"points": 100, "replications": 2, "steps": 156, "seed": 1, "sobol_n": 32,
           "morris_n": 10}
QUICK = {"points": 30, "replications": 1, "steps": 104, "seed": 1, "sobol_n": 8, "morris_n": 4}
SERIES = ("retention", "profit")
MIN_POINTS = 10
TABLES = ("explore.json", "points.csv", "prim_boxes.csv", "sensitivity_by_year.csv",
          "explore.md", "failures.csv")


@dataclass(frozen=True)
class Exploration:
    """A checked exploration: the two alternatives (with ``fixed`` applied), the
    ranges, the sizes of the two samples and the case of interest."""

    name: str
    alternatives: tuple[Scenario, Scenario]
    ranges: dict[str, tuple[float, float]]
    points: int
    replications: int
    steps: int
    seed: int
    loses: str
    method: str
    n: int  # sobol base samples or morris trajectories
    fixed: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    ranges_from: str = "plausible"  # "plausible", "posterior FILE" or "spec"
    source: str | None = None

    def experiment(self, method: str, n: int) -> Experiment:
        """The study a sample of this exploration is (design.py makes its points)."""
        return Experiment(name=self.name, base=self.alternatives[0], steps=self.steps,
                          replications=self.replications, seed=self.seed, metrics=(),
                          timeseries=SERIES, sampler=Sampler(method, n, dict(self.ranges)))

    @property
    def labels(self) -> tuple[str, str]:
        return tuple(a.name.replace("_", "-") for a in self.alternatives)


def plausible_ranges() -> dict[str, tuple[float, float]]:
    """The plausible ranges of the calibration constants (Param.plausible)."""
    return {p.name: tuple(map(float, p.plausible)) for p in PARAMS_LIST
            if p.plausible and role(p.name) == "constant"}


def _whole(doc: dict, key: str, lo: int, hi: int, label: str) -> int:
    v = doc[key]
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ExperimentError(f"{label}: {key} = {show(v)} is not allowed; allowed: a whole "
                              f"number from {lo} to {hi:,}")
    return v


def _ranges(raw: Any, label: str) -> dict[str, tuple[float, float]]:
    if not isinstance(raw, dict) or not raw:
        raise ExperimentError(f"{label}: [ranges] must be a table of name = [low, high]")
    out = {}
    for name, pair in raw.items():
        kind = role(name)
        if kind == "unknown":
            raise ExperimentError(f"{label}: ranges.{name}: unknown parameter; see `orgsim params`")
        if kind != "constant" or PARAMS[name].kind is str:
            raise ExperimentError(f"{label}: ranges.{name} is a {'design lever' if kind == 'lever' else 'not a calibration constant'}; "
                                  "allowed: numeric calibration constants (the alternatives "
                                  "differ in the levers)")
        p = PARAMS[name]
        ok = (isinstance(pair, list) and len(pair) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in pair))
        if not ok or not (p.low <= pair[0] < pair[1] <= p.high):
            raise ExperimentError(f"{label}: ranges.{name} = {show(pair)} is not allowed; "
                                  f"allowed: [low, high] with {p.low:g} <= low < high <= {p.high:g}")
        out[name] = (float(pair[0]), float(pair[1]))
    return out


def load_exploration(spec: str | Path | None = None, *, quick: bool = False,
                     posterior: str | None = None, loses: str | None = None,
                     points: int | None = None, method: str | None = None) -> Exploration:
    """Read a spec file (or none: the defaults) and the command line's choices into
    an Exploration; every problem is one ExperimentError line naming the key."""
    base = QUICK if quick else DEFAULT
    doc: dict[str, Any] = {}
    label = "orgsim explore"
    if spec is not None:
        label = str(spec)
        try:
            doc = read_toml(Path(spec))
        except ScenarioError as err:
            raise ExperimentError(str(err)) from None
        for key in doc:
            if key not in SPEC_KEYS:
                raise ExperimentError(f"{label}: unknown key {key!r}; allowed: {', '.join(SPEC_KEYS)}")
    alts = doc.get("alternatives", ["product_centric", "customer_centric"])
    if not (isinstance(alts, list) and len(alts) == 2 and all(isinstance(a, str) for a in alts)):
        raise ExperimentError(f"{label}: alternatives = {show(alts)} is not allowed; allowed: two "
                              "scenario names or files (the second is the one whose advantage "
                              "is explored)")
    fixed = dict(QUICK_SET if quick else DEFAULT_SET)
    extra = doc.get("set", {})
    if not isinstance(extra, dict):
        raise ExperimentError(f"{label}: [set] must be a table of model parameters")
    fixed.update(extra)
    scenarios = []
    for a in alts:
        ref = Path(label).parent / a if a.endswith(".toml") and spec is not None else a
        try:
            s = load_scenario(ref, **fixed)
        except ScenarioError as err:
            raise ExperimentError(f"{label}: alternatives: {err}") from None
        scenarios.append(s)
    if scenarios[0].name == scenarios[1].name:
        raise ExperimentError(f"{label}: alternatives: {alts[0]!r} is given twice")
    steps = _whole(doc, "steps", 1, 5200, label) if "steps" in doc else base["steps"]
    seed = _whole(doc, "seed", 0, 2**63 - 1, label) if "seed" in doc else base["seed"]
    if points is not None and not MIN_POINTS <= points <= 100_000:
        raise ExperimentError(f"--points {points} is not allowed; allowed: {MIN_POINTS} to "
                              "100,000 (PRIM peels at least two points a step)")
    n_points = points or (_whole(doc, "points", MIN_POINTS, 100_000, label) if "points" in doc
                          else base["points"])
    reps = (_whole(doc, "replications", 1, 1000, label) if "replications" in doc
            else base["replications"])
    loses = loses or doc.get("loses", "either")
    if loses not in LOSES:
        raise ExperimentError(f"{label}: loses = {show(loses)} is not allowed; allowed: "
                              f"{', '.join(LOSES)}")
    sens = doc.get("sensitivity", {})
    if not isinstance(sens, dict) or set(sens) - {"method", "n"}:
        raise ExperimentError(f"{label}: [sensitivity] holds method and n only")
    method = method or sens.get("method", "sobol")
    if method not in METHODS:
        raise ExperimentError(f"{label}: sensitivity.method = {show(method)} is not allowed; "
                              f"allowed: {', '.join(METHODS)}")
    n = (_whole(sens, "n", 2, 100_000, label) if "n" in sens else
         base["morris_n" if method == "morris" else "sobol_n"])
    if posterior is not None:
        from ..files.posterior import load_posterior
        try:
            post = load_posterior(posterior)
        except ScenarioError as err:
            raise ExperimentError(str(err)) from None
        ranges = {k: v for k, v in post.ranges().items() if v[0] < v[1]}
        if not ranges:
            raise ExperimentError(f"--posterior {posterior}: every parameter has one value; "
                                  "there is nothing to explore")
        fixed_post = {k: v[0] for k, v in post.ranges().items() if v[0] == v[1]}
        scenarios = [s.with_overrides(label, **fixed_post) for s in scenarios]
        ranges_from = f"posterior {posterior}"
        if "ranges" in doc:
            raise ExperimentError(f"{label}: give [ranges] or --posterior, not both")
    elif "ranges" in doc:
        ranges, ranges_from = _ranges(doc["ranges"], label), "spec"
    else:
        ranges, ranges_from = plausible_ranges(), "plausible"
    for s in scenarios:
        try:
            s.check_horizon(steps)
        except ScenarioError as err:
            raise ExperimentError(f"{label}: alternative {s.name}: {err}") from None
    desc = doc.get("description", f"Where {scenarios[1].name} loses its advantage over "
                                  f"{scenarios[0].name}")
    name = f"{scenarios[1].name}-over-{scenarios[0].name}"
    return Exploration(name, tuple(scenarios), ranges, n_points, reps, steps, seed, loses,
                       method, n, fixed, str(desc), ranges_from, None if spec is None else label)


# --- the runs --------------------------------------------------------------------------

def _key(scenario: Scenario, values: dict, seed: int, steps: int) -> str:
    blob = canonical({"params": {**scenario.params, **values},
                      "events": [e.as_dict() for e in scenario.events], "seed": seed, "steps": steps})
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


@dataclass
class ExploreResults:
    """What an exploration wrote: its points, boxes, indices, the warning."""

    runs: list[str]            # keys of the finished runs
    points: pd.DataFrame
    boxes: list
    sensitivity: pd.DataFrame
    warning: str
    failures: pd.DataFrame
    out: Path


@dataclass(frozen=True)
class Planned:
    sample: str      # "lhs" or the sensitivity method
    point: int
    alternative: int
    run: Run
    scenario: Scenario


def sample_points(ex: Exploration, sample: str) -> list[dict[str, Any]]:
    """The points of a sample: the Latin hypercube, or the sensitivity sample."""
    if sample == "lhs":
        return design_points(ex.experiment("lhs", ex.points))
    return design_points(ex.experiment(ex.method, ex.n))


def plan(ex: Exploration) -> list[Planned]:
    """Every run: the hypercube's points x replications x both alternatives, then the
    sensitivity sample's points x both alternatives (one seed); replication r has
    the same seed at every point and in both alternatives."""
    out = []
    samples = [("lhs", ex.replications)] + ([(ex.method, 1)] if ex.method != "none" else [])
    index = 0
    for sample, reps in samples:
        for i, values in enumerate(sample_points(ex, sample)):
            for r in range(reps):
                seed = run_seed(ex.seed, r)
                for a, s in enumerate(ex.alternatives):
                    run = Run(index, i, r, values, seed, _key(s, values, seed, ex.steps))
                    out.append(Planned(sample, i, a, run, s))
                    index += 1
    return out


def run_explore(ex: Exploration, out: str | Path, *, workers: int | None = None,
                scheduler: str | None = None, resume: bool = False, progress: bool = True,
                allow_code_change: bool = False) -> ExploreResults:
    """Run what the folder lacks of the exploration, then write its tables, figures
    and explore.md."""
    out = Path(out)
    notes: list[str] = []
    say = _sayer(notes)
    runs = plan(ex)
    keys = {p.run.key for p in runs}
    prov = study_provenance("", ex.alternatives[1].params, [])
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    def prepare(records: dict) -> dict:
        return keep(out, records, lambda r: r["key"] in keys, prov, allow_code_change, say,
                    "explore.json", ex.steps)

    def work(backend, done: dict, failures: list) -> None:
        todo = list({p.run.key: Task(p.run, p.scenario, ex.steps, SERIES) for p in runs
                     if p.run.key not in done}.values())
        run_tasks(todo, backend, out, done, failures, progress)

    return run_in_folder(out, Folder(out, "explore", ex.name), TABLES, prepare, work,
                         lambda done, failures: finish(ex, out, runs, done, failures, started, prov),
                         workers=workers, scheduler=scheduler, resume=resume, progress=progress,
                         say=say)


# --- the analysis ----------------------------------------------------------------------

def _profit_to(record: dict, week: int) -> float:
    ts = record["timeseries"]
    steps, profit = np.asarray(ts["step"]), np.asarray(ts["profit"], float)
    return float(profit[(steps >= 1) & (steps <= week)].sum())


def _retention_at(record: dict, week: int) -> float:
    ts = record["timeseries"]
    steps = np.asarray(ts["step"])
    return float(np.asarray(ts["retention"], float)[steps == week][0])


def years_of(steps: int) -> list[int]:
    """The weeks at which the sensitivity is measured: each year's end, and the last week."""
    weeks = list(range(WEEKS_PER_YEAR, steps + 1, WEEKS_PER_YEAR))
    return weeks if weeks and weeks[-1] == steps else weeks + [steps]


def advantages(ex: Exploration, runs: list[Planned], done: dict, sample: str,
               weeks: list[int]) -> pd.DataFrame:
    """Per point of a sample, week and replication: the second alternative's retention
    and cumulative profit minus the first's (paired: the same seed), as columns
    retention_advantage and profit_advantage; points with a missing run are left out."""
    pairs: dict[tuple[int, int], dict[int, dict]] = {}
    for p in runs:
        if p.sample == sample and p.run.key in done:
            pairs.setdefault((p.point, p.run.replication), {})[p.alternative] = done[p.run.key]
    rows = []
    for (point, rep), recs in sorted(pairs.items()):
        if len(recs) < 2:
            continue
        for w in weeks:
            rows.append({"point": point, "replication": rep, "week": w,
                         "retention_advantage": _retention_at(recs[1], w) - _retention_at(recs[0], w),
                         "profit_advantage": _profit_to(recs[1], w) - _profit_to(recs[0], w)})
    return pd.DataFrame(rows, columns=["point", "replication", "week", "retention_advantage",
                                       "profit_advantage"])


def loses_advantage(table: pd.DataFrame, loses: str) -> pd.Series:
    """Whether the second alternative loses its advantage at each point: its mean
    advantage over the seeds is 0 or less in retention, in profit, or either."""
    ret, prof = table["retention_advantage"] <= 0, table["profit_advantage"] <= 0
    return {"retention": ret, "profit": prof, "either": ret | prof}[loses]


def points_table(ex: Exploration, runs: list[Planned], done: dict) -> pd.DataFrame:
    """points.csv: each hypercube point's values, the mean advantages at the end over
    its seeds, and whether the second alternative loses its advantage there."""
    pts = sample_points(ex, "lhs")
    adv = advantages(ex, runs, done, "lhs", [ex.steps])
    means = adv.groupby("point")[["retention_advantage", "profit_advantage"]].mean()
    table = pd.DataFrame([{"point": i, **{k: float(v) for k, v in p.items()}}
                          for i, p in enumerate(pts)]).set_index("point")
    table = table.join(means, how="inner").reset_index()
    table["loses"] = loses_advantage(table, ex.loses)
    return table


def sensitivity_table(ex: Exploration, runs: list[Planned], done: dict) -> tuple[pd.DataFrame, str]:
    """sensitivity_by_year.csv: the indices of each advantage at each year's end, and
    the small-sample warning ('' if none, or if the sample is incomplete)."""
    from .sensitivity import indices, sobol_warning

    if ex.method == "none":
        return pd.DataFrame(), ""
    exp = ex.experiment(ex.method, ex.n)
    prob, X = problem(exp), sample_matrix(exp)
    weeks = years_of(ex.steps)
    adv = advantages(ex, runs, done, ex.method, weeks)
    if adv["point"].nunique() < len(X):
        return pd.DataFrame(), ""  # indices need every point: --resume finishes them
    rows = []
    for w in weeks:
        at = adv[adv["week"] == w].sort_values("point")
        for output in ("retention_advantage", "profit_advantage"):
            Y = at[output].to_numpy(float)
            if np.ptp(Y) == 0:
                continue  # no variance to share out
            for name, vals in indices(ex.method, prob, X, Y, ex.seed % 2**32).items():
                rows.append({"year": w / WEEKS_PER_YEAR, "week": w, "output": output,
                             "parameter": name, "method": ex.method, **vals})
    table = pd.DataFrame(rows)
    warning = sobol_warning(table, ex.n, len(X)) if ex.method == "sobol" and len(table) else ""
    return table, warning


def finish(ex: Exploration, out: Path, runs: list[Planned], done: dict, failures: list,
           started: str, prov: dict) -> ExploreResults:
    """Tables, figures and explore.md from the finished runs, written atomically."""
    from .discovery import boxes_table, find_boxes
    from . import explore_report

    pts = points_table(ex, runs, done)
    names = list(ex.ranges)
    boxes = find_boxes(pts[names], pts["loses"]) if len(pts) else []
    sens, warning = sensitivity_table(ex, runs, done)
    fails = store.write_failures(out, failures)
    out.mkdir(parents=True, exist_ok=True)
    store.write_frame(out / "points.csv", pts)
    store.write_frame(out / "prim_boxes.csv", boxes_table(boxes, ex.ranges))
    store.write_frame(out / "sensitivity_by_year.csv", sens)
    store.write_frame(out / "failures.csv", fails)
    figures = explore_report.draw(ex, pts, boxes, sens, out / "figures")
    store.write_atomic(out / "explore.md", explore_report.markdown(ex, pts, boxes, sens, warning,
                                                                    figures, out))
    doc = {"kind": "explore", "name": ex.name, "description": ex.description,
           "source": ex.source, "alternatives": [{"name": s.name, "params": s.params}
                                                 for s in ex.alternatives],
           "ranges": {k: list(v) for k, v in ex.ranges.items()}, "ranges_from": ex.ranges_from,
           "points": ex.points, "replications": ex.replications, "steps": ex.steps,
           "seed": ex.seed, "seeds": [run_seed(ex.seed, r) for r in range(ex.replications)],
           "loses": ex.loses, "sensitivity": {"method": ex.method, "n": ex.n},
           "set": ex.fixed, "orgsim_version": __version__, "provenance": prov,
           "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "runs": len(done), "failed": len(fails), "warning": warning}
    store.write_atomic(out / "explore.json", json.dumps(doc, indent=2, sort_keys=True,
                                                        default=str) + "\n")
    return ExploreResults(list(done), pts, boxes, sens, warning, fails, out)
