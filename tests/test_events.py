"""Disruptions and transformations: each event against the same run without it (same
seed), and the acceptance comparisons of issue 3."""

import numpy as np
import pytest

from sim import OrganisationModel, ScenarioError, load_scenario
from sim.cli import main
from sim.model.events import EventError

from helpers import mean_ci

KW = dict(n_customers=2000, n_prospects=2000, n_employees=40)


def twins(name="baseline", at=26, seed=1, **kw):
    """Two identical models run to week ``at``: (without the event, to receive it)."""
    a = OrganisationModel(load_scenario(name, **{**KW, **kw}), rng=seed)
    b = OrganisationModel(load_scenario(name, **{**KW, **kw}), rng=seed)
    a.run(at)
    b.run(at)
    return a, b


def after(a, b, weeks):
    a.run(weeks)
    b.run(weeks)
    return a.timeseries(), b.timeseries()


# --- input ------------------------------------------------------------------------

def _write(tmp_path, body):
    f = tmp_path / "s.toml"
    f.write_text('preset = "baseline"\nsteps = 52\n' + body)
    return f


@pytest.mark.parametrize("body, words", [
    ('[[events]]\nat = 10\nkind = "meteor"\n', ["events[0]", "meteor", "key_person_loss"]),
    ('[[events]]\nat = 60\nkind = "substitute"\n', ["events[0].at", "60", "1 to 52"]),
    ('[[events]]\nat = 5\nkind = "customer_contact_change"\nshare = 1.5\n',
     ["events[0].share", "1.5", "0 to 1"]),
    ('[[events]]\nat = 5\nkind = "merger"\nstyle = "hostile"\n', ["style", "absorb"]),
    ('[[events]]\nkind = "merger"\n', ["events[0]", "'at'"]),
    ('[[events]]\nat = 5\nkind = "viral_complaint"\nloudness = 3\n', ["loudness", "reach"]),
])
def test_bad_events_are_refused_in_one_line_naming_the_field(tmp_path, body, words):
    f = _write(tmp_path, body)
    with pytest.raises(ScenarioError) as err:
        load_scenario(f)
    msg = str(err.value)
    assert "\n" not in msg and str(f) in msg
    for w in words:
        assert w in msg


def test_cli_refuses_a_run_shorter_than_its_events(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "key_person_loss_product_centric", "--steps", "10", "--out", str(out)])
    assert code == 2 and not out.exists()
    assert "key_person_loss" in capsys.readouterr().err


def test_trigger_checks_its_parameters():
    m = OrganisationModel(load_scenario("baseline", **KW), rng=1)
    with pytest.raises(EventError, match="share"):
        m.trigger("customer_contact_change", share=2.0)
    with pytest.raises(EventError, match="unknown"):
        m.trigger("volcano")


def test_scheduled_events_fire_at_their_step_and_are_logged():
    m = OrganisationModel(load_scenario("customer_contact_change", **KW), rng=1)
    m.run(25)
    assert m.event_log == []
    m.run(1)
    assert [(s, k) for s, k, _ in m.event_log] == [(26, "customer_contact_change")]


# --- each event against its twin -------------------------------------------------------

def test_key_person_loss_moves_their_accounts_and_costs_customers():
    a, b = twins("product_centric")
    owners = b.cust.owner.copy()
    top = np.argsort(-b.accounts)[:2]
    b.trigger("key_person_loss", count=2)
    moved = owners != b.cust.owner
    assert set(np.unique(owners[moved])) <= set(top.tolist())
    assert not np.isin(b.cust.owner[b.cust.status == 1], top).any()
    assert b.cust.relationship[moved].max() == 0.0  # nothing kept in a shared record
    ta, tb = after(a, b, 26)
    assert tb["churn_key_person"].sum() > 20
    assert ta["churn_key_person"].sum() == 0
    assert tb["retention"].iloc[-1] < ta["retention"].iloc[-1] - 0.02


def test_customer_contact_change_costs_customers_whatever_their_satisfaction():
    a, b = twins("customer_centric")
    b.trigger("customer_contact_change", share=0.5, hazard=0.05)
    ta, tb = after(a, b, 20)
    assert tb["churn_contact_change"].sum() > 30
    # satisfaction is not what drives it
    assert abs(tb["mean_satisfaction"].iloc[-1] - ta["mean_satisfaction"].iloc[-1]) < 0.02


