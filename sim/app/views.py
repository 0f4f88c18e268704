"""What the classroom page reads from a model: a snapshot taken under its lock, the
one-line texts, the state of a clicked agent and what to ring with it. The pictures
are in ``sim.app.figures``."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model.customers import ACTIVE, CUSTOMER_STATE
from ..model.model import OrganisationModel
from ..model.state import attrs

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


def snapshot(model: OrganisationModel, sample_size: int = CUSTOMER_SAMPLE,
             lock=None) -> Snapshot:
    """Copy what the page draws, holding ``lock`` (default: the model's own, if any)."""
    with lock_of(model, lock):
        n = model.cust.n
        sample = np.arange(min(sample_size, n))  # neighbouring nodes: a connected patch
        g = model.network.to_networkx(sample)
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
            sample_edges=[(int(u), int(v)) for u, v in g.edges()],
            params=dict(model.params),
            scenario_name=model.scenario.name,
            extra_columns=tuple(model.reporters),
        )


def events_text(snap: Snapshot) -> str:
    """One line: the events fired so far, and those still scheduled."""
    done = "; ".join(f"{kind} at week {at}" for at, kind, _ in snap.events) or "none yet"
    text = f"Events: {done}"
    if snap.scheduled:
        text += ". Scheduled: " + "; ".join(f"{k} at week {at}" for at, k in snap.scheduled)
    return text


def status_text(snap: Snapshot) -> str:
    """One line: the week and the headline figures."""
    row = snap.ts.iloc[-1]
    text = (f"Week {snap.step}: {int(row['active_customers'])} active customers, "
            f"retention {100 * row['retention']:.0f}%, "
            f"satisfaction {row['mean_satisfaction']:.2f}, NPS {row['nps']:.0f}, "
            f"failure demand {100 * row['failure_demand_share']:.0f}% of contacts")
    extra = "".join(f", {name.replace('_', ' ')} {_number(row[name])}" for name in snap.extra_columns)
    return text + extra


def org_text(snap: Snapshot) -> str:
    """One line: the organisation's size and its ties across departments."""
    n_cross = sum(k == "cross" for _, _, k in snap.org_edges)
    n_bridge = sum(k == "bridge" for _, _, k in snap.org_edges)
    return (f"Organisation: {len(snap.dept)} employees, {n_cross} cross-department ties, "
            f"{n_bridge} bridge ties")


def settings_text(snap: Snapshot) -> str:
    p = snap.params
    return (f"Running: {snap.scenario_name} (silo barrier {p['silo_barrier']:g}, "
            f"bridges {p['bridges']}, reward {p['reward_mix']:g}, mandate {p['mandate']:g}, "
            f"escalation {p['escalation']:g}, amplification {p['social_amplification']:g}; "
            f"{p['n_customers']} customers, {p['n_employees']} employees)")


# --- a clicked agent ---------------------------------------------------------------
def describe(model: OrganisationModel, kind: str, index: int, lock=None) -> list[str]:
    """The state of a customer or an employee, in lines a student can read, read
    through its Mesa agent (holding ``lock``, default the model's own if any)."""
    with lock_of(model, lock):
        if kind == "customer":
            return _describe_customer(model, index)
        return _describe_employee(model, index)


def _describe_customer(model: OrganisationModel, i: int) -> list[str]:
    c = model.customer(i)
    segment = "business" if c.b2b else "consumer"
    lines = [f"Customer {i} ({segment}): {c.status}"]
    if c.churned_at is not None:
        lines.append(f"Left in week {c.churned_at}, cause: {c.churn_cause.replace('_', ' ')}")
    lines.append(f"Satisfaction {c.satisfaction:.2f}, expectation {c.expectation:.2f}"
                 f" (0 to 1)")
    owner = c.owner
    if owner is not None and c.status == "active":
        lines.append(f"Account owner: employee {owner.index} ({owner.department}"
                     f"{', key person' if owner.key_person else ''}), "
                     f"relationship {c.relationship:.2f}")
    elif c.status == "active":
        lines.append("Account owner: none")
    if c.open_contact:
        lines.append(f"Open contact: waiting since week {c.open_since}, needs "
                     f"{c.open_needs}'s knowledge")
    elif c.status == "active":
        lines.append("Open contact: none")
    if c.silent_problem:
        lines.append("Living with a product fault it never raised: the firm does not know")
    lines.append(f"Customer for {c.tenure:.0f} weeks, worth {c.value:.2f} a week, "
                 f"switching cost {c.switching_cost:.2f}, word of mouth heard "
                 f"{c.word_of_mouth:+.2f}")
    lines += _extension_lines(c, type(model).customer_state, CUSTOMER_STATE)
    return lines


def _extension_lines(agent, schema: tuple, own: tuple) -> list[str]:
    """A line for each attribute a model class declares beyond the model's own."""
    known = {a.name for a in attrs(own)}
    return [f"{a.view_name.replace('_', ' ')}: {_number(getattr(agent, a.view_name))}"
            for a in attrs(schema) if a.name not in known and a.view_name]


def _number(x) -> str:
    return f"{x:.3g}" if isinstance(x, float) else str(x)


def _describe_employee(model: OrganisationModel, j: int) -> list[str]:
    e = model.employee(j)
    colleagues = e.colleagues
    other = sum(model.org.dept[k] != e.index_dept for k in colleagues)
    return [
        f"Employee {j}: {e.department}{', key person' if e.key_person else ''}",
        f"Accounts: {e.accounts} active customers",
        f"Capacity used this week: {e.contacts_handled} of {e.capacity:.1f} contacts "
        f"({e.contacts_arrived} reached them)",
        f"Skill {e.skill:.2f}, knowledge of other departments {e.knowledge:.2f}, "
        f"engagement {e.engagement:.2f}, {e.tenure:.0f} weeks in the firm",
        f"Colleagues: {len(colleagues)}, of whom {other} in other departments",
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
