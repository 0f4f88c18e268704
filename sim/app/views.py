"""What the classroom page reads from a model: a snapshot taken under its lock, the
one-line texts, the state of a clicked agent and what to ring with it. The pictures
are in ``sim.app.figures``."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..model.customers import ACTIVE, CUSTOMER_STATE
from ..model.model import OrganisationModel
from ..model.state import attrs
from .texts import EN, cause, department

CUSTOMER_SAMPLE = 250  # customers drawn in the customer-network panel


def lock_of(model: OrganisationModel, lock=None):
    """The lock to hold while reading ``model``: the one given, else the model's own
    (the page's models have one), else a fresh one (nobody else steps it)."""
    return lock or getattr(model, "lock", None) or threading.RLock()


# --- what the panels read, taken under the lock ------------------------------------
@dataclass
class Snapshot:
    step: int
    ts: Any  # pandas DataFrame, one row per week
    events: list[tuple[int, str, dict]]
    scheduled: list[tuple[int, str]]
    causes: tuple[str, ...]
    dept: np.ndarray
    key_person: np.ndarray
    org_edges: list[tuple[int, int, str]]
    sample: np.ndarray
    status: np.ndarray
    satisfaction: np.ndarray
    owner: np.ndarray  # account owner of each sampled customer, -1 if none
    sample_edges: list[tuple[int, int]]
    params: dict[str, Any]
    scenario_name: str
    extra_columns: tuple[str, ...] = ()  # a model class's own output columns (reporters)

    @property
    def org_key(self) -> int:
        """Changes when the organisation drawing would: ties, departments, key persons."""
        return hash((tuple(self.org_edges), self.dept.tobytes(), self.key_person.tobytes()))

    @cached_property
    def digest(self) -> str:
        """Names everything in the snapshot: two snapshots with one digest draw the same
        pictures (the page's drawings are shared by it, ``sim.app.drawing.DRAWINGS``)."""
        h = hashlib.blake2b(digest_size=16)
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                h.update(f"{f.name}:{value.dtype}{value.shape}".encode())
                h.update(np.ascontiguousarray(value).tobytes())
            elif isinstance(value, pd.DataFrame):
                h.update(f"{f.name}:{list(value.columns)}{value.index.tolist()}".encode())
                for column in value.columns:
                    v = value[column].to_numpy()
                    h.update(v.tobytes() if v.dtype != object else repr(v.tolist()).encode())
            else:
                h.update(f"{f.name}:{value!r}".encode())
        return h.hexdigest()


def snapshot(model: OrganisationModel, sample_size: int = CUSTOMER_SAMPLE,
             lock=None) -> Snapshot:
    """Copy what the page draws, holding ``lock`` (default: the model's own, if any)."""
    with lock_of(model, lock):
        n = model.cust.n
        sample = np.arange(min(sample_size, n))  # neighbouring nodes: a connected patch
        src, dst = model.network.neighbours_of(sample)
        return Snapshot(
            step=int(model.steps),
            ts=model.timeseries().copy(),
            events=list(model.events.log),
            scheduled=[(e.at, e.kind) for e in model.events.pending],
            causes=tuple(model.causes),
            dept=np.array(model.org.dept, copy=True),
            key_person=np.array(model.org.key_person, copy=True),
            org_edges=[(int(u), int(v), d.get("kind", "within"))
                       for u, v, d in model.org.graph.edges(data=True)],
            sample=sample,
            status=np.array(model.cust.status[sample], copy=True),
            satisfaction=np.array(model.cust.satisfaction[sample], copy=True),
            owner=np.array(model.cust.owner[sample], copy=True),
            sample_edges=_edges_within(sample, src, dst),
            params=dict(model.params),
            scenario_name=model.scenario.name,
            extra_columns=tuple(model.reporters),
        )


def _edges_within(nodes: np.ndarray, src: np.ndarray, dst: np.ndarray) -> list[tuple[int, int]]:
    """The ties among ``nodes`` (from their neighbour pairs, rows in ascending order),
    each once as (lower, higher), in ascending order: as networkx lists the subgraph's."""
    inside = np.isin(dst, nodes) & (src < dst)
    return list(zip(src[inside].tolist(), dst[inside].tolist()))


def events_text(snap: Snapshot, t=EN) -> str:
    """One line: the events fired so far, and those still scheduled (in language ``t``,
    a ``sim.app.texts.of``; the events by the names scenario files give them)."""
    done = "; ".join(t.EVENT_AT.format(kind=kind, week=at) for at, kind, _ in snap.events)
    if not snap.scheduled:
        return t.EVENTS.format(done=done or t.NONE_YET)
    return t.EVENTS_AND_SCHEDULED.format(
        done=done or t.NONE_YET,
        scheduled="; ".join(t.EVENT_AT.format(kind=k, week=at) for at, k in snap.scheduled))


def status_text(snap: Snapshot, t=EN) -> str:
    """One line: the week and the headline figures."""
    row = snap.ts.iloc[-1]
    n = t.lang
    text = t.STATUS.format(week=snap.step, active=n.num(int(row["active_customers"])),
                           retention=n.pct(row["retention"]),
                           satisfaction=n.num(row["mean_satisfaction"], 2),
                           nps=n.num(row["nps"]), failure=n.pct(row["failure_demand_share"]))
    extra = "".join(f", {name.replace('_', ' ')} {_number(row[name], t)}"
                    for name in snap.extra_columns)  # a model class's own columns, by name
    return text + extra


def org_text(snap: Snapshot, t=EN) -> str:
    """One line: the organisation's size and its ties across departments."""
    n_cross = sum(k == "cross" for _, _, k in snap.org_edges)
    n_bridge = sum(k == "bridge" for _, _, k in snap.org_edges)
    return t.ORG.format(employees=len(snap.dept), cross=n_cross, bridges=n_bridge)


def settings_text(snap: Snapshot, t=EN) -> str:
    p, n = snap.params, t.lang
    return t.SETTINGS.format(
        scenario=snap.scenario_name, silo=n.sig(p["silo_barrier"], 6), bridges=p["bridges"],
        reward=n.sig(p["reward_mix"], 6), mandate=n.sig(p["mandate"], 6),
        escalation=n.sig(p["escalation"], 6),
        amplification=n.sig(p["social_amplification"], 6),
        customers=n.num(p["n_customers"]), employees=n.num(p["n_employees"]))


# --- a clicked agent ---------------------------------------------------------------
def describe(model: OrganisationModel, kind: str, index: int, lock=None, t=EN) -> list[str]:
    """The state of a customer or an employee, in lines a student can read (in language
    ``t``), read through its Mesa agent (holding ``lock``, default the model's own if any)."""
    with lock_of(model, lock):
        if kind == "customer":
            return _describe_customer(model, index, t)
        return _describe_employee(model, index, t)


def _describe_customer(model: OrganisationModel, i: int, t) -> list[str]:
    c = model.customer(i)
    n = t.lang
    lines = [t.CUSTOMER.format(index=i, segment=t.SEGMENTS[bool(c.b2b)],
                               status=t.CUSTOMER_STATES.get(c.status, c.status))]
    if c.churned_at is not None:
        lines.append(t.LEFT_IN.format(week=c.churned_at, cause=cause(t, c.churn_cause)))
    lines.append(t.SATISFACTION_LINE.format(satisfaction=n.num(c.satisfaction, 2),
                                            expectation=n.num(c.expectation, 2)))
    owner = c.owner
    if owner is not None and c.status == "active":
        line = t.OWNER_KEY if owner.key_person else t.OWNER
        lines.append(line.format(index=owner.index, department=department(t, owner.department),
                                 relationship=n.num(c.relationship, 2)))
    elif c.status == "active":
        lines.append(t.NO_OWNER)
    if c.open_contact:
        lines.append(t.OPEN_CONTACT.format(week=c.open_since,
                                           department=department(t, c.open_needs)))
    elif c.status == "active":
        lines.append(t.NO_OPEN_CONTACT)
    if c.silent_problem:
        lines.append(t.SILENT_PROBLEM)
    lines.append(t.TENURE.format(weeks=n.num(c.tenure), value=n.num(c.value, 2),
                                 cost=n.num(c.switching_cost, 2),
                                 heard=n.signed(c.word_of_mouth, 2)))
    lines += _extension_lines(c, type(model).customer_state, CUSTOMER_STATE, t)
    return lines


def _extension_lines(agent, schema: tuple, own: tuple, t=EN) -> list[str]:
    """A line for each attribute a model class declares beyond the model's own."""
    known = {a.name for a in attrs(own)}
    return [t.NAMED_VALUE.format(name=a.view_name.replace("_", " "),
                                 value=_number(getattr(agent, a.view_name), t))
            for a in attrs(schema) if a.name not in known and a.view_name]


def _number(x, t=EN) -> str:
    return t.lang.sig(x, 3) if isinstance(x, float) else str(x)


def _describe_employee(model: OrganisationModel, j: int, t) -> list[str]:
    e = model.employee(j)
    n = t.lang
    colleagues = e.colleagues
    other = sum(model.org.dept[k] != e.index_dept for k in colleagues)
    head = t.EMPLOYEE_KEY if e.key_person else t.EMPLOYEE
    return [
        head.format(index=j, department=department(t, e.department)),
        t.ACCOUNTS.format(n=e.accounts),
        t.CAPACITY.format(handled=e.contacts_handled, capacity=n.num(e.capacity, 1),
                          arrived=e.contacts_arrived),
        t.SKILLS.format(skill=n.num(e.skill, 2), knowledge=n.num(e.knowledge, 2),
                        engagement=n.num(e.engagement, 2), tenure=n.num(e.tenure)),
        t.COLLEAGUES.format(n=len(colleagues), other=other),
    ]


def highlights(snap: Snapshot, selected: tuple[str, int] | None
               ) -> tuple[frozenset[int], frozenset[int]]:
    """Employees and customers (sample indices) to ring for a selection: a customer
    and its owner, or an employee and the customers in the patch it looks after."""
    if selected is None:
        return frozenset(), frozenset()
    kind, index = selected
    if kind == "customer":
        pos = np.flatnonzero(snap.sample == index)
        own = {int(snap.owner[pos[0]])} if len(pos) and snap.owner[pos[0]] >= 0 else set()
        return frozenset(own), frozenset({index})
    mine = snap.sample[(snap.owner == index) & (snap.status == ACTIVE)]
    return frozenset({index}), frozenset(int(i) for i in mine)
