"""What the classroom page shows, without the web server: the model as the page makes
it from flat keyword parameters, the controls' definitions and the figures.

Nothing here changes how the model behaves. The page only reads the model's arrays
(under a lock, so a click and a running step never interleave) and draws with its own
random generator for layouts, never the model's.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import networkx as nx
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..customers import ACTIVE, CHURNED, OUT, PROSPECT
from ..events import SPECS
from ..model import OrganisationModel
from ..organisation import DEPARTMENTS
from ..params import PARAMS
from ..scenario import list_scenarios, load_scenario

CUSTOM = "custom: baseline + the sliders"
N_EMPLOYEES = 60
MAX_CUSTOMERS = 2000
DEFAULT_CUSTOMERS = 500
DEFAULT_SEED = 42
CUSTOMER_SAMPLE = 250  # customers drawn in the customer-network panel

# The organisation's levers: name -> (slider minimum, maximum, step). Ranges are the
# parameters' own (sim/params.py) except where a classroom needs less (bridges,
# social amplification).
LEVERS: dict[str, tuple[float, float, float]] = {
    "silo_barrier": (0.0, 1.0, 0.05),
    "bridges": (0, 10, 1),
    "reward_mix": (0.0, 1.0, 0.05),
    "mandate": (0.0, 1.0, 0.05),
    "escalation": (0.0, 1.0, 0.05),
    "social_amplification": (1.0, 50.0, 1.0),
}
LEVER_LABELS = {
    "silo_barrier": "Silo barrier (0 open, 1 closed)",
    "bridges": "Bridges per department pair",
    "reward_mix": "Reward (0 volume, 1 customer)",
    "mandate": "Mandate to act alone",
    "escalation": "Feedback escalation",
    "social_amplification": "Social-media reach (x)",
}

# The disruptions the page fires with a click, with their button labels.
DISRUPTIONS: dict[str, str] = {
    "key_person_loss": "Key person leaves",
    "customer_contact_change": "Customers' contacts change",
    "merger": "Merger",
    "competitor_leap": "Competitor leap",
    "substitute": "Substitute appears",
    "viral_complaint": "Viral complaint",
}
assert set(DISRUPTIONS) <= set(SPECS)

ABOUT = """\
A firm of six departments (sales, marketing, product, support,
delivery, billing) serves its customers; one step is one week. Customers' requests often
need knowledge held in another department: a *silo barrier* makes those hand-offs fail,
*bridges* (boundary spanners) make them work. What is not resolved comes back as
*failure demand*, eats capacity and lowers satisfaction. The *reward* scheme pulls
effort between selling and serving, the *mandate* lets staff resolve on the spot, and
*escalated feedback* slowly fixes the product. Unhappy customers tell more people than
happy ones, and social media multiplies it; customers leave when the alternative looks
better, and disruptions (a key person leaving, a merger, a competitor's leap, a
substitute, a viral complaint) take even satisfied customers. Pick a scenario or set the
sliders, press **Reset**, then **Step** or **▶**. The full description is in
`docs/ODD.md`.
"""


def model_params() -> dict[str, Any]:
    """The controls of SolaraViz's "Model Parameters" card, in Mesa's format."""
    names = [CUSTOM] + [name for name, _ in list_scenarios()]
    out: dict[str, Any] = {
        "scenario": {"type": "Select", "value": CUSTOM, "values": names,
                     "label": "Scenario (the sliders apply to 'custom')"},
    }
    for name, (lo, hi, step) in LEVERS.items():
        p = PARAMS[name]
        default = p.default if not isinstance(p.default, str) else 0.5
        kind = "SliderInt" if p.kind is int else "SliderFloat"
        out[name] = {"type": kind, "value": default, "min": lo, "max": hi, "step": step,
                     "label": LEVER_LABELS[name]}
    out["n_customers"] = {"type": "SliderInt", "value": DEFAULT_CUSTOMERS, "min": 50,
                          "max": MAX_CUSTOMERS, "step": 50,
                          "label": "Customers (and prospects)"}
    out["seed"] = {"type": "SliderInt", "value": DEFAULT_SEED, "min": 0, "max": 1000,
                   "step": 1, "label": "Random seed"}
    return out


def build_scenario(scenario: str = CUSTOM, n_customers: int = DEFAULT_CUSTOMERS,
                   n_employees: int = N_EMPLOYEES, **levers):
    """The scenario the page runs: a named one as it is (its levers unchanged), or the
    baseline with the sliders' values; at the page's scale either way."""
    scale = dict(n_customers=int(n_customers), n_prospects=int(n_customers),
                 n_employees=int(n_employees))
    if scenario == CUSTOM:
        chosen = {k: v for k, v in levers.items() if v is not None}
        for k in ("bridges",):
            if k in chosen:
                chosen[k] = int(round(chosen[k]))
        return load_scenario("baseline", **scale, **chosen)
    return load_scenario(scenario, **scale)


class ClassroomModel(OrganisationModel):
    """OrganisationModel built from flat keyword parameters, as SolaraViz passes them
    (and as its Reset button calls the class again). Steps and triggered events hold a
    lock, so a disruption clicked while the model plays never lands inside a step."""

    def __init__(self, scenario: str = CUSTOM, silo_barrier: float | None = None,
                 bridges: int | None = None, reward_mix: float | None = None,
                 mandate: float | None = None, escalation: float | None = None,
                 social_amplification: float | None = None,
                 n_customers: int = DEFAULT_CUSTOMERS, n_employees: int = N_EMPLOYEES,
                 seed: int = DEFAULT_SEED):
        built = build_scenario(scenario, n_customers, n_employees,
                               silo_barrier=silo_barrier, bridges=bridges,
                               reward_mix=reward_mix, mandate=mandate,
                               escalation=escalation,
                               social_amplification=social_amplification)
        self.lock = threading.RLock()
        super().__init__(built, rng=int(seed))
        self.page_choice = scenario

    def step(self) -> None:
        with self.lock:
            super().step()

    def trigger(self, kind: str, **params):
        with self.lock:
            return super().trigger(kind, **params)


# --- what the panels read, taken under the lock ------------------------------------
@dataclass
class Snapshot:
    step: int
    ts: Any  # pandas DataFrame, one row per week
    events: list[tuple[int, str, dict]]
    scheduled: list[tuple[int, str]]
    causes: tuple[str, ...]
    dept: np.ndarray
    key_person: np.ndarray
    org_edges: list[tuple[int, int, str]]
    sample: np.ndarray
    status: np.ndarray
    satisfaction: np.ndarray
    sample_edges: list[tuple[int, int]]
    params: dict[str, Any]
    scenario_name: str


def snapshot(model: OrganisationModel, sample_size: int = CUSTOMER_SAMPLE) -> Snapshot:
    """Copy what the page draws, holding the model's lock if it has one."""
    lock = getattr(model, "lock", None) or threading.RLock()
    with lock:
        n = model.cust.n
        sample = np.arange(min(sample_size, n))  # neighbouring nodes: a connected patch
        g = model.network.to_networkx(sample)
        return Snapshot(
            step=int(model.steps),
            ts=model.timeseries().copy(),
            events=list(model.event_log),
            scheduled=[(e.at, e.kind) for e in model.pending],
            causes=tuple(model.causes),
            dept=np.array(model.org.dept, copy=True),
            key_person=np.array(model.org.key_person, copy=True),
            org_edges=[(int(u), int(v), d.get("kind", "within"))
                       for u, v, d in model.org.graph.edges(data=True)],
            sample=sample,
            status=np.array(model.cust.status[sample], copy=True),
            satisfaction=np.array(model.cust.satisfaction[sample], copy=True),
            sample_edges=[(int(u), int(v)) for u, v in g.edges()],
            params=dict(model.params),
            scenario_name=model.scenario.name,
        )


