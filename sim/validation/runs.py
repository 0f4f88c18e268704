"""The simulation runs behind the validation: each is a function of a Job (what to run,
which replication, its seed, how large), so they can go to worker processes and give
the same numbers on one worker or many."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..model.customers import ACTIVE
from ..experiments.design import run_seed
from ..files.results import WEEKS_PER_YEAR, end_of_run
from ..files.scenarios import load_scenario
from .observe import observe, watch_leaving

SEED = 2005  # Grimm et al. 2005, pattern-oriented modelling; every run's seed comes from it
CUSTOMERS_PER_EMPLOYEE = 50  # the defaults' ratio (5,000 customers, 100 employees)
YEARS = 3
MERGER_WEEK = 26
BASS_P, BASS_Q, BASS_WEEKS = 0.03, 0.38, 520  # Sultan, Farley & Lehmann 1990's means


@dataclass(frozen=True)
class Mode:
    """How much to run: the quick mode for CI, the full mode for docs/validation.md."""

    name: str
    replications: int  # of every run kind but the Bass docking
    customers: int     # the baseline observed for the customer-level patterns
    firm_customers: int  # the runs compared at firm level (failure demand, mergers, profit)
    bass_nodes: int
    bass_replications: int


QUICK = Mode("quick", 8, 20_000, 5_000, 50_000, 1)
FULL = Mode("full", 20, 50_000, 10_000, 50_000, 5)


@dataclass(frozen=True)
class Job:
    kind: str       # a key of MEASURE
    variant: str    # which scenario or arm within the kind
    replication: int
    mode: Mode

    @property
    def seed(self) -> int:
        """The same seed for every variant of a replication (common random numbers)."""
        return run_seed(SEED + sorted(MEASURE).index(self.kind), self.replication)


def _scenario(name: str, customers: int, **overrides):
    return load_scenario(name, n_customers=customers, n_prospects=customers,
                         n_employees=max(6, customers // CUSTOMERS_PER_EMPLOYEE), **overrides)


def _model(name: str, customers: int, seed: int, **overrides):
    from ..model.model import OrganisationModel
    return OrganisationModel(_scenario(name, customers, **overrides), rng=seed)


def baseline(job: Job) -> dict:
    """The baseline for three years, observed customer by customer (observe.Tallies);
    problems are followed from week 13 (a quarter to settle) to week 104."""
    weeks = YEARS * WEEKS_PER_YEAR
    model = _model("baseline", job.mode.customers, job.seed)
    return asdict(observe(model, weeks, (13, weeks - WEEKS_PER_YEAR)))


def word_of_mouth(job: Job) -> dict:
    """Tellers and messages, negative and positive, over a year of ``job.variant``."""
    model = _model(job.variant, job.mode.firm_customers, job.seed)
    tellers, messages = np.zeros(2), np.zeros(2)
    for _ in range(WEEKS_PER_YEAR):
        model.step()
        told = model.week.wom
        tellers += (told.tellers_negative, told.tellers_positive)
        messages += (told.negative, told.positive)
    return {"tellers": tellers, "messages": messages}


def failure_demand(job: Job) -> dict:
    """The weekly failure-demand share of ``job.variant`` over three years."""
    model = _model(job.variant, job.mode.firm_customers, job.seed)
    model.run(YEARS * WEEKS_PER_YEAR)
    return failure_demand_of(model.timeseries())


def failure_demand_of(ts) -> dict:
    """The weekly failure-demand share of a run's time series (row 0 is the start) and
    its mean (what pattern 5 and the calibration's target compare)."""
    share = ts["failure_demand_share"].to_numpy()[1:]
    return {"weekly": share, "mean": float(share.mean())}


def merger(job: Job) -> dict:
    """Churn in the year after week MERGER_WEEK: of the customers of a firm with the
    baseline's culture acquired then by a ``job.variant`` acquirer (half its size,
    absorbed over a year), or, for variant 'alone:NAME', of firm NAME's own customers
    with no merger. Churn = customers lost in weeks 27-78 / customers at week 26."""
    return merger_churn(job.variant, job.mode.firm_customers, job.seed)


class YearAfterMerger:
    """The churn of some customers in the year after week MERGER_WEEK (weeks 27-78),
    followed week by week: ``start(who)`` when week MERGER_WEEK is over, then
    ``add(p)`` after each of the year's weeks with the week's probabilities of leaving
    (observe.leave_probability); ``__call__(model, p)`` does both for a firm's own
    customers (an ``observe`` after_week, so the observed run measures them too)."""

    def __init__(self):
        self.who: np.ndarray | None = None
        self.expected = 0.0

    def start(self, who: np.ndarray) -> None:
        self.who = who

    def add(self, p: np.ndarray) -> None:
        self.expected += float(p[self.who].sum())

    def __call__(self, model, p: np.ndarray) -> None:
        if model.steps == MERGER_WEEK:
            self.start(np.flatnonzero(model.cust.status == ACTIVE))
        elif self.who is not None and model.steps <= MERGER_WEEK + WEEKS_PER_YEAR:
            self.add(p)

    def result(self, model) -> dict:
        """``churn``, the share lost, and ``expected``, the share expected to be lost:
        the sum over the year's weeks of those customers' own probabilities of leaving
        that week, whose expectation is the churn's, without the coin tosses' noise."""
        step = model.cust.churn_step[self.who]
        lost = np.count_nonzero((step > MERGER_WEEK) & (step <= MERGER_WEEK + WEEKS_PER_YEAR))
        n = max(len(self.who), 1)
        return {"churn": lost / n, "expected": self.expected / n, "customers": len(self.who)}


def merger_churn(variant: str, customers: int, seed: int, **overrides) -> dict:
    """merger()'s measurement for one firm of ``customers`` customers and ``seed``,
    with parameter ``overrides`` (the calibration's draws): YearAfterMerger.result."""
    alone = variant.startswith("alone:")
    model = _model(variant.removeprefix("alone:"), customers, seed, **overrides)
    p_leave = watch_leaving(model)
    model.run(MERGER_WEEK)
    follow = YearAfterMerger()
    if alone:
        follow.start(np.flatnonzero(model.cust.status == ACTIVE))
    else:
        start = model.cust.n
        model.trigger("merger", size=0.5, silo_barrier=0.5, reward_mix=0.5)
        who = np.arange(start, model.cust.n)
        follow.start(who[model.cust.status[who] == ACTIVE])
    for _ in range(WEEKS_PER_YEAR):
        model.step()
        follow.add(p_leave["p"])
    return follow.result(model)


def bass(job: Job) -> dict:
    """A substitute spreading with full mixing over ``bass_nodes`` nodes for ten years,
    and the Bass equation's adopted share at the same weeks."""
    n = job.mode.bass_nodes // 2
    model = _model("baseline", n, job.seed)
    model.trigger("substitute", p=BASS_P, q=BASS_Q, mixing="full")
    model.run(BASS_WEEKS - 1)
    simulated = np.array(model.events.substitute.history)
    t = np.arange(1, len(simulated) + 1) / WEEKS_PER_YEAR
    e = np.exp(-(BASS_P + BASS_Q) * t)
    equation = (1 - e) / (1 + (BASS_Q / BASS_P) * e)
    return {"simulated": simulated, "equation": equation,
            "max_gap": float(np.max(np.abs(simulated - equation)))}


PROFIT_DROP = 0.05  # Reichheld & Sasser 1990: defections cut by 5 points
CALIBRATION_SEEDS = (101, 102, 103)


def _late_churn(params: dict) -> float:
    """The annual churn rate over the last year of three (end_of_run's), mean of the
    calibration seeds: the same measure the two arms are compared on."""
    from ..model.batch import run_many, run_params
    from ..model.model import OrganisationModel
    from ..files.scenarios import Scenario

    scenario = Scenario("calibration", params)
    frames = run_many(OrganisationModel, [scenario] * len(CALIBRATION_SEEDS),
                      list(CALIBRATION_SEEDS), YEARS * WEEKS_PER_YEAR)
    full = run_params(OrganisationModel, scenario)
    rates = [end_of_run(ts, OrganisationModel.causes, full)["annual_churn_rate"] for ts in frames]
    return float(np.mean(rates))


def profit(job: Job) -> dict:
    """The baseline against the same firm with its base hazards scaled (as a client
    file's churn is calibrated) so that it defects PROFIT_DROP less a year; every
    replication of both arms, one after the other (the scale is found once)."""
    from ..files.client import calibrate_churn, scaled_churn
    from ..model.batch import run_many, run_params
    from ..model.model import OrganisationModel

    base = _scenario("baseline", job.mode.firm_customers)
    target = _late_churn(base.params) - PROFIT_DROP
    scale = calibrate_churn(base.params, target, "validation", tol=0.001, measure=_late_churn)
    arms = {"baseline": base, "fewer defections": base.with_overrides(
        "validation", **scaled_churn(base.params, scale))}
    out = {}
    for name, scenario in arms.items():
        n = job.mode.replications
        frames = run_many(OrganisationModel, [scenario] * n, [run_seed(SEED, r) for r in range(n)],
                          YEARS * WEEKS_PER_YEAR)
        full = run_params(OrganisationModel, scenario)
        rows = [end_of_run(ts, OrganisationModel.causes, full) for ts in frames]
        out[name] = {k: [row[k] for row in rows] for k in
                     ("annual_churn_rate", "customer_lifetime_profit", "profit_total", "revenue_total")}
    return out


# the reward schemes the multitask pattern compares, with the effort choice running or frozen
MULTITASK = {"volume": dict(reward_mix=0.0), "value": dict(reward_mix=1.0),
             "volume frozen": dict(reward_mix=0.0, effort_adapt=0.0),
             "value frozen": dict(reward_mix=1.0, effort_adapt=0.0)}


def multitask(job: Job) -> dict:
    """The baseline under a pure volume or a pure customer-value bonus (``job.variant``,
    MULTITASK), with employees choosing their effort or not: customers won in year one,
    starting customers kept after three years, sales' selling share and the customers'
    relationship at the end."""
    model = _model("baseline", job.mode.firm_customers, job.seed, **MULTITASK[job.variant])
    model.run(YEARS * WEEKS_PER_YEAR)
    ts = model.timeseries()
    return {"acquired_year1": int(ts["acquired"].iloc[1:WEEKS_PER_YEAR + 1].sum()),
            "retention": float(ts["retention"].iloc[-1]),
            "selling_share": float(ts["selling_share"].iloc[1:].mean()),
            "relationship": float(ts["mean_relationship"].iloc[-1]),
            "weekly_selling": ts["selling_share"].to_numpy()[1:]}


MEASURE = {"baseline": baseline, "word_of_mouth": word_of_mouth,
           "failure_demand": failure_demand, "merger": merger, "bass": bass, "profit": profit,
           "multitask": multitask}


def measure(job: Job) -> tuple[Job, dict]:
    """Run one job (in a worker process or here); returns it with its result."""
    return job, MEASURE[job.kind](job)
