"""End-of-run figures and writing a run's results: atomic, byte-identical for the
same scenario and seed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..model import OrganisationModel, ScenarioError
from .atomic import TMP, clean_leftovers, write_folder
from .extensions import class_name
from ..model.params import DEFAULTS

WEEKS_PER_YEAR = 52
# The end-of-run figures, in the order end_of_run gives them.
END_METRICS = (
    "weeks", "active_customers_start", "active_customers", "retention", "annual_churn_rate",
    "churned", *(f"churn_{c}" for c in OrganisationModel.causes), "acquired", "acquired_marketing",
    "acquired_wom", "mean_satisfaction", "nps", "revenue_per_week", "revenue_total",
    "customer_lifetime_value", "profit_total", "customer_lifetime_profit",
    "failure_demand_share", "first_contact_resolution",
    "mean_wait_weeks", "employee_turnover", "product_fault_rate",
)
DISCOUNT_PER_YEAR = 0.10  # for customer lifetime value; a common corporate hurdle rate


def end_of_run(ts: pd.DataFrame, causes: tuple[str, ...],
               params: dict[str, Any] | None = None, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Headline figures of a run from its weekly time series (row 0 is the start).

    Annual churn rate and customer lifetime value use the last 52 weeks (or the whole
    run if shorter): churn rate = churners / mean active customers, scaled to a year;
    CLV = revenue per customer-week / (weekly churn rate + weekly discount rate).
    Customer lifetime profit (Reichheld & Sasser 1990's customer value) = (gross margin
    x revenue - contact cost x contacts) per customer-week / (weekly churn rate +
    weekly discount rate) - acquisition cost; ``params`` give the three economics
    parameters (their defaults if None). ``extra`` columns (an extension's reporters)
    give their value in the last week."""
    col = _columns(ts)
    start = max(1, len(ts) - WEEKS_PER_YEAR)  # the window: the last year (row 0 is the start)

    def last(name: str) -> float:
        return float(col(name)[-1])

    def window(name: str) -> np.ndarray:
        return col(name)[start:]

    def body(name: str) -> np.ndarray:
        return col(name)[1:]

    n_window = len(ts) - start
    weeks = max(n_window, 1)
    mean_active = _mean(window("active_customers")) if n_window else 0.0
    weekly_churn = float(_sum(window("churned"))) / max(mean_active, 1e-9) / weeks
    customer_weeks = max(float(_sum(window("active_customers"))), 1e-9)
    value_per_week = float(_sum(window("revenue"))) / customer_weeks
    weekly_discount = (1 + DISCOUNT_PER_YEAR) ** (1 / WEEKS_PER_YEAR) - 1
    econ = {k: (params or DEFAULTS)[k] for k in ("gross_margin", "contact_cost", "acquisition_cost")}
    margin_per_week = (econ["gross_margin"] * value_per_week
                       - econ["contact_cost"] * float(_sum(window("contacts"))) / customer_weeks)
    has_body = len(ts) > 1
    out = {
        "weeks": int(last("step")),
        "active_customers_start": int(col("active_customers")[0]),
        "active_customers": int(last("active_customers")),
        "retention": last("retention"),
        "annual_churn_rate": min(1.0, weekly_churn * WEEKS_PER_YEAR),
        "churned": int(_sum(body("churned"))),
        **{f"churn_{c}": int(_sum(body(f"churn_{c}"))) for c in causes},
        "acquired": int(_sum(body("acquired"))),
        "acquired_marketing": int(_sum(body("acquired_marketing"))),
        "acquired_wom": int(_sum(body("acquired_wom"))),
        "mean_satisfaction": last("mean_satisfaction"),
        "nps": last("nps"),
        "revenue_per_week": last("revenue"),
        "revenue_total": float(_sum(body("revenue"))),
        "customer_lifetime_value": value_per_week / (weekly_churn + weekly_discount),
        "profit_total": float(_sum(body("profit"))),
        "customer_lifetime_profit": (margin_per_week / (weekly_churn + weekly_discount)
                                     - econ["acquisition_cost"]),
        "failure_demand_share": _mean(body("failure_demand_share")) if has_body else 0.0,
        "first_contact_resolution": _mean(body("first_contact_resolution")) if has_body else 0.0,
        "mean_wait_weeks": _mean(body("mean_wait")) if has_body else 0.0,
        "employee_turnover": int(_sum(body("employee_turnover"))),
        "product_fault_rate": last("product_fault_rate"),
    }
    out.update({name: last(name) for name in extra})
    return out