def events_text(snap: Snapshot) -> str:
    """One line: the events fired so far, and those still scheduled."""
    done = "; ".join(f"{kind} at week {at}" for at, kind, _ in snap.events) or "none yet"
    text = f"Events: {done}"
    if snap.scheduled:
        text += ". Scheduled: " + "; ".join(f"{k} at week {at}" for at, k in snap.scheduled)
    return text


def status_text(snap: Snapshot) -> str:
    """One line: the week and the headline figures."""
    row = snap.ts.iloc[-1]
    return (f"Week {snap.step}: {int(row['active_customers'])} active customers, "
            f"retention {100 * row['retention']:.0f}%, "
            f"satisfaction {row['mean_satisfaction']:.2f}, NPS {row['nps']:.0f}, "
            f"failure demand {100 * row['failure_demand_share']:.0f}% of contacts")


def settings_text(snap: Snapshot) -> str:
    p = snap.params
    return (f"Running: {snap.scenario_name} (silo barrier {p['silo_barrier']:g}, "
            f"bridges {p['bridges']}, reward {p['reward_mix']:g}, mandate {p['mandate']:g}, "
            f"escalation {p['escalation']:g}, amplification {p['social_amplification']:g}; "
            f"{p['n_customers']} customers, {p['n_employees']} employees)")


