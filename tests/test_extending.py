"""docs/extending.md's worked example runs exactly as written: the loyalty programme in
Python, from the command line, in a study on 2 local workers and on a Dask cluster;
and the extension API does what it says (declarations, schedule edits, columns)."""

from __future__ import annotations

import json
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import BIN
from sim import OrganisationModel, load_scenario
from sim.experiments import run_experiment
from sim.model import Attr, Param, ParameterError, ScheduleError, register_params

GUIDE = Path(__file__).parents[1] / "docs" / "extending.md"
SIZE = dict(n_customers=600, n_prospects=600, n_employees=30)


def guide_blocks() -> tuple[dict[str, str], list[str]]:
    """The guide's files (```lang file=NAME blocks) and its shell command lines."""
    text = GUIDE.read_text()
    files = dict(re.findall(r"```\w+ file=(\S+)\n(.*?)```", text, re.S))
    commands = [line for block in re.findall(r"```sh\n(.*?)```", text, re.S)
                for line in block.splitlines() if line.strip()]
    return files, commands


@pytest.fixture
def guide(tmp_path, monkeypatch):
    """The guide's files written into a fresh folder, which is the working directory
    and on sys.path (as for a researcher who saved them there)."""
    files, commands = guide_blocks()
    for name, body in files.items():
        (tmp_path / name).write_text(body)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("loyalty", None)
    yield tmp_path, commands
    sys.modules.pop("loyalty", None)


def test_the_guide_holds_the_example_files_and_commands():
    files, commands = guide_blocks()
    assert set(files) == {"loyalty.py", "use_loyalty.py", "loyalty_study.toml", "no_wom.py"}
    assert any(c.startswith("orgsim sweep loyalty_study.toml --workers 2") for c in commands)
    assert any("--scheduler" in c for c in commands)


def test_the_loyalty_example_runs_from_python_as_written(guide, capsys):
    runpy.run_path("use_loyalty.py", run_name="__main__")
    out = capsys.readouterr().out
    assert "mean_points" in out and "loyalty_cost" in out
    from loyalty import LoyaltyModel

    m = LoyaltyModel(load_scenario("baseline", **SIZE, points_per_week=5.0), rng=1)
    m.run(10)
    active = m.cust.status == 1
    # every week active: earned 5 a week since joining (or since the start)
    assert m.cust.points[active].max() == pytest.approx(50.0)
    assert m.timeseries()["mean_points"].iloc[-1] > 0
    assert m.timeseries()["loyalty_cost"].iloc[-1] == pytest.approx(
        5.0 * 0.01 * m.timeseries()["active_customers"].iloc[-1], rel=0.05)
    assert m.schedule.names.index("loyalty") == m.schedule.names.index("experience") + 1


def test_the_new_attribute_is_one_declaration_made_reset_grown_and_shown(guide):
    from loyalty import LoyaltyModel

    m = LoyaltyModel(load_scenario("baseline", **SIZE, points_per_week=2.0), rng=3)
    assert m.cust.points.shape == (m.cust.n,) and m.cust.points.dtype == np.float32
    m.run(8)
    left = np.flatnonzero(m.cust.status == 2)
    assert len(left) and not m.cust.points[left].any()  # lost on leaving
    joined = np.flatnonzero((m.cust.status == 1) & (m.cust.tenure < 8) & ~m.cust.initial)
    assert len(joined) and (m.cust.points[joined] < 16.0).all()  # from 0 on joining
    i = int(np.flatnonzero(m.cust.status == 1)[0])
    assert m.customer(i).points == pytest.approx(float(m.cust.points[i]))
    n = m.cust.n
    m.trigger("merger", size=0.5)
    assert m.cust.points.shape == (m.cust.n,) and m.cust.n > n  # grown by the merger
    assert not m.cust.points[n:].any()
    m.run(2)


