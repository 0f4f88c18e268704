"""Contacts and their resolution: needs and faults become contacts, contacts land at a
department (often the wrong one when information is scattered), employees with finite
capacity take them, and knowledge held in another department has to cross a border.
Unresolved contacts stay open and come back as failure demand (essay 002)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .customers import Customers
from .organisation import (DEPARTMENTS, DEPT, Employees, barrier_of, selling_capacity,
                           serving_capacity)

N_DEPT = len(DEPARTMENTS)
PRIMARY, FAULT, REPEAT = 0, 1, 2

# Kinds of need, their shares, and the departments whose knowledge answers them
# (essay 000: specs with product, manuals with support, reviews with marketing...).
NEED_SHARE = np.array([0.35, 0.25, 0.25, 0.15])  # information, purchase, usage, billing
NEED_HOME = np.array([  # rows: need kind; columns: departments in DEPARTMENTS order
    [0.00, 0.30, 0.40, 0.30, 0.00, 0.00],  # information
    [1.00, 0.00, 0.00, 0.00, 0.00, 0.00],  # purchase
    [0.00, 0.00, 0.30, 0.70, 0.00, 0.00],  # usage help
    [0.00, 0.00, 0.00, 0.00, 0.00, 1.00],  # billing
])
SELF_SERVICEABLE = np.array([True, False, True, False])
FAULT_HOME = np.array([0.0, 0.0, 0.5, 0.0, 0.5, 0.0])  # product or delivery

# Quality of a contact as the customer experiences it (a modelling choice; ordered as
# TARP 1984's repurchase figures: resolved quickly > resolved > unresolved).
Q_RESOLVED, Q_HANDED_OFF, Q_UNRESOLVED, Q_NOT_REACHED = 0.9, 0.75, 0.35, 0.3
WAIT_PENALTY = 0.05  # quality lost per week a contact has been open


@dataclass
class Contacts:
    """This week's contacts, one entry each."""

    customer: np.ndarray
    kind: np.ndarray      # PRIMARY, FAULT or REPEAT
    home: np.ndarray      # department whose knowledge is needed
    land: np.ndarray      # department reached
    employee: np.ndarray  # who took it (-1 if nobody had capacity)
    handled: np.ndarray   # bool
    handoff: np.ndarray   # bool: handed across a border
    handoff_ok: np.ndarray
    resolved: np.ndarray
    waited: np.ndarray    # weeks open before this contact
    quality: np.ndarray   # 0..1 as experienced
    escalated: np.ndarray  # bool: taken to management by the customer (complaints)
    mandated: np.ndarray   # bool: resolved on the spot by an employee's mandate


