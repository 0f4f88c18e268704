"""Nothing lost in --out: a run's files are one folder renamed as a whole (a kill
leaves the old pair or the new one), a study replaces and deletes only what its
manifest lists, refuses another study's folder and files it did not write, cleans up a
killed write's leftovers, and every error path is one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.experiments import ExperimentError, run_experiment
from sim.files.atomic import TMP

SETS = ["--set", "n_customers=200", "--set", "n_prospects=200", "--set", "n_employees=15"]

STUDY = """
description = "folders"
scenario = "baseline"
steps = 6
replications = 1
seed = 3
metrics = ["retention"]
timeseries = ["retention"]
[set]
n_customers = 200
n_prospects = 200
n_employees = 15
[vary]
mandate = [0.2, 0.8]
"""


def study(tmp_path, name="study.toml") -> Path:
    f = tmp_path / name
    f.write_text(STUDY)
    return f


def consistent(out: Path) -> int:
    """The weeks of the run in ``out``, after checking its table and summary belong together."""
    summary = json.loads((out / "summary.json").read_text())
    ts = pd.read_csv(out / "timeseries.csv")
    assert len(ts) == summary["steps"] + 1 and summary["results"]["weeks"] == summary["steps"]
    return summary["steps"]


KILL = """
import os, sys
import sim.files.atomic as atomic
real = atomic.exchange
def killed(a, b):
    if sys.argv[1] == "after":
        real(a, b)
    os._exit(9)  # killed: no clean-up of any kind
