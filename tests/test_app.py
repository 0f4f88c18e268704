"""The classroom page without a browser: the page imports, the model builds from the
flat keyword parameters SolaraViz passes, steps, fires disruptions, and draws."""

from __future__ import annotations

import io
import inspect

import numpy as np
import pytest

from pathlib import Path

from sim import OrganisationModel, load_scenario
from sim.app import PAGE_FILE
from sim.app.classroom import (
    SLIDERS, changes_from, scenario_levers, slider_value_text,
    CUSTOM, DISRUPTIONS, N_EMPLOYEES, ClassroomModel, model_params, scenario_toml,
)
from sim.app.drawing import FrameCache, nice_ceiling, render
from sim.app.figures import (
    CHARTS, COMPARE_CHARTS, accounts_figure, customer_figure, layout, org_figure, org_layout,
)
from sim.app.views import describe, events_text, highlights, snapshot, status_text
from sim.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
from sim.model.params import LEVERS, PARAMS

# Mesa 3.3's own ComponentsView trips Solara's hook checker when given no components.
pytestmark = pytest.mark.filterwarnings("ignore:.*found despite early return:UserWarning")


def _defaults() -> dict:
    return {name: spec["value"] for name, spec in model_params().items()}


def test_page_module_imports_and_defines_the_page():
    from sim.app import page

    assert PAGE_FILE.name == "page.py" and PAGE_FILE.is_file()
    assert callable(page.Page)


def test_model_params_match_the_model_signature():
    from mesa.visualization.solara_viz import _check_model_params

    params = model_params()
    _check_model_params(ClassroomModel.__init__, params)  # raises on a mismatch
    sig = inspect.signature(ClassroomModel.__init__).parameters
    assert all(p.default is not inspect.Parameter.empty for n, p in sig.items() if n != "self")
    assert params["n_customers"]["max"] == 2000 and params["n_customers"]["value"] == 500
    assert CUSTOM in params["scenario"]["values"]
    assert "product_centric" in params["scenario"]["values"]


def test_sliders_are_the_declared_levers_and_social_reach():
    params = model_params()
    sliders = [n for n, spec in params.items()
               if spec["type"].startswith("Slider") and n not in ("n_customers", "seed")]
    assert sliders == [*LEVERS, "social_amplification"]
    for name in sliders:
        p, spec = PARAMS[name], params[name]
        assert (spec["min"], spec["max"]) == (p.slider or (p.low, p.high)), name
        assert p.low <= spec["min"] < spec["max"] <= p.high, name
        assert spec["step"] == p.step > 0 and spec["label"] == p.label != "", name
        assert spec["min"] <= spec["value"] <= spec["max"], name
        assert spec["type"] == ("SliderInt" if p.kind is int else "SliderFloat"), name
    assert params["bridges"]["max"] == 10 and params["social_amplification"]["max"] == 50
    assert params["reward_mix"]["value"] == 0.5  # a number, not a named value
    m = ClassroomModel(info_scatter=0.9, shared_record=0.7, bridges=4.0, n_customers=100)
    assert (m.params["info_scatter"], m.params["shared_record"], m.params["bridges"]) == (0.9, 0.7, 4)
    with pytest.raises(TypeError, match="capacity"):
        ClassroomModel(capacity=3.0)


def test_factory_builds_from_flat_keywords_and_steps():
    kw = _defaults() | {"silo_barrier": 0.8, "bridges": 2.0, "n_customers": 200, "seed": 3}
    m = ClassroomModel(**kw)
    assert m.params["silo_barrier"] == 0.8 and m.params["bridges"] == 2
    assert m.params["n_customers"] == 200 and m.params["n_prospects"] == 200
    assert m.params["n_employees"] == N_EMPLOYEES
    m.step()
    m.run(2)
    assert m.steps == 3
    assert len(m.timeseries()) == 4


def test_custom_page_model_is_the_model_with_the_same_values_and_seed():
    page = ClassroomModel(n_customers=300, seed=11, mandate=0.6)
    ref = OrganisationModel(load_scenario("baseline", n_customers=300, n_prospects=300,
                                          n_employees=N_EMPLOYEES, mandate=0.6), rng=11)
    page.run(5)
    ref.run(5)
    assert page.timeseries().equals(ref.timeseries())


