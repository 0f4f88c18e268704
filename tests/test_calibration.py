"""``orgsim calibrate``: targets files (read, checked, refused in one line), the fit
(ABC-SMC with pyabc) and what it writes, resuming an interrupted calibration, and the
recovery test: known parameter values fall inside the 90% posterior intervals at about
the nominal rate, and the posterior is narrower than the prior.

Everything runs at a tiny size (100-150 customers, 26 weeks, one process); the full
recovery is benchmarks/calibration_recovery.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration import calibrate
from sim.calibration.measures import MEASURES, Setting, simulate
from sim.calibration.recovery import coverage, recover
from sim.calibration.targets import default_priors, load_targets
from sim.cli import main
from sim.files.scenarios import ScenarioError
from sim.model.params import PARAMS, role

ROOT = Path(__file__).resolve().parents[1]

TINY = """
[calibration]
name = "tiny"
preset = "baseline"
customers = 120
weeks = 26
population = 16
generations = 4
seed = 4

[parameters]
churn_base = {low = 0.0005, high = 0.002, scale = "log"}
base_expectation = {low = 0.5, high = 0.7}

[[target]]
measure = "annual_churn"
observed = 0.10
sd = 0.015

[[target]]
measure = "nps"
observed = -15
sd = 3

[[target]]
measure = "survival"
file = "cohorts.csv"
sd = 0.02
"""
COHORTS = "tenure_weeks,share_active\n13,0.97\n26,0.95\n"


def tiny(tmp_path: Path, text: str = TINY) -> Path:
    (tmp_path / "cohorts.csv").write_text(COHORTS)
    path = tmp_path / "targets.toml"
    path.write_text(text)
    return path


def cli(*argv) -> int:
    try:
        return main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code


# --- targets files -----------------------------------------------------------------------

def test_the_shipped_targets_files_load():
    lit = load_targets(ROOT / "calibration" / "literature.toml")
    assert {t.measure for t in lit.targets} >= {"annual_churn", "contagion_hazard_ratio",
                                                "wom_ratio", "complaints_raised",
                                                "failure_demand_silos", "merger_churn_ratio"}
    client = load_targets(ROOT / "calibration" / "client_example.toml")
    survival = [t for t in client.targets if t.measure == "survival"]
    assert [t.week for t in survival] == [13, 26, 52, 78, 104]  # one target per CSV row
    for t in (lit, client):
        assert all(role(p.name) == "constant" for p in t.priors)
        # the hand calibration is inside every prior
        assert all(p.low <= PARAMS[p.name].default <= p.high for p in t.priors)


def test_default_priors_are_the_loosely_pinned_constants_centred_on_the_hand_calibration():
    priors = {p.name: p for p in default_priors()}
    assert set(priors) == {p.name for p in PARAMS.values()
                           if p.plausible and role(p.name) == "constant"}
    assert not any(PARAMS[n].lever for n in priors)
    # churn_base's plausible range is half to twice the default: a log prior centres it
    assert priors["churn_base"].scale == "log"
    assert priors["satisfaction_ref"].scale == "linear"


BAD = [
    ("[calibration]\nname = 3\n", "calibration.name"),
    ("[calibrate]\n", "unknown key 'calibrate'"),
    ("[calibration]\ncustomers = 10\n", "calibration.customers"),
    ("[calibration]\ngenerations = 2.5\n", "calibration.generations"),
    ("[calibration]\npreset = 'no_such'\n", "calibration.preset"),
    ("[parameters]\nsilo_barrier = {low = 0.1, high = 0.9}\n", "design lever"),
    ("[parameters]\nno_such = {low = 0, high = 1}\n", "unknown key 'no_such'"),
    ("[parameters]\nchurn_base = {low = 0.002, high = 0.001}\n", "must be below"),
    ("[parameters]\nchurn_base = {low = 0.001}\n", "give high"),
    ("[parameters]\nchurn_base = {low = 0.0, high = 0.01, scale = 'log'}\n", "log"),
    ("[parameters]\ncustomer_network = {low = 0, high = 1}\n", "not a number parameter"),
    ("[[target]]\nmeasure = 'annual_churn'\nobserved = 0.1\n", "give sd"),
    ("[[target]]\nmeasure = 'annual_churn'\nobserved = 0.1\nsd = 0\n", "target 1.sd"),
    ("[[target]]\nmeasure = 'churn'\nobserved = 0.1\nsd = 1\n", "target 1.measure"),
    ("[[target]]\nmeasure = 'annual_churn'\nobserved = nan\nsd = 1\n", "target 1.observed"),
    ("[[target]]\nmeasure = 'annual_churn'\nobserved = 0.1\nsd = 1\nweek = 3\n", "only for survival"),
    ("[[target]]\nmeasure = 'survival'\nweek = 900\nobserved = 0.5\nsd = 1\n", "target 1.week"),
    ("[[target]]\nmeasure = 'survival'\nfile = 'missing.csv'\nsd = 1\n", "cannot read"),
    ("[calibration]\nweeks = 26\n[[target]]\nmeasure = 'wom_ratio'\nobserved = 2\nsd = 1\n",
     "calibration.weeks of at least"),
    ("x = 1\n", "unknown key 'x'"),
    ("", "at least one [[target]]"),
    # the runs are long enough, the --quick ones (52 weeks unless set) are not: that is named
    ("[calibration]\nweeks = 104\n[[target]]\nmeasure = 'survival'\nweek = 104\nobserved = 0.8\n"
     "sd = 0.1\n", "(calibration.quick.weeks, the default for --quick = 52)"),
    ("[calibration]\nweeks = 104\n[calibration.quick]\nweeks = 78\n[[target]]\nmeasure = 'survival'\n"
     "week = 104\nobserved = 0.8\nsd = 0.1\n", "(calibration.quick.weeks = 78)"),
]


def test_a_cohort_as_long_as_both_kinds_of_run_is_taken(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text("[calibration]\nweeks = 104\n[calibration.quick]\nweeks = 104\n[[target]]\n"
                    "measure = 'survival'\nweek = 104\nobserved = 0.8\nsd = 0.1\n")
    assert [t.week for t in load_targets(path).targets] == [104]


@pytest.mark.parametrize("text, words", BAD)
def test_a_bad_targets_file_is_refused_in_one_line_naming_the_field(text, words, tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_targets(path)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg and words in msg, msg


def test_a_bad_cohort_table_is_refused_naming_its_line(tmp_path):
    path = tiny(tmp_path)
    (tmp_path / "cohorts.csv").write_text("tenure_weeks,share_active\n13,0.97\n26,1.5\n")
    with pytest.raises(ScenarioError, match=r"cohorts.csv line 3: share_active"):
        load_targets(path)
    (tmp_path / "cohorts.csv").write_text("weeks,active\n13,0.97\n")
    with pytest.raises(ScenarioError, match="header tenure_weeks,share_active"):
        load_targets(path)


def test_the_command_line_refuses_a_bad_file_with_exit_2_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "t.toml"
    path.write_text("[[target]]\nmeasure = 'annual_churn'\nobserved = 0.1\nsd = -1\n")
    out = tmp_path / "out"
    assert cli("calibrate", path, "--out", out, "--quiet") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "target 1.sd" in err and "Traceback" not in err
    assert not out.exists()


# --- the measures ---------------------------------------------------------------------------

def test_measures_read_what_the_validation_reads():
    """The series measures and the observed ones come from the same run; a worse firm
    (product_centric) loses more customers and has more failure demand."""
    from sim.calibration.targets import Target

    targets = [Target(m, m, 0.0, 1.0, week=26 if MEASURES[m].takes_week else 0)
               for m in ("annual_churn", "failure_demand_share", "survival", "wom_ratio",
                         "complaints_raised")]
    base = simulate({}, 5, targets, Setting("baseline", 300, 78))
    again = simulate({}, 5, targets[:3], Setting("baseline", 300, 78))
    assert all(base[k] == again[k] for k in again)  # observing a run does not change it
    worse = simulate({}, 5, targets[:3], Setting("product_centric", 300, 78))
    assert worse["annual_churn"] > base["annual_churn"]
    assert worse["failure_demand_share"] > base["failure_demand_share"]
    assert 0.3 < base["complaints_raised"] < 0.7  # complaint_rate 0.5 of consumers, 0.75 b2b
    # a higher base hazard loses more customers with the same seed
    more = simulate({"churn_base": 0.003}, 5, targets[:1], Setting("baseline", 300, 78))
    assert more["annual_churn"] > base["annual_churn"]


# --- the fit and its files ---------------------------------------------------------------

@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cal")
    path = tiny(tmp)
    out = tmp / "out"
    doc = calibrate(path, out, workers=1, say=lambda line: None)
    return path, out, doc


def test_calibrate_writes_the_posterior_the_database_the_diagnostics_and_figures(calibrated):
    path, out, doc = calibrated
    post = pd.read_parquet(out / "posterior.parquet")
    assert list(post.columns) == ["churn_base", "base_expectation", "weight"]
    assert len(post) == 16 and all(post.dtypes == float)
    assert post["weight"].sum() == pytest.approx(1.0)
    assert post["churn_base"].between(0.0005, 0.002).all()
    meta = json.loads((out / "calibration.json").read_text())
    assert meta["parameters"]["churn_base"] == {"low": 0.0005, "high": 0.002, "scale": "log",
                                                "default": 0.001}
    assert meta["generations"] == 4 and meta["population"] == 16
    assert [t["key"] for t in meta["targets"]] == ["annual_churn", "nps", "survival_13",
                                                   "survival_26"]
    assert meta["finished"]  # the fourth generation is at temperature 1
    md = (out / "calibration.md").read_text()
    assert "| 4 |" in md and "effective sample size" in md
    for key in ("annual_churn", "nps", "survival_13", "survival_26"):
        row = next(line for line in md.splitlines() if line.startswith(f"| {key} |"))
        assert row.endswith("| yes |") or row.endswith("| **no** |")
    assert (out / "figures" / "marginals.png").stat().st_size > 1000
    assert (out / "figures" / "pairwise.png").stat().st_size > 1000
    import pyabc
    history = pyabc.History(f"sqlite:///{out / 'abc.db'}")
    assert history.max_t == 3
    temps = history.get_all_populations().query("t >= 0")["epsilon"].to_numpy()
    assert temps[-1] == 1.0 and (np.diff(temps) < 0).all()  # falling to 1


def test_a_calibration_folder_is_not_overwritten_and_others_are_refused(calibrated, tmp_path):
    path, out, _ = calibrated
    from sim.experiments.spec import ExperimentError

    with pytest.raises(ExperimentError, match="already holds results; use --resume"):
        calibrate(path, out, workers=1)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "calibration.md").write_text("mine")
    with pytest.raises(ExperimentError, match="calibration.md, which orgsim did not write"):
        calibrate(path, foreign, workers=1)
    assert (foreign / "calibration.md").read_text() == "mine"
    other = tmp_path / "other.toml"
    other.write_text(TINY.replace("observed = 0.10", "observed = 0.12"))
    (tmp_path / "cohorts.csv").write_text(COHORTS)
    with pytest.raises(ExperimentError, match="other targets"):
        calibrate(other, out, workers=1, resume=True)


def _calibrate_command(tmp_path, workers: int):
    """``orgsim calibrate`` of the tiny targets file as a subprocess runs it: the command,
    its environment and its --out folder."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim.cli", "calibrate", str(tiny(tmp_path)), "--out",
           str(out), "--workers", str(workers)]
    return cmd, {**os.environ, "PYTHONPATH": str(ROOT)}, out


