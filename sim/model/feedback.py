"""Feedback escalation (essays 001, 004): feedback from faults and unresolved contacts
reaches product with a chance set by the escalation policy and cut by the silo
barrier, and always when a customer has taken the complaint to management; what
reaches product lowers the fault rate over time."""

from __future__ import annotations

import numpy as np

from .contacts import FAULT, Contacts
from .organisation import DEPT, Employees, barrier_of


def reach_probability(emp: Employees, employee: np.ndarray, params: dict) -> np.ndarray:
    """Chance feedback heard by each employee reaches product: escalation x
    (1 - silo_barrier x (1 - the employee's access to product))."""
    access = emp.access[employee, DEPT["product"]]
    return params["escalation"] * (1.0 - barrier_of(emp, params)[employee] * (1.0 - access))


def escalate(ct: Contacts, emp: Employees, params: dict, fault_rate: float,
             rng: np.random.Generator, unraised: int = 0,
             capacity: float = np.inf) -> tuple[float, float, int]:
    """Returns the new fault rate, the share of this week's feedback that reached
    product, and the items management acted on. Each week the fault rate closes
    ``fault_fix_rate`` x (share reached) of its gap to ``fault_rate_min``; with no
    feedback it stays where it is. The ``unraised`` faults customers kept to
    themselves count as feedback that never reached anyone. Feedback that would reach
    product takes management's time: at most ``capacity`` items are acted on (what
    management has left after the complaints taken to it), the rest is lost."""
    heard = ct.handled & ((ct.kind == FAULT) | ~ct.resolved) & ~ct.escalated
    n_up = int(ct.escalated.sum())  # complaints taken to management reach it for sure
    if not heard.any() and not n_up:
        return fault_rate, 0.0, 0
    p = reach_probability(emp, ct.employee[heard], params)
    reached = int(np.count_nonzero(rng.random(len(p)) < p))
    if reached > capacity:
        reached = int(max(capacity, 0))
    share = (reached + n_up) / (len(p) + n_up + unraised)
    gap = fault_rate - params["fault_rate_min"]
    return fault_rate - params["fault_fix_rate"] * share * max(gap, 0.0), share, reached