# --- layouts (own generator: the model's random state is never touched) ------------
def layout(nodes: list[int], edges: list[tuple[int, int]], seed: int = 1) -> dict:
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return nx.spring_layout(g, seed=seed, iterations=60)


def org_layout(snap: Snapshot) -> dict:
    """Departments as clusters: spring layout with within-department ties only,
    started from one point per department on a circle."""
    n = len(snap.dept)
    n_dept = len(DEPARTMENTS)
    angle = 2 * np.pi * (snap.dept % n_dept) / n_dept
    gen = np.random.default_rng(7)
    start = {i: (np.cos(angle[i]) + 0.1 * gen.normal(), np.sin(angle[i]) + 0.1 * gen.normal())
             for i in range(n)}
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((u, v) for u, v, k in snap.org_edges if k == "within")
    return nx.spring_layout(g, pos=start, seed=7, iterations=30, k=0.35)


def _figure(w: float = 6.0, h: float = 4.0) -> Figure:
    return Figure(figsize=(w, h), dpi=80, layout="constrained")


def org_figure(snap: Snapshot, pos: dict) -> Figure:
    """Employees coloured by department; ties inside departments faint, across
    departments orange, bridges (boundary spanners) thick blue; key persons ringed."""
    fig = _figure(6.0, 4.6)
    ax = fig.subplots()
    colours = [f"C{d % 10}" for d in snap.dept]
    styles = {"within": ("#cccccc", 0.6, 0.6), "cross": ("#ff7f0e", 1.2, 0.8),
              "bridge": ("#1f3fbf", 1.4, 0.5)}
    for kind, (col, lw, alpha) in styles.items():
        segs = [(pos[u], pos[v]) for u, v, k in snap.org_edges
                if k == kind and u in pos and v in pos]
        if segs:
            ax.add_collection(LineCollection(segs, colors=col, linewidths=lw, alpha=alpha,
                                             zorder=1))
    xy = np.array([pos[i] for i in range(len(snap.dept))])
    ax.scatter(xy[:, 0], xy[:, 1], c=colours, s=60, zorder=2,
               edgecolors=np.where(snap.key_person, "black", "white"),
               linewidths=np.where(snap.key_person, 2.0, 0.5))
    for d, name in enumerate(DEPARTMENTS):
        ax.scatter([], [], c=f"C{d}", s=40, label=name)
    ax.plot([], [], color="#ff7f0e", lw=1.2, label="cross-department tie")
    ax.plot([], [], color="#1f3fbf", lw=2.2, label="bridge")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    n_cross = sum(k == "cross" for _, _, k in snap.org_edges)
    n_bridge = sum(k == "bridge" for _, _, k in snap.org_edges)
    ax.set_title(f"Organisation: {len(snap.dept)} employees, {n_cross} cross ties, "
                 f"{n_bridge} bridge ties", fontsize=10)
    ax.set_axis_off()
    ax.autoscale_view()
    return fig


def customer_figure(snap: Snapshot, pos: dict) -> Figure:
    """A patch of the customer network: customers coloured by satisfaction (red low,
    green high), churned grey, prospects hollow."""
    fig = _figure(6.0, 4.6)
    ax = fig.subplots()
    segs = [(pos[u], pos[v]) for u, v in snap.sample_edges if u in pos and v in pos]
    ax.add_collection(LineCollection(segs, colors="#bbbbbb", linewidths=0.5, zorder=1))
    xy = np.array([pos[int(i)] for i in snap.sample])
    st = snap.status
    act = st == ACTIVE
    sc = ax.scatter(xy[act, 0], xy[act, 1], c=snap.satisfaction[act], cmap="RdYlGn",
                    vmin=0.0, vmax=1.0, s=28, zorder=3, edgecolors="black", linewidths=0.3)
    gone = (st == CHURNED) | (st == OUT)
    ax.scatter(xy[gone, 0], xy[gone, 1], c="#8c8c8c", s=22, zorder=2, label="churned")
    pro = st == PROSPECT
    ax.scatter(xy[pro, 0], xy[pro, 1], facecolors="none", edgecolors="#9a9a9a", s=14,
               zorder=2, linewidths=0.6, label="prospect")
    fig.colorbar(sc, ax=ax, label="satisfaction", shrink=0.8)
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_title(f"Customers (a patch of {len(snap.sample)}): {int(act.sum())} active, "
                 f"{int(gone.sum())} churned", fontsize=10)
    ax.set_axis_off()
    ax.autoscale_view()
    return fig


