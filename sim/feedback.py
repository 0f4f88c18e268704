"""Feedback escalation (essays 001, 004): feedback from faults and unresolved contacts
reaches product with a chance set by the escalation policy and cut by the silo
barrier; what reaches product lowers the fault rate over time."""

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
             rng: np.random.Generator) -> tuple[float, float]:
    """Returns the new fault rate and the share of this week's feedback that reached
    product. Each week the fault rate closes ``fault_fix_rate`` x (share reached) of
    its gap to ``fault_rate_min``; with no feedback it stays where it is."""
    heard = ct.handled & ((ct.kind == FAULT) | ~ct.resolved)
    if not heard.any():
        return fault_rate, 0.0
    p = reach_probability(emp, ct.employee[heard], params)
    share = float(np.mean(rng.random(len(p)) < p))
    gap = fault_rate - params["fault_rate_min"]
    return fault_rate - params["fault_fix_rate"] * share * max(gap, 0.0), share
