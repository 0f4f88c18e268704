"""The classroom page: Mesa's SolaraViz on the organisation model.

Run it with ``orgsim app`` (which calls ``solara run`` on this file). Mesa's SolaraViz
gives the sidebar: Reset, play/pause, Step, the play interval, the step counter and the
model's parameters; below them this page shows the organisation and a patch of the
customer network (click a node to see its state), live charts, a row of buttons that
fire a disruption now, and a second view with two organisations side by side.

Every browser session gets its own model (made in ``Page`` with a per-session hook).
"""

from __future__ import annotations

import base64
import html
import os
import re
from pathlib import Path
from typing import Callable

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from sim.app.classroom import (
    ABOUT_HOW, ABOUT_SOURCES, ABOUT_WHAT, DISRUPTIONS, classroom_class, default_comparison, model_params,
    scenario_toml, things_to_try,
)
from sim.app.drawing import FRAMES, render
from sim.app.figures import (
    CHARTS, COMPARE_CHARTS, SIDE_COLOURS, accounts_figure, customer_figure, layout,
    org_figure, org_layout,
)
from sim.app.views import (
    describe, events_text, highlights, org_text, settings_text, snapshot, status_text,
)
from sim.app.serve import ERROR_LINE, log
from sim.app.trust import offered
from sim.files.extensions import load_model_class

TITLE = "orgsim: customers in product- and customer-centric firms"
# the model class: sim's own, or the one the teacher named with `orgsim app --model`
# (set by the command line on the server, never from the browser)
PageModel = type("PageModel", (classroom_class(load_model_class(os.environ.get("ORGSIM_MODEL", ""))),),
                 {"metered": True, "__module__": __name__})  # steps within a tab's budget
ONE, SIDE = "One organisation", "Side by side"


def _inline(text: str) -> str:
    """Escape, then the three marks the texts use: **bold**, *italic*, `code`."""
    text = html.escape(" ".join(text.split()))
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


def about_html() -> str:
    """NetLogo's Info tab, in short: what it is, how it works, things to try, sources."""
    tries = "".join(f"<li><b>{html.escape(name)}</b>: {_inline(text)}</li>"
                    for name, text in things_to_try())
    sources = "".join(f"<li>{_inline(s)}</li>" for s in ABOUT_SOURCES)
    return ("<div style='max-width: 75em'>"
            f"<h4>What is it?</h4><p>{_inline(ABOUT_WHAT)}</p>"
            f"<h4>How it works</h4><p>{_inline(ABOUT_HOW)}</p>"
            "<h4>Things to try</h4><p>Pick one in <i>Scenario</i>, press Reset and play; "
            f"or compare two with <i>Side by side</i>.</p><ul>{tries}</ul>"
            f"<h4>Sources</h4><ul>{sources}</ul></div>")


@solara.component_vue(str(Path(__file__).with_name("click_image.vue")))
def ClickImage(src: str, alt: str = "", css_class: str = "",
               event_pick: Callable[[dict], None] | None = None):
    """A picture that reports where it was clicked (fractions of its size)."""


@solara.component
def Picture(make, key, name: str = "chart"):
    """A chart as a PNG, redrawn only when ``key`` changes (its frame only when the
    frame changes)."""
    png = solara.use_memo(lambda: render(make(), FRAMES).png, key)
    solara.Image(png, width="100%", classes=[f"orgsim-{name}"])


@solara.component
def NetworkPicture(make, key, on_pick, name: str):
    """A network drawing; a click on it selects the node under the pointer."""
    drawn = solara.use_memo(lambda: render(make(), FRAMES), key)
    src = "data:image/png;base64," + base64.b64encode(drawn.png).decode("ascii")

    def pick(where):
        try:  # from the browser: two fractions, or nothing happens
            x, y = float(where["x"]), float(where["y"])
        except (TypeError, KeyError, ValueError):
            return
        if 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0:
            on_pick(drawn.pick(x, y))

    ClickImage(src=src, alt=name, css_class=f"orgsim-{name}", event_pick=pick)


@solara.component
def Disruptions(model):
    """One button per disruption: fire it now with its default parameters."""

    def fire(kind):
        model.trigger(kind)
        force_update()

    with solara.Card("Fire a disruption now (its default parameters; effects from the next step)"):
        with solara.Row(style={"flex-wrap": "wrap"}):
            for kind, label in DISRUPTIONS.items():
                solara.Button(label, on_click=lambda kind=kind: fire(kind), color="error",
                              outlined=True, classes=[f"disrupt-{kind}"])


@solara.component
def Inspector(m, side: int, selected, lock):
    """The state of the clicked customer or employee."""
    _, chosen_side, kind, index = selected.value
    if chosen_side != side:
        return
    with solara.Card(classes=["orgsim-inspector"], style={"background": "#fdf3fd"}):
        for line in describe(m, kind, index, lock=lock):
            solara.Text(line, style={"display": "block"})
        solara.Button("Clear selection", text=True, on_click=lambda: selected.set(None))


