"""The replication axis (sim.model.batch, sim.model.replicas): R runs stepped together
give, bit for bit, the timeseries each gives alone; what cannot be batched runs alone
with the same results; studies batch their small runs and write the same tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import OrganisationModel, load_scenario
from sim.model import Attr
from sim.model.batch import batch_key, batchable_class, run_many
from sim.model.replicas import Replicas, Segments

SIZE = dict(n_customers=300, n_prospects=300, n_employees=20)
STEPS = 30


def single(model_class, scenario, seed, steps=STEPS):
    m = model_class(scenario, rng=seed)
    m.run(steps)
    return m.timeseries()


def assert_same(batched, alone):
    assert list(batched.columns) == list(alone.columns)
    pd.testing.assert_frame_equal(batched, alone, check_exact=True)


@pytest.mark.parametrize("name, overrides", [
    ("baseline", {}),
    ("product_centric", {}),
    ("customer_centric", {}),
    ("customer_centric", dict(customer_network="scale_free")),  # another network type
    ("commodity_market", {}),
    ("baseline", dict(effort_adapt=0.0, n_employees=7)),
    # management overloaded: complaints taken to it are drawn at random (a permutation)
    ("baseline", dict(management_capacity=0.01, repeat_rate=0.9, complaint_escalation=0.9)),
    ("baseline", dict(turnover_rate=0.2, shared_record=0.5, n_prospects=0)),
])
def test_a_batch_gives_each_run_its_single_timeseries_bit_for_bit(name, overrides):
    sc = load_scenario(name, **{**SIZE, **overrides})
    seeds = [3, 17, 2**40 + 5, 123456789]
    batched = run_many(OrganisationModel, [sc] * len(seeds), seeds, STEPS)
    for seed, ts in zip(seeds, batched):
        assert_same(ts, single(OrganisationModel, sc, seed))


def test_replications_that_drift_apart_stay_exact():
    """A high churn: the replications end with very different numbers of customers."""
    sc = load_scenario("product_centric", n_customers=150, n_prospects=60, n_employees=12,
                       churn_base=0.04)
    seeds = list(range(10))
    batched = run_many(OrganisationModel, [sc] * len(seeds), seeds, 40)
    ends = {int(ts["active_customers"].iloc[-1]) for ts in batched}
    assert len(ends) >= 5
    for seed, ts in zip(seeds, batched):
        assert_same(ts, single(OrganisationModel, sc, seed, 40))


def test_mixed_inputs_come_back_in_order_batched_in_chunks_or_alone():
    base = load_scenario("baseline", **SIZE)
    other = load_scenario("customer_centric", **SIZE)
    events = load_scenario("key_person_loss_customer_centric", **SIZE)
    scenarios = [base, other, base, events, other, base]
    seeds = [1, 2, 3, 4, 5, 6]
    out = run_many(OrganisationModel, scenarios, seeds, STEPS, max_batch=2)
    for sc, seed, ts in zip(scenarios, seeds, out):
        assert_same(ts, single(OrganisationModel, sc, seed))


class Points(OrganisationModel):
    """An extension with state and a reporter of its own: never batched."""

    customer_state = OrganisationModel.customer_state + (Attr("points", np.float32, 0.0),)
    reporters = {"points": lambda m: float(m.cust.points.sum())}


def test_what_cannot_be_batched_runs_alone_with_the_same_results():
    events = load_scenario("key_person_loss_customer_centric", **SIZE)
    base = load_scenario("baseline", **SIZE)
    assert batch_key(OrganisationModel, events) is None  # scheduled events
    assert not batchable_class(Points)
    assert batchable_class(OrganisationModel)
    seeds = [8, 9]
    for model_class, sc in ((OrganisationModel, events), (Points, base)):
        out = run_many(model_class, [sc, sc], seeds, STEPS)
        for seed, ts in zip(seeds, out):
            assert_same(ts, single(model_class, sc, seed))


def test_a_patched_step_is_not_batched(monkeypatch):
    """run_many batches the kernel's own week only: a model whose step was replaced
    (as a test or a notebook may do) runs alone."""
    def step(self):
        raise RuntimeError("patched")

    monkeypatch.setattr(OrganisationModel, "step", step)
    assert not batchable_class(OrganisationModel)
    sc = load_scenario("baseline", **SIZE)
    with pytest.raises(RuntimeError, match="patched"):
        run_many(OrganisationModel, [sc, sc], [1, 2], 3)


def test_consecutive_draws_made_as_one_are_the_same_numbers():
    sc = load_scenario("baseline", n_customers=40, n_prospects=40, n_employees=8)
    reps = Replicas(sc.params, [5, 6, 7])
    sizes = np.array([[3, 0, 2], [1, 4, 0], [0, 0, 5]])
    merged = reps.parts(sizes)
    ref = [np.random.default_rng(5), np.random.default_rng(6), np.random.default_rng(7)]
    for r in ref:  # the same creation draws as the replicas made
        from sim.model import organisation
        from sim.model.customers import create_customers
        from sim.model.networks import build_customer_network
        org = organisation.create_employees(sc.params, r)
        build_customer_network(80, sc.params, r)
        create_customers(sc.params, org, r)
    for j in range(3):
        want = np.concatenate([g.random(int(k)) for g, k in zip(ref, sizes[:, j])])
        assert np.array_equal(merged[j], want)


def test_segment_sums_are_numpys_sums_of_each_segment():
    rng = np.random.default_rng(0)
    x = rng.random(400)
    lengths = np.array([0, 1, 3, 7, 8, 9, 17, 130, 3, 1])
    starts = np.cumsum(lengths) - lengths
    seg = Segments(starts, lengths)
    want = np.array([x[s:s + k].sum() for s, k in zip(starts, lengths)])
    assert np.array_equal(seg.sum(x), want)  # exactly: the same pairwise summation


STUDY = """
description = "batched or not"
scenario = "baseline"
steps = 15
replications = 4
seed = 3
metrics = ["retention", "mean_satisfaction", "annual_churn_rate", "profit_total"]
timeseries = ["retention", "active_customers"]
measure = 5
[set]
n_customers = 200
n_prospects = 200
n_employees = 12
[vary]
silo_barrier = [0.2, 0.8]
"""


def test_a_study_writes_identical_tables_with_batching_on_and_off(tmp_path, monkeypatch):
    from sim.experiments import run_experiment

    f = tmp_path / "s.toml"
    f.write_text(STUDY)
    monkeypatch.setenv("ORGSIM_MAX_BATCH", "1")
    run_experiment(f, tmp_path / "alone", workers=1, progress=False)
    monkeypatch.delenv("ORGSIM_MAX_BATCH")
    batched = run_experiment(f, tmp_path / "batched", workers=1, progress=False)
    for table in ("runs.parquet", "timeseries.parquet"):
        a = pd.read_parquet(tmp_path / "alone" / table)
        b = pd.read_parquet(tmp_path / "batched" / table)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert (tmp_path / "alone" / "summary.csv").read_bytes() == \
        (tmp_path / "batched" / "summary.csv").read_bytes()
    assert len(batched.runs) == 8


def test_study_runs_are_grouped_by_shape_and_the_rest_go_alone(tmp_path):
    from sim.experiments import load_experiment
    from sim.experiments.design import Plan
    from sim.experiments.runner import task_of
    from sim.experiments.task import group_tasks

    f = tmp_path / "s.toml"
    f.write_text(STUDY)
    exp = load_experiment(f)
    tasks = [task_of(exp, r) for r in Plan(exp).runs(exp.replications)]
    groups = group_tasks(tasks, workers=1, size=64)
    # the two points differ only in a lever's value (silo_barrier): one shape, one group
    assert [len(g) for g in groups] == [8]
    assert {t.run.point for t in groups[0]} == {0, 1}
    assert [len(g) for g in group_tasks(tasks, workers=2, size=64)] == [4, 4]
    assert [len(g) for g in group_tasks(tasks, workers=1, size=3)] == [3, 3, 2]
    # a different size is another shape
    f2 = tmp_path / "t.toml"
    f2.write_text(STUDY.replace("n_employees = 12", "n_employees = 13"))
    other = load_experiment(f2)
    bigger = [task_of(other, r) for r in Plan(other).runs(other.replications)]
    assert sorted(len(g) for g in group_tasks(tasks + bigger, workers=1, size=64)) == [8, 8]
    assert all(len(g) == 1 for g in group_tasks(tasks, workers=1, size=1))
    stopping = [task_of(exp, r) for r in Plan(exp).runs(exp.replications)]
    for t in stopping:
        t.stop_when = "active_customers < 10"
    assert all(len(g) == 1 for g in group_tasks(stopping, workers=1, size=64))


def test_a_group_of_study_runs_is_stepped_together(tmp_path, monkeypatch):
    """execute_group takes the batched path (it does not fall back to single runs)."""
    from sim.experiments import load_experiment, task as task_module
    from sim.experiments.design import Plan
    from sim.experiments.runner import task_of

    f = tmp_path / "s.toml"
    f.write_text(STUDY)
    exp = load_experiment(f)
    tasks = [task_of(exp, r) for r in Plan(exp).runs(exp.replications) if r.point == 1][:3]
    assert len(tasks) == 3
    alone = [task_module.execute(t) for t in tasks]

    def no_single(task):
        raise AssertionError("ran alone")

    monkeypatch.setattr(task_module, "execute", no_single)
    from sim.model import batch

    monkeypatch.setattr(batch, "run_single", no_single)
    assert task_module.execute_group(tasks) == alone


def test_streams_give_numpys_numbers_for_any_mix_of_draws():
    """sim.model.streams against numpy's Generator: doubles, float32, integers (also a
    range where Lemire's method rejects one word in four), numpy's own poisson and
    normal draws in between (the generators moved back from what was drawn ahead), and
    a permutation handed to numpy, from generators left with a buffered half or not;
    draws small and past a buffer row, weeks (ticks) that learn how far ahead to draw."""
    from sim.model.streams import Streams

    for trial in range(60):
        ctl = np.random.default_rng(trial)
        seeds = [int(x) for x in ctl.integers(0, 2**40, int(ctl.integers(1, 5)))]
        ref = [np.random.default_rng(s) for s in seeds]
        mine = [np.random.default_rng(s) for s in seeds]
        for a, b in zip(ref, mine):
            j = int(ctl.integers(0, 4))
            a.random(j, np.float32)
            b.random(j, np.float32)
        st = Streams(mine, width=int(ctl.choice([8, 64, 4096])))
        for _ in range(40):
            kind = int(ctl.integers(0, 8))
            k = ctl.integers(0, int(ctl.choice([9, 300])), len(seeds))
            each = list(zip(ref, k.tolist()))
            if kind == 0:
                want, got = np.concatenate([g.random(n) for g, n in each]), st.random(k)
            elif kind == 1:
                want = np.concatenate([g.random(n, np.float32) for g, n in each])
                got = st.floats(k)
            elif kind == 2:
                want = np.concatenate([g.integers(1, 6, size=n) for g, n in each])
                got = st.integers(1, 6, k)
            elif kind == 3:
                want = np.concatenate([g.integers(0, 3 * 2**30, size=n) for g, n in each])
                got = st.integers(0, 3 * 2**30, k)
            elif kind == 4:
                lam = ctl.uniform(0.0, 3.0, len(seeds))
                want = np.concatenate([g.poisson(x, size=n) for (g, n), x in zip(each, lam)])
                got = st.native("poisson", k, lam)
            elif kind == 5:
                want = np.concatenate([g.standard_normal(n) for g, n in each])
                got = st.native("standard_normal", k)
            elif kind == 6:
                want = np.concatenate([g.permutation(n + 3) for g, n in each])
                got = np.concatenate([st.numpy_call(r, "permutation", n + 3)
                                      for r, n in enumerate(k.tolist())])
            else:
                st.tick()
                continue
            assert want.dtype == got.dtype and np.array_equal(want, got), (trial, kind)
        # what was drawn ahead is given back: the generators go on where numpy's do
        for r, g in enumerate(ref):
            assert st.numpy_call(r, "random", 5).tolist() == g.random(5).tolist()


def test_a_batch_worked_in_blocks_smaller_than_a_replication_stays_exact(monkeypatch):
    """The kernel's element-wise work goes a block of customers at a time
    (sim.model._blocks); blocks that cut across the replications change nothing."""
    from sim.model import _blocks

    monkeypatch.setattr(_blocks, "BLOCK", 97)
    sc = load_scenario("customer_centric", **SIZE)
    seeds = [4, 5, 6]
    for seed, ts in zip(seeds, run_many(OrganisationModel, [sc] * 3, seeds, 12)):
        assert_same(ts, single(OrganisationModel, sc, seed, 12))


# --- parameter sets of one shape in one batch -------------------------------------------

def _varied(seed: int, names) -> dict:
    """Values of ``names`` drawn within each parameter's range around its default."""
    from sim.model.params import PARAMS

    g = np.random.default_rng(seed)
    out = {}
    for name in names:
        p = PARAMS[name]
        lo, hi = p.plausible or (p.low, p.high)
        mid = float(p.default)
        span = 0.5 * max(mid - lo, hi - mid, 1e-3)
        out[name] = float(np.clip(mid + span * g.uniform(-1, 1), lo, hi))
    return out


