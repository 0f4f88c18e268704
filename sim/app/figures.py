"""The page's pictures: layouts, the organisation and customer networks (clickable),
the live charts and the side-by-side charts. Each returns a ``Pic`` for
``sim.app.drawing.render``: the figure, its nodes, its data artists and its frame key.
The pictures that change every week (the customer patch, the charts) are drawn on a
template of their frame (``sim.app.drawing.TEMPLATES``): the frame is built once per
key, each week adds only its data.

Layouts use their own random generators, never the model's.
"""

from __future__ import annotations

from functools import lru_cache

import networkx as nx
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..model.customers import ACTIVE, CHURNED, OUT, PROSPECT
from ..model.organisation import DEPARTMENTS
from ..experiments.figures import locale_ticks
from .drawing import TEMPLATES, Pic, horizon, nice_ceiling
from .texts import EN, cause, department
from .views import Snapshot, org_text

# Okabe & Ito's colour-blind-safe palette (Wong 2011, Nature Methods 8:441); where a
# colour carries meaning a shape, a line style or a hatch carries it too.
OKABE_ITO = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "purple": "#CC79A7",
             "sky": "#56B4E9", "yellow": "#F0E442", "vermillion": "#D55E00", "black": "#000000"}
DEPT_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442")
DEPT_MARKERS = ("o", "s", "^", "D", "v", "P")
# a churn cause keeps its colour and hatch; no vermillion (the event marker's colour)
CAUSE_COLOURS = ("#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
                 "#999999", "#E69F00")
CAUSE_HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")
EVENT_COLOUR = OKABE_ITO["vermillion"]
SATISFACTION_CMAP = "viridis"  # dark purple (low) to yellow (high): readable in grey too
RING = "#e000e0"  # the selected agent, and its owner or accounts
SIDE_COLOURS = ("#E69F00", "#0072B2")  # left and right organisation of the side view
SIDE_STYLES = ("-", "--")
# text sizes for a projector at 1280x720 (points at the figures' 80 dpi)
TITLE_PT, LABEL_PT, TICK_PT, LEGEND_PT = 14, 13, 12, 11


# --- layouts (pure functions of the graph: cached, and shared by all sessions) ------
def layout(nodes: list[int], edges: list[tuple[int, int]], seed: int = 1) -> dict:
    """Spring layout of a customer patch."""
    return dict(_spring(tuple(nodes), tuple(edges), seed))


@lru_cache(maxsize=64)
def _spring(nodes: tuple, edges: tuple, seed: int) -> tuple:
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return tuple(nx.spring_layout(g, seed=seed, iterations=60).items())


def org_layout(snap: Snapshot) -> dict:
    """Departments as clusters: spring layout with within-department ties only,
    started from one point per department on a circle."""
    within = tuple((u, v) for u, v, k in snap.org_edges if k == "within")
    return dict(_org_spring(tuple(int(d) for d in snap.dept), within))


@lru_cache(maxsize=64)
def _org_spring(dept: tuple, within: tuple) -> tuple:
    n, n_dept = len(dept), len(DEPARTMENTS)
    angle = 2 * np.pi * (np.array(dept) % n_dept) / n_dept
    gen = np.random.default_rng(7)
    start = {i: (np.cos(angle[i]) + 0.1 * gen.normal(), np.sin(angle[i]) + 0.1 * gen.normal())
             for i in range(n)}
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(within)
    return tuple(nx.spring_layout(g, pos=start, seed=7, iterations=30, k=0.35).items())


# --- networks ----------------------------------------------------------------------
def _figure(w: float = 6.0, h: float = 4.0, right: float = 0.97) -> Figure:
    # fixed margins: a layout engine would double the drawing time of every chart
    fig = Figure(figsize=(w, h), dpi=80)
    fig.subplots_adjust(left=0.14, right=right, bottom=0.15, top=0.9)
    return fig


def _network_axes(fig: Figure, xy: np.ndarray, legend_room: float = 0.0):
    ax = fig.add_axes((0.01, 0.01, 0.98 - legend_room, 0.9))
    ax.set_axis_off()
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = 0.05 * np.maximum(hi - lo, 1e-6)
    ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])  # explicit: the frame can be reused
    ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
    return ax