def _columns(ts: pd.DataFrame):
    """A column of ``ts`` as its numpy array, each read once (a Series per use costs
    more than the figure: end_of_run runs once per run of a study)."""
    cache: dict[str, np.ndarray] = {}

    def col(name: str) -> np.ndarray:
        if name not in cache:
            cache[name] = ts[name].to_numpy()
        return cache[name]
    return col


def _sum(a: np.ndarray):
    """Series.sum's value: NaN skipped (pandas fills it with 0), same summation."""
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        if nan.any():
            a = np.where(nan, 0.0, a)
    return a.sum()


def _mean(a: np.ndarray) -> float:
    """Series.mean's value: the sum in float64 over the count of values not NaN."""
    count = len(a)
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        if nan.any():
            a, count = np.where(nan, 0.0, a), int((~nan).sum())
    return float(a.sum(dtype=np.float64) / np.float64(count))


def summary_document(model, version: str) -> dict[str, Any]:
    """What summary.json holds: the scenario as resolved, seed, version, figures."""
    sc = model.scenario
    return {
        "scenario": sc.name,
        "description": sc.description,
        "source": sc.source,
        "presets": list(sc.presets),
        "seed": model.seed_used,
        "steps": int(model.steps),
        "time_unit": "1 step = 1 week",
        "orgsim_version": version,
        "params": sc.params,
        "model": class_name(type(model)),
        "results": end_of_run(model.timeseries(), model.causes, model.params,
                              tuple(model.reporters)),
    }


RUN_FILES = ("timeseries.csv", "summary.json")


def write_run(out: Path, ts: pd.DataFrame, summary: dict[str, Any]) -> None:
    """Write timeseries.csv and summary.json as one folder ``out``, renamed into place
    as a whole (sim.files.atomic.write_folder), so a kill never leaves one run's table
    beside another's summary. An existing ``out`` is replaced only when it holds
    nothing but those two files; what a killed write left beside it is removed."""
    out = Path(out)
    if out.is_dir():
        others = sorted(p.name for p in out.iterdir() if p.name not in RUN_FILES)
        if others:
            raise ScenarioError(f"--out {out} holds other files ({others[0]}"
                                f"{f' and {len(others) - 1} more' if len(others) > 1 else ''}); "
                                "orgsim run writes into a new folder or one it wrote before")
    for prefix in (f"{TMP}{out.name}.", f"{TMP}old.{out.name}."):
        clean_leftovers(out.parent, prefix, exact=True)
    write_folder(out, {
        "timeseries.csv": ts.to_csv(index=False, lineterminator="\n").encode(),
        "summary.json": (json.dumps(summary, indent=2, sort_keys=True) + "\n").encode(),
    })


def human_summary(summary: dict[str, Any], out: Path | None = None) -> str:
    """A few lines a person reads after a run."""
    r = summary["results"]
    causes = ", ".join(f"{k[6:]} {v}" for k, v in r.items()
                       if k.startswith("churn_") and k != "churn_rate")
    lines = [
        f"{summary['scenario']} (seed {summary['seed']}): {r['weeks']} weeks "
        f"({r['weeks'] / WEEKS_PER_YEAR:.1f} years; 1 step = 1 week)",
        f"  customers: {r['active_customers_start']} at the start, {r['active_customers']} now; "
        f"{100 * r['retention']:.1f}% of the starting customers kept",
        f"  churned {r['churned']} ({causes}); annual churn rate {100 * r['annual_churn_rate']:.1f}%",
        f"  acquired {r['acquired']} (marketing {r['acquired_marketing']}, "
        f"word of mouth {r['acquired_wom']})",
        f"  satisfaction {r['mean_satisfaction']:.2f}, NPS {r['nps']:.0f}; failure demand "
        f"{100 * r['failure_demand_share']:.0f}% of contacts; first-contact resolution "
        f"{100 * r['first_contact_resolution']:.0f}%",
        f"  revenue {r['revenue_per_week']:.0f} per week; customer lifetime value "
        f"{r['customer_lifetime_value']:.0f}",
    ]
    if out is not None:
        lines.append(f"  results: {out / 'timeseries.csv'}, {out / 'summary.json'}")
    return "\n".join(lines)