def _literature_priors() -> dict:
    import tomllib
    from pathlib import Path

    toml = Path(__file__).resolve().parents[1] / "calibration" / "literature.toml"
    return tomllib.loads(toml.read_text())["parameters"]


def _check_batched_against_single(scenarios, seeds, steps=STEPS):
    out = run_many(OrganisationModel, scenarios, seeds, steps)
    keys = {batch_key(OrganisationModel, sc) for sc in scenarios}
    assert len(keys) == 1 and None not in keys  # one shape: stepped together
    for sc, seed, ts in zip(scenarios, seeds, out):
        assert_same(ts, single(OrganisationModel, sc, seed, steps))
    return out


def test_calibration_particles_batch_together_and_each_gives_its_single_run():
    """Particles of literature.toml's priors (the calibration's constants), each with its
    own values and seed, in one batch: bit for bit each one's single run, and the
    values matter (the runs differ)."""
    priors = _literature_priors()
    g = np.random.default_rng(7)
    scenarios = []
    for _ in range(5):
        vals = {k: float(np.exp(g.uniform(np.log(v["low"]), np.log(v["high"])))
                         if v.get("scale") == "log" else g.uniform(v["low"], v["high"]))
                for k, v in priors.items()}
        scenarios.append(load_scenario("baseline", **SIZE, **vals))
    out = _check_batched_against_single(scenarios, [11] * 5)  # one seed: only values differ
    churned = {int(ts["churned"].sum()) for ts in out}
    assert len(churned) >= 3


