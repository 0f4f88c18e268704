"""Expectations against experience (essay 004): the week's touchpoints are weighed with
the weakest one counting most, compared with the customer's expectation, and an
experience below expectation moves satisfaction more than one above it."""

from __future__ import annotations

import numpy as np

from ._blocks import blocks
from .contacts import FAULT, Contacts, WAIT_PENALTY, resolved_at_once
from .customers import F, NEUTRAL_SATISFACTION, Customers, accounts_per_owner
from .organisation import Employees

FAULT_QUALITY = 0.1  # a product fault as a touchpoint: a bad week


def weekly_experience(c: Customers, ct: Contacts, faulty: np.ndarray, params: dict,
                      step: int) -> tuple[np.ndarray, np.ndarray]:
    """Experienced quality of the week for every customer (meaningful for the active
    ones), and whether they had a contact. Touchpoints: the product (every week; a
    fault makes it bad, unless the customer raised it and it was put right at the
    first contact: then the putting right is what they experience), each contact,
    waiting on an open contact they did not chase this week, and living with a
    problem they never raised. Arrays span all customers: contiguous arithmetic is
    cheaper than gathering the active ones."""
    n = c.n
    worst = np.full(n, params["product_quality"], dtype=F)
    worst[faulty] = FAULT_QUALITY
    worst[ct.customer[(ct.kind == FAULT) & resolved_at_once(ct)]] = params["product_quality"]
    total = worst.copy()
    count = np.ones(n, dtype=F)
    np.minimum.at(worst, ct.customer, ct.quality.astype(F))
    np.add.at(total, ct.customer, ct.quality.astype(F))
    np.add.at(count, ct.customer, F(1))
    had_contact = count > 1
    waiting = np.flatnonzero(c.open_contact & (c.last_contact < step))
    q_wait = np.clip(Q_WAITING - WAIT_PENALTY * (step - c.open_since[waiting]), 0, 1).astype(F)
    worst[waiting] = np.minimum(worst[waiting], q_wait)
    total[waiting] += q_wait
    count[waiting] += 1
    living = np.flatnonzero(c.silent_problem)
    worst[living] = np.minimum(worst[living], F(SILENT_QUALITY))
    total[living] += F(SILENT_QUALITY)
    count[living] += 1
    w = F(params["weakest_link"])
    for s in blocks(n):  # in place, a block at a time: these arrays span every customer
        t, x = total[s], worst[s]
        t /= count[s]
        t *= 1 - w
        x *= w
        x += t
    return worst, had_contact


Q_WAITING = 0.4  # an open request nobody has answered yet
# living with a problem nobody at the firm knows of: like waiting for an answer that
# does not come, without the customer counting the weeks (no wait penalty)
SILENT_QUALITY = Q_WAITING


def appraise(x: np.ndarray, expectation: np.ndarray, loss_aversion: float) -> np.ndarray:
    """Satisfaction the week's experience points to: neutral when expectations are
    just met, above it by the surplus, below by loss_aversion times the shortfall."""
    gap = x - expectation
    loss = np.minimum(gap, 0)
    np.maximum(gap, 0, out=gap)
    loss *= F(loss_aversion)
    gap += loss
    gap += F(NEUTRAL_SATISFACTION)
    return np.clip(gap, 0, 1, out=gap)


def update_satisfaction(c: Customers, is_active: np.ndarray, x: np.ndarray,
                        had_contact: np.ndarray, params: dict, promise: float) -> np.ndarray:
    """Move active customers' satisfaction towards the appraisal (faster after a
    contact) and expectations towards the mean of the promise and the experience.
    ``promise`` is what the firm promises this week (customers.promise_level; one
    per customer for a batch of firms, sim.model.replicas).
    Returns the appraisal (all customers), which word of mouth uses."""
    quiet, salient = F(params["satisfaction_memory"]), F(params["contact_salience"])
    loss_aversion, adapt = params["loss_aversion"], F(params["expectation_adapt"])
    appraisal = np.empty_like(x)
    for s in blocks(len(x)):  # a block at a time: the temporaries stay in the cache
        active, expectation = is_active[s], c.expectation[s]
        v = appraisal[s] = appraise(x[s], expectation, loss_aversion)
        rate = (quiet + (salient - quiet) * had_contact[s]) * active
        step = v - c.satisfaction[s]
        step *= rate
        c.satisfaction[s] += step
        anchor = x[s] + F(promise if np.ndim(promise) == 0 else promise[s])  # mean of
        # promise and experience, in place
        anchor *= F(0.5)
        anchor -= expectation
        anchor *= adapt * active
        expectation += anchor
    return appraisal


CARE_BASE, CARE_PER_EFFORT = 0.4, 0.3  # care from routine contact, and per neutral share of development


def care_effort(emp: Employees) -> np.ndarray:
    """How much an owner's effort cares for a relationship: 0.4 from routine contact,
    plus 0.3 for each neutral share of time spent developing accounts (at the neutral
    share, 0.7), at most 1."""
    from .effort import NEUTRAL
    from .organisation import DEPT

    neutral = NEUTRAL[DEPT["sales"], 2]
    return np.minimum(1.0, CARE_BASE + CARE_PER_EFFORT * emp.develop / neutral)


def update_relationship(c: Customers, is_active: np.ndarray, emp: Employees, params: dict,
                        accounts: np.ndarray | None = None) -> None:
    """Relationship strength follows the account owner's care: their skill, the time
    they choose to spend developing accounts (essay 003: 'a relationship cannot stand
    still'), diluted when they own more accounts than they can look after.
    ``accounts``: customers.accounts_per_owner(c, emp.n, is_active), where the caller
    keeps it."""
    if accounts is None:
        accounts = accounts_per_owner(c, emp.n, is_active)
    dilution = np.minimum(1.0, params["account_capacity"] / np.maximum(accounts, 1))
    care_of = np.append(emp.skill * care_effort(emp) * dilution, 0.0).astype(F)
    rate_of = F(params["relationship_rate"])
    for s in blocks(c.n):  # a block at a time: the temporaries stay in the cache
        care = care_of[c.owner[s]]  # owner -1 (none) reads the appended 0
        rate = rate_of * is_active[s]
        c.relationship[s] += rate * (care - c.relationship[s])
