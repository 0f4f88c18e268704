"""What a run will cost, estimated from its resolved parameters before anything is built,
and the refusal of what would not fit.

Parameters are checked one by one against their ranges (``sim.model.params``), but the
cost of a run comes from products of them: the customer network's edges
(customers x degree), the word-of-mouth messages of a week (tellers x reach x
amplification), the pairs drawn inside a department to tie its employees (its
headcount squared) and the ties themselves, the weeks of every run kept in memory
(runs x steps). Every value in range may still ask for more memory than the machine
has; ``check`` refuses that in one line, naming the parameters that drive the cost.

The per-unit costs below were measured on this model (peak resident memory and CPU
time of building a model and running it, Python 3.11, numpy 2), varying one driver at
a time, and rounded up, so the estimate errs on the side of too much;
tests/test_budget.py holds the estimate against measured runs.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from typing import Any, Iterable

from ..model.scenario import Scenario, ScenarioError

# bytes
PER_NODE = 120            # a customer or prospect: the state arrays, views, network rows
PER_EDGE = 100            # an undirected customer tie, at the peak of building the network
PER_MESSAGE = 48          # a word-of-mouth message in a week's temporaries
PER_PAIR = 26             # a candidate pair inside a department (indices, draw, mask)
PER_EMPLOYEE = 4096       # an employee: the Mesa agent, graph node, state and access rows
PER_TIE = 500             # an employee tie in the networkx graph, both directions
PER_WEEK_VALUE = 40       # one number of one week in a run's data collector
WEEK_COLUMNS = 80         # numbers collected per week (the time series' columns)
PER_STORED_VALUE = 24     # one number of one week of one run in a study's tables
STORED_COLUMNS = 30
# seconds of one core
STEP_SECONDS = 2e-3
PER_NODE_STEP = 1e-7
PER_MESSAGE_STEP = 3e-8
PER_TIE_STEP = 1e-7
PER_EMPLOYEE_STEP = 5e-7

MEMORY_SHARE = 0.5  # of this machine's memory, the default limit
UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 10**3, "kib": 2**10, "m": 2**20, "mb": 10**6,
         "mib": 2**20, "g": 2**30, "gb": 10**9, "gib": 2**30, "t": 2**40, "tb": 10**12,
         "tib": 2**40}


@dataclass(frozen=True)
class Cost:
    """The estimated peak memory (bytes) and one core's time (seconds) of some runs,
    with each part of the memory by what drives it."""

    memory: float
    seconds: float
    parts: dict[str, float]  # what drives it -> bytes

    def drivers(self, k: int = 2) -> str:
        """The largest parts, in words."""
        top = sorted(self.parts.items(), key=lambda kv: -kv[1])[:k]
        return "; ".join(f"{name} ({size(b)})" for name, b in top if b > 0)


def size(n: float) -> str:
    """Bytes for people: '3.2 GiB'."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


def duration(seconds: float) -> str:
    """Seconds for people: '40 s', '3.5 h'."""
    for unit, scale in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= scale:
            return f"{seconds / scale:.2g} {unit}"
    return f"{seconds:.2g} s"


def machine_memory() -> int:
    """This machine's physical memory in bytes."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30  # a platform without sysconf: a small laptop


def default_limit() -> int:
    """MEMORY_SHARE of this machine's memory."""
    return int(MEMORY_SHARE * machine_memory())


def parse_size(text: str) -> int:
    """'8GiB', '500 MB', '2g' or a number of bytes -> bytes; ValueError (one line) else."""
    m = re.fullmatch(r"\s*([0-9]{1,15}(?:\.[0-9]{1,6})?)\s*([a-zA-Z]{0,3})\s*", text or "")
    unit = m.group(2).lower() if m else None
    if m is None or unit not in UNITS:
        raise ValueError(f"{text[:40]!r} is not a size; allowed: a number with KiB, MiB, GiB, "
                         "TiB (or KB, MB, GB, TB), e.g. 8GiB")
    value = float(m.group(1)) * UNITS[unit]
    if value < 2**20:
        raise ValueError(f"{text!r} is below 1 MiB; allowed: 1MiB or more")
    return int(value)


def _events_growth(scenario: Scenario) -> float:
    """How many times the firm (staff and customers) can grow through its events: a
    merger brings ``size`` times the firm's staff and customers."""
    growth = 1.0
    for e in scenario.events:
        if e.kind == "merger":
            growth *= 1.0 + float(e.params.get("size", 0.5))
    return growth


