"""Sweep throughput: runs per minute for the silo_x_reward study on 1 and 2 local
workers, and the parallel efficiency at 2 workers ((rate at 2) / (2 x rate at 1)).

    .venv/bin/python benchmarks/bench_sweep.py [--replications R]

Target on a 2-core machine (issue 4): efficiency at 2 workers of at least 85%.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sim.experiments import load_experiment, run_experiment


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replications", type=int, default=8)
    ap.add_argument("--study", default="silo_x_reward")
    args = ap.parse_args()
    exp = load_experiment(args.study)
    rates = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            res = run_experiment(exp, Path(tmp) / "out", workers=workers, progress=False,
                                 replications=args.replications)
            elapsed = time.perf_counter() - t0
        rates[workers] = len(res.runs) / elapsed * 60
        print(f"{workers} worker(s): {len(res.runs)} runs in {elapsed:.1f} s = "
              f"{rates[workers]:.0f} runs/min", flush=True)
    print(f"parallel efficiency at 2 workers: {100 * rates[2] / (2 * rates[1]):.0f}% (target >= 85%)")


if __name__ == "__main__":
    main()