def test_a_named_scenario_runs_its_own_levers_and_the_sliders_changed_from_them():
    own = load_scenario("product_centric")
    m = ClassroomModel(scenario="product_centric", n_customers=100)
    assert all(m.params[k] == own.params[k] for k in SLIDERS) and m.changes == {}
    assert m.display_name == "product_centric, as it is"
    m = ClassroomModel(scenario="product_centric", silo_barrier=0.1, bridges=3.0, n_customers=100)
    assert m.params["silo_barrier"] == 0.1 and m.params["bridges"] == 3
    assert m.params["reward_mix"] == own.params["reward_mix"]  # the rest: the scenario's
    assert m.scenario.events == own.events
    assert m.display_name == "custom: product_centric + silo barrier 0.10, bridges per department pair 3"
    assert m.params["n_customers"] == 100


def test_picking_a_scenario_gives_the_sliders_its_values_and_only_real_changes_count():
    levers = scenario_levers("customer_centric")
    assert levers == {k: load_scenario("customer_centric").params[k] for k in SLIDERS}
    assert changes_from("customer_centric", levers) == {}
    moved = {**levers, "mandate": levers["mandate"] + 0.05, "bridges": levers["bridges"]}
    assert changes_from("customer_centric", moved) == {"mandate": levers["mandate"] + 0.05}
    assert slider_value_text("silo_barrier", 0.8) == "0.80 on a scale of 0 to 1"
    assert slider_value_text("bridges", 3.0) == "3 per department pair"
    assert slider_value_text("social_amplification", 20.0) == "20.00 x"


@pytest.mark.parametrize("kind", list(DISRUPTIONS))
def test_each_button_fires_its_disruption(kind):
    m = ClassroomModel(n_customers=150, seed=1)
    m.run(2)
    m.trigger(kind)
    m.run(2)
    snap = snapshot(m)
    assert f"{kind} at week 2" in events_text(snap)
    assert snap.step == 4


def test_figures_draw_after_a_merger():
    m = ClassroomModel(n_customers=150, seed=2)
    m.run(2)
    m.trigger("merger")
    m.run(2)
    state = m.rng.bit_generator.state
    snap = snapshot(m)
    org_pos = org_layout(snap)
    cust_pos = layout([int(i) for i in snap.sample], snap.sample_edges)
    drawn = [render(org_figure(snap, org_pos)), render(customer_figure(snap, cust_pos)),
             render(accounts_figure(snap, org_pos, cust_pos))]
    drawn += [render(chart(snap)) for chart in CHARTS]
    for d in drawn:
        assert d.png[:4] == b"\x89PNG"
    assert m.rng.bit_generator.state == state  # drawing never touches the model's generator
    assert status_text(snap).startswith("Week 4:")
    assert np.all(snap.status >= 0)


def test_cli_app_arguments():
    args = build_parser().parse_args(["app", "--port", "9001"])
    assert (args.command, args.host, args.port) == ("app", "127.0.0.1", 9001)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["app", "--port", "0"])


def test_save_as_scenario_gives_a_file_orgsim_runs_with_the_same_events(tmp_path):
    m = ClassroomModel(scenario="custom: baseline + the sliders", silo_barrier=0.9,
                       mandate=0.2, n_customers=400, seed=7)
    m.run(3)
    m.trigger("key_person_loss", count=3)
    m.run(2)
    m.trigger("competitor_leap", amount=0.2)
    f = tmp_path / "demo.toml"
    f.write_text(scenario_toml(m))
    s = load_scenario(f)  # checked like any scenario file
    assert s.params["silo_barrier"] == 0.9 and s.params["mandate"] == 0.2
    assert s.params["n_customers"] == 400 and s.seed == 7
    assert [(e.at, e.kind) for e in s.events] == [(4, "key_person_loss"), (6, "competitor_leap")]
    assert s.events[0].params["count"] == 3 and s.steps == 6
    replayed = OrganisationModel(s)
    replayed.run(s.steps)
    assert replayed.timeseries()["churn_key_person"].sum() > 0