def test_an_interrupted_calibration_resumes_from_its_database(tmp_path):
    """Interrupted (SIGINT) once its first generation is in the database, the command
    stops with exit code 130; --resume runs only the generations left, keeping the
    first as it was."""
    import pyabc

    cmd, env, out = _calibrate_command(tmp_path, workers=1)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    for line in proc.stdout:  # progress lines: a generation is stored when it is printed
        if line.startswith("generation 1 of 4"):
            proc.send_signal(signal.SIGINT)
            break
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "--resume" in err
    first = pyabc.History(f"sqlite:///{out / 'abc.db'}")
    assert 0 <= first.max_t < 3
    kept = first.get_distribution(m=0, t=0)[0].sort_index()
    done = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "calibrated 2 parameters" in done.stdout
    history = pyabc.History(f"sqlite:///{out / 'abc.db'}")
    assert history.max_t == 3 and history.n_populations == 4
    pd.testing.assert_frame_equal(history.get_distribution(m=0, t=0)[0].sort_index(), kept)
    assert json.loads((out / "calibration.json").read_text())["generations"] == 4


def test_ctrl_c_with_several_workers_stops_in_one_line_with_the_database_intact(tmp_path):
    """Ctrl-C as a terminal sends it (SIGINT to the whole process group, workers
    included) during a calibration on two worker processes: exit code 130, one line on
    stderr saying how to resume, no worker's traceback nor pyabc's "worker is dead", and
    the database holds the generations done."""
    import pyabc

    cmd, env, out = _calibrate_command(tmp_path, workers=2)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    # generation 1 is in the database when its line is printed; generation 2's workers
    # are all started when the line saying so is printed
    started = "generation 2 of 4: simulating on 2 worker processes"
    seen = []
    bound = threading.Timer(600, proc.kill)  # a failure bound if the line never comes
    bound.start()
    try:
        for line in proc.stdout:  # ends with the process's output, if the line is not in it
            seen.append(line)
            if line.startswith(started):
                break
    finally:
        bound.cancel()
    assert seen and seen[-1].startswith(started), "".join(seen)
    assert any(line.startswith("generation 1 of 4: 16 accepted") for line in seen)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "interrupted" in lines[0] and lines[0].endswith("--resume")
    assert f"--out {out}" in lines[0]
    history = pyabc.History(f"sqlite:///{out / 'abc.db'}")
    assert history.max_t >= 0
    assert len(history.get_distribution(m=0, t=0)[0]) == 16


