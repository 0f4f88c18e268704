"""Speed of the model: customer-steps per second for the baseline scenario at 10k,
100k, 1M and 5M customers (as many prospects; 200, 1,000, 5,000 and 25,000 employees),
52 weekly steps, the time to build the model and the peak memory of each run. Each
size runs in its own process, so peaks do not mix; the peak is the child's VmHWM
(/proc/self/status), which a parent's peak cannot carry over as ru_maxrss can.
Times are wall-clock and, on a machine shared with other work, also the process's
CPU time ("cpu"), which waiting for a core does not inflate.

    .venv/bin/python benchmarks/bench_model.py                 # all four sizes
    .venv/bin/python benchmarks/bench_model.py --sizes 10000 100000
    .venv/bin/python benchmarks/bench_model.py --yardsticks    # and the two references
    .venv/bin/python benchmarks/bench_model.py --small         # many small runs (bench_small.py)

``--yardsticks`` adds, for scale, the per-agent Mesa yardstick (at sizes up to
--mesa-max, few steps: it is slow) and the numpy floor over the same population
(benchmarks/yardsticks.py).

Targets on a 2-core machine (issues 2 and 15): >= 5 million customer-steps/s at 100k;
time per customer-step at 1M and at 5M no more than 1.3x that at 100k; building the
5M model under 25 s; peak memory under 2 GB at 1M and under 6 GB at 5M.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

# employees: 1 per 50 customers at 10k, per 100 at 100k, per 200 from 1M (so 1M and 5M
# do the same work per customer: as many contacts and as much word of mouth)
SIZES = {10_000: 200, 100_000: 1_000, 1_000_000: 5_000, 5_000_000: 25_000}
STEPS = 52
REFERENCE = 100_000  # the size the others' time per customer-step is compared to


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def one(kind: str, n_customers: int, n_employees: int, steps: int, seed: int) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    if kind == "model":
        from sim import OrganisationModel, load_scenario

        model = OrganisationModel(load_scenario("baseline", n_customers=n_customers,
                                                n_prospects=n_customers,
                                                n_employees=n_employees), rng=seed)
        run = lambda: model.run(steps)  # noqa: E731
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import yardsticks

        run = (yardsticks.mesa_yardstick if kind == "mesa" else yardsticks.numpy_floor)(
            n_customers, steps, seed=seed)
    t1, c1 = time.perf_counter(), time.process_time()
    run()
    t2, c2 = time.perf_counter(), time.process_time()
    return dict(kind=kind, n_customers=n_customers, n_employees=n_employees, steps=steps,
                init_s=t1 - t0, run_s=t2 - t1, init_cpu_s=c1 - c0, run_cpu_s=c2 - c1,
                cpu_us_per_customer_step=1e6 * (c2 - c1) / (n_customers * steps),
                customer_steps_per_s=n_customers * steps / (t2 - t1),
                us_per_customer_step=1e6 * (t2 - t1) / (n_customers * steps),
                peak_mb=peak_mb())


def child(kind: str, n: int, steps: int, seed: int, employees: int | None) -> dict:
    extra = ["--employees", str(employees)] if employees else []
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--sizes", str(n),
                          "--steps", str(steps), "--seed", str(seed)] + extra,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    if "--small" in sys.argv[1:]:  # many small runs: its own options (benchmarks/bench_small.py)
        from bench_small import main as small

        small([a for a in sys.argv[1:] if a != "--small"])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true",
                    help="many small runs: single against batched (benchmarks/bench_small.py)")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--yardsticks", action="store_true",
                    help="also run the Mesa yardstick and the numpy floor")
    ap.add_argument("--mesa-max", type=int, default=100_000,
                    help="largest size the Mesa yardstick runs at (default 100,000)")
    ap.add_argument("--mesa-steps", type=int, default=4)
    ap.add_argument("--employees", type=int, help="employees at every size (default: SIZES)")
    ap.add_argument("--json", help="also write the rows to this file")
    ap.add_argument("--child", choices=("model", "mesa", "numpy"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        n = args.sizes[0]
        employees = args.employees or SIZES.get(n, max(6, n // 200))
        print(json.dumps(one(args.child, n, employees, args.steps, args.seed)))
        return
    rows = []
    print(f"{'':6} {'customers':>10} {'employees':>9} {'init s':>7} {'cpu':>6} {'run s':>7} "
          f"{'cpu':>6} {'M cust-steps/s':>15} {'us/cust-step':>13} {'vs 100k':>8} "
          f"{'cpu us':>7} {'vs 100k':>8} {'peak MB':>8}")
    kinds = [("model", args.steps)]
    if args.yardsticks:
        kinds += [("mesa", args.mesa_steps), ("numpy", args.steps)]
    ref = {}
    for kind, steps in kinds:
        for n in args.sizes:
            if kind == "mesa" and n > args.mesa_max:
                continue
            r = child(kind, n, steps, args.seed, args.employees)
            rows.append(r)
            if n == REFERENCE:
                ref[kind] = r
            ratio = {k: (f"{r[k] / ref[kind][k]:>7.2f}x" if kind in ref else f"{'':>8}")
                     for k in ("us_per_customer_step", "cpu_us_per_customer_step")}
            emp = f"{r['n_employees']:,}" if kind == "model" else ""
            print(f"{kind:6} {r['n_customers']:>10,} {emp:>9} "
                  f"{r['init_s']:>7.2f} {r['init_cpu_s']:>6.2f} {r['run_s']:>7.2f} "
                  f"{r['run_cpu_s']:>6.2f} {r['customer_steps_per_s'] / 1e6:>15.2f} "
                  f"{r['us_per_customer_step']:>13.3f} {ratio['us_per_customer_step']} "
                  f"{r['cpu_us_per_customer_step']:>7.3f} {ratio['cpu_us_per_customer_step']} "
                  f"{r['peak_mb']:>8.0f}", flush=True)
    model = {r["n_customers"]: r for r in rows if r["kind"] == "model"}
    if REFERENCE in model:
        for n in (1_000_000, 5_000_000):
            if n in model:
                print(f"time per customer-step, {n // 1_000_000}M vs 100k: wall "
                      f"{model[n]['us_per_customer_step'] / ref['model']['us_per_customer_step']:.2f}x, "
                      f"cpu {model[n]['cpu_us_per_customer_step'] / ref['model']['cpu_us_per_customer_step']:.2f}x"
                      f" (target <= 1.3x)")
    for kind in ("mesa", "numpy"):
        if kind in ref and "model" in ref:
            k = "cpu_us_per_customer_step"
            print(f"cpu time per customer-step at 100k, {kind} / model: "
                  f"{ref[kind][k] / ref['model'][k]:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