def _cc_reference(seed: int, n: int = 300) -> OrganisationModel:
    return OrganisationModel(load_scenario("customer_centric", n_customers=n, n_prospects=n,
                                           n_employees=N_EMPLOYEES), rng=seed)


@pytest.mark.parametrize("attach_at", [0, 5])
def test_second_organisation_is_the_named_scenario_with_the_same_seed_and_events(attach_at):
    """Side by side: the right-hand model is customer_centric run alone with the same
    seed and the same clicks, whether it was switched on at week 0 or caught up later;
    the left-hand model is not disturbed by it."""
    page = ClassroomModel(scenario="product_centric", n_customers=300, seed=5)
    alone = ClassroomModel(scenario="product_centric", n_customers=300, seed=5)
    ref = _cc_reference(5)
    for m in (page, alone, ref):
        if m is page and attach_at == 0:
            m.compare_with("customer_centric")
        m.run(3)
        m.trigger("key_person_loss", count=2)
        m.run(2)
        if m is page and attach_at == 5:
            m.compare_with("customer_centric")
        m.trigger("viral_complaint")
        m.run(47)
    assert page.twin_name == "customer_centric" and page.twin.steps == 52
    assert page.twin.timeseries().equals(ref.timeseries())
    assert page.timeseries().equals(alone.timeseries())
    assert [k for _, k, _ in page.twin.event_log] == ["key_person_loss", "viral_complaint"]
    # the point of the view: the customer-centric firm keeps more of its customers
    assert page.twin.timeseries()["retention"].iloc[-1] > page.timeseries()["retention"].iloc[-1]
    page.compare_with(None)
    assert page.twin is None
    page.step()  # and runs on alone


def test_second_organisation_gets_the_scenarios_scheduled_events():
    page = ClassroomModel(scenario="key_person_loss_product_centric", n_customers=200, seed=1)
    page.compare_with("customer_centric")
    assert page.twin.scenario.events == page.scenario.events
    at = page.scenario.events[0].at
    page.run(at + 1)
    assert ("key_person_loss" in [k for _, k, _ in page.twin.event_log])


def _magenta_centre(png: bytes) -> tuple[float, float]:
    from matplotlib.image import imread

    img = imread(io.BytesIO(png))[:, :, :3]
    mask = (np.abs(img - np.array([0xE0, 0x00, 0xE0]) / 255).sum(axis=2) < 0.1)
    ys, xs = np.nonzero(mask)
    assert len(xs) > 10, "the selection ring is not drawn"
    h, w = mask.shape
    return (xs.mean() + 0.5) / w, (ys.mean() + 0.5) / h


def test_a_click_on_a_drawn_node_picks_that_node():
    """Where render says a node is, is where its pixels are: the centre of the ring
    drawn around an employee (or a customer) picks that employee (or customer)."""
    m = ClassroomModel(n_customers=300, seed=3)
    m.run(4)
    snap = snapshot(m)
    org_pos = org_layout(snap)
    cust_pos = layout([int(i) for i in snap.sample], snap.sample_edges)
    for j in (0, 17, 59):
        drawn = render(org_figure(snap, org_pos, ring=frozenset({j})))
        assert drawn.pick(*_magenta_centre(drawn.png)) == ("employee", j)
    for i in (3, 120):
        drawn = render(customer_figure(snap, cust_pos, ring=frozenset({i})))
        assert drawn.pick(*_magenta_centre(drawn.png)) == ("customer", i)
        assert drawn.pick(0.995, 0.005) is None  # the corner: nothing there
    both = render(accounts_figure(snap, org_pos, cust_pos, frozenset({5}), frozenset()))
    assert both.pick(*_magenta_centre(both.png)) == ("employee", 5)
    assert set(both.kind) == {"employee", "customer"} and len(both.index) == 60 + 250