ORG_EDGE_STYLES = {"within": ("#cccccc", 0.6, 0.6, "solid"),
                   "cross": ("#D55E00", 1.2, 0.8, "dashed"),
                   "bridge": ("#000000", 2.2, 0.6, "solid")}


def _draw_org(ax, snap: Snapshot, xy: np.ndarray, ring: frozenset[int],
              marker: str | None = None, size: float = 70) -> list:
    for kind, (col, lw, alpha, style) in ORG_EDGE_STYLES.items():
        segs = [(xy[u], xy[v]) for u, v, k in snap.org_edges if k == kind]
        if segs:
            ax.add_collection(LineCollection(segs, colors=col, linewidths=lw, alpha=alpha,
                                             linestyles=style, zorder=1))
    for d in np.unique(snap.dept):  # a department: a colour and a shape
        rows = snap.dept == d
        ax.scatter(xy[rows, 0], xy[rows, 1], c=DEPT_COLOURS[d % len(DEPT_COLOURS)], s=size,
                   zorder=2, marker=marker or DEPT_MARKERS[d % len(DEPT_MARKERS)],
                   edgecolors=np.where(snap.key_person[rows], "black", "#555555"),
                   linewidths=np.where(snap.key_person[rows], 2.2, 0.5))
    return _ring(ax, xy, sorted(ring), size)


def _ring(ax, xy: np.ndarray, rows: list[int], size: float) -> list:
    if not rows:
        return []
    return [ax.scatter(xy[rows, 0], xy[rows, 1], s=size * 4, facecolors="none",
                       edgecolors=RING, linewidths=2.5, zorder=5)]


def _department_legend(ax, t=EN) -> None:
    for d, name in enumerate(DEPARTMENTS):
        ax.scatter([], [], c=DEPT_COLOURS[d % len(DEPT_COLOURS)], s=50,
                   label=department(t, name), marker=DEPT_MARKERS[d % len(DEPT_MARKERS)],
                   edgecolors="#555555", linewidths=0.5)
    ax.scatter([], [], c="white", s=50, edgecolors="black", linewidths=2.2, label=t.KEY_PERSON)
    ax.plot([], [], color="#D55E00", lw=1.2, ls="--", label=t.CROSS_TIE)
    ax.plot([], [], color="#000000", lw=2.2, label=t.BRIDGE)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=LEGEND_PT, frameon=False)


def _xy(pos: dict, keys) -> np.ndarray:
    return np.array([pos[int(k)] for k in keys], dtype=float)


def org_figure(snap: Snapshot, pos: dict, ring: frozenset[int] = frozenset(), t=EN) -> Pic:
    """Employees coloured by department; ties inside departments faint, across
    departments orange, bridges (boundary spanners) thick blue; key persons ringed
    black, the selection magenta (the only data: the rest is the frame)."""
    fig = _figure(6.0, 4.6)
    xy = _xy(pos, range(len(snap.dept)))
    ax = _network_axes(fig, xy, legend_room=0.3)
    rings = _draw_org(ax, snap, xy, ring)
    _department_legend(ax, t)
    fig.suptitle(org_text(snap, t), fontsize=TITLE_PT)
    return Pic(fig, nodes=[(ax, "employee", np.arange(len(snap.dept)), xy)], data=rings,
               frame=("organisation", snap.org_key, xy.tobytes(), t.code))


def _customer_edges(ax, snap: Snapshot, xy: np.ndarray) -> None:
    # the sample is customers 0..k-1, so a customer's index is its row in xy
    segs = [(xy[u], xy[v]) for u, v in snap.sample_edges if u < len(xy) and v < len(xy)]
    ax.add_collection(LineCollection(segs, colors="#bbbbbb", linewidths=0.5, zorder=1))


def _customer_nodes(ax, snap: Snapshot, xy: np.ndarray, ring: frozenset[int],
                    size: float = 28) -> tuple[list, np.ndarray, np.ndarray]:
    """The week's nodes and rings (the data), and who is active and who gone."""
    st = snap.status
    act = st == ACTIVE
    sc = ax.scatter(xy[act, 0], xy[act, 1], c=snap.satisfaction[act], cmap=SATISFACTION_CMAP,
                    vmin=0.0, vmax=1.0, s=size, zorder=3, edgecolors="black", linewidths=0.3)
    gone = (st == CHURNED) | (st == OUT)
    g = ax.scatter(xy[gone, 0], xy[gone, 1], c="#8c8c8c", s=size * 0.9, zorder=2, marker="x")
    pro = st == PROSPECT
    p = ax.scatter(xy[pro, 0], xy[pro, 1], facecolors="none", edgecolors="#9a9a9a",
                   s=size * 0.5, zorder=2, linewidths=0.6)
    rings = _ring(ax, xy, [k for k, i in enumerate(snap.sample) if int(i) in ring], size)
    return [sc, g, p] + rings, act, gone