def test_design_levers_and_every_per_replication_parameter_vary_within_one_batch():
    from sim.model.replicas import PER_REPLICATION

    levers = [load_scenario("product_centric", **SIZE), load_scenario("customer_centric", **SIZE)]
    # the two presets differ in their float levers only when the integer ones agree
    base = load_scenario("customer_centric", **SIZE)
    lever_sets = [base.with_overrides(silo_barrier=s, mandate=m, reward_mix=r, escalation=e,
                                      info_scatter=i, shared_record=sr)
                  for s, m, r, e, i, sr in [(0.1, 0.9, 0.8, 0.9, 0.1, 0.9),
                                            (0.9, 0.1, 0.1, 0.1, 0.9, 0.0),
                                            (0.5, 0.5, 0.5, 0.5, 0.5, 0.5)]]
    _check_batched_against_single(lever_sets, [1, 2, 3])
    everything = [base.with_overrides(**_varied(k, PER_REPLICATION)) for k in range(4)]
    _check_batched_against_single(everything, [5, 6, 7, 8], steps=20)
    assert len({batch_key(OrganisationModel, sc) for sc in levers}) == 2  # bridges differ


def test_numpy_floats_are_their_own_shape_and_stay_exact():
    """A np.float64 value meets float32 arrays as a float64 (not a weak Python float):
    such runs batch with each other, not with Python floats, and stay exact."""
    from dataclasses import replace

    base = load_scenario("baseline", **SIZE)  # (checked parameters are Python numbers)
    np_sets = [replace(base, params={**base.params, "churn_base": np.float64(v),
                                     "satisfaction_ref": np.float64(r)})
               for v, r in [(0.001, 0.7), (0.0015, 0.65), (0.0008, 0.75)]]
    py = base.with_overrides(churn_base=0.001)
    assert batch_key(OrganisationModel, np_sets[0]) != batch_key(OrganisationModel, py)
    _check_batched_against_single(np_sets, [1, 2, 3])