def test_frame_cache_gives_the_same_pixels_as_a_full_draw():
    from matplotlib.image import imread

    m = ClassroomModel(n_customers=300, seed=4)
    m.run(3)
    cust_pos = layout(list(range(250)), snapshot(m).sample_edges)
    makers = [lambda s, c=c: c(s) for c in CHARTS] + [lambda s: customer_figure(s, cust_pos)]
    caches = [FrameCache() for _ in makers]
    for make, cache in zip(makers, caches):
        render(make(snapshot(m)), cache)
    m.step()
    m.trigger("competitor_leap")  # a marker, drawn as data over the cached frame
    snap = snapshot(m)
    for make, cache in zip(makers, caches):
        fast = imread(io.BytesIO(render(make(snap), cache).png))
        full = imread(io.BytesIO(render(make(snap)).png))
        assert np.array_equal(fast, full)
    # a frame is reused unless its axis limits moved (its key holds them): then a new
    # frame is drawn beside the old one. Most charts' limits hold over one week.
    assert all(c.hits == (len(c.frames) == 1) for c in caches)
    assert sum(c.hits for c in caches) >= 4


def test_a_reused_template_draws_what_a_freshly_built_figure_does():
    """The customer patch and the charts are drawn on templates of their frame: the
    next week's data on a reused one (last week's data and rings gone) gives the pixels
    of a figure built anew, and no new figure is built for it."""
    from sim.app import drawing

    m = ClassroomModel(n_customers=300, seed=5)
    m.compare_with("customer_centric")
    m.run(3)
    first = snapshot(m)
    cust_pos = layout(list(range(250)), first.sample_edges)
    makers = [lambda s, c=c: c(s) for c in CHARTS]
    makers += [lambda s, c=c: c([s, snapshot(m.twin)], ["a", "b"]) for c in COMPARE_CHARTS]
    makers += [lambda s, ring: customer_figure(s, cust_pos, ring)]
    for make in makers[:-1]:
        render(make(first))
    render(makers[-1](first, frozenset({3, 4})))  # a selection ringed this week
    m.step()
    m.trigger("competitor_leap")  # an event line and label: data on the reused frame
    snap = snapshot(m)
    def week(s):
        return [make(s) for make in makers[:-1]] + [makers[-1](s, frozenset())]

    built = drawing.TEMPLATES.built
    reused = week(snap)
    assert drawing.TEMPLATES.built == built  # every one on a template kept
    reused_png = [render(pic).png for pic in reused]
    saved = drawing.TEMPLATES.free
    try:
        drawing.TEMPLATES.free = type(saved)()  # no template kept: each figure anew
        fresh = week(snap)
        assert drawing.TEMPLATES.built == built + len(makers)
        fresh_png = [render(pic).png for pic in fresh]
    finally:
        drawing.TEMPLATES.free = saved
    for a, b in zip(reused_png, fresh_png):
        assert np.array_equal(_pixels(a), _pixels(b))
    for a, b in zip(reused, fresh):  # last week's data went: no artist piles up
        assert ([len(ax.get_children()) for ax in a.fig.axes]
                == [len(ax.get_children()) for ax in b.fig.axes])


def _pixels(png: bytes) -> np.ndarray:
    from matplotlib.image import imread
    return imread(io.BytesIO(png))


def test_snapshots_showing_the_same_have_one_digest_and_share_their_drawings():
    """Two tabs on the same scenario, seed and week take snapshots with one digest (the
    page's drawings are kept by it and drawn once); a step or an event changes it."""
    from sim.app.drawing import Drawings

    a, b = ClassroomModel(n_customers=200, seed=3), ClassroomModel(n_customers=200, seed=3)
    assert snapshot(a).digest == snapshot(b).digest
    assert snapshot(a).digest != snapshot(ClassroomModel(n_customers=200, seed=4)).digest
    a.step()
    assert snapshot(a).digest != snapshot(b).digest
    b.step()
    assert snapshot(a).digest == snapshot(b).digest
    a.trigger("viral_complaint")
    assert snapshot(a).digest != snapshot(b).digest
    made, drawings = [], Drawings(size=2)
    for _ in range(3):
        assert drawings.get(("x", snapshot(b).digest), lambda: made.append(1) or "png") == "png"
    assert made == [1] and drawings.hits == 2
    for key in ("y", "z"):  # beyond its size, the least recently used goes
        drawings.get(key, lambda: "other")
    drawings.get(("x", snapshot(b).digest), lambda: made.append(1) or "png")
    assert made == [1, 1]


