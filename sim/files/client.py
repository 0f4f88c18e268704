"""Client files: a consultant describes a client in a few numbers, starting from a preset.

    [client]
    name = "Nordbank retail"
    question = "What would a customer-centric redesign do to our retention?"
    preset = "product_centric"        # where everything not given comes from
    customers = 20000                 # active customers today
    annual_churn = 0.12               # share of customers lost a year today
    reward = "volume"                 # "volume", "customer" or a mix from 0 to 1
    alternatives = ["customer_centric"]   # the same client with these presets' levers
    posterior = "fit/posterior.parquet"   # optional: `orgsim calibrate`'s, relative to this file
    lang = "sv"                       # the report's language: "en" (default), "sv" or "nb"

    [client.departments]              # headcount per department (sets employees too)
    sales = 60
    support = 90

The client "as today" is the preset with the client's values; each alternative is the
same client with the design levers of another preset (``sim.model.params.LEVERS``,
marked "lever" in `orgsim params`) and nothing else of it, so only how the firm is
organised differs: the client's own capacity, turnover, staffing and the like stay the
client's. ``annual_churn`` is met by scaling the two base hazards (``churn_base`` and
``competitor_pull``) together until a year of the client's firm loses that share of its
customers (``calibrate_churn``). Every value keeps its origin, so a report can say which
came from the client and which are defaults. A ``posterior`` makes every comparison of
the client run over parameter sets drawn from it (``orgsim compare --posterior``).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..model.organisation import DEPARTMENTS
from ..model.params import LEVERS, PARAMS, ParameterError, coerce, show
from .scenarios import Scenario, ScenarioError, load_scenario, read_toml
from . import budget
from .text import check_number, check_text
from ..i18n import LanguageError, check_language

CLIENT_KEYS = ("name", "question", "preset", "customers", "employees", "departments",
               "annual_churn", "reward", "alternatives", "set", "posterior", "lang")
CHURN_PARAMS = ("churn_base", "competitor_pull")  # scaled together by the calibration
CHURN_RANGE = (0.005, 0.6)  # annual churn a client may state; beyond it the model is not meant
MAX_ALTERNATIVES = 5  # with the client today, the six looks a report's figures tell apart
CALIBRATION_SEEDS = (101, 102, 103)
CALIBRATION_CUSTOMERS = 3000  # the calibration runs a scaled copy: staff per customer kept


@dataclass(frozen=True)
class Client:
    """A client file read and resolved: the scenarios to compare and where values came from."""

    name: str
    question: str
    scenarios: tuple[Scenario, ...]
    labels: tuple[str, ...]
    origin: dict[str, str] = field(default_factory=dict)  # parameter -> where its value came from
    given: dict[str, Any] = field(default_factory=dict)   # the client's own keys, as written
    churn_scale: float = 1.0
    source: str = ""
    posterior: str | None = None  # a checked posterior file's path
    preset: str = "baseline"
    others: tuple[tuple[str, str], ...] = ()  # each alternative's (name, description)
    lang: str = "en"  # the report's language


def client_labels(name: str, others: list[str], t=None) -> list[str]:
    """The labels of the client today and made like each of ``others`` (scenario names),
    in language ``t`` (English if not given)."""
    from ..i18n import lang
    t = t or lang("en")
    return [t._("{client} today", client=name)] + [
        t._("{client} made {organisation}", client=name, organisation=scenario_label(o, t))
        for o in others]


def client_descriptions(name: str, preset: str, others: list[tuple[str, str]], t=None) -> list[str]:
    """The descriptions of the client's scenarios (as client_labels), in language ``t``."""
    from ..i18n import lang
    t = t or lang("en")
    return [t._("{client} as it is today ({preset} preset with the client's values)", client=name,
                preset=preset)] + [
        t._("{client} with the organisation of {organisation}: {description}", client=name,
            organisation=o, description=scenario_description(d, t)) for o, d in others]


def scenario_label(name: str, t=None) -> str:
    """A scenario's name as people read it (product_centric -> product-centric), a named
    scenario's in language ``t`` (the catalogue's context "scenario")."""
    label = name.replace("_", "-")
    return t.p_("scenario", label) if t is not None else label


def scenario_description(text: str, t=None) -> str:
    """A named scenario's description in language ``t`` (others as they are)."""
    return t.p_("scenario description", text) if t is not None else text


def is_client_file(path: str | os.PathLike) -> bool:
    """A TOML file with a [client] table."""
    p = Path(path)
    return p.suffix == ".toml" and p.is_file() and isinstance(read_toml(p).get("client"), dict)


def _number(raw: dict, key: str, lo: float, hi: float, label: str, whole: bool = False):
    return check_number(raw[key], f"{label}: client.{key}", lo, hi, whole)


