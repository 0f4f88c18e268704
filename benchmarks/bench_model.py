"""Speed of the model: customer-steps per second for the baseline scenario at 10k,
100k and 1M customers (200, 1,000 and 5,000 employees), 52 weekly steps, and the peak
memory of each run (each size runs in its own process so peaks do not mix).

    .venv/bin/python benchmarks/bench_model.py            # all three sizes
    .venv/bin/python benchmarks/bench_model.py --sizes 10000 100000
    .venv/bin/python benchmarks/bench_model.py --small   # many small runs (bench_small.py)

Targets on a 2-core machine (issue 2): >= 5 million customer-steps/s at 100k; time per
customer-step at 1M no more than 1.3x that at 100k; peak memory under 2 GB at 1M.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

SIZES = {10_000: 200, 100_000: 1_000, 1_000_000: 5_000}
STEPS = 52


def one(n_customers: int, n_employees: int, steps: int, seed: int) -> dict:
    from sim import OrganisationModel, load_scenario

    t0 = time.perf_counter()
    model = OrganisationModel(load_scenario("baseline", n_customers=n_customers,
                                            n_prospects=n_customers, n_employees=n_employees),
                              rng=seed)
    t1 = time.perf_counter()
    model.run(steps)
    t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return dict(n_customers=n_customers, n_employees=n_employees, steps=steps,
                init_s=t1 - t0, run_s=t2 - t1,
                customer_steps_per_s=n_customers * steps / (t2 - t1),
                us_per_customer_step=1e6 * (t2 - t1) / (n_customers * steps),
                peak_mb=peak_mb)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--small", action="store_true",
                    help="many small runs: single against batched (benchmarks/bench_small.py)")
    args, rest = ap.parse_known_args()
    if args.small:
        from bench_small import main as small

        small(rest)
        return
    if rest:
        ap.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.child:
        n = args.sizes[0]
        print(json.dumps(one(n, SIZES.get(n, max(6, n // 50)), args.steps, args.seed)))
        return
    rows = []
    print(f"{'customers':>10} {'employees':>9} {'init s':>7} {'run s':>7} "
          f"{'M cust-steps/s':>15} {'us/cust-step':>13} {'peak MB':>8}")
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--child", "--sizes", str(n),
                              "--steps", str(args.steps), "--seed", str(args.seed)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        rows.append(r)
        print(f"{r['n_customers']:>10,} {r['n_employees']:>9,} {r['init_s']:>7.2f} "
              f"{r['run_s']:>7.2f} {r['customer_steps_per_s'] / 1e6:>15.2f} "
              f"{r['us_per_customer_step']:>13.3f} {r['peak_mb']:>8.0f}", flush=True)
    by = {r["n_customers"]: r for r in rows}
    if 100_000 in by and 1_000_000 in by:
        ratio = by[1_000_000]["us_per_customer_step"] / by[100_000]["us_per_customer_step"]
        print(f"time per customer-step, 1M vs 100k: {ratio:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