def test_snapshot_ties_are_the_customer_patch_s_as_networkx_lists_them():
    m = ClassroomModel(n_customers=300, seed=8)
    snap = snapshot(m)
    g = m.network.to_networkx(snap.sample)
    assert snap.sample_edges == [(int(u), int(v)) for u, v in g.edges()]
    assert len(snap.sample_edges) > len(snap.sample)  # a connected patch, not a few ties


def test_describe_reads_the_clicked_agents_state():
    m = ClassroomModel(n_customers=400, seed=6)
    m.run(30)
    c = m.cust
    waiting = int(np.flatnonzero(c.open_contact & (c.status == 1))[0])
    text = "\n".join(describe(m, "customer", waiting))
    assert f"Customer {waiting}" in text and "active" in text
    assert f"waiting since week {int(c.open_since[waiting])}" in text
    assert f"employee {int(c.owner[waiting])}" in text
    assert f"Satisfaction {c.satisfaction[waiting]:.2f}" in text
    quiet = int(np.flatnonzero(c.silent_problem)[0])
    assert "never raised" in "\n".join(describe(m, "customer", quiet))
    assert "never raised" not in "\n".join(describe(m, "customer", int(np.flatnonzero(
        ~c.silent_problem & (c.status == 1))[0])))
    gone = int(np.flatnonzero(c.churn_step >= 0)[0])
    text = "\n".join(describe(m, "customer", gone))
    assert f"Left in week {int(c.churn_step[gone])}, cause: " in text
    j = int(np.argmax(m.accounts))
    text = "\n".join(describe(m, "employee", j))
    assert f"Accounts: {int(m.accounts[j])} active customers" in text
    assert f"Capacity used this week: {int(m.org.used[j])} of" in text


def test_highlights_ring_a_customer_with_its_owner_and_an_employee_with_its_accounts():
    m = ClassroomModel(n_customers=300, seed=2)
    m.run(2)
    snap = snapshot(m)
    i = int(np.flatnonzero((snap.status == 1) & (snap.owner >= 0))[0])
    assert highlights(snap, ("customer", i)) == (frozenset({int(snap.owner[i])}),
                                                 frozenset({i}))
    owner = int(snap.owner[i])
    emp, cust = highlights(snap, ("employee", owner))
    assert emp == {owner} and i in cust
    assert all(snap.owner[k] == owner for k in cust)
    assert highlights(snap, None) == (frozenset(), frozenset())


def test_saved_scenario_replays_the_class_demo_exactly(tmp_path):
    """Save as scenario from a named scenario with its own scheduled event: the file
    keeps that event once, adds the click, and replays the page's weeks exactly."""
    m = ClassroomModel(scenario="key_person_loss_product_centric", n_customers=300, seed=9)
    m.run(4)
    m.trigger("competitor_leap", amount=0.3)
    m.run(3)
    f = tmp_path / "demo.toml"
    f.write_text(scenario_toml(m))
    s = load_scenario(f)
    assert [(e.at, e.kind) for e in s.events] == [(5, "competitor_leap"),
                                                  (26, "key_person_loss")]
    replayed = OrganisationModel(s)
    replayed.run(7)
    assert replayed.timeseries().equals(m.timeseries())


def test_axis_limits_change_seldom():
    from sim.app.drawing import horizon

    assert [nice_ceiling(x) for x in (0, 1, 1.2, 3, 7, 10, 11, 480, 501)] == \
        [1, 1, 2, 5, 10, 10, 20, 500, 1000]
    assert [horizon(s) for s in (0, 1, 26, 27, 156)] == [26, 26, 26, 52, 156]


def test_five_lessons_each_with_a_scenario_the_page_offers_and_essay_passages():
    from sim.app.lessons import lesson, lessons
    from sim.app.trust import offered

    found = lessons()
    assert list(found) == ["silos_and_failure_demand", "rewards_and_promises",
                           "a_key_person_leaves", "the_merger", "word_of_mouth"]
    for name, le in found.items():
        assert le.scenario in offered() and (le.compare_with is None or le.compare_with in offered())
        assert le.title and le.show_first and len(le.notice) >= 2 and len(le.try_) >= 2
        assert 2 <= len(le.questions) <= 3, name
        assert le.passages and all(p.lang in ("sv", "nb") and p.text and p.essay
                                   for p in le.passages), name
    with pytest.raises(KeyError, match="not one this page has"):
        lesson("../../etc/passwd")


