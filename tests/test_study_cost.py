"""A study's size and memory are checked before any point is made (sim.experiments.cost):
more runs than spec.MAX_RUNS are refused unless --yes-this-is-big, and what would not
fit in the memory limit is refused whatever its size, in one line naming what drives
it (the grid's levels, the sample's n, the replications, the most expensive point)."""

from __future__ import annotations

import tracemalloc

import pytest

from sim.cli import main
from sim.experiments import cost, load_experiment, runner
from sim.experiments.design import Plan

HEAD = 'scenario = "baseline"\nsteps = 4\nreplications = {reps}\n'
NINE = ["mandate", "silo_barrier", "escalation", "info_scatter", "shared_record",
        "reward_mix", "learn_rate", "need_rate", "fault_rate"]


def levels(n: int) -> str:
    return "[" + ", ".join(str(round(i / n, 6)) for i in range(n)) + "]"


STUDIES = {
    # id: (file, words the refusal by memory must hold)
    "grid-1e9-points": (HEAD.format(reps=1) + "[vary]\n"
                        + "\n".join(f"{p} = {levels(10)}" for p in NINE),
                        ["1,000,000,000 points", "10 mandate x 10 silo_barrier"]),
    "runs-1e9": (HEAD.format(reps=100_000) + "[vary]\n"
                 + "\n".join(f"{p} = {levels(100)}" for p in NINE[:2]),
                 ["10,000 points x 100,000 replications = 1,000,000,000 runs"]),
    "lhs-1e6-points": (HEAD.format(reps=1000) + "[sample]\nmethod = 'lhs'\nn = 1000000\n"
                       "[sample.ranges]\nmandate = [0.0, 1.0]",
                       ["sample.method = lhs, sample.n = 1000000", "1,000 replications"]),
    "sobol-2^19": (HEAD.format(reps=1) + "[sample]\nmethod = 'sobol'\nn = 524288\n"
                   "[sample.ranges]\n" + "\n".join(f"{p} = [0.0, 1.0]" for p in NINE),
                   ["5,767,168 runs", "sample.method = sobol, sample.n = 524288, 9 ranges"]),
}


def cli(*argv) -> int:
    try:
        return main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code


@pytest.fixture
def no_plan(monkeypatch):
    """Making a plan (the points, their identities, the runs) fails the test."""
    def refuse(self, exp):
        raise AssertionError("a plan was made")
    monkeypatch.setattr(runner.Plan, "__init__", refuse)


@pytest.mark.parametrize("case", STUDIES, ids=list(STUDIES))
def test_a_huge_study_is_refused_in_one_line_before_a_point_is_made(case, tmp_path, capsys,
                                                                    no_plan):
    text, words = STUDIES[case]
    f = tmp_path / "huge.toml"
    f.write_text(text + "\n")
    out = tmp_path / "out"
    assert cli("sweep", f, "--out", out, "--quiet") == 2  # by its number of runs
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--yes-this-is-big" in err and "Traceback" not in err
    assert not out.exists()
    # asked for, it is still held to the memory limit
    assert cli("sweep", f, "--out", out, "--quiet", "--yes-this-is-big") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    for w in ["of memory", "--max-memory", "the plan:", *words]:
        assert w in err, f"{w!r} not in {err!r}"
    assert not out.exists()


def test_replications_from_the_command_line_count(tmp_path, capsys, no_plan):
    f = tmp_path / "small.toml"
    f.write_text(HEAD.format(reps=2) + "[vary]\nmandate = [0.2, 0.8]\n")
    assert cli("sweep", f, "--out", tmp_path / "o", "--replications", "1000000000",
               "--yes-this-is-big") == 2
    err = capsys.readouterr().err
    assert "2 points x 1,000,000,000 replications" in err and err.count("\n") == 1


def test_the_most_expensive_point_is_the_one_checked(tmp_path, capsys, no_plan):
    """Each varied driver at its most expensive level: the grid's corner, not its base."""
    f = tmp_path / "loud.toml"
    f.write_text(HEAD.format(reps=2) + "[vary]\nsocial_amplification = [1.0, 1000.0]\n"
                 "wom_reach = [1, 1000]\nsilo_barrier = [0.0, 1.0]\n")
    exp = load_experiment(f)
    worst = cost.worst_point(exp)
    assert (worst.params["social_amplification"], worst.params["wom_reach"]) == (1000.0, 1000)
    assert cli("sweep", f, "--out", tmp_path / "o", "--max-memory", "8GiB") == 2
    err = capsys.readouterr().err
    for w in ["8 GiB", "word of mouth", "social_amplification", "wom_reach"]:
        assert w in err, f"{w!r} not in {err!r}"
    s = tmp_path / "loud_sample.toml"  # a sampler's range: its upper end
    s.write_text(HEAD.format(reps=2) + "[sample]\nmethod = 'lhs'\nn = 4\n[sample.ranges]\n"
                 "social_amplification = [1.0, 1000.0]\nwom_reach = [1, 1000]\n")
    worst = cost.worst_point(load_experiment(s))
    assert (worst.params["social_amplification"], worst.params["wom_reach"]) == (1000.0, 1000)


def test_a_normal_study_runs(tmp_path):
    f = tmp_path / "ok.toml"
    f.write_text(HEAD.format(reps=2).replace("steps = 4", "steps = 3")
                 + "[set]\nn_customers = 300\nn_prospects = 300\nn_employees = 20\n"
                 "[vary]\nmandate = [0.2, 0.8]\n")
    out = tmp_path / "out"
    assert cli("sweep", f, "--out", out, "--quiet", "--workers", "1",
               "--max-memory", "1GiB") == 0
    assert (out / "summary.csv").is_file()


def test_the_plans_estimate_is_at_least_what_a_plan_takes(tmp_path):
    f = tmp_path / "grid.toml"
    f.write_text(HEAD.format(reps=3) + f"[vary]\nmandate = {levels(40)}\n"
                 f"silo_barrier = {levels(40)}\n")
    exp = load_experiment(f)
    tracemalloc.start()
    try:
        plan = Plan(exp)
        runs = plan.runs(exp.replications)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(runs) == 4800
    estimate = len(plan.points) * cost.PER_POINT + len(runs) * cost.PER_RUN
    assert peak <= estimate <= 3 * peak, (peak, estimate)


def test_the_runs_held_at_once_are_those_the_pool_runs():
    """--workers 1000 on a two-core machine holds two runs at once, not a thousand: the
    memory check counts what the pool will run (it caps at the cores)."""
    from sim.cli import _workers
    from sim.experiments.pool import machine_cores

    assert _workers(1000) == machine_cores() == _workers(None)
    assert _workers(1) == 1
