"""What a study can vary: a model parameter by its name, or a parameter of one of the
base scenario's events, ``"events.N.name"`` (N: the event's place in the scenario's
list, ordered by week, from 0) or ``"events.KIND.name"`` (the scenario's only event of
that kind); ``name`` is one of the kind's parameters or ``at``, the week it happens.
Values are checked like a scenario file's; text values (choices) are categorical.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..model.events import SPECS, EventError, make_event
from ..model.params import PARAMS, Param, ParameterError, check, coerce
from ..model.scenario import MAX_STEPS, Scenario, ScenarioError

EVENTS = "events."


class VariableError(ValueError):
    """A name or value that cannot be varied; the message is one line."""


@dataclass(frozen=True)
class Variable:
    """One varied name: the Param that checks its values, and for an event's parameter
    which event (its index in the base scenario's events) and which field."""

    name: str
    spec: Param
    event: int | None = None
    field: str = ""

    @property
    def categorical(self) -> bool:
        return self.spec.kind is str


AT = Param("at", int, 1, 1, MAX_STEPS, doc="the week the event happens")


def variable(name: str, base: Scenario) -> Variable:
    """The Variable ``name`` refers to in ``base``; unknown names raise VariableError."""
    if not name.startswith(EVENTS):
        if name not in PARAMS:
            raise VariableError(f"unknown parameter {name!r}; see `orgsim params`, or "
                                "events.N.name for an event's parameter")
        return Variable(name, PARAMS[name])
    parts = name.split(".")
    kinds = [e.kind for e in base.events]
    listed = ", ".join(f"{i}: {k} at week {e.at}" for i, (k, e) in enumerate(zip(kinds, base.events)))
    if len(parts) != 3:
        raise VariableError(f"{name!r}: an event's parameter is events.N.name or events.KIND.name")
    _, which, field = parts
    if which.isdigit():
        index = int(which)
        if index >= len(kinds):
            raise VariableError(f"{name!r}: the scenario has {len(kinds)} events"
                                + (f" ({listed})" if kinds else ""))
    elif kinds.count(which) == 1:
        index = kinds.index(which)
    else:
        raise VariableError(f"{name!r}: the scenario has {kinds.count(which)} events of kind "
                            f"{which!r}; name one by its number ({listed or 'none'})")
    spec = AT if field == "at" else SPECS[kinds[index]].get(field)
    if spec is None:
        raise VariableError(f"{name!r}: {kinds[index]} has no parameter {field!r}; allowed: at, "
                            + ", ".join(SPECS[kinds[index]]))
    return Variable(name, spec, index, field)


def check_value(var: Variable, value: Any) -> Any:
    """A value of ``var`` in its canonical type, or a one-line VariableError."""
    try:
        if var.event is None:
            return coerce(var.name, value)
        return check(var.spec, value, var.name)
    except ParameterError as err:
        raise VariableError(str(err)) from None


def apply(base: Scenario, values: dict[str, Any], label: str = "run") -> Scenario:
    """``base`` with the point's values: parameters set, events' parameters changed."""
    plain = {k: v for k, v in values.items() if not k.startswith(EVENTS)}
    out = base.with_overrides(label, **plain) if plain else base
    changes: dict[int, dict[str, Any]] = {}
    for name, value in values.items():
        if name.startswith(EVENTS):
            var = variable(name, base)
            changes.setdefault(var.event, {})[var.field] = value
    if not changes:
        return out
    events = list(base.events)
    for index, fields in changes.items():
        e = events[index]
        at = fields.pop("at", e.at)
        try:
            events[index] = make_event(at, e.kind, {**e.params, **fields}, f"{label}: events.{index}")
        except EventError as err:
            raise ScenarioError(str(err)) from None
    return replace(out, events=tuple(sorted(events, key=lambda e: e.at)))
