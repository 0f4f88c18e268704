"""Targets files (``orgsim calibrate TARGETS.toml``): which parameters to fit, within
which prior ranges, to which observations, each with its uncertainty.

    [calibration]
    name = "client example"
    preset = "product_centric"     # the firm the observations describe
    customers = 1000               # size of each simulated firm (50 customers per employee),
                                   # or by run kind: {observed = 16000, merger = 4000, ...}
    weeks = 104                    # length of each run
    population = 150               # particles per generation
    generations = 6                # the last one at temperature 1 (the exact posterior)
    max_minutes = 25               # stop earlier, at the generation then reached
    seed = 1

    [calibration.quick]            # what --quick changes (for the tests)
    customers = 300
    population = 30
    generations = 2

    [parameters]                   # optional; default: every constant with a plausible range
    churn_base = {low = 0.0005, high = 0.002, scale = "log"}

    [[target]]
    measure = "annual_churn"       # sim.calibration.measures.MEASURES
    observed = 0.12
    sd = 0.01                      # the observation's standard error
    source = "the client's CRM, 2025"

    [[target]]
    measure = "survival"
    file = "cohorts.csv"           # tenure_weeks,share_active (one target per row)
    sd = 0.02

Every problem is one ScenarioError line naming the file and the field.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..model.params import PARAMS, role, show
from ..files.scenarios import ScenarioError, load_scenario, named_dirs, read_toml
from ..files.text import check_number as _number, check_text
from .measures import KINDS, MEASURES, OBSERVED, COHORT_START, SERIES, Setting
from ..files.results import WEEKS_PER_YEAR

CALIBRATION_KEYS = ("name", "description", "preset", "customers", "weeks", "population",
                    "generations", "max_minutes", "seed", "quick")
QUICK_KEYS = ("customers", "weeks", "population", "generations", "max_minutes")
TARGET_KEYS = ("name", "measure", "observed", "sd", "source", "week", "file")
PRIOR_KEYS = ("low", "high", "scale")
SCALES = ("linear", "log")
LIMITS = {  # what each setting may be; beyond them a calibration is not meant
    "customers": (50, 20_000), "weeks": (4, 520), "population": (10, 5_000),
    "generations": (1, 30), "max_minutes": (1, 24 * 60), "seed": (0, 2**32 - 1)}
DEFAULTS = dict(preset="baseline", customers=1000, weeks=104, population=150, generations=6,
                max_minutes=25, seed=1)
QUICK = dict(customers=300, weeks=52, population=30, generations=2, max_minutes=10)
MAX_TARGETS = 50
MAX_COHORT_ROWS = 52
OBSERVED_MIN_WEEKS = COHORT_START + 1 + WEEKS_PER_YEAR  # observe follows cohorts a year


@dataclass(frozen=True)
class Prior:
    """A uniform prior on [low, high], on the log scale for ``scale = "log"``."""

    name: str
    low: float
    high: float
    scale: str = "linear"


@dataclass(frozen=True)
class Target:
    """One observation: a measure of the simulated firm, its observed value and sd."""

    key: str       # unique; the summary statistic's name in the pyabc database
    measure: str
    observed: float
    sd: float
    source: str = ""
    week: int = 0  # for the measures that take one (survival)


@dataclass(frozen=True)
class Targets:
    """A targets file read and checked."""

    name: str
    description: str
    path: str
    setting: Setting
    population: int
    generations: int
    max_minutes: float
    seed: int
    priors: tuple[Prior, ...]
    targets: tuple[Target, ...]
    quick: dict = field(default_factory=dict)

    def quicker(self) -> "Targets":
        """The --quick variant: the file's [calibration.quick] over the small defaults
        (its customers, one number or by kind, replace the full run's)."""
        q = {**QUICK, **self.quick}
        customers, sizes = q["customers"] if isinstance(q["customers"], tuple) else \
            (q["customers"], ())
        return replace(self, setting=replace(self.setting, customers=customers, sizes=sizes,
                                             weeks=q["weeks"]),
                       population=q["population"], generations=q["generations"],
                       max_minutes=q["max_minutes"])


def default_priors() -> tuple[Prior, ...]:
    """The constants of the model's mechanisms (``role`` constant, not design levers)
    whose sources pin them only loosely (a ``plausible`` range): uniform over that range,
    on the log scale where the hand calibration (the default) is its geometric centre."""
    out = []
    for p in PARAMS.values():
        if role(p.name) == "constant" and p.plausible and p.kind is float:
            lo, hi = p.plausible
            out.append(Prior(p.name, lo, hi, _centred_scale(p.default, lo, hi)))
    return tuple(out)


def _centred_scale(default: float, lo: float, hi: float) -> str:
    if lo <= 0:
        return "linear"
    geometric, arithmetic = math.sqrt(lo * hi), (lo + hi) / 2
    return "log" if abs(math.log(default / geometric)) < abs(math.log(default / arithmetic)) else "linear"


def _table(value: Any, label: str, keys: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(f"{label} must be a table; allowed keys: {', '.join(keys)}")
    for key in value:
        if key not in keys:
            raise ScenarioError(f"{label} has unknown key {key!r}; allowed: {', '.join(keys)}")
    return value


def _settings(raw: dict, label: str) -> dict:
    out = {}
    for key, (lo, hi) in LIMITS.items():
        if key == "customers" and isinstance(raw.get(key), dict):
            out[key] = _sizes(raw[key], f"{label}.{key}", lo, hi)
        elif key in raw:
            out[key] = _number(raw[key], f"{label}.{key}", lo, hi, whole=key != "max_minutes")
    return out


def _sizes(raw: dict, label: str, lo: int, hi: int) -> tuple[int, tuple]:
    """``customers`` by run kind (measures.KINDS): the series' size (the firm's, also
    the default of a kind not named) and the other kinds' (kind, customers) pairs."""
    _table(raw, label, KINDS)
    if not raw:
        raise ScenarioError(f"{label} is empty; give a number, or customers by run kind: "
                            f"{', '.join(KINDS)}")
    sizes = {k: int(_number(v, f"{label}.{k}", lo, hi, whole=True)) for k, v in raw.items()}
    base = sizes.pop(SERIES, DEFAULTS["customers"])
    return base, tuple(sorted(sizes.items()))


def _priors(raw: Any, label: str) -> tuple[Prior, ...]:
    if raw is None:
        return default_priors()
    raw = _table(raw, label, tuple(PARAMS))
    if not raw:
        raise ScenarioError(f"{label} is empty; name at least one parameter to fit, or leave "
                            "out [parameters] for the constants with a plausible range")
    out = []
    for name, spec in raw.items():
        where = f"{label}.{name}"
        p = PARAMS[name]
        if p.kind is not float:
            raise ScenarioError(f"{where}: {name} is not a number parameter; allowed: "
                                "parameters of kind float (see `orgsim params`)")
        if role(name) == "lever":
            raise ScenarioError(f"{where}: {name} is a design lever of the organisation, not a "
                                "constant to fit; allowed: constants (not marked lever in "
                                "`orgsim params`)")
        spec = _table(spec, where, PRIOR_KEYS)
        for key in ("low", "high"):
            if key not in spec:
                raise ScenarioError(f"{where}: give {key} (the prior's range)")
        lo = _number(spec["low"], f"{where}.low", p.low, p.high)
        hi = _number(spec["high"], f"{where}.high", p.low, p.high)
        if not lo < hi:
            raise ScenarioError(f"{where}: low = {lo:g} must be below high = {hi:g}")
        scale = spec.get("scale", _centred_scale(p.default, lo, hi) if lo > 0 else "linear")
        if scale not in SCALES:
            raise ScenarioError(f"{where}.scale = {show(scale)} is not allowed; allowed: "
                                f"{', '.join(repr(s) for s in SCALES)}")
        if scale == "log" and lo <= 0:
            raise ScenarioError(f"{where}: scale 'log' needs low above 0")
        out.append(Prior(name, lo, hi, scale))
    return tuple(out)


def _cohorts(path: Path, label: str) -> list[tuple[int, float]]:
    """tenure_weeks,share_active rows of a cohort survival CSV."""
    try:
        text = path.read_bytes()[:1_000_000].decode("utf-8-sig")
    except OSError as err:
        raise ScenarioError(f"{label}: cannot read {path}: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise ScenarioError(f"{label}: {path} is not UTF-8 at byte {err.start}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip() for c in rows[0]] != ["tenure_weeks", "share_active"]:
        raise ScenarioError(f"{label}: {path.name} must start with the header "
                            "tenure_weeks,share_active")
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        where = f"{label}: {path.name} line {i}"
        if len(row) != 2:
            raise ScenarioError(f"{where}: expected two values (tenure_weeks,share_active)")
        try:
            week, share = float(row[0]), float(row[1])
        except ValueError:
            raise ScenarioError(f"{where}: {','.join(row)[:40]!r} is not two numbers") from None
        out.append((int(_number(week, f"{where}: tenure_weeks", 1, 520, whole=True)),
                    _number(share, f"{where}: share_active", 0, 1)))
    if not out:
        raise ScenarioError(f"{label}: {path.name} has no rows")
    if len(out) > MAX_COHORT_ROWS:
        raise ScenarioError(f"{label}: {path.name} has {len(out)} rows; allowed: at most "
                            f"{MAX_COHORT_ROWS}")
    return out


def _targets(raw: Any, label: str, folder: Path, weeks: int,
             weeks_field: str = "calibration.weeks") -> tuple[Target, ...]:
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(f"{label}: give at least one [[target]] (measure, observed, sd); "
                            f"measures: {', '.join(MEASURES)}")
    out: list[Target] = []
    for i, spec in enumerate(raw, start=1):
        where = f"{label}: target {i}"
        spec = _table(spec, where, TARGET_KEYS)
        if "measure" not in spec:
            raise ScenarioError(f"{where}: give measure; allowed: {', '.join(MEASURES)}")
        measure = spec["measure"]
        if not isinstance(measure, str) or measure not in MEASURES:
            raise ScenarioError(f"{where}.measure = {show(measure)} is not allowed; allowed: "
                                f"{', '.join(MEASURES)}")
        for key in ("name", "source"):
            if key in spec:
                check_text(spec[key], f"{where}.{key}")
        if "sd" not in spec:
            raise ScenarioError(f"{where}: give sd (the observation's standard error, above 0)")
        sd = _number(spec["sd"], f"{where}.sd", 1e-9, 1e6)
        if sd <= 0:
            raise ScenarioError(f"{where}.sd must be above 0")
        name = spec.get("name", measure)
        source = spec.get("source", "")
        if MEASURES[measure].takes_week:
            if "file" in spec:
                if "observed" in spec or "week" in spec:
                    raise ScenarioError(f"{where}: give file, or week and observed, not both")
                check_text(spec["file"], f"{where}.file")
                rows = _cohorts(folder / spec["file"], f"{where}.file")
            else:
                for key in ("week", "observed"):
                    if key not in spec:
                        raise ScenarioError(f"{where}: give week and observed, or file (a "
                                            "CSV of tenure_weeks,share_active)")
                rows = [(_number(spec["week"], f"{where}.week", 1, 520, whole=True),
                         _number(spec["observed"], f"{where}.observed", 0, 1))]
            for week, share in rows:
                if week > weeks:
                    raise ScenarioError(f"{where}: tenure {week} weeks is longer than the runs "
                                        f"({weeks_field} = {weeks}); allowed: up to {weeks}")
                out.append(Target(f"{measure}_{week}", measure, share, sd, source, week))
        else:
            for key in ("file", "week"):
                if key in spec:
                    raise ScenarioError(f"{where}: {key} is only for survival targets")
            if "observed" not in spec:
                raise ScenarioError(f"{where}: give observed (the value measured)")
            observed = _number(spec["observed"], f"{where}.observed", -1e6, 1e6)
            key = "".join(c if c.isalnum() else "_" for c in name.lower())
            out.append(Target(key, measure, observed, sd, source))
        if MEASURES[measure].kind == OBSERVED and weeks < OBSERVED_MIN_WEEKS:
            raise ScenarioError(f"{where}: {measure} follows customers a year after their "
                                f"problem; allowed: calibration.weeks of at least "
                                f"{OBSERVED_MIN_WEEKS}")
    keys = [t.key for t in out]
    for k in keys:
        if keys.count(k) > 1:
            raise ScenarioError(f"{label}: two targets are named {k!r}; give each a name")
    if len(out) > MAX_TARGETS:
        raise ScenarioError(f"{label}: {len(out)} targets; allowed: at most {MAX_TARGETS}")
    return tuple(out)


def shipped_targets() -> list[str]:
    """The names of the targets files shipped with orgsim (the repository's
    calibration/, packaged with sim as _calibration/: pyproject.toml)."""
    return sorted({f.stem for d in named_dirs("calibration") for f in d.glob("*.toml")})


def find_targets(name_or_path: str | os.PathLike) -> Path:
    """The path itself, or for a name without ``.toml`` that is not a file (e.g.
    ``literature``) the shipped targets file of that name."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists() or os.sep in str(name_or_path):
        return path
    for d in named_dirs("calibration"):
        if (d / f"{path.name}.toml").is_file():
            return d / f"{path.name}.toml"
    return path


def load_targets(path: str | os.PathLike) -> Targets:
    """Read and check a targets file; every problem is a one-line ScenarioError naming
    the file and the field."""
    path = find_targets(path)
    label = str(path)
    if not path.is_file():
        raise ScenarioError(f"{label}: no such file; give a targets file (TOML) or the name "
                            f"of a shipped one: {', '.join(shipped_targets())}")
    doc = read_toml(path)
    for key in doc:
        if key not in ("calibration", "parameters", "target"):
            raise ScenarioError(f"{label}: unknown key {key!r}; allowed: calibration, "
                                "parameters, target")
    cal = _table(doc.get("calibration", {}), f"{label}: calibration", CALIBRATION_KEYS)
    for key in ("name", "description", "preset"):
        if key in cal:
            check_text(cal[key], f"{label}: calibration.{key}")
    values = {**DEFAULTS, **_settings(cal, f"{label}: calibration")}
    customers, sizes = values["customers"] if isinstance(values["customers"], tuple) else \
        (values["customers"], ())
    quick = _settings(_table(cal.get("quick", {}), f"{label}: calibration.quick", QUICK_KEYS),
                      f"{label}: calibration.quick")
    preset = cal.get("preset", DEFAULTS["preset"])
    try:
        load_scenario(preset)
    except ScenarioError as err:
        raise ScenarioError(f"{label}: calibration.preset: {err}") from None
    priors = _priors(doc.get("parameters"), f"{label}: parameters")
    weeks = values["weeks"]
    quick_weeks = {**QUICK, **quick}["weeks"]  # a file must run with --quick as well
    if quick_weeks < weeks:
        field = "calibration.quick.weeks" + ("" if "weeks" in quick else ", the default for --quick")
        targets = _targets(doc.get("target"), label, path.parent, quick_weeks, field)
    else:
        targets = _targets(doc.get("target"), label, path.parent, weeks)
    return Targets(name=cal.get("name", path.stem), description=cal.get("description", ""),
                   path=label, setting=Setting(preset, customers, weeks, sizes),
                   population=values["population"], generations=values["generations"],
                   max_minutes=values["max_minutes"], seed=values["seed"], priors=priors,
                   targets=targets, quick=quick)
