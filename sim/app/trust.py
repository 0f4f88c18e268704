"""The classroom page's trust boundary: what the server accepts from a browser, and how
much of the machine one tab may use.

Every value the page's controls send arrives over the websocket and is checked here,
on the server, before anything is built: the scenario must be one the page offers (the
named scenarios shipped with orgsim and the files the teacher named on the command
line, ``orgsim app --scenario FILE``), looked up in that list and never used as a path;
numbers must be numbers within the controls' ranges (which lie within the parameters'
own). A value that is not is replaced by the control's default and the page says so in
one line (``Inputs.notice``).

A tab's budget: the model it builds must fit in ``TAB_MEMORY`` (estimated as
``sim.files.budget`` does for a run), and it steps at most ``MAX_STEPS_PER_SECOND``
times a second and at most as fast as ``TAB_CPU_SHARE`` of one core allows at the
step's estimated cost; steps beyond that are skipped, not queued, so a tab playing with
no interval cannot starve the class.
"""

from __future__ import annotations

import math
import numbers
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from ..files import budget
from ..files.scenarios import find_scenario, list_scenarios, load_scenario
from ..model.params import PARAMS

SCENARIOS_ENV = "ORGSIM_APP_SCENARIOS"   # the teacher's files, os.pathsep between them
TAB_CPU_ENV = "ORGSIM_APP_TAB_CPU"       # a tab's share of one core
TAB_MEMORY_ENV = "ORGSIM_APP_TAB_MEMORY"  # bytes a tab's models may take
MAX_STEPS_PER_SECOND = 20
TAB_CPU_SHARE = 0.25
TAB_MEMORY = 512 * 2**20
PAGE_WEEKS = 520  # the weeks a tab's cost is estimated for (ten years of play)


class PageInputError(ValueError):
    """A value from the browser the page does not accept; the message is one line."""


@lru_cache(maxsize=8)
def _offered(env: str) -> dict[str, Path]:
    out = {name: find_scenario(name) for name, _ in list_scenarios()}
    for text in (t for t in env.split(os.pathsep) if t):
        path = Path(text).resolve()
        name = path.stem if path.stem not in out else f"{path.stem} ({path.name})"
        out[name] = path
    return out


def offered() -> dict[str, Path]:
    """The scenarios the page offers: name -> file (the named ones, then the teacher's)."""
    return _offered(os.environ.get(SCENARIOS_ENV, ""))


def scenario_file(name: Any) -> Path:
    """The file of an offered scenario; PageInputError for anything else (no path given
    by the browser is ever opened)."""
    files = offered()
    if not isinstance(name, str) or name not in files:
        shown = repr(name)[:40] if isinstance(name, str) else type(name).__name__
        raise PageInputError(f"scenario {shown} is not one this page offers; pick one from "
                             "the list")
    return files[name]


def load_offered(name: Any, **overrides):
    """An offered scenario, loaded from its file, with checked overrides."""
    return load_scenario(scenario_file(name), **overrides)


def number(label: str, value: Any, low: float, high: float, whole: bool) -> float | int:
    """``value`` if it is a finite number in [low, high] (whole if asked); else a
    one-line PageInputError."""
    ok = (isinstance(value, numbers.Real) and not isinstance(value, bool)
          and math.isfinite(float(value)) and low <= float(value) <= high)
    if ok and whole:
        ok = float(value).is_integer()
    if not ok:
        shown = repr(value)[:30] if isinstance(value, (int, float, str)) else type(value).__name__
        raise PageInputError(f"{label} = {shown} is not allowed; allowed: "
                             f"{'a whole number' if whole else 'a number'} from {low:g} to {high:g}")
    return int(value) if whole else float(value)


@dataclass
class Inputs:
    """The page's inputs after the check: what to build, and the one line to show about
    what was refused (None: all accepted)."""

    values: dict[str, Any]
    notice: str | None = None


def check_inputs(raw: dict[str, Any], controls: dict[str, dict], default_scenario: str,
                 custom: str) -> Inputs:
    """Check the browser's values against the page's controls (Mesa's format:
    ``{"type": "SliderFloat", "min": .., "max": .., "value": ..}`` or a Select with
    ``values``); each refused value falls back to its control's default."""
    values, problems = {}, []
    for name, value in raw.items():
        spec = controls.get(name)
        if spec is None:
            raise TypeError(f"no control {name!r}")  # the keywords are the server's own
        default = spec.get("value")
        try:
            if value is None:
                values[name] = None
            elif spec["type"] == "Select":
                if value != custom:
                    scenario_file(value)
                values[name] = value
            else:
                p = PARAMS.get(name)
                lo, hi = spec["min"], spec["max"]
                if p is not None and p.kind is not str:  # within the parameter's own range too
                    lo, hi = max(lo, p.low), min(hi, p.high)
                values[name] = number(spec.get("label") or name, value, lo, hi,
                                      spec["type"] == "SliderInt" or (p is not None and p.kind is int))
        except PageInputError as err:
            problems.append(str(err))
            values[name] = default if spec["type"] != "Select" else default_scenario
    notice = None
    if problems:
        notice = problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "") \
            + "; the default is used instead."
    return Inputs(values, notice)


def tab_memory() -> int:
    return int(os.environ.get(TAB_MEMORY_ENV, TAB_MEMORY))


def tab_cpu() -> float:
    return float(os.environ.get(TAB_CPU_ENV, TAB_CPU_SHARE))


def check_tab_cost(scenario, models: int = 2, limit: int | None = None) -> budget.Cost:
    """Refuse (one-line ScenarioError) a scenario whose ``models`` (the page's and the
    side-by-side twin) would not fit in a tab's memory (``limit``, default tab_memory())."""
    one = budget.scenario_cost(scenario, PAGE_WEEKS)
    cost = budget.Cost(one.memory * models, one.seconds * models,
                       {k: v * models for k, v in one.parts.items()})
    return budget.check(cost, tab_memory() if limit is None else limit,
                        f"{scenario.name} on the page", "orgsim app --tab-memory")


@dataclass
class StepBudget:
    """A tab's steps: a token bucket that fills at ``rate()`` steps a second up to one
    second's worth; a step is taken only when a whole token is there."""

    seconds_per_step: float  # the step's estimated cost, on one core
    share: float = TAB_CPU_SHARE
    max_rate: float = MAX_STEPS_PER_SECOND
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(default=1.0)
    last: float | None = None

    def rate(self, models: int = 1) -> float:
        return min(self.max_rate, self.share / max(self.seconds_per_step * models, 1e-9))

    def take(self, models: int = 1) -> bool:
        now = self.clock()
        rate = self.rate(models)
        if self.last is not None:
            self.tokens = min(max(rate, 1.0), self.tokens + (now - self.last) * rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


__all__ = ["Inputs", "PageInputError", "StepBudget", "check_inputs", "check_tab_cost",
           "load_offered", "number", "offered", "scenario_file"]
