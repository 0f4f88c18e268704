"""A resolved scenario: every parameter's value, the events, the run's length and seed.

Plain data, checked on the way in; reading scenario files is the job of
``sim.files.scenarios``, outside the kernel.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .events import Event
from .params import ParameterError, coerce, show

DEFAULT_STEPS = 156  # three years of weeks, the horizon the brief asks about
DEFAULT_SEED = 42
MAX_STEPS = 100_000
MAX_SEED = 2**63 - 1


class ScenarioError(ValueError):
    """A scenario (file, --set or keyword) that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: every parameter has its value."""

    name: str
    params: dict[str, Any]
    description: str = ""
    steps: int = DEFAULT_STEPS
    seed: int = DEFAULT_SEED
    source: str | None = None
    presets: tuple[str, ...] = ()  # the chain of presets it starts from, nearest first
    set_here: dict[str, Any] = field(default_factory=dict)  # values the file itself sets
    events: tuple[Event, ...] = ()

    def check_horizon(self, steps: int, label: str = "--steps") -> None:
        """Refuse a run too short for the scheduled events."""
        late = [e for e in self.events if e.at > steps]
        if late:
            raise ScenarioError(f"{label} {steps}: event {late[0].kind!r} is scheduled at step "
                                f"{late[0].at}; allowed: at least {max(e.at for e in late)} steps")

    def with_overrides(self, label: str = "override", /, **overrides) -> "Scenario":
        """A copy with further parameter values (and steps / seed), checked."""
        params, meta = dict(self.params), {}
        for key, value in overrides.items():
            if key in ("steps", "seed"):
                meta[key] = check_meta(key, value, label)
            else:
                params[key] = check_param(key, value, label)
        return replace(self, params=params, set_here={**self.set_here, **overrides}, **meta)


def check_param(key: str, value: Any, label: str) -> Any:
    try:
        return coerce(key, value)
    except ParameterError as err:
        raise ScenarioError(f"{label}: {err}") from None


def check_meta(key: str, value: Any, label: str) -> Any:
    """Check a scenario's own keys: steps, seed, preset, description (events are
    checked with the run's length when the scenario is loaded)."""
    if key == "events":
        return value
    if key in ("steps", "seed"):
        hi = MAX_STEPS if key == "steps" else MAX_SEED
        lo = 1 if key == "steps" else 0
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ScenarioError(f"{label}: {key} = {show(value)} is not allowed; "
                                f"allowed: an integer from {lo} to {hi}")
        return value
    if not isinstance(value, str):
        raise ScenarioError(f"{label}: {key} = {show(value)} must be a string")
    if key == "description" and ("\n" in value or "\r" in value):
        raise ScenarioError(f"{label}: description must be one line")
    return value
