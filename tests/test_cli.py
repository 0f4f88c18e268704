"""The ``orgsim`` command line: run, scenarios, params; errors; reproducible output.

Runs go through ``sim.cli.main`` in-process at a small size (300 customers, 300
prospects, 20 employees, 10 weeks); one test goes through a real subprocess to check the
exit code and that stderr is one line without a traceback.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim import load_scenario
from sim.cli import main
from sim.model.params import LEVERS, PARAMS, PARAMS_LIST

SMALL_SETS = ["--set", "n_customers=300", "--set", "n_prospects=300", "--set", "n_employees=20"]
SMALL = dict(n_customers=300, n_prospects=300, n_employees=20)
STEPS = 10
COLUMNS = ["step", "active_customers", "prospects", "acquired", "churned",
           "churn_dissatisfaction", "churn_competitor", "churn_contagion", "retention",
           "mean_satisfaction", "nps", "revenue", "failure_demand_share",
           "first_contact_resolution", "handoffs", "mean_wait", "employees",
           "product_fault_rate"]
NAMED = ("baseline", "product_centric", "customer_centric")


@pytest.fixture(autouse=True)
def _only_packaged_scenarios(monkeypatch):
    monkeypatch.delenv("ORGSIM_SCENARIO_PATH", raising=False)


def cli(*argv: str) -> int:
    """main(argv) in-process; the exit code whether it returns or exits (argparse)."""
    try:
        return main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code


def run_small(out: Path, *extra: str, scenario: str = "baseline", steps: int = STEPS) -> int:
    return cli("run", scenario, *SMALL_SETS, "--steps", str(steps), "--out", out, "--quiet",
               *extra)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def assert_one_line_error(err: str, *names: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert "Traceback" not in err
    assert "error" in err
    for name in names:
        assert name in err, f"{name!r} not named in {err!r}"


# --- run: what it writes -----------------------------------------------------------------

def test_run_writes_timeseries_with_one_row_per_week_and_the_documented_columns(tmp_path, capsys):
    out = tmp_path / "out"
    assert run_small(out, "--seed", "3") == 0
    assert sorted(p.name for p in out.iterdir()) == ["summary.json", "timeseries.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left behind
    assert capsys.readouterr().out == ""  # --quiet

    rows = read_csv(out / "timeseries.csv")
    assert [int(r["step"]) for r in rows] == list(range(STEPS + 1))
    assert set(COLUMNS) <= set(rows[0])
    first = rows[0]
    assert (int(first["active_customers"]), int(first["prospects"]), int(first["employees"])) \
        == (300, 300, 20)
    assert float(first["retention"]) == 1.0
    causes = [c for c in rows[0] if c.startswith("churn_")]
    for r in rows:
        for c in COLUMNS:
            assert r[c] != "" and r[c].lower() != "nan", (r["step"], c)
        assert int(r["churned"]) == sum(int(r[c]) for c in causes), r["step"]
        assert 0.0 <= float(r["retention"]) <= 1.0
        assert -100.0 <= float(r["nps"]) <= 100.0
    for prev, now in zip(rows, rows[1:]):  # customers are only gained or lost as counted
        assert int(now["active_customers"]) == \
            int(prev["active_customers"]) + int(now["acquired"]) - int(now["churned"])


def test_run_summary_holds_scenario_seed_version_resolved_params_and_results(tmp_path):
    out = tmp_path / "out"
    assert run_small(out, "--seed", "3", "--set", "reward_mix=customer",
                     "--set", "silo_barrier=0.25") == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "baseline"
    assert summary["seed"] == 3
    assert summary["steps"] == STEPS
    assert summary["orgsim_version"] == sim.__version__
    expected = load_scenario("baseline", reward_mix=1.0, silo_barrier=0.25, **SMALL).params
    assert summary["params"] == expected
    assert set(summary["params"]) == {p.name for p in PARAMS_LIST}  # the model's own
    assert summary["params"]["reward_mix"] == 1.0

    rows = read_csv(out / "timeseries.csv")
    results = summary["results"]
    assert results["weeks"] == STEPS
    assert results["active_customers_start"] == 300
    assert results["active_customers"] == int(rows[-1]["active_customers"])
    assert results["churned"] == sum(int(r["churned"]) for r in rows[1:])
    assert results["acquired"] == sum(int(r["acquired"]) for r in rows[1:])
    assert results["retention"] == pytest.approx(float(rows[-1]["retention"]))


def test_run_prints_a_summary_naming_the_result_files(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli("run", "baseline", *SMALL_SETS, "--steps", "3", "--seed", "5", "--out", out) == 0
    printed = capsys.readouterr()
    assert "baseline (seed 5): 3 weeks" in printed.out
    assert str(out / "timeseries.csv") in printed.out and str(out / "summary.json") in printed.out
    assert printed.err == ""


def test_run_without_out_writes_under_results_named_after_scenario_and_seed(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("run", "product_centric", *SMALL_SETS, "--steps", "2", "--seed", "8",
               "--quiet") == 0
    folder = tmp_path / "results" / "product_centric-seed8"
    assert sorted(p.name for p in folder.iterdir()) == ["summary.json", "timeseries.csv"]
    assert json.loads((folder / "summary.json").read_text())["params"]["reward_mix"] == 0.0


def test_run_uses_the_scenario_seed_when_none_is_given(tmp_path):
    out = tmp_path / "out"
    assert run_small(out, steps=2) == 0
    assert json.loads((out / "summary.json").read_text())["seed"] == load_scenario("baseline").seed


# --- run: reproducible -------------------------------------------------------------------

def test_same_scenario_and_seed_give_byte_identical_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_small(a, "--seed", "11") == 0
    assert run_small(b, "--seed", "11") == 0
    for name in ("timeseries.csv", "summary.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_different_seed_gives_a_different_timeseries(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_small(a, "--seed", "11") == 0
    assert run_small(b, "--seed", "12") == 0
    assert (a / "timeseries.csv").read_bytes() != (b / "timeseries.csv").read_bytes()
    # the start is the same kind of world, what happens after differs
    ra, rb = read_csv(a / "timeseries.csv"), read_csv(b / "timeseries.csv")
    assert ra[0]["active_customers"] == rb[0]["active_customers"] == "300"
    assert [r["mean_satisfaction"] for r in ra] != [r["mean_satisfaction"] for r in rb]


def test_rerun_into_the_same_folder_replaces_the_files(tmp_path):
    out = tmp_path / "out"
    assert run_small(out, "--seed", "1", steps=2) == 0
    assert run_small(out, "--seed", "2", steps=3) == 0
    assert len(read_csv(out / "timeseries.csv")) == 4
    assert json.loads((out / "summary.json").read_text())["seed"] == 2


# --- run: bad input --------------------------------------------------------------------

def _unknown_key_file(tmp_path: Path) -> str:
    path = tmp_path / "typo.toml"
    path.write_text('preset = "baseline"\nsilo_barier = 0.2\n')
    return str(path)


BAD_RUNS = {
    # id: (argv after "run", names the message must hold)
    "unknown-scenario": (["no_such_scenario"], ["no_such_scenario"]),
    "set-out-of-range": (["baseline", "--set", "silo_barrier=2"], ["silo_barrier", "range"]),
    "set-unknown-name": (["baseline", "--set", "nosuch=1"], ["nosuch"]),
    "set-without-equals": (["baseline", "--set", "silo_barrier"], ["silo_barrier", "name=value"]),
    "set-without-name": (["baseline", "--set", "=1"], ["--set", "name=value"]),
    "set-not-a-number": (["baseline", "--set", "n_customers=many"], ["n_customers"]),
    "set-not-whole": (["baseline", "--set", "n_customers=10.5"], ["n_customers", "whole"]),
    "set-bad-choice": (["baseline", "--set", "customer_network=ring"], ["customer_network"]),
    "steps-zero": (["baseline", "--steps", "0"], ["--steps"]),
    "steps-not-a-number": (["baseline", "--steps", "ten"], ["--steps"]),
    "steps-too-many": (["baseline", "--steps", "1000000000"], ["--steps", "100000"]),
    "seed-negative": (["baseline", "--seed", "-1"], ["--seed"]),
    "seed-too-large": (["baseline", "--seed", str(2**63)], ["--seed"]),
    "file-unknown-key": ([_unknown_key_file], ["silo_barier", "typo.toml"]),
    "file-missing": (["missing.toml"], ["missing.toml"]),
}


@pytest.mark.parametrize("case", BAD_RUNS, ids=list(BAD_RUNS))
def test_bad_run_input_exits_2_with_one_line_and_writes_nothing(case, tmp_path, capsys,
                                                                monkeypatch):
    argv, names = BAD_RUNS[case]
    argv = [a(tmp_path) if callable(a) else a for a in argv]
    monkeypatch.chdir(tmp_path)  # so a default results/ folder would show up here too
    before = set(tmp_path.iterdir())
    out = tmp_path / "out"
    assert cli("run", *argv, *SMALL_SETS, "--out", out) == 2
    captured = capsys.readouterr()
    assert_one_line_error(captured.err, *names)
    assert captured.out == ""
    assert not out.exists()
    assert set(tmp_path.iterdir()) == before


def test_out_that_is_a_file_exits_2_and_leaves_the_file_alone(tmp_path, capsys):
    out = tmp_path / "taken"
    out.write_text("mine")
    assert cli("run", "baseline", *SMALL_SETS, "--steps", "2", "--out", out) == 2
    assert_one_line_error(capsys.readouterr().err, str(out))
    assert out.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_out_below_a_file_exits_2_with_one_line_and_no_traceback(tmp_path, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("mine")
    out = blocker / "sub" / "run"
    assert cli("run", "baseline", *SMALL_SETS, "--steps", "2", "--out", out) == 2
    assert_one_line_error(capsys.readouterr().err, str(out), "not a folder")
    assert blocker.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_failure_to_write_results_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    import errno

    import sim.files.results

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(sim.files.results, "write_run", full_disk)
    out = tmp_path / "out"
    assert cli("run", "baseline", *SMALL_SETS, "--steps", "1", "--out", out) == 2
    assert_one_line_error(capsys.readouterr().err, str(out), os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("argv", [[], ["nosuchcommand"], ["run"], ["run", "baseline", "--bogus"]],
                         ids=["no-command", "unknown-command", "no-scenario", "unknown-option"])
def test_usage_errors_exit_2_with_one_line(argv, capsys):
    assert cli(*argv) == 2
    assert_one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("argv, name", [
    (["run", "no_such_scenario"], "no_such_scenario"),  # raised by the scenario loader
    (["run", "baseline", "--steps", "0"], "--steps"),    # raised by argparse
], ids=["scenario-error", "argparse-error"])
def test_real_process_exits_2_with_one_line_on_stderr_and_no_traceback(argv, name, tmp_path):
    script = Path(sys.executable).with_name("orgsim")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "sim.cli"]
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "ORGSIM_SCENARIO_PATH"}
    proc = subprocess.run(cmd + argv + ["--out", str(out)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_one_line_error(proc.stderr, name)
    assert proc.stderr.startswith("orgsim")
    assert not out.exists() and list(tmp_path.iterdir()) == []


# --- run: a scenario file starting from a preset --------------------------------------

def test_run_of_a_file_with_a_preset_and_an_override_shows_both_in_the_summary(tmp_path):
    path = tmp_path / "my_firm.toml"
    path.write_text('description = "customer-centric, with a full mandate"\n'
                    'preset = "customer_centric"\n'
                    'mandate = 0.95\n'
                    'n_customers = 300\nn_prospects = 300\nn_employees = 20\n'
                    'steps = 4\nseed = 17\n')
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "--quiet") == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "my_firm"
    assert summary["source"] == str(path)
    assert summary["presets"] == ["customer_centric", "baseline"]
    assert (summary["steps"], summary["seed"]) == (4, 17)  # the file's own steps and seed
    assert summary["params"]["mandate"] == 0.95  # the override
    cc = load_scenario("customer_centric").params
    for name in ("silo_barrier", "bridges", "reward_mix", "escalation", "shared_record"):
        assert summary["params"][name] == cc[name], name  # the rest from the preset
    assert len(read_csv(out / "timeseries.csv")) == 5


def test_set_overrides_a_value_the_scenario_file_sets(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('preset = "customer_centric"\nmandate = 0.95\n')
    out = tmp_path / "out"
    assert run_small(out, "--set", "mandate=0.05", scenario=str(path), steps=2) == 0
    assert json.loads((out / "summary.json").read_text())["params"]["mandate"] == 0.05


# --- scenarios and params ----------------------------------------------------------------

def test_scenarios_lists_the_named_scenarios_each_with_its_description(capsys):
    assert cli("scenarios") == 0
    lines = capsys.readouterr().out.splitlines()
    listed = {}
    for line in lines:
        name, _, desc = line.partition("  ")
        listed[name.strip()] = desc.strip()
    for name in NAMED:
        assert name in listed, name
        assert listed[name], f"{name} has no description"
        assert listed[name] == load_scenario(name).description


def test_params_lists_every_parameter_once_in_order(capsys):
    assert cli("params") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [p.name for p in PARAMS_LIST]
    for p, line in zip(PARAMS_LIST, lines):
        assert p.allowed() in line, p.name
        assert line.endswith("  lever") == p.lever, p.name  # the design levers are marked
    assert sum(line.endswith("  lever") for line in lines) == len(LEVERS)
