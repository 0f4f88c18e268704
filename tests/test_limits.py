"""Inside the allowed ranges nothing fails silently: at every parameter's limits and in
random extreme combinations the outputs are finite and customers leave as often as
their hazards say; a network without edges, the largest workforce and the smallest
market run."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from sim import OrganisationModel, load_scenario
from sim.model import churn
from sim.model.params import PARAMS_LIST
from sim.model.phases import churn_

SMALL = dict(n_customers=150, n_prospects=150, n_employees=12)
SCALE = {"n_customers", "n_prospects", "n_employees"}
NUMERIC = [p for p in PARAMS_LIST if p.kind is not str and p.name not in SCALE]


def _keep_within(values: dict) -> dict:
    """Word of mouth's reach and amplification multiply into messages per teller; both
    at their maxima would send a million messages per unhappy customer a week, which
    the resource check (not this test) refuses. Hold their product to 10,000."""
    reach, amp = values.get("wom_reach", 1.0), values.get("social_amplification", 1.0)
    if reach * amp > 1e4:
        values["wom_reach"] = 1e4 / amp
    return values


class Watched(OrganisationModel):
    """The model, with every week's churn hazards and churners kept for the test."""

    def __init__(self, *a, **kw):
        self.seen: list[tuple[np.ndarray, int]] = []
        super().__init__(*a, **kw)

    schedule = OrganisationModel.schedule.wrap(
        "churn", lambda inner, model, week: model.watch(inner, week))

    def watch(self, inner, week) -> None:
        ev = self.events
        parts = churn.hazards(self.cust, week.active, self.params, ev.attractiveness_shift,
                              tuple(ev.risk))
        total = sum(np.broadcast_to(np.asarray(h, np.float64), week.active.shape) for h in parts)
        before = int(np.count_nonzero(self.cust.status == 1))
        inner(self, week)
        left = before - int(np.count_nonzero(self.cust.status == 1))
        self.seen.append((total, left))


def _check(values: dict, seed: int, steps: int = 4) -> None:
    m = Watched(load_scenario("baseline", **SMALL, **values), rng=seed)
    m.run(steps)
    ts = m.timeseries()
    numeric = ts.select_dtypes("number").to_numpy(dtype=float)
    assert np.isfinite(numeric).all(), f"{values}: outputs not finite in {list(ts.columns[~np.isfinite(numeric).all(0)])}"
    for total, left in m.seen:
        assert np.isfinite(total).all() and (total >= 0).all(), f"{values}: hazard {total}"
        p = 1.0 - np.exp(-total)
        expected, sd = p.sum(), np.sqrt((p * (1 - p)).sum())
        assert abs(left - expected) <= 5 * sd + 2, f"{values}: {left} left, hazards say {expected:.1f}"


@pytest.mark.parametrize("param", NUMERIC, ids=[p.name for p in NUMERIC])
def test_every_parameter_at_its_limits_gives_finite_outputs_and_churn_as_hazards_say(param):
    for value in (param.low, param.high):
        _check(_keep_within({param.name: param.kind(value)}), seed=1)


def test_sixty_random_extreme_combinations_hold_too():
    rng = np.random.default_rng(2026)
    for k in range(60):
        chosen = rng.choice(len(NUMERIC), size=12, replace=False)
        values = {NUMERIC[i].name: NUMERIC[i].kind(NUMERIC[i].low if rng.random() < 0.5 else NUMERIC[i].high)
                  for i in chosen}
        _check(_keep_within(values), seed=k)


def test_a_hazard_past_single_precision_is_capped_not_nan():
    m = OrganisationModel(load_scenario("baseline", **SMALL, churn_sat_sensitivity=50.0,
                                        satisfaction_ref=1.0, loyalty_protection=1.0), rng=1)
    c = m.cust
    active = churn.active_index(c)
    c.satisfaction[active] = 0.0
    c.wom[active] = -1.0
    c.relationship[active[:5]] = 1.0
    c.switching_cost[active[:5]] = 1.0  # a shield of 0: inf x 0 was NaN before the cap
    dis = churn.hazards(c, active, m.params)[0]
    assert np.isfinite(dis).all() and (dis[:5] == 0).all() and (dis[5:] > 1e20).all()
    m.run(1)
    assert np.count_nonzero(c.status[active[5:]] == 1) == 0  # everyone unshielded left


def test_one_customer_and_no_prospects_a_network_without_edges():
    m = OrganisationModel(load_scenario("baseline", n_customers=1, n_prospects=0,
                                        n_employees=6, need_rate=1.0, fault_rate=1.0), rng=1)
    assert len(m.network.indices) == 0
    m.run(20)
    assert m.timeseries()["contacts"].sum() > 0


def test_the_largest_workforce_builds_in_memory_linear_in_its_size():
    # VmHWM, this process's own peak (ru_maxrss would carry pytest's across exec)
    code = ("import json; from sim import OrganisationModel, load_scenario; "
            "m = OrganisationModel(load_scenario('baseline', n_customers=1000, n_prospects=0, "
            "n_employees=200000), rng=1); m.run(1); "
            "hwm = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]; "
            "print(json.dumps([m.org.n, m.org.graph.number_of_edges(), hwm / 1024]))")
    n, edges, peak_mb = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                                  capture_output=True, text=True).stdout)
    assert n == 200_000
    # within_degree 8 and cross_degree 4 x (1 - silo_barrier 0.5): 10 ties each, 1M edges
    assert 0.9e6 < edges < 1.1e6
    assert peak_mb < 2_000  # all pairs of a 33,000-person department took ~13 GB
