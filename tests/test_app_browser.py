"""The classroom page in a real browser: `orgsim app` served on 127.0.0.1, driven by
Playwright in Debian's /usr/bin/chromium (never a downloaded browser).

Every request the page makes is recorded, and the test fails if any leaves
127.0.0.1: the page must work in a classroom with no internet. Screenshots of each
state go to the test's tmp_path; the last one is copied to docs/classroom.png.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
ROOT = Path(__file__).resolve().parents[1]
STEP_TEXT = re.compile(r"^Step: (\d+)$")
TIMEOUT_MS = 60_000


def _need_browser():
    """No chromium: fail on CI (scripts/test.sh installs it), skip elsewhere."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    else:
        if CHROMIUM.exists():
            return
        reason = f"{CHROMIUM} is missing (scripts/test.sh installs Debian's chromium as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _orgsim() -> list[str]:
    script = Path(sys.executable).parent / "orgsim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "sim.cli"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`orgsim app --port P` in its own process group; stopped at the end."""
    _need_browser()
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(_orgsim() + ["app", "--port", str(port)], cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            pytest.fail(f"orgsim app exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"orgsim app did not answer on {url}:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    yield url
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Requests:
    """Every URL a page asks for (HTTP and websockets)."""

    def __init__(self, page):
        self.urls: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("websocket", lambda ws: self.urls.append(ws.url))

    def outside(self) -> list[str]:
        out = []
        for url in self.urls:
            parts = urlparse(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.hostname not in LOCAL_HOSTS:
                out.append(url)
        return out


def _open(browser, url, height=1100):
    context = browser.new_context(viewport={"width": 1500, "height": height})
    page = context.new_page()
    requests = Requests(page)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.get_by_text(STEP_TEXT).wait_for()
    page.get_by_text(re.compile(r"^Week 0:")).wait_for()
    return context, page, requests


def _step_count(page) -> int:
    return int(STEP_TEXT.match(page.get_by_text(STEP_TEXT).inner_text().strip()).group(1))


def _wait_step(page, predicate, timeout=30.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        n = _step_count(page)
        if predicate(n):
            return n
        if time.monotonic() > deadline:
            raise AssertionError(f"step counter stuck at {n}")
        time.sleep(0.1)


def test_page_steps_plays_and_fires_disruptions_offline(server, browser, tmp_path):
    context, page, requests = _open(browser, server, height=2100)  # the whole page shows
    try:
        shots = []

        def shot(name):
            path = tmp_path / f"{len(shots) + 1:02d}-{name}.png"
            page.screenshot(path=path, full_page=True)
            shots.append(path)

        assert _step_count(page) == 0
        for label in ("Fire a disruption now", "About this model", "Running: baseline",
                      "Scenario (the sliders apply"):
            page.get_by_text(label).first.wait_for()
        assert page.locator("img").count() >= 7  # two networks and five charts
        assert page.get_by_text("Events: none yet").count() == 1
        shot("loaded")

        page.get_by_role("button", name="Step", exact=True).click()
        _wait_step(page, lambda n: n == 1)
        page.get_by_text(re.compile(r"^Week 1:")).wait_for()
        shot("stepped")

        page.get_by_role("button", name="▶").click()
        _wait_step(page, lambda n: n >= 4)
        shot("playing")
        page.get_by_role("button", name="❚❚").click()
        page.get_by_role("button", name="▶").wait_for()
        time.sleep(0.5)  # a step under way when pause was pressed may still finish
        paused_at = _step_count(page)
        time.sleep(1.5)
        assert _step_count(page) == paused_at, "the model kept running after pause"
        assert paused_at >= 4
        shot("paused")

        page.get_by_role("button", name="Key person leaves").click()
        page.get_by_text(f"Events: key_person_loss at week {paused_at}").wait_for()
        page.get_by_role("button", name="Step", exact=True).click()
        _wait_step(page, lambda n: n == paused_at + 1)
        page.get_by_text(re.compile(rf"^Week {paused_at + 1}:")).wait_for()
        shot("disruption")
        assert (tmp_path / "05-disruption.png").exists()

        with page.expect_download(timeout=30_000) as download:
            page.get_by_text("Save as scenario").click()
        saved = (tmp_path / "saved.toml")
        download.value.save_as(saved)
        text = saved.read_text()
        assert 'kind = "key_person_loss"' in text and f"at = {paused_at + 1}" in text

        page.get_by_role("button", name="Reset").click()
        _wait_step(page, lambda n: n == 0)
        page.get_by_text("Events: none yet").wait_for()
        page.get_by_text(re.compile(r"^Week 0:")).wait_for()

        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "05-disruption.png", ROOT / "docs" / "classroom.png")
        assert requests.urls, "no request was recorded"
        assert requests.outside() == [], f"requests left 127.0.0.1: {requests.outside()}"
    finally:
        context.close()


def test_each_browser_session_has_its_own_model(server, browser):
    ctx_a, page_a, req_a = _open(browser, server)
    ctx_b, page_b, req_b = _open(browser, server)
    try:
        page_a.get_by_role("button", name="Step", exact=True).click()
        page_a.get_by_role("button", name="Step", exact=True).click()
        _wait_step(page_a, lambda n: n == 2)
        page_b.get_by_role("button", name="Viral complaint").click()
        page_b.get_by_text("Events: viral_complaint at week 0").wait_for()
        assert _step_count(page_b) == 0
        assert page_a.get_by_text("Events: none yet").count() == 1
        assert req_a.outside() == [] and req_b.outside() == []
    finally:
        ctx_a.close()
        ctx_b.close()
