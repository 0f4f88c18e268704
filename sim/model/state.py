"""State declared once: each attribute of a population (customers, employees) is one
``Attr``, and the arrays, what acquisition, churn and a merger's growth do to them, and
the Mesa agent's read-only view all come from the declarations.

A declaration says its dtype, its initial value (a constant, or a function of a
``Context`` that draws it), and what happens to it when a prospect becomes a customer
(``on_acquire``), when a customer leaves (``on_churn``) and when a merger brings in
another firm's agents (``on_merge``). An extension adds an attribute by adding one
declaration to its model class's ``customer_state`` or ``employee_state``::

    customer_state = OrganisationModel.customer_state + (
        Attr("points", np.float32, 0.0, on_acquire=0.0, on_churn=0.0,
             doc="loyalty points earned"),)

Initial values are drawn in declaration order, so the order of the declarations is
the order of the random draws (and changing it changes the numbers a seed gives).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


class _Keep:
    """Marker: the value stays as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


@dataclass
class Context:
    """What a declaration's functions may use: how many entries to make (``n``), the
    parameters (for a merger: the other firm's), the random generator, the arrays made
    so far (``made``, by name), and whatever the caller adds (``extra``: the employees
    for account owners, an index offset for a merger)."""

    n: int
    params: dict
    rng: np.random.Generator
    made: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["extra"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class Attr:
    """One attribute of a population: one entry per agent.

    ``init``: a constant, or ``f(ctx) -> array of ctx.n`` values (drawn at creation,
    in declaration order). ``on_acquire`` / ``on_churn``: KEEP, a constant, or
    ``f(ctx) -> ctx.n values`` for the agents concerned. ``on_merge``: KEEP (a merged-in
    agent keeps what ``init`` gave it under the other firm's parameters), a constant,
    or ``f(ctx, values) -> values``. ``view``: the name of the Mesa agent's read-only
    property ("" for the attribute's own name, None for no property); ``show`` turns
    the stored value into what the property returns (``show(value, model)``)."""

    name: str
    dtype: Any
    init: Any = 0
    on_acquire: Any = KEEP
    on_churn: Any = KEEP
    on_merge: Any = KEEP
    doc: str = ""
    view: str | None = ""
    show: Callable[[Any, Any], Any] | None = None

    def make(self, ctx: Context) -> np.ndarray:
        value = self.init(ctx) if callable(self.init) else self.init
        return _as_array(value, ctx.n, self.dtype)

    @property
    def view_name(self) -> str | None:
        return None if self.view is None else (self.view or self.name)


@dataclass(frozen=True)
class Build:
    """A step of the creation that is not an attribute (the employees' network), placed
    among the declarations where its random draws happen; ``f(ctx)``'s result is kept
    in ``ctx.made[name]`` for later declarations and the caller."""

    name: str
    run: Callable[[Context], Any]


def _as_array(value: Any, n: int, dtype: Any) -> np.ndarray:
    if np.ndim(value) == 0:
        return np.full(n, value, dtype=dtype)
    arr = np.asarray(value)
    if arr.shape != (n,):
        raise ValueError(f"a declaration made {arr.shape} values for {n} agents")
    return arr.astype(dtype, copy=False)


def attrs(schema: tuple) -> tuple[Attr, ...]:
    """The attributes of a schema (without its Build steps)."""
    return tuple(a for a in schema if isinstance(a, Attr))


def check_schema(schema: tuple, what: str) -> None:
    """Refuse a schema with two entries of one name or an entry that is neither an
    Attr nor a Build."""
    seen = set()
    for a in schema:
        if not isinstance(a, (Attr, Build)):
            raise TypeError(f"{what}: {a!r} is not an Attr or a Build")
        if a.name in seen:
            raise ValueError(f"{what}: {a.name!r} is declared twice")
        seen.add(a.name)


class Population:
    """The arrays of one kind of agent, one entry per agent, made from a schema.

    Each attribute is a plain array attribute (``pop.satisfaction``), so mechanisms
    stay vectorised numpy code."""

    def __init__(self, schema: tuple, arrays: dict[str, np.ndarray]):
        self.schema = attrs(schema)
        for a in self.schema:
            setattr(self, a.name, arrays[a.name])

    @classmethod
    def create(cls, schema: tuple, ctx: Context) -> "Population":
        """Every entry of the schema in order: attributes from their ``init``, Build
        steps run where they stand."""
        for a in schema:
            ctx.made[a.name] = a.make(ctx) if isinstance(a, Attr) else a.run(ctx)
        return cls(schema, ctx.made)

    @property
    def n(self) -> int:
        return len(getattr(self, self.schema[0].name))

    def arrays(self) -> dict[str, np.ndarray]:
        return {a.name: getattr(self, a.name) for a in self.schema}

    def _apply(self, rule_of: str, idx: np.ndarray, ctx: Context) -> None:
        for a in self.schema:
            rule = getattr(a, rule_of)
            if rule is KEEP:
                continue
            arr = getattr(self, a.name)
            arr[idx] = rule(ctx) if callable(rule) else rule

    def acquire(self, idx: np.ndarray, ctx: Context) -> None:
        """Prospects ``idx`` become customers: each attribute's ``on_acquire``, in order."""
        self._apply("on_acquire", idx, ctx)

    def churn(self, idx: np.ndarray, ctx: Context) -> None:
        """Customers ``idx`` leave: each attribute's ``on_churn``."""
        self._apply("on_churn", idx, ctx)

    def merge(self, other: "Population", ctx: Context) -> np.ndarray:
        """Append another firm's agents after ours (each attribute's ``on_merge`` first);
        returns their indices."""
        start = self.n
        for a in self.schema:
            theirs = getattr(other, a.name)
            rule = a.on_merge
            if rule is not KEEP:
                theirs = (rule(ctx, theirs) if callable(rule)
                          else np.full(len(theirs), rule, dtype=theirs.dtype))
            setattr(self, a.name, np.concatenate([getattr(self, a.name),
                                                  theirs.astype(getattr(self, a.name).dtype)]))
        return np.arange(start, self.n)


def view_class(base: type, schema: tuple, name: str, target: str) -> type:
    """A Mesa agent class whose read-only properties show entry ``self.index`` of the
    model's ``target`` population (``model.cust`` or ``model.org``), one property per
    declared attribute with a view; ``base`` supplies the rest (composite properties)."""
    props = {}
    for a in attrs(schema):
        prop = a.view_name
        if prop is None or hasattr(base, prop):
            continue
        props[prop] = property(_getter(a, target), doc=a.doc or None)
    return type(name, (base,), props)


def _getter(a: Attr, target: str):
    show, attr = a.show, a.name

    def get(self):
        value = getattr(getattr(self.model, target), attr)[self.index]
        return show(value, self.model) if show is not None else value.item()

    return get
