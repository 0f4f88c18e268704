"""The numbers a comparison report states, computed from the comparison's own tables
(runs.parquet, timeseries.parquet), never typed in: estimates with 95% intervals,
paired differences between scenarios, churn by cause, and what each event cost."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..experiments.intervals import SHARES, share_interval  # noqa: F401  (used by others)
from ..experiments.store import t_quantile
from ..files.results import WEEKS_PER_YEAR

CAUSE_WORDS = {"dissatisfaction": "dissatisfaction", "competitor": "competitor",
               "contagion": "contagion (following a neighbour who left)",
               "key_person": "key-person", "contact_change": "changed-contact",
               "merger": "merger", "substitute": "substitute", "viral": "viral-complaint"}
RECOVERED = 0.1  # "over" once the effect is below a tenth of its peak
SMOOTH_WEEKS = 4  # weekly churn is noisy: a four-week rolling mean before judging it over


@dataclass(frozen=True)
class Estimate:
    """Mean of independent replications with its 95% t-interval."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values) -> "Estimate":
        x = np.asarray(values, dtype=float)
        n = len(x)
        if n == 0:
            return cls(math.nan, math.nan, math.nan, 0)
        m = float(x.mean())
        if n < 2:
            return cls(m, math.nan, math.nan, n)
        half = t_quantile(n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
        return cls(m, m - half, m + half, n)

    @classmethod
    def of_share(cls, values) -> "Estimate":
        """Mean of replications of a share (each in [0, 1]) with a 95% interval that stays
        in [0, 1]: the t-interval made on the logit scale by the delta method,
        logit(m) +- t * se / (m (1 - m)), and taken back. It has the t-interval's width
        near the middle and narrows towards a bound instead of crossing it. Values
        outside [0, 1] get the plain t-interval."""
        x = np.asarray(values, dtype=float)
        e = cls.of(x)
        if e.n < 2 or not (np.all(x >= 0) and np.all(x <= 1)):
            return e
        return cls(e.mean, *share_interval(e.mean, (e.high - e.mean), e.n), e.n)

    @classmethod
    def over_posterior(cls, values, units, replications: int, share: bool = False) -> "Estimate":
        """Mean over runs at posterior draws (unit u is draw u // R - 1, seed u % R)
        with the 95% interval of sim.experiments.uncertainty: the spread over the
        draws and the seed noise in quadrature; for a share, made on the logit scale
        like ``of_share``."""
        from ..experiments.uncertainty import half_width

        x = np.asarray(values, dtype=float)
        u = np.asarray(units, dtype=int)
        if len(x) == 0:
            return cls(math.nan, math.nan, math.nan, 0)
        m = float(x.mean())
        half = half_width(x, u // replications - 1, u % replications)
        if share and np.all(x >= 0) and np.all(x <= 1):
            return cls(m, *share_interval(m, half, len(x)), len(x))
        return cls(m, m - half, m + half, len(x))

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass
class ScenarioNumbers:
    name: str
    label: str
    description: str
    metrics: dict[str, Estimate]
    churn: dict[str, Estimate]  # customers lost per run, by cause


@dataclass
class EventEffect:
    """What one event cost a scenario, against its twin without the event (same seeds).

    dip: the largest shortfall of active customers, as a share of those the firm had
    when the event struck; churn_weeks: weeks until the extra churn had fallen below a
    tenth of its peak (None: not within the run); regained_weeks: weeks until the
    shortfall was back below a tenth of the dip (None: not within the run); gap_end:
    the shortfall at the end of the run."""

    scenario: str
    label: str
    index: int  # the event's place in its scenario's list (its twin is run without it)
    kind: str
    at: int
    dip: Estimate
    churn_weeks: int | None
    regained_weeks: int | None
    gap_end: Estimate
    weeks_after: int


@dataclass
class Posterior:
    """What running over a posterior adds: where the draws came from, the share of
    draws where the best scenario (by retention over the posterior) keeps more
    customers, earns more profit, and both, than the worst (each draw's paired
    difference averaged over its seeds), and the numbers of the scenarios as given."""

    path: str
    draws: int
    parameters: list[str]
    keeps_more: float
    earns_more: float
    both: float
    profit_gap: Estimate       # best minus worst, total profit
    before: "Numbers"          # the scenarios as given: seed noise only
    before_gap: Estimate       # best minus worst (the posterior's two), retention, as given
    before_profit_gap: Estimate


@dataclass
class Numbers:
    steps: int
    replications: int
    scenarios: list[ScenarioNumbers]
    ranking: list[str]                       # names, most retained first
    retention_gap: Estimate                  # best minus worst, paired by replication
    cause_gap: dict[str, Estimate]           # worst minus best, customers lost per run
    failure_gap: Estimate                    # worst minus best, failure-demand share
    events: list[EventEffect] = field(default_factory=list)
    posterior: Posterior | None = None

    @property
    def years(self) -> float:
        return self.steps / WEEKS_PER_YEAR

    def by_name(self, name: str) -> ScenarioNumbers:
        return next(s for s in self.scenarios if s.name == name)


def _wide_pair(runs: pd.DataFrame, a: str, b: str, metric: str) -> pd.DataFrame:
    return runs.pivot(index="replication", columns="scenario", values=metric)[[a, b]].dropna()


def _paired(runs: pd.DataFrame, a: str, b: str, metric: str, over: int | None = None) -> Estimate:
    """Estimate of a - b over replications that both scenarios finished; ``over`` (R)
    for runs over a posterior (``Estimate.over_posterior``)."""
    wide = _wide_pair(runs, a, b, metric)
    if over is not None:
        return Estimate.over_posterior(wide[a] - wide[b], wide.index, over)
    return Estimate.of(wide[a] - wide[b])


IDENT = ("index", "scenario", "event", "replication", "draw", "seed", "arm")


def compute(doc: dict, runs: pd.DataFrame, ts: pd.DataFrame) -> Numbers:
    """Every number of the report from comparison.json's document and the two tables.
    Over a posterior (runs with a column 'draw'), the numbers are over the draws and
    ``posterior`` holds the shares and the scenarios as given (draw -1)."""
    if "draw" not in runs.columns:
        return _compute(doc, runs, ts)
    r = int(doc["replications"])
    nb = _compute(doc, runs[runs["draw"] >= 0], ts[ts["draw"] >= 0], over=r)
    before = _compute(doc, runs[runs["draw"] == -1], ts[ts["draw"] == -1])
    main = runs[(runs["event"] == -1) & (runs["draw"] >= 0)]
    given = runs[(runs["event"] == -1) & (runs["draw"] == -1)]
    best, worst = nb.ranking[0], nb.ranking[-1]
    draw_of = lambda index: np.asarray(index) // r - 1  # noqa: E731
    kept = _wide_pair(main, best, worst, "retention")
    earned = _wide_pair(main, best, worst, "profit_total")
    d_kept = pd.Series((kept[best] - kept[worst]).to_numpy()).groupby(draw_of(kept.index)).mean()
    d_earned = pd.Series((earned[best] - earned[worst]).to_numpy()).groupby(draw_of(earned.index)).mean()
    post = doc["posterior"]
    nb.posterior = Posterior(post["path"], int(post["draws"]), list(post["parameters"]),
                             float((d_kept > 0).mean()), float((d_earned > 0).mean()),
                             float(((d_kept > 0) & (d_earned > 0)).mean()),
                             _paired(main, best, worst, "profit_total", r), before,
                             _paired(given, best, worst, "retention"),
                             _paired(given, best, worst, "profit_total"))
    return nb


def _compute(doc: dict, runs: pd.DataFrame, ts: pd.DataFrame, over: int | None = None) -> Numbers:
    main = runs[runs["event"] == -1]
    causes = [c[6:] for c in main.columns if c.startswith("churn_")]

    def est(g: pd.DataFrame, m: str) -> Estimate:
        if over is not None:
            return Estimate.over_posterior(g[m], g["replication"], over, share=m in SHARES)
        return (Estimate.of_share if m in SHARES else Estimate.of)(g[m])

    scenarios = []
    for s in doc["scenarios"]:
        g = main[main["scenario"] == s["name"]]
        metrics = {m: est(g, m) for m in main.columns if m not in IDENT}
        churn = {c: est(g, f"churn_{c}") for c in causes}
        scenarios.append(ScenarioNumbers(s["name"], s["label"], s["description"], metrics, churn))
    ranking = [s.name for s in sorted(scenarios, key=lambda s: -s.metrics["retention"].mean)]
    best, worst = ranking[0], ranking[-1]
    cause_gap = {c: _paired(main, worst, best, f"churn_{c}", over) for c in causes}
    events = [effect for s in doc["scenarios"] for j, e in enumerate(s["events"])
              if (effect := event_effect(ts, s, j, e, doc["steps"])) is not None]
    return Numbers(doc["steps"], doc["replications"], scenarios, ranking,
                   _paired(main, best, worst, "retention", over), cause_gap,
                   _paired(main, worst, best, "failure_demand_share", over), events)


def _wide(ts: pd.DataFrame, name: str, event: int, col: str) -> pd.DataFrame:
    g = ts[(ts["scenario"] == name) & (ts["event"] == event)]
    return g.pivot(index="replication", columns="step", values=col)


def _first_below(curve: np.ndarray, start: int, level: float) -> int | None:
    hit = np.flatnonzero(curve[start:] <= level)
    return int(hit[0]) + start if len(hit) else None


def event_effect(ts: pd.DataFrame, scenario: dict, j: int, event: dict,
                 steps: int) -> EventEffect | None:
    """Dip and recovery of ``event`` (the j-th of ``scenario``) from the time series of
    the scenario and of its twin without the event; None if a twin's runs are missing."""
    at = int(event["at"])
    main = _wide(ts, scenario["name"], -1, "active_customers")
    twin = _wide(ts, scenario["name"], j, "active_customers")
    reps = main.index.intersection(twin.index)
    if len(reps) == 0:
        return None
    main, twin = main.loc[reps].to_numpy(float), twin.loc[reps].to_numpy(float)
    base = np.maximum(twin[:, at], 1.0)[:, None]
    gap = (twin - main)[:, at:] / base  # share of the customers at the event
    dip = Estimate.of_share(np.maximum(gap.max(axis=1), 0.0))
    curve = gap.mean(axis=0)
    peak = int(np.argmax(curve))
    regained = _first_below(curve, peak, RECOVERED * curve[peak]) if curve[peak] > 0 else None
    extra = (_wide(ts, scenario["name"], -1, "churned").loc[reps].to_numpy(float)
             - _wide(ts, scenario["name"], j, "churned").loc[reps].to_numpy(float))[:, at:]
    smooth = pd.Series(extra.mean(axis=0)).rolling(SMOOTH_WEEKS, min_periods=1).mean().to_numpy()
    churn_weeks = None
    if smooth.max() > 0:
        top = int(np.argmax(smooth))
        churn_weeks = _first_below(smooth, top, RECOVERED * smooth[top])
    return EventEffect(scenario["name"], scenario["label"], j, event["kind"], at, dip, churn_weeks,
                       regained, Estimate.of(gap[:, -1]), steps - at)
