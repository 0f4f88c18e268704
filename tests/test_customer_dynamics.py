"""Expectations and satisfaction, feedback escalation, word of mouth, churn and
acquisition: each mechanism's direction, size and limits."""

import numpy as np
import pytest

from sim import OrganisationModel
from sim.model.acquisition import acquire
from sim.model.churn import hazards
from sim.model.contacts import Contacts
from sim.model.customers import ACTIVE, NEUTRAL_SATISFACTION, PROSPECT
from sim.model.experience import appraise, weekly_experience
from sim.model.wom import spread

from helpers import run, small


def _model(**kw):
    return OrganisationModel(small(**kw), rng=7)


# --- expectations vs experience ------------------------------------------------------

def test_shortfall_weighs_loss_aversion_times_a_surplus():
    e = np.array([0.6, 0.6, 0.6], dtype=np.float32)
    x = np.array([0.7, 0.5, 0.6], dtype=np.float32)
    v = appraise(x, e, loss_aversion=2.0)
    assert v[2] == pytest.approx(NEUTRAL_SATISFACTION)
    assert v[0] - NEUTRAL_SATISFACTION == pytest.approx(0.1, abs=1e-6)
    assert NEUTRAL_SATISFACTION - v[1] == pytest.approx(0.2, abs=1e-6)


def test_weakest_touchpoint_weighs_most():
    m = _model(weakest_link=0.5, product_quality=0.75)
    c = m.cust
    a = int(np.flatnonzero(c.status == ACTIVE)[0])
    c.open_contact[:] = False
    ct = Contacts(customer=np.array([a, a]), kind=np.zeros(2, np.int8), home=np.zeros(2, int),
                  land=np.zeros(2, int), employee=np.zeros(2, int),
                  handled=np.ones(2, bool), handoff=np.zeros(2, bool),
                  handoff_ok=np.zeros(2, bool), resolved=np.ones(2, bool),
                  waited=np.zeros(2), quality=np.array([0.9, 0.2]), escalated=np.zeros(2, bool),
                  mandated=np.zeros(2, bool))
    x, had = weekly_experience(c, ct, np.empty(0, int), m.params, 1)
    expected = 0.5 * 0.2 + 0.5 * (0.75 + 0.9 + 0.2) / 3
    assert x[a] == pytest.approx(expected, abs=1e-6)
    b = int(np.flatnonzero(c.status == ACTIVE)[1])
    assert had[a] and not had[b]
    assert x[b] == pytest.approx(0.75)  # the product alone


def test_volume_rewards_raise_acquisitions_and_expectations():
    vol = run(steps=52, reward_mix=0.0)[1].iloc[1:]
    cust = run(steps=52, reward_mix=1.0)[1].iloc[1:]
    assert vol["acquired_marketing"].sum() > 1.5 * cust["acquired_marketing"].sum()
    assert vol["mean_expectation"].mean() > cust["mean_expectation"].mean() + 0.05


def test_overpromising_lowers_satisfaction():
    honest = run(steps=52, sales_promise=0.0, marketing_promise=0.0)[1]
    promise = run(steps=52, sales_promise=0.3, marketing_promise=0.1)[1]
    assert promise["mean_satisfaction"].iloc[-1] < honest["mean_satisfaction"].iloc[-1] - 0.05


# --- feedback escalation -----------------------------------------------------------

# Customers raise every fault here: the faults they keep to themselves never reach
# product whatever the policy (test_complaints.py).
RAISE_ALL = dict(complaint_rate=1.0, complaint_rate_b2b=1.0)


def test_escalated_feedback_lowers_the_fault_rate():
    stops = run(steps=104, escalation=0.0, complaint_escalation=0.0)[1]
    escalated = run(steps=104, escalation=1.0, silo_barrier=0.0, **RAISE_ALL)[1]
    assert (stops["product_fault_rate"] == stops["product_fault_rate"].iloc[0]).all()
    start, floor = 0.03, 0.005
    # fault_fix_rate 0.03/week at full reach: the gap shrinks by exp(-0.03*104) ~ 96%
    closed = (start - escalated["product_fault_rate"].iloc[-1]) / (start - floor)
    assert closed > 0.9


def test_silo_barrier_cuts_feedback_reaching_product():
    ample = dict(RAISE_ALL, management_capacity=10_000.0)  # management never the limit
    open_ = run(steps=30, escalation=1.0, silo_barrier=0.0, **ample)[1].iloc[1:]
    walled = run(steps=30, escalation=1.0, silo_barrier=1.0, bridges=0, **ample)[1].iloc[1:]
    assert open_["feedback_reached"].mean() == pytest.approx(1.0)
    # only feedback heard inside product itself gets there
    assert walled["feedback_reached"].mean() < 0.5


# --- word of mouth -----------------------------------------------------------------

def test_dissatisfied_customers_tell_more_people(rng):
    m = _model()
    p = dict(m.params, wom_reach=1.0, social_amplification=1.0)
    tellers = np.repeat(np.arange(2000), 2)  # 4000 tellings
    neg = spread(m.cust, m.network, tellers, -1.0, p["wom_reach"] * 2.0, p, rng)
    pos = spread(m.cust, m.network, tellers, 1.0, p["wom_reach"], p, rng)
    # Poisson totals 8000 and 4000: ratio 2 within about 4 standard errors
    assert 1.85 < neg / pos < 2.15


