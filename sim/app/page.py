"""The classroom page: Mesa's SolaraViz on the organisation model.

Run it with ``orgsim app`` (which calls ``solara run`` on this file). Mesa's SolaraViz
gives the sidebar: Reset, play/pause, Step, the step counter and the model's
parameters; below them this page draws the organisation, a patch of the customer
network, five charts, and a row of buttons that fire a disruption now.

Every browser session gets its own model (made in ``Page`` with a per-session hook).
"""

from __future__ import annotations

import html
import io
import re

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from sim.app.classroom import (
    ABOUT, CHARTS, DISRUPTIONS, ClassroomModel, customer_figure, events_text, layout,
    model_params, org_figure, org_layout, scenario_toml, settings_text, snapshot, status_text,
)

TITLE = "orgsim: customers in product- and customer-centric firms"


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _about_html() -> str:
    text = html.escape(ABOUT.replace("\n", " "))
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)
    text = re.sub(r"`(.+?)`", r"<code>\1</code>", text)
    return f"<p style='max-width: 70em'>{text}</p>"


@solara.component
def Picture(make, key):
    """A matplotlib figure as a PNG, redrawn only when ``key`` changes."""
    png = solara.use_memo(lambda: _png(make()), key)
    solara.Image(png, width="100%")


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
def Dashboard(model):
    """Everything below SolaraViz's controls, redrawn after every step and click."""
    update_counter.get()  # subscribe: SolaraViz bumps it after each step
    snap = snapshot(model)
    key = [id(model), snap.step, len(snap.events)]
    org_pos = solara.use_memo(lambda: org_layout(snap),
                              [id(model), len(snap.dept), len(snap.org_edges)])
    cust_pos = solara.use_memo(
        lambda: layout([int(i) for i in snap.sample], snap.sample_edges),
        [id(model), len(snap.sample)])

    with solara.Column(style={"padding": "8px"}):
        solara.Text(status_text(snap), classes=["orgsim-status"],
                    style={"font-size": "1.1em", "font-weight": "bold"})
        solara.Text(settings_text(snap), classes=["orgsim-settings"])
        Disruptions(model)
        solara.FileDownload(lambda: scenario_toml(model), filename="classroom_scenario.toml",
                            label="Save as scenario (TOML for orgsim run and studies)")
        solara.Text(events_text(snap), classes=["orgsim-events"],
                    style={"color": "#b71c1c", "font-weight": "bold"})
        with solara.Columns([1, 1]):
            Picture(lambda: org_figure(snap, org_pos), key + [len(org_pos)])
            Picture(lambda: customer_figure(snap, cust_pos), key)
        for row in range(0, len(CHARTS), 2):
            with solara.Columns([1, 1]):
                for chart in CHARTS[row:row + 2]:
                    Picture(lambda chart=chart: chart(snap), key)
                if len(CHARTS[row:row + 2]) == 1:
                    with solara.Card("About this model"):
                        solara.HTML(tag="div", unsafe_innerHTML=_about_html())
        if len(CHARTS) % 2 == 0:
            with solara.Card("About this model"):
                solara.HTML(tag="div", unsafe_innerHTML=_about_html())


@solara.component
def Page():
    # one model per browser session: made by a hook, so never shared between sessions
    first = solara.use_memo(ClassroomModel, [])
    model = solara.use_reactive(first)
    SolaraViz(model, components=[], model_params=model_params(), name=TITLE,
              play_interval=150)
    Dashboard(model.value)
