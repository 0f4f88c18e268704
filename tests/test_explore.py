"""orgsim explore: PRIM finds a region that is there (and none that is not), the
Sobol small-sample warning fires when the indices cannot mean anything and not when
they can, and a quick exploration finds where customer focus stops paying."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.experiments.discovery import boxes_table, find_boxes
from sim.experiments.explore import load_exploration, plan, plausible_ranges
from sim.experiments.sensitivity import indices, sobol_problems, sobol_warning
from sim.experiments.spec import ExperimentError


def test_prim_finds_a_known_box_and_only_its_dimensions():
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.uniform(size=(400, 4)), columns=["a", "b", "c", "d"])
    cases = (x["a"] > 0.6) & (x["b"] < 0.4)
    boxes = find_boxes(x, cases)
    box = boxes[0]
    assert set(box.limits) == {"a", "b"}  # c and d do not matter: not restricted
    assert box.limits["a"][0] == pytest.approx(0.6, abs=0.05) and box.limits["a"][1] > 0.95
    assert box.limits["b"][1] == pytest.approx(0.4, abs=0.1) and box.limits["b"][0] < 0.05
    assert box.coverage >= 0.9 and box.density >= 0.8
    assert box.k == int(cases[(x["a"] >= box.limits["a"][0]) & (x["b"] <= box.limits["b"][1])].sum())
    assert max(box.qp.values()) < 1e-6  # neither restriction is chance
    table = boxes_table(boxes, {c: (0.0, 1.0) for c in x.columns})
    assert list(table[table["box"] == 1]["parameter"]) == ["a", "b"]


def test_prim_finds_nothing_where_nothing_is():
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.uniform(size=(400, 4)), columns=list("abcd"))
    assert find_boxes(x, np.zeros(400, bool)) == []
    for seed in range(3):  # cases scattered at random: no region holds them
        assert find_boxes(x, np.random.default_rng(seed).uniform(size=400) < 0.2) == []


def _ishigami(n):
    from SALib.sample import sobol as sample
    from SALib.test_functions import Ishigami

    prob = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    X = sample.sample(prob, n, calc_second_order=False, seed=1)
    table = pd.DataFrame(indices("sobol", prob, X, Ishigami.evaluate(X), 1)).T
    return table, len(X)


def test_the_sobol_warning_fires_for_a_small_sample_only():
    small, points = _ishigami(8)
    p = sobol_problems(small)
    assert p["outside"] + p["wide"] > 0
    assert "too small" in sobol_warning(small, 8, points)
    large, points = _ishigami(1024)
    assert sobol_warning(large, 1024, points) == ""
    # Ishigami's known indices (S1 0.31, 0.44, 0; ST 0.56, 0.44, 0.24) are found at n = 1024
    assert large.loc["x1", "ST"] == pytest.approx(0.558, abs=0.05)
    assert large.loc["x3", "ST"] == pytest.approx(0.244, abs=0.05)
    made = pd.DataFrame({"S1": [0.5, -0.2], "S1_conf": [0.05, 0.05], "ST": [0.6, 0.3],
                         "ST_conf": [0.05, 0.5]})
    assert sobol_problems(made) == {"indices": 4, "outside": 1, "wide": 1}


SPEC = """description = "Where a dear shared record eats customer focus's profit"
loses = "profit"
steps = 104
[ranges]
record_cost = [0.0, 0.12]
churn_base = [0.0005, 0.002]
[sensitivity]
method = "sobol"
n = 4
"""


@pytest.fixture(scope="module")
def explored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explore")
    spec = folder / "spec.toml"
    spec.write_text(SPEC)
    out = folder / "out"
    assert main(["explore", str(spec), "--quick", "--out", str(out), "--workers", "2",
                 "--quiet"]) == 0
    return spec, out


def test_a_quick_exploration_finds_where_customer_focus_stops_paying(explored, capsys):
    spec, out = explored
    pts = pd.read_csv(out / "points.csv")
    assert len(pts) == 30 and pts["loses"].any() and not pts["loses"].all()
    # the dearer the shared record, the more often customer focus earns less
    cheap, dear = (pts["record_cost"] < 0.03), (pts["record_cost"] > 0.09)
    assert pts[dear]["loses"].mean() > pts[cheap]["loses"].mean() + 0.4
    boxes = pd.read_csv(out / "prim_boxes.csv")
    first = boxes[boxes["box"] == 1].set_index("parameter")
    # the box is where the record is dear: cut from below, open towards the dearest
    assert first.loc["record_cost", "low"] > 0.003
    assert first.loc["record_cost", "high"] > 0.95 * 0.12
    assert first["density"].iloc[0] >= 0.8
    md = (out / "explore.md").read_text()
    assert "**Box 1**: where record_cost above" in md or "**Box 1**: where record_cost from" in md
    assert f"{100 * first['coverage'].iloc[0]:.0f}% of the points" in md
    sens = pd.read_csv(out / "sensitivity_by_year.csv")
    assert sorted(sens["week"].unique()) == [52, 104]  # each year's end, not only the last
    assert set(sens["parameter"]) == {"record_cost", "churn_base"}
    assert "**Warning**: the Sobol sample (n = 4" in md  # four base samples mean nothing
    for name in ("prim_peeling", "prim_boxes", "sensitivity_by_year"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 1000
    doc = json.loads((out / "explore.json").read_text())
    assert doc["ranges_from"] == "spec" and doc["loses"] == "profit"


def test_an_exploration_folder_is_resumed_not_overwritten(explored, capsys):
    spec, out = explored
    capsys.readouterr()
    assert main(["explore", str(spec), "--quick", "--out", str(out), "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err
    before = (out / "points.csv").read_text()
    assert main(["explore", str(spec), "--quick", "--out", str(out), "--resume", "--quiet",
                 "--workers", "1"]) == 0
    assert (out / "points.csv").read_text() == before  # nothing re-run, the same tables
    assert main(["sweep", "silo_x_reward", "--out", str(out), "--quiet"]) == 2  # not a study's


def test_ranges_come_from_the_posterior_or_the_plausible_ranges(tmp_path):
    ex = load_exploration(quick=True)
    assert ex.ranges == plausible_ranges() and "churn_base" in ex.ranges
    assert all(role not in ex.ranges for role in ("mandate", "n_customers"))
    post = tmp_path / "posterior.parquet"
    pd.DataFrame({"churn_base": [0.0008, 0.0012, 0.001], "loss_aversion": [2.0, 2.0, 2.0],
                  "weight": [0.2, 0.3, 0.5]}).to_parquet(post)
    ex = load_exploration(quick=True, posterior=str(post))
    assert ex.ranges == {"churn_base": (0.0008, 0.0012)}  # one value: fixed, not explored
    assert all(s.params["loss_aversion"] == 2.0 for s in ex.alternatives)
    # the same seeds at every point and in both alternatives
    seeds = {(p.sample, p.point, p.run.replication): set() for p in plan(ex)}
    for p in plan(ex):
        seeds[(p.sample, p.point, p.run.replication)].add(p.run.seed)
    assert all(len(s) == 1 for s in seeds.values())
    assert len({p.run.seed for p in plan(ex)}) == ex.replications


@pytest.mark.parametrize("body, words", [
    ('flavour = 1\n', ["unknown key 'flavour'"]),
    ('[ranges]\nmandate = [0.0, 1.0]\n', ["ranges.mandate", "design lever"]),
    ('[ranges]\nchurn_base = [0.5, 0.1]\n', ["ranges.churn_base", "low < high"]),
    ('loses = "sometimes"\n', ["loses", "'sometimes'", "retention, profit, either"]),
    ('alternatives = ["baseline"]\n', ["alternatives", "two scenario names"]),
    ('[sensitivity]\nmethod = "fast"\n', ["sensitivity.method", "sobol, morris, none"]),
])
def test_a_bad_spec_is_one_line_exit_2(tmp_path, capsys, body, words):
    _refused(tmp_path, capsys, body, words)


def test_too_few_points_or_a_bad_posterior_is_one_line_exit_2(tmp_path, capsys):
    _refused(tmp_path, capsys, "", ["--points 3", "10 to"], ["--points", "3"])
    post = tmp_path / "p.parquet"
    pd.DataFrame({"mandate": [0.1], "weight": [1.0]}).to_parquet(post)
    _refused(tmp_path, capsys, "", ["'mandate'", "design lever"], ["--posterior", str(post)])


def _refused(tmp_path, capsys, body, words, flags=()):
    spec = tmp_path / "spec.toml"
    spec.write_text(body)
    out = tmp_path / "out"
    assert main(["explore", str(spec), "--quick", "--out", str(out), "--quiet", *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and all(w in err for w in words), err
    assert not out.exists()
