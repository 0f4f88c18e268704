"""Many small runs: runs per minute on one core for single runs against runs batched
along the replication axis (sim.model.batch.run_many), in the same process, at 1,000
customers + 1,000 prospects, 20 employees, 104 weeks (issue 15: >= 3,000 runs/min per
core). Rounds alternate the modes and the best round of each is kept, so a busy
machine's noise falls on all of them alike. Times are the process's CPU time (a core's
minute; on a machine shared with other work, wall time also counts the waits for a
core), with the wall time beside it.

    .venv/bin/python benchmarks/bench_model.py --small
    .venv/bin/python benchmarks/bench_small.py --batches 16 64 --rounds 3
"""

from __future__ import annotations

import argparse
import time

STEPS = 104


def _scenario(n_customers: int, n_employees: int):
    from sim import load_scenario

    return load_scenario("baseline", n_customers=n_customers, n_prospects=n_customers,
                         n_employees=n_employees)


def _timed(fn, n: int) -> tuple[float, float]:
    """CPU and wall seconds per run of ``fn()`` doing ``n`` runs."""
    c, w = time.process_time(), time.perf_counter()
    fn()
    return (time.process_time() - c) / n, (time.perf_counter() - w) / n


def time_single(sc, seeds, steps) -> tuple[float, float]:
    """Seconds per run, one OrganisationModel after another."""
    from sim.model import OrganisationModel

    def go():
        for s in seeds:
            m = OrganisationModel(sc, rng=s)
            m.run(steps)
            m.timeseries()
    return _timed(go, len(seeds))


def time_batch(sc, seeds, steps) -> tuple[float, float]:
    """Seconds per run, all seeds stepped together."""
    from sim.model import OrganisationModel
    from sim.model.batch import run_many

    return _timed(lambda: run_many(OrganisationModel, [sc] * len(seeds), seeds, steps,
                                   max_batch=len(seeds)), len(seeds))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=1000)
    ap.add_argument("--employees", type=int, default=20)
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--batches", type=int, nargs="+", default=[16, 32, 64, 128])
    ap.add_argument("--singles", type=int, default=8, help="single runs per round")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    sc = _scenario(args.customers, args.employees)
    best: dict = {}
    for k in range(args.rounds):
        base = 1000 * k
        modes = [("single", 1)] + [("batch", r) for r in args.batches]
        for name, r in modes:
            if name == "single":
                cpu, wall = time_single(sc, list(range(base, base + args.singles)), args.steps)
            else:
                cpu, wall = time_batch(sc, list(range(base, base + r)), args.steps)
            old = best.get((name, r), (float("inf"), float("inf")))
            best[(name, r)] = (min(old[0], cpu), min(old[1], wall))
    single = best[("single", 1)][0]
    print(f"baseline, {args.customers:,} customers + {args.customers:,} prospects, "
          f"{args.employees} employees, {args.steps} weeks; best of {args.rounds} rounds")
    print(f"{'mode':>8} {'R':>5} {'CPU s/run':>10} {'runs/min/core':>14} {'speed-up':>9} "
          f"{'wall s/run':>11}")
    for (name, r), (cpu, wall) in best.items():
        print(f"{name:>8} {r:>5} {cpu:>10.4f} {60 / cpu:>14.0f} {single / cpu:>8.1f}x "
              f"{wall:>11.4f}")
    top = min(cpu for (name, _), (cpu, _) in best.items() if name == "batch")
    print(f"best batched: {60 / top:.0f} runs/min per core, {single / top:.1f}x single "
          f"(target >= 3,000 runs/min per core)")


if __name__ == "__main__":
    main()
