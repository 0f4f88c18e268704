"""Speed of calibration (issue 16, point 5): simulated particles per minute at the
calibration size (1,000 customers, 104 weeks), for the client example's particle (one
run of the firm, through ``run_many``) and the literature's (the firm observed week by
week, the product_centric twin and the two merger firms), on one process; CPU time is
given beside wall time because the machine may be shared. With ``--calibrate``, also
the wall time of ``orgsim calibrate calibration/literature.toml`` (the long one: run it
alone).

    .venv/bin/python benchmarks/bench_calibration.py [--particles 20] [--calibrate]

Goal: ``calibrate calibration/literature.toml`` under 30 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def particles_per_minute(path: Path, n: int) -> dict:
    from sim.calibration.measures import MEASURES, simulate
    from sim.calibration.recovery import draw_truth
    from sim.calibration.targets import load_targets

    t = load_targets(path)
    rng = np.random.default_rng(1)
    draws = [draw_truth(t, rng) for _ in range(n)]
    simulate(draws[0], 0, t.targets, t.setting)  # imports and caches out of the timing
    wall, cpu = time.perf_counter(), time.process_time()
    for i, d in enumerate(draws):
        simulate(d, i + 1, t.targets, t.setting)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    kinds = sorted({MEASURES[x.measure].kind for x in t.targets})
    return dict(file=path.name, customers=t.setting.customers, weeks=t.setting.weeks,
                kinds=kinds, per_min_wall=60 * n / wall, per_min_cpu=60 * n / cpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--particles", type=int, default=20)
    ap.add_argument("--calibrate", action="store_true",
                    help="also time `orgsim calibrate calibration/literature.toml`")
    args = ap.parse_args()
    for name in ("client_example.toml", "literature.toml"):
        r = particles_per_minute(ROOT / "calibration" / name, args.particles)
        print(f"{r['file']}: {r['customers']:,} customers x {r['weeks']} weeks, runs of "
              f"kinds {', '.join(r['kinds'])}: {r['per_min_wall']:.0f} particles a minute "
              f"(wall), {r['per_min_cpu']:.0f} a CPU-minute, on one process")
    if args.calibrate:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "sim.cli", "calibrate",
                                   str(ROOT / "calibration" / "literature.toml"), "--out",
                                   str(Path(tmp) / "literature"), "--quiet"],
                                  capture_output=True, text=True, cwd=ROOT)
            minutes = (time.perf_counter() - started) / 60
            print(done.stdout.strip())
            print(f"orgsim calibrate calibration/literature.toml: {minutes:.1f} minutes of wall "
                  f"time (exit code {done.returncode})")


if __name__ == "__main__":
    main()
