"""Scenario files: a preset to start from plus overrides, in TOML, checked strictly.

A scenario file may hold ``preset`` (the name of another scenario to start from),
``description`` (one line), ``steps`` (weeks to run), ``seed``, and any model
parameter from ``sim.params``. Anything else, a wrong type or a value out of range is
rejected with a one-line ScenarioError naming the file, the key and what is allowed.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .events import Event, EventError, check_events
from .params import DEFAULTS, ParameterError, coerce, resolve, show

META_KEYS = ("preset", "description", "steps", "seed", "events")
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
                params[key] = _check(key, value, label)
        return replace(self, params=params, set_here={**self.set_here, **overrides}, **meta)


def _check(key: str, value: Any, label: str) -> Any:
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


def named_dirs(folder: str, env: str = "") -> list[Path]:
    """Where named files of a kind are looked for: the folders in $``env``, the
    repository's ``folder``/, and the copy packaged with sim as ``_folder``/."""
    dirs = [Path(p) for p in os.environ.get(env, "").split(os.pathsep) if p] if env else []
    here = Path(__file__).resolve().parent
    dirs += [here.parent / folder, here / f"_{folder}"]
    return [d for d in dirs if d.is_dir()]


def find_named(name_or_path: str | os.PathLike, dirs: list[Path], what: str,
               names: list[str]) -> Path:
    """The file of a named ``what`` in ``dirs``, or the path itself if it is a file;
    raises ScenarioError naming the known ones otherwise."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ScenarioError(f"{path}: no such {what} file")
        return path
    for d in dirs:
        candidate = d / f"{name_or_path}.toml"
        if candidate.is_file():
            return candidate
    raise ScenarioError(f"unknown {what} {str(name_or_path)!r}; named ones: {', '.join(names)}")


def list_named(dirs: list[Path]) -> list[tuple[str, str]]:
    """(name, one-line description) of every TOML file in ``dirs``, first found wins."""
    found: dict[str, str] = {}
    for d in dirs:
        for f in sorted(d.glob("*.toml")):
            if f.stem not in found:
                try:
                    found[f.stem] = str(read_toml(f).get("description", ""))
                except ScenarioError as err:
                    found[f.stem] = f"(unreadable: {err})"
    return sorted(found.items())


def scenario_dirs() -> list[Path]:
    """Where named scenarios are looked for: $ORGSIM_SCENARIO_PATH, the repository's
    scenarios/ folder, and the copy packaged with sim."""
    return named_dirs("scenarios", "ORGSIM_SCENARIO_PATH")


def find_scenario(name_or_path: str | os.PathLike) -> Path:
    """The file of a named scenario, or the path itself if it is a file."""
    return find_named(name_or_path, scenario_dirs(), "scenario",
                      [n for n, _ in list_scenarios()])


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning any parse error into a one-line ScenarioError."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: not UTF-8 at byte {err.start}") from None
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read: {err.strerror}") from None


def load_scenario(name_or_path: str | os.PathLike = "baseline", /, **overrides) -> Scenario:
    """Load a named scenario or a TOML file, apply keyword overrides, check everything.

    >>> s = load_scenario("customer_centric", n_customers=5000)
    >>> s.params["n_customers"]
    5000
    """
    scenario = _load(find_scenario(name_or_path), ())
    return scenario.with_overrides("override", **overrides) if overrides else scenario


def _load(path: Path, seen: tuple[Path, ...]) -> Scenario:
    if path.resolve() in seen:
        raise ScenarioError(f"{path}: preset chain loops back to itself")
    raw = read_toml(path)
    label = str(path)
    for key, value in raw.items():
        if key not in META_KEYS and key not in DEFAULTS:
            raise ScenarioError(f"{label}: unknown key {key!r}; allowed: "
                                f"{', '.join(META_KEYS)} or a model parameter (`orgsim params`)")
        if key in META_KEYS:
            check_meta(key, value, label)
    if "preset" in raw:
        try:
            preset = raw["preset"]
            if preset.endswith(".toml") and not Path(preset).is_absolute():
                preset = path.parent / preset  # a file preset is relative to this file
            base = _load(find_scenario(preset), seen + (path.resolve(),))
        except ScenarioError as err:
            raise ScenarioError(f"{label}: preset {raw['preset']!r}: {err}") from None
        params, presets = dict(base.params), (base.name,) + base.presets
        steps, seed = base.steps, base.seed
    else:
        params, presets, steps, seed = resolve(), (), DEFAULT_STEPS, DEFAULT_SEED
        base = None
    set_here = {k: v for k, v in raw.items() if k not in META_KEYS}
    for key, value in set_here.items():
        params[key] = _check(key, value, label)
    steps = raw.get("steps", steps)
    if "events" in raw:
        try:
            events = check_events(raw["events"], steps)
        except EventError as err:
            raise ScenarioError(f"{label}: {err}") from None
    else:
        events = base.events if base is not None else ()
    scenario = Scenario(
        name=path.stem, params=params, description=raw.get("description", ""),
        steps=steps, seed=raw.get("seed", seed), source=str(path),
        presets=presets, set_here=set_here, events=events,
    )
    scenario.check_horizon(steps, f"{label}: steps")
    return scenario


def list_scenarios() -> list[tuple[str, str]]:
    """(name, one-line description) of every named scenario, first found wins."""
    return list_named(scenario_dirs())
