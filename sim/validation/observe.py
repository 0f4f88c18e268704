"""Watching one run week by week, the way the empirical studies watched customers:
who had a neighbour leave and when (Nitzan & Libai 2011), who met a problem, raised it,
had it put right or took it higher (TARP 1984; Goodman 2005), who told how many
(Goodman 1999). Everything is tallied in arrays: nothing loops over customers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..model import churn as churn_mechanism
from ..model.contacts import FAULT, resolved_at_once
from ..model.customers import ACTIVE
from ..files.results import WEEKS_PER_YEAR

NO_RECENT = 26  # weeks: a customer with no neighbour leaving for longer is unexposed
SAT_STRATA = 10  # satisfaction deciles: the customer's own state, held constant
FOLLOW_UP = 13  # weeks within which a raised problem counts as resolved later
# fault categories, in TARP's order
NOT_RAISED, UNRESOLVED, RESOLVED_LATER, RESOLVED_QUICKLY = range(4)
CATEGORIES = ("not raised", "raised, never resolved", "raised, resolved later",
              "raised, resolved at the first contact")


@dataclass
class Tallies:
    """What one observed run counted (plain arrays, cheap to send between processes)."""

    weeks: int
    annual_churn: list[float] = field(default_factory=list)
    # contagion: customer-weeks at risk and defections, by weeks since the last
    # neighbour left (0 = not within NO_RECENT weeks, else 1..NO_RECENT) and by stratum
    at_risk: np.ndarray = field(default_factory=lambda: np.zeros((NO_RECENT + 1, SAT_STRATA)))
    defections: np.ndarray = field(default_factory=lambda: np.zeros((NO_RECENT + 1, SAT_STRATA)))
    # ... and the defections expected in the same cells: the sum over the customer-weeks
    # at risk of the model's own probability of leaving that week (leave_probability).
    # Its expectation is that of ``defections`` (a count minus the sum of its weekly
    # probabilities is a martingale: each week's probability is fixed before the week's
    # draw), with no coin-toss noise in it (Rao-Blackwellised); the calibration reads it.
    expected: np.ndarray = field(default_factory=lambda: np.zeros((NO_RECENT + 1, SAT_STRATA)))
    # word of mouth: tellers and messages, negative then positive
    tellers: np.ndarray = field(default_factory=lambda: np.zeros(2))
    messages: np.ndarray = field(default_factory=lambda: np.zeros(2))
    # complaints: faults met, raised, and of those raised how many went to management
    faults: int = 0
    raised: int = 0
    to_management: int = 0
    # faults by category (CATEGORIES), and how many of those customers were still
    # customers a year later
    category_n: np.ndarray = field(default_factory=lambda: np.zeros(4))
    category_kept: np.ndarray = field(default_factory=lambda: np.zeros(4))
    # service recovery: customers whose fault was put right at the first contact
    # against customers with no problem that week: count, satisfaction at the end of
    # the week (sum), still customers a year later
    recovery_n: np.ndarray = field(default_factory=lambda: np.zeros(2))
    recovery_sat: np.ndarray = field(default_factory=lambda: np.zeros(2))
    recovery_kept: np.ndarray = field(default_factory=lambda: np.zeros(2))


@dataclass
class _Cohort:
    week: int
    members: np.ndarray
    done: np.ndarray  # bool per member: a contact of theirs was resolved since
    escalated: np.ndarray  # bool per member: they took it to management since


@dataclass
class _Watch:
    """What observe keeps between weeks besides the tallies."""

    last_left: np.ndarray  # week a network neighbour last defected, per node
    open_cohorts: list = field(default_factory=list)  # raised faults still followed
    followed: list = field(default_factory=list)  # (week, category, customers)
    recovered: list = field(default_factory=list)  # (week, 0 recovered / 1 no problem, customers)


def observe(model, weeks: int, cohort_weeks: tuple[int, int],
            after_week: Callable[[object, np.ndarray], None] | None = None) -> Tallies:
    """Run ``model`` for ``weeks`` and tally. Problems and recoveries are followed for
    those met in weeks ``cohort_weeks`` [first, last), each for a year after, so the
    run must last at least last + 52 weeks. ``after_week(model, p)``, if given, is
    called after each week with the week's probabilities of leaving
    (leave_probability), for another measurement of the same run."""
    first, last = cohort_weeks
    if weeks < last + WEEKS_PER_YEAR:
        raise ValueError(f"observe: weeks = {weeks} is too short; allowed: at least "
                         f"{last + WEEKS_PER_YEAR} for cohorts up to week {last}")
    c = model.cust
    tl, w = Tallies(weeks), _Watch(np.full(c.n, -10**9, dtype=np.int64))
    p_leave = watch_leaving(model)
    for _ in range(weeks):
        was_active = np.flatnonzero(c.status == ACTIVE)
        week = model.steps + 1  # the week about to be stepped
        since = np.minimum(week - w.last_left[was_active], NO_RECENT + 1)
        since[since > NO_RECENT] = 0
        stratum = np.minimum((c.satisfaction[was_active] * SAT_STRATA).astype(np.int64),
                             SAT_STRATA - 1)
        calm_before = (c.status == ACTIVE) & ~c.open_contact & ~c.silent_problem
        model.step()
        _defections(model, tl, w, week, was_active, since, stratum, p_leave)
        told = model.week.wom
        tl.tellers += (told.tellers_negative, told.tellers_positive)
        tl.messages += (told.negative, told.positive)
        _problems(model, tl, w, week, first <= week < last, calm_before)
        if after_week is not None:
            after_week(model, p_leave["p"])
    _kept_a_year(c, tl, w, weeks)
    ts = model.timeseries()
    for y in range(weeks // WEEKS_PER_YEAR):
        part = ts.iloc[1 + WEEKS_PER_YEAR * y: 1 + WEEKS_PER_YEAR * (y + 1)]
        tl.annual_churn.append(float(part["churned"].sum() / part["active_customers"].mean()))
    return tl


def leave_probability(model, week) -> np.ndarray:
    """Per customer, the probability that the churn phase about to run takes them this
    week: 1 - exp(-their total hazard), from the model's own hazards
    (sim.model.churn.hazards, with the events' attractiveness shift and risks), as
    churn draws it; 0 for customers not active. It draws no random numbers."""
    ev = model.events
    parts = churn_mechanism.hazards(model.cust, week.active, model.params,
                                    ev.attractiveness_shift, tuple(ev.risk))
    p = np.zeros(model.cust.n)
    p[week.active] = churn_mechanism.leaving(parts)[1]
    return p


def watch_leaving(model) -> dict:
    """Wrap this model's churn phase (its own schedule, the class's untouched) so that
    each week, just before it runs, ``leave_probability`` is kept: returns the dict
    whose ``"p"`` holds the latest week's (departures an event causes directly,
    ``model.events.leave``, are not in it: none in the runs observed here)."""
    box = {"p": np.zeros(model.cust.n)}

    def keep(inner, m, week):
        box["p"] = leave_probability(m, week)
        inner(m, week)

    model.schedule = model.schedule.wrap("churn", keep)
    return box


def _defections(model, tl: Tallies, w: _Watch, week: int, was_active: np.ndarray,
                since: np.ndarray, stratum: np.ndarray, p_leave: dict) -> None:
    """Who of those active at the start of the week left, by class, and how many were
    expected to; their neighbours' clocks restart."""
    left = model.cust.churn_step[was_active] == week
    np.add.at(tl.at_risk, (since, stratum), 1)
    np.add.at(tl.defections, (since[left], stratum[left]), 1)
    cell = since * SAT_STRATA + stratum
    tl.expected += np.bincount(cell, weights=p_leave["p"][was_active],
                               minlength=tl.expected.size).reshape(tl.expected.shape)
    gone = was_active[left]
    if len(gone):
        _, nbrs = model.network.neighbours_of(gone)
        w.last_left[nbrs] = week


