"""The organisation: departments, employees' state arrays, the reward scheme's pull on
effort, turnover and learning across the employee network."""

from __future__ import annotations

import networkx as nx
import numpy as np

from .networks import TIE_KINDS, build_org_network, department_access, edge_arrays, org_ties, \
    tie_arrays
from .state import Attr, Build, Context, Population

DEPARTMENTS = ("sales", "marketing", "product", "support", "delivery", "billing")
DEPT = {name: i for i, name in enumerate(DEPARTMENTS)}
STAFF_PARAMS = tuple(f"staff_{d}" for d in DEPARTMENTS)  # relative headcounts (sim.model.params)
ACCOUNT_DEPT = DEPT["sales"]  # account owners are in sales


class Employees(Population):
    """Employee state, one entry per employee (a slot: a leaver's slot takes the hire):
    the attributes of the model's ``employee_state`` (EMPLOYEE_STATE), and the employee
    network: ``graph`` (networkx), its edge arrays ``u``, ``v`` (both directions) and
    ``access[employee, dept]``, the chance a hand-off to dept gets through."""

    graph: nx.Graph
    u: np.ndarray
    v: np.ndarray
    access: np.ndarray

    def set_network(self, graph: nx.Graph) -> None:
        """Take ``graph`` as the employee network, with its edge arrays, access and each
        employee's number of bridge ties and other cross-department ties."""
        self.graph = graph
        u, v, kind = edge_arrays(graph, "kind")
        self.set_ties(u, v, kind == "bridge", kind == "cross")

    def set_ties(self, u: np.ndarray, v: np.ndarray, bridge: np.ndarray,
                 cross: np.ndarray) -> None:
        """The employee network's edge arrays (each edge both ways, ``bridge`` and
        ``cross`` marking the first half), access, bridge and cross ties per employee."""
        self.u, self.v = u, v
        self.access = department_access(self.u, self.v, self.dept, len(DEPARTMENTS))
        both_b, both_c = np.concatenate([bridge, bridge]), np.concatenate([cross, cross])
        self.bridge_ties = np.bincount(self.u[both_b], minlength=self.n).astype(float)
        self.cross_ties = np.bincount(self.u[both_c], minlength=self.n).astype(float)


def reward_of(emp: Employees, params: dict) -> np.ndarray:
    """Each employee's reward mix: their own culture's, or else the firm's."""
    return np.where(np.isnan(emp.own_reward), params["reward_mix"], emp.own_reward)


def barrier_of(emp: Employees, params: dict) -> np.ndarray:
    """Each employee's silo barrier: their own culture's, or else the firm's."""
    return np.where(np.isnan(emp.own_barrier), params["silo_barrier"], emp.own_barrier)


def staff_shares(params: dict) -> np.ndarray:
    """Share of staff per department, from the relative headcounts staff_<department>."""
    w = np.array([params[name] for name in STAFF_PARAMS], dtype=float)
    return w / w.sum()


