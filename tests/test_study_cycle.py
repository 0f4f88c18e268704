"""The edit-resume cycle of a study: provenance on every run, a change of the model's
code refused (or marked), seeds by what a run is (a new level runs only its own runs),
stale runs set aside and brought back, steps/metrics/columns edits, damaged run files
named and redone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments import ExperimentError, run_experiment
from sim.experiments import provenance

HEAD = """
description = "cycle"
scenario = "baseline"
steps = {steps}
replications = {reps}
seed = 5
metrics = {metrics}
timeseries = {ts}
{model}
[set]
n_customers = 250
n_prospects = 250
n_employees = 20
[vary]
silo_barrier = {silo}
mandate = [0.2, 0.8]
"""


def write(tmp_path, steps=10, reps=2, silo="[0.0, 1.0]", metrics='["retention", "nps"]',
          ts='["retention"]', model="", name="study.toml") -> Path:
    f = tmp_path / name
    f.write_text(HEAD.format(steps=steps, reps=reps, silo=silo, metrics=metrics, ts=ts, model=model))
    return f


def run_dirs(out: Path) -> set[str]:
    """The stored runs' folder names."""
    return {p.name for p in (out / "runs").iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}


def mark(out: Path) -> set[str]:
    """Leave a mark in every stored run's folder; a redone run's folder is new and has
    none. Returns the runs marked."""
    for name in run_dirs(out):
        (out / "runs" / name / ".mark").touch()
    return run_dirs(out)


def unmarked(out: Path) -> set[str]:
    """The stored runs made since the last ``mark``."""
    return {n for n in run_dirs(out) if not (out / "runs" / n / ".mark").exists()}


def quiet(f, out, **kw):
    return run_experiment(f, out, workers=1, progress=False, **kw)


# --- provenance -----------------------------------------------------------------

def test_study_json_and_every_run_carry_the_provenance(tmp_path):
    res = quiet(write(tmp_path), tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "study.json").read_text())
    prov = doc["provenance"]
    for key in ("code", "code_files", "params", "orgsim", "python", "numpy", "mesa", "networkx", "pandas"):
        assert prov[key], key
    assert "sim/model/model.py" in prov["code_files"] and "sim/model/churn.py" in prov["code_files"]
    assert prov["code"] == provenance.code_digest("")
    if (Path(provenance.__file__).parents[2] / ".git").exists():
        assert len(prov["git_commit"]) == 40
    assert prov["codes_in_runs"] == {prov["code"]: 8}
    for run in (tmp_path / "out" / "runs").iterdir():
        stored = json.loads((run / "run.json").read_text())["provenance"]
        assert stored["code"] == prov["code"] and stored["numpy"] == prov["numpy"]
        assert len(stored["params"]) == 16
    assert set(res.runs["code"]) == {prov["code"]}
    # different parameters, different parameter digests
    digests = {json.loads((r / "run.json").read_text())["provenance"]["params"]
               for r in (tmp_path / "out" / "runs").iterdir()}
    assert len(digests) == 4


