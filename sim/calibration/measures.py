"""What a calibration observes in a simulated firm: each measure turns one particle's
runs into the number its target is compared with.

The runs a particle needs are grouped by kind, each made once however many targets
read it:

- ``series``: the firm (the targets file's preset with the particle's values) for the
  file's weeks, its weekly time series (``model.timeseries()``), made through
  ``run_many`` so that a batched implementation runs them together;
- ``observed``: the same firm watched week by week as the validation watches it
  (``sim.validation.observe``: contagion, word of mouth, complaints); its time series
  then stands in for ``series``;
- ``silos``: the product_centric preset with the particle's values (pattern 5's failure
  demand under high silos and a low mandate), through ``run_many``;
- ``merger``: pattern 7's two firms (alone, and acquired by a baseline acquirer).

Every number is computed by the validation's own code (sim.validation.patterns,
runs, observe), so a target means what the pattern means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ..files.results import WEEKS_PER_YEAR

SERIES, OBSERVED, SILOS, MERGER = "series", "observed", "silos", "merger"
COHORT_START = 13  # weeks: observe's cohorts begin after a quarter to settle (runs.baseline)


def _run_many(model_class, scenarios, seeds, steps) -> list[pd.DataFrame]:
    """Run each scenario with its seed for ``steps`` weeks; their time series.
    ``sim.model.batch.run_many`` (many small runs in one vectorised state) when this
    tree has it, else one after another."""
    try:
        from ..model.batch import run_many  # type: ignore[attr-defined]
    except ImportError:
        out = []
        for scenario, seed in zip(scenarios, seeds):
            model = model_class(scenario, rng=int(seed))
            model.run(steps)
            out.append(model.timeseries())
        return out
    return run_many(model_class, scenarios, seeds, steps)


@dataclass(frozen=True)
class Measure:
    """One observable: the run kind it reads and how it is computed (``at``: a week,
    for the measures that take one)."""

    name: str
    kind: str
    doc: str
    fn: Callable
    unit: str = ""
    takes_week: bool = False


def _yearly(ts: pd.DataFrame, column: str, per: str | None = None) -> float:
    """Mean over the run's whole years of the year's sum of ``column`` (over the mean of
    ``per`` in that year, if given); a run shorter than a year is scaled to one."""
    rows = ts.iloc[1:]
    years = max(len(rows) // WEEKS_PER_YEAR, 1)
    span = min(len(rows), WEEKS_PER_YEAR)
    values = []
    for y in range(years):
        part = rows.iloc[span * y: span * (y + 1)]
        total = part[column].sum() * WEEKS_PER_YEAR / len(part)
        values.append(total / max(part[per].mean(), 1.0) if per else total)
    return float(np.mean(values))


def annual_churn(ts, **_) -> float:
    """Customers lost in a year over the year's mean active customers (pattern 1's
    measure), the mean of the run's years."""
    return _yearly(ts, "churned", "active_customers")


def nps(ts, **_) -> float:
    """Net promoter score at the end of the run (promoters minus detractors, in points)."""
    return float(ts["nps"].iloc[-1])


def contacts_per_customer_year(ts, **_) -> float:
    return _yearly(ts, "contacts", "active_customers")


def complaint_rate(ts, **_) -> float:
    """Complaints taken to management (formal complaints) per customer a year."""
    return _yearly(ts, "escalated", "active_customers")


def failure_demand_share(ts, **_) -> float:
    """Mean weekly share of repeat and fault contacts (pattern 5's measure)."""
    from ..validation.runs import failure_demand_of
    return failure_demand_of(ts)["mean"]


def survival(ts, at: int, **_) -> float:
    """Share of the customers of the start still active ``at`` weeks later."""
    return float(ts["retention"].iloc[min(at, len(ts) - 1)])


def contagion_hazard_ratio(tallies, **_) -> float:
    """Pattern 2's hazard ratio over weeks 1-4 after a neighbour's defection, the
    validation's Mantel-Haenszel ratio (sim.validation.patterns.hazard_ratio) over the
    defections expected in each class (``Tallies.expected``: the customer-weeks' own
    probabilities of leaving) rather than those drawn: the same quantity, without the
    coin tosses' noise (a departure count and the sum of its weekly probabilities have
    the same expectation); NaN when no customer-week was in one of the two classes
    (the fit rejects a particle with a value that is not finite)."""
    from ..validation.patterns import WINDOWS, hazard_ratio

    rr = hazard_ratio(np.asarray(tallies.at_risk), np.asarray(tallies.expected), *WINDOWS[0])
    return float(rr.ratio)


def wom_ratio(tallies, **_) -> float:
    """Pattern 3: people told per dissatisfied teller over per satisfied teller."""
    from ..validation.patterns import _told_ratio
    value = _told_ratio(tallies.tellers, tallies.messages)
    return float(value) if np.isfinite(value) else 0.0


def complaints_raised(tallies, **_) -> float:
    """Pattern 4: share of product faults raised with the front line."""
    return float(tallies.raised / max(tallies.faults, 1))


def complaints_to_management(tallies, **_) -> float:
    """Pattern 4: share of those who raised a fault who took it to management."""
    return float(tallies.to_management / max(tallies.raised, 1))


