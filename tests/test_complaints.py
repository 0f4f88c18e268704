"""Complaints (sim.model.complaints), the service recovery in the week's experience, and the
economics outputs: each mechanism's direction, size and limits."""

import numpy as np
import pandas as pd
import pytest

from sim import OrganisationModel
from sim.model.complaints import live_with_problems, raised, take_to_management
from sim.model.contacts import FAULT, PRIMARY, Q_HANDED_OFF, REPEAT, WAIT_PENALTY, Contacts
from sim.model.customers import ACTIVE
from sim.model.experience import FAULT_QUALITY, SILENT_QUALITY, weekly_experience
from sim.model.feedback import escalate
from sim.model.params import DEFAULTS
from sim.files.results import WEEKS_PER_YEAR, end_of_run

from helpers import mean_ci, run, small


def _model(**kw):
    return OrganisationModel(small(**kw), rng=3)


def _contacts(customer, kind, resolved, handoff=None, waited=None):
    m = len(customer)
    z = np.zeros(m, bool)
    return Contacts(customer=np.asarray(customer, np.int64), kind=np.asarray(kind, np.int8),
                    home=np.zeros(m, int), land=np.zeros(m, int), employee=np.zeros(m, int),
                    handled=np.ones(m, bool), handoff=z.copy() if handoff is None else np.asarray(handoff),
                    handoff_ok=z.copy(), resolved=np.asarray(resolved, bool),
                    waited=np.zeros(m) if waited is None else np.asarray(waited, float),
                    quality=np.full(m, 0.9), escalated=z.copy(), mandated=z.copy())


def test_about_half_of_consumers_and_three_quarters_of_businesses_raise_a_fault(rng):
    m = _model()
    c = m.cust
    faulty = np.flatnonzero(c.status == ACTIVE)
    shares = {False: [], True: []}
    for _ in range(20):
        said = raised(c, faulty, m.params, rng)
        for b2b in (False, True):
            shares[b2b].append(said[c.b2b[faulty] == b2b].mean())
    # 20 draws over about 1,000 consumers and 450 businesses: standard error under 0.005
    assert np.mean(shares[False]) == pytest.approx(0.5, abs=0.015)
    assert np.mean(shares[True]) == pytest.approx(0.75, abs=0.015)
    assert not raised(c, faulty, dict(m.params, complaint_rate=0.0, complaint_rate_b2b=0.0), rng).any()


def test_a_problem_lived_with_in_silence_lasts_silent_problem_weeks_on_average(rng):
    m = _model()
    c = m.cust
    who = np.flatnonzero(c.status == ACTIVE)
    live_with_problems(c, who, dict(m.params, silent_problem_weeks=8.0), rng)
    assert c.silent_problem[who].all()
    weeks = np.zeros(len(who))
    for _ in range(200):
        weeks += c.silent_problem[who]
        live_with_problems(c, np.empty(0, int), dict(m.params, silent_problem_weeks=8.0), rng)
    # geometric with p = 1/8 counted from the week it starts: mean 8; 2,000 draws, sd 7.5
    assert weeks.mean() == pytest.approx(8.0, rel=0.05)
    assert not c.silent_problem.any()


def test_living_with_a_problem_is_a_bad_touchpoint_every_week():
    m = _model(weakest_link=0.5, product_quality=0.75)
    c = m.cust
    a, b = np.flatnonzero(c.status == ACTIVE)[:2]
    c.open_contact[:] = False
    c.silent_problem[a] = True
    x, had = weekly_experience(c, _contacts([], [], []), np.empty(0, int),
                               m.params, 1)
    assert x[a] == pytest.approx(0.5 * SILENT_QUALITY + 0.5 * (0.75 + SILENT_QUALITY) / 2)
    assert x[b] == pytest.approx(0.75)
    assert not had[a]  # not a contact: the firm does not know


def test_a_fault_put_right_at_the_first_contact_is_experienced_as_the_putting_right():
    """The service-recovery paradox (de Matos et al. 2007): the week of a fault resolved
    at once, without a hand-off, is better than a week with no problem; a fault resolved
    after a hand-off is still remembered as the fault."""
    m = _model(weakest_link=0.5, product_quality=0.75)
    c = m.cust
    a, b, d = np.flatnonzero(c.status == ACTIVE)[:3]
    c.open_contact[:] = False
    ct = _contacts([a, b], [FAULT, FAULT], [True, True], handoff=[False, True])
    ct.quality[:] = [0.9, 0.75]
    x, _ = weekly_experience(c, ct, np.array([a, b]), m.params, 1)
    assert x[a] == pytest.approx(0.5 * 0.75 + 0.5 * (0.75 + 0.9) / 2)
    assert x[a] > x[d] == pytest.approx(0.75)  # no problem at all
    assert x[b] == pytest.approx(0.5 * FAULT_QUALITY + 0.5 * (FAULT_QUALITY + 0.75) / 2)


def test_an_unresolved_repeat_taken_to_management_is_put_right_and_heard(rng):
    c_ids = np.arange(6)
    ct = _contacts(c_ids, [REPEAT, REPEAT, REPEAT, PRIMARY, FAULT, REPEAT],
                   [False, False, False, False, False, True], waited=[0, 2, 10, 0, 0, 1])
    ct.quality[:] = 0.35
    take_to_management(ct, dict(DEFAULTS, complaint_escalation=1.0), rng)
    # only repeats that were still unresolved go up; a first contact is not escalated
    assert ct.escalated.tolist() == [True, True, True, False, False, False]
    assert ct.resolved[:3].all() and not ct.resolved[3:5].any()
    assert ct.quality[:3] == pytest.approx([Q_HANDED_OFF, Q_HANDED_OFF - 2 * WAIT_PENALTY, 0.25])
    never = _contacts(c_ids, [REPEAT] * 6, [False] * 6)
    take_to_management(never, dict(DEFAULTS, complaint_escalation=0.0), rng)
    assert not never.escalated.any()


