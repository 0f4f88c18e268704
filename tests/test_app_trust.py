"""The classroom page's trust boundary and a tab's budget (sim.app.trust), without a
browser: every value SolaraViz would hand over from the websocket goes through
ClassroomModel as the page's Reset does, and crafted ones are refused in one line, with
no file opened by a name the browser sent. The server itself (sim.app.serve) is started
for real: its only connections are to this machine, and /resourcez shows no host data."""

from __future__ import annotations

import builtins
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.app.classroom import CUSTOM, DEFAULT_CUSTOMERS, DEFAULT_SEED, ClassroomModel, model_params
from sim.app.trust import SCENARIOS_ENV, StepBudget, check_tab_cost, offered
from sim.cli import main
from sim.model.params import PARAMS

from helpers import audited_env, connections, off_machine

pytestmark = pytest.mark.filterwarnings("ignore:.*found despite early return:UserWarning")


@pytest.fixture
def opened(monkeypatch):
    """Every path opened with open() while the test runs."""
    paths: list[str] = []
    real = builtins.open

    def watching(file, *args, **kwargs):
        paths.append(str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watching)
    return paths


@pytest.fixture
def watched(tmp_path):
    """A valid scenario file the browser names by path: it must never be opened."""
    path = tmp_path / "secret.toml"
    path.write_text('preset = "baseline"\nsocial_amplification = 1000\nwom_reach = 1000\n')
    return path


CRAFTED = ["{watched}", "../../../../{watched}", "/etc/shadow", "/etc/passwd", "baseline.toml",
           "no_such_scenario", "", " baseline", 5, ["baseline"], {"a": 1}]


@pytest.mark.parametrize("value", CRAFTED, ids=[str(v)[:20] for v in CRAFTED])
def test_a_crafted_scenario_is_refused_in_one_line_and_no_file_is_opened(value, watched, opened):
    if isinstance(value, str):
        value = value.format(watched=watched)
    m = ClassroomModel(scenario=value, n_customers=100)
    assert m.page_choice == CUSTOM and m.params["social_amplification"] == 1.0
    assert m.notice and "\n" not in m.notice and "not one this page offers" in m.notice
    assert not any(str(watched) in p or "shadow" in p or "passwd" in p for p in opened)


@pytest.mark.parametrize("name, value", [
    ("n_customers", 10**12), ("n_customers", -5), ("n_customers", float("nan")),
    ("n_customers", "500"), ("n_customers", True), ("n_customers", 10.5),
    ("seed", 2**70), ("seed", float("inf")), ("silo_barrier", 7.0), ("silo_barrier", "0.5"),
    ("social_amplification", 1000.0), ("bridges", 10**6), ("mandate", [0.5]),
])
def test_a_number_out_of_its_controls_range_is_refused_and_the_default_used(name, value):
    m = ClassroomModel(**{name: value})
    spec = model_params()[name]
    assert m.notice and "\n" not in m.notice and spec["label"] in m.notice
    if name == "n_customers":
        assert m.params["n_customers"] == DEFAULT_CUSTOMERS
    elif name == "seed":
        assert m.seed_used == DEFAULT_SEED
    else:
        assert m.params[name] == PARAMS[name].default


def test_values_in_range_are_accepted_without_a_notice():
    m = ClassroomModel(scenario="product_centric", n_customers=150, seed=7)
    assert m.notice is None and m.page_choice == "product_centric" and m.seed_used == 7


def test_a_crafted_comparison_is_refused_and_no_file_is_opened(watched, opened):
    m = ClassroomModel(n_customers=100)
    m.compare_with(str(watched))
    assert m.twin is None and "not one this page offers" in m.notice
    assert not any(str(watched) in p for p in opened)
    m.compare_with("product_centric")
    assert m.twin is not None and m.twin_name == "product_centric"


def test_the_teachers_files_are_offered_by_name_and_load_from_their_path(tmp_path, monkeypatch):
    mine = tmp_path / "our_firm.toml"
    mine.write_text('description = "Our firm"\npreset = "baseline"\nmandate = 0.9\n')
    monkeypatch.setenv(SCENARIOS_ENV, str(mine))
    assert offered()["our_firm"] == mine.resolve()
    assert "our_firm" in model_params()["scenario"]["values"]
    m = ClassroomModel(scenario="our_firm", n_customers=100)
    assert m.notice is None and m.params["mandate"] == 0.9