def assign_departments(n: int, rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """Department of each employee: at least one per department, the rest drawn by ``shares``."""
    base = np.arange(len(DEPARTMENTS)) if n >= len(DEPARTMENTS) else np.arange(n)
    rest = rng.choice(len(DEPARTMENTS), size=n - len(base), p=shares)
    return np.sort(np.concatenate([base, rest])).astype(np.int64)


HIRE_ENGAGEMENT = 0.6  # engagement of a new hire, and the mean of a settled workforce's


def _grown(ctx: Context) -> np.ndarray:
    """How far each employee has grown into the job with tenure (0 new, 1 veteran)."""
    return 1.0 - np.exp(-ctx.made["tenure"] / 52.0)


# Every attribute of employees, in the order their initial values are drawn, with the
# network drawn between key persons and engagement. A settled workforce: tenure spread
# over years, skill grown with it.
EMPLOYEE_STATE = (
    Attr("dept", np.int64, lambda ctx: assign_departments(ctx.n, ctx.rng, staff_shares(ctx.params)),
         view="index_dept", doc="department: index into DEPARTMENTS (0-5)"),
    Attr("tenure", np.float64, lambda ctx: ctx.rng.exponential(52 * 4, size=ctx.n), doc="weeks in the slot"),
    Attr("skill", np.float64,
         lambda ctx: ctx.params["new_hire_skill"] + (0.95 - ctx.params["new_hire_skill"]) * _grown(ctx),
         doc="0-1, chance to resolve a request in their own department's domain"),
    Attr("knowledge", np.float64,
         lambda ctx: 0.1 + 0.6 * _grown(ctx) * (1.0 - 0.5 * ctx.params["silo_barrier"]),
         doc="0-1, knowledge of other departments' domains"),
    Attr("key_person", bool,
         lambda ctx: (ctx.made["dept"] == ACCOUNT_DEPT) & (ctx.rng.random(ctx.n) < ctx.params["key_person_share"]),
         doc="a key person (only in sales), given key_person_weight times as many accounts"),
    Build("graph", lambda ctx: build_org_network(ctx.made["dept"], ctx.params, ctx.rng)),
    Attr("engagement", np.float64, lambda ctx: np.clip(ctx.rng.normal(HIRE_ENGAGEMENT, 0.1, ctx.n), 0, 1),
         doc="0-1, engagement; lowers turnover"),
    Attr("used", np.float64, 0.0, view="contacts_handled", show=lambda v, m: int(v),
         doc="non-purchase contacts handled this week"),
    Attr("load", np.float64, 0.0, view="contacts_arrived", show=lambda v, m: int(v),
         doc="contacts that reached them this week (handled or not)"),
    Attr("unit", np.int8, 0, on_merge=1, doc="legacy unit: 1 for an acquired firm's employees until its integration ends (section 7.13.3), else 0"),
    Attr("own_reward", np.float64, np.nan, view=None,
         on_merge=lambda ctx, v: np.full(len(v), ctx.params["reward_mix"]),
         doc="reward mix of an acquired employee's own culture during a merger; NaN: the firm's"),
    Attr("own_barrier", np.float64, np.nan, view=None,
         on_merge=lambda ctx, v: np.full(len(v), ctx.params["silo_barrier"]),
         doc="silo barrier of an acquired employee's own culture during a merger; NaN: the firm's"),
    # the effort each employee chooses (sim.model.effort), settled at the start
    Attr("sell", np.float64, lambda ctx: _effort(ctx, "sell"),
         doc="share of their time spent selling (effort choice)"),
    Attr("develop", np.float64, lambda ctx: _effort(ctx, "develop"),
         doc="share of their time spent developing the accounts they own (effort choice)"),
    Attr("promising", np.float64, lambda ctx: _effort(ctx, "promising"),
         doc="chance they oversell a deal (sellers; effort choice)"),
    Attr("ret_sell", np.float64, 1.0, view=None,
         doc="what they see selling achieve: prospects left to win, against the start"),
    Attr("ret_serve", np.float64, 1.0, view=None,
         doc="what they see serving achieve: their resolution rate against a good week's"),
)


def _effort(ctx: Context, task: str) -> np.ndarray:
    from .effort import initial  # effort reads the departments declared here
    return initial(ctx, task)


def create_employees(params: dict, rng: np.random.Generator,
                     schema: tuple = EMPLOYEE_STATE, graph: bool = True) -> Employees:
    """The employees of a new firm (or of one a merger brings in), with their network;
    ``graph=False``: the same network as edge arrays only, without its networkx graph
    (``emp.graph`` None; the same draws and arrays, for a batch of firms)."""
    ctx = Context(params["n_employees"], params, rng)
    if not graph:
        schema = tuple(Build("graph", _ties) if isinstance(a, Build) and a.name == "graph" else a
                       for a in schema)
    emp = Employees.create(schema, ctx)
    if graph:
        emp.set_network(ctx.made["graph"])
    else:
        u, v, kind = tie_arrays(ctx.n, *ctx.made["graph"])
        emp.graph = None
        emp.set_ties(u, v, kind == TIE_KINDS.index("bridge"), kind == TIE_KINDS.index("cross"))
    return emp


def _ties(ctx: Context):
    return org_ties(ctx.made["dept"], ctx.params, ctx.rng)


def append_employees(emp: Employees, new: Employees, params: dict) -> np.ndarray:
    """Add another organisation's employees (with their own network, no ties to ours
    yet, and their own culture: ``params`` are the other firm's); returns their indices."""
    offset = emp.n
    idx = emp.merge(new, Context(new.n, params, None))
    emp.set_network(nx.union(emp.graph, nx.relabel_nodes(new.graph, lambda i: i + offset)))
    return idx


def rebuild_network(emp: Employees, params: dict, rng: np.random.Generator) -> None:
    """Draw the employee network anew for the current silo barrier and bridges (people
    keep their places; ties follow the organisation's new shape)."""
    emp.set_network(build_org_network(emp.dept, params, rng))


def time_costs(emp: Employees, params: dict) -> np.ndarray:
    """Share of each employee's time that goes to coordination and upkeep before any
    contact: meetings and hand-over time of each bridge tie (``bridge_time``) and each
    other cross-department tie (``coordination_time``), and keeping the shared
    customer record (``record_upkeep`` x shared_record); at most half their time."""
    load = (params["bridge_time"] * emp.bridge_ties + params["coordination_time"] * emp.cross_ties
            + params["record_upkeep"] * params["shared_record"])
    return np.minimum(load, MAX_TIME_COSTS)


MAX_TIME_COSTS = 0.5  # nobody spends more than half their week in meetings and records


def serving_capacity(emp: Employees, params: dict) -> np.ndarray:
    """Contacts each employee can take this week: capacity x the share of their time
    they choose to serve (sim.model.effort), less coordination and upkeep, lower for
    new hires still learning (a third less in their first weeks)."""
    from .effort import serve_share

    ramp = 1.0 - (1.0 / 3.0) * np.exp(-emp.tenure / 8.0)
    return params["capacity"] * serve_share(emp) * (1.0 - time_costs(emp, params)) * ramp


def selling_capacity(emp: Employees, params: dict) -> np.ndarray:
    """Contacts (purchases) each employee can take in their selling time."""
    return params["capacity"] * emp.sell * (1.0 - time_costs(emp, params))


def selling_effort(emp: Employees, params: dict) -> float:
    """Selling effort of the firm relative to the same staff at the jobs' neutral
    shares: the multiplier on marketing-driven acquisition."""
    from .effort import NEUTRAL

    ref = NEUTRAL[emp.dept, 0].sum()
    return float(emp.sell.sum() / ref) if ref else 0.0


def learn(emp: Employees, params: dict) -> None:
    """Employees close the gap to more skilled and knowledgeable colleagues they are
    tied to; cross-department ties count by (1 - silo_barrier), and only they carry
    knowledge of other departments."""
    if len(emp.u) == 0:
        return
    same = emp.dept[emp.u] == emp.dept[emp.v]
    w = np.where(same, 1.0, 1.0 - barrier_of(emp, params)[emp.u])
    rate = params["learn_rate"]
    emp.skill += rate * _peer_gap(emp.skill, emp.u, emp.v, w, emp.n)
    emp.knowledge += rate * _peer_gap(emp.knowledge, emp.u, emp.v, np.where(same, 0.0, w), emp.n)
    # practice: everyone slowly gets better at their own job
    emp.skill += 0.2 * rate * (1.0 - emp.skill) * (emp.used > 0)
    np.clip(emp.skill, 0, 1, out=emp.skill)
    np.clip(emp.knowledge, 0, 1, out=emp.knowledge)


def _peer_gap(x: np.ndarray, u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    """Weighted mean over each node's ties of how far the colleague is ahead of it."""
    gain = np.bincount(u, weights=w * np.maximum(x[v] - x[u], 0.0), minlength=n)
    total = np.bincount(u, weights=w, minlength=n)
    return np.divide(gain, total, out=np.zeros(n), where=total > 0)


def update_engagement(emp: Employees, params: dict, utilisation: np.ndarray) -> None:
    """Engagement follows autonomy (mandate, essay 001) and falls with overload
    (``utilisation``: contacts that reached each employee over their capacity)."""
    target = 0.5 + 0.3 * params["mandate"] - 0.5 * np.maximum(utilisation - 1.0, 0.0)
    emp.engagement += 0.05 * (np.clip(target, 0, 1) - emp.engagement)


def turnover(emp: Employees, params: dict, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Employees leave at the base rate, 1.5x for the disengaged and 0.5x for the most
    engaged; each leaver's slot is filled by a new hire who starts low on skill and
    knowledge and keeps the leaver's ties (the role's place in the network).

    Returns the leavers' indices and the skill plus knowledge that left with them."""
    hazard = params["turnover_rate"] * (1.5 - emp.engagement)
    leavers = np.flatnonzero(rng.random(emp.n) < hazard)
    return leavers, replace_employees(emp, leavers, params)


def replace_employees(emp: Employees, idx: np.ndarray, params: dict) -> float:
    """Put new hires in the given slots; returns the skill and knowledge lost."""
    if len(idx) == 0:
        return 0.0
    hire_knowledge = 0.1 * (1.0 - params["silo_barrier"])
    lost = float(np.sum(np.maximum(emp.skill[idx] - params["new_hire_skill"], 0))
                 + np.sum(np.maximum(emp.knowledge[idx] - hire_knowledge, 0)))
    emp.skill[idx] = params["new_hire_skill"]
    emp.knowledge[idx] = hire_knowledge
    emp.engagement[idx] = HIRE_ENGAGEMENT
    emp.tenure[idx] = 0.0
    return lost
