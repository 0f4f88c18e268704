"""What each event does to the agents (brief, "Disruptions"; essay 003).

Each ``fire_<kind>(model, **params)`` acts at once and may add a process: an object
whose ``step(model)`` runs at the start of every week the model takes from then on
(for an event scheduled in a scenario, from the week it fires) and returns False when
it is over. What events leave in the model is ``model.events`` (sim.model.event_state):
departures an event causes directly go through ``model.events.leave``; lasting risk
goes through ``add_risk`` below, a per-customer extra weekly hazard under the event's
own churn cause that fades with a time constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .customers import ACTIVE, OUT, PROSPECT, draw_owners
from .organisation import DEPARTMENTS, rebuild_network, replace_employees

from .params import LEVERS
CONTACT_RESET = 0.1  # relationship with a new key contact: they barely know the supplier


def add_risk(model, cause: str, who: np.ndarray, hazard: float, window: float) -> None:
    """Raise ``who``'s weekly hazard under event cause ``cause`` by ``hazard``, fading
    with time constant ``window`` weeks."""
    model.events.add_risk(cause, who, hazard, window, model.cust.n)


# --- supplier side: key-person loss --------------------------------------------------

def fire_key_person_loss(model, count, share, by, department, hazard, window) -> None:
    """The employees with the most accounts (or most knowledge) leave. Successors start
    as new hires but inherit what was kept in the shared customer record; their
    accounts pass to other sellers with the relationship cut to the shared part; those
    customers face an extra hazard of ``hazard`` x (1 - shared_record), fading."""
    emp, c, p = model.org, model.cust, model.params
    pool = np.arange(emp.n) if department == "any" else np.flatnonzero(emp.dept == DEPARTMENTS.index(department))
    k = int(round(share * len(pool))) if share > 0 else count
    k = min(k, len(pool))
    if k == 0:
        return
    score = model.accounts[pool] if by == "accounts" else emp.skill[pool] + emp.knowledge[pool]
    leavers = pool[np.argsort(-score, kind="stable")[:k]]
    shared = model.record
    old_skill, old_knowledge = emp.skill[leavers].copy(), emp.knowledge[leavers].copy()
    lost = replace_employees(emp, leavers, p)
    kept_skill = shared * np.maximum(old_skill - emp.skill[leavers], 0)
    kept_knowledge = shared * np.maximum(old_knowledge - emp.knowledge[leavers], 0)
    emp.skill[leavers] += kept_skill
    emp.knowledge[leavers] += kept_knowledge
    model.events.knowledge_lost += lost - float(kept_skill.sum() + kept_knowledge.sum())
    emp.key_person[leavers] = False
    hit = np.flatnonzero((c.status == ACTIVE) & np.isin(c.owner, leavers))
    if len(hit) == 0:
        return
    c.owner[hit] = draw_owners(emp, p, len(hit), model.rng, exclude=leavers)
    c.relationship[hit] *= shared
    add_risk(model, "key_person", hit, hazard * (1.0 - shared), window)


# --- customer side: a new key contact -------------------------------------------------

def fire_customer_contact_change(model, share, hazard, window) -> None:
    """A share of active B2B customers get a new key contact who re-weighs the supplier:
    the relationship is reset and an extra hazard applies, whatever the satisfaction."""
    c = model.cust
    b2b = np.flatnonzero((c.status == ACTIVE) & c.b2b)
    hit = b2b[model.rng.random(len(b2b)) < share]
    c.relationship[hit] = np.minimum(c.relationship[hit], CONTACT_RESET)
    add_risk(model, "contact_change", hit, hazard, window)


# --- competitor leap ----------------------------------------------------------------------

@dataclass
class Ramp:
    """Adds ``per_week`` to the alternative's attractiveness for a segment, ``weeks`` times."""

    segments: tuple[int, ...]
    per_week: float
    weeks: int

    def step(self, model) -> bool:
        for s in self.segments:
            model.events.attractiveness_shift[s] += self.per_week
        self.weeks -= 1
        return self.weeks > 0


def fire_competitor_leap(model, amount, ramp_weeks, segment) -> None:
    """The alternative's attractiveness jumps by ``amount`` (for one segment or all),
    at once or spread over ``ramp_weeks``; it pulls customers under the competitor cause."""
    segments = {"all": (0, 1), "b2c": (0,), "b2b": (1,)}[segment]
    ramp = Ramp(segments, amount / max(ramp_weeks, 1), max(ramp_weeks, 1))
    if ramp_weeks == 0:
        ramp.step(model)
    else:
        model.events.processes.append(ramp)


# --- substitute: Bass diffusion ------------------------------------------------------------