def test_points_keep_customers_and_freezing_them_gives_the_model_itself(guide):
    from loyalty import LoyaltyModel

    kept, same = [], []
    for seed in (1, 2, 3):
        base = OrganisationModel(load_scenario("baseline", **SIZE), rng=seed)
        frozen = LoyaltyModel(load_scenario("baseline", **SIZE, points_per_week=0.0), rng=seed)
        on = LoyaltyModel(load_scenario("baseline", **SIZE, points_per_week=10.0), rng=seed)
        for m in (base, frozen, on):
            m.run(52)
        cols = list(base.timeseries().columns)
        same.append(frozen.timeseries()[cols].equals(base.timeseries()))
        kept.append(on.timeseries()["retention"].iloc[-1] - base.timeseries()["retention"].iloc[-1])
    assert all(same)  # no points: the extension changes nothing (it draws no numbers)
    assert np.mean(kept) > 0.005 and min(kept) > 0  # points keep customers, every seed
    assert on.timeseries()["loyalty_cost"].sum() > 0  # ... and cost money


def test_another_form_of_churn_replaces_the_phase_and_keeps_the_rest(guide):
    import no_wom

    kw = dict(SIZE, wom_loyalty=1.0, wom_negative_ratio=20.0)
    plain = OrganisationModel(load_scenario("baseline", **kw), rng=4)
    other = no_wom.NoWomLoyalty(load_scenario("baseline", **kw), rng=4)
    plain.run(30)
    other.run(30)
    assert other.params["wom_loyalty"] == 1.0  # restored after every churn phase
    a, b = plain.timeseries(), other.timeseries()
    assert not a["churned"].equals(b["churned"])  # the other form of churn changed the run
    assert a["step"].equals(b["step"])
    sys.modules.pop("no_wom", None)