def _problems(model, tl: Tallies, w: _Watch, week: int, in_cohort: bool,
              calm_before: np.ndarray) -> None:
    """Follow the raised faults still open; in a cohort week, start following this
    week's faults and recoveries."""
    c, st = model.cust, model.week
    ct = st.contacts
    resolved_now = np.zeros(c.n, dtype=bool)
    resolved_now[ct.customer[ct.resolved]] = True
    escalated_now = np.zeros(c.n, dtype=bool)
    escalated_now[ct.customer[ct.escalated]] = True
    for ch in w.open_cohorts:
        ch.done |= resolved_now[ch.members]
        ch.escalated |= escalated_now[ch.members]
    while w.open_cohorts and w.open_cohorts[0].week <= week - FOLLOW_UP:
        ch = w.open_cohorts.pop(0)
        tl.to_management += int(ch.escalated.sum())
        w.followed.append((ch.week, UNRESOLVED, ch.members[~ch.done]))
        w.followed.append((ch.week, RESOLVED_LATER, ch.members[ch.done]))
    if not in_cohort:
        return
    fault = ct.kind == FAULT
    at_once = resolved_at_once(ct)
    quick, later = ct.customer[fault & at_once], ct.customer[fault & ~at_once]
    tl.faults += len(st.faulty)
    tl.raised += int(fault.sum())
    w.followed.append((week, NOT_RAISED, st.silent))
    w.followed.append((week, RESOLVED_QUICKLY, quick))
    # a hand-off or a later contact: followed to see whether it is resolved in time
    done = resolved_now[later] & (c.status[later] == ACTIVE)
    w.open_cohorts.append(_Cohort(week, later, done, escalated_now[later]))
    # both groups had no problem going on when the week began, and this week only
    # the one contact (the recovered) or none and no fault (the others)
    contacts_of = np.bincount(ct.customer, minlength=c.n)
    quick = quick[calm_before[quick] & (contacts_of[quick] == 1)]
    calm_before[st.faulty] = False
    calm = np.flatnonzero(calm_before & (contacts_of == 0))
    for k, who in enumerate((quick, calm)):
        w.recovered.append((week, k, who))
        tl.recovery_n[k] += len(who)
        tl.recovery_sat[k] += float(c.satisfaction[who].sum())


def _kept_a_year(c, tl: Tallies, w: _Watch, weeks: int) -> None:
    """At the end of the run: of each group followed, how many were still customers a
    year after their week."""
    def kept(week: int, who: np.ndarray) -> int:
        step = c.churn_step[who]
        return int(np.count_nonzero((step < 0) | (step > week + WEEKS_PER_YEAR)))

    for week, k, who in w.followed:
        if len(who) and week + WEEKS_PER_YEAR <= weeks:
            tl.category_n[k] += len(who)
            tl.category_kept[k] += kept(week, who)
    for week, k, who in w.recovered:
        tl.recovery_kept[k] += kept(week, who)
