"""Resource limits by cost (sim.files.budget): the memory a run would need is estimated
from its resolved parameters before anything is built, and what would exceed the limit
is refused in one line naming the parameters that drive it.

The estimate is held against real runs: the peak resident memory of a fresh process
building a model and stepping it, varying one driver at a time (memory, not time, so
the check does not depend on the machine's load)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sim import ScenarioError, load_scenario
from sim.cli import main
from sim.files import budget

GiB = 2**30


def cli(*argv: str) -> int:
    try:
        return main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code


ISSUE_CASES = {
    # id: (--set values, the words the refusal must hold)
    "wom-amplified": (["social_amplification=1000", "wom_reach=1000"],
                      ["social_amplification", "wom_reach"]),
    "huge-organisation": (["n_employees=200000", "within_degree=100"],
                          ["n_employees", "within_degree"]),
    "dense-network": (["customer_degree=200", "n_customers=5000000"],
                      ["customer_degree", "n_customers"]),
}


@pytest.mark.parametrize("case", ISSUE_CASES, ids=list(ISSUE_CASES))
def test_a_run_beyond_the_memory_limit_is_refused_in_one_line_naming_its_drivers(
        case, tmp_path, capsys):
    sets, words = ISSUE_CASES[case]
    out = tmp_path / "out"
    argv = ["run", "baseline", "--out", out, "--max-memory", "8GiB"]
    for s in sets:
        argv += ["--set", s]
    assert cli(*argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    for w in ["memory", "8 GiB", "--max-memory", *words]:
        assert w in err, f"{w!r} not in {err!r}"
    assert not out.exists()


def test_the_default_limit_is_a_share_of_this_machines_memory(tmp_path, capsys):
    assert budget.default_limit() == int(budget.MEMORY_SHARE * budget.machine_memory())
    assert cli("run", "baseline", "--set", "social_amplification=1000", "--set",
               "wom_reach=1000", "--out", tmp_path / "out") == 2
    assert budget.size(budget.default_limit()) in capsys.readouterr().err


def test_huge_steps_are_refused_by_the_flag_or_run_within_the_limit(tmp_path, capsys):
    assert cli("run", "baseline", "--steps", "1000000000", "--out", tmp_path / "a") == 2
    assert "--steps" in capsys.readouterr().err
    # the most weeks allowed, at a size whose weeks alone exceed a small limit
    assert cli("run", "baseline", "--steps", "100000", "--max-memory", "100MiB",
               "--out", tmp_path / "b") == 2
    err = capsys.readouterr().err
    assert "steps = 100000" in err and err.count("\n") == 1


def test_a_study_counts_its_runs_times_steps(tmp_path, capsys):
    assert cli("compare", "baseline", "customer_centric", "--replications", "100000",
               "--steps", "100000", "--out", tmp_path / "c") == 2
    err = capsys.readouterr().err
    assert "runs x steps = 200000 x 100000" in err and err.count("\n") == 1
    assert not (tmp_path / "c").exists()
    assert cli("demo", "--replications", "1000000", "--out", tmp_path / "d") == 2
    assert "runs x steps" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_a_run_within_the_limit_runs(tmp_path):
    out = tmp_path / "out"
    assert cli("run", "baseline", "--set", "n_customers=300", "--set", "n_prospects=300",
               "--set", "n_employees=20", "--steps", "2", "--max-memory", "1GiB",
               "--out", out, "--quiet") == 0
    assert (out / "summary.json").is_file()


@pytest.mark.parametrize("text, expected", [("8GiB", 8 * GiB), ("500 MB", 500 * 10**6),
                                            ("2g", 2 * GiB), ("1.5GiB", int(1.5 * GiB)),
                                            ("1048576", 2**20)])
def test_sizes_are_read_with_their_units(text, expected):
    assert budget.parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "8 parsecs", "-1GiB", "10", "9" * 40])
def test_bad_sizes_are_refused_in_one_line(text, capsys):
    assert cli("run", "baseline", "--max-memory", text) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--max-memory" in err


def test_the_estimate_grows_with_each_driver():
    base = load_scenario("baseline")
    c0 = budget.scenario_cost(base).memory
    for over in [dict(customer_degree=40), dict(n_customers=50000), dict(wom_reach=10),
                 dict(social_amplification=10), dict(n_employees=2000), dict(within_degree=40),
                 dict(cross_degree=40, silo_barrier=0.0)]:
        assert budget.scenario_cost(base.with_overrides(**over)).memory > c0, over
    assert budget.scenario_cost(base, 100_000).memory > c0


def test_a_merger_counts_the_firm_it_brings(tmp_path):
    path = tmp_path / "merger.toml"
    path.write_text('preset = "baseline"\n[[events]]\nat = 2\nkind = "merger"\nsize = 5.0\n')
    assert (budget.scenario_cost(load_scenario(path)).memory
            > 3 * budget.scenario_cost(load_scenario("baseline")).memory)


MEASURE = """
import json, sys
from sim import OrganisationModel, load_scenario

