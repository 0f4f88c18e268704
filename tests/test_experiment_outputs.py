"""A study's figures and sensitivity indices."""

from __future__ import annotations

import matplotlib.image as mpimg
import pandas as pd
import pytest

from sim.experiments import ExperimentError, list_experiments, load_experiment, run_experiment
from sim.experiments.replay import study_from_folder
from sim.experiments.sensitivity import analyze

HEAD = """
description = "t"
scenario = "baseline"
steps = {steps}
replications = {reps}
seed = 11
metrics = ["retention", "first_contact_resolution"]
timeseries = {ts}
[set]
n_customers = 300
n_prospects = 300
n_employees = 20
"""


def _study(tmp_path, body, steps=12, reps=2, ts='["retention"]'):
    f = tmp_path / "s.toml"
    f.write_text(HEAD.format(steps=steps, reps=reps, ts=ts) + body)
    return f


def _not_blank(path):
    img = mpimg.imread(path)
    assert img.std() > 0.01, path


def test_a_two_parameter_grid_gets_curves_parameter_panels_and_a_heat_map(tmp_path):
    f = _study(tmp_path, "[vary]\nsilo_barrier = [0.0, 1.0]\nmandate = [0.0, 1.0]\n")
    res = run_experiment(f, tmp_path / "out", workers=1, progress=False)
    figs = tmp_path / "out" / "figures"
    for name in ("retention_curves", "metric_by_parameter", "heat_map"):
        _not_blank(figs / f"{name}.png")
        assert (figs / f"{name}.svg").stat().st_size > 1000
    assert not (figs / "sensitivity.png").exists()
    with pytest.raises(ExperimentError, match="morris or sobol"):
        analyze(load_experiment(f), res.runs)


def test_morris_indices_rank_a_strong_parameter_above_a_weak_one(tmp_path):
    """Capacity from 1 to 30 contacts a week decides first-contact resolution; the
    small-world rewiring of the customer network barely touches it."""
    body = ('[sample]\nmethod = "morris"\nn = 10\n[sample.ranges]\n'
            'capacity = [1.0, 30.0]\nrewire = [0.0, 0.2]\n')
    f = _study(tmp_path, body, steps=52, reps=1, ts="[]")
    run_experiment(f, tmp_path / "out", workers=1, progress=False)
    table = pd.read_csv(tmp_path / "out" / "sensitivity.csv")
    assert set(table["parameter"]) == {"capacity", "rewire"}
    assert len(table) == 4  # 2 metrics x 2 parameters
    fcr = table[table["metric"] == "first_contact_resolution"].set_index("parameter")
    assert fcr.loc["capacity", "mu_star"] > 5 * fcr.loc["rewire", "mu_star"]
    assert set(table["role"]) == {"constant"}  # capacity and rewiring: neither is a lever
    _not_blank(tmp_path / "out" / "figures" / "sensitivity.png")
    # the same from the folder alone, as `orgsim sensitivity DIR` does
    exp, runs = study_from_folder(tmp_path / "out")
    again = analyze(exp, runs)
    pd.testing.assert_frame_equal(again, table, check_exact=False)


def test_the_sensitivity_study_sweeps_every_loosely_pinned_constant_over_its_plausible_range():
    from sim.model.params import PARAMS, role

    exp = load_experiment("sensitivity_morris")
    plausible = {name: p.plausible for name, p in PARAMS.items() if p.plausible}
    assert len(plausible) >= 4
    for name, (lo, hi) in plausible.items():
        assert exp.sampler.ranges[name] == (lo, hi), name
    roles = {name: role(name) for name in exp.sampler.ranges}
    assert {n for n, r in roles.items() if r == "lever"} == {
        "silo_barrier", "bridges", "reward_mix", "mandate", "escalation", "info_scatter",
        "shared_record"}
    assert set(plausible) <= {n for n, r in roles.items() if r == "constant"}


def test_every_shipped_study_loads():
    names = [n for n, _ in list_experiments()]
    for required in ("silo_x_reward", "key_person_loss", "merger_integration",
                     "substitute_and_competitor", "social_amplification",
                     "transformation_path", "sensitivity_morris", "sensitivity_sobol"):
        assert required in names
        assert load_experiment(required).description