def _departments(raw: Any, label: str) -> dict[str, int]:
    if not isinstance(raw, dict) or not raw:
        raise ScenarioError(f"{label}: client.departments must be a table of headcounts, "
                            f"e.g. support = 90; departments: {', '.join(DEPARTMENTS)}")
    out = {}
    for name, value in raw.items():
        if name not in DEPARTMENTS:
            raise ScenarioError(f"{label}: client.departments has unknown {name!r}; "
                                f"allowed: {', '.join(DEPARTMENTS)}")
        out[name] = _number(raw, name, 0, 200_000, f"{label}: departments", whole=True)
    if sum(out.values()) < len(DEPARTMENTS):
        raise ScenarioError(f"{label}: client.departments: at least {len(DEPARTMENTS)} "
                            "employees in all (one per department)")
    return out


def _client_values(raw: dict, base: Scenario, label: str) -> dict[str, Any]:
    """The model parameters the client's keys set (before churn calibration)."""
    values: dict[str, Any] = {}
    if "customers" in raw:
        n = _number(raw, "customers", 1, PARAMS["n_customers"].high, label, whole=True)
        # keep the preset's market and staffing per customer unless the client says otherwise
        scale = n / base.params["n_customers"]
        values["n_customers"] = n
        values["n_prospects"] = int(round(base.params["n_prospects"] * scale))
        values["n_employees"] = max(6, int(round(base.params["n_employees"] * scale)))
    if "departments" in raw:
        heads = _departments(raw["departments"], label)
        given = {d: heads.get(d, 0) for d in DEPARTMENTS}
        total = sum(given.values())
        values["n_employees"] = total
        for d, h in given.items():  # a department not given keeps a token share
            values[f"staff_{d}"] = max(h / total, PARAMS[f"staff_{d}"].low)
    if "employees" in raw:
        if "departments" in raw:
            raise ScenarioError(f"{label}: give client.employees or client.departments, not both")
        values["n_employees"] = _number(raw, "employees", 6, PARAMS["n_employees"].high, label,
                                        whole=True)
    if "reward" in raw:
        try:
            values["reward_mix"] = coerce("reward_mix", raw["reward"])
        except ParameterError:
            raise ScenarioError(f"{label}: client.reward = {show(raw['reward'])} is not allowed; "
                                "allowed: 'volume', 'customer' or a number from 0 to 1") from None
    extra = raw.get("set", {})
    if not isinstance(extra, dict):
        raise ScenarioError(f"{label}: [client.set] must be a table of model parameters")
    for key, value in extra.items():
        try:
            values[key] = coerce(key, value)
        except ParameterError as err:
            raise ScenarioError(f"{label}: client.set: {err}") from None
    return values


def load_client(path: str | os.PathLike, calibrate: bool = True) -> Client:
    """Read a client file; every problem is a one-line ScenarioError naming the key."""
    path = Path(path)
    doc = read_toml(path)
    label = str(path)
    raw = doc.get("client")
    if not isinstance(raw, dict):
        raise ScenarioError(f"{label}: not a client file (no [client] table)")
    for key in doc:
        if key != "client":
            raise ScenarioError(f"{label}: unknown key {key!r} outside [client]; "
                                "a client file holds only the [client] table")
    for key in raw:
        if key not in CLIENT_KEYS:
            raise ScenarioError(f"{label}: unknown key {'client.' + key!r}; allowed: "
                                f"{', '.join(CLIENT_KEYS)}")
    for key in ("name", "question", "preset", "posterior"):
        if key in raw:
            check_text(raw[key], f"{label}: client.{key}")
    posterior = None
    if "posterior" in raw:
        from .posterior import load_posterior
        posterior = str(path.parent / raw["posterior"])
        load_posterior(posterior, f"{label}: client.posterior")  # refused here, in one line
    report_lang = raw.get("lang", "en")
    try:
        check_language(report_lang, "client.lang =")
    except LanguageError as err:
        raise ScenarioError(f"{label}: {err}") from None
    alts = raw.get("alternatives", [])
    if not isinstance(alts, list) or not all(isinstance(a, str) for a in alts):
        raise ScenarioError(f"{label}: client.alternatives must be a list of scenario names")
    if len(alts) > MAX_ALTERNATIVES:
        raise ScenarioError(f"{label}: client.alternatives has {len(alts)} names; allowed: at "
                            f"most {MAX_ALTERNATIVES}")
    name = raw.get("name", path.stem)
    preset = raw.get("preset", "baseline")
    try:
        base = load_scenario(path.parent / preset if preset.endswith(".toml") else preset)
    except ScenarioError as err:
        raise ScenarioError(f"{label}: client.preset: {err}") from None
    values = _client_values(raw, base, label)
    today = base.with_overrides(label, **values)
    origin = {k: "preset" for k in base.params if base.params[k] != PARAMS[k].default}
    origin.update({k: "client" for k in values})
    if "customers" in raw:  # the market and (unless given) the staff grow with the client
        origin["n_prospects"] = "derived"
        if "departments" not in raw and "employees" not in raw:
            origin["n_employees"] = "derived"
    scale = 1.0
    if "annual_churn" in raw:
        target = _number(raw, "annual_churn", *CHURN_RANGE, label)
        if calibrate:
            scale = calibrate_churn(today.params, target, label)
            today = today.with_overrides(label, **scaled_churn(today.params, scale))
        origin.update({k: "calibrated" for k in CHURN_PARAMS})
    others = [load_alternative(alt, label) for alt in alts]
    pairs = [(o.name, o.description) for o in others]
    today = replace(today, name=_slug(name) + "_today", source=label,
                    description=client_descriptions(name, preset, [])[0])
    scenarios = [today]
    for other, description in zip(others, client_descriptions(name, preset, pairs)[1:]):
        levers = {k: other.params[k] for k in LEVERS}  # only the levers: the rest is the client's
        scenarios.append(replace(today, params={**today.params, **levers},
                                 name=f"{_slug(name)}_{other.name}", description=description))
    labels = client_labels(name, [o.name for o in others])
    return Client(name=name, question=raw.get("question", ""), scenarios=tuple(scenarios),
                  labels=tuple(labels), origin=origin, given=dict(raw), churn_scale=scale,
                  source=label, posterior=posterior, preset=preset, others=tuple(pairs),
                  lang=report_lang)


