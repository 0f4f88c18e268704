"""The classroom page without a browser: the page imports, the model builds from the
flat keyword parameters SolaraViz passes, steps, fires disruptions, and draws."""

from __future__ import annotations

import io
import inspect

import numpy as np
import pytest

from sim import OrganisationModel, load_scenario
from sim.app import PAGE_FILE
from sim.app.classroom import (
    CHARTS, CUSTOM, DISRUPTIONS, N_EMPLOYEES, ClassroomModel, customer_figure,
    events_text, layout, model_params, org_figure, org_layout, snapshot, status_text,
)
from sim.cli import build_parser

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


def test_named_scenario_keeps_its_own_levers():
    m = ClassroomModel(scenario="product_centric", silo_barrier=0.1, n_customers=100)
    assert m.params["silo_barrier"] == load_scenario("product_centric").params["silo_barrier"]
    assert m.params["n_customers"] == 100


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
    figs = [org_figure(snap, org_layout(snap)),
            customer_figure(snap, layout([int(i) for i in snap.sample], snap.sample_edges))]
    figs += [chart(snap) for chart in CHARTS]
    for fig in figs:
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        assert buf.getvalue()[:4] == b"\x89PNG"
    assert m.rng.bit_generator.state == state  # drawing never touches the model's generator
    assert status_text(snap).startswith("Week 4:")
    assert np.all(snap.status >= 0)


def test_cli_app_arguments():
    args = build_parser().parse_args(["app", "--port", "9001"])
    assert (args.command, args.host, args.port) == ("app", "127.0.0.1", 9001)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["app", "--port", "0"])


def test_save_as_scenario_gives_a_file_orgsim_runs_with_the_same_events(tmp_path):
    from sim import OrganisationModel, load_scenario
    from sim.app.classroom import ClassroomModel, scenario_toml

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