@dataclass
class BassDiffusion:
    """A substitute spreads through the market (every node of the customer network):
    a non-adopter adopts in a week with probability (p + q x F) / 52, where F is the
    adopted share of its network neighbours ('network') or of the whole market
    ('full'): the Bass (1969) model in weekly steps, as Rand & Rust (2011) dock it.
    Adopting customers leave under the substitute cause; adopting prospects leave the
    market."""

    p: float
    q: float
    mixing: str
    adopted: np.ndarray
    adopted_neighbours: np.ndarray
    history: list = field(default_factory=list)

    def step(self, model) -> bool:
        c, net, rng = model.cust, model.network, model.rng
        if self.mixing == "full":
            f = self.adopted.mean()
            frac = np.float32(f)
        else:
            deg = np.maximum(net.degree(), 1)
            frac = self.adopted_neighbours / deg
        prob = (self.p + self.q * frac) / 52.0
        new = np.flatnonzero(~self.adopted & (rng.random(c.n, dtype=np.float32) < prob))
        self.adopted[new] = True
        if self.mixing == "network" and len(new):
            _, nbrs = net.neighbours_of(new)
            np.add.at(self.adopted_neighbours, nbrs, np.int32(1))
        model.events.leave(model, new[c.status[new] == ACTIVE], "substitute")
        pros = new[c.status[new] == PROSPECT]
        c.status[pros] = OUT
        self.history.append(float(self.adopted.mean()))
        return not self.adopted.all()

    def grow(self, k: int) -> None:
        """New market nodes (a merger) start as non-adopters."""
        self.adopted = np.concatenate([self.adopted, np.zeros(k, dtype=bool)])
        self.adopted_neighbours = np.concatenate([self.adopted_neighbours, np.zeros(k, np.int32)])


def fire_substitute(model, p, q, mixing) -> None:
    """Start a substitute's diffusion: its first weekly step is the next one the model
    takes (the same week, for an event scheduled in a scenario)."""
    n = model.cust.n
    proc = BassDiffusion(p, q, mixing, np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int32))
    model.events.substitute = proc
    model.events.processes.append(proc)


# --- viral complaint --------------------------------------------------------------------

def fire_viral_complaint(model, reach, weight, hazard, window) -> None:
    """The most dissatisfied active customer (the best connected among equals) has a
    very bad experience and posts it. The post reaches ``reach`` x social_amplification
    people anywhere in the market plus the poster's own neighbours: each reader's
    word-of-mouth score falls by ``weight``, and active readers face an extra hazard."""
    c, rng = model.cust, model.rng
    act = np.flatnonzero(c.status == ACTIVE)
    if len(act) == 0:
        return
    deg = model.network.degree()[act]
    poster = act[np.lexsort((-deg, c.satisfaction[act]))[0]]
    c.satisfaction[poster] = 0.0
    k = int(min(c.n - 1, round(reach * model.params["social_amplification"])))
    readers = np.union1d(rng.choice(c.n, size=k, replace=False), model.network.neighbours(poster))
    readers = readers[readers != poster]
    c.wom[readers] = np.maximum(c.wom[readers] - weight, -1.0)
    add_risk(model, "viral", readers[c.status[readers] == ACTIVE], hazard, window)
    model.events.viral_poster = int(poster)


# --- merger ----------------------------------------------------------------------------

@dataclass
class Integration:
    """Two legacy units become one. 'absorb': integration starts at once. 'separate':
    each unit serves its own customers for ``weeks``, then integrates in a quarter of
    that. When integration starts, account owners change for a share of all customers
    (the relationship cut to what the shared record keeps) and every customer faces an
    extra hazard; over the integration the border between the units falls linearly
    from ``border`` to 0 and the acquired unit's culture moves to the firm's. At the
    end the employee network is drawn anew for the one organisation."""

    style: str
    weeks: int
    border: float
    owner_change: float
    hazard: float
    reward: float
    barrier: float
    wait: int = 0
    length: int = 0
    done: int = 0

    def begin(self, model) -> None:
        c, p = model.cust, model.params
        model.events.separate_units = False
        act = np.flatnonzero(c.status == ACTIVE)
        moved = act[model.rng.random(len(act)) < self.owner_change]
        c.owner[moved] = draw_owners(model.org, p, len(moved), model.rng)
        c.relationship[moved] *= model.record
        add_risk(model, "merger", act, self.hazard, max(self.length / 2, 1.0))
        model.events.unit_border = self.border

    def step(self, model) -> bool:
        if self.wait > 0:
            self.wait -= 1
            if self.wait == 0:
                self.begin(model)
            return True
        self.done += 1
        left = max(0.0, 1.0 - self.done / self.length)
        model.events.unit_border = self.border * left
        emp = model.org
        acquired = emp.unit == 1
        emp.own_reward[acquired] = model.params["reward_mix"] + (self.reward - model.params["reward_mix"]) * left
        emp.own_barrier[acquired] = model.params["silo_barrier"] + (self.barrier - model.params["silo_barrier"]) * left
        if left > 0:
            return True
        emp.own_reward[acquired] = np.nan
        emp.own_barrier[acquired] = np.nan
        emp.unit[:] = 0
        model.cust.unit[:] = 0
        rebuild_network(emp, model.params, model.rng)
        return False


