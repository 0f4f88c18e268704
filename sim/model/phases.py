"""The phases of a week, in the order they happen (``WEEK``), and ``Week``, what they
count and pass on to each other.

Each phase is a function ``phase(model, week)`` over the model's vectorised state; the
mechanisms themselves are in the modules named after them (contacts, complaints,
feedback, experience, wom, churn, acquisition, organisation). A model class lists its
phases in ``schedule``; an extension adds, replaces or wraps one by name
(``sim.model.schedule``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import (acquisition, churn, complaints, contacts, effort, experience, feedback, metrics,
               organisation, wom)
from .contacts import Contacts
from .customers import ACTIVE, PROSPECT, lose_owners, promise_level
from .schedule import Schedule
from .wom import Told


def _no_one() -> np.ndarray:
    return np.empty(0, np.int64)


@dataclass
class Week:
    """What the phases of one week found and counted. The metrics row reads it, the
    next phase may use what an earlier one left, and after the step it stays in
    ``model.week`` for observers (sim.validation follows customers through it)."""

    step: int = 0
    active: np.ndarray = field(default_factory=_no_one)   # active at the start of the week
    faulty: np.ndarray = field(default_factory=_no_one)   # met a product fault
    raised: np.ndarray = field(default_factory=lambda: np.empty(0, bool))  # ... and said so
    silent: np.ndarray = field(default_factory=_no_one)   # ... and kept quiet
    contacts: Contacts | None = None
    utilisation: float = 0.0       # contacts handled over serving capacity, whole firm
    load: np.ndarray | None = None  # per employee: contacts that reached them / capacity
    feedback_reached: float = 0.0
    management_used: int = 0       # escalated items managers acted on
    management_load: float = 0.0   # ... over what they could act on
    is_active: np.ndarray | None = None  # mask over all customers
    experience: np.ndarray | None = None  # the week's experienced quality
    had_contact: np.ndarray | None = None
    appraisal: np.ndarray | None = None
    wom: Told = field(default_factory=Told)
    churn_by_cause: np.ndarray | None = None
    acquired_marketing: int = 0
    acquired_wom: int = 0
    leavers: int = 0
    knowledge_lost: float = 0.0


def events(model, week: Week) -> None:
    """Events due this week fire; then every lasting process takes its weekly step."""
    for event in model.events.due(week.step):
        model.fire(event)
    model.events.step_processes(model)


def faults(model, week: Week) -> None:
    """Active customers meet product faults; each raises it with the firm or keeps quiet."""
    week.active = churn.active_index(model.cust)
    week.faulty = contacts.draw_faults(week.active, model.fault_rate, model.rng)
    week.raised = complaints.raised(model.cust, week.faulty, model.params, model.rng)
    week.silent = week.faulty[~week.raised]


def contact(model, week: Week) -> None:
    """Needs, raised faults and open contacts coming back become contacts: routed, taken
    within capacity, resolved or handed across borders, taken to management; what is
    left unresolved stays open."""
    c, emp, p, rng, ev = model.cust, model.org, model.params, model.rng, model.events
    ct = contacts.generate(c, week.active, week.faulty[week.raised], p, week.step, rng)
    contacts.route(ct, c, p, rng)
    model.serving_capacity = contacts.assign(ct, emp, p, rng,
                                             c.unit if ev.separate_units else None)
    cross_unit = emp.unit[ct.employee] != c.unit[ct.customer] if ev.unit_border else None
    contacts.resolve(ct, emp, p, rng, cross_unit, ev.unit_border, model.record)
    week.management_used = complaints.take_to_management(ct, p, rng,
                                                         management_capacity(model))
    contacts.update_open(ct, c, week.step)
    week.contacts = ct
    cap = model.serving_capacity
    week.load = np.divide(emp.load, cap, out=np.zeros(emp.n), where=cap > 0)
    week.utilisation = float(emp.used.sum() / max(cap.sum(), 1e-9))


def management_capacity(model) -> float:
    """Escalated items the managers can act on this week."""
    p = model.params
    return p["managers"] / 100.0 * model.org.n * p["management_capacity"]


def feedback_(model, week: Week) -> None:
    """Feedback from faults and unresolved contacts reaches product, or not, as far as
    management's time left after the complaints allows; what reaches it lowers the
    fault rate."""
    cap = management_capacity(model)
    model.fault_rate, week.feedback_reached, acted = feedback.escalate(
        week.contacts, model.org, model.params, model.fault_rate, model.rng, len(week.silent),
        cap - week.management_used)
    week.management_used += acted
    week.management_load = week.management_used / cap if cap > 0 else 0.0


def experience_(model, week: Week) -> None:
    """The week's touchpoints against expectations move satisfaction; the account
    owner's care moves the relationship."""
    c, p = model.cust, model.params
    week.is_active = c.status == ACTIVE
    week.experience, week.had_contact = experience.weekly_experience(
        c, week.contacts, week.faulty, p, week.step)
    week.appraisal = experience.update_satisfaction(c, week.is_active, week.experience,
                                                    week.had_contact, p,
                                                    promise_level(p, model.org))
    experience.update_relationship(c, week.is_active, model.org, p)


