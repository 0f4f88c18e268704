"""Customer and prospect state, held in arrays indexed by node of the customer network."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .organisation import ACCOUNT_DEPT, Employees

PROSPECT, ACTIVE, CHURNED, OUT = 0, 1, 2, 3  # OUT: a prospect who left the market
STATUS_NAMES = ("prospect", "active", "churned", "out of market")
NEUTRAL_SATISFACTION = 0.7  # satisfaction of a customer whose expectations are just met
F = np.float32  # customer state precision: ample for 0..1 scores, half the memory and time


@dataclass
class Customers:
    """State of every customer and prospect; index i is node i of the social network."""

    status: np.ndarray        # int8: PROSPECT, ACTIVE, CHURNED or OUT (left the market)
    expectation: np.ndarray   # 0..1
    satisfaction: np.ndarray  # 0..1
    relationship: np.ndarray  # 0..1, with the account owner
    switching_cost: np.ndarray  # 0..1
    value: np.ndarray         # money per week while active
    tenure: np.ndarray        # weeks as a customer
    owner: np.ndarray         # employee index, -1 if none
    cause: np.ndarray         # int8 index into model.causes (base + event), -1 if not churned
    churn_step: np.ndarray    # step of churn, -1 if not churned
    open_contact: np.ndarray  # bool: an unresolved contact is pending
    open_dept: np.ndarray     # department whose knowledge the pending contact needs
    open_since: np.ndarray    # step the pending contact was first raised
    silent_problem: np.ndarray  # bool: living with a fault never raised with the firm
    wom: np.ndarray           # -1..1, word of mouth heard, decaying
    exposure: np.ndarray      # 0..1, recent defection of a neighbour, decaying
    initial: np.ndarray       # bool: active at step 0 (the retention cohort)
    last_contact: np.ndarray  # step of the last contact with the firm, -1 if none
    b2b: np.ndarray           # bool: a business customer, with a key contact of its own
    unit: np.ndarray          # int8: 0 for the firm's own, 1 for an acquired firm's

    @property
    def n(self) -> int:
        return len(self.status)


def promise_level(params: dict) -> float:
    """Expectation set by promises: marketing's plus the extra that volume-rewarded
    sales make (essays 001, 004)."""
    return min(1.0, params["base_expectation"] + params["marketing_promise"]
               + params["sales_promise"] * (1.0 - params["reward_mix"]))


def create_customers(params: dict, emp: Employees, rng: np.random.Generator) -> Customers:
    """Which nodes of the network are customers is drawn at random; the rest are
    prospects. Customers start in a settled state: tenure spread over years,
    satisfaction around neutral, relationship partly built."""
    nc, n = params["n_customers"], params["n_customers"] + params["n_prospects"]
    status = np.full(n, PROSPECT, dtype=np.int8)
    status[rng.permutation(n) < nc] = ACTIVE
    sc_mean = params["switching_cost"]
    conc = 6.0  # Beta concentration: a spread of switching costs around the mean
    switching = rng.beta(max(sc_mean * conc, 1e-3), max((1 - sc_mean) * conc, 1e-3), n)
    sigma = 0.5  # log-normal spread of customer value, mean value_mean
    value = params["value_mean"] * rng.lognormal(-sigma**2 / 2, sigma, n)
    c = Customers(
        status=status,
        expectation=np.clip(promise_level(params) + rng.normal(0, 0.05, n), 0, 1).astype(F),
        satisfaction=np.clip(rng.normal(NEUTRAL_SATISFACTION, 0.1, n), 0, 1).astype(F),
        relationship=np.clip(rng.normal(0.4, 0.1, n), 0, 1).astype(F),
        switching_cost=switching.astype(F), value=value.astype(F),
        tenure=np.where(status == ACTIVE, rng.exponential(150.0, n), 0.0).astype(F),
        owner=np.full(n, -1, dtype=np.int64),
        cause=np.full(n, -1, dtype=np.int8),
        churn_step=np.full(n, -1, dtype=np.int32),
        open_contact=np.zeros(n, dtype=bool),
        open_dept=np.zeros(n, dtype=np.int8),
        open_since=np.zeros(n, dtype=np.int32),
        silent_problem=np.zeros(n, dtype=bool),
        wom=np.zeros(n, F), exposure=np.zeros(n, F),
        initial=status == ACTIVE,
        last_contact=np.full(n, -1, dtype=np.int32),
        b2b=rng.random(n) < params["b2b_share"],
        unit=np.zeros(n, dtype=np.int8),
    )
    c.owner[status == ACTIVE] = draw_owners(emp, params, nc, rng)
    return c


def append_customers(c: Customers, new: Customers) -> np.ndarray:
    """Add another firm's customers after the existing ones; returns their indices."""
    start = c.n
    for f in fields(Customers):
        setattr(c, f.name, np.concatenate([getattr(c, f.name), getattr(new, f.name)]))
    return np.arange(start, c.n)


def draw_owners(emp: Employees, params: dict, k: int, rng: np.random.Generator,
                exclude: np.ndarray | None = None) -> np.ndarray:
    """Account owners for k customers: sales employees (but ``exclude``), key persons
    given ``key_person_weight`` times as many accounts."""
    sellers = np.flatnonzero(emp.dept == ACCOUNT_DEPT)
    if exclude is not None and len(np.setdiff1d(sellers, exclude)):
        sellers = np.setdiff1d(sellers, exclude)
    if len(sellers) == 0 or k == 0:
        return np.full(k, -1, dtype=np.int64)
    w = np.where(emp.key_person[sellers], params["key_person_weight"], 1.0)
    return sellers[np.searchsorted(np.cumsum(w) / w.sum(), rng.random(k))].astype(np.int64)


def accounts_per_owner(c: Customers, n_employees: int,
                       is_active: np.ndarray | None = None) -> np.ndarray:
    """Number of active accounts each employee owns (a select and a count over all
    customers, no gather: fast when the active ones are scattered)."""
    if is_active is None:
        is_active = c.status == ACTIVE
    owner = (c.owner + 1) * is_active  # 0 counts those without an owner or not active
    return np.bincount(owner, minlength=n_employees + 1)[1:]


# Net promoter score reads satisfaction as a 0-10 answer: promoters answer 9-10
# (satisfaction >= 0.85), detractors 0-6 (below 0.65); NPS = % promoters - % detractors.
PROMOTER, DETRACTOR = 0.85, 0.65