def run_cost(params: dict[str, Any], steps: int, growth: float = 1.0) -> Cost:
    """Memory and time of one run of ``steps`` weeks with these resolved parameters."""
    n = (params["n_customers"] + params["n_prospects"]) * growth
    edges = n * max(params["customer_degree"], 2.0) / 2
    tellers = n * min(1.0, params["need_rate"] + params["fault_rate"])
    messages = (tellers * params["wom_reach"] * max(params["wom_negative_ratio"], 1.0)
                * params["social_amplification"])
    employees = params["n_employees"] * growth
    shares = [params.get(f"staff_{d}", 0.0) for d in
              ("sales", "marketing", "product", "support", "delivery", "billing")]
    biggest = employees * max(shares) / max(sum(shares), 1e-9)
    pairs = biggest * biggest / 2
    ties = employees * (params["within_degree"]
                        + params["cross_degree"] * (1 - params["silo_barrier"])) / 2
    ties += 15 * params["bridges"] * params["bridge_ties"] * growth  # 15 department pairs
    parts = {
        f"customer network: (n_customers + n_prospects) x customer_degree / 2 = "
        f"{edges:.3g} ties": edges * PER_EDGE + n * PER_NODE,
        f"word of mouth: up to {messages:.3g} messages a week from n_customers, "
        f"wom_reach, wom_negative_ratio and social_amplification": messages * PER_MESSAGE,
        f"employees: n_employees = {employees:.3g}, {biggest:.3g} in the largest department, "
        f"within_degree and cross_degree give {ties:.3g} ties":
            pairs * PER_PAIR + ties * PER_TIE + employees * PER_EMPLOYEE,
        f"weeks kept: steps = {steps}": steps * WEEK_COLUMNS * PER_WEEK_VALUE,
    }
    seconds = steps * (STEP_SECONDS + n * PER_NODE_STEP + messages * PER_MESSAGE_STEP
                       + ties * PER_TIE_STEP + employees * PER_EMPLOYEE_STEP)
    return Cost(sum(parts.values()), seconds, parts)


def scenario_cost(scenario: Scenario, steps: int | None = None) -> Cost:
    """The cost of one run of ``scenario`` (its own steps unless given)."""
    return run_cost(scenario.params, scenario.steps if steps is None else steps,
                    _events_growth(scenario))


def stepped_together(scenario: Scenario, runs: int, workers: int = 1) -> int:
    """How many runs of ``scenario`` a worker steps at once when ``runs`` of them go to
    ``workers``: a batch where small runs are stepped together (sim.model.batch), else
    1. An upper bound: a model whose week is not batched, or a study with a stop
    condition, time limit or snapshots, runs them one by one."""
    from ..model.batch import batch_size, group_size, is_small

    if not is_small(scenario) or scenario.events:
        return 1
    return group_size(batch_size(scenario), runs, workers)


def runs_at_once(scenario: Scenario, runs: int, workers: int = 1) -> tuple[int, int, str]:
    """How many runs of ``scenario`` are in memory at once (``workers`` of them, or a
    batch a worker), how many a worker steps together (stepped_together), and the
    words for it."""
    workers = max(1, min(workers, runs))
    together = stepped_together(scenario, runs, workers)
    if together == 1:
        return workers, 1, f"{workers} runs at once"
    held = min(runs, workers * together)
    return held, together, f"{held} runs at once ({workers} x up to {together} stepped together)"


def batched_seconds(cost: Cost, steps: int, together: int) -> float:
    """One run's time when ``together`` runs are stepped at once: the fixed cost of a
    week (STEP_SECONDS) is paid once for them all."""
    return cost.seconds - steps * STEP_SECONDS * (1 - 1 / max(1, together))


def study_cost(scenarios: Iterable[Scenario], steps: int, runs: int, workers: int = 1) -> Cost:
    """Runs of ``scenarios`` (``runs`` in all), ``workers`` at a time: the largest run
    times the runs held at once (runs_at_once), plus every run's weeks stored for the
    study's tables."""
    scenarios = list(scenarios)
    costs = [scenario_cost(s, steps) for s in scenarios]
    held_by = [runs_at_once(s, runs, workers) for s in scenarios]
    i = max(range(len(costs)), key=lambda k: costs[k].memory * held_by[k][0])
    at_once, _, held = held_by[i]
    parts = {f"{held}, each: {k}": v * at_once for k, v in costs[i].parts.items()}
    parts[f"weeks stored: runs x steps = {runs} x {steps}"] = (
        runs * steps * STORED_COLUMNS * PER_STORED_VALUE)
    seconds = sum(batched_seconds(c, steps, together)
                  for c, (_, together, _) in zip(costs, held_by)) * runs / max(len(costs), 1)
    return Cost(sum(parts.values()), seconds, parts)


def check(cost: Cost, limit: int | None = None, what: str = "this run",
          flag: str = "--max-memory") -> Cost:
    """``cost`` if it fits in ``limit`` bytes (default: default_limit()); otherwise a
    one-line ScenarioError naming what drives it."""
    limit = default_limit() if limit is None else limit
    if not math.isfinite(cost.memory) or cost.memory > limit:
        raise ScenarioError(
            f"{what} would need about {size(cost.memory)} of memory (and {duration(cost.seconds)}"
            f" of one core), more than the limit of {size(limit)} ({flag} to change it); most "
            f"of it: {cost.drivers()}")
    return cost


__all__ = ["Cost", "batched_seconds", "check", "default_limit", "machine_memory", "parse_size",
           "run_cost", "runs_at_once", "scenario_cost", "size", "stepped_together", "study_cost"]
