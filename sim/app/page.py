"""The classroom page (``orgsim app``): a Solara page of its own on the organisation
model, made for a class in front of a projector.

The controls a teacher needs and nothing else: a lesson picker, the scenario (the
sliders move to its values; moving one makes it "custom: SCENARIO + changes"), the
sliders with their values and units, Reset, ▶/❚❚, Step and the speed in weeks per
second (space and → on the keyboard). Big-number readouts (NetLogo's monitors) for what
a teacher points at; below them the organisation and a patch of the customer network
(click a node to see its state), the live charts, a row of buttons that fire a
disruption now, a side-by-side view of two organisations, the lesson's texts and the
About panel (NetLogo's Info tab).

Play runs on a thread of its own (``sim.app.player``): the model steps at the
requested speed and the page is redrawn at most every quarter of a second, so no
speed floods the browser. An error in a control's callback shows one line in the page
(the details go to the teacher's terminal) and the page goes on. Every browser session
gets its own model. Every text the page shows is in ``sim.app.texts``, in the
session's language (a switch at the top: English, Swedish, Norwegian bokmål; the first
one is ``orgsim app --lang``'s): the components read it with ``use_texts``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import threading
from pathlib import Path
from typing import Callable

import solara

from sim.app import texts
from sim.app.classroom import (
    CUSTOM, DEFAULT_CUSTOMERS, DEFAULT_SEED, DISRUPTIONS, MAX_CUSTOMERS, SLIDERS,
    changes_from, classroom_class, default_comparison, describe_choice, notice_in, scenario_levers,
    scenario_toml, slider_control, slider_value_text, things_to_try,
)
from sim.app.drawing import DRAWINGS, FRAMES, render
from sim.app.figures import (
    CHARTS, COMPARE_CHARTS, SIDE_COLOURS, accounts_figure, customer_figure, layout,
    org_figure, org_layout,
)
from sim.app.lessons import lesson as find_lesson, lessons
from sim.app.player import Player
from sim.app.serve import ERROR_LINE, log
from sim.app.trust import MAX_STEPS_PER_SECOND, PageInputError, offered, scenario_file
from sim.app.views import (
    describe, events_text, highlights, lock_of, org_text, settings_text, snapshot, status_text,
)
from sim.files.extensions import load_model_class
from sim.i18n import LANGUAGES, NAMES, SOURCE, LanguageError, check_language

LESSON_ENV = "ORGSIM_APP_LESSON"  # the lesson `orgsim app --lesson NAME` opens with
LANG_ENV = "ORGSIM_APP_LANG"  # the language a session starts in (`orgsim app --lang CODE`)
# The session's language, from the switch at the top of the page down to every component
LANGUAGE = solara.create_context(SOURCE)
TITLE = texts.TITLE  # in English; the page shows it in the session's language
# the model class: sim's own, or the one the teacher named with `orgsim app --model`
# (set by the command line on the server, never from the browser)
PageModel = type("PageModel", (classroom_class(load_model_class(os.environ.get("ORGSIM_MODEL", ""))),),
                 {"metered": True, "__module__": __name__})  # steps within a tab's budget
ONE, SIDE = texts.ONE, texts.SIDE
SPEEDS = (1, 2, 5, 10, 20)  # weeks per second; the fastest is the tab budget's cap
assert SPEEDS[-1] <= MAX_STEPS_PER_SECOND
DEFAULT_SPEED = 10

CSS = """
.orgsim-page { font-size: 18px; }
.orgsim-page .v-btn { font-size: 18px; }
.orgsim-readout { text-align: center; padding: 4px 6px; border-radius: 6px;
                  background: #f4f6f8; min-width: 7em; flex: 1 1 7em; margin: 3px; }
.orgsim-readout .value { font-size: 2.2em; font-weight: 700; line-height: 1.1; }
.orgsim-readout .name { font-size: 1em; font-weight: 600; }
.orgsim-readout .hint { font-size: 0.7em; color: #444; line-height: 1.2; }
.orgsim-week { font-size: 2em; font-weight: 700; margin: 0 0.4em; }
.orgsim-pending { color: #8a4b00; font-weight: 600; }
.orgsim-problem { color: #b00020; font-weight: 700; }
.orgsim-lesson blockquote { border-left: 4px solid #0072B2; margin: 0.4em 0; padding-left: 0.6em; }
.orgsim-slider-label { font-size: 0.95em; margin-top: 4px; }
@media (max-width: 600px) {
  .orgsim-page { font-size: 15px; }
  .orgsim-readout { min-width: 6.5em; flex-basis: 6.5em; }
  .orgsim-readout .value { font-size: 1.6em; }
  .orgsim-readout .hint { display: none; }
}
"""


def _inline(text: str) -> str:
    """Escape, then the three marks the texts use: **bold**, *italic*, `code`."""
    text = html.escape(" ".join(text.split()))
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


def use_texts():
    """The page's texts in this session's language (``sim.app.texts.of``)."""
    return texts.of(solara.use_context(LANGUAGE))


def initial_language() -> str:
    """The language a session starts in (``orgsim app --lang``, checked there)."""
    try:
        return check_language(os.environ.get(LANG_ENV, SOURCE))
    except LanguageError:
        return SOURCE


def about_html(t=texts.EN) -> str:
    """The About panel: NetLogo's Info tab sections, then one line per scenario."""
    parts = [f"<h4>{html.escape(head)}</h4><p>{_inline(body)}</p>"
             for head, body in t.ABOUT_SECTIONS]
    tries = "".join(f"<li><b>{html.escape(name)}</b>: {_inline(texts.scenario_words(t, text))}</li>"
                    for name, text in things_to_try())
    return (f"<div class='orgsim-about' lang='{t.code}' style='max-width: 75em'>{''.join(parts)}"
            f"<h4>{html.escape(t.ABOUT_SCENARIOS)}</h4><ul>{tries}</ul></div>")


def lesson_html(name: str, t=texts.EN) -> str:
    """A lesson's texts in language ``t``; the essay passages in their own (``lang``)."""
    le = find_lesson(name)
    words = texts.lesson_texts(le, t)

    def items(xs):
        return "".join(f"<li>{_inline(x)}</li>" for x in xs)

    quotes = "".join(f"<blockquote lang='{html.escape(p.lang)}'>{html.escape(p.text)}"
                     f"<br><small>{html.escape(p.essay)}</small></blockquote>"
                     for p in le.passages)
    return (f"<div class='orgsim-lesson-text' lang='{t.code}'><h3>{html.escape(words['title'])}</h3>"
            f"<p><b>{html.escape(t.LESSON_SHOW_FIRST)}:</b> {_inline(words['show_first'])}</p>"
            f"<h4>{html.escape(t.LESSON_NOTICE)}</h4><ul>{items(words['notice'])}</ul>"
            f"<h4>{html.escape(t.LESSON_TRY)}</h4><ul>{items(words['try'])}</ul>"
            f"<h4>{html.escape(t.LESSON_QUESTIONS)}</h4><ol>{items(words['questions'])}</ol>"
            f"<h4>{html.escape(t.LESSON_PASSAGES)}</h4>{quotes}</div>")


def initial_lesson() -> str | None:
    """The lesson the page opens with (``orgsim app --lesson``, checked there)."""
    name = os.environ.get(LESSON_ENV, "")
    return name if name in lessons() else None


def make_model(choice: str, values: dict, n_customers: int, seed: int):
    """The page's model: the chosen scenario with the sliders that differ from it."""
    changes = changes_from(choice, values)
    return PageModel(scenario=choice, n_customers=n_customers, seed=seed,
                     **{k: changes.get(k) for k in SLIDERS})


class Shown:
    """Which redraw the Dashboard has drawn last, and an event set when it draws one."""

    def __init__(self):
        self.count = 0  # the redraw counter's value last drawn
        self.drawn = threading.Event()


def guarded(problem, what: str, action: Callable, t=texts.EN) -> Callable:
    """``action`` for a control: an error in it is logged in the teacher's terminal and
    shown in the page as one line (in language ``t``); the page goes on."""
    def run(*args):
        try:
            problem.set(None)
            action(*args)
        except PageInputError as err:  # a value the page does not accept: its own line
            log.warning("refused from the browser: %s", err)
            problem.set(str(err))
        except Exception:
            log.exception("error in %s", what)
            problem.set(t.ERROR_IN_ACTION.format(what=what))
    return run


@solara.component_vue(str(Path(__file__).with_name("click_image.vue")))
def ClickImage(src: str, alt: str = "", css_class: str = "",
               event_pick: Callable[[dict], None] | None = None):
    """A picture that reports where it was clicked (fractions of its size)."""


@solara.component
def Picture(make, key, name: str = "chart"):
    """A chart as a PNG, redrawn only when ``key`` changes (its frame only when the
    frame changes). ``key`` names everything the chart shows: every session showing
    the same gets the same drawing, drawn once (``DRAWINGS``)."""
    png, title = solara.use_memo(
        lambda: DRAWINGS.get(("chart", name, *key), lambda: _png_and_title(make())), key)
    with solara.v.Html(tag="div", attributes={"title": title}):  # the title on hovering
        solara.Image(png, width="100%", classes=[f"orgsim-{name}"])


def _png_and_title(pic) -> tuple[bytes, str]:
    """A picture as PNG, and its title as the picture says it (in its language)."""
    fig = pic.fig
    title = fig.get_suptitle() or " / ".join(ax.get_title() for ax in fig.axes if ax.get_title())
    return render(pic, FRAMES).png, title


@solara.component
def NetworkPicture(make, key, on_pick, name: str):
    """A network drawing; a click on it selects the node under the pointer. ``key``
    names everything it shows (shared by the sessions, as for ``Picture``)."""
    drawn = solara.use_memo(
        lambda: DRAWINGS.get(("network", name, *key), lambda: render(make(), FRAMES)), key)
    src = "data:image/png;base64," + base64.b64encode(drawn.png).decode("ascii")

    def pick(where):
        try:  # from the browser: two fractions, or nothing happens
            x, y = float(where["x"]), float(where["y"])
        except (TypeError, KeyError, ValueError):
            return
        if 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0:
            on_pick(drawn.pick(x, y))

    ClickImage(src=src, alt=name, css_class=f"orgsim-{name}", event_pick=pick)


@solara.component_vue(str(Path(__file__).with_name("keys.vue")))
def Keys(event_key: Callable[[str], None] | None = None):
    """Keyboard controls: space plays or pauses, → steps."""


@solara.component
def Disruptions(model, fire):
    """One button per disruption: fire it now with its default parameters."""
    t = use_texts()
    with solara.Card(t.DISRUPT_CARD):
        with solara.Row(style={"flex-wrap": "wrap"}):
            for kind in DISRUPTIONS:
                solara.Button(t.DISRUPTIONS[kind], on_click=lambda kind=kind: fire(kind), color="error",
                              outlined=True, classes=[f"disrupt-{kind}"])


@solara.component
def Readouts(model, redraw):
    """NetLogo's monitors: the figures a teacher points at, big (redrawn with the page)."""
    t = use_texts()
    redraw.value  # noqa: B018 (subscribe)
    with lock_of(model):
        row = model.timeseries().iloc[-1]
    shown = texts.readouts(row, t)  # as the session's language writes numbers
    cells = "".join(
        f"<div class='orgsim-readout orgsim-readout-{key}'><div class='name'>"
        f"{html.escape(t.READOUTS[key])}</div><div class='value'>{html.escape(value)}</div>"
        f"<div class='hint'>{html.escape(t.READOUT_HINTS[key])}</div></div>"
        for key, value in shown.items())
    solara.HTML(tag="div", unsafe_innerHTML=cells, classes=["orgsim-readouts"],
                style={"display": "flex", "flex-wrap": "wrap"})


@solara.component
def PlayLoop(current, playing, speed, redraw, shown, paused_at, problem):
    """Plays the ``current`` model while ``playing`` (sim.app.player): steps at ``speed``
    weeks a second, a picture at most every quarter second, and says where it stopped."""
    t = use_texts()
    model = current.value

    def play(stop: threading.Event):
        if not playing.value:
            return
        twin = lambda: 1 if model.twin is None else 2  # noqa: E731

        def rate():
            cap = model.step_budget.rate(twin()) if model.step_budget else MAX_STEPS_PER_SECOND
            return min(float(speed.value), cap)

        def step():
            model.step()
            return bool(model.running)

        def draw():
            # one picture at a time: ask for the next only once the last is drawn (the
            # Dashboard says so when its render is done), whichever thread draws it.
            # Asking while another thread renders leaves that render to it: asked
            # again before its render is done, it would render on and on (reacton
            # renders in a loop while another thread changes state), and a click's
            # thread caught so would not read the next click until the play stopped
            target = redraw.value + 1
            shown.drawn.clear()
            redraw.set(target)
            while shown.count < target and not stop.is_set():
                shown.drawn.wait(0.5)

        player = Player(step=step, draw=draw, rate=rate)
        ended = True  # by itself (the model stopped, or an error), not by ❚❚
        try:
            player.run(stop)
            ended = not model.running
        except Exception:
            log.exception("error while playing")
            problem.set(t.ERROR_IN_ACTION.format(what=t.PLAY))
        finally:
            if current.value is model:  # not replaced by a Reset meanwhile
                # Only a loop that ended by itself turns ▶ off: after ❚❚, a ▶ pressed again
                # before this thread is done (its last picture, "Paused at") is a new play
                # that this one must not cancel
                if ended and playing.value:
                    playing.set(False)
                paused_at.set(int(model.steps))
                redraw.set(redraw.value + 1)

    solara.use_thread(play, dependencies=[playing.value, id(model)], intrusive_cancel=False)


@solara.component
def Controls(model, playing, speed, paused_at, redraw, actions):
    """Reset, ▶/❚❚, Step, the week and the speed."""
    t = use_texts()
    redraw.value  # noqa: B018 (subscribe: the week changes with every picture)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"},
                    classes=["orgsim-controls"]):
        solara.Button(t.RESET, color="primary", on_click=actions["reset"])
        solara.Button(t.PAUSE if playing.value else t.PLAY, color="primary",
                      on_click=actions["play"], disabled=not model.running,
                      classes=["orgsim-play"])
        solara.Button(t.STEP, color="primary", on_click=actions["step"],
                      disabled=playing.value or not model.running)
        solara.Text(t.WEEK.format(week=int(model.steps)), classes=["orgsim-week"])
        if playing.value:
            solara.Text(t.PLAYING, classes=["orgsim-state"])
        elif paused_at.value is not None:
            solara.Text(t.PAUSED_AT.format(week=paused_at.value), classes=["orgsim-state"])
        with solara.Column(style={"min-width": "14em", "flex": "1 1 14em"}):
            solara.Text(t.SPEED.format(value=t.lang.num(speed.value)), classes=["orgsim-speed"])
            with solara.Div(classes=["orgsim-speed-slider"]):
                solara.SliderInt("", value=SPEEDS.index(speed.value) if speed.value in SPEEDS else 3,
                                 min=0, max=len(SPEEDS) - 1, step=1, thumb_label=False,
                                 on_value=actions["speed"])
    solara.Text(t.KEYS_HINT, style={"font-style": "italic", "font-size": "0.85em"})


@solara.component
def Settings(model, choice, values, size, seed, actions):
    """The scenario, the sliders (value and unit shown), size and seed; what runs."""
    t = use_texts()
    running = describe_choice(model.page_choice, model.changes, t)
    wanted = describe_choice(choice.value, changes_from(choice.value, values.value), t)
    pending = (wanted != running or size.value != int(model.params["n_customers"])
               or seed.value != int(model.seed_used))
    with solara.Card(t.ORGANISATION_CARD, classes=["orgsim-settings-card"]):
        solara.Select(t.SCENARIO, values=list(offered()), value=choice.value,
                      on_value=actions["scenario"], classes=["orgsim-scenario"])
        solara.Text(t.RUNNING.format(what=running), classes=["orgsim-running"],
                    style={"display": "block", "font-weight": "bold"})
        if pending:
            solara.Text(t.PENDING.format(what=wanted), classes=["orgsim-pending"],
                        style={"display": "block"})
        for name in SLIDERS:
            spec = slider_control(name)
            value = values.value[name]
            with solara.Div(classes=["orgsim-slider", f"orgsim-slider-{name}"]):
                solara.Text(t.SLIDER_VALUE.format(label=texts.parameter(t, spec["label"]),
                                                  value=slider_value_text(name, value, t)),
                            classes=["orgsim-slider-label"], style={"display": "block"})
                make = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
                make("", value=value, min=spec["min"], max=spec["max"], step=spec["step"],
                     on_value=lambda v, name=name: actions["slider"](name, v))
        with solara.Div(classes=["orgsim-slider", "orgsim-slider-n_customers"]):
            solara.Text(t.SLIDER_VALUE.format(label=t.CUSTOMERS, value=size.value),
                        classes=["orgsim-slider-label"], style={"display": "block"})
            solara.SliderInt("", value=size.value, min=50, max=MAX_CUSTOMERS, step=50,
                             on_value=actions["size"])
        with solara.Div(classes=["orgsim-slider", "orgsim-slider-seed"]):
            solara.Text(t.SLIDER_VALUE.format(label=t.SEED, value=seed.value),
                        classes=["orgsim-slider-label"], style={"display": "block"})
            solara.SliderInt("", value=seed.value, min=0, max=1000, step=1,
                             on_value=actions["seed"])


@solara.component
def Inspector(m, side: int, selected, lock):
    """The state of the clicked customer or employee."""
    t = use_texts()
    _, chosen_side, kind, index = selected.value
    if chosen_side != side:
        return
    with solara.Card(classes=["orgsim-inspector"], style={"background": "#fdf3fd"}):
        for line in describe(m, kind, index, lock=lock, t=t):
            solara.Text(line, style={"display": "block"})
        solara.Button(t.CLEAR, text=True, on_click=lambda: selected.set(None))


@solara.component
def Networks(m, snap, side: int, selected, lock, show_owners: bool = False,
             in_columns: bool = True):
    """The organisation and the customer patch of one model, clickable (side by side
    with ``in_columns``, else one above the other); with ``show_owners``, one drawing
    with the account-owner links instead."""
    t = use_texts()
    org_pos, org_at = solara.use_memo(lambda: _placed(org_layout(snap)), [id(m), len(snap.dept)])
    cust_pos, cust_at = solara.use_memo(
        lambda: _placed(layout([int(i) for i in snap.sample], snap.sample_edges)),
        [id(m), len(snap.sample)])
    current = selected.value
    mine = current is not None and current[0] == id(m) and current[1] == side
    ring_emp, ring_cust = highlights(snap, (current[2], current[3]) if mine else None)
    step_key = [snap.digest, cust_at, t.code]  # what the customer pictures show

    def on_pick(hit):
        selected.set((id(m), side, *hit) if hit else None)

    def both():
        NetworkPicture(lambda: org_figure(snap, org_pos, ring_emp, t),
                       [snap.org_key, org_at, ring_emp, t.code], on_pick, "organisation")
        NetworkPicture(lambda: customer_figure(snap, cust_pos, ring_cust, t),
                       step_key + [ring_cust], on_pick, "customers")

    solara.Text(org_text(snap, t), classes=[f"orgsim-org-{side}"], style={"display": "block"})
    if show_owners:
        NetworkPicture(lambda: accounts_figure(snap, org_pos, cust_pos, ring_emp, ring_cust, t),
                       step_key + [org_at, ring_emp, ring_cust], on_pick, "accounts")
    elif in_columns:
        with solara.ColumnsResponsive(default=12, medium=6, large=6, xlarge=6):
            both()
    else:
        both()
    if mine:
        Inspector(m, side, selected, lock)


def _placed(pos: dict) -> tuple[dict, str]:
    """A layout and a digest of it (for the pictures' keys: two sessions with the same
    positions draw the same pictures)."""
    flat = repr(sorted((int(k), float(x), float(y)) for k, (x, y) in pos.items()))
    return pos, hashlib.blake2b(flat.encode(), digest_size=16).hexdigest()


def _grid(figures: list[tuple[str, Callable]], key) -> None:
    """Named pictures two to a row (one on a phone)."""
    with solara.ColumnsResponsive(default=12, medium=6, large=6, xlarge=6):
        for name, make in figures:
            Picture(make, key, name)


@solara.component
def OneView(model, snap, selected):
    t = use_texts()
    show_owners = solara.use_reactive(False)
    solara.Checkbox(label=t.SHOW_OWNERS, value=show_owners)
    Networks(model, snap, 0, selected, model.lock, show_owners.value)
    _grid([(chart.__name__, lambda chart=chart: chart(snap, t)) for chart in CHARTS],
          [snap.digest, t.code])


@solara.component
def SideView(model, snap, other, selected, problem):
    t = use_texts()
    names = list(offered())

    def pick(name):
        scenario_file(name)  # from the browser: an offered name, or one line
        other.set(name)

    solara.Select(t.COMPARE_WITH, values=names, value=other.value,
                  on_value=guarded(problem, t.COMPARE_WITH, pick, t))
    twin = model.twin
    if twin is None:  # compare_with has not run yet in this render
        return
    snaps = [snap, snapshot(twin, lock=model.lock)]
    labels = [t.LEFT.format(name=describe_choice(model.page_choice, model.changes, t)),
              t.RIGHT.format(name=model.twin_name)]
    with solara.ColumnsResponsive(default=12, medium=6, large=6, xlarge=6):
        for side, (m, s, label) in enumerate(zip([model, twin], snaps, labels)):
            with solara.Column():
                solara.Text(label, classes=[f"orgsim-side-{side}"],
                            style={"font-weight": "bold", "font-size": "1.1em",
                                   "color": SIDE_COLOURS[side]})
                solara.Text(status_text(s, t), classes=[f"orgsim-side-status-{side}"])
                Networks(m, s, side, selected, model.lock, in_columns=False)
    names = [describe_choice(model.page_choice, model.changes, t), model.twin_name]
    _grid([(chart.__name__, lambda chart=chart: chart(snaps, names, t)) for chart in COMPARE_CHARTS],
          [snaps[0].digest, snaps[1].digest, *names, t.code])


@solara.component
def Dashboard(model, redraw, shown, view, other, selected, fire, problem):
    """The pictures and texts of the model, redrawn when ``redraw`` changes."""
    t = use_texts()
    drawing = redraw.value  # subscribe: a step, a click or the play loop bumps it
    if selected.value is not None and selected.value[0] not in (id(model), id(model.twin)):
        selected.set(None)  # a Reset made new models
    model.compare_with(other.value if view.value == SIDE else None)
    snap = snapshot(model)
    solara.Text(status_text(snap, t), classes=["orgsim-status"],
                style={"font-weight": "bold", "display": "block"})
    solara.Text(settings_text(snap, t), classes=["orgsim-settings"], style={"display": "block"})
    # always there, empty when there is nothing to say: a line that came and went would
    # shift the elements after it, and reacton would make the disruption buttons anew
    # (a click on the old ones, in flight meanwhile, was lost)
    solara.Text(notice_in(model, t) if model.notice else "", classes=["orgsim-notice"],
                style={"color": "#b00020", "display": "block" if model.notice else "none"})
    Disruptions(model, fire)
    solara.Text(events_text(snap, t), classes=["orgsim-events"],
                style={"color": "#b00020", "font-weight": "bold", "display": "block"})
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        # the view is kept as its English name; the buttons say it in the session's language
        solara.ToggleButtonsSingle(value=t.SIDE if view.value == SIDE else t.ONE,
                                   values=[t.ONE, t.SIDE],
                                   on_value=lambda v: view.set(SIDE if v == t.SIDE else ONE))
        solara.FileDownload(lambda: scenario_toml(model), filename="classroom_scenario.toml",
                            label=t.SAVE)
    solara.Text(t.CLICK_HINT, style={"font-style": "italic"})
    if view.value == ONE:
        OneView(model, snap, selected)
    else:
        SideView(model, snap, other, selected, problem)

    def drawn():
        shown.count = max(shown.count, drawing)
        shown.drawn.set()

    # after the render is done, not while it runs: the play loop asks for its next
    # picture only then (see PlayLoop)
    solara.use_effect(drawn, [drawing])


@solara.component
def Classroom(language):
    """The page of one session; ``language``: its language code (a reactive the switch
    at the top sets)."""
    t = use_texts()
    start = solara.use_memo(initial_lesson, [])
    first = find_lesson(start) if start else None
    lesson = solara.use_reactive(start)
    choice = solara.use_reactive(first.scenario if first else "baseline")
    values = solara.use_reactive(solara.use_memo(lambda: scenario_levers(choice.value), []))
    size = solara.use_reactive(DEFAULT_CUSTOMERS)
    seed = solara.use_reactive(DEFAULT_SEED)
    model = solara.use_reactive(solara.use_memo(
        lambda: make_model(choice.value, values.value, size.value, seed.value), []))
    redraw = solara.use_reactive(0)
    shown = solara.use_memo(Shown, [])  # the last redraw the Dashboard has drawn
    playing = solara.use_reactive(False)
    paused_at = solara.use_reactive(None)
    speed = solara.use_reactive(DEFAULT_SPEED)
    view = solara.use_reactive(SIDE if first and first.compare_with else ONE)
    other = solara.use_reactive(
        first.compare_with if first and first.compare_with else default_comparison(model.value))
    selected = solara.use_reactive(None)  # (model id, side, "customer"/"employee", index)
    problem = solara.use_reactive(None)  # one line about a control that failed

    def bump():
        redraw.set(redraw.value + 1)

    def reset():
        playing.set(False)
        paused_at.set(None)
        selected.set(None)  # it belonged to the old model
        model.set(make_model(choice.value, values.value, size.value, seed.value))
        bump()

    def play():
        playing.set(not playing.value)

    def step():
        if not playing.value and model.value.running:
            model.value.step()
            bump()

    def pick_scenario(name):
        scenario_file(name)  # from the browser: an offered name, or one line; never a path
        choice.set(name)
        values.set(scenario_levers(name))
        reset()

    def move_slider(name, value):
        spec = slider_control(name)
        if not (isinstance(value, (int, float)) and spec["min"] <= value <= spec["max"]):
            raise PageInputError(f"{spec['label']} = {str(value)[:30]} is not allowed")
        values.set({**values.value, name: value})

    def pick_lesson(title):
        names = {t.lang._(le.title): name for name, le in lessons().items()}
        if title == t.NO_LESSON:
            lesson.set(None)
            return
        if title not in names:
            raise PageInputError(f"lesson {str(title)[:40]!r} is not one this page has")
        le = find_lesson(names[title])
        lesson.set(le.name)
        if le.compare_with:
            other.set(le.compare_with)
            view.set(SIDE)
        else:
            view.set(ONE)
        pick_scenario(le.scenario)

    def fire(kind):
        model.value.trigger(kind)
        if not playing.value:  # while playing, the play loop's next picture shows it
            bump()

    def on_key(key):
        if key == "space" and model.value.running:
            play()
        elif key == "right":
            step()

    def set_speed(index):
        speed.set(SPEEDS[int(index)])

    def set_size(v):
        size.set(int(v))

    def set_seed(v):
        seed.set(int(v))

    def set_language(name):
        codes = {NAMES[code]: code for code in LANGUAGES}
        if name not in codes:  # from the browser: one of the languages' names, or one line
            raise PageInputError(f"language {str(name)[:30]!r} is not allowed; allowed: "
                                 f"{', '.join(codes)}")
        language.set(codes[name])

    actions = {k: guarded(problem, what, f, t) for k, what, f in [
        ("reset", t.RESET, reset), ("play", t.PLAY, play), ("step", t.STEP, step),
        ("scenario", t.SCENARIO, pick_scenario), ("slider", t.SCENARIO, move_slider),
        ("speed", t.SPEED.format(value="?"), set_speed), ("size", t.CUSTOMERS, set_size),
        ("seed", t.SEED, set_seed)]}

    solara.Style(CSS)
    solara.Title(t.TITLE)
    Keys(event_key=guarded(problem, "keys", on_key, t))
    PlayLoop(model, playing, speed, redraw, shown, paused_at, problem)
    with solara.Column(classes=["orgsim-page"], style={"padding": "8px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text(t.TITLE, style={"font-size": "1.3em", "font-weight": "bold"})
            titles = [t.NO_LESSON] + [t.lang._(le.title) for le in lessons().values()]
            current = t.lang._(find_lesson(lesson.value).title) if lesson.value else t.NO_LESSON
            solara.Select(t.LESSON_PICKER, values=titles, value=current,
                          on_value=guarded(problem, t.LESSON_PICKER, pick_lesson, t),
                          classes=["orgsim-lesson-picker"], style={"min-width": "20em"})
            # each language by its own name, so anyone finds theirs (this session only)
            solara.Select(t.LANGUAGE, values=[NAMES[c] for c in LANGUAGES], value=NAMES[t.code],
                          on_value=guarded(problem, t.LANGUAGE, set_language, t),
                          classes=["orgsim-language"], style={"max-width": "12em"})
        Controls(model.value, playing, speed, paused_at, redraw, actions)
        Readouts(model.value, redraw)
        # always there (see the notice in Dashboard): the page below it is not made anew
        solara.Text(problem.value or "", classes=["orgsim-problem"],
                    style={"display": "block" if problem.value else "none"})
        with solara.ColumnsResponsive(default=12, medium=[4, 8], large=[4, 8], xlarge=[3, 9]):
            with solara.Column():
                Settings(model.value, choice, values, size, seed, actions)
            with solara.Column():
                if lesson.value:
                    with solara.Card(classes=["orgsim-lesson"]):
                        solara.HTML(tag="div", unsafe_innerHTML=lesson_html(lesson.value, t))
                Dashboard(model.value, redraw, shown, view, other, selected,
                          guarded(problem, "disruption", fire, t), problem)
                with solara.Details(t.ABOUT, expand=False):
                    solara.HTML(tag="div", unsafe_innerHTML=about_html(t))


@solara.component
def Page():
    # the session's language: orgsim app --lang's at first, then the switch's
    language = solara.use_reactive(solara.use_memo(initial_language, []))
    LANGUAGE.provide(language.value)
    # an error in the page is logged in the teacher's terminal; the browser gets one line
    error, clear = solara.use_exception()
    if error is not None:
        log.error("error on the page", exc_info=error)
        solara.Error(ERROR_LINE, classes=["orgsim-error"])
        solara.Button(texts.of(language.value).TRY_AGAIN, on_click=clear)
    else:
        Classroom(language)
