"""Studies: validation, order and seeds, identical results on 1 or 2 workers and on a
Dask cluster, results that survive SIGKILL and a lost worker, failures, adaptive
replications, and the silo x reward study's finding."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.experiments import ExperimentError, load_experiment, run_experiment
from sim.experiments.design import identities, plan, point_seed, points

BIN = Path(sys.executable).parent

STUDY = """
description = "test study"
scenario = "baseline"
steps = {steps}
replications = {reps}
seed = 7
metrics = ["retention", "mean_satisfaction", "first_contact_resolution"]
timeseries = ["retention"]
[set]
n_customers = {n}
n_prospects = {n}
n_employees = 20
[vary]
silo_barrier = [0.0, 0.5, 1.0]
mandate = [0.1, 0.9]
"""


def study(tmp_path, steps=12, reps=3, n=300, name="study.toml", extra=""):
    f = tmp_path / name
    f.write_text(STUDY.format(steps=steps, reps=reps, n=n) + extra)
    return f


# --- the file -------------------------------------------------------------------

@pytest.mark.parametrize("edit, words", [
    (("[vary]", "[vari]"), ["vari"]),
    (("silo_barrier = [0.0, 0.5, 1.0]", "silo_barrier = [0.0, 1.5]"), ["silo_barrier", "1.5"]),
    (("silo_barrier = [0.0, 0.5, 1.0]", "silo_wall = [0.0]"), ["silo_wall"]),
    (("replications = 3", "replications = 0"), ["replications", "0"]),
    (('metrics = ["retention",', 'metrics = ["happiness",'), ["happiness", "retention"]),
    (("[vary]", "[sample]\nmethod = 'magic'\n[vary]"), ["exactly one"]),
])
def test_bad_study_files_are_refused_in_one_line(tmp_path, edit, words):
    f = study(tmp_path)
    f.write_text(f.read_text().replace(*edit))
    with pytest.raises(ExperimentError) as err:
        load_experiment(f)
    msg = str(err.value)
    assert "\n" not in msg and str(f) in msg
    for w in words:
        assert w in msg


def test_cli_exits_2_and_writes_nothing_for_a_bad_study(tmp_path, capsys):
    f = study(tmp_path)
    f.write_text(f.read_text().replace("mandate = [0.1, 0.9]", "mandate = [2]"))
    out = tmp_path / "out"
    assert main(["sweep", str(f), "--out", str(out), "--quiet"]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mandate" in err


def test_sampler_studies_are_checked():
    for name in ("sensitivity_morris", "sensitivity_sobol"):
        path = Path(__file__).parent.parent / "experiments" / f"{name}.toml"
        if path.exists():
            assert load_experiment(path).sampler is not None


# --- order and seeds ------------------------------------------------------------

def test_runs_are_replication_major_and_seeds_come_from_what_a_run_is(tmp_path):
    exp = load_experiment(study(tmp_path))
    runs = plan(exp)
    assert [r.replication for r in runs[:6]] == [0] * 6
    assert [r.point for r in runs[6:12]] == list(range(6))
    assert [r.index for r in runs] == list(range(18))
    idents = identities(exp, points(exp))
    assert all(r.seed == point_seed(7, idents[r.point], r.replication) for r in runs)
    assert len({r.seed for r in runs}) == 18
    assert len({r.key for r in runs}) == 18
    # another level and another replication: every run there was keeps its seed and key
    f = study(tmp_path, reps=4, name="more.toml")
    f.write_text(f.read_text().replace("[0.0, 0.5, 1.0]", "[0.0, 0.25, 0.5, 1.0]"))
    more = {(json.dumps(r.params, sort_keys=True), r.replication): (r.seed, r.key)
            for r in plan(load_experiment(f))}
    assert len(more) == 32
    assert all(more[(json.dumps(r.params, sort_keys=True), r.replication)] == (r.seed, r.key)
               for r in runs)
    # the same study gives the same seeds; another study seed gives others
    f2 = study(tmp_path, name="seed8.toml")
    assert [r.seed for r in plan(load_experiment(f2))] == [r.seed for r in runs]
    f2.write_text(f2.read_text().replace("seed = 7", "seed = 8"))
    assert not {r.seed for r in plan(load_experiment(f2))} & {r.seed for r in runs}


def test_one_and_two_workers_give_identical_results(tmp_path):
    f = study(tmp_path)
    a = run_experiment(f, tmp_path / "one", workers=1, progress=False)
    b = run_experiment(f, tmp_path / "two", workers=2, progress=False)
    pd.testing.assert_frame_equal(a.runs, b.runs)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "runs.parquet"),
                                  pd.read_parquet(tmp_path / "two" / "runs.parquet"))
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    assert len(a.runs) == 18 and a.runs["index"].is_unique
    s = a.summary
    assert len(s) == 6 and (s["n"] == 3).all()
    assert (s["retention_ci_low"] <= s["retention_mean"]).all()
    doc = json.loads((tmp_path / "one" / "study.json").read_text())
    assert doc["runs"] == 18 and doc["orgsim_version"] and doc["started"] <= doc["finished"]


def test_a_run_replays_to_the_same_row(tmp_path, capsys):
    run_experiment(study(tmp_path), tmp_path / "out", workers=1, progress=False)
    assert main(["replay", str(tmp_path / "out"), "11"]) == 0
    assert "identical to the stored run" in capsys.readouterr().out


def test_a_failing_run_is_reported_and_the_others_go_on(tmp_path, monkeypatch):
    from sim import model as model_module

    real = model_module.OrganisationModel.step

    def flaky(self):
        if self.params["silo_barrier"] == 1.0 and self.params["mandate"] == 0.9:
            raise RuntimeError("boom")
        return real(self)

    monkeypatch.setattr(model_module.OrganisationModel, "step", flaky)
    res = run_experiment(study(tmp_path), tmp_path / "out", workers=1, progress=False)
    assert len(res.runs) == 15 and len(res.failures) == 3
    fails = pd.read_csv(tmp_path / "out" / "failures.csv")
    assert (fails["error"] == "RuntimeError: boom").all()
    assert all(json.loads(p) == {"silo_barrier": 1.0, "mandate": 0.9} for p in fails["params"])
    exp = load_experiment(study(tmp_path))
    by_index = {r.index: r.seed for r in plan(exp)}
    assert list(fails["index"]) == sorted(fails["index"])  # in run order
    assert list(fails["seed"]) == [by_index[i] for i in fails["index"]]
    # the failed runs are retried on resume
    monkeypatch.setattr(model_module.OrganisationModel, "step", real)
    res = run_experiment(study(tmp_path), tmp_path / "out", workers=1, progress=False, resume=True)
    assert len(res.runs) == 18 and len(res.failures) == 0


def test_refuses_to_mix_studies_without_resume(tmp_path):
    f = study(tmp_path)
    run_experiment(f, tmp_path / "out", workers=1, progress=False, replications=1)
    with pytest.raises(ExperimentError, match="--resume"):
        run_experiment(f, tmp_path / "out", workers=1, progress=False)
    more = run_experiment(f, tmp_path / "out", workers=1, progress=False, resume=True)
    assert len(more.runs) == 18  # the first replication was kept, two more were added


def test_adaptive_replications_stop_when_the_interval_is_narrow(tmp_path):
    extra = '\n[adaptive]\nmetric = "retention"\nci_width = 0.004\nmax_replications = 8\n'
    f = study(tmp_path, reps=2, extra=extra)
    res = run_experiment(f, tmp_path / "out", workers=1, progress=False)
    s = res.summary
    width = s["retention_ci_high"] - s["retention_ci_low"]
    assert ((width <= 0.004) | (s["n"] == 8)).all()
    assert (s["n"] >= 2).all()
    # every point's replications are consecutive from 0 (no gaps)
    for _, g in res.runs.groupby("point"):
        assert sorted(g["replication"]) == list(range(len(g)))


# --- interruption ---------------------------------------------------------------

def stored_runs(folder: Path) -> list[Path]:
    """The run folders a study has stored (runs/KEY/)."""
    runs = folder / "runs"
    return [p for p in runs.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))] \
        if runs.is_dir() else []


def _wait_for_runs(folder: Path, count: int, timeout: float = 60.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if len(stored_runs(folder)) >= count:
            return
        time.sleep(0.02)
    raise AssertionError("the study did not get going")


def test_sigkill_then_resume_gives_the_uninterrupted_results(tmp_path):
    f = study(tmp_path, steps=52, reps=8, n=1500)
    whole = run_experiment(f, tmp_path / "whole", workers=2, progress=False)
    out = tmp_path / "killed"
    proc = subprocess.Popen([str(BIN / "orgsim"), "sweep", str(f), "--out", str(out),
                             "--workers", "2", "--quiet"], start_new_session=True)
    _wait_for_runs(out, 6)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(stored_runs(out))
    assert 6 <= partial < 48
    resumed = run_experiment(f, out, workers=2, progress=False, resume=True)
    pd.testing.assert_frame_equal(resumed.runs, whole.runs)
    assert resumed.runs["index"].is_unique and len(resumed.runs) == 48
    assert not list((out / "runs").glob(".*"))


# --- Dask -----------------------------------------------------------------------

def test_a_dask_cluster_gives_the_same_results_as_local_workers(tmp_path, dask_cluster):
    address, _ = dask_cluster
    f = study(tmp_path)
    local = run_experiment(f, tmp_path / "local", workers=1, progress=False)
    dask = run_experiment(f, tmp_path / "dask", scheduler=address, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "local" / "runs.parquet"),
                                  pd.read_parquet(tmp_path / "dask" / "runs.parquet"))
    pd.testing.assert_frame_equal(local.timeseries, dask.timeseries)


def test_a_lost_dask_worker_loses_no_run(tmp_path, dask_cluster):
    address, procs = dask_cluster
    f = study(tmp_path, steps=52, reps=8, n=1500)
    out = tmp_path / "out"
    result = {}
    t = threading.Thread(target=lambda: result.update(
        res=run_experiment(f, out, scheduler=address, progress=False)))
    t.start()
    _wait_for_runs(out, 4)
    os.killpg(procs[1].pid, signal.SIGKILL)  # one worker (and its nanny) gone
    t.join(timeout=300)
    assert not t.is_alive()
    res = result["res"]
    assert len(res.runs) == 48 and res.runs["index"].is_unique and len(res.failures) == 0
    local = run_experiment(f, tmp_path / "local", workers=2, progress=False)
    pd.testing.assert_frame_equal(res.runs, local.runs)


# --- the day-one finding ------------------------------------------------------------

def test_silo_x_reward_retention_falls_with_silos_and_rises_with_customer_rewards(tmp_path):
    """The shipped study: the 95% intervals of retention at the extremes of each factor
    (pooled over the other one) do not overlap, and the trend is monotone."""
    from helpers import mean_ci

    res = run_experiment("silo_x_reward", tmp_path / "sxr", workers=2, progress=False)
    runs = res.runs
    for factor, sign in (("silo_barrier", -1), ("reward_mix", 1)):
        levels = sorted(runs[factor].unique())
        _, lo_first, hi_first = mean_ci(runs.loc[runs[factor] == levels[0], "retention"])
        _, lo_last, hi_last = mean_ci(runs.loc[runs[factor] == levels[-1], "retention"])
        if sign < 0:
            assert lo_first > hi_last, factor
        else:
            assert lo_last > hi_first, factor
        means = runs.groupby(factor)["retention"].mean().to_numpy()
        assert np.all(sign * np.diff(means) > 0), (factor, means)
    s = res.summary.set_index(["silo_barrier", "reward_mix"])
    for reward in (0.0, 0.5, 1.0):  # the barrier's extremes separate at every reward scheme
        assert s.loc[(0.0, reward), "retention_ci_low"] > s.loc[(1.0, reward), "retention_ci_high"]
