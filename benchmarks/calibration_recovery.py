"""Recovery test in full (simulation-based calibration, Talts et al. 2018): draw
parameter values from the prior, make synthetic observations from the model at them,
calibrate, and measure how often the known values fall inside the 90% posterior
intervals (nominal: 90%; an ABC posterior that stopped above temperature 1 is wider and
covers more). The quick version is tests/test_calibration.py.

    .venv/bin/python benchmarks/calibration_recovery.py [--draws 20] [--workers 2]

It fits churn_base, churn_sat_sensitivity and base_expectation of a 1,000-customer
baseline firm over 104 weeks to its annual churn, NPS and cohort survival at 26, 52 and
104 weeks.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = """
[calibration]
name = "recovery"
preset = "baseline"
customers = 1000
weeks = 104
population = 100
generations = 8
max_minutes = 20
[calibration.quick]
weeks = 104   # the cohort table's last tenure
[parameters]
churn_base = {low = 0.0005, high = 0.002, scale = "log"}
churn_sat_sensitivity = {low = 3.0, high = 9.0}
base_expectation = {low = 0.5, high = 0.7}
[[target]]
measure = "annual_churn"
observed = 0.1
sd = 0.01
[[target]]
measure = "nps"
observed = -15
sd = 3
[[target]]
measure = "survival"
file = "cohorts.csv"
sd = 0.015
"""


def main() -> None:
    from sim.calibration.recovery import coverage, recover
    from sim.calibration.targets import load_targets

    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "cohorts.csv").write_text("tenure_weeks,share_active\n26,0.95\n52,0.9\n104,0.82\n")
        (Path(tmp) / "t.toml").write_text(TARGETS)
        targets = load_targets(Path(tmp) / "t.toml")
        started = time.perf_counter()
        rows = recover(targets, args.draws, args.seed, args.workers, say=print)
    for p in targets.priors:
        mine = [r for r in rows if r.parameter == p.name]
        print(f"{p.name:<24} coverage {coverage(mine):.0%} of {len(mine)} draws; mean "
              f"interval width {np.mean([r.narrowing for r in mine]):.2f} of the prior's")
    print(f"overall coverage of the 90% intervals: {coverage(rows):.0%} "
          f"({sum(r.inside for r in rows)} of {len(rows)}); "
          f"{(time.perf_counter() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