def test_competitor_leap_doubles_the_competitor_hazard():
    a, b = twins(n_customers=20000, n_prospects=0, churn_base=0.0, contagion_boost=0.0)
    b.trigger("competitor_leap", amount=0.5)  # attractiveness 0.5 -> 1.0
    ta, tb = after(a, b, 26)
    ratio = tb["churn_competitor"].iloc[-26:].sum() / ta["churn_competitor"].iloc[-26:].sum()
    assert 1.7 < ratio < 2.3


def test_competitor_leap_can_ramp_and_hit_one_segment():
    m = OrganisationModel(load_scenario("baseline", **KW), rng=1)
    m.trigger("competitor_leap", amount=0.4, ramp_weeks=4, segment="b2b")
    m.run(2)
    assert m.events.attractiveness_shift.tolist() == pytest.approx([0.0, 0.2])
    m.run(4)
    assert m.events.attractiveness_shift.tolist() == pytest.approx([0.0, 0.4])


def test_substitute_docks_with_the_bass_equation_when_fully_mixed():
    p, q, weeks = 0.03, 0.38, 520
    m = OrganisationModel(load_scenario("baseline", n_customers=10000, n_prospects=10000,
                                        n_employees=200), rng=3)
    m.trigger("substitute", p=p, q=q, mixing="full")
    m.run(weeks - 1)
    sim = np.array(m.events.substitute.history)
    t = np.arange(1, len(sim) + 1) / 52.0
    e = np.exp(-(p + q) * t)
    bass = (1 - e) / (1 + (q / p) * e)
    # 20,000 adopters-to-be: binomial noise under 0.004; weekly steps add under 0.01
    assert np.max(np.abs(sim - bass)) < 0.02


def test_substitute_shrinks_both_firms_whatever_their_satisfaction():
    for name in ("customer_centric", "product_centric"):
        a, b = twins(name)
        b.trigger("substitute", p=0.05, q=0.8)
        ta, tb = after(a, b, 104)
        assert tb["churn_substitute"].sum() > 0.15 * 2000
        assert tb["retention"].iloc[-1] < ta["retention"].iloc[-1] - 0.1
        assert tb["prospects"].iloc[-1] < ta["prospects"].iloc[-1]


def test_viral_complaint_reaches_far_and_costs_customers_and_prospects():
    a, b = twins(social_amplification=20.0, n_prospects=20000)
    b.trigger("viral_complaint", reach=500.0)
    poster = b.events.viral_poster
    assert b.cust.satisfaction[poster] == 0.0
    heard = np.count_nonzero(b.cust.wom <= -0.4)
    assert heard > 0.9 * 500 * 20  # amplified reach, far beyond ~10 neighbours
    ta, tb = after(a, b, 13)
    assert tb["churn_viral"].sum() > 10
    assert tb["acquired"].iloc[-13:].sum() < ta["acquired"].iloc[-13:].sum()


def test_merger_adds_staff_and_customers_and_disrupts_service():
    a, b = twins("baseline")
    emp0, act0 = b.org.n, int(np.count_nonzero(b.cust.status == 1))
    b.trigger("merger", size=0.5)
    assert b.org.n == emp0 + round(0.5 * emp0)
    assert np.count_nonzero(b.cust.status == 1) == act0 + round(0.5 * act0)
    assert len(b.employees) == b.org.n
    ta, tb = after(a, b, 8)
    assert tb["churn_merger"].sum() > 0
    assert tb["first_contact_resolution"].iloc[-8:].mean() < ta["first_contact_resolution"].iloc[-8:].mean() - 0.05


def test_a_separate_merger_waits_then_integrates():
    m = OrganisationModel(load_scenario("baseline", **KW), rng=2)
    m.trigger("merger", style="separate", integration_weeks=20)
    m.run(10)
    assert m.events.separate_units and m.events.unit_border == 0.0
    assert m.timeseries()["churn_merger"].sum() == 0
    m.run(11)
    assert not m.events.separate_units and m.events.unit_border > 0
    m.run(6)
    assert m.events.unit_border == 0.0 and (m.org.unit == 0).all()


