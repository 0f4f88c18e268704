"""The organisation: network shape, hand-off access, bridges, learning, turnover."""

import numpy as np

from sim import OrganisationModel
from sim.model.networks import build_org_network, department_access, edge_arrays
from sim.model.organisation import (ACCOUNT_DEPT, DEPT, assign_departments, create_employees, staff_shares,
                              learn)
from sim.model.params import resolve

from helpers import run, small


def _cross_edges(g):
    return sum(1 for u, v in g.edges() if g.nodes[u]["dept"] != g.nodes[v]["dept"])


def test_silo_barrier_thins_cross_department_ties(rng):
    dept = assign_departments(300, rng, staff_shares(resolve()))
    open_org = build_org_network(dept, resolve({"silo_barrier": 0.0, "bridges": 0}), rng)
    closed = build_org_network(dept, resolve({"silo_barrier": 1.0, "bridges": 0}), rng)
    half = build_org_network(dept, resolve({"silo_barrier": 0.5, "bridges": 0}), rng)
    assert _cross_edges(closed) == 0  # islands
    # expected cross ties: n * cross_degree * (1 - barrier) / 2 = 600
    assert 0.85 * 600 < _cross_edges(open_org) < 1.15 * 600
    assert 0.35 < _cross_edges(half) / _cross_edges(open_org) < 0.65


def test_departments_are_dense_inside(rng):
    dept = assign_departments(300, rng, staff_shares(resolve()))
    g = build_org_network(dept, resolve({"silo_barrier": 0.0, "bridges": 0}), rng)
    within = g.number_of_edges() - _cross_edges(g)
    assert within > 1.6 * _cross_edges(g)  # within_degree 8 vs cross_degree 4: 1200 vs 600


def test_bridges_add_ties_across_a_full_barrier(rng):
    dept = assign_departments(300, rng, staff_shares(resolve()))
    p = resolve({"silo_barrier": 1.0, "bridges": 2, "bridge_ties": 5})
    g = build_org_network(dept, p, rng)
    kinds = [d["kind"] for _, _, d in g.edges(data=True)]
    # 15 department pairs x 2 spanners x 5 ties, a few may coincide
    assert 130 <= kinds.count("bridge") <= 150
    assert _cross_edges(g) == kinds.count("bridge")


def test_access_is_zero_across_a_closed_border_and_raised_by_bridges(rng):
    dept = assign_departments(300, rng, staff_shares(resolve()))
    for bridges, low, high in [(0, 0.0, 0.0), (3, 0.15, 0.9)]:
        p = resolve({"silo_barrier": 1.0, "bridges": bridges})
        u, v = edge_arrays(build_org_network(dept, p, rng))
        access = department_access(u, v, dept, 6)
        other = access[dept != 0, 0]  # everyone outside sales, towards sales
        assert low <= other.mean() <= high
        assert np.all(access[np.arange(300), dept] == 1.0)


def test_new_hires_learn_from_colleagues_and_silos_slow_cross_department_learning(rng):
    results = {}
    for barrier in (0.0, 0.9):
        p = resolve({"n_employees": 120, "silo_barrier": barrier, "bridges": 0})
        emp = create_employees(p, np.random.default_rng(3))
        emp.skill[:] = 0.9
        emp.knowledge[:] = 0.8
        novices = np.arange(0, 120, 6)
        emp.skill[novices] = 0.2
        emp.knowledge[novices] = 0.0
        for _ in range(20):
            learn(emp, p)
        results[barrier] = (emp.skill[novices].mean(), emp.knowledge[novices].mean())
    skill_open, know_open = results[0.0]
    skill_silo, know_silo = results[0.9]
    assert skill_open > 0.5 and skill_silo > 0.5  # colleagues inside the department teach
    assert know_open > 0.3  # knowledge of other domains needs cross ties
    assert know_silo < know_open / 2


def test_turnover_replaces_leavers_with_low_skill_hires():
    m, ts = run(steps=52, turnover_rate=0.05, n_employees=100)
    left = ts["employee_turnover"].iloc[1:].sum()
    # 100 employees x 52 weeks x 0.05 x (1.5 - engagement ~0.6) = about 234
    assert 150 < left < 330
    assert ts["knowledge_lost"].iloc[1:].sum() > 0
    no_turnover = run(steps=52, turnover_rate=0.0, n_employees=100)[1]
    assert no_turnover["employee_turnover"].sum() == 0


def test_key_persons_hold_more_accounts():
    m = OrganisationModel(small(n_customers=20000, n_prospects=0, n_employees=200,
                                key_person_share=0.2, key_person_weight=4.0), rng=2)
    acc = m.accounts
    sellers = m.org.dept == ACCOUNT_DEPT
    key = m.org.key_person & sellers
    assert key.any() and (sellers & ~key).any()
    ratio = acc[key].mean() / acc[sellers & ~key].mean()
    assert 3.3 < ratio < 4.8
    assert acc[~sellers].sum() == 0  # accounts are owned in sales


def test_staff_shares_set_the_size_of_each_department(rng):
    """Relative headcounts are normalised: support at 0.6 of a 1.0 total gets about 60%
    of 2,000 employees (binomial sd about 1.1 points, so +-4 points is wide)."""
    p = resolve({"staff_sales": 0.1, "staff_marketing": 0.05, "staff_product": 0.1,
                 "staff_support": 0.6, "staff_delivery": 0.1, "staff_billing": 0.05})
    dept = assign_departments(2000, rng, staff_shares(p))
    share = np.bincount(dept, minlength=6) / 2000
    assert abs(share[DEPT["support"]] - 0.6) < 0.04
    assert abs(share[DEPT["marketing"]] - 0.05) < 0.02
    assert np.all(np.bincount(assign_departments(6, rng, staff_shares(p))) == 1)  # one each


def test_the_ties_as_arrays_are_the_graphs_edge_arrays_in_networkx_order():
    """tie_arrays (a batch's employee network, no networkx) gives edge_arrays of the
    graph build_org_network makes from the same draws: the same edges in networkx's
    order, each with the kind it was given last (ties drawn twice: small departments,
    many cross ties and bridges)."""
    from sim.model.networks import TIE_KINDS, org_ties, tie_arrays

    for seed in range(40):
        ctl = np.random.default_rng(seed)
        n = int(ctl.integers(6, 40))
        dept = np.sort(np.concatenate([np.arange(6), ctl.integers(0, 6, n - 6)]))
        p = resolve({"silo_barrier": float(ctl.uniform(0, 1)), "bridges": int(ctl.integers(0, 6)),
                     "cross_degree": float(ctl.uniform(0, 8)),
                     "within_degree": float(ctl.uniform(1, 6))})
        u, v, kind = edge_arrays(build_org_network(dept, p, np.random.default_rng(seed)), "kind")
        a, b, k = org_ties(dept, p, np.random.default_rng(seed))
        tu, tv, tk = tie_arrays(n, a, b, k)
        assert np.array_equal(u, tu) and np.array_equal(v, tv)
        assert list(kind) == [TIE_KINDS[i] for i in tk]
