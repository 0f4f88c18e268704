"""Customer and prospect state, held in arrays indexed by node of the customer network."""

from __future__ import annotations

import numpy as np

from ._blocks import blocks
from .organisation import ACCOUNT_DEPT, Employees
from .params import NEUTRAL_SATISFACTION
from .state import Attr, Context, Population

PROSPECT, ACTIVE, CHURNED, OUT = 0, 1, 2, 3  # OUT: a prospect who left the market
STATUS_NAMES = ("prospect", "active", "churned", "out of market")
NEW_RELATIONSHIP = 0.2  # relationship of a new customer with its account owner
F = np.float32  # customer state precision: ample for 0..1 scores, half the memory and time


def promise_level(params: dict, emp: Employees) -> float:
    """Expectation set by promises: marketing's, plus sales_promise times the share of
    deals the sellers choose to oversell (sim.model.effort; essays 001, 004)."""
    from .effort import promising_share

    return min(1.0, params["base_expectation"] + params["marketing_promise"]
               + params["sales_promise"] * promising_share(emp))


SWITCHING_CONCENTRATION = 6.0  # Beta concentration: a spread of switching costs around the mean
VALUE_SIGMA = 0.5  # log-normal spread of customer value, mean value_mean


def _status(ctx: Context) -> np.ndarray:
    status = np.full(ctx.n, PROSPECT, dtype=np.int8)
    status[ctx.rng.permutation(ctx.n) < ctx.params["n_customers"]] = ACTIVE
    return status


def _switching(ctx: Context) -> np.ndarray:
    mean, conc = ctx.params["switching_cost"], SWITCHING_CONCENTRATION
    return ctx.rng.beta(max(mean * conc, 1e-3), max((1 - mean) * conc, 1e-3), ctx.n)


def _value(ctx: Context) -> np.ndarray:
    return ctx.params["value_mean"] * ctx.rng.lognormal(-VALUE_SIGMA**2 / 2, VALUE_SIGMA, ctx.n)


def _expectation(ctx: Context) -> np.ndarray:
    """What promises set, spread a little (at creation and on acquisition alike)."""
    return np.clip(promise_level(ctx.params, ctx.emp) + ctx.rng.normal(0, 0.05, ctx.n), 0, 1)


def _owners(ctx: Context) -> np.ndarray:
    """Account owners of the active customers (none for prospects)."""
    owner = np.full(ctx.n, -1, dtype=np.int64)
    active = ctx.made["status"] == ACTIVE
    owner[active] = draw_owners(ctx.emp, ctx.params, int(active.sum()), ctx.rng)
    return owner


def _shift_owner(ctx: Context, owner: np.ndarray) -> np.ndarray:
    """A merged-in customer's owner, among the employees appended after ours."""
    return np.where(owner >= 0, owner + ctx.offset, owner)


def _name_of(names):
    return lambda value, model: names[int(value)]


def _step_or_none(value, model):
    return int(value) if value >= 0 else None