# --- recovery ------------------------------------------------------------------------------

RECOVERY = """
[calibration]
name = "recovery"
preset = "baseline"
customers = 400
weeks = 26
population = 20
generations = 3
[parameters]
churn_base = {low = 0.0005, high = 0.002, scale = "log"}
base_expectation = {low = 0.5, high = 0.7}
[[target]]
measure = "annual_churn"
observed = 0.1
sd = 0.01
[[target]]
measure = "nps"
observed = -15
sd = 2
"""


def test_recovery_known_values_fall_inside_the_posterior_intervals(tmp_path):
    """Simulation-based calibration in small: three draws from the prior, synthetic
    observations from the model at them, a calibration each. Of the six known values
    at least four lie inside their 90% intervals (nominal 5.4; with 20 particles an
    interval's ends are rough; measured: all six), and the intervals are narrower than
    the prior's: the posterior gathers round the known values."""
    path = tmp_path / "recovery.toml"
    path.write_text(RECOVERY)
    rows = recover(load_targets(path), draws=3, seed=7)
    assert len(rows) == 6
    assert coverage(rows) >= 4 / 6, [(r.parameter, r.true, r.low, r.high) for r in rows]
    # NPS pins base_expectation; half a year of 400 customers pins churn_base loosely
    for name, most in (("churn_base", 0.95), ("base_expectation", 0.5)):
        narrowing = np.mean([r.narrowing for r in rows if r.parameter == name])
        assert narrowing < most, (name, narrowing)