def test_announced_promise_raises_expectations_first():
    a, b = twins("product_centric")
    before = b.cust.expectation[b.cust.status == 1].mean()
    b.trigger("announce_promise", amount=0.1, lag=13)
    assert b.cust.expectation[b.cust.status == 1].mean() == pytest.approx(before + 0.1, abs=0.01)
    ta, tb = after(a, b, 8)
    assert tb["mean_satisfaction"].iloc[-1] < ta["mean_satisfaction"].iloc[-1]
    assert b.params["silo_barrier"] == a.params["silo_barrier"]  # not adapting yet


# --- acceptance: customer- vs product-centric -------------------------------------------

def _key_person(name, seed):
    a, b = twins(name, seed=seed)
    owners = b.cust.owner.copy()
    b.trigger("key_person_loss", count=2)
    hit = np.flatnonzero((b.cust.status == 1) & (b.cust.owner != owners))
    pre = a.cust.relationship[hit].mean()
    recovery = 52
    for week in range(1, 53):
        a.step()
        b.step()
        alive = hit[b.cust.status[hit] == 1]
        if recovery == 52 and b.cust.relationship[alive].mean() >= 0.9 * pre:
            recovery = week
    dip = a.timeseries()["retention"].iloc[52] - b.timeseries()["retention"].iloc[52]
    return dip, recovery


def _merger(name, seed):
    a, b = twins(name, seed=seed)
    ours = np.flatnonzero(b.cust.status == 1)
    pre = b.cust.relationship[ours].mean()
    b.trigger("merger")
    recovery = 52
    for week in range(1, 53):
        a.step()
        b.step()
        alive = ours[b.cust.status[ours] == 1]
        if recovery == 52 and week > 1 and b.cust.relationship[alive].mean() >= 0.95 * pre:
            recovery = week
    dip = a.timeseries()["retention"].iloc[52] - b.timeseries()["retention"].iloc[52]
    return dip, recovery


@pytest.mark.parametrize("event", [_key_person, _merger], ids=["key_person_loss", "merger"])
def test_customer_centric_firm_dips_less_and_recovers_faster(event):
    """20 seeds each. Dip: the starting customers lost 26 weeks after the event beyond
    the twin without it. Recovery: weeks until the relationships of the customers hit
    are back to 90% (key person) or 95% (merger) of what they were."""
    seeds = range(20)
    pc = np.array([event("product_centric", s) for s in seeds])
    cc = np.array([event("customer_centric", s) for s in seeds])
    for k in (0, 1):  # dip, recovery: the 95% interval of the difference excludes 0
        diff_mean, lo, hi = mean_ci(pc[:, k] - cc[:, k])
        assert lo > 0, (k, diff_mean, lo, hi)
    # measured: 1.4x after a merger (3.7% against 2.6% of the starting customers), 4.3x
    # after key people leave; faults customers keep to themselves (sim.model.complaints)
    # narrowed the merger's gap from the 2.6x it was without them
    assert pc[:, 0].mean() > 1.2 * cc[:, 0].mean()


def test_transformation_makes_a_j_curve():
    """Paired over 8 seeds against staying product-centric: behind in the first year of
    the transition (capacity and people lost first), ahead by the end."""
    mid, end = [], []
    for seed in range(8):
        a, b = twins("product_centric", seed=seed, n_customers=3000, n_prospects=3000,
                     n_employees=60)
        b.trigger("transformation", weeks=104, capacity_cost=0.4, turnover_boost=1.0)
        ta, tb = after(a, b, 156)
        gap = tb["retention"] - ta["retention"]
        mid.append(gap.iloc[26 + 26])
        end.append(gap.iloc[-1])
    m_mid, _, hi_mid = mean_ci(mid)
    m_end, lo_end, _ = mean_ci(end)
    assert hi_mid < 0, mid
    # measured with the costs of customer focus in (sim.model.effort, the coordination
    # time of bridges and the record): 6 points ahead at the end (was 14 without them)
    assert lo_end > 0.03, end