def test_social_amplification_multiplies_reach_beyond_neighbours(rng):
    for amp in (1.0, 10.0):
        m = _model(n_customers=3000, n_prospects=0)
        p = dict(m.params, wom_weight=0.01, social_amplification=amp)
        teller = np.array([0])
        sent = sum(spread(m.cust, m.network, teller, -1.0, 5.0, p, rng) for _ in range(200))
        heard = np.flatnonzero(m.cust.wom < 0)
        outside = np.setdiff1d(heard, m.network.neighbours(0))
        if amp == 1.0:
            base = sent
            assert len(outside) == 0  # only neighbours hear it
        else:
            assert 8 < sent / base < 12.5
            assert len(outside) > 5 * len(m.network.neighbours(0))


def test_negative_word_of_mouth_holds_prospects_back(rng):
    m = _model(n_customers=100, n_prospects=40000, marketing_rate=0.05, wom_deterrence=3.0)
    c = m.cust
    pros = np.flatnonzero(c.status == PROSPECT)
    bad = pros[::2]
    c.wom[bad] = -1.0
    acquire(c, m.org, m.params, rng)
    joined = c.status == ACTIVE
    rate_bad, rate_ok = joined[bad].mean(), joined[pros[1::2]].mean()
    assert rate_ok > 0.03
    # hazard x exp(-3): about 20x fewer conversions
    assert rate_bad < rate_ok / 8


def test_positive_word_of_mouth_brings_customers():
    quiet = run(steps=52, wom_reach=0.0)[1].iloc[1:]
    talk = run(steps=52, wom_reach=5.0, wom_negative_ratio=0.0, wom_conversion=0.2)[1].iloc[1:]
    assert quiet["acquired_wom"].sum() == 0
    assert talk["acquired_wom"].sum() > 20


# --- churn --------------------------------------------------------------------------

SWITCHED_OFF = dict(need_rate=0.0, fault_rate=0.0, churn_sat_sensitivity=0.0,
                    loyalty_protection=0.0, competitor_pull=0.0, contagion_boost=0.0,
                    wom_reach=0.0, n_prospects=0, turnover_rate=0.0)


def test_constant_hazard_gives_geometric_survival():
    h, n, weeks = 0.01, 20000, 100
    _, ts = run(steps=weeks, n_customers=n, churn_base=h, **SWITCHED_OFF)
    p = 1 - np.exp(-h)
    t = ts["step"].to_numpy()
    expected = (1 - p) ** t
    se = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(ts["retention"].to_numpy() - expected) <= 4 * se + 1e-9)
    assert (ts["churn_dissatisfaction"] == ts["churned"]).all()


def test_dissatisfaction_raises_the_hazard_exponentially():
    m = _model(churn_sat_sensitivity=6.0, contagion_boost=0.0)
    c = m.cust
    act = np.flatnonzero(c.status == ACTIVE)[:2]
    c.satisfaction[act] = [0.7, 0.4]
    c.relationship[act] = 0.0
    c.switching_cost[act] = 0.0
    c.wom[act] = 0.0
    dis, comp, cont = hazards(c, act, m.params)
    assert dis[1] / dis[0] == pytest.approx(np.exp(6.0 * 0.3), rel=1e-4)
    assert comp[0] == comp[1]  # the competitor pulls whatever the satisfaction


def test_relationship_and_switching_cost_shield_customers():
    m = _model(loyalty_protection=0.6)
    c = m.cust
    act = np.flatnonzero(c.status == ACTIVE)[:2]
    c.satisfaction[act] = 0.7
    c.wom[act] = 0.0
    c.relationship[act] = [0.0, 1.0]
    c.switching_cost[act] = [0.0, 1.0]
    dis, comp, _ = hazards(c, act, m.params)
    assert dis[1] / dis[0] == pytest.approx(0.4, rel=1e-5)
    assert comp[1] / comp[0] == pytest.approx(0.4, rel=1e-5)


def test_a_neighbours_defection_raises_the_hazard_by_the_contagion_boost():
    m = _model(contagion_boost=0.8)
    c = m.cust
    act = np.flatnonzero(c.status == ACTIVE)[:2]
    c.exposure[act] = [0.0, 1.0]
    c.satisfaction[act] = 0.7
    c.relationship[act] = 0.3
    c.switching_cost[act] = 0.3
    c.wom[act] = 0.0
    dis, comp, cont = hazards(c, act, m.params)
    assert cont[0] == 0.0
    assert (dis[1] + comp[1] + cont[1]) / (dis[0] + comp[0]) == pytest.approx(1.8, rel=1e-5)


def test_contagion_churn_needs_contagion():
    off = run(steps=52, contagion_boost=0.0)[1]
    on = run(steps=52, contagion_boost=5.0)[1]
    assert off["churn_contagion"].sum() == 0
    assert on["churn_contagion"].sum() > 10


def test_competitor_pull_churns_even_satisfied_customers():
    _, ts = run(steps=52, competitor_pull=0.02, alternative_attractiveness=1.0,
                churn_base=0.0, contagion_boost=0.0)
    assert ts["churn_dissatisfaction"].sum() == 0
    assert ts["churn_competitor"].sum() > 0.3 * 1500 * (1 - np.exp(-0.02 * 0.6 * 52))


def test_every_churn_has_a_cause():
    m, ts = run(steps=52)
    causes = [c for c in ts.columns if c.startswith("churn_")]
    assert (ts[causes].sum(axis=1) == ts["churned"]).all()
    gone = m.cust.status == 2
    assert (m.cust.cause[gone] >= 0).all() and (m.cust.cause[~gone] == -1).all()