def test_a_teachers_file_too_big_for_a_tab_is_refused_by_orgsim_app(tmp_path, capsys):
    big = tmp_path / "big.toml"
    big.write_text('preset = "baseline"\nsocial_amplification = 1000\nwom_reach = 1000\n')
    assert main(["app", "--scenario", str(big), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(big) in err and "social_amplification" in err
    assert main(["app", "--scenario", str(tmp_path / "missing.toml")]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["app", "--cull-after", "forever"])
    assert exc.value.code == 2


def test_a_tab_steps_within_its_budget_and_skips_the_rest():
    now = [0.0]
    b = StepBudget(seconds_per_step=0.01, share=0.25, max_rate=20, clock=lambda: now[0])
    assert b.rate() == 20 and b.rate(models=2) == 12.5
    taken = sum(b.take() for _ in range(100))  # a hundred asks at one instant
    assert taken == 1
    now[0] += 1.0
    assert sum(b.take() for _ in range(100)) == 20  # a second later: a second's worth
    slow = StepBudget(seconds_per_step=0.1, share=0.25, clock=lambda: now[0])
    assert slow.rate() == 2.5


def test_the_pages_model_is_metered_and_a_model_made_in_python_is_not(monkeypatch):
    free = ClassroomModel(n_customers=100)
    for _ in range(30):
        free.step()
    assert free.steps == 30 and free.step_budget is None

    class Metered(ClassroomModel):
        metered = True

    m = Metered(n_customers=100)
    now = [0.0]
    m.step_budget.clock = lambda: now[0]
    m.step_budget.last = 0.0
    for _ in range(30):
        m.step()
    assert m.steps == 1 and "at most" in m.notice  # one token at one instant


def test_the_page_refuses_a_model_too_big_for_a_tab(monkeypatch, tmp_path):
    heavy = tmp_path / "heavy.toml"
    heavy.write_text('preset = "baseline"\ncustomer_degree = 200\n')
    monkeypatch.setenv(SCENARIOS_ENV, str(heavy))
    monkeypatch.setenv("ORGSIM_APP_TAB_MEMORY", str(50 * 2**20))
    m = ClassroomModel(scenario="heavy", n_customers=2000)
    assert m.page_choice == CUSTOM and "memory" in m.notice and "customer_degree" in m.notice


# --- the server -------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, deadline: float) -> bytes:
    """The body at ``url``, retrying connection refusals until ``deadline``."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            with socket.socket() as s:  # wait for the port without a fixed sleep
                s.settimeout(1.0)
                try:
                    s.connect(("127.0.0.1", int(url.split(":")[2].split("/")[0])))
                except OSError:
                    time.sleep(0.2)


def test_the_connection_audit_sees_a_lookup_off_the_machine(tmp_path):
    """The check below would see the server reach out: a process that looks up a host
    on the internet is recorded (the look-up is recorded before it fails offline)."""
    env, log = audited_env(tmp_path)
    subprocess.run([sys.executable, "-c", "import socket\ntry:\n socket.getaddrinfo("
                    "'pypi.org', 443)\nexcept OSError:\n pass"], env=env, timeout=60, check=True)
    assert [e["address"] for e in off_machine(connections(log))] == ["'pypi.org'"]


def test_orgsim_app_connects_nowhere_but_this_machine_and_shows_no_host_data(tmp_path):
    port = _free_port()
    env, audit = audited_env(tmp_path)
    env = {k: v for k, v in env.items() if not k.startswith("SOLARA_")}
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "app", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path, env=env,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        page = _get(f"http://127.0.0.1:{port}/", deadline)
        assert b"solara" in page.lower()
        stats = json.loads(_get(f"http://127.0.0.1:{port}/resourcez?verbose", deadline))
        assert set(stats) == {"kernels"}, stats  # no cpu, memory, threads
        assert proc.poll() is None, log.read_text()[-2000:]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "New version of Solara" not in log.read_text()
    assert off_machine(connections(audit)) == []


def test_a_pages_model_is_freed_once_nothing_uses_it():
    """Mesa keeps every model in its agent-id counters; the server holds them weakly
    (sim.app.serve.forget_closed_models), so a culled session's model is freed."""
    import gc
    import weakref

    import mesa

    from sim.app.serve import forget_closed_models

    saved = mesa.Agent._ids
    try:
        forget_closed_models()
        m = ClassroomModel(n_customers=100)
        m.step()
        gone = weakref.ref(m)
        ids = [a.unique_id for a in m.departments]
        del m
        gc.collect()
        assert gone() is None
        again = ClassroomModel(n_customers=100)
        assert [a.unique_id for a in again.departments] == ids  # ids still count per model
    finally:
        mesa.Agent._ids = saved