def load_alternative(alt: str, label: str) -> Scenario:
    """One of client.alternatives, refused in one line if it does not load."""
    try:
        return load_scenario(alt)
    except ScenarioError as err:
        raise ScenarioError(f"{label}: client.alternatives: {err}") from None


def _slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "_" for c in text).strip("_")
    return "_".join(p for p in out.split("_") if p) or "client"


def scaled_churn(params: dict[str, Any], scale: float) -> dict[str, float]:
    """The base hazards times ``scale`` (each capped at its parameter's maximum)."""
    return {k: min(params[k] * scale, PARAMS[k].high) for k in CHURN_PARAMS}


def first_year_churn(params: dict[str, Any], seeds=CALIBRATION_SEEDS) -> float:
    """Share of its customers a firm loses in its first year: churners over weeks 1-52
    over the mean active customers, averaged over ``seeds``. Run on a copy of at most
    CALIBRATION_CUSTOMERS customers with the same staff and market per customer."""
    from ..model import OrganisationModel
    from ..model.batch import run_many

    n = params["n_customers"]
    k = min(1.0, CALIBRATION_CUSTOMERS / n)
    small = {**params, "n_customers": max(1, round(n * k)),
             "n_prospects": round(params["n_prospects"] * k),
             "n_employees": max(6, round(params["n_employees"] * k))}
    budget.check(budget.run_cost(small, 52), what="calibrating the client's churn "
                 f"(a year at up to {CALIBRATION_CUSTOMERS} customers)")
    rates = []
    frames = run_many(OrganisationModel, [Scenario("calibration", small)] * len(seeds),
                      list(seeds), 52)  # the seeds stepped together: the same numbers
    for ts in frames:
        ts = ts.iloc[1:]
        rates.append(ts["churned"].sum() / max(ts["active_customers"].mean(), 1.0))
    return float(np.mean(rates))


def calibrate_churn(params: dict[str, Any], target: float, label: str = "client",
                    tol: float = 0.002, lo: float = 1 / 64, hi: float = 64.0,
                    measure=first_year_churn) -> float:
    """The factor on the base hazards that makes a year of this firm lose ``target`` of
    its customers (within ``tol``) as ``measure`` (params -> churn) counts it:
    bisection in log scale. The same seeds at every factor make the churn a smooth,
    rising function of it."""
    def churn(scale: float) -> float:
        return measure({**params, **scaled_churn(params, scale)})

    c_lo, c_hi = churn(lo), churn(hi)
    if not c_lo <= target <= c_hi:
        raise ScenarioError(f"{label}: client.annual_churn = {target:g} cannot be reached by "
                            f"this firm; allowed: {c_lo:.3f} to {c_hi:.3f} (base hazards x{lo:g} "
                            f"to x{hi:g})")
    for _ in range(30):
        mid = math.sqrt(lo * hi)
        c = churn(mid)
        if abs(c - target) <= tol:
            return mid
        lo, hi = (mid, hi) if c < target else (lo, mid)
    return math.sqrt(lo * hi)