def _draw_customers(ax, snap: Snapshot, xy: np.ndarray, ring: frozenset[int],
                    size: float = 28) -> list:
    """Edges go in the frame; the returned artists (nodes, rings) are the data."""
    _customer_edges(ax, snap, xy)
    return _customer_nodes(ax, snap, xy, ring, size)[0]


def _satisfaction_scale(fig: Figure, t=EN) -> None:
    """The colour scale of satisfaction, beside the patch (an image: a matplotlib
    colorbar costs ten times as much to make)."""
    cax = fig.add_axes((0.89, 0.15, 0.025, 0.65))
    cax.imshow(np.linspace(1.0, 0.0, 128)[:, None], cmap=SATISFACTION_CMAP, vmin=0.0, vmax=1.0,
               aspect="auto", extent=(0, 1, 0, 1))
    cax.set_xticks([])
    cax.yaxis.tick_right()
    cax.set_yticks([0.0, 0.5, 1.0])
    cax.tick_params(labelsize=TICK_PT)
    cax.yaxis.set_label_position("right")
    cax.set_ylabel(t.SATISFACTION_SCALE, fontsize=LABEL_PT)
    locale_ticks(fig, t.lang)


def _customer_legend(ax, t=EN) -> None:
    ax.scatter([], [], c="#8c8c8c", s=26, marker="x", label=t.CHURNED)
    ax.scatter([], [], facecolors="none", edgecolors="#9a9a9a", s=14, linewidths=0.6,
               label=t.PROSPECT)
    ax.legend(loc="lower left", fontsize=LEGEND_PT, frameon=False)


def customer_figure(snap: Snapshot, pos: dict, ring: frozenset[int] = frozenset(),
                    t=EN) -> Pic:
    """A patch of the customer network: customers coloured by satisfaction (red low,
    green high), churned grey, prospects hollow, the selection ringed magenta. The
    ties, colour bar and legend are the frame; the nodes change every week."""
    xy = _xy(pos, snap.sample)
    frame = ("customers", xy.tobytes(), hash(tuple(snap.sample_edges)), t.code)

    def build():
        fig = _figure(6.0, 4.6)
        ax = _network_axes(fig, xy, legend_room=0.14)
        _customer_edges(ax, snap, xy)
        _satisfaction_scale(fig, t)
        _customer_legend(ax, t)
        return fig, (ax, fig.suptitle("", fontsize=TITLE_PT))

    def data(parts):
        ax, title = parts
        nodes, act, gone = _customer_nodes(ax, snap, xy, ring)
        title.set_text(t.CUSTOMERS_TITLE.format(n=len(snap.sample), active=int(act.sum()),
                                                churned=int(gone.sum())))
        return [title], nodes

    return TEMPLATES.pic(frame, build, data,
                         nodes=lambda parts: [(parts[0], "customer", snap.sample, xy)])


