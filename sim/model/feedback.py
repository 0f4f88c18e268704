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
             rng: np.random.Generator, unraised: int = 0) -> tuple[float, float]:
    """Returns the new fault rate and the share of this week's feedback that reached
    product. Each week the fault rate closes ``fault_fix_rate`` x (share reached) of
    its gap to ``fault_rate_min``; with no feedback it stays where it is. The
    ``unraised`` faults customers kept to themselves count as feedback that never
    reached anyone."""
    heard = ct.handled & ((ct.kind == FAULT) | ~ct.resolved) & ~ct.escalated
    n_up = int(ct.escalated.sum())  # complaints taken to management reach it for sure
    if not heard.any() and not n_up:
        return fault_rate, 0.0
    p = reach_probability(emp, ct.employee[heard], params)
    share = (int(np.count_nonzero(rng.random(len(p)) < p)) + n_up) / (len(p) + n_up + unraised)
    gap = fault_rate - params["fault_rate_min"]
    return fault_rate - params["fault_fix_rate"] * share * max(gap, 0.0), share
