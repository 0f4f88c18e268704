"""Classroom page: the browser's time for what a class sees (issue 18, point 4), then the
server's work for one press of Step, at the default classroom size (500 customers and as
many prospects, 60 employees).

    .venv/bin/python benchmarks/bench_app.py [--steps N] [--customers N] [--tabs N] [--no-browser]

In the browser (Debian's /usr/bin/chromium, headless, driven by Playwright; `orgsim app`
started here): Play at the fastest speed from ▶ until the page shows week 52 (goal
< 10 s), a Step from the click to the new week's status line and customer picture
(median; goal < 0.25 s), and N tabs (default 30) opened at once until every one shows
week 0 (goal < 60 s in total), twice: as N tabs of one browser (the goal's case: they
share the browser's cache, warmed by one tab opened and closed before the clock starts,
so the page's scripts are fetched and compiled once), then as
N browsers of their own (a fresh profile each, like N students' laptops, except that here
all N run on the server's 2 cores). Each load also prints the CPU seconds the server and
the browser took, so it shows which of the two the time is spent in; in a class the
browsers run on the students' machines and only the server's share falls on this one.
The machine's load (uptime) is printed with them: the figures are only as quiet as the
machine.

A step of the page is: the model's step (both models in the side-by-side view), the
snapshot, and the pictures that change (the customer patch and the charts every step;
the organisation only when its ties or key persons change, as the page memoises it),
with a frame cache, as on the page.
Target (issue 5): well under a second. The browser's share (sending and decoding the
PNGs) is measured by tests/test_app_browser.py, which prints the click-to-picture time.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import time
from pathlib import Path

from sim.app._browser_js import STEP_AND_WAIT_JS
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


WEEK_AT_LEAST_JS = """(n) => { const e = document.querySelector(".orgsim-week");
    return e && parseInt(e.textContent.replace(/\\D+/g, "")) >= n; }"""


def _load() -> str:
    return os.getloadavg().__repr__()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children that have ended."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _descendants_cpu_seconds(root_pid: int, skip: int) -> float:
    """CPU seconds of every live process below ``root_pid`` (Playwright's driver and
    the browser it started), leaving out ``skip`` and the processes below it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" ", 1)
            children.setdefault(int(rest.rsplit(")", 1)[1].split()[1]), []).append(int(pid))
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0.0, list(children.get(root_pid, []))
    while todo:
        pid = todo.pop()
        if pid == skip:
            continue
        try:
            total += _cpu_seconds(pid)
        except (OSError, ValueError):
            continue
        todo.extend(children.get(pid, []))
    return total


def _load_tabs(browser, url: str, tabs: int, shared: bool, server_pid: int) -> None:
    """Open ``tabs`` pages at once (one browser context, or a context each) and wait
    until every one shows week 0; print the time and the server's and browser's CPU."""
    def browser_cpu() -> float:
        return _descendants_cpu_seconds(os.getpid(), skip=server_pid)

    one = browser.new_context(viewport={"width": 1280, "height": 720}) if shared else None
    if one:  # a browser that has shown the page once (its cache warm), as after the first tab
        first = one.new_page()
        first.set_default_timeout(600_000)
        first.goto(url)
        first.locator(".orgsim-status", has_text=re.compile(r"^Week 0:")).wait_for()
        first.close()
    before = (_cpu_seconds(server_pid), browser_cpu())
    t0 = time.perf_counter()
    contexts, pages = [], []
    for _ in range(tabs):
        ctx = one or browser.new_context(viewport={"width": 1280, "height": 720})
        if ctx is not one:
            contexts.append(ctx)
        tab = ctx.new_page()
        tab.set_default_timeout(600_000)
        tab.goto(url, wait_until="commit")
        pages.append(tab)
    for tab in pages:
        tab.locator(".orgsim-status", has_text=re.compile(r"^Week 0:")).wait_for()
    loaded = time.perf_counter() - t0
    server_cpu = _cpu_seconds(server_pid) - before[0]
    browsers = browser_cpu() - before[1]
    what = f"{tabs} tabs of one browser" if shared else f"{tabs} browsers of their own"
    goal = " (goal < 60 s)" if shared else ""
    print(f"browser: {what} opened at once, all showing week 0 after {loaded:.1f} s{goal}; "
          f"CPU: server {server_cpu:.1f} s, browser {browsers:.1f} s; load {_load()}",
          flush=True)
    for ctx in contexts + ([one] if one else []):
        ctx.close()


def browser_figures(tabs: int) -> None:
    """Start `orgsim app`, measure in Chromium, stop it."""
    import socket
    import subprocess
    import sys
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "ORGSIM_APP_DIE_WITH_PARENT": "1"}  # no server outlives the run
    server = subprocess.Popen([sys.executable, "-m", "sim.cli", "app", "--port", str(port)],
                              cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.set_default_timeout(180_000)
            page.goto(url)
            page.locator(".orgsim-status", has_text=re.compile(r"^Week 0:")).wait_for()
            times = sorted(page.evaluate(STEP_AND_WAIT_JS, week) for week in range(1, 12))
            print(f"browser: Step, click to new week and picture: median {times[5]:.0f} ms, "
                  f"slowest {times[-1]:.0f} ms of 11 (goal < 250 ms); load {_load()}", flush=True)
            page.get_by_role("button", name="Reset").click()
            page.locator(".orgsim-week", has_text=re.compile(r"^Week 0$")).wait_for()
            page.locator(".orgsim-speed-slider").get_by_role("slider").focus()
            page.keyboard.press("End")
            page.get_by_text("Speed: 20 weeks per second").wait_for()
            t0 = time.perf_counter()
            page.get_by_role("button", name="▶").click()
            page.wait_for_function(WEEK_AT_LEAST_JS, arg=52, timeout=180_000)
            played = time.perf_counter() - t0
            page.get_by_role("button", name="❚❚").click()
            print(f"browser: Play at 20 weeks a second, ▶ to week 52 shown: {played:.1f} s "
                  f"(goal < 10 s); load {_load()}", flush=True)
            page.close()
            for shared in (True, False):
                _load_tabs(browser, url, tabs, shared, server.pid)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a loaded machine: no server outlives the run
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--customers", type=int, default=500)
    ap.add_argument("--tabs", type=int, default=30)
    ap.add_argument("--no-browser", action="store_true", help="the server's share only")
    args = ap.parse_args()
    if not args.no_browser:
        browser_figures(args.tabs)
    for name, view in (("one organisation", one_view), ("side by side", side_view)):
        times = view(ClassroomModel(n_customers=args.customers), args.steps)
        ms = sorted(1000 * t for t in times)
        print(f"{name}: {args.customers} customers, {args.steps} steps: median "
              f"{statistics.median(ms):.0f} ms, slowest {ms[-1]:.0f} ms per step "
              f"(target well under 1000 ms)", flush=True)


if __name__ == "__main__":
    main()
