"""Watching one run week by week, the way the empirical studies watched customers:
who had a neighbour leave and when (Nitzan & Libai 2011), who met a problem, raised it,
had it put right or took it higher (TARP 1984; Goodman 2005), who told how many
(Goodman 1999). Everything is tallied in arrays: nothing loops over customers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..contacts import FAULT
from ..customers import ACTIVE
from ..results import WEEKS_PER_YEAR

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


def observe(model, weeks: int, cohort_weeks: tuple[int, int]) -> Tallies:
    """Run ``model`` for ``weeks`` and tally. Problems and recoveries are followed for
    those met in weeks ``cohort_weeks`` [first, last), each for a year after, so the
    run must last at least last + 52 weeks."""
    first, last = cohort_weeks
    if weeks < last + WEEKS_PER_YEAR:
        raise ValueError(f"observe: weeks = {weeks} is too short; allowed: at least "
                         f"{last + WEEKS_PER_YEAR} for cohorts up to week {last}")
    c, net = model.cust, model.network
    tl = Tallies(weeks)
    last_left = np.full(c.n, -10**9, dtype=np.int64)  # week a neighbour last left
    open_cohorts: list[_Cohort] = []
    followed: list[tuple[int, int, np.ndarray]] = []  # (week, category, customers)
    recovered: list[tuple[int, int, np.ndarray]] = []  # (week, 0 recovered / 1 none, customers)
    for _ in range(weeks):
        was_active = np.flatnonzero(c.status == ACTIVE)
        week = model.steps + 1  # the week about to be stepped
        since = np.minimum(week - last_left[was_active], NO_RECENT + 1)
        since[since > NO_RECENT] = 0
        stratum = np.minimum((c.satisfaction[was_active] * SAT_STRATA).astype(np.int64),
                             SAT_STRATA - 1)
        calm_before = (c.status == ACTIVE) & ~c.open_contact & ~c.silent_problem
        model.step()
        left = c.churn_step[was_active] == week
        np.add.at(tl.at_risk, (since, stratum), 1)
        np.add.at(tl.defections, (since[left], stratum[left]), 1)
        gone = was_active[left]
        if len(gone):
            _, nbrs = net.neighbours_of(gone)
            last_left[nbrs] = week
        st = model.week
        tl.tellers += (st.wom.tellers_negative, st.wom.tellers_positive)
        tl.messages += (st.wom.negative, st.wom.positive)
        ct = st.contacts
        resolved_now = np.zeros(c.n, dtype=bool)
        resolved_now[ct.customer[ct.resolved]] = True
        escalated_now = np.zeros(c.n, dtype=bool)
        escalated_now[ct.customer[ct.escalated]] = True
        for ch in open_cohorts:
            ch.done |= resolved_now[ch.members]
            ch.escalated |= escalated_now[ch.members]
        while open_cohorts and open_cohorts[0].week <= week - FOLLOW_UP:
            ch = open_cohorts.pop(0)
            tl.to_management += int(ch.escalated.sum())
            unresolved = ch.members[~ch.done]
            followed.append((ch.week, UNRESOLVED, unresolved))
            followed.append((ch.week, RESOLVED_LATER, ch.members[ch.done]))
        if not first <= week < last:
            continue
        fault = ct.kind == FAULT
        quick = ct.customer[fault & ct.resolved & ~ct.handoff & ~ct.escalated]
        later = ct.customer[fault & ~(ct.resolved & ~ct.handoff & ~ct.escalated)]
        tl.faults += len(st.faulty)
        tl.raised += int(fault.sum())
        followed.append((week, NOT_RAISED, st.silent))
        followed.append((week, RESOLVED_QUICKLY, quick))
        # a hand-off or a later contact: followed to see whether it is resolved in time
        done = resolved_now[later] & (c.status[later] == ACTIVE)
        open_cohorts.append(_Cohort(week, later, done, escalated_now[later]))
        # both groups had no problem going on when the week began, and this week only
        # the one contact (the recovered) or none and no fault (the others)
        contacts_of = np.bincount(ct.customer, minlength=c.n)
        quick = quick[calm_before[quick] & (contacts_of[quick] == 1)]
        calm_before[st.faulty] = False
        calm = np.flatnonzero(calm_before & (contacts_of == 0))
        for k, who in enumerate((quick, calm)):
            recovered.append((week, k, who))
            tl.recovery_n[k] += len(who)
            tl.recovery_sat[k] += float(c.satisfaction[who].sum())
    kept = lambda w, who: int(np.count_nonzero((c.churn_step[who] < 0) |
                                               (c.churn_step[who] > w + WEEKS_PER_YEAR)))
    for w, k, who in followed:
        if len(who) and w + WEEKS_PER_YEAR <= weeks:
            tl.category_n[k] += len(who)
            tl.category_kept[k] += kept(w, who)
    for w, k, who in recovered:
        tl.recovery_kept[k] += kept(w, who)
    ts = model.timeseries()
    for y in range(weeks // WEEKS_PER_YEAR):
        part = ts.iloc[1 + WEEKS_PER_YEAR * y: 1 + WEEKS_PER_YEAR * (y + 1)]
        tl.annual_churn.append(float(part["churned"].sum() / part["active_customers"].mean()))
    return tl
