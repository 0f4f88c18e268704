"""The tables' 95% intervals (sim.experiments.intervals): a share's stays in [0, 1] (the
t-interval on the logit scale, what the reports give), any other figure keeps the
t-interval; summary.csv, summary_weekly.csv, a comparison's summary.csv and the
adaptive rule use the same one."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit, logit

from sim.experiments import store
from sim.experiments.comparison import summarise
from sim.experiments.intervals import SHARES, estimates
from sim.report.numbers import Estimate

NEAR_ONE = [1.0, 1.0, 0.9]  # the t-interval reaches 1.11


def t_interval(x):
    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean(), x.mean() - half, x.mean() + half


def logit_interval(x):
    mean, _, hi = t_interval(x)
    spread = (hi - mean) / (mean * (1 - mean))
    return mean, expit(logit(mean) - spread), expit(logit(mean) + spread)


def test_a_share_near_a_bound_stays_inside_and_other_figures_keep_the_t_interval():
    assert t_interval(NEAR_ONE)[2] > 1.1
    mean, sd, lo, hi = estimates(NEAR_ONE, share=True)
    assert (mean, lo, hi) == pytest.approx(logit_interval(NEAR_ONE))
    assert 0 < lo < mean < hi < 1
    assert estimates(NEAR_ONE)[2:] == pytest.approx(t_interval(NEAR_ONE)[1:])
    # a value outside [0, 1] is no share: the t-interval
    assert estimates([1.2, 0.9, 1.0], share=True)[2:] == pytest.approx(t_interval([1.2, 0.9, 1.0])[1:])
    # all at the bound: no spread, the mean itself; one value: no interval
    assert estimates([1.0, 1.0], share=True)[2:] == (1.0, 1.0)
    assert all(math.isnan(v) for v in estimates([0.5], share=True)[1:])


def test_the_study_tables_give_shares_the_reports_interval():
    runs = pd.DataFrame({"point": [0, 0, 0, 1, 1, 1], "mandate": [0.2] * 3 + [0.8] * 3,
                         "retention": NEAR_ONE + [0.0, 0.05, 0.1],
                         "revenue_total": [10.0, 12.0, 20.0, 1.0, 2.0, 3.0]})
    s = store.summary_table(runs, ("mandate",), ("retention", "revenue_total")).set_index("point")
    for point in (0, 1):
        x = runs.loc[runs.point == point, "retention"]
        report = Estimate.of_share(x)  # what the reports print
        assert (s.loc[point, "retention_ci_low"], s.loc[point, "retention_ci_high"]) == \
            pytest.approx((report.low, report.high))
        assert 0 <= s.loc[point, "retention_ci_low"] <= s.loc[point, "retention_ci_high"] <= 1
        y = runs.loc[runs.point == point, "revenue_total"]
        assert (s.loc[point, "revenue_total_ci_low"], s.loc[point, "revenue_total_ci_high"]) == \
            pytest.approx(t_interval(y)[1:])
    ts = pd.DataFrame({"run": [0, 1, 2], "step": [4, 4, 4], "retention": NEAR_ONE,
                       "mean_satisfaction": NEAR_ONE, "revenue": [10.0, 12.0, 20.0]})
    w = store.weekly_summary(ts, runs.assign(index=range(6)), ("mandate",),
                             ("retention", "mean_satisfaction", "revenue")).iloc[0]
    for c in ("retention", "mean_satisfaction"):
        assert (w[f"{c}_ci_low"], w[f"{c}_ci_high"]) == pytest.approx(logit_interval(NEAR_ONE)[1:])
    assert w["revenue_ci_high"] == pytest.approx(t_interval([10.0, 12.0, 20.0])[2])


def test_a_comparisons_summary_gives_shares_the_reports_interval():
    from types import SimpleNamespace

    from sim.files.results import END_METRICS

    runs = pd.DataFrame({m: [0.5, 0.6, 0.7] for m in END_METRICS})
    runs["retention"] = NEAR_ONE
    runs["scenario"] = "a"
    comp = SimpleNamespace(scenarios=[SimpleNamespace(name="a")], labels=["A"], draws=())
    s = summarise(runs, comp).set_index("metric")
    assert (s.loc["retention", "ci_low"], s.loc["retention", "ci_high"]) == \
        pytest.approx(logit_interval(NEAR_ONE)[1:])
    assert s.loc["nps", "ci_high"] == pytest.approx(t_interval([0.5, 0.6, 0.7])[2])
    for m in SHARES & set(END_METRICS):
        assert 0 <= s.loc[m, "ci_low"] <= s.loc[m, "ci_high"] <= 1


def test_a_study_near_full_retention_keeps_its_intervals_within_0_and_100_percent(tmp_path):
    """A real study: a tiny firm over a few weeks keeps nearly all its customers."""
    from sim.experiments import run_experiment

    f = tmp_path / "s.toml"
    f.write_text('scenario = "baseline"\nsteps = 6\nreplications = 3\nseed = 2\n'
                 'metrics = ["retention", "revenue_total"]\ntimeseries = ["retention"]\n'
                 '[set]\nn_customers = 200\nn_prospects = 200\nn_employees = 20\n'
                 '[vary]\nmandate = [0.0, 1.0]\n')
    res = run_experiment(f, tmp_path / "out", workers=1, progress=False)
    s = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert ((s["retention_ci_low"] >= 0) & (s["retention_ci_high"] <= 1)).all()
    assert (s["retention_ci_low"] <= s["retention_mean"]).all()
    w = pd.read_csv(tmp_path / "out" / "summary_weekly.csv")
    assert ((w["retention_ci_low"] >= 0) & (w["retention_ci_high"] <= 1)).all()
    for _, row in s.iterrows():
        x = res.runs.loc[res.runs.point == row["point"], "retention"]
        e = Estimate.of_share(x)
        assert (row["retention_ci_low"], row["retention_ci_high"]) == pytest.approx((e.low, e.high))
