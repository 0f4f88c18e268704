"""Study files: one TOML file describes a study, checked before any run starts.
Every key is described in docs/studies.md; in short:

    description = "Retention after three years: silo barrier x reward scheme"
    scenario = "baseline"          # base scenario: a name or a path
    model = "loyalty.py:LoyaltyModel"  # optional: a model class of your own
    steps = 156                    # weeks per run
    replications = 10              # per point
    seed = 20261125                # the study's seed; each run's comes from it
    metrics = ["retention"]        # end-of-run figures in the tables ([] = all)
    timeseries = ["retention"]     # weekly columns to keep ([] = none)
    measure = 1                    # keep them every k weeks, or "end" (the last week)
    stop_when = "active_customers < 100"   # optional: end a run early
    time_limit = 600               # optional: seconds a run may take

    [set]                          # fixed changes to the base scenario
    n_customers = 2000

    [vary]                         # a full grid ...
    silo_barrier = [0.0, 0.5, 1.0]
    customer_network = ["small_world", "scale_free"]   # categorical
    "events.0.count" = [1, 2, 4]   # a parameter of the scenario's first event

    [sample]                       # ... or a sampler over ranges
    method = "morris"              # "lhs", "morris" or "sobol" (SALib)
    n = 16                         # lhs: points; morris: trajectories; sobol: base samples
    [sample.ranges]
    mandate = [0.0, 1.0]
    customer_network = ["small_world", "scale_free"]   # categorical: its choices

    [adaptive]                     # optional: replications until the 95% interval is narrow
    metric = "retention"
    ci_width = 0.02                # full width of the interval
    max_replications = 50

    [snapshots]                    # optional: customers' state at chosen weeks (Parquet)
    weeks = [0, 52, 156]
    columns = ["status", "satisfaction"]   # default: every customer attribute
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..model.metrics import columns as metric_columns
from ..model.params import show
from ..model.state import attrs
from ..files.results import END_METRICS
from ..files.scenarios import (MAX_SEED, MAX_STEPS, Scenario, ScenarioError, find_named,
                               list_named, load_scenario, named_dirs, read_toml)
from .conditions import ConditionError, parse as parse_condition
from .variables import Variable, VariableError, check_value, variable

METHODS = ("lhs", "morris", "sobol")
TOP_KEYS = ("description", "scenario", "model", "steps", "replications", "seed", "metrics",
            "timeseries", "measure", "stop_when", "time_limit", "set", "vary", "sample",
            "adaptive", "snapshots")
MAX_RUNS = 100_000  # more runs than this need --yes-this-is-big (counted before sampling)
MAX_TIME_LIMIT = 7 * 24 * 3600.0


class ExperimentError(ValueError):
    """An experiment file that cannot be run; the message is one line."""


@dataclass(frozen=True)
class Sampler:
    method: str
    n: int
    ranges: dict[str, tuple[float, float]]
    levels: int = 4
    second_order: bool = False
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # categorical ones


@dataclass(frozen=True)
class Adaptive:
    metric: str
    ci_width: float
    max_replications: int


@dataclass(frozen=True)
class Snapshots:
    """Customers' state at chosen weeks: which weeks, which attributes."""

    weeks: tuple[int, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Experiment:
    """A checked study: the base scenario (with ``set`` applied), what varies and how."""

    name: str
    base: Scenario
    steps: int
    replications: int
    seed: int
    metrics: tuple[str, ...]
    timeseries: tuple[str, ...]
    grid: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    sampler: Sampler | None = None
    adaptive: Adaptive | None = None
    description: str = ""
    source: str | None = None
    fixed: dict[str, Any] = field(default_factory=dict)
    model: str = ""  # the model class's reference ("" for sim's own OrganisationModel)
    measure: int | str = 1  # keep the weekly columns every k weeks, or "end"
    stop_when: str = ""
    time_limit: float | None = None  # seconds
    snapshots: Snapshots | None = None

    @property
    def varied(self) -> tuple[str, ...]:
        """Names of the parameters that vary between points."""
        return tuple(self.sampler.ranges) if self.sampler else tuple(self.grid)

    @property
    def variables(self) -> dict[str, Variable]:
        """What each varied name refers to in the base scenario."""
        return {name: variable(name, self.base) for name in self.varied}

    @property
    def max_replications(self) -> int:
        return self.adaptive.max_replications if self.adaptive else self.replications

    def with_overrides(self, replications: int | None = None, steps: int | None = None) -> "Experiment":
        """The same study with fewer/more replications or steps (CLI quick looks)."""
        out = self
        if replications is not None:
            out = replace(out, replications=replications)
        if steps is not None:
            try:
                check_horizon(out, steps, "--steps")
            except ExperimentError as err:
                raise ScenarioError(str(err)) from None
            out = replace(out, steps=steps)
        return out


def check_horizon(exp: Experiment, steps: int, label: str) -> None:
    """Refuse a length too short for the events, varied weeks or snapshots."""
    try:
        exp.base.check_horizon(steps, label)
    except ScenarioError as err:
        raise ExperimentError(str(err)) from None
    ats = [v for name in exp.varied if name.startswith("events.") and name.endswith(".at")
           for v in (exp.sampler.ranges[name] if exp.sampler else exp.grid[name])]
    if ats and max(ats) > steps:
        raise ExperimentError(f"{label} {steps}: an event is varied up to week {max(ats):g}; "
                              f"allowed: at least {math.ceil(max(ats))} steps")
    if exp.snapshots and max(exp.snapshots.weeks) > steps:
        raise ExperimentError(f"{label} {steps}: snapshots.weeks goes to {max(exp.snapshots.weeks)}; "
                              f"allowed: at least {max(exp.snapshots.weeks)} steps")


def count_runs(exp: Experiment) -> int:
    """How many runs the study asks for at most, counted without sampling."""
    from .design import n_points
    return n_points(exp) * exp.max_replications


def check_size(exp: Experiment, big: bool = False) -> None:
    """Refuse a study of more than MAX_RUNS runs unless ``big``."""
    runs = count_runs(exp)
    if runs > MAX_RUNS and not big:
        raise ExperimentError(f"{exp.source or exp.name}: the study asks for {runs:,} runs; "
                              f"allowed: up to {MAX_RUNS:,} unless --yes-this-is-big "
                              "(yes_this_is_big=True from Python)")


def _int(raw: dict, key: str, default: int, lo: int, hi: int, label: str) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ExperimentError(f"{label}: {key} = {show(value)} is not allowed; "
                              f"allowed: an integer from {lo} to {hi}")
    return value


def _names(raw: dict, key: str, allowed: tuple[str, ...], label: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ExperimentError(f"{label}: {key} must be a list of names")
    for v in value:
        if v not in allowed:
            raise ExperimentError(f"{label}: {key} has unknown {v!r}; allowed: {', '.join(allowed)}")
    return tuple(value)


def find_experiment(name_or_path: str | os.PathLike) -> Path:
    """The file of a named study in experiments/, or the path itself."""
    try:
        return find_named(name_or_path, named_dirs("experiments"), "experiment",
                          lambda: [n for n, _ in list_experiments()])
    except ScenarioError as err:
        raise ExperimentError(str(err)) from None


def list_experiments() -> list[tuple[str, str]]:
    """(name, one-line description) of every named study."""
    return list_named(named_dirs("experiments"))


def load_experiment(name_or_path: str | os.PathLike) -> Experiment:
    """Load and check a study; every problem is a one-line ExperimentError."""
    path = find_experiment(name_or_path)
    try:
        raw = read_toml(path)
    except ScenarioError as err:
        raise ExperimentError(str(err)) from None
    label = str(path)
    _only(raw, TOP_KEYS, "the study", label)
    model_ref, model = _model(raw, path, label)  # first: it may register parameters
    if ("vary" in raw) == ("sample" in raw):
        raise ExperimentError(f"{label}: give exactly one of [vary] (a grid) or [sample] (a sampler)")
    scenario_ref = raw.get("scenario", "baseline")
    if not isinstance(scenario_ref, str):
        raise ExperimentError(f"{label}: scenario must be a name or a path")
    if scenario_ref.endswith(".toml") and not Path(scenario_ref).is_absolute():
        scenario_ref = str(path.parent / scenario_ref)
    fixed = raw.get("set", {})
    if not isinstance(fixed, dict):
        raise ExperimentError(f"{label}: [set] must be a table of parameter values")
    try:
        base = load_scenario(scenario_ref).with_overrides(f"{label}: [set]", **fixed)
    except ScenarioError as err:
        raise ExperimentError(f"{label}: {err}" if str(path) not in str(err) else str(err)) from None
    steps = _int(raw, "steps", base.steps, 1, MAX_STEPS, label)
    end_metrics = END_METRICS + tuple(model.reporters)
    weekly = tuple(c for c in metric_columns(model.causes) + tuple(model.reporters) if c != "step")
    metrics = _names(raw, "metrics", end_metrics, label) or end_metrics
    grid, sampler = {}, None
    if "vary" in raw:
        grid = _grid(raw["vary"], base, label)
    else:
        sampler = _sampler(raw["sample"], base, label)
    adaptive = _adaptive(raw["adaptive"], metrics, label) if "adaptive" in raw else None
    description = raw.get("description", "")
    if not isinstance(description, str) or "\n" in description:
        raise ExperimentError(f"{label}: description must be one line of text")
    exp = Experiment(
        name=path.stem, base=base, steps=steps,
        replications=_int(raw, "replications", 10, 1, 100_000, label),
        seed=_int(raw, "seed", 0, 0, MAX_SEED, label),
        metrics=metrics, timeseries=_names(raw, "timeseries", weekly, label),
        grid=grid, sampler=sampler, adaptive=adaptive, description=description,
        source=str(path), fixed=dict(fixed), model=model_ref,
        measure=_measure(raw.get("measure", 1), label),
        stop_when=_stop_when(raw.get("stop_when", ""), ("step", *weekly), label),
        time_limit=_time_limit(raw.get("time_limit"), label),
        snapshots=_snapshots(raw["snapshots"], model, label) if "snapshots" in raw else None,
    )
    check_horizon(exp, steps, f"{label}: steps")
    return exp


def _model(raw: dict, path: Path, label: str) -> tuple[str, type]:
    """The study's model class (its reference made canonical), loaded and checked."""
    from ..files.extensions import load_model_class, resolve_ref

    ref = raw.get("model", "")
    try:
        ref = resolve_ref(ref, path.parent) if ref != "" else ""
        return ref, load_model_class(ref)
    except ScenarioError as err:
        raise ExperimentError(f"{label}: {err}") from None


def _only(raw: dict, allowed: tuple[str, ...], where: str, label: str) -> None:
    for key in raw:
        if key not in allowed:
            raise ExperimentError(f"{label}: {where} has unknown key {key!r}; "
                                  f"allowed: {', '.join(allowed)}")


def _variable(name: str, base: Scenario, label: str) -> Variable:
    try:
        return variable(name, base)
    except VariableError as err:
        raise ExperimentError(f"{label}: {err}") from None


def _value(var: Variable, value: Any, label: str) -> Any:
    try:
        return check_value(var, value)
    except VariableError as err:
        raise ExperimentError(f"{label}: {err}") from None


def _grid(raw: Any, base: Scenario, label: str) -> dict[str, tuple[Any, ...]]:
    if not isinstance(raw, dict) or not raw:
        raise ExperimentError(f"{label}: [vary] must name at least one parameter with a list of values")
    grid = {}
    for name, values in raw.items():
        var = _variable(name, base, f"{label}: vary")
        if not isinstance(values, list) or not values:
            raise ExperimentError(f"{label}: vary.{name} must be a non-empty list of values")
        checked = tuple(_value(var, v, f"{label}: vary") for v in values)
        if len(set(checked)) < len(checked):
            raise ExperimentError(f"{label}: vary.{name} gives a value twice; give each level once")
        grid[name] = checked
    return grid


def _sampler(raw: Any, base: Scenario, label: str) -> Sampler:
    if not isinstance(raw, dict):
        raise ExperimentError(f"{label}: [sample] must be a table")
    _only(raw, ("method", "n", "levels", "second_order", "ranges"), "sample", label)
    method = raw.get("method")
    if method not in METHODS:
        raise ExperimentError(f"{label}: sample.method = {show(method)} is not allowed; "
                              f"allowed: {', '.join(repr(m) for m in METHODS)}")
    n = _int(raw, "n", 16, 2, 1_000_000, f"{label}: sample")
    levels = _int(raw, "levels", 4, 2, 100, f"{label}: sample")
    second = raw.get("second_order", False)
    if not isinstance(second, bool):
        raise ExperimentError(f"{label}: sample.second_order must be true or false")
    ranges_raw = raw.get("ranges")
    if not isinstance(ranges_raw, dict) or len(ranges_raw) < 1:
        raise ExperimentError(f"{label}: [sample.ranges] must give at least one parameter = [low, high]")
    ranges, choices = {}, {}
    for name, pair in ranges_raw.items():
        var = _variable(name, base, f"{label}: sample.ranges")
        where = f"{label}: sample.ranges"
        if var.categorical:
            if not isinstance(pair, list) or len(pair) < 2:
                raise ExperimentError(f"{where}.{name} must list at least two of its choices: "
                                      f"{var.spec.allowed()}")
            picked = tuple(_value(var, v, where) for v in pair)
            if len(set(picked)) < len(picked):
                raise ExperimentError(f"{where}.{name} gives a choice twice")
            ranges[name], choices[name] = (0.0, float(len(picked))), picked
            continue
        if not isinstance(pair, list) or len(pair) != 2:
            raise ExperimentError(f"{where}.{name} must be [low, high]")
        lo, hi = (_value(var, v, where) for v in pair)
        if not lo < hi:
            raise ExperimentError(f"{where}.{name} = [{lo}, {hi}]: low must be below high")
        ranges[name] = (float(lo), float(hi))
    if method == "sobol" and n & (n - 1):
        raise ExperimentError(f"{label}: sample.n = {n} for sobol must be a power of 2")
    return Sampler(method, n, ranges, levels, second, choices)


def _adaptive(raw: Any, metrics: tuple[str, ...], label: str) -> Adaptive:
    if not isinstance(raw, dict):
        raise ExperimentError(f"{label}: [adaptive] must be a table")
    _only(raw, ("metric", "ci_width", "max_replications"), "adaptive", label)
    metric = raw.get("metric")
    if metric not in metrics:
        raise ExperimentError(f"{label}: adaptive.metric = {show(metric)} is not allowed; "
                              f"allowed: one of the kept metrics ({', '.join(metrics)})")
    width = raw.get("ci_width")
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not width > 0:
        raise ExperimentError(f"{label}: adaptive.ci_width = {show(width)} is not allowed; "
                              "allowed: a number above 0")
    cap = _int(raw, "max_replications", 50, 2, 100_000, f"{label}: adaptive")
    return Adaptive(metric, float(width), cap)


def _measure(value: Any, label: str) -> int | str:
    if value == "end" or (isinstance(value, int) and not isinstance(value, bool)
                          and 1 <= value <= MAX_STEPS):
        return value
    raise ExperimentError(f"{label}: measure = {show(value)} is not allowed; allowed: an integer "
                          f"from 1 to {MAX_STEPS} (keep the weekly columns every k weeks) or \"end\"")


def _stop_when(value: Any, columns: tuple[str, ...], label: str) -> str:
    if value == "":
        return ""
    try:
        parse_condition(value, columns)
    except ConditionError as err:
        raise ExperimentError(f"{label}: stop_when: {err}") from None
    return value.strip()


def _time_limit(value: Any, label: str) -> float | None:
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not 0 < value <= MAX_TIME_LIMIT):
        raise ExperimentError(f"{label}: time_limit = {show(value)} is not allowed; allowed: "
                              f"seconds a run may take, above 0 and up to {MAX_TIME_LIMIT:g}")
    return float(value)


def _snapshots(raw: Any, model: type, label: str) -> Snapshots:
    if not isinstance(raw, dict):
        raise ExperimentError(f"{label}: [snapshots] must be a table with weeks = [...]")
    _only(raw, ("weeks", "columns"), "snapshots", label)
    weeks = raw.get("weeks")
    if (not isinstance(weeks, list) or not weeks or len(weeks) > 1000
            or not all(isinstance(w, int) and not isinstance(w, bool) and 0 <= w <= MAX_STEPS
                       for w in weeks)):
        raise ExperimentError(f"{label}: snapshots.weeks = {show(weeks)} is not allowed; allowed: "
                              f"a list of 1 to 1000 weeks from 0 to {MAX_STEPS}")
    names = tuple(a.name for a in attrs(model.customer_state))
    columns = _names(raw, "columns", names, f"{label}: snapshots") or names
    return Snapshots(tuple(sorted(set(weeks))), columns)