def status(key):  # this process's own memory (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

scenario = load_scenario("baseline", **json.loads(sys.argv[1]))
before = status("VmRSS:")
m = OrganisationModel(scenario, rng=1)
m.run(2)
print(status("VmHWM:") - before)
"""


@pytest.mark.parametrize("over, above", [
    (dict(n_customers=50000, n_prospects=50000, n_employees=1000, customer_degree=50), 3),
    (dict(n_customers=1000, n_prospects=1000, n_employees=4000, within_degree=100), 3),
    # word of mouth is estimated as if every customer with a contact or a fault told
    # (an upper bound: only the very unhappy and the delighted do)
    (dict(n_customers=5000, n_prospects=5000, social_amplification=100, wom_reach=10), 60),
], ids=["network", "employees", "word-of-mouth"])
def test_the_estimate_is_at_least_the_measured_peak_and_not_far_above(over, above):
    """Peak resident memory of a fresh process (VmHWM), above what it had before building."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, json.dumps(over)],
                          capture_output=True, text=True, timeout=300, check=True)
    measured = int(proc.stdout.strip())
    estimate = budget.scenario_cost(load_scenario("baseline", **over), 2).memory
    assert measured <= estimate <= above * measured, (measured, estimate)


def test_check_refuses_a_cost_that_is_not_finite():
    cost = budget.Cost(float("inf"), 0.0, {"x": float("inf")})
    with pytest.raises(ScenarioError, match="more than the limit"):
        budget.check(cost, 2**30)


MEASURE_BATCH = """
import json, sys
from sim import OrganisationModel, load_scenario
from sim.model.batch import run_many

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

scenario = load_scenario("baseline", **json.loads(sys.argv[1]))
r = int(sys.argv[2])
before = status("VmRSS:")
run_many(OrganisationModel, [scenario] * r, list(range(r)), 26, max_batch=r)
print(status("VmHWM:") - before)
"""


def test_small_runs_are_held_a_batch_a_worker_and_the_estimate_covers_the_batch():
    """Small runs are stepped together (sim.model.batch), so a worker holds a batch of
    them: the study's estimate counts the batch, and the batch's measured peak is
    within it (and not far below)."""
    from sim.model.batch import batch_size

    small = dict(n_customers=1000, n_prospects=1000, n_employees=20)
    sc = load_scenario("baseline", **small)
    r = batch_size(sc)
    assert budget.runs_at_once(sc, 10_000, 2)[0] == 2 * r
    assert budget.runs_at_once(sc, 3, 2)[0] == 3  # no more than there are
    assert budget.runs_at_once(sc, 10_000, 1)[0] == r
    large = load_scenario("baseline", n_customers=30_000, n_prospects=30_000)
    assert budget.runs_at_once(large, 10_000, 2)[0] == 2  # large runs: one a worker
    one = budget.study_cost([sc], 26, 10_000, 1)
    assert one.memory > r * budget.scenario_cost(sc, 26).memory  # the batch, and the tables
    # the fixed cost of a week is paid once a batch; a large run pays it alone
    alone = budget.scenario_cost(sc, 26).seconds
    assert one.seconds == pytest.approx(10_000 * (alone - 26 * budget.STEP_SECONDS * (1 - 1 / r)))
    assert budget.study_cost([large], 26, 10, 2).seconds == pytest.approx(
        10 * budget.scenario_cost(large, 26).seconds)
    proc = subprocess.run([sys.executable, "-c", MEASURE_BATCH, json.dumps(small), str(r)],
                          capture_output=True, text=True, timeout=300, check=True)
    measured = int(proc.stdout.strip())
    estimate = r * budget.scenario_cost(sc, 26).memory
    assert measured <= estimate <= 3 * measured, (measured, estimate)