def test_a_changed_line_of_the_models_code_is_refused_on_resume_unless_allowed(tmp_path, monkeypatch, capsys):
    from sim.cli import main

    model_copy = tmp_path / "model"
    shutil.copytree(provenance.MODEL_DIR, model_copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(provenance, "MODEL_DIR", model_copy)  # the digest reads this copy
    f, out = write(tmp_path), tmp_path / "out"
    quiet(f, out)
    churn = model_copy / "churn.py"
    churn.write_text(churn.read_text() + "\n# one more line\n")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert main(["sweep", str(f), "--out", str(out), "--resume", "--workers", "1", "--quiet",
                 "--replications", "3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sim/model/churn.py" in err and "--allow-code-change" in err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before  # nothing written
    res = quiet(f, out, resume=True, replications=3, allow_code_change=True)
    codes = res.runs.groupby("replication")["code"].unique()
    assert len(set(res.runs["code"])) == 2
    assert codes[0][0] == codes[1][0] != codes[2][0]  # the new replication: the new code
    assert any("--allow-code-change" in n for n in res.notes)
    doc = json.loads((out / "study.json").read_text())
    assert sorted(doc["provenance"]["codes_in_runs"].values()) == [4, 8]


def test_a_model_class_of_ones_own_is_part_of_the_code_digest(tmp_path):
    mine = tmp_path / "mine.py"
    mine.write_text("from sim import OrganisationModel\n\nclass Mine(OrganisationModel):\n    pass\n")
    f, out = write(tmp_path, model='model = "mine.py:Mine"'), tmp_path / "out"
    quiet(f, out)
    files = json.loads((out / "study.json").read_text())["provenance"]["code_files"]
    assert str(mine.resolve()) in files
    mine.write_text(mine.read_text() + "    # changed\n")
    with pytest.raises(ExperimentError, match="mine.py") as err:
        quiet(f, out, resume=True)
    assert "\n" not in str(err.value)


# --- seeds by what a run is -----------------------------------------------------

def test_adding_a_grid_level_runs_only_the_new_points_runs(tmp_path):
    f, out = write(tmp_path), tmp_path / "out"
    quiet(f, out)
    before = mark(out)
    assert len(before) == 8
    f.write_text(f.read_text().replace("silo_barrier = [0.0, 1.0]", "silo_barrier = [0.0, 0.5, 1.0]"))
    res = quiet(f, out, resume=True)
    assert len(run_dirs(out)) == 12
    assert len(unmarked(out)) == 4 and not unmarked(out) & before  # only the new point's runs ran
    fresh = quiet(f, tmp_path / "fresh")
    pd.testing.assert_frame_equal(res.runs, fresh.runs)
    pd.testing.assert_frame_equal(res.timeseries, fresh.timeseries)


def test_a_removed_level_is_set_aside_and_comes_back(tmp_path):
    f, out = write(tmp_path, silo="[0.0, 0.5, 1.0]"), tmp_path / "out"
    whole = quiet(f, out)
    f.write_text(f.read_text().replace("[0.0, 0.5, 1.0]", "[0.0, 1.0]"))
    res = quiet(f, out, resume=True)
    assert len(res.runs) == 8 and len(run_dirs(out)) == 8
    assert len(list((out / "runs" / "_stale").iterdir())) == 4
    assert any("moved 4 stored runs" in n and "_stale" in n for n in res.notes)
    f.write_text(f.read_text().replace("[0.0, 1.0]", "[0.0, 0.5, 1.0]"))
    mark(out)
    for stale in (out / "runs" / "_stale").iterdir():
        (stale / ".mark").touch()
    back = quiet(f, out, resume=True)
    assert any("brought back 4 runs" in n for n in back.notes)
    assert len(run_dirs(out)) == 12 and not unmarked(out)  # none re-run
    pd.testing.assert_frame_equal(back.runs, whole.runs)


def test_changing_steps_says_so_and_reruns_and_changing_back_reruns_nothing(tmp_path):
    f, out = write(tmp_path), tmp_path / "out"
    first = quiet(f, out)
    res = quiet(f, out, resume=True, steps=14)
    assert len(res.runs) == 8 and pd.read_parquet(out / "timeseries.parquet")["step"].max() == 14
    note = next(n for n in res.notes if "moved 8 stored runs" in n)
    assert "8 of them ran 10 weeks, the study now runs 14" in note
    longer = run_dirs(out)
    for stale in (out / "runs" / "_stale").iterdir():
        (stale / ".mark").touch()
    again = quiet(f, out, resume=True)  # back to the file's 10 weeks: the old runs return
    assert any("brought back 8 runs" in n for n in again.notes)
    pd.testing.assert_frame_equal(again.runs, first.runs)
    assert not unmarked(out) and not longer & run_dirs(out)
    assert {p.name for p in (out / "runs" / "_stale").iterdir()} == longer


def test_a_new_metric_is_derived_from_the_stored_runs_and_a_new_column_reruns(tmp_path):
    f, out = write(tmp_path), tmp_path / "out"
    quiet(f, out)
    names = mark(out)
    f.write_text(f.read_text().replace('metrics = ["retention", "nps"]',
                                       'metrics = ["retention", "nps", "churned"]'))
    res = quiet(f, out, resume=True)
    assert not unmarked(out)  # nothing re-run
    assert any("metrics changed" in n and "no run is re-run" in n for n in res.notes)
    assert "churned_mean" in res.summary.columns and res.runs["churned"].notna().all()
    f.write_text(f.read_text().replace('timeseries = ["retention"]',
                                       'timeseries = ["retention", "active_customers"]'))
    res = quiet(f, out, resume=True)
    assert any("8 stored runs lack weekly columns" in n for n in res.notes)
    assert run_dirs(out) == names and unmarked(out) == names  # the same runs, each run again
    fresh = quiet(f, tmp_path / "fresh")
    pd.testing.assert_frame_equal(res.timeseries, fresh.timeseries)
    pd.testing.assert_frame_equal(res.runs, fresh.runs)


# --- damaged run files ----------------------------------------------------------

def test_damaged_and_foreign_run_files_are_named_set_aside_and_redone(tmp_path):
    f, out = write(tmp_path), tmp_path / "out"
    untouched = quiet(f, tmp_path / "untouched")
    quiet(f, out)
    names = sorted(run_dirs(out))
    truncated, emptied, other = (out / "runs" / n / "run.json" for n in names[:3])
    truncated.write_bytes(truncated.read_bytes()[:100])
    emptied.write_bytes(b"")
    other.write_text(json.dumps({"hello": "world"}))
    (out / "runs" / "notes.json").write_text("my own notes")
    (out / "runs" / ".keep").write_text("a dotfile of mine")
    res = quiet(f, out, resume=True)
    for n in (*names[:3], "notes.json"):
        lines = [x for x in res.notes if str(out / "runs" / n) in x]
        assert len(lines) == 1 and "_bad" in lines[0], n
    assert (out / "runs" / ".keep").read_text() == "a dotfile of mine"
    assert (out / "runs" / "_bad" / "notes.json").read_text() == "my own notes"
    assert len(run_dirs(out)) == 8
    pd.testing.assert_frame_equal(res.runs, untouched.runs)
    pd.testing.assert_frame_equal(res.timeseries, untouched.timeseries)