def test_calibrate_runs_on_a_dask_cluster(dask_cluster, tmp_path):
    """--scheduler: the particles are simulated on the cluster's workers."""
    address, _ = dask_cluster
    path = tmp_path / "t.toml"
    path.write_text(DASK)
    out = tmp_path / "out"
    assert cli("calibrate", path, "--out", out, "--scheduler", address, "--quiet") == 0
    meta = json.loads((out / "calibration.json").read_text())
    assert meta["workers"] == f"Dask scheduler {address}" and meta["generations"] >= 1
    assert len(pd.read_parquet(out / "posterior.parquet")) == 10


DASK = """
[calibration]
name = "dask"
customers = 80
weeks = 13
population = 10
generations = 2
[parameters]
churn_base = {low = 0.0005, high = 0.002, scale = "log"}
[[target]]
measure = "nps"
observed = -15
sd = 5
"""


# --- packaging -----------------------------------------------------------------------------


def test_the_shipped_targets_files_are_in_the_wheel_and_load_by_name(tmp_path):
    """``pip wheel`` packages calibration/ as sim/_calibration/; from the unpacked wheel
    (no repository in sight) ``literature`` and ``client_example`` load by name, the
    client example with its cohort table."""
    import zipfile

    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True,
                           timeout=600)
    if built.returncode != 0:
        pytest.skip(f"pip could not build the wheel here: {built.stderr.strip()[-200:]}")
    wheel = next((tmp_path / "dist").glob("orgsim-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(p.name for p in (ROOT / "calibration").iterdir() if p.suffix in (".toml", ".csv"))
    assert sorted(n.split("/")[-1] for n in names if n.startswith("sim/_calibration/")) == shipped
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("from sim.calibration.targets import load_targets\n"
            "for name in ('literature', 'client_example'):\n"
            "    t = load_targets(name)\n"
            "    print(name, t.path, len(t.targets))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)}, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["literature", "client_example"]
    assert all(str(site / "sim" / "_calibration") in line for line in lines)
    assert int(lines[1].split()[-1]) > 5  # the cohort table's rows are targets too