def _fit(xy: np.ndarray, x0: float, x1: float) -> np.ndarray:
    """Scale positions into the box x0..x1 by -1..1, keeping their aspect."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    scale = min((x1 - x0) / max(hi[0] - lo[0], 1e-9), 2.0 / max(hi[1] - lo[1], 1e-9))
    mid = (lo + hi) / 2
    return (xy - mid) * scale + np.array([(x0 + x1) / 2, 0.0])


def accounts_figure(snap: Snapshot, org_pos: dict, cust_pos: dict,
                    ring_emp: frozenset[int] = frozenset(),
                    ring_cust: frozenset[int] = frozenset(), t=EN) -> Pic:
    """Who looks after whom: the organisation (squares) beside the customer patch, a
    line from every active customer in the patch to its account owner, in the owner's
    department colour."""
    fig = _figure(12.0, 4.8)
    exy = _fit(_xy(org_pos, range(len(snap.dept))), -2.3, -0.3)
    cxy = _fit(_xy(cust_pos, snap.sample), 0.3, 2.6)
    ax = _network_axes(fig, np.vstack([exy, cxy]), legend_room=0.12)
    owned = np.flatnonzero((snap.status == ACTIVE) & (snap.owner >= 0)
                           & (snap.owner < len(snap.dept)))
    owners = snap.owner[owned]
    ax.add_collection(LineCollection(
        [(cxy[k], exy[o]) for k, o in zip(owned, owners)],
        colors=[DEPT_COLOURS[snap.dept[o] % len(DEPT_COLOURS)] for o in owners],
        linewidths=0.6, alpha=0.35,
        zorder=0))
    _draw_org(ax, snap, exy, ring_emp, marker="s", size=45)
    _draw_customers(ax, snap, cxy, ring_cust, size=22)
    _department_legend(ax, t)
    fig.suptitle(t.ACCOUNTS_TITLE.format(n=len(owned)), fontsize=TITLE_PT)
    return Pic(fig, nodes=[(ax, "employee", np.arange(len(snap.dept)), exy),
                           (ax, "customer", snap.sample, cxy)])


# --- charts (on templates: the frame is built once per key, each week adds its data) ---
def _mark_events(ax, snap: Snapshot, label: bool = False) -> list:
    """A dashed red line (and the event's name) at every week an event fired."""
    out = []
    for at, kind, _ in snap.events:
        out.append(ax.axvline(at, color=EVENT_COLOUR, ls="--", lw=2.0))
        if label:
            out.append(ax.annotate(kind, (at, 1.0), xycoords=("data", "axes fraction"),
                                   rotation=90, va="top", ha="right", fontsize=LEGEND_PT,
                                   color=EVENT_COLOUR))
    return out


def _finish(ax, snap: Snapshot, title: str, ylabel: str, t=EN) -> None:
    """The frame of a chart's axes: title, labels, ticks, the x-axis end, the grid."""
    ax.set_title(title, fontsize=TITLE_PT)
    ax.set_xlabel(t.WEEK_AXIS, fontsize=LABEL_PT)
    ax.set_ylabel(ylabel, fontsize=LABEL_PT)
    ax.tick_params(labelsize=TICK_PT)
    ax.set_xlim(0, horizon(snap.step))
    ax.grid(alpha=0.3)


def _two_axes_legend(ax, ax2) -> None:
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="lower left", fontsize=LEGEND_PT)
    ax2.tick_params(labelsize=TICK_PT)
    ax2.yaxis.label.set_size(LABEL_PT)


def _chart(name: str, snap: Snapshot, build, data, *frame, t=EN) -> Pic:
    """A chart's Pic in language ``t`` on a template: its frame is named by the chart, the
    x-axis end, ``frame`` and the language (tick numbers written as the language writes
    them). ``build()`` makes the frame (the figure and its parts), ``data(parts)`` the week's
    data (see ``sim.app.drawing.Templates.pic``)."""
    def framed():
        fig, parts = build()
        locale_ticks(fig, t.lang)
        return fig, parts

    return TEMPLATES.pic((name, horizon(snap.step), t.code) + frame, framed, data)


