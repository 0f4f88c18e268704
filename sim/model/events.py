"""Disruptions and transformations as events (brief, "Disruptions"; essay 003).

An event has a kind, a step ``at`` and parameters, checked against its spec here.
A scenario lists events (``[[events]]`` in TOML); a Python user fires one by hand with
``model.trigger(kind, **params)``. Each kind is a function in ``sim/disruptions.py``
that acts on the model's agents; effects that last (a window of raised hazard, a ramp,
a diffusion, an integration) are processes the model steps every week.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from .organisation import DEPARTMENTS
from .params import Param, ParameterError, check

# Churn causes added by events, after the base causes of sim.model.churn.CAUSES.
EVENT_CAUSES = ("key_person", "contact_change", "merger", "substitute", "viral")


def Field(kind: type, default: Any, low: float | None = None, high: float | None = None,
          choices: tuple[str, ...] = (), doc: str = "") -> Param:
    """One parameter of an event kind: a Param whose name SPECS fills in."""
    return Param("", kind, default, low, high, choices, doc=doc)


PRESET_CHOICES = ("baseline", "product_centric", "customer_centric")

SPECS: dict[str, dict[str, Param]] = {
    "key_person_loss": {
        "count": Field(int, 2, 0, 10_000, doc="employees who leave (used when share is 0)"),
        "share": Field(float, 0.0, 0.0, 1.0, doc="share of the department's employees who leave"),
        "by": Field(str, "accounts", choices=("accounts", "knowledge"),
                    doc="who counts as key: most accounts or most knowledge"),
        "department": Field(str, "any", choices=("any",) + DEPARTMENTS),
        "hazard": Field(float, 0.02, 0.0, 1.0,
                        doc="extra weekly hazard of their customers at first (x (1 - shared_record))"),
        "window": Field(float, 13.0, 0.1, 520.0, doc="weeks over which that hazard fades (time constant)"),
    },
    "customer_contact_change": {
        "share": Field(float, 0.2, 0.0, 1.0, doc="share of active B2B customers whose key contact changes"),
        "hazard": Field(float, 0.02, 0.0, 1.0, doc="extra weekly hazard at first, whatever the satisfaction"),
        "window": Field(float, 13.0, 0.1, 520.0, doc="weeks over which it fades (time constant)"),
    },
    "competitor_leap": {
        "amount": Field(float, 0.3, -1.0, 1.0, doc="rise in the alternative's attractiveness"),
        "ramp_weeks": Field(int, 0, 0, 10_000, doc="0: at once; else spread evenly over these weeks"),
        "segment": Field(str, "all", choices=("all", "b2b", "b2c")),
    },
    "substitute": {
        "p": Field(float, 0.03, 0.0, 10.0, doc="Bass innovation coefficient per year"),
        "q": Field(float, 0.38, 0.0, 10.0, doc="Bass imitation coefficient per year"),
        "mixing": Field(str, "network", choices=("network", "full"),
                        doc="imitation from network neighbours or from the whole market"),
    },
    "viral_complaint": {
        "reach": Field(float, 500.0, 0.0, 1e7, doc="people the post reaches before amplification"),
        "weight": Field(float, 0.5, 0.0, 1.0, doc="fall in each reader's word-of-mouth score"),
        "hazard": Field(float, 0.01, 0.0, 1.0, doc="extra weekly hazard of customers who read it"),
        "window": Field(float, 4.0, 0.1, 520.0, doc="weeks over which it fades (time constant)"),
    },
    "merger": {
        "size": Field(float, 0.5, 0.01, 5.0, doc="the other firm's staff and customers, as a share of ours"),
        "silo_barrier": Field(float, 0.7, 0.0, 1.0, doc="the other firm's culture: its silo barrier"),
        "reward_mix": Field(float, 0.2, 0.0, 1.0, doc="the other firm's culture: its reward scheme"),
        "integration_weeks": Field(int, 52, 1, 10_000,
                                   doc="'absorb': length of the integration; 'separate': weeks "
                                       "kept apart, then integration in a quarter of that"),
        "style": Field(str, "absorb", choices=("absorb", "separate"),
                       doc="absorb at once, or keep separate for the period and then integrate"),
        "owner_change": Field(float, 0.5, 0.0, 1.0,
                              doc="share of customers whose account owner is drawn anew "
                                  "(among all sellers of both units: it may come out the same)"),
        "border": Field(float, 0.8, 0.0, 1.0, doc="barrier between the legacy units when integration starts"),
        "hazard": Field(float, 0.002, 0.0, 1.0,
                        doc="extra weekly hazard of every customer when integration starts"),
    },
    "transformation": {
        "to": Field(str, "customer_centric", choices=PRESET_CHOICES,
                    doc="preset whose organisational parameters are the goal"),
        "weeks": Field(int, 104, 1, 10_000, doc="length of the transition"),
        "capacity_cost": Field(float, 0.4, 0.0, 1.0,
                               doc="capacity lost at the start while people re-learn, fading to 0"),
        "turnover_boost": Field(float, 1.0, 0.0, 20.0,
                                doc="extra turnover at the start (x base rate), fading to 0"),
    },
    "announce_promise": {
        "amount": Field(float, 0.1, 0.0, 1.0, doc="rise in what marketing promises, and in expectations"),
        "lag": Field(int, 13, 0, 10_000, doc="weeks before the organisation starts to adapt"),
        "to": Field(str, "customer_centric", choices=PRESET_CHOICES),
        "weeks": Field(int, 52, 1, 10_000, doc="length of the adaptation"),
        "capacity_cost": Field(float, 0.15, 0.0, 1.0),
        "turnover_boost": Field(float, 0.5, 0.0, 20.0),
    },
}


SPECS = {kind: {name: replace(f, name=name) for name, f in spec.items()}
         for kind, spec in SPECS.items()}


class EventError(ValueError):
    """An event that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Event:
    """A checked event: its step, kind and every parameter (defaults filled in).
    ``resolved`` holds what the check derived from them (a transformation's goal: the
    lever values of its target preset), passed to the event's function with them."""

    at: int
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    resolved: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "kind": self.kind, **self.params}


