"""The model as a whole: presets, reproducibility, Mesa agents, collected data."""

import mesa
import numpy as np
import pandas as pd
import pytest

from sim import OrganisationModel, load_scenario
from sim.model.agents import Customer, Department, Employee
from sim.model.metrics import columns
from sim.model.networks import scale_free, small_world
from sim.model.params import LEVERS, PARAMS

from helpers import mean_ci, run, small

THREE_YEARS = 156
SEEDS = range(6)


def _retention(name, seed, **kw):
    m = OrganisationModel(load_scenario(name, **kw), rng=seed)
    m.run(THREE_YEARS)
    return m.timeseries()["retention"].iloc[-1]


def test_presets_differ_in_exactly_the_levers():
    pc, cc = load_scenario("product_centric").params, load_scenario("customer_centric").params
    differ = {k for k in pc if pc[k] != cc[k]}
    assert differ == set(LEVERS)
    assert all(PARAMS[k].group == "organisation" for k in LEVERS)
    base = load_scenario("baseline").params
    for k in LEVERS:  # baseline sits in between on every organisational axis
        lo, hi = sorted([pc[k], cc[k]])
        assert lo <= base[k] <= hi, k


def test_customer_centric_keeps_clearly_more_customers_after_three_years():
    cc = [_retention("customer_centric", s) for s in SEEDS]
    pc = [_retention("product_centric", s) for s in SEEDS]
    m_cc, lo_cc, _ = mean_ci(cc)
    m_pc, _, hi_pc = mean_ci(pc)
    assert lo_cc > hi_pc  # 95% intervals do not overlap
    assert m_cc - m_pc > 0.15  # about 0.82 vs 0.53 at the defaults


def test_the_difference_vanishes_without_organisational_differences():
    cc = load_scenario("customer_centric").params
    same_org = {k: cc[k] for k in LEVERS}
    for seed in (0, 1):
        a = OrganisationModel(load_scenario("customer_centric"), rng=seed)
        b = OrganisationModel(load_scenario("product_centric", **same_org), rng=seed)
        a.run(52)
        b.run(52)
        pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())


def test_same_seed_same_story_other_seed_other_story():
    a = run(steps=30, seed=5)[1]
    b = run(steps=30, seed=5)[1]
    c = run(steps=30, seed=6)[1]
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_datacollector_holds_every_output_column_one_row_per_week():
    m, ts = run(steps=12)
    assert list(ts.columns) == list(columns(m.causes))
    assert list(ts["step"]) == list(range(13))
    required = {"step", "active_customers", "prospects", "acquired", "churned", "retention",
                "mean_satisfaction", "nps", "revenue", "failure_demand_share",
                "first_contact_resolution", "handoffs", "mean_wait", "employees",
                "product_fault_rate", "churn_dissatisfaction", "churn_competitor",
                "churn_contagion"}
    assert required <= set(ts.columns)


def test_stock_and_flow_add_up():
    _, ts = run(steps=40)
    delta = ts["active_customers"].diff().iloc[1:]
    assert (delta == ts["acquired"].iloc[1:] - ts["churned"].iloc[1:]).all()
    assert (ts["prospects"].diff().iloc[1:] == -ts["acquired"].iloc[1:]).all()


def test_departments_and_employees_are_mesa_agents():
    m = OrganisationModel(small(), rng=1)
    assert len(m.departments) == 6 and all(isinstance(d, Department) for d in m.departments)
    assert len(m.employees) == m.org.n
    e = m.employee(3)
    assert isinstance(e, mesa.Agent) and e in m.agents
    assert e.skill == pytest.approx(float(m.org.skill[3]))
    assert sum(len(d.members) for d in m.departments) == m.org.n


def test_a_customer_agent_is_made_on_request_and_reads_live_state():
    m = OrganisationModel(small(), rng=1)
    before = len(m.agents)
    c = m.customer(10)
    assert isinstance(c, Customer) and isinstance(c, mesa.Agent)
    assert len(m.agents) == before + 1
    assert m.customer(10) is c  # made once
    m.cust.satisfaction[10] = 0.123
    assert c.satisfaction == pytest.approx(0.123)
    assert c.status in ("active", "prospect")
    if c.status == "active":
        assert isinstance(c.owner, Employee)
    with pytest.raises(IndexError):
        m.customer(m.cust.n)


def test_small_world_network_has_the_asked_degree_and_no_self_loops(rng):
    net = small_world(5000, 10, 0.1, rng)
    deg = net.degree()
    assert abs(deg.mean() - 10) < 0.3
    src, dst = net.neighbours_of(np.arange(5000))
    assert not np.any(src == dst)
    # undirected: every edge appears both ways
    fwd = set(zip(src.tolist(), dst.tolist()))
    assert all((b, a) in fwd for a, b in list(fwd)[:2000])


def test_scale_free_network_has_hubs(rng):
    sw = small_world(20000, 10, 0.1, rng)
    sf = scale_free(20000, 10, rng)
    assert abs(sf.degree().mean() - 10) < 1.5
    assert sf.degree().max() > 10 * sw.degree().max()


def test_model_runs_on_the_scale_free_network():
    _, ts = run(steps=20, customer_network="scale_free")
    assert ts["active_customers"].iloc[-1] > 0


def test_end_of_run_names_match_what_a_run_reports():
    from sim.files.results import END_METRICS, end_of_run

    m, ts = run(steps=3)
    assert tuple(end_of_run(ts, m.causes)) == END_METRICS


def test_end_of_run_figures_are_pandas_sums_and_means_bit_for_bit():
    """end_of_run reads numpy arrays; its figures are exactly what pandas' Series.sum
    and .mean give (NaN skipped), for a single run's frame, a batched run's frame, a
    frame with gaps and a frame of the start alone."""
    import numpy as np
    from sim import load_scenario
    from sim.files.results import DISCOUNT_PER_YEAR, WEEKS_PER_YEAR, end_of_run
    from sim.model.batch import run_many

    m, single = run(steps=60)
    sc = load_scenario("baseline", n_customers=300, n_prospects=300, n_employees=8)
    batched = run_many(OrganisationModel, [sc, sc], [1, 2], 60, max_batch=2)[1]
    gaps = single.copy()
    gaps.loc[[3, 20, 59], "mean_wait"] = np.nan
    gaps.loc[[5], "revenue"] = np.nan
    for ts in (single, batched, gaps, single.iloc[:1], single.iloc[:30]):
        got = end_of_run(ts, m.causes, m.params)
        window, body = ts.iloc[max(1, len(ts) - WEEKS_PER_YEAR):], ts.iloc[1:]
        assert got["revenue_total"] == float(body["revenue"].sum())
        assert got["profit_total"] == float(body["profit"].sum())
        assert got["churned"] == int(body["churned"].sum())
        if len(body):
            assert got["mean_wait_weeks"] == float(body["mean_wait"].mean())
            assert got["failure_demand_share"] == float(body["failure_demand_share"].mean())
        weekly_churn = (float(window["churned"].sum())
                        / max(float(window["active_customers"].mean()) if len(window) else 0.0,
                              1e-9) / max(len(window), 1))
        assert got["annual_churn_rate"] == min(1.0, weekly_churn * WEEKS_PER_YEAR)
        value = float(window["revenue"].sum()) / max(float(window["active_customers"].sum()), 1e-9)
        discount = (1 + DISCOUNT_PER_YEAR) ** (1 / WEEKS_PER_YEAR) - 1
        assert got["customer_lifetime_value"] == value / (weekly_churn + discount)
        assert got["retention"] == float(ts["retention"].iloc[-1])
        assert got["weeks"] == int(ts["step"].iloc[-1])