def _mark_events(ax, snap: Snapshot, label: bool = False) -> None:
    for at, kind, _ in snap.events:
        ax.axvline(at, color="#d62728", ls="--", lw=1.0, alpha=0.8)
        if label:
            ax.annotate(kind, (at, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                        va="top", ha="right", fontsize=7, color="#d62728")


def _finish(ax, snap: Snapshot, title: str, ylabel: str, label_events: bool = True) -> None:
    _mark_events(ax, snap, label_events)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("Week")
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, max(snap.step, 10))
    ax.grid(alpha=0.3)


def chart_active(snap: Snapshot) -> Figure:
    fig = _figure()
    ax = fig.subplots()
    ts = snap.ts
    ax.plot(ts["step"], ts["active_customers"], color="C0", label="active customers")
    ax.set_ylim(bottom=0)
    ax2 = ax.twinx()
    ax2.plot(ts["step"], 100 * ts["retention"], color="C2", label="retention of starting customers")
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("Retention (%)")
    _finish(ax, snap, "Active customers and retention", "Active customers")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="lower left", fontsize=8)
    return fig


def chart_churn(snap: Snapshot) -> Figure:
    fig = _figure()
    ax = fig.subplots()
    ts = snap.ts
    cols = [(c, f"churn_{c}") for c in snap.causes if f"churn_{c}" in ts]
    shown = [(c, col) for c, col in cols if ts[col].sum() > 0] or cols[:1]
    ax.stackplot(ts["step"], *[ts[col].cumsum() for _, col in shown],
                 labels=[c.replace("_", " ") for c, _ in shown], alpha=0.85)
    ax.legend(loc="upper left", fontsize=8)
    _finish(ax, snap, "Customers lost, by cause (cumulative)", "Customers lost")
    return fig


def chart_satisfaction(snap: Snapshot) -> Figure:
    fig = _figure()
    ax = fig.subplots()
    ts = snap.ts
    ax.plot(ts["step"], ts["mean_satisfaction"], color="C1", label="mean satisfaction (0-1)")
    ax.set_ylim(0, 1)
    ax2 = ax.twinx()
    ax2.plot(ts["step"], ts["nps"], color="C4", label="net promoter score")
    ax2.set_ylim(-100, 100)
    ax2.set_ylabel("NPS (-100 to 100)")
    _finish(ax, snap, "Satisfaction and net promoter score", "Mean satisfaction")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="lower left", fontsize=8)
    return fig


def chart_failure(snap: Snapshot) -> Figure:
    fig = _figure()
    ax = fig.subplots()
    ts = snap.ts
    ax.plot(ts["step"], 100 * ts["failure_demand_share"], color="C3")
    ax.set_ylim(0, 100)
    _finish(ax, snap, "Failure demand: repeat and fault contacts", "Share of all contacts (%)")
    return fig


def chart_acquisition(snap: Snapshot) -> Figure:
    fig = _figure()
    ax = fig.subplots()
    ts = snap.ts
    ax.stackplot(ts["step"], ts["acquired_marketing"], ts["acquired_wom"],
                 labels=["marketing", "word of mouth"], colors=["C0", "C2"], alpha=0.85)
    ax.legend(loc="upper left", fontsize=8)
    _finish(ax, snap, "New customers per week, by source", "New customers per week")
    return fig


CHARTS = (chart_active, chart_churn, chart_satisfaction, chart_failure, chart_acquisition)


# --- save as scenario ---------------------------------------------------------------
def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string for plain text
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def scenario_toml(model: OrganisationModel) -> str:
    """The page's model as a scenario file that `orgsim run` and studies accept: the
    preset it started from, every parameter that differs from it, and the disruptions
    fired so far, each scheduled at the week it first acted."""
    choice = getattr(model, "page_choice", CUSTOM)
    preset = "baseline" if choice == CUSTOM else choice
    base = load_scenario(preset)
    with getattr(model, "lock", None) or threading.RLock():
        params, log, steps = dict(model.scenario.params), list(model.event_log), int(model.steps)
    events = [(step + 1, kind, p) for step, kind, p in log]  # fired between weeks: acts next week
    lines = [f"# Saved from the orgsim classroom page at week {steps}.",
             f"description = {_toml_value(f'Classroom demo from {preset}, saved at week {steps}')}",
             f"preset = {_toml_value(preset)}",
             f"steps = {max([steps, 1] + [at for at, _, _ in events])}",
             f"seed = {int(model.seed_used) if model.seed_used is not None else 42}"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in params.items() if v != base.params[k]]
    for at, kind, p in events:
        lines += ["", "[[events]]", f"at = {at}", f"kind = {_toml_value(kind)}"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in p.items()]
    return "\n".join(lines) + "\n"