def test_orgsim_app_refuses_an_unknown_lesson_in_one_line(capsys):
    from sim.cli import main

    assert main(["app", "--lesson", "no_such_lesson", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no_such_lesson" in err and "the_merger" in err


def test_the_page_opens_the_lesson_the_command_line_named(monkeypatch):
    from sim.app import page

    monkeypatch.setenv(page.LESSON_ENV, "the_merger")
    assert page.initial_lesson() == "the_merger"
    monkeypatch.setenv(page.LESSON_ENV, "/etc/passwd")
    assert page.initial_lesson() is None
    text = page.lesson_html("the_merger")
    assert "Things to notice" in text and "Questions for the class" in text
    assert "lang='sv'" in text and "sammanslagning" in text


def test_the_about_panel_has_netlogos_info_tab_sections():
    from sim.app import page

    text = page.about_html()
    for head in ("What is it?", "How it works", "How to use it", "Things to notice",
                 "Things to try", "Extending the model", "Related models", "Credits and sources"):
        assert f"<h4>{head}</h4>" in text, head


def test_the_readmes_setup_installs_the_page_with_its_offline_pins():
    """Issue 18, point 7: scripts/demo.sh (the README's set-up) installs the app extra,
    and the extra keeps the Solara release whose front-end ships in solara-assets."""
    import tomllib

    demo = (ROOT / "scripts" / "demo.sh").read_text()
    installs = [line for line in demo.splitlines() if "pip install" in line and "-e" in line]
    assert installs and all('".[app]"' in line for line in installs), installs
    app = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["app"]
    for pin in ("solara==1.58.2", "solara-server==1.58.2", "solara-assets==1.58.2", "ipyvuetify<3"):
        assert pin in app, pin


def test_the_server_asked_to_die_with_its_parent_ends_when_the_parent_is_killed(tmp_path):
    """sim.app.serve.die_with_parent (PR_SET_PDEATHSIG): a parent that starts a child
    asking for it, then is killed, takes the child with it (a killed test run leaves
    no `sim.app.serve` behind)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    pid_file = tmp_path / "child.pid"
    child = ("import os, sys, time; from sim.app.serve import die_with_parent; die_with_parent(); "
             f"open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(120)")
    parent = ("import subprocess, sys, time; "
              f"subprocess.Popen([sys.executable, '-c', {child!r}]); time.sleep(120)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", parent], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text()):
            assert time.monotonic() < deadline, "the child did not start"
            time.sleep(0.1)  # nothing to wait on but the file the child writes
        child_pid = int(pid_file.read_text())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 30
        while Path(f"/proc/{child_pid}").exists() and "Z" not in _proc_state(child_pid):
            assert time.monotonic() < deadline, "the child outlived its parent"
            time.sleep(0.1)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _proc_state(pid: int) -> str:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.split()[1]
    except OSError:
        return "gone"
    return ""


def test_the_server_waits_minutes_for_a_pong_not_twenty_seconds():
    """uvicorn's default closes a websocket 20 s after an unanswered ping: while 30 tabs
    load on two cores that closed first connections, and those pages stayed at "Loading
    app". The page's server (sim.app.serve.harden) makes uvicorn wait WS_PING_TIMEOUT."""
    import os
    import subprocess
    import sys

    code = ("from sim.app import serve; serve.configure('2m'); serve.harden(); import uvicorn; "
            "c = uvicorn.Config('sim.app.serve:main'); "
            "print(c.ws_ping_interval, c.ws_ping_timeout, serve.WS_PING_TIMEOUT)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300, check=True).stdout.split()
    interval, timeout, wanted = map(float, out[-3:])
    assert timeout == wanted and timeout >= 120 > 20  # uvicorn's own default is 20 s
    assert interval == 20.0
