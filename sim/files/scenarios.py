"""Scenario files: a preset to start from plus overrides, in TOML, checked strictly.

A scenario file may hold ``preset`` (the name of another scenario to start from),
``description`` (one line), ``steps`` (weeks to run), ``seed``, and any model
parameter from ``sim.model.params``. Anything else, a wrong type or a value out of range is
rejected with a one-line ScenarioError naming the file, the key and what is allowed.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Any, Callable

from ..model.events import EventError, check_events, set_preset_reader
from ..model.params import PARAMS, resolve
from .text import check_text
from ..model.scenario import (DEFAULT_SEED, DEFAULT_STEPS, MAX_SEED, MAX_STEPS, Scenario,
                              ScenarioError, check_meta, check_param)

META_KEYS = ("preset", "description", "steps", "seed", "events")
# Bounds on what an input file may be, so no file makes the reader itself fail: a
# scenario, client or study file is a page of TOML, its deepest value an event's table
# inside the events array, and a preset chain a handful of files.
MAX_FILE_BYTES = 1 << 20
MAX_NESTING = 8
MAX_PRESET_CHAIN = 32
__all__ = ["DEFAULT_SEED", "DEFAULT_STEPS", "MAX_SEED", "MAX_STEPS", "META_KEYS", "Scenario",
           "ScenarioError", "find_named", "find_scenario", "list_named", "list_scenarios",
           "load_scenario", "read_toml", "scenario_dirs"]


def named_dirs(folder: str, env: str = "") -> list[Path]:
    """Where named files of a kind are looked for: the folders in $``env``, the
    repository's ``folder``/, and the copy packaged with sim as ``_folder``/."""
    dirs = [Path(p) for p in os.environ.get(env, "").split(os.pathsep) if p] if env else []
    here = Path(__file__).resolve().parents[1]  # the sim package
    dirs += [here.parent / folder, here / f"_{folder}"]
    return [d for d in dirs if d.is_dir()]


def find_named(name_or_path: str | os.PathLike, dirs: list[Path], what: str,
               names: list[str] | Callable[[], list[str]]) -> Path:
    """The file of a named ``what`` in ``dirs``, or the path itself if it is a file;
    raises ScenarioError naming the known ones otherwise (``names``: them, or what
    lists them, asked only then: listing reads every file)."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ScenarioError(f"{path}: no such {what} file")
        return path
    for d in dirs:
        candidate = d / f"{name_or_path}.toml"
        if candidate.is_file():
            return candidate
    known = names() if callable(names) else names
    raise ScenarioError(f"unknown {what} {str(name_or_path)!r}; named ones: {', '.join(known)}")


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
                      lambda: [n for n, _ in list_scenarios()])


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning any problem into a one-line ScenarioError: a file
    larger than MAX_FILE_BYTES, a parse error, an integer with more digits than Python
    converts, values nested deeper than MAX_NESTING."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read: {err.strerror or err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB; allowed: a "
                            "TOML file of at most that size")
    try:
        doc = tomllib.loads(data.decode("utf-8-sig"))  # a byte-order mark is no content
    except UnicodeDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: not UTF-8 at byte {err.start}") from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: {err}") from None
    except ValueError:  # tomllib's int() of a number with too many digits
        raise ScenarioError(f"{path}: not valid TOML here: a number with more than "
                            f"{sys.get_int_max_str_digits()} digits") from None
    except RecursionError:
        raise ScenarioError(f"{path}: values nested too deeply; allowed: at most "
                            f"{MAX_NESTING} levels") from None
    depth = _depth(doc)
    if depth > MAX_NESTING:
        raise ScenarioError(f"{path}: values nested {depth} levels deep; allowed: at most "
                            f"{MAX_NESTING} levels")
    return doc


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest in ``value`` (a scalar is 0), without recursion."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        v, d = todo.pop()
        if isinstance(v, dict):
            v = list(v.values())
        if isinstance(v, list):
            deepest = max(deepest, d + 1)
            todo.extend((x, d + 1) for x in v)
    return deepest


def load_scenario(name_or_path: str | os.PathLike = "baseline", /, **overrides) -> Scenario:
    """Load a named scenario or a TOML file, apply keyword overrides, check everything.

    >>> s = load_scenario("customer_centric", n_customers=5000)
    >>> s.params["n_customers"]
    5000
    """
    scenario = _load(find_scenario(name_or_path), ())
    return scenario.with_overrides("override", **overrides) if overrides else scenario


class _ChainTooLong(ScenarioError):
    """A preset chain beyond MAX_PRESET_CHAIN; its message names the chain's first file."""


def _load(path: Path, seen: tuple[Path, ...]) -> Scenario:
    if path.resolve() in seen:
        raise ScenarioError(f"{path}: preset chain loops back to itself")
    if len(seen) >= MAX_PRESET_CHAIN:
        raise _ChainTooLong(f"{seen[0]}: preset chain longer than {MAX_PRESET_CHAIN} files "
                            f"(it goes on to {path}); allowed: at most {MAX_PRESET_CHAIN}")
    raw = read_toml(path)
    label = str(path)
    if not raw:
        raise ScenarioError(f"{label}: empty; a scenario file needs a preset to start from "
                            "(e.g. preset = \"baseline\") or at least one of description, "
                            "steps, seed, events or a model parameter (`orgsim params`)")
    for key, value in raw.items():
        if key not in META_KEYS and key not in PARAMS:
            raise ScenarioError(f"{label}: unknown key {key!r}; allowed: "
                                f"{', '.join(META_KEYS)} or a model parameter (`orgsim params`)")
        if key in META_KEYS:
            check_meta(key, value, label)
        if key in ("description", "preset"):
            check_text(value, f"{label}: {key}")
    if "preset" in raw:
        try:
            preset = raw["preset"]
            if preset.endswith(".toml") and not Path(preset).is_absolute():
                preset = path.parent / preset  # a file preset is relative to this file
            base = _load(find_scenario(preset), seen + (path.resolve(),))
        except _ChainTooLong:
            raise  # named by the first file, not by every file on the way
        except ScenarioError as err:
            raise ScenarioError(f"{label}: preset {raw['preset']!r}: {err}") from None
        params, presets = dict(base.params), (base.name,) + base.presets
        steps, seed = base.steps, base.seed
    else:
        params, presets, steps, seed = resolve(), (), DEFAULT_STEPS, DEFAULT_SEED
        base = None
    set_here = {k: v for k, v in raw.items() if k not in META_KEYS}
    for key, value in set_here.items():
        params[key] = check_param(key, value, label)
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


def preset_params(name: str) -> dict[str, Any]:
    """The parameters of a named scenario: what a transformation's ``to`` resolves to."""
    try:
        return load_scenario(name).params
    except ScenarioError as err:
        raise EventError(f"to = {name!r}: {err}") from None


set_preset_reader(preset_params)
