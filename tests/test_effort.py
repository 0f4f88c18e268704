"""Employees choose their effort (sim.model.effort): the logit choice leans towards what
the reward pays and what effort is seen to achieve, with inertia; frozen, the reward
scheme changes nothing; running, volume rewards win year-one sales and lose customers
by year three (the multitask pattern, Holmstrom & Milgrom 1991)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import OrganisationModel, load_scenario
from sim.model.effort import NEUTRAL, target_promising, target_shares
from sim.model.organisation import DEPT

KW = dict(n_customers=2000, n_prospects=2000, n_employees=40)


def test_the_choice_leans_to_what_the_reward_pays_and_is_the_jobs_own_at_neutral():
    dept = np.array([DEPT["sales"], DEPT["marketing"], DEPT["support"]])
    ones = np.ones(3)
    neutral = target_shares(dept, np.full(3, 0.5), ones, ones, 1.5)
    np.testing.assert_allclose(neutral, NEUTRAL[dept])
    volume = target_shares(dept, np.zeros(3), ones, ones, 1.5)
    value = target_shares(dept, np.ones(3), ones, ones, 1.5)
    assert volume[0, 0] == pytest.approx(0.85, abs=0.02) and value[0, 0] == pytest.approx(0.21, abs=0.02)
    assert value[0, 2] > 1.5 * neutral[0, 2] > 2 * volume[0, 2]  # developing accounts
    assert volume[2, 0] < 0.2 and value[2, 0] < 0.02  # support sells a little, if at all
    # no incentive strength: the job's own shares whatever the reward
    np.testing.assert_allclose(target_shares(dept, np.zeros(3), ones, ones, 0.0), NEUTRAL[dept])
    assert target_promising(np.array([0.0, 0.5, 1.0]), 1.5) == pytest.approx([0.818, 0.5, 0.182], abs=1e-3)


def test_what_effort_is_seen_to_achieve_moves_it():
    dept = np.array([DEPT["sales"]] * 2)
    m = np.full(2, 0.5)
    shares = target_shares(dept, m, np.array([1.0, 0.0]), np.ones(2), 1.5)
    assert shares[1, 0] < shares[0, 0] - 0.15  # no prospects left to win: less selling
    shares = target_shares(dept, m, np.ones(2), np.array([1.0, 0.2]), 1.5)
    assert shares[1, 1] < shares[0, 1]  # serving that resolves little: less serving


def test_employees_adapt_over_a_quarter_and_freezing_stops_them():
    m = OrganisationModel(load_scenario("baseline", **KW, reward_mix=1.0, effort_adapt=0.1), rng=1)
    sales = m.org.dept == DEPT["sales"]
    m.org.sell[sales] = NEUTRAL[DEPT["sales"], 0]  # a firm just told its bonus changed
    m.run(26)
    assert m.org.sell[sales].mean() < 0.3  # most of the way to about 0.21 in half a year
    frozen = OrganisationModel(load_scenario("baseline", **KW, reward_mix=1.0, effort_adapt=0.0), rng=1)
    frozen.run(26)
    np.testing.assert_array_equal(frozen.org.sell[sales], NEUTRAL[DEPT["sales"], 0])


def test_frozen_the_reward_scheme_changes_nothing():
    runs = []
    for reward in (0.0, 1.0):
        m = OrganisationModel(load_scenario("baseline", **KW, reward_mix=reward, effort_adapt=0.0), rng=4)
        m.run(52)
        runs.append(m.timeseries())
    assert runs[0].equals(runs[1])


def _gap(adapt: float, seeds=range(6)) -> tuple[np.ndarray, np.ndarray]:
    acq, ret = [], []
    for seed in seeds:
        out = {}
        for reward in (0.0, 1.0):
            m = OrganisationModel(load_scenario("baseline", **KW, reward_mix=reward,
                                                effort_adapt=adapt), rng=seed)
            m.run(156)
            ts = m.timeseries()
            out[reward] = (ts["acquired"].iloc[1:53].sum(), ts["retention"].iloc[-1])
        acq.append(out[0.0][0] - out[1.0][0])
        ret.append(out[0.0][1] - out[1.0][1])
    return np.array(acq), np.array(ret)


def _ci(x: np.ndarray) -> tuple[float, float]:
    half = 2.571 * x.std(ddof=1) / np.sqrt(len(x))  # t(0.975, 5)
    return x.mean() - half, x.mean() + half


def test_volume_rewards_win_year_one_sales_and_lose_year_three_customers_by_choice():
    acq, ret = _gap(0.1)
    assert _ci(acq)[0] > 0  # volume wins more customers in year one (paired, 95%)
    assert _ci(ret)[1] < 0  # ... and keeps fewer of its starting customers by year three
    acq0, ret0 = _gap(0.0, seeds=range(2))
    assert (acq0 == 0).all() and (ret0 == 0).all()  # frozen: no difference at all


def test_the_shared_record_goes_stale_when_overloaded_staff_skip_its_upkeep():
    kept = OrganisationModel(load_scenario("customer_centric", **KW), rng=2)
    swamped = OrganisationModel(load_scenario("customer_centric", **KW, capacity=2.0), rng=2)
    for m in (kept, swamped):
        m.run(52)
    assert kept.timeseries()["record_quality"].iloc[-1] > 0.7  # shared_record 0.8, mostly kept up
    ts = swamped.timeseries()
    assert ts["unanswered"].iloc[1:].mean() > 0.5
    assert ts["record_quality"].iloc[-1] < 0.6  # half the upkeep skipped for a year
    assert ts["record_quality"].is_monotonic_decreasing
