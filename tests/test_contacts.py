"""Contacts and resolution: hand-offs across borders, capacity, failure demand,
mandate, self-service, scattered information."""

import numpy as np

from helpers import run


def _handoff_weeks(ts):
    return ts[ts["handoffs"] > 0]


def test_no_handoff_fails_without_silo_barrier():
    _, ts = run(steps=30, silo_barrier=0.0, bridges=0)
    weeks = _handoff_weeks(ts)
    assert weeks["handoffs"].sum() > 500
    assert (weeks["handoff_success"] == 1.0).all()


def test_no_handoff_succeeds_at_full_barrier_without_bridges():
    _, ts = run(steps=30, silo_barrier=1.0, bridges=0)
    weeks = _handoff_weeks(ts)
    assert weeks["handoffs"].sum() > 500
    assert (weeks["handoff_success"] == 0.0).all()


def test_bridges_raise_cross_border_resolution():
    none = run(steps=40, silo_barrier=0.9, bridges=0)[1]
    many = run(steps=40, silo_barrier=0.9, bridges=6)[1]
    s0 = _handoff_weeks(none)["handoff_success"].mean()
    s6 = _handoff_weeks(many)["handoff_success"].mean()
    assert s6 > s0 + 0.15, (s0, s6)
    assert many["failure_demand_share"].iloc[1:].mean() < none["failure_demand_share"].iloc[1:].mean()


def test_more_capacity_lowers_failure_demand():
    tight = run(steps=40, capacity=3.0)[1].iloc[1:]
    ample = run(steps=40, capacity=40.0)[1].iloc[1:]
    assert tight["unanswered"].mean() > 0.3
    assert ample["unanswered"].mean() < 0.05
    assert tight["failure_demand_share"].mean() > ample["failure_demand_share"].mean() + 0.15
    assert tight["mean_wait"].mean() > ample["mean_wait"].mean()


def test_zero_capacity_answers_nothing():
    body = run(steps=5, capacity=0.0)[1].iloc[1:]
    # no employee answers: only the complaints customers take to management are put right
    assert np.allclose(body["unanswered"], 1.0 - body["escalated"] / body["contacts"])
    assert (body["first_contact_resolution"] == 0.0).all()
    quiet = run(steps=5, capacity=0.0, complaint_escalation=0.0)[1].iloc[1:]
    assert (quiet["unanswered"] == 1.0).all()


def test_mandate_resolves_on_the_spot_instead_of_handing_off():
    low = run(steps=30, mandate=0.0)[1].iloc[1:]
    high = run(steps=30, mandate=1.0)[1].iloc[1:]
    assert high["handoffs"].sum() < 0.05 * low["handoffs"].sum()
    assert high["first_contact_resolution"].mean() > low["first_contact_resolution"].mean() + 0.1


def test_self_service_meets_needs_without_an_employee():
    none = run(steps=20, self_service=0.0, fault_rate=0.0)[1].iloc[1:]
    full = run(steps=20, self_service=1.0, self_service_success=1.0, fault_rate=0.0)[1].iloc[1:]
    # information and usage help are 60% of needs; all of them are met by self-service
    ratio = full["contacts"].sum() / none["contacts"].sum()
    assert 0.3 < ratio < 0.55, ratio
    failing = run(steps=20, self_service=1.0, self_service_success=0.0, fault_rate=0.0)[1].iloc[1:]
    assert abs(failing["contacts"].sum() / none["contacts"].sum() - 1) < 0.1  # failures become contacts


def test_scattered_information_misroutes_contacts_into_handoffs():
    one_place = run(steps=30, info_scatter=0.0, cross_need=0.0)[1].iloc[1:]
    scattered = run(steps=30, info_scatter=0.8, cross_need=0.0)[1].iloc[1:]
    assert one_place["handoffs"].sum() == 0  # everything lands where the answer is
    assert scattered["handoffs"].sum() > 0
    assert scattered["first_contact_resolution"].mean() < one_place["first_contact_resolution"].mean() - 0.3


def test_unresolved_contacts_come_back_as_failure_demand():
    no_repeat = run(steps=30, repeat_rate=0.0, fault_rate=0.0)[1].iloc[1:]
    repeats = run(steps=30, repeat_rate=1.0, fault_rate=0.0)[1].iloc[1:]
    assert no_repeat["failure_demand_share"].max() == 0.0  # no faults, no repeats
    assert repeats["failure_demand_share"].mean() > 0.1
    assert repeats["contacts"].sum() > no_repeat["contacts"].sum()


def test_contact_volume_follows_need_and_fault_rates():
    _, ts = run(steps=20, need_rate=0.1, fault_rate=0.0, self_service=0.0, repeat_rate=0.0,
                n_prospects=0, marketing_rate=0.0)
    per_customer = ts["contacts"].iloc[1:] / ts["active_customers"].shift(1).iloc[1:]
    assert abs(per_customer.mean() - 0.1) < 0.01
