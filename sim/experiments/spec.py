"""Experiment files: one TOML file describes a study, checked before any run starts.

    description = "Retention after three years: silo barrier x reward scheme"
    scenario = "baseline"          # base scenario: a name or a path
    model = "loyalty.py:LoyaltyModel"  # optional: a model class of your own
                                   # ("package.module:Class", or a file relative to this one)
    steps = 156                    # weeks per run
    replications = 10              # per point
    seed = 20261125                # the study's seed; each run's comes from it
    metrics = ["retention", "annual_churn_rate"]   # end-of-run figures to keep ([] = all)
    timeseries = ["retention"]     # weekly columns to keep ([] = none)

    [set]                          # fixed changes to the base scenario
    n_customers = 2000

    [vary]                         # a full grid ...
    silo_barrier = [0.0, 0.5, 1.0]

    [sample]                       # ... or a sampler over ranges
    method = "morris"              # "lhs", "morris" or "sobol" (SALib)
    n = 16                         # lhs: points; morris: trajectories; sobol: base samples
    [sample.ranges]
    mandate = [0.0, 1.0]

    [adaptive]                     # optional: replications until the 95% interval is narrow
    metric = "retention"
    ci_width = 0.02                # full width of the interval
    max_replications = 50
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model.metrics import columns as metric_columns
from ..model.params import PARAMS, ParameterError, coerce, show
from ..files.results import END_METRICS
from ..files.scenarios import (MAX_SEED, MAX_STEPS, Scenario, ScenarioError, find_named,
                               list_named, load_scenario, named_dirs, read_toml)

METHODS = ("lhs", "morris", "sobol")
TOP_KEYS = ("description", "scenario", "model", "steps", "replications", "seed", "metrics",
            "timeseries", "set", "vary", "sample", "adaptive")


class ExperimentError(ValueError):
    """An experiment file that cannot be run; the message is one line."""


@dataclass(frozen=True)
class Sampler:
    method: str
    n: int
    ranges: dict[str, tuple[float, float]]
    levels: int = 4
    second_order: bool = False


@dataclass(frozen=True)
class Adaptive:
    metric: str
    ci_width: float
    max_replications: int


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

    @property
    def varied(self) -> tuple[str, ...]:
        """Names of the parameters that vary between points."""
        return tuple(self.sampler.ranges) if self.sampler else tuple(self.grid)

    def with_overrides(self, replications: int | None = None, steps: int | None = None) -> "Experiment":
        """The same study with fewer/more replications or steps (CLI quick looks)."""
        from dataclasses import replace
        out = self
        if replications is not None:
            out = replace(out, replications=replications)
        if steps is not None:
            out.base.check_horizon(steps)
            out = replace(out, steps=steps)
        return out


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
                          [n for n, _ in list_experiments()])
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
    try:
        base.check_horizon(steps, f"{label}: steps")
    except ScenarioError as err:
        raise ExperimentError(str(err)) from None
    end_metrics = END_METRICS + tuple(model.reporters)
    weekly = tuple(c for c in metric_columns(model.causes) + tuple(model.reporters) if c != "step")
    metrics = _names(raw, "metrics", end_metrics, label) or end_metrics
    grid, sampler = {}, None
    if "vary" in raw:
        grid = _grid(raw["vary"], label)
    else:
        sampler = _sampler(raw["sample"], label)
    adaptive = _adaptive(raw["adaptive"], metrics, label) if "adaptive" in raw else None
    description = raw.get("description", "")
    if not isinstance(description, str) or "\n" in description:
        raise ExperimentError(f"{label}: description must be one line of text")
    return Experiment(
        name=path.stem, base=base, steps=steps,
        replications=_int(raw, "replications", 10, 1, 100_000, label),
        seed=_int(raw, "seed", 0, 0, MAX_SEED, label),
        metrics=metrics, timeseries=_names(raw, "timeseries", weekly, label),
        grid=grid, sampler=sampler, adaptive=adaptive, description=description,
        source=str(path), fixed=dict(fixed), model=model_ref,
    )


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


def _check_param(name: str, value: Any, label: str) -> Any:
    if name not in PARAMS:
        raise ExperimentError(f"{label}: unknown parameter {name!r}; see `orgsim params`")
    try:
        return coerce(name, value)
    except ParameterError as err:
        raise ExperimentError(f"{label}: {err}") from None


def _grid(raw: Any, label: str) -> dict[str, tuple[Any, ...]]:
    if not isinstance(raw, dict) or not raw:
        raise ExperimentError(f"{label}: [vary] must name at least one parameter with a list of values")
    grid = {}
    for name, values in raw.items():
        if not isinstance(values, list) or not values:
            raise ExperimentError(f"{label}: vary.{name} must be a non-empty list of values")
        grid[name] = tuple(_check_param(name, v, f"{label}: vary") for v in values)
    return grid


def _sampler(raw: Any, label: str) -> Sampler:
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
    ranges = {}
    for name, pair in ranges_raw.items():
        if not isinstance(pair, list) or len(pair) != 2:
            raise ExperimentError(f"{label}: sample.ranges.{name} must be [low, high]")
        p = PARAMS.get(name)
        if p is None:
            raise ExperimentError(f"{label}: unknown parameter {name!r}; see `orgsim params`")
        if p.kind is str:
            raise ExperimentError(f"{label}: sample.ranges.{name}: only numeric parameters can be sampled")
        lo, hi = (_check_param(name, v, f"{label}: sample.ranges") for v in pair)
        if not lo < hi:
            raise ExperimentError(f"{label}: sample.ranges.{name} = [{lo}, {hi}]: low must be below high")
        ranges[name] = (float(lo), float(hi))
    if method == "sobol" and n & (n - 1):
        raise ExperimentError(f"{label}: sample.n = {n} for sobol must be a power of 2")
    return Sampler(method, n, ranges, levels, second)


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