@solara.component
def Networks(m, snap, side: int, selected, lock, show_owners: bool = False,
             in_columns: bool = True):
    """The organisation and the customer patch of one model, clickable (side by side
    with ``in_columns``, else one above the other); with ``show_owners``, one drawing
    with the account-owner links instead."""
    org_pos = solara.use_memo(lambda: org_layout(snap), [id(m), len(snap.dept)])
    cust_pos = solara.use_memo(
        lambda: layout([int(i) for i in snap.sample], snap.sample_edges),
        [id(m), len(snap.sample)])
    current = selected.value
    mine = current is not None and current[0] == id(m) and current[1] == side
    ring_emp, ring_cust = highlights(snap, (current[2], current[3]) if mine else None)
    step_key = [id(m), snap.step, len(snap.events)]

    def on_pick(hit):
        selected.set((id(m), side, *hit) if hit else None)

    def both():
        NetworkPicture(lambda: org_figure(snap, org_pos, ring_emp),
                       [id(m), snap.org_key, ring_emp], on_pick, "organisation")
        NetworkPicture(lambda: customer_figure(snap, cust_pos, ring_cust),
                       step_key + [ring_cust], on_pick, "customers")

    solara.Text(org_text(snap), classes=[f"orgsim-org-{side}"], style={"display": "block"})
    if show_owners:
        NetworkPicture(lambda: accounts_figure(snap, org_pos, cust_pos, ring_emp, ring_cust),
                       step_key + [snap.org_key, ring_emp, ring_cust], on_pick, "accounts")
    elif in_columns:
        with solara.Columns([1, 1]):
            both()
    else:
        both()
    if mine:
        Inspector(m, side, selected, lock)


def _grid(figures: list[tuple[str, Callable]], key) -> None:
    """Named pictures two to a row."""
    for row in range(0, len(figures), 2):
        with solara.Columns([1, 1]):
            for name, make in figures[row:row + 2]:
                Picture(make, key, name)
            if len(figures[row:row + 2]) == 1:
                solara.Div()  # keeps the last picture half-width


@solara.component
def OneView(model, snap, selected):
    show_owners = solara.use_reactive(False)
    solara.Checkbox(label="Show account owners (who looks after which customer)",
                    value=show_owners)
    Networks(model, snap, 0, selected, model.lock, show_owners.value)
    _grid([(chart.__name__, lambda chart=chart: chart(snap)) for chart in CHARTS],
          [id(model), snap.step, len(snap.events)])


@solara.component
def SideView(model, snap, other, selected):
    names = list(offered())
    solara.Select("Compare with (same size, seed and events; disruptions fire in both)",
                  values=names, value=other)
    twin = model.twin
    if twin is None:  # compare_with has not run yet in this render
        return
    snaps = [snap, snapshot(twin, lock=model.lock)]
    labels = [f"Left: {model.display_name}", f"Right: {model.twin_name}"]
    with solara.Columns([1, 1]):
        for side, (m, s, label) in enumerate(zip([model, twin], snaps, labels)):
            with solara.Column():
                solara.Text(label, classes=[f"orgsim-side-{side}"],
                            style={"font-weight": "bold", "font-size": "1.1em",
                                   "color": SIDE_COLOURS[side]})
                solara.Text(status_text(s), classes=[f"orgsim-side-status-{side}"])
                Networks(m, s, side, selected, model.lock, in_columns=False)
    names = [model.display_name, model.twin_name]
    _grid([(chart.__name__, lambda chart=chart: chart(snaps, names)) for chart in COMPARE_CHARTS],
          [id(model), id(twin), snap.step, len(snap.events)])


@solara.component
def Dashboard(model):
    """Everything below SolaraViz's controls, redrawn after every step and click."""
    update_counter.get()  # subscribe: SolaraViz bumps it after each step
    view = solara.use_reactive(ONE)
    other = solara.use_reactive(default_comparison(model))
    selected = solara.use_reactive(None)  # (model id, side, "customer"/"employee", index)
    if selected.value is not None and selected.value[0] not in (id(model), id(model.twin)):
        selected.set(None)  # a Reset made new models
    model.compare_with(other.value if view.value == SIDE else None)
    snap = snapshot(model)

    with solara.Column(style={"padding": "8px"}):
        solara.Text(status_text(snap), classes=["orgsim-status"],
                    style={"font-size": "1.1em", "font-weight": "bold"})
        solara.Text(settings_text(snap), classes=["orgsim-settings"])
        if model.notice:
            solara.Text(model.notice, classes=["orgsim-notice"],
                        style={"color": "#b71c1c", "display": "block"})
        Disruptions(model)
        solara.FileDownload(lambda: scenario_toml(model), filename="classroom_scenario.toml",
                            label="Save as scenario (TOML for orgsim run and studies)")
        solara.Text(events_text(snap), classes=["orgsim-events"],
                    style={"color": "#b71c1c", "font-weight": "bold"})
        solara.ToggleButtonsSingle(value=view, values=[ONE, SIDE])
        solara.Text("Click a customer or an employee in a network to see its state.",
                    style={"font-style": "italic"})
        if view.value == ONE:
            OneView(model, snap, selected)
        else:
            SideView(model, snap, other, selected)
        with solara.Card("About this model"):
            solara.HTML(tag="div", unsafe_innerHTML=about_html())


@solara.component
def Classroom():
    # one model per browser session: made by a hook, so never shared between sessions
    first = solara.use_memo(PageModel, [])
    model = solara.use_reactive(first)
    SolaraViz(model, components=[], model_params=model_params(), name=TITLE,
              play_interval=150)
    Dashboard(model.value)


@solara.component
def Page():
    # an error in the page is logged in the teacher's terminal; the browser gets one line
    error, clear = solara.use_exception()
    if error is not None:
        log.error("error on the page", exc_info=error)
        solara.Error(ERROR_LINE, classes=["orgsim-error"])
        solara.Button("Try again", on_click=clear)
    else:
        Classroom()