# Kinds whose parameter ``to`` names a preset; the check turns it into ``goal``, the
# preset's parameter values. The kernel reads no files: whoever reads scenario files
# (sim.files.scenarios) tells it how a preset name becomes its parameters.
TARGETED = ("transformation", "announce_promise")
_preset_params: Callable[[str], dict[str, Any]] | None = None


def set_preset_reader(read: Callable[[str], dict[str, Any]]) -> None:
    """Give the kernel the function that turns a preset name into its parameters."""
    global _preset_params
    _preset_params = read


def make_event(at: int, kind: str, raw: dict[str, Any], label: str) -> Event:
    """An Event from raw parameters: checked, defaults filled in, its target resolved."""
    params = check_params(kind, raw, label)
    resolved = {}
    if kind in TARGETED:
        if _preset_params is None:
            raise EventError(f"{label}.to = {params['to']!r}: no preset reader is set "
                             "(import sim, or call sim.model.events.set_preset_reader)")
        resolved["goal"] = dict(_preset_params(params["to"]))
    return Event(at, kind, params, resolved)


def check_params(kind: str, raw: dict[str, Any], label: str) -> dict[str, Any]:
    """Defaults of ``kind`` updated by the checked values in ``raw``."""
    if kind not in SPECS:
        raise EventError(f"{label}: kind {kind!r} is unknown; allowed: {', '.join(SPECS)}")
    spec = SPECS[kind]
    out = {name: f.default for name, f in spec.items()}
    for name, value in raw.items():
        if name not in spec:
            raise EventError(f"{label}: {kind} has no parameter {name!r}; allowed: {', '.join(spec)}")
        out[name] = _check(spec[name], value, f"{label}.{name}")
    return out


def _check(f: Param, value: Any, label: str) -> Any:
    try:
        return check(f, value, label)
    except ParameterError as err:
        raise EventError(str(err)) from None


def check_event(raw: Any, index: int, steps: int | None) -> Event:
    """Check one entry of a scenario's ``events`` list."""
    label = f"events[{index}]"
    if not isinstance(raw, dict):
        raise EventError(f"{label} must be a table with 'at', 'kind' and parameters")
    raw = dict(raw)
    if "kind" not in raw or "at" not in raw:
        raise EventError(f"{label} needs 'at' (a step) and 'kind' (one of {', '.join(SPECS)})")
    kind, at = raw.pop("kind"), raw.pop("at")
    if isinstance(at, bool) or not isinstance(at, int) or at < 1:
        raise EventError(f"{label}.at = {at!r} is not allowed; allowed: a step from 1")
    if steps is not None and at > steps:
        raise EventError(f"{label}.at = {at} is past the run's end; allowed: 1 to {steps}")
    return make_event(at, str(kind), raw, label)


def check_events(raw: Any, steps: int | None) -> tuple[Event, ...]:
    """Check a scenario's list of events; they come back ordered by step."""
    if not isinstance(raw, list):
        raise EventError("events must be a list of tables ([[events]] in TOML)")
    events = [check_event(e, i, steps) for i, e in enumerate(raw)]
    return tuple(sorted(events, key=lambda e: e.at))