def _draw_rows(probs: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each entry, a column drawn from the given row of a row-stochastic matrix."""
    cdf = np.cumsum(probs, axis=1)[rows]
    return np.minimum((cdf < rng.random(len(rows))[:, None]).sum(axis=1), probs.shape[1] - 1)


def draw_faults(active: np.ndarray, fault_rate: float, rng: np.random.Generator) -> np.ndarray:
    """The active customers who meet a product fault this week."""
    return active[rng.random(len(active), dtype=np.float32) < fault_rate]


def generate(c: Customers, active: np.ndarray, complained: np.ndarray, params: dict,
             step: int, rng: np.random.Generator) -> Contacts:
    """This week's contacts from new needs, the product faults customers raise
    (``complained``: see complaints.raised) and open contacts coming back; not yet
    routed."""
    n = len(active)
    has_need = rng.random(n, dtype=np.float32) < params["need_rate"]
    needy = active[has_need]
    kind = np.searchsorted(np.cumsum(NEED_SHARE), rng.random(len(needy)))
    kind = np.minimum(kind, len(NEED_SHARE) - 1)
    tries_self = SELF_SERVICEABLE[kind] & (rng.random(len(needy)) < params["self_service"])
    self_ok = tries_self & (rng.random(len(needy)) < params["self_service_success"])
    needy, kind = needy[~self_ok], kind[~self_ok]
    pending = np.flatnonzero(c.open_contact)  # only active customers have one open
    repeats = pending[rng.random(len(pending)) < params["repeat_rate"]]

    customer = np.concatenate([needy, complained, repeats])
    ckind = np.concatenate([np.full(len(needy), PRIMARY), np.full(len(complained), FAULT),
                            np.full(len(repeats), REPEAT)]).astype(np.int8)
    home = np.concatenate([
        _draw_rows(NEED_HOME, kind, rng),
        _draw_rows(FAULT_HOME[None, :], np.zeros(len(complained), np.int64), rng),
        c.open_dept[repeats].astype(np.int64),
    ])
    waited = np.where(ckind == REPEAT, step - c.open_since[customer], 0).astype(np.float64)
    m = len(customer)
    z = np.zeros(m, dtype=bool)
    contacts = Contacts(customer, ckind, home, home.copy(), np.full(m, -1, np.int64),
                        z, z.copy(), z.copy(), z.copy(), waited, np.zeros(m), z.copy(), z.copy())
    return contacts


def route(ct: Contacts, c: Customers, params: dict, rng: np.random.Generator) -> None:
    """Where each contact lands: at a wrong department with probability
    ``info_scatter`` (half that for a repeat: the customer has been told where to go),
    else at the department that holds the answer; purchases that land right go to the
    customer's account owner."""
    # a customer who already tried once was told where to go: half the chance to miss
    scatter = np.where(ct.kind == REPEAT, 0.5, 1.0) * params["info_scatter"]
    wrong = rng.random(len(ct.land)) < scatter
    shift = rng.integers(1, N_DEPT, size=len(ct.land))
    ct.land = np.where(wrong, (ct.home + shift) % N_DEPT, ct.home)
    to_owner = (ct.home == DEPT["sales"]) & (c.owner[ct.customer] >= 0) & ~wrong
    ct.employee = np.where(to_owner, c.owner[ct.customer], -1)


def assign(ct: Contacts, emp: Employees, params: dict, rng: np.random.Generator,
           customer_unit: np.ndarray | None = None) -> np.ndarray:
    """Give each contact to an employee of the department it landed at and keep only
    what capacity allows. While legacy units are kept apart after a merger
    (``customer_unit`` given), only employees of the customer's own unit take it. A
    purchase that reaches its account owner is taken first, on the owner's whole
    capacity; what it uses beyond their selling time comes out of serving time, which
    every other contact shares. Returns each employee's serving capacity."""
    serve = serving_capacity(emp, params)
    # any employee of the landing department (and, while legacy units are kept
    # separate after a merger, of the customer's unit), with equal chance; capacity
    # is enforced by the queues below
    units = 1 if customer_unit is None else 2
    pool_of_emp = emp.dept * units + (emp.unit if units > 1 else 0)
    by_pool = np.argsort(pool_of_emp, kind="stable")
    bounds = np.searchsorted(pool_of_emp[by_pool], np.arange(N_DEPT * units + 1))
    todo = np.flatnonzero(ct.employee < 0)
    d = ct.land[todo] * units + (customer_unit[ct.customer[todo]] if units > 1 else 0)
    size = bounds[d + 1] - bounds[d]
    staffed = size > 0
    pick = bounds[d] + (rng.random(len(todo)) * size).astype(np.int64)
    ct.employee[todo[staffed]] = by_pool[pick[staffed]]
    sell = selling_capacity(emp, params)
    purchase = (ct.home == DEPT["sales"]) & (ct.land == DEPT["sales"]) & (ct.employee >= 0)
    ct.handled = _queue(ct.employee, purchase, sell + serve, rng)
    bought = np.bincount(ct.employee[ct.handled], minlength=emp.n)
    left = np.maximum(serve - np.maximum(bought - sell, 0.0), 0.0)
    rest = (ct.employee >= 0) & ~purchase
    ct.handled |= _queue(ct.employee, rest, left, rng)
    emp.used[:] = np.bincount(ct.employee[ct.handled & ~purchase], minlength=emp.n)
    emp.load[:] = np.bincount(ct.employee[rest], minlength=emp.n)
    return serve


def _queue(employee: np.ndarray, member: np.ndarray, slots: np.ndarray,
           rng: np.random.Generator) -> np.ndarray:
    """Which of the ``member`` contacts get taken: an employee with no more contacts
    than slots takes them all; an overloaded one takes each with probability
    slots / load (so about ``slots`` of them, in no particular order)."""
    idx = np.flatnonzero(member)
    e = employee[idx]
    load = np.bincount(e, minlength=len(slots))
    p = np.minimum(1.0, slots / np.maximum(load, 1))
    taken = np.zeros(len(employee), dtype=bool)
    taken[idx] = rng.random(len(idx)) < p[e]
    return taken


def resolve(ct: Contacts, emp: Employees, params: dict, rng: np.random.Generator,
            cross_unit: np.ndarray | None = None, border: float = 0.0,
            record: float = 0.0) -> None:
    """Resolve the handled contacts. In-domain requests succeed with the employee's
    skill. Out-of-domain ones (misrouted, or needing a second department's knowledge)
    are resolved on the spot with probability ``mandate`` (success rising with the
    employee's knowledge), or else handed across the border: the hand-off gets through
    with probability 1 - silo_barrier * (1 - access), where access comes from the
    employee's ties into that department (bridges raise it), and then succeeds with
    that department's mean skill. After a merger, a contact taken by an employee of the
    other legacy unit (``cross_unit``) also has to cross the border between the units:
    its chance of resolution is multiplied by 1 - ``border`` x (1 - ``record``, what the
    shared customer record holds), as what is in it can be read from either side
    (essay 002)."""
    m = len(ct.customer)
    e = np.maximum(ct.employee, 0)
    second = rng.integers(1, N_DEPT, size=m)
    needs_other = (ct.land != ct.home) | (rng.random(m) < params["cross_need"])
    target = np.where(ct.land != ct.home, ct.home, (ct.land + second) % N_DEPT)
    on_spot = needs_other & (rng.random(m) < params["mandate"])
    ct.handoff = ct.handled & needs_other & ~on_spot
    p_through = 1.0 - barrier_of(emp, params)[e] * (1.0 - emp.access[e, target])
    ct.handoff_ok = ct.handoff & (rng.random(m) < p_through)
    dept_skill = np.array([emp.skill[emp.dept == d].mean() if np.any(emp.dept == d) else 0.0
                           for d in range(N_DEPT)])
    p_ok = np.where(~needs_other, emp.skill[e],
                    np.where(on_spot, 0.5 + 0.5 * emp.knowledge[e], dept_skill[target]))
    if cross_unit is not None and border > 0:
        p_ok = p_ok * np.where(cross_unit, 1.0 - border * (1.0 - record), 1.0)
    ct.resolved = ct.handled & (~ct.handoff | ct.handoff_ok) & (rng.random(m) < p_ok)
    ct.mandated = ct.resolved & on_spot & ct.handled
    q = np.where(ct.resolved, np.where(ct.handoff, Q_HANDED_OFF, Q_RESOLVED),
                 np.where(ct.handled, Q_UNRESOLVED, Q_NOT_REACHED))
    ct.quality = np.clip(q - WAIT_PENALTY * ct.waited, 0.0, 1.0)


def resolved_at_once(ct: Contacts) -> np.ndarray:
    """Contacts resolved by whoever took them: no hand-off, not taken to management
    (first-contact resolution; for a fault, the good recovery of experience.py)."""
    return ct.resolved & ~ct.handoff & ~ct.escalated


def update_open(ct: Contacts, c: Customers, step: int) -> None:
    """Contacts left unresolved stay open (failure demand to come); a resolved one
    closes the customer's open contact."""
    done = ct.customer[ct.resolved]
    c.open_contact[done] = False
    bad = ~ct.resolved
    cust = ct.customer[bad]
    newly = cust[~c.open_contact[cust]]
    c.open_since[newly] = step
    c.open_contact[cust] = True
    c.open_dept[cust] = ct.home[bad]
    c.last_contact[ct.customer] = step
