"""The controls BehaviorSpace and EMA Workbench users expect, each for what it does:
varied event parameters and categorical parameters, a stop condition (parsed, never
evaluated), when the weekly columns are kept, a per-run time limit, customer
snapshots, and weekly outcomes in the summary and the figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import OrganisationModel
from sim.cli import main
from sim.experiments import ExperimentError, load_experiment, run_experiment
from sim.experiments.design import plan
from sim.experiments.variables import apply

SCENARIO = """
preset = "baseline"
n_customers = 300
n_prospects = 300
n_employees = 20
[[events]]
at = 3
kind = "key_person_loss"
count = 2
hazard = 0.3
"""

HEAD = """
description = "controls"
scenario = "firm.toml"
steps = {steps}
replications = {reps}
seed = 21
metrics = ["retention", "churn_key_person", "active_customers"]
timeseries = ["retention", "churn_key_person"]
"""


def study(tmp_path, body: str, steps=8, reps=2, name="study.toml"):
    (tmp_path / "firm.toml").write_text(SCENARIO)
    f = tmp_path / name
    f.write_text(HEAD.format(steps=steps, reps=reps) + body)
    return f


def quiet(f, out, **kw):
    return run_experiment(f, out, workers=1, progress=False, **kw)


def test_an_events_parameters_and_its_week_can_be_varied(tmp_path):
    f = study(tmp_path, '[vary]\n"events.0.count" = [0, 6]\n"events.key_person_loss.at" = [2, 5]\n')
    res = quiet(f, tmp_path / "out")
    runs = res.runs
    assert set(runs["events.0.count"]) == {0, 6} and set(runs["events.key_person_loss.at"]) == {2, 5}
    assert (runs.loc[runs["events.0.count"] == 0, "churn_key_person"] == 0).all()  # nobody left
    assert (runs.loc[runs["events.0.count"] == 6, "churn_key_person"] > 0).all()
    ts = res.timeseries.merge(runs[["index", "events.key_person_loss.at"]], left_on="run", right_on="index")
    hit = ts[ts["churn_key_person"] > 0]
    assert (hit["step"] >= hit["events.key_person_loss.at"]).all()  # none before the event's week
    # each run is the model with that event: replay one by hand
    exp = load_experiment(f)
    run = next(r for r in plan(exp) if r.params == {"events.0.count": 6, "events.key_person_loss.at": 5})
    sc = apply(exp.base, run.params)
    assert sc.events[0].params["count"] == 6 and sc.events[0].at == 5
    m = OrganisationModel(sc, rng=run.seed)
    m.run(8)
    assert m.timeseries()["churn_key_person"].sum() == runs.set_index("index").loc[run.index, "churn_key_person"]


@pytest.mark.parametrize("body, words", [
    ('[vary]\n"events.3.count" = [1]\n', ["events.3.count", "1 events", "key_person_loss at week 3"]),
    ('[vary]\n"events.0.colour" = [1]\n', ["colour", "allowed: at, count"]),
    ('[vary]\n"events.0.count" = [-1]\n', ["events.0.count", "-1"]),
    ('[vary]\n"events.merger.size" = [1.0]\n', ["0 events of kind 'merger'"]),
    ('[vary]\n"events.0.at" = [20]\n', ["week 20", "at least 20 steps"]),
    ('[vary]\ncustomer_network = ["small_world", "ring"]\n', ["customer_network", "'ring'"]),
    ('[sample]\nmethod = "lhs"\nn = 4\n[sample.ranges]\ncustomer_network = ["small_world"]\n',
     ["customer_network", "at least two"]),
])
def test_bad_variables_are_refused_in_one_line(tmp_path, body, words):
    f = study(tmp_path, body)
    with pytest.raises(ExperimentError) as err:
        load_experiment(f)
    msg = str(err.value)
    assert "\n" not in msg and str(f) in msg
    for w in words:
        assert w in msg, msg


def test_categorical_parameters_in_a_grid_and_in_a_sample(tmp_path, capsys):
    f = study(tmp_path, '[vary]\ncustomer_network = ["small_world", "scale_free"]\n', steps=4)
    res = quiet(f, tmp_path / "grid")
    assert list(res.summary["customer_network"]) == ["small_world", "scale_free"]
    scale_free = int(res.runs.loc[res.runs["customer_network"] == "scale_free", "index"].iloc[0])
    assert main(["replay", str(tmp_path / "grid"), str(scale_free)]) == 0
    assert "identical" in capsys.readouterr().out
    body = ('[sample]\nmethod = "lhs"\nn = 6\n[sample.ranges]\nmandate = [0.0, 1.0]\n'
            'customer_network = ["small_world", "scale_free"]\n"events.0.count" = [0, 4]\n')
    exp = load_experiment(study(tmp_path, body, steps=4, reps=1, name="lhs.toml"))
    pts = [r.params for r in plan(exp)]
    assert {p["customer_network"] for p in pts} == {"small_world", "scale_free"}  # LHS strata
    assert all(isinstance(p["events.0.count"], int) and 0 <= p["events.0.count"] <= 4 for p in pts)
    assert (tmp_path / "grid" / "figures" / "metric_by_parameter.png").is_file()
    assert main(["report", str(tmp_path / "grid")]) == 0  # a report of categorical points
    assert "customer network from small_world to scale_free" in capsys.readouterr().out


def test_a_stop_condition_ends_each_run_at_the_first_week_it_holds(tmp_path):
    f = study(tmp_path, 'stop_when = "retention < 0.985 or step >= 9"\n[vary]\nmandate = [0.1, 0.9]\n',
              steps=30)
    res = quiet(f, tmp_path / "out")
    for index, g in res.timeseries.groupby("run"):
        g = g.sort_values("step")
        holds = (g["retention"] < 0.985) | (g["step"] >= 9)
        assert holds.iloc[-1] and not holds.iloc[1:-1].any(), index  # week 0 is not checked
    assert res.runs["stopped"].all() and (res.runs.set_index("index")["stopped"]).all()
    weeks = res.timeseries.groupby("run")["step"].max()
    assert (weeks <= 9).all()
    weekly = res.weekly
    assert (weekly.groupby("point")["n"].max() == 2).all()  # both replications at week 0


@pytest.mark.parametrize("text", [
    "__import__('os').system('touch pwned')", "open('x')", "retention <", "active_customers < 1; 1",
    "foo < 1", "retention.real < 1", "[1] < 2", "retention < 1 if 1 else 0", "lambda: 1",
    "(" * 5000 + "1" + ")" * 5000 + " < 2", "retention" * 100,
])
def test_stop_conditions_outside_the_grammar_are_refused_and_never_run(tmp_path, text, capsys):
    f = study(tmp_path, f"stop_when = {text!r}\n[vary]\nmandate = [0.5]\n".replace("'", "'''", 0))
    f.write_text(f.read_text().replace(f"stop_when = {text!r}", "stop_when = " + _toml(text)))
    assert main(["sweep", str(f), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "stop_when" in err
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "out").exists()


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("measure, steps", [(1, list(range(11))), (4, [0, 4, 8, 10]), ('"end"', [10])])
def test_the_weekly_columns_are_kept_every_k_weeks_or_at_the_end(tmp_path, measure, steps):
    f = study(tmp_path, f"measure = {measure}\n[vary]\nmandate = [0.5]\n", steps=10, reps=1)
    res = quiet(f, tmp_path / "out")
    assert list(res.timeseries["step"]) == steps
    assert list(res.weekly["step"]) == steps


def test_a_coarser_measure_is_derived_without_running_again(tmp_path):
    f = study(tmp_path, "measure = 1\n[vary]\nmandate = [0.5]\n", steps=10)
    out = tmp_path / "out"
    quiet(f, out)
    f.write_text(f.read_text().replace("measure = 1", "measure = 5"))
    res = quiet(f, out, resume=True)
    assert not [n for n in res.notes if "run again" in n]
    assert list(res.timeseries["step"].unique()) == [0, 5, 10]
    quiet(f, tmp_path / "coarse")  # runs that kept weeks 0, 5 and 10 only
    f.write_text(f.read_text().replace("measure = 5", "measure = 2"))
    res = quiet(f, tmp_path / "coarse", resume=True)
    assert any("2 stored runs lack weekly columns" in n for n in res.notes)  # week 2 was not kept
    assert list(res.timeseries["step"].unique()) == [0, 2, 4, 6, 8, 10]


def test_a_run_over_its_time_limit_fails_and_the_others_are_kept(tmp_path, capsys):
    f = study(tmp_path, "time_limit = 0.000001\n[vary]\nmandate = [0.5]\n", steps=5)
    assert main(["sweep", str(f), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 1
    fails = pd.read_csv(tmp_path / "out" / "failures.csv")
    assert len(fails) == 2
    assert all(e.startswith("TimeLimitExceeded: the run took more than time_limit = 1e-06 s "
                            "(stopped at week 1 of 5)") for e in fails["error"])
    f.write_text(f.read_text().replace("time_limit = 0.000001", "time_limit = 3600"))
    assert main(["sweep", str(f), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet",
                 "--resume"]) == 0
    assert len(pd.read_parquet(tmp_path / "out" / "runs.parquet")) == 2


def test_customer_snapshots_hold_each_customers_state_at_the_chosen_weeks(tmp_path):
    body = '[snapshots]\nweeks = [5, 0]\ncolumns = ["status", "satisfaction"]\n[vary]\nmandate = [0.2, 0.8]\n'
    f = study(tmp_path, body, steps=6)
    out = tmp_path / "out"
    res = quiet(f, out)
    snaps = pd.read_parquet(out / "customers.parquet")
    assert list(snaps.columns) == ["run", "week", "customer", "status", "satisfaction"]
    assert len(snaps) == 4 * 2 * 600 and set(snaps["week"]) == {0, 5}
    exp = load_experiment(f)
    run = plan(exp)[3]
    m = OrganisationModel(apply(exp.base, run.params), rng=run.seed)
    m.run(5)
    mine = snaps[(snaps["run"] == run.index) & (snaps["week"] == 5)].sort_values("customer")
    np.testing.assert_array_equal(mine["satisfaction"].to_numpy(), m.cust.satisfaction)
    np.testing.assert_array_equal(mine["status"].to_numpy(), m.cust.status)
    assert len(list(out.glob("runs/*/customers.parquet"))) == 4
    assert len(res.runs) == 4
    bad = study(tmp_path, body.replace('"satisfaction"', '"mood"'), name="bad.toml")
    with pytest.raises(ExperimentError, match="snapshots: columns has unknown 'mood'"):
        load_experiment(bad)


def test_weekly_outcomes_are_summarised_per_point_and_drawn(tmp_path):
    f = study(tmp_path, "[vary]\nmandate = [0.2, 0.8]\n", steps=6, reps=3)
    out = tmp_path / "out"
    res = quiet(f, out)
    weekly = pd.read_csv(out / "summary_weekly.csv")
    assert len(weekly) == 2 * 7 and (weekly["n"] == 3).all()
    ts = res.timeseries.merge(res.runs[["index", "point"]], left_on="run", right_on="index")
    want = ts.groupby(["point", "step"])["retention"].mean().to_numpy()
    np.testing.assert_allclose(weekly["retention_mean"], want)
    assert (weekly["retention_ci_low"] <= weekly["retention_mean"]).all()
    for name in ("retention_curves", "weekly_churn_key_person"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 5000


def test_every_study_in_docs_studies_md_loads_and_sweep_help_points_there(tmp_path, capsys):
    import re
    from pathlib import Path

    from sim.experiments.spec import TOP_KEYS

    text = (Path(__file__).parents[1] / "docs" / "studies.md").read_text()
    from sim.experiments.explore import load_exploration

    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    explore = [b for b in blocks if re.search(r"^alternatives = ", b, re.M)]
    assert len(explore) == 1  # the `orgsim explore` spec, documented in the same file
    (tmp_path / "explore.toml").write_text(explore[0])
    load_exploration(tmp_path / "explore.toml")
    blocks = [b for b in blocks if b not in explore]
    assert len(blocks) == 5  # grid, LHS, Morris, Sobol, adaptive
    methods = set()
    for i, block in enumerate(blocks):
        f = tmp_path / f"doc{i}.toml"
        f.write_text(block)
        exp = load_experiment(f)
        methods.add(exp.sampler.method if exp.sampler else "adaptive" if exp.adaptive else "grid")
    assert methods == {"grid", "lhs", "morris", "sobol", "adaptive"}
    for key in TOP_KEYS:  # every key is documented
        assert f"`{key}`" in text or f"`[{key}]`" in text, key
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    assert "docs/studies.md" in capsys.readouterr().out