def fire_merger(model, size, silo_barrier, reward_mix, integration_weeks, style,
                owner_change, border, hazard) -> None:
    """The firm absorbs another organisation of ``size`` times its staff and customers,
    with its own culture. Its employees join with their own network (no ties to ours
    yet); its customers join the market with a network of their own that overlaps
    ours a little. Then the integration runs its course (see Integration)."""
    from .customers import create_customers
    from .networks import append_block
    from .organisation import append_employees, create_employees
    from .state import Context

    p, rng, c = model.params, model.rng, model.cust
    n_active = int(np.count_nonzero(c.status == ACTIVE))
    theirs = dict(p, n_employees=max(len(DEPARTMENTS), int(round(size * model.org.n))),
                  n_customers=max(1, int(round(size * n_active))), n_prospects=0,
                  silo_barrier=silo_barrier, reward_mix=reward_mix)
    staff = create_employees(theirs, rng, model.employee_state)
    offset = model.org.n
    new_staff = append_employees(model.org, staff, theirs)
    clients = create_customers(theirs, staff, rng, model.customer_state)
    model.network = append_block(model.network, clients.n, p, rng)
    new_clients = c.merge(clients, Context(clients.n, theirs, rng, extra={"offset": offset}))
    model.grow(new_staff, len(new_clients))
    if style == "absorb":
        proc = Integration(style, integration_weeks, border, owner_change, hazard, reward_mix,
                           silo_barrier, length=integration_weeks)
        proc.begin(model)
    else:
        model.events.separate_units = True
        proc = Integration(style, integration_weeks, border, owner_change, hazard, reward_mix,
                           silo_barrier, wait=integration_weeks,
                           length=max(1, integration_weeks // 4))
    model.events.processes.append(proc)


# --- transformation and external promises ------------------------------------------------

@dataclass
class Transformation:
    """Moves the organisational parameters from where they were to a preset's over
    ``weeks`` along a smoothstep (3x^2 - 2x^3 of the elapsed share x: change is slow to
    take hold, as culture is); meanwhile capacity is down by ``capacity_cost`` and
    turnover up by ``turnover_boost`` x base, both highest at the start and fading
    linearly to nothing, so the cost comes before the gain. The employee network is rebuilt every 4 weeks as the
    silo barrier and bridges change."""

    start: dict
    goal: dict
    weeks: int
    capacity_cost: float
    turnover_boost: float
    base_capacity: float
    base_turnover: float
    delay: int = 0
    done: int = 0

    def step(self, model) -> bool:
        if self.delay > 0:
            self.delay -= 1
            return True
        self.done += 1
        progress = min(1.0, self.done / self.weeks)
        change = progress * progress * (3.0 - 2.0 * progress)  # slow start, slow finish
        p = model.params
        for k in LEVERS:
            value = self.start[k] + (self.goal[k] - self.start[k]) * change
            p[k] = int(round(value)) if k == "bridges" else float(value)
        p["capacity"] = self.base_capacity * (1.0 - self.capacity_cost * (1.0 - progress))
        p["turnover_rate"] = min(0.2, self.base_turnover * (1.0 + self.turnover_boost * (1.0 - progress)))
        if self.done % 4 == 0 or progress >= 1.0:
            rebuild_network(model.org, p, model.rng)
        if progress >= 1.0:
            p["capacity"], p["turnover_rate"] = self.base_capacity, self.base_turnover
            return False
        return True


def _transformation(model, goal, weeks, capacity_cost, turnover_boost, delay=0) -> Transformation:
    p = model.params
    return Transformation({k: p[k] for k in LEVERS}, {k: goal[k] for k in LEVERS}, weeks,
                          capacity_cost, turnover_boost, p["capacity"], p["turnover_rate"], delay)


def fire_transformation(model, to, weeks, capacity_cost, turnover_boost, goal) -> None:
    """Start moving the organisation towards preset ``to`` (``goal``: its parameters)."""
    model.events.processes.append(_transformation(model, goal, weeks, capacity_cost, turnover_boost))


def fire_announce_promise(model, amount, lag, to, weeks, capacity_cost, turnover_boost,
                          goal) -> None:
    """Announce a promise to the market (essay 003, 'from words to action'): marketing
    promises ``amount`` more and customers' expectations rise by it now; the
    organisation starts adapting towards ``to`` (``goal``: its parameters) only after
    ``lag`` weeks."""
    p, c = model.params, model.cust
    p["marketing_promise"] = min(1.0, p["marketing_promise"] + amount)
    act = c.status == ACTIVE
    c.expectation[act] = np.minimum(c.expectation[act] + amount, 1.0)
    model.events.processes.append(_transformation(model, goal, weeks, capacity_cost, turnover_boost,
                                           delay=lag))


FIRE = {
    "key_person_loss": fire_key_person_loss,
    "customer_contact_change": fire_customer_contact_change,
    "competitor_leap": fire_competitor_leap,
    "substitute": fire_substitute,
    "merger": fire_merger,
    "viral_complaint": fire_viral_complaint,
    "transformation": fire_transformation,
    "announce_promise": fire_announce_promise,
}