def merger_churn_ratio(pair, **_) -> float:
    """Pattern 7: churn of acquired customers in the year after the merger over the
    churn of the acquirer's own customers with no merger, same seed; each churn is the
    one expected from the customers' own weekly probabilities of leaving
    (``merger_churn``'s ``expected``: the same quantity as the customers lost, without
    the coin tosses' noise)."""
    alone, merged = pair
    return float(merged["expected"] / max(alone["expected"], 1.0 / max(alone["customers"], 1)))


MEASURES: dict[str, Measure] = {m.name: m for m in (
    Measure("annual_churn", SERIES, "share of customers lost a year", annual_churn, "per year"),
    Measure("nps", SERIES, "net promoter score at the end of the run", nps, "points"),
    Measure("contacts_per_customer_year", SERIES, "contacts per customer a year",
            contacts_per_customer_year, "per customer-year"),
    Measure("complaint_rate", SERIES, "complaints taken to management per customer a year",
            complaint_rate, "per customer-year"),
    Measure("failure_demand_share", SERIES, "repeat and fault contacts' share of all contacts",
            failure_demand_share, "share"),
    Measure("survival", SERIES, "share of today's customers still active after `week` weeks",
            survival, "share", takes_week=True),
    Measure("contagion_hazard_ratio", OBSERVED, "defection hazard ratio in the month after a "
            "neighbour's defection (pattern 2)", contagion_hazard_ratio, "x"),
    Measure("wom_ratio", OBSERVED, "people told per dissatisfied over per satisfied teller "
            "(pattern 3)", wom_ratio, "x"),
    Measure("complaints_raised", OBSERVED, "share of faults raised with the front line "
            "(pattern 4)", complaints_raised, "share"),
    Measure("complaints_to_management", OBSERVED, "share of raised faults taken to management "
            "(pattern 4)", complaints_to_management, "share"),
    Measure("failure_demand_silos", SILOS, "failure-demand share of the same firm organised "
            "product_centric (pattern 5)", failure_demand_share, "share"),
    Measure("merger_churn_ratio", MERGER, "acquired customers' churn in the year after a merger "
            "over the baseline's (pattern 7)", merger_churn_ratio, "x"),
)}


KINDS = (SERIES, OBSERVED, SILOS, MERGER)


@dataclass(frozen=True)
class Setting:
    """The simulated firm of a calibration: its preset, size and length; ``sizes``
    gives some run kinds their own number of customers (``(kind, customers)`` pairs),
    the others run with ``customers``. A kind's size sets its measures' run-to-run
    noise, which should stay below its targets' sd (else, at temperature 1, the
    acceptance falls with the noise's square over the sd's)."""

    preset: str
    customers: int
    weeks: int
    sizes: tuple[tuple[str, int], ...] = ()

    def customers_of(self, kind: str) -> int:
        """The firm size of the runs of ``kind``; ``series`` is read from the observed
        run when there is one, so it has that run's size."""
        return dict(self.sizes).get(kind, self.customers)


def simulate(params: dict, seed: int, targets, setting: Setting) -> dict[str, float]:
    """One particle: the runs its targets need, with ``params`` over the preset's values,
    and every target's simulated value, by target key. The merger's firm alone is the
    observed firm when that is the baseline of the same size, same seed (the same run:
    observing draws no random numbers), so it is measured in the observed run."""
    from ..model.model import OrganisationModel
    from ..validation.observe import observe
    from ..validation.runs import (MERGER_WEEK, YearAfterMerger, _model, _scenario,
                                   merger_churn)

    kinds = {MEASURES[t.measure].kind for t in targets}
    got: dict[str, object] = {}
    alone = None
    if OBSERVED in kinds:
        if (MERGER in kinds and setting.preset == "baseline"
                and setting.customers_of(MERGER) == setting.customers_of(OBSERVED)
                and setting.weeks >= MERGER_WEEK + WEEKS_PER_YEAR):
            alone = YearAfterMerger()
        model = _model(setting.preset, setting.customers_of(OBSERVED), seed, **params)
        got[OBSERVED] = observe(model, setting.weeks,
                                (COHORT_START, setting.weeks - WEEKS_PER_YEAR), alone)
        got[SERIES] = model.timeseries()
        if alone is not None:
            alone = alone.result(model)
    batch = [k for k in (SERIES, SILOS) if k in kinds and k not in got]
    if batch:
        presets = {SERIES: setting.preset, SILOS: "product_centric"}
        scenarios = [_scenario(presets[k], setting.customers_of(k), **params) for k in batch]
        for k, ts in zip(batch, _run_many(OrganisationModel, scenarios, [seed] * len(batch),
                                          setting.weeks)):
            got[k] = ts
    if MERGER in kinds:
        n = setting.customers_of(MERGER)
        got[MERGER] = (alone or merger_churn("alone:baseline", n, seed, **params),
                       merger_churn("baseline", n, seed, **params))
    return {t.key: float(MEASURES[t.measure].fn(got[MEASURES[t.measure].kind], at=t.week))
            for t in targets}
