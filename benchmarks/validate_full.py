"""The full validation suite, timed: every pattern of `orgsim validate` in the full mode
(and the quick mode for comparison), printing the table and how long each mode took.
It writes its report into a temporary folder; `orgsim validate` writes docs/validation.md.

    .venv/bin/python benchmarks/validate_full.py [--workers N] [--quick-too]

Target on a 2-core machine (issue 7): the quick mode, which the tests run, well under
five minutes; every pattern passes in both modes.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sim.validation import FULL, QUICK, validate_and_write
from sim.validation.document import table_text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=None, help="local processes (default: cores)")
    ap.add_argument("--quick-too", action="store_true", help="also time the quick mode")
    args = ap.parse_args()
    modes = (QUICK, FULL) if args.quick_too else (FULL,)
    with tempfile.TemporaryDirectory() as tmp:
        for mode in modes:
            started = time.perf_counter()
            outcomes = validate_and_write(mode, Path(tmp) / mode.name / "validation.md", args.workers)
            seconds = time.perf_counter() - started
            print(f"\n== {mode.name} mode: {seconds:.1f} s, "
                  f"{sum(o.passed for o in outcomes)} of {len(outcomes)} patterns pass ==")
            print(table_text(outcomes))


if __name__ == "__main__":
    main()