def test_sets_that_differ_in_shape_are_not_stacked():
    base = load_scenario("baseline", **SIZE)
    for other in (dict(n_employees=21), dict(need_rate=0.2), dict(incentive_strength=2.0),
                  dict(customer_network="scale_free")):
        assert batch_key(OrganisationModel, base) != \
            batch_key(OrganisationModel, base.with_overrides(**other))
    with pytest.raises(ValueError, match="PER_REPLICATION"):
        Replicas([base.params, {**base.params, "need_rate": 0.2}], [1, 2])
    # and run_many still gives each its own single run
    scenarios = [base, base.with_overrides(need_rate=0.2), base.with_overrides(churn_base=0.002)]
    for sc, seed, ts in zip(scenarios, [1, 2, 3], run_many(OrganisationModel, scenarios,
                                                           [1, 2, 3], 10)):
        assert_same(ts, single(OrganisationModel, sc, seed, 10))


def test_batched_frames_are_the_single_runs_and_independent_of_each_other():
    sc = load_scenario("baseline", **SIZE)
    frames = run_many(OrganisationModel, [sc] * 3, [4, 5, 6], 5, max_batch=3)
    for f, seed in zip(frames, [4, 5, 6]):
        assert_same(f, single(OrganisationModel, sc, seed, 5))
        assert isinstance(f.index, pd.RangeIndex) and f.index.equals(pd.RangeIndex(6))
    before = frames[1].copy()
    frames[0].iloc[0, 0] = -1  # each frame owns its arrays and its axes
    frames[0].columns.name = frames[0].index.name = "changed"
    pd.testing.assert_frame_equal(frames[1], before, check_exact=True)
    assert frames[1].columns.name is None and frames[1].index.name is None


def test_frames_from_blocks_are_the_constructors_frames(monkeypatch):
    from sim.model import batch
    columns = {"contacts": np.arange(12).reshape(4, 3), "nps": np.linspace(-1, 1, 12).reshape(4, 3),
               "leavers": 2 * np.arange(12).reshape(4, 3)}
    blocks = batch._frames(columns)
    monkeypatch.setattr(batch, "_FROM_BLOCKS", None)
    for r, (a, b) in enumerate(zip(blocks, batch._frames(columns))):
        assert_same(a, b)
        assert_same(a, pd.DataFrame({k: list(v[:, r]) for k, v in columns.items()}))
