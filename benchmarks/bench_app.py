"""Classroom page: the server's work for one press of Step, at the default classroom
size (500 customers and as many prospects, 60 employees), in both views.

    .venv/bin/python benchmarks/bench_app.py [--steps N] [--customers N]

A step of the page is: the model's step (both models in the side-by-side view), the
snapshot, and the pictures that change (the customer patch and the charts every step;
the organisation only when its ties or key persons change, as the page memoises it),
with a frame cache, as on the page.
Target (issue 5): well under a second. The browser's share (sending and decoding the
PNGs) is measured by tests/test_app_browser.py, which prints the click-to-picture time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sim.app.classroom import ClassroomModel, default_comparison
from sim.app.drawing import FrameCache, render
from sim.app.figures import (
    CHARTS, COMPARE_CHARTS, customer_figure, layout, org_figure, org_layout,
)
from sim.app.views import snapshot


def one_view(model: ClassroomModel, steps: int) -> list[float]:
    snap = snapshot(model)
    org_pos = org_layout(snap)
    cust_pos = layout([int(i) for i in snap.sample], snap.sample_edges)
    org_key, times = None, []
    frames = FrameCache()  # shared, as on the page
    for _ in range(steps):
        t0 = time.perf_counter()
        model.step()
        snap = snapshot(model)
        if snap.org_key != org_key:
            render(org_figure(snap, org_pos))
            org_key = snap.org_key
        render(customer_figure(snap, cust_pos), frames)
        for chart in CHARTS:
            render(chart(snap), frames)
        times.append(time.perf_counter() - t0)
    return times


def side_view(model: ClassroomModel, steps: int) -> list[float]:
    model.compare_with(default_comparison(model))
    models = [model, model.twin]
    snaps = [snapshot(m, lock=model.lock) for m in models]
    org_pos = [org_layout(s) for s in snaps]
    cust_pos = [layout([int(i) for i in s.sample], s.sample_edges) for s in snaps]
    org_keys, times = [None, None], []
    names = [model.display_name, model.twin_name]
    frames = FrameCache()
    for _ in range(steps):
        t0 = time.perf_counter()
        model.step()
        snaps = [snapshot(m, lock=model.lock) for m in models]
        for k, s in enumerate(snaps):
            if s.org_key != org_keys[k]:
                render(org_figure(s, org_pos[k]))
                org_keys[k] = s.org_key
            render(customer_figure(s, cust_pos[k]), frames)
        for chart in COMPARE_CHARTS:
            render(chart(snaps, names), frames)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--customers", type=int, default=500)
    args = ap.parse_args()
    for name, view in (("one organisation", one_view), ("side by side", side_view)):
        times = view(ClassroomModel(n_customers=args.customers), args.steps)
        ms = sorted(1000 * t for t in times)
        print(f"{name}: {args.customers} customers, {args.steps} steps: median "
              f"{statistics.median(ms):.0f} ms, slowest {ms[-1]:.0f} ms per step "
              f"(target well under 1000 ms)", flush=True)


if __name__ == "__main__":
    main()