def silent_problems(model, week: Week) -> None:
    """Problems lived with in silence wear off; this week's unraised faults join them."""
    complaints.live_with_problems(model.cust, week.silent, model.params, model.rng)


def word_of_mouth(model, week: Week) -> None:
    """Customers with a notable week (a contact or a fault) tell others."""
    notable = week.is_active & week.had_contact
    notable[week.faulty] = True
    week.wom = wom.word_of_mouth(model.cust, model.network, notable, week.appraisal,
                                 model.params, model.rng)


def churn_(model, week: Week) -> None:
    """Customers leave under competing hazards, each with its cause (events' included)."""
    ev = model.events
    week.churn_by_cause = churn.churn(model.cust, model.network, week.active, model.params,
                                      week.step, model.rng, ev.attractiveness_shift,
                                      tuple(ev.risk))
    week.churn_by_cause += ev.take_churned()
    ev.fade_risks()


def acquisition_(model, week: Week) -> None:
    """Prospects convert through marketing and sales, and through word of mouth."""
    week.acquired_marketing, week.acquired_wom = acquisition.acquire(
        model.cust, model.org, model.params, model.rng)


def effort_(model, week: Week) -> None:
    """Employees see what their effort achieved this week and lean towards what the
    reward pays (sim.model.effort)."""
    emp, ct, p = model.org, week.contacts, model.params
    prospects = np.count_nonzero(model.cust.status == PROSPECT)
    left = min(prospects / p["n_prospects"], 2.0) if p["n_prospects"] else 0.0
    mine = ct.handled & (ct.employee >= 0)
    handled = np.bincount(ct.employee[mine], minlength=emp.n)
    resolved = np.bincount(ct.employee[mine & ct.resolved], minlength=emp.n)
    effort.observe_and_adapt(emp, p, left, resolved, handled)


def workforce(model, week: Week) -> None:
    """Employees learn from colleagues, engagement follows mandate and load, some leave
    and are replaced; the shared record is kept up as far as time allows (or goes
    stale); leavers' customers lose what the record does not keep."""
    emp, p = model.org, model.params
    organisation.learn(emp, p)
    organisation.update_engagement(emp, p, week.load)
    leavers, week.knowledge_lost = organisation.turnover(emp, p, model.rng)
    week.knowledge_lost += model.events.take_knowledge_lost()
    week.leavers = len(leavers)
    kept = 1.0 - metrics.unanswered(week.contacts)  # upkeep skipped as contacts go unanswered
    model.record += p["record_decay"] * (p["shared_record"] * kept - model.record)
    lose_owners(model.cust, leavers, p, model.record)


def tenure(model, week: Week) -> None:
    """Active customers and every employee are a week older in the relationship."""
    c = model.cust
    c.tenure[churn.active_index(c)] += 1.0
    model.org.tenure += 1.0


def collect(model, week: Week) -> None:
    """The week's row of outputs is collected."""
    model.collect()


# The week of the OrganisationModel (docs/ODD.md section 3).
WEEK = Schedule.of(
    ("events", events), ("faults", faults), ("contacts", contact), ("feedback", feedback_),
    ("experience", experience_), ("silent_problems", silent_problems),
    ("word_of_mouth", word_of_mouth), ("churn", churn_), ("acquisition", acquisition_),
    ("effort", effort_), ("workforce", workforce), ("tenure", tenure), ("metrics", collect),
)
