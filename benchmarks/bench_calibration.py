"""Speed of calibration (issue 16, point 5): simulated particles per minute at the
targets files' sizes (104 weeks), for the client example's particle (one run of the
firm, through ``run_many``) and the literature's (the firm observed week by week, which
is also the merger's firm alone, the product_centric twin and the acquired firm), on
one process; CPU time is
given beside wall time because the machine may be shared. With ``--calibrate``, also
the wall time of ``orgsim calibrate calibration/literature.toml`` (the long one: run it
alone).

    .venv/bin/python benchmarks/bench_calibration.py [--particles 20] [--calibrate]
    .venv/bin/python benchmarks/bench_calibration.py --noise 10   # the sizes' check

``--noise N`` checks the targets files' run sizes: for each run kind, its CPU time per
particle and, over N seeds at the hand calibration, each measure's run-to-run sd
against its target's sd (below 1 is what the sizes in literature.toml were chosen for:
above it, acceptance at temperature 1 falls with the square of the ratio). Each kind is
run alone there, so the merger's cost includes its firm alone, which a literature
particle measures in the observed run.

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


def noise(path: Path, n: int) -> None:
    from sim.calibration.measures import MEASURES, simulate
    from sim.calibration.targets import load_targets

    t = load_targets(path)
    kinds = sorted({MEASURES[x.measure].kind for x in t.targets})
    for kind in kinds:
        mine = [x for x in t.targets if MEASURES[x.measure].kind == kind]
        simulate({}, 0, mine, t.setting)
        cpu = time.process_time()
        values = [simulate({}, 1000 + i, mine, t.setting) for i in range(n)]
        cpu = (time.process_time() - cpu) / n
        print(f"{path.name} {kind} runs, {t.setting.customers_of(kind):,} customers x "
              f"{t.setting.weeks} weeks: {cpu:.2f} CPU-seconds a particle")
        for x in mine:
            v = np.array([d[x.key] for d in values])
            sd = v.std(ddof=1)
            print(f"    {x.key:<28} mean {v.mean():.3g}, run-to-run sd {sd:.3g}, target sd "
                  f"{x.sd:.3g}: ratio {sd / x.sd:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--particles", type=int, default=20)
    ap.add_argument("--calibrate", action="store_true",
                    help="also time `orgsim calibrate calibration/literature.toml`")
    ap.add_argument("--noise", type=int, metavar="N",
                    help="instead: each run kind's cost and its measures' noise over N seeds")
    args = ap.parse_args()
    if args.noise:
        for name in ("client_example.toml", "literature.toml"):
            noise(ROOT / "calibration" / name, args.noise)
        return
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
