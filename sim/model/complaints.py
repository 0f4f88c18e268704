"""Complaint behaviour (Goodman 2005; TARP 1984): a customer who meets a product fault
raises it with the firm or lives with it in silence, and a customer whose complaint
keeps coming back unresolved may take it over the front line's head to management.

A problem the firm never hears of is never put right: it troubles the customer week
after week until it wears off, and it teaches the firm nothing (no feedback)."""

from __future__ import annotations

import numpy as np

from .contacts import Q_HANDED_OFF, REPEAT, WAIT_PENALTY, Contacts
from .customers import Customers


def raised(c: Customers, faulty: np.ndarray, params: dict, rng: np.random.Generator) -> np.ndarray:
    """Which of the customers who met a fault this week raise it with the firm: each
    with chance complaint_rate (consumers) or complaint_rate_b2b (businesses)."""
    rate = np.where(c.b2b[faulty], params["complaint_rate_b2b"], params["complaint_rate"])
    return rng.random(len(faulty)) < rate


def live_with_problems(c: Customers, silent: np.ndarray, params: dict,
                       rng: np.random.Generator) -> None:
    """End of the week: problems lived with in silence wear off (each with chance
    1 / silent_problem_weeks, a geometric duration), then this week's unraised
    faults join them."""
    living = np.flatnonzero(c.silent_problem)
    if len(living):
        over = rng.random(len(living)) < 1.0 / params["silent_problem_weeks"]
        c.silent_problem[living[over]] = False
    c.silent_problem[silent] = True


def take_to_management(ct: Contacts, params: dict, rng: np.random.Generator,
                       capacity: float = np.inf) -> int:
    """A repeat contact left unresolved again is taken to management with chance
    complaint_escalation; management puts it right (quality of a resolution after a
    hand-off, less the weeks it waited) without using the departments' capacity, and
    hears what went wrong (feedback.escalate counts it as reaching product). Management
    acts on at most ``capacity`` of them a week (the others, drawn at random, stay
    unresolved). Returns how many it acted on."""
    esc = (ct.kind == REPEAT) & ~ct.resolved
    idx = np.flatnonzero(esc)
    idx = idx[rng.random(len(idx)) < params["complaint_escalation"]]
    if len(idx) > capacity:
        idx = rng.permutation(idx)[:int(capacity)]
    ct.escalated[idx] = True
    ct.resolved[idx] = True
    ct.quality[idx] = np.clip(Q_HANDED_OFF - WAIT_PENALTY * ct.waited[idx], 0.0, 1.0)
    return len(idx)