def test_complaints_taken_to_management_reach_product_whatever_the_policy(rng):
    m = _model()
    emp = m.org
    ct = _contacts(np.arange(4), [REPEAT] * 4, [False] * 4)
    ct.employee[:] = np.flatnonzero(emp.dept == 3)[0]  # support: far from product
    ct.escalated[:2] = True
    ct.resolved[:2] = True
    rate, share, acted = escalate(ct, emp, dict(m.params, escalation=0.0), 0.03, rng)
    assert acted == 0  # no feedback acted on besides the complaints themselves
    assert share == pytest.approx(0.5)  # the two escalated of four heard; the rest stop
    assert rate < 0.03


def test_problems_nobody_raises_cost_customers_and_teach_the_firm_nothing():
    """Paired over 8 seeds: a firm whose customers raise every fault against one whose
    customers raise none. Silent problems pile up, satisfaction and retention fall, the
    fault contacts vanish from failure demand and the fault rate stops falling."""
    loud, quiet = [], []
    for seed in range(8):
        for out, rate in ((loud, 1.0), (quiet, 0.0)):
            _, ts = run(steps=104, seed=seed, complaint_rate=rate, complaint_rate_b2b=rate)
            out.append(ts.iloc[1:])
    gap = [a["retention"].iloc[-1] - b["retention"].iloc[-1] for a, b in zip(loud, quiet)]
    assert mean_ci(gap)[1] > 0.02
    assert all(q["silent_problems"].iloc[-1] > 0 == l["silent_problems"].iloc[-1]
               for q, l in zip(quiet, loud))
    assert np.mean([q["failure_demand_share"].mean() for q in quiet]) < \
        np.mean([a["failure_demand_share"].mean() for a in loud]) - 0.1
    assert all(q["product_fault_rate"].iloc[-1] > a["product_fault_rate"].iloc[-1]
               for q, a in zip(quiet, loud))


def test_profit_counts_what_the_firm_pays_for():
    """Margin less contacts, acquisition, staff (managers too), goodwill of mandated
    resolutions and the shared record's running cost."""
    m, ts = run(steps=10, gross_margin=0.4, contact_cost=2.0, acquisition_cost=30.0,
                staff_cost=7.0, goodwill_cost=1.5, record_cost=0.1, shared_record=0.6,
                managers=5.0)
    body = ts.iloc[1:]
    staff = 7.0 * m.org.n * 1.05
    assert (body["staff_cost"] == staff).all()
    assert body["mandate_resolutions"].sum() > 0
    expected = (0.4 * body["revenue"] - 2.0 * body["contacts"] - 30.0 * body["acquired"]
                - staff - 1.5 * body["mandate_resolutions"]
                - 0.1 * 0.6 * body["active_customers"])
    assert np.allclose(body["profit"], expected)
    end = end_of_run(ts, m.causes, m.params)
    assert end["profit_total"] == pytest.approx(expected.sum())


def test_twice_the_staff_for_the_same_customers_earns_less():
    gaps = []
    for seed in range(4):
        one = run(steps=52, seed=seed, n_customers=2000, n_prospects=2000, n_employees=40)[1]
        two = run(steps=52, seed=seed, n_customers=2000, n_prospects=2000, n_employees=80)[1]
        gaps.append(two["profit"].iloc[1:].sum() - one["profit"].iloc[1:].sum())
    assert max(gaps) < 0


def test_management_acts_on_so_much_and_no_more():
    ample = run(steps=30, escalation=1.0, silo_barrier=0.0, management_capacity=10_000.0)[1]
    scarce = run(steps=30, escalation=1.0, silo_barrier=0.0, management_capacity=2.0)[1]
    assert (scarce["management_load"].iloc[1:] <= 1.0 + 1e-9).all()
    assert scarce["management_load"].iloc[1:].mean() > 0.8  # overloaded (whole items)
    assert scarce["feedback_reached"].iloc[1:].mean() < 0.5 * ample["feedback_reached"].iloc[1:].mean()
    assert scarce["product_fault_rate"].iloc[-1] > ample["product_fault_rate"].iloc[-1]


def test_customer_lifetime_profit_is_the_discounted_margin_less_acquisition():
    weeks = WEEKS_PER_YEAR
    ts = pd.DataFrame({"step": np.arange(weeks + 1), "active_customers": 1000,
                       "revenue": 1000.0, "contacts": 100, "churned": 2, "profit": 0.0,
                       "retention": 1.0, "acquired": 0, "acquired_marketing": 0,
                       "acquired_wom": 0, "mean_satisfaction": 0.7, "nps": 0.0,
                       "failure_demand_share": 0.3, "first_contact_resolution": 0.5,
                       "mean_wait": 0.0, "employee_turnover": 0, "product_fault_rate": 0.03,
                       "churn_dissatisfaction": 2})
    params = dict(DEFAULTS, gross_margin=0.3, contact_cost=1.0, acquisition_cost=25.0)
    end = end_of_run(ts, ("dissatisfaction",), params)
    weekly_discount = 1.1 ** (1 / 52) - 1
    margin = 0.3 * 1.0 - 1.0 * 0.1  # per customer-week
    assert end["customer_lifetime_profit"] == pytest.approx(margin / (0.002 + weekly_discount) - 25.0)
    fewer = ts.assign(churned=1)
    # halving the churn raises lifetime profit far more than the revenue it keeps
    gain = end_of_run(fewer, ("dissatisfaction",), params)["customer_lifetime_profit"] / \
        end["customer_lifetime_profit"] - 1
    assert gain > 0.25