def _line(ax, x, y) -> None:
    ax.set_data(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def _twin_chart(name: str, snap: Snapshot, t, title: str, axis: str, left: tuple,
                right: tuple, *frame) -> Pic:
    """A chart of two lines over the weeks, on a left and a right axis. ``left`` and
    ``right`` are (column, scale, colour, line style, label, (y low, y high)); the right
    one also has its axis label last."""
    ts = snap.ts

    def build():
        fig = _figure(right=0.88)
        ax = fig.subplots()
        col, _, colour, ls, label, ylim = left
        one, = ax.plot([], [], color=OKABE_ITO[colour], lw=2, ls=ls, label=label)
        ax.set_ylim(*ylim)
        ax2 = ax.twinx()
        col, _, colour, ls, label, ylim, ylabel = right
        two, = ax2.plot([], [], color=OKABE_ITO[colour], lw=2, ls=ls, label=label)
        ax2.set_ylim(*ylim)
        ax2.set_ylabel(ylabel)
        _finish(ax, snap, title, axis, t=t)
        _two_axes_legend(ax, ax2)
        return fig, (ax, one, two)

    def data(parts):
        ax, one, two = parts
        for line, (col, scale, *_) in ((one, left), (two, right)):
            _line(line, ts["step"], ts[col] if scale == 1 else scale * ts[col])
        return [one, two], _mark_events(ax, snap, True)

    return _chart(name, snap, build, data, *frame, t=t)


def chart_active(snap: Snapshot, t=EN) -> Pic:
    top = nice_ceiling(1.1 * snap.ts["active_customers"].max())
    return _twin_chart("active", snap, t, t.ACTIVE_TITLE, t.ACTIVE_AXIS,
                       ("active_customers", 1, "blue", "-", t.ACTIVE_LINE, (0, top)),
                       ("retention", 100, "green", "--", t.RETENTION_LINE, (0, 105),
                        t.RETENTION_AXIS), top)


def _churn_shown(snap: Snapshot, t=EN) -> tuple[list, float, tuple]:
    """The churn causes a chart shows (those with any churn, else the first), the y-axis
    top, and their labels."""
    ts = snap.ts
    cols = [(c, f"churn_{c}") for c in snap.causes if f"churn_{c}" in ts]
    shown = [(c, col) for c, col in cols if ts[col].sum() > 0] or cols[:1]
    top = nice_ceiling(1.1 * sum(ts[col].sum() for _, col in shown))
    return shown, top, tuple(cause(t, c) for c, _ in shown)


def _stack_style(snap: Snapshot, shown: list) -> dict:
    index = [snap.causes.index(c) for c, _ in shown]  # a cause keeps its colour and hatch
    return dict(colors=[CAUSE_COLOURS[i % len(CAUSE_COLOURS)] for i in index],
                hatch=[CAUSE_HATCHES[i % len(CAUSE_HATCHES)] for i in index],
                edgecolor="white", alpha=0.85)


def _legend_from_stand_ins(ax, n: int, labels, style: dict, **legend) -> None:
    """A legend for a stack drawn later, week by week: made from stand-ins of the same
    style, which then go (the legend keeps its own copies of their look)."""
    stand_ins = ax.stackplot([0.0, 1.0], *[[0.0, 0.0]] * n, labels=list(labels), **style)
    ax.legend(**legend)
    for poly in stand_ins:
        poly.remove()


def _cumulative_churn(ax, snap: Snapshot, shown: list, style: dict) -> list:
    ts = snap.ts
    return list(ax.stackplot(ts["step"], *[ts[col].cumsum() for _, col in shown], **style))


def chart_churn(snap: Snapshot, t=EN) -> Pic:
    shown, top, labels = _churn_shown(snap, t)
    style = _stack_style(snap, shown)

    def build():
        fig = _figure()
        ax = fig.subplots()
        _legend_from_stand_ins(ax, len(shown), labels, style, loc="upper left",
                               fontsize=LEGEND_PT)
        ax.set_ylim(0, top)
        _finish(ax, snap, t.CHURN_TITLE, t.CHURN_AXIS, t=t)
        return fig, ax

    def data(ax):
        return [], _cumulative_churn(ax, snap, shown, style) + _mark_events(ax, snap, True)

    return _chart("churn", snap, build, data, top, labels, t=t)


def chart_satisfaction(snap: Snapshot, t=EN) -> Pic:
    return _twin_chart("satisfaction", snap, t, t.SATISFACTION_TITLE, t.SATISFACTION_AXIS,
                       ("mean_satisfaction", 1, "purple", "-", t.SATISFACTION_LINE_LABEL, (0, 1)),
                       ("nps", 1, "black", "-.", t.NPS_LINE, (-100, 100), t.NPS_AXIS))


def chart_failure(snap: Snapshot, t=EN) -> Pic:
    ts = snap.ts

    def build():
        fig = _figure()
        ax = fig.subplots()
        share, = ax.plot([], [], color=OKABE_ITO["black"], lw=2)
        ax.set_ylim(0, 100)
        _finish(ax, snap, t.FAILURE_TITLE, t.FAILURE_AXIS, t=t)
        return fig, (ax, share)

    def data(parts):
        ax, share = parts
        _line(share, ts["step"], 100 * ts["failure_demand_share"])
        return [share], _mark_events(ax, snap, True)

    return _chart("failure", snap, build, data, t=t)


def chart_acquisition(snap: Snapshot, t=EN) -> Pic:
    ts = snap.ts
    top = nice_ceiling(1.1 * (ts["acquired_marketing"] + ts["acquired_wom"]).max())
    style = dict(colors=[OKABE_ITO["sky"], OKABE_ITO["green"]], hatch=["", "//"],
                 edgecolor="white", alpha=0.85)

    def build():
        fig = _figure()
        ax = fig.subplots()
        _legend_from_stand_ins(ax, 2, t.SOURCES, style, loc="upper left", fontsize=LEGEND_PT)
        ax.set_ylim(0, top)
        _finish(ax, snap, t.ACQUISITION_TITLE, t.ACQUISITION_AXIS, t=t)
        return fig, ax

    def data(ax):
        stack = ax.stackplot(ts["step"], ts["acquired_marketing"], ts["acquired_wom"], **style)
        return [], list(stack) + _mark_events(ax, snap, True)

    return _chart("acquisition", snap, build, data, top, t=t)


CHARTS = (chart_active, chart_churn, chart_satisfaction, chart_failure, chart_acquisition)


# --- side by side: both organisations on one chart ---------------------------------
def _compare_lines(name: str, snaps, names, column: str, scale: float, title: str,
                   ylabel: str, ylim: tuple[float, float], t=EN) -> Pic:
    def build():
        fig = _figure()
        ax = fig.subplots()
        lines = [ax.plot([], [], color=colour, lw=2.5, ls=style, label=label)[0]
                 for label, colour, style in zip(names, SIDE_COLOURS, SIDE_STYLES)]
        ax.set_ylim(*ylim)
        _finish(ax, snaps[0], title, ylabel, t=t)
        ax.legend(loc="lower left", fontsize=LEGEND_PT)
        return fig, (ax, lines)

    def data(parts):
        ax, lines = parts
        for line, snap in zip(lines, snaps):
            _line(line, snap.ts["step"], scale * snap.ts[column])
        return lines, _mark_events(ax, snaps[0], True)

    return _chart(name, snaps[0], build, data, tuple(names), t=t)


def compare_retention(snaps, names, t=EN) -> Pic:
    return _compare_lines("cmp-retention", snaps, names, "retention", 100.0,
                          t.CMP_RETENTION_TITLE, t.RETENTION_AXIS, (0, 105), t)


def compare_satisfaction(snaps, names, t=EN) -> Pic:
    return _compare_lines("cmp-satisfaction", snaps, names, "mean_satisfaction", 1.0,
                          t.CMP_SATISFACTION_TITLE, t.CMP_SATISFACTION_AXIS, (0, 1), t)


def compare_failure(snaps, names, t=EN) -> Pic:
    return _compare_lines("cmp-failure", snaps, names, "failure_demand_share", 100.0,
                          t.FAILURE_TITLE, t.FAILURE_AXIS, (0, 100), t)


def compare_churn(snaps, names, t=EN) -> Pic:
    each = [_churn_shown(snap, t) for snap in snaps]
    styles = [_stack_style(snap, shown) for snap, (shown, _, _) in zip(snaps, each)]
    top = max(top for _, top, _ in each)
    frame = [tuple(names)] + [x for _, top_k, labels in each for x in (top_k, labels)]

    def build():
        fig = Figure(figsize=(6.0, 4.0), dpi=80)
        fig.subplots_adjust(left=0.12, right=0.97, bottom=0.13, top=0.84, wspace=0.08)
        axes = fig.subplots(1, 2, sharey=True)
        for ax, snap, label, (shown, _, labels), style in zip(axes, snaps, names, each, styles):
            _legend_from_stand_ins(ax, len(shown), labels, style, loc="upper left",
                                   fontsize=LEGEND_PT)
            _finish(ax, snap, label, "", t=t)
        for ax in axes:
            ax.set_ylim(0, top)
        axes[0].set_ylabel(t.CHURN_AXIS, fontsize=LABEL_PT)
        fig.suptitle(t.CHURN_TITLE, fontsize=TITLE_PT)
        return fig, axes

    def data(axes):
        out = []
        for ax, snap, (shown, _, _), style in zip(axes, snaps, each, styles):
            out += _cumulative_churn(ax, snap, shown, style) + _mark_events(ax, snap)
        return [], out

    return _chart("cmp-churn", snaps[0], build, data, *frame, t=t)


COMPARE_CHARTS = (compare_retention, compare_satisfaction, compare_failure, compare_churn)