def _run(command: str, cwd: Path) -> str:
    """A shell line of the guide with the virtualenv's orgsim."""
    line = command.replace("orgsim ", f"{shlex.quote(str(BIN / 'orgsim'))} ", 1)
    done = subprocess.run(line, shell=True, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_guide_commands_run_as_written(guide, dask_cluster):
    folder, commands = guide
    address, _ = dask_cluster
    outputs = {}
    for command in commands:
        outputs[command] = _run(command.replace("tcp://127.0.0.1:8786", address), folder)
    listed = next(v for k, v in outputs.items() if k.startswith("orgsim params"))
    assert {line.split()[0] for line in listed.splitlines()} == {
        "points_per_week", "points_lock_in", "point_cost"}
    ts = pd.read_csv(folder / "results" / "loyalty" / "timeseries.csv")
    assert {"mean_points", "loyalty_cost"} <= set(ts.columns) and len(ts) == 53
    summary = json.loads((folder / "results" / "loyalty" / "summary.json").read_text())
    assert summary["params"]["points_per_week"] == 5.0
    assert summary["model"].endswith("LoyaltyModel")
    local = pd.read_parquet(folder / "results" / "loyalty_study" / "runs.parquet")
    dask = pd.read_parquet(folder / "results" / "loyalty_dask" / "runs.parquet")
    pd.testing.assert_frame_equal(local, dask)
    assert sorted(local["points_per_week"].unique()) == [0.0, 5.0]
    by = local.groupby("points_per_week")
    assert by["mean_points"].mean()[0.0] == 0.0 and by["mean_points"].mean()[5.0] > 0
    assert by["loyalty_cost"].mean()[5.0] > 0
    study = json.loads((folder / "results" / "loyalty_study" / "study.json").read_text())
    assert study["model"]["class"].endswith("LoyaltyModel")
    assert study["model"]["ref"].endswith("loyalty.py:LoyaltyModel")
    weekly = pd.read_parquet(folder / "results" / "loyalty_study" / "timeseries.parquet")
    assert "mean_points" in weekly.columns


def test_a_study_of_the_example_on_two_local_workers(guide):
    folder, _ = guide
    res = run_experiment(folder / "loyalty_study.toml", folder / "two", workers=2,
                         progress=False)
    assert len(res.runs) == 4 and not len(res.failures)
    one = run_experiment(folder / "loyalty_study.toml", folder / "one", workers=1,
                         progress=False)
    pd.testing.assert_frame_equal(res.runs, one.runs)


def test_the_page_runs_the_example_and_shows_its_columns_and_attribute(guide):
    from loyalty import LoyaltyModel
    from sim.app.classroom import classroom_class
    from sim.app.views import describe, snapshot, status_text

    Page = classroom_class(LoyaltyModel)
    m = Page(n_customers=200, seed=3, reward_mix=0.8)
    assert isinstance(m, LoyaltyModel) and m.params["reward_mix"] == 0.8
    m.step()
    m.step()
    text = status_text(snapshot(m))
    shown = re.search(r"mean points ([\d.]+), loyalty cost ([\d.]+)", text)
    assert shown and 1.9 <= float(shown.group(1)) <= 2.0 and float(shown.group(2)) > 0, text
    i = int(np.flatnonzero(m.cust.status == 1)[0])
    assert any(line.startswith("points: ") for line in describe(m, "customer", i))
    m.compare_with("customer_centric")
    assert isinstance(m.twin, LoyaltyModel) and m.twin.steps == m.steps


def test_the_page_file_takes_the_model_the_command_line_names(guide, monkeypatch):
    import importlib

    from sim.app import page

    folder, _ = guide
    monkeypatch.setenv("ORGSIM_MODEL", f"{folder / 'loyalty.py'}:LoyaltyModel")
    try:
        assert importlib.reload(page).PageModel.base_class.__name__ == "LoyaltyModel"
    finally:
        monkeypatch.delenv("ORGSIM_MODEL")
        assert importlib.reload(page).PageModel.base_class is OrganisationModel


def test_orgsim_refuses_a_model_that_is_not_there_in_one_line(tmp_path, capsys):
    from sim.cli import main

    (tmp_path / "notmodel.py").write_text("class X:\n    pass\n")
    for argv in (["params", "--model", str(tmp_path / "missing.py") + ":M"],
                 ["run", "baseline", "--model", str(tmp_path / "notmodel.py") + ":X"],
                 ["app", "--model", "no_such_module_here:M"],
                 ["params", "--model", "nocolon"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("orgsim: error: model") and "\n" not in err, err


# --- the API's limits ----------------------------------------------------------------

def test_a_parameter_taken_or_out_of_its_own_range_is_refused():
    with pytest.raises(ParameterError, match="already defined"):
        register_params(Param("mandate", float, 0.5, 0.0, 2.0))
    with pytest.raises(ParameterError, match="default"):
        register_params(Param("ext_bad_default", float, 5.0, 0.0, 1.0))
    with pytest.raises(ParameterError, match="low <= high"):
        register_params(Param("ext_bad_range", float, 0.5, 1.0, 0.0))
    with pytest.raises(ParameterError, match="lever=True is for the model's own"):
        register_params(Param("ext_lever", float, 0.5, 0.0, 1.0, lever=True))


def test_schedule_edits_name_phases_that_exist():
    s = OrganisationModel.schedule
    with pytest.raises(ScheduleError, match="no phase 'nope'"):
        s.insert_after("nope", "x", lambda m, w: None)
    with pytest.raises(ScheduleError, match="twice"):
        s.insert_after("churn", "experience", lambda m, w: None)
    assert s.remove("tenure").names == tuple(n for n in s.names if n != "tenure")


def test_a_wrapped_phase_runs_around_the_original_and_a_replaced_one_instead():
    seen = []

    def around(inner, model, week):
        seen.append(("before", int(np.count_nonzero(model.cust.status == 1))))
        inner(model, week)
        seen.append(("after", int(week.churn_by_cause.sum())))

    class Wrapped(OrganisationModel):
        schedule = OrganisationModel.schedule.wrap("churn", around)

    class NoChurn(OrganisationModel):
        schedule = OrganisationModel.schedule.replace(
            "churn", lambda model, week: setattr(week, "churn_by_cause",
                                                 np.zeros(len(model.causes), np.int64)))

    a = Wrapped(load_scenario("baseline", **SIZE), rng=5)
    b = OrganisationModel(load_scenario("baseline", **SIZE), rng=5)
    a.run(6)
    b.run(6)
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())  # wrapping adds nothing
    assert [k for k, _ in seen] == ["before", "after"] * 6
    assert sum(n for k, n in seen if k == "after") == b.timeseries()["churned"].sum()
    c = NoChurn(load_scenario("baseline", **SIZE), rng=5)
    c.run(6)
    assert c.timeseries()["churned"].sum() == 0


def test_a_column_taken_or_an_attribute_declared_twice_is_refused():
    with pytest.raises(ValueError, match="column already"):
        type("Bad", (OrganisationModel,), {"reporters": {"retention": lambda m: 0.0}})
    with pytest.raises(ValueError, match="declared twice"):
        type("Bad2", (OrganisationModel,),
             {"customer_state": OrganisationModel.customer_state + (Attr("wom", np.float32, 0.0),)})