atomic.exchange = killed
from sim.cli import main
main(["run", "baseline", "--steps", "4", "--out", sys.argv[2], "--quiet", *sys.argv[3:]])
"""


@pytest.mark.parametrize("when, weeks", [("before", 3), ("after", 4)])
def test_a_kill_while_orgsim_run_replaces_its_folder_leaves_one_whole_run(tmp_path, when, weeks):
    out = tmp_path / "out"
    assert main(["run", "baseline", *SETS, "--steps", "3", "--out", str(out), "--quiet"]) == 0
    proc = subprocess.run([sys.executable, "-c", KILL, when, str(out), *SETS])
    assert proc.returncode == 9
    assert consistent(out) == weeks  # the old run or the new one, whole
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(TMP)]  # the kill's leftover
    assert main(["run", "baseline", *SETS, "--steps", "5", "--out", str(out), "--quiet"]) == 0
    assert consistent(out) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # leftovers cleaned


def test_orgsim_run_refuses_a_folder_holding_other_files(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    assert main(["run", "baseline", *SETS, "--steps", "2", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "thesis.docx" in err
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"]


def test_a_study_folder_lists_what_orgsim_wrote_and_keeps_what_it_did_not(tmp_path):
    out = tmp_path / "out"
    run_experiment(study(tmp_path), out, workers=1, progress=False)
    manifest = json.loads((out / ".orgsim-manifest.json").read_text())
    assert manifest["kind"] == "study" and manifest["name"] == "study"
    assert {"runs.parquet", "summary.csv", "study.json", "runs", "figures"} <= set(manifest["files"])
    (out / "runs" / ".my-notes").write_text("keep me")
    (out / "my-analysis.R").write_text("keep me too")
    (out / "runs" / f"{TMP}killed.json.x").write_text("{")  # a killed write's leftover
    (out / f"{TMP}summary.csv.y").write_text("half")
    run_experiment(study(tmp_path), out, workers=1, progress=False, resume=True)
    assert (out / "runs" / ".my-notes").read_text() == "keep me"
    assert (out / "my-analysis.R").read_text() == "keep me too"
    assert not list(out.glob(f"{TMP}*")) and not list((out / "runs").glob(f"{TMP}*"))


def test_a_folder_holding_another_study_or_foreign_results_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    run_experiment(study(tmp_path), out, workers=1, progress=False)
    before = (out / "runs.parquet").read_bytes()
    other = study(tmp_path, "other.toml")
    assert main(["sweep", str(other), "--out", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "another study ('study')" in err
    assert (out / "runs.parquet").read_bytes() == before
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "summary.csv").write_text("their numbers")
    with pytest.raises(ExperimentError, match="summary.csv, which orgsim did not write"):
        run_experiment(study(tmp_path), foreign, workers=1, progress=False)
    assert (foreign / "summary.csv").read_text() == "their numbers"


def test_every_error_path_of_sweep_compare_and_report_is_one_line(tmp_path, capsys):
    f = study(tmp_path)
    (tmp_path / "file").write_text("")
    cases = [
        (["sweep", str(f), "--out", "/proc/orgsim-cannot/out", "--quiet"], "cannot write"),
        (["sweep", str(f), "--out", str(tmp_path / "d"), "--scheduler", "garbage://x", "--quiet"],
         "--scheduler garbage://x"),
        (["compare", "baseline", "customer_centric", "--replications", "1", "--steps", "2",
          "--out", "/proc/orgsim-cannot/cmp", "--quiet", "--no-report"], "cannot write"),
    ]
    for argv, words in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err and "Traceback" not in err, (argv, err)
    assert not (tmp_path / "d").exists()  # a cluster that cannot be reached: nothing written
    out = tmp_path / "out"
    run_experiment(f, out, workers=1, progress=False)
    doc = json.loads((out / "study.json").read_text())
    for broken in ("{not json", json.dumps({k: v for k, v in doc.items() if k != "steps"})):
        (out / "study.json").write_text(broken)
        for argv in (["replay", str(out), "0"], ["sensitivity", str(out)], ["report", str(out)]):
            assert main(argv) == 2, argv
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and "study.json" in err, (argv, err)


def test_a_tampered_comparison_json_is_one_line_for_report(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "customer_centric", "--replications", "2", "--steps", "3",
                 "--out", str(out), "--quiet", "--no-report"]) == 0
    doc = json.loads((out / "comparison.json").read_text())
    del doc["scenarios"]
    (out / "comparison.json").write_text(json.dumps(doc))
    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "comparison.json" in err


TAMPERED = {
    # id: (document, where, value) -- each a value the report would stumble on
    "study-steps-text": ("study.json", ("steps",), "x"),
    "study-steps-huge": ("study.json", ("steps",), 10**30),
    "study-metrics-numbers": ("study.json", ("metrics",), [5]),
    "study-description-number": ("study.json", ("description",), 7),
    "study-seed-negative": ("study.json", ("seed",), -1),
    "study-measure-zero": ("study.json", ("measure",), 0),
    "study-params-text": ("study.json", ("scenario_params", "n_customers"), "many"),
    "study-metric-not-run": ("study.json", ("metrics",), ["retention", "nps"]),
    "cmp-params-text": ("comparison.json", ("scenarios", 0, "params", "n_customers"), "many"),
    "cmp-label-list": ("comparison.json", ("scenarios", 0, "label"), ["x"]),
    "cmp-question-number": ("comparison.json", ("question",), 5),
    "cmp-no-scenarios": ("comparison.json", ("scenarios",), []),
    "cmp-renamed-scenario": ("comparison.json", ("scenarios", 0, "name"), "x$^$"),
    "cmp-client-empty": ("comparison.json", ("client",), {"a": 1}),
    "cmp-event-unknown": ("comparison.json", ("scenarios", 0, "events"), [{"at": 2, "kind": "nonsense"}]),
    "cmp-replications-bool": ("comparison.json", ("replications",), True),
}


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """A small study's folder (metrics: retention) and a comparison's, made once."""
    where = tmp_path_factory.mktemp("kept")
    f = where / "study.toml"
    f.write_text(STUDY)
    run_experiment(f, where / "study.json", workers=1, progress=False)
    assert main(["compare", "baseline", "customer_centric", "--replications", "2", "--steps", "3",
                 "--out", str(where / "comparison.json"), "--quiet", "--no-report",
                 "--workers", "1"]) == 0
    return where


@pytest.mark.parametrize("case", TAMPERED, ids=list(TAMPERED))
def test_a_tampered_document_is_one_line_for_report(case, kept, tmp_path, capsys):
    import shutil

    name, where, value = TAMPERED[case]
    out = tmp_path / "folder"
    shutil.copytree(kept / name, out)
    doc = json.loads((out / name).read_text())
    parent = doc
    for k in where[:-1]:
        parent = parent[k]
    parent[where[-1]] = value
    (out / name).write_text(json.dumps(doc))
    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err and "damaged" in err, err
    assert not (out / "report.html").exists()


@pytest.mark.parametrize("name", ["study.json", "comparison.json"])
def test_a_document_nested_too_deep_is_one_line_for_report(name, kept, tmp_path, capsys):
    import shutil

    out = tmp_path / "folder"
    shutil.copytree(kept / name, out)
    (out / name).write_text("[" * 100_000 + "]" * 100_000)  # json's RecursionError
    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "damaged" in err and "Traceback" not in err


def test_workers_are_capped_at_the_machines_cores(capsys):
    from sim.experiments.backends import InProcess, make_backend
    from sim.experiments.pool import LocalPool, machine_cores

    lines = []
    backend = make_backend(1000, say=lines.append)
    assert isinstance(backend, (LocalPool, InProcess))
    assert getattr(backend, "workers", 1) == machine_cores()
    assert lines == [f"--workers 1000: this machine has {machine_cores()} cores; using {machine_cores()}"]
    backend.close()


def test_a_huge_study_is_refused_before_any_point_is_made(tmp_path):
    from sim.experiments import load_experiment
    from sim.experiments.spec import MAX_RUNS, check_size, count_runs

    levels = ", ".join(str(i / 1000) for i in range(1000))
    f = tmp_path / "huge.toml"
    f.write_text(STUDY.replace("mandate = [0.2, 0.8]", f"mandate = [{levels}]\nsilo_barrier = [{levels}]"))
    exp = load_experiment(f)
    assert count_runs(exp) == 1_000_000 > MAX_RUNS
    with pytest.raises(ExperimentError, match="1,000,000 runs.*--yes-this-is-big"):
        run_experiment(f, tmp_path / "out", workers=1, progress=False)
    assert not (tmp_path / "out").exists()
    check_size(exp, big=True)  # allowed when asked for
    sobol = tmp_path / "sobol.toml"
    ranges = "\n".join(f"{p} = [0.0, 1.0]" for p in ("mandate", "silo_barrier", "escalation"))
    sobol.write_text(STUDY.replace("[vary]\nmandate = [0.2, 0.8]",
                                   f"[sample]\nmethod = 'sobol'\nn = 524288\n[sample.ranges]\n{ranges}"))
    assert count_runs(load_experiment(sobol)) == 524288 * 5


def test_a_comparison_records_provenance_and_says_which_code_made_each_run(tmp_path):
    from sim.experiments import provenance

    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "customer_centric", "--replications", "2", "--steps", "3",
                 "--out", str(out), "--quiet", "--no-report"]) == 0
    doc = json.loads((out / "comparison.json").read_text())
    assert doc["provenance"]["code"] == provenance.code_digest("")
    records = [json.loads(p.read_text()) for p in (out / "runs").glob("*/run.json")]
    assert len(records) == 4 and {r["provenance"]["code"] for r in records} == {doc["provenance"]["code"]}


def test_resume_over_a_study_json_nested_too_deep_rewrites_it(tmp_path, capsys):
    f = study(tmp_path)
    out = tmp_path / "out"
    run_experiment(f, out, workers=1, progress=False)
    (out / "study.json").write_text("[" * 100_000 + "]" * 100_000)  # json's RecursionError
    assert main(["sweep", str(f), "--out", str(out), "--resume", "--quiet", "--workers", "1"]) == 0
    assert json.loads((out / "study.json").read_text())["runs"] == 2