# Every attribute of customers and prospects, in the order their initial values are
# drawn. Customers start in a settled state: tenure spread over years, satisfaction
# around neutral, relationship partly built; which nodes of the network are customers
# is drawn at random, the rest are prospects.
CUSTOMER_STATE = (
    Attr("status", np.int8, _status, view="status", show=_name_of(STATUS_NAMES),
         doc="prospect, active, churned or out of market; churned customers never return; out of market is a prospect removed by an event (a substitute)"),
    Attr("switching_cost", F, _switching, doc="0-1, fixed per customer (Beta around switching_cost)"),
    Attr("value", F, _value, doc="revenue while active, money / week; fixed per customer (log-normal, mean value_mean)"),
    Attr("expectation", F, _expectation, on_acquire=_expectation,
         doc="0-1, what the customer expects from a week with the firm"),
    Attr("satisfaction", F,
         lambda ctx: np.clip(ctx.rng.normal(NEUTRAL_SATISFACTION, 0.1, ctx.n), 0, 1),
         on_acquire=lambda ctx: np.clip(ctx.rng.normal(NEUTRAL_SATISFACTION, 0.05, ctx.n), 0, 1),
         doc="0-1, remembered satisfaction"),
    Attr("relationship", F, lambda ctx: np.clip(ctx.rng.normal(0.4, 0.1, ctx.n), 0, 1),
         on_acquire=NEW_RELATIONSHIP, doc="0-1, relationship strength with the account owner"),
    Attr("tenure", F,
         lambda ctx: np.where(ctx.made["status"] == ACTIVE, ctx.rng.exponential(150.0, ctx.n), 0.0),
         on_acquire=0.0, doc="weeks as a customer (recorded, not used by any mechanism)"),
    Attr("b2b", bool, lambda ctx: ctx.rng.random(ctx.n) < ctx.params["b2b_share"],
         doc="a business customer with a key contact of its own (drawn with b2b_share); used by events only"),
    Attr("owner", np.int64, _owners, view=None, on_merge=_shift_owner,
         on_acquire=lambda ctx: draw_owners(ctx.emp, ctx.params, ctx.n, ctx.rng),
         doc="account owner (a sales employee's index), -1 if none"),
    Attr("cause", np.int8, -1, view="churn_cause",
         show=lambda value, model: model.causes[value] if value >= 0 else None,
         doc="why the customer left: index into model.causes (base and event causes), -1 if not"),
    Attr("churn_step", np.int32, -1, view="churned_at", show=_step_or_none,
         doc="week the customer left, -1 if not"),
    Attr("open_contact", bool, False, on_churn=False, doc="an unresolved request is pending"),
    Attr("open_dept", np.int8, 0, view=None,
         doc="department (0-5) whose knowledge the pending request needs"),
    Attr("open_since", np.int32, 0, view=None, doc="week the pending request was first raised"),
    Attr("silent_problem", bool, False, on_churn=False,
         doc="living with a product fault the customer never raised; the firm does not know (section 7.3.1)"),
    Attr("wom", F, 0.0, view="word_of_mouth", doc="-1 to 1, word-of-mouth score: messages heard, fading"),
    Attr("exposure", F, 0.0, doc="0-1, recent defection of a network neighbour, fading"),
    Attr("initial", bool, lambda ctx: ctx.made["status"] == ACTIVE, on_merge=False,
         doc="active at week 0: the retention cohort"),
    Attr("last_contact", np.int32, -1, view=None,
         doc="week of the last contact with the firm, -1 if none"),
    Attr("unit", np.int8, 0, on_merge=1, doc="legacy unit: 1 for an acquired firm's customers until its integration ends (section 7.13.3), else 0"),
)


class Customers(Population):
    """State of every customer and prospect; index i is node i of the social network.
    The attributes are those of the model's ``customer_state`` (CUSTOMER_STATE)."""


def create_customers(params: dict, emp: Employees, rng: np.random.Generator,
                     schema: tuple = CUSTOMER_STATE) -> Customers:
    """Customers and prospects of a new firm (or of one a merger brings in)."""
    n = params["n_customers"] + params["n_prospects"]
    return Customers.create(schema, Context(n, params, rng, extra={"emp": emp}))


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


def lose_owners(c: Customers, employees: np.ndarray, params: dict, record: float) -> None:
    """Accounts of employees who left pass to whoever takes their place; the part of
    the relationship not kept in the shared record (``record``: what it holds now) is
    lost."""
    if len(employees) == 0:
        return
    # a lookup table instead of np.isin, which sorts the whole population's owners;
    # owner -1 (none) reads its last entry, never set
    leaver = np.zeros(max(int(c.owner.max(initial=-1)), int(employees.max())) + 2, dtype=bool)
    leaver[employees] = True
    hit = leaver[c.owner]
    c.relationship[hit] *= 1.0 - params["relationship_loss"] * (1.0 - record)


def accounts_per_owner(c: Customers, n_employees: int,
                       is_active: np.ndarray | None = None) -> np.ndarray:
    """Number of active accounts each employee owns (a select and a count over all
    customers, no gather: fast when the active ones are scattered)."""
    counts = np.zeros(n_employees + 1, dtype=np.int64)
    for s in blocks(c.n):  # a block at a time: the temporaries stay in the cache
        active = c.status[s] == ACTIVE if is_active is None else is_active[s]
        owner = (c.owner[s] + 1) * active  # 0 counts those without an owner or not active
        counts += np.bincount(owner, minlength=n_employees + 1)
    return counts[1:]


# Net promoter score reads satisfaction as a 0-10 answer: promoters answer 9-10
# (satisfaction >= 0.85), detractors 0-6 (below 0.65); NPS = % promoters - % detractors.
PROMOTER, DETRACTOR = 0.85, 0.65
