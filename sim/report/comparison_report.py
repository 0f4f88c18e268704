"""The report of a comparison folder (``orgsim compare``): finding, figures, events,
assumptions and how to reproduce it, all from the folder's own files."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import pandas as pd

from .. import __version__
from ..model.params import PARAMS
from . import charts
from .document import Figure, Heading, PageBreak, Para, Report, Table, show_value
from .finding import EVENT_WORDS, finding, pct, pct_ci, years_text
from .numbers import CAUSE_WORDS, Numbers, compute
from .text import LABEL_MAX, TITLE_MAX, check_printable, short

ORIGIN_WORDS = {"client": "from the client", "derived": "derived from the client's size",
                "calibrated": "calibrated to the client's churn today",
                "preset": "from the preset", "default": "default"}


def load(folder: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    doc = json.loads((folder / "comparison.json").read_text())
    return doc, pd.read_parquet(folder / "runs.parquet"), pd.read_parquet(folder / "timeseries.parquet")


def build(folder: Path) -> Report:
    """The whole report of the comparison in ``folder`` (figures drawn into figures/)."""
    doc, runs, ts = load(folder)
    labels = [s["label"] for s in doc["scenarios"]]
    client = doc.get("client")
    check_printable([*labels, doc["question"] or "", *(s["description"] for s in doc["scenarios"]),
                     client["name"] if client else ""], f"{folder}: the report")  # before drawing
    nb = compute(doc, runs, ts)
    if nb.posterior is not None:  # the figures show the runs over the posterior
        ts = ts[ts["draw"] >= 0]
    figs = charts.draw(ts, nb, folder / "figures")
    question = doc["question"] or (f"How many of its customers does each organisation keep over "
                                   f"{years_text(nb.years)}, and why?")
    title = (f"{client['name']}: how the organisation shapes retention" if client else
             "How the organisation shapes retention")
    rep = Report(title=title, subtitle=short(" versus ".join(labels), 2 * TITLE_MAX),
                 question=question, facts=[
        ("Scenarios", "; ".join(f"{s['label']}: {s['description']}" for s in doc["scenarios"])),
        ("Runs", f"{doc['replications']} replications of each, {doc['steps']} weeks "
                 f"({years_text(nb.years)}), the same seeds in every scenario" + (
                     f"; at each of {nb.posterior.draws} parameter sets drawn from the posterior "
                     f"{nb.posterior.path} and with the parameters as given"
                     if nb.posterior else "")),
        ("Made", f"{time.strftime('%Y-%m-%d')} with orgsim {doc['orgsim_version']}"),
    ])
    rep.add(Heading("Finding"), Para(finding(nb), "finding"), glance(nb))
    if nb.posterior is not None:
        rep.add(*posterior_blocks(nb))
    rep.add(Figure(figs["retention"], "Share of the starting customers still with the firm, week "
                   "by week: the mean of the runs and its 95% interval" + (
                       " (over the posterior: with the parameter uncertainty)."
                       if nb.posterior else ".")))
    rep.add(PageBreak(), Heading("Why customers leave"),
            Para(cause_text(nb)),
            Figure(figs["churn_by_cause"], "Customers lost per run by cause, with 95% intervals."),
            Figure(figs["failure_demand"], "Failure demand: contacts that exist only because "
                   "something went wrong before (repeats and product faults), in % of all contacts."))
    rep.add(PageBreak(), Heading("Satisfaction and recommendation"),
            Figure(figs["satisfaction"], "Mean satisfaction of active customers, week by week."),
            Figure(figs["nps"], "Net promoter score: promoters minus detractors, in % of active "
                   "customers."))
    rep.add(PageBreak(), Heading("Revenue and customer value"),
            Figure(figs["revenue"], "Revenue per week from active customers (relative units: "
                   f"a customer brings {doc['scenarios'][0]['params']['value_mean']:g} a week "
                   "on average)."),
            Figure(figs["lifetime_value"], "Customer lifetime value: revenue per customer-week "
                   "over the last year's weekly churn rate plus a 10% yearly discount rate."))
    if nb.events:
        rep.add(PageBreak(), *event_blocks(nb, figs))
    rep.add(PageBreak(), *assumption_blocks(doc), *reproduce_blocks(doc, folder))
    return rep


def glance(nb: Numbers) -> Table:
    """The headline figures of every scenario, one row each."""
    rows = []
    for s in nb.scenarios:
        m = s.metrics
        rows.append((short(s.label, LABEL_MAX), pct_ci(m["retention"]), pct(m["annual_churn_rate"].mean, 1),
                     f"{m['mean_satisfaction'].mean:.2f}", f"{m['nps'].mean:.0f}",
                     pct(m["failure_demand_share"].mean), pct(m["first_contact_resolution"].mean),
                     f"{m['customer_lifetime_value'].mean:.0f}"))
    return Table(("organisation", "customers kept", "churn / year (last year)", "satisfaction",
                  "NPS", "failure demand", "first-contact resolution", "lifetime value"),
                 tuple(rows), f"At the end of week {nb.steps}; " + (
                     f"means over {nb.posterior.draws} parameter sets drawn from the posterior x "
                     f"{nb.replications} seeds, 95% interval for customers kept with the parameter "
                     "uncertainty." if nb.posterior else
                     f"means of {nb.replications} runs, 95% interval for customers kept."),
                 (False,) + (True,) * 7)


def posterior_blocks(nb: Numbers) -> list:
    """Before (the scenarios as given, seed noise only) and after (over the posterior,
    with the parameter uncertainty): customers kept and profit of each scenario."""
    p = nb.posterior
    rows = []
    for s in nb.scenarios:
        b = p.before.by_name(s.name)
        rows.append((short(s.label, LABEL_MAX), pct_ci(b.metrics["retention"]),
                     pct_ci(s.metrics["retention"]), _money(b.metrics["profit_total"]),
                     _money(s.metrics["profit_total"])))
    text = (f"The posterior ({p.path}) fits {', '.join(p.parameters)}. Every scenario ran at "
            f"the same {p.draws} parameter sets drawn from it by weight, each with the same "
            f"{nb.replications} seeds; its values replace the scenarios' own values of these "
            "parameters (a client's calibrated churn too), which the runs 'as given' keep. "
            "An interval over the posterior adds, in quadrature, the "
            "spread of the outcome over the parameter sets (1.96 standard deviations of each "
            "set's mean over its seeds) to the seed noise (the t-interval over the seeds); a "
            "posterior concentrated on one point gives the seed-noise interval alone. Whether "
            "the advantage holds is decided per parameter set, on its mean paired difference. "
            f"The gap in total profit over the posterior is {_money(p.profit_gap)}; as given "
            f"it is {_money(p.before_profit_gap)}.")
    return [Heading("Parameter uncertainty", 2), Para(text),
            Table(("organisation", "customers kept, as given", "customers kept, over the posterior",
                   "total profit, as given", "total profit, over the posterior"), tuple(rows),
                  "Means with 95% intervals: as given, seed noise only; over the posterior, seed "
                  "noise and parameter uncertainty.", (False, True, True, True, True))]


def _money(e) -> str:
    if e.n < 2:
        return f"{e.mean:,.0f}"
    return f"{e.mean:,.0f} (95% CI {e.low:,.0f} to {e.high:,.0f})"


def cause_text(nb: Numbers) -> str:
    best, worst = nb.by_name(nb.ranking[0]), nb.by_name(nb.ranking[-1])
    lines = [f"{worst.label} loses {worst.metrics['churned'].mean:.0f} customers per run and "
             f"{best.label} {best.metrics['churned'].mean:.0f}, out of "
             f"{worst.metrics['active_customers_start'].mean:.0f} at the start (new customers "
             "won during the run can leave too)."]
    big = sorted(nb.cause_gap.items(), key=lambda kv: -kv[1].mean)[:2]
    parts = [f"{CAUSE_WORDS.get(c, c)} churn {e.mean:+.0f} (95% CI {e.low:+.0f} to {e.high:+.0f})"
             for c, e in big if e.n > 1]
    if parts:
        lines.append(f"Per run, {worst.label} against {best.label}: " + "; ".join(parts) + ".")
    return " ".join(lines)


def event_blocks(nb: Numbers, figs: dict) -> list:
    rows = []
    for e in nb.events:
        rows.append((short(e.label, LABEL_MAX), EVENT_WORDS.get(e.kind, e.kind), str(e.at), pct_ci(e.dip, 1),
                     f"{e.churn_weeks} weeks" if e.churn_weeks is not None else
                     f"not within {e.weeks_after} weeks",
                     f"{e.regained_weeks} weeks" if e.regained_weeks is not None else
                     f"no; {pct(max(e.gap_end.mean, 0), 1)} still missing"))
    blocks = [Heading("Disruptions: the dip and the recovery"),
              Para("Each scenario with an event was also run without it, with the same seeds, "
                   "so the difference is what the event cost. The dip is the largest shortfall "
                   "of active customers against that twin, in % of the customers the firm had "
                   "when the event struck. The extra churn is over when its four-week mean is "
                   "below a tenth of its peak; the customers are back when the shortfall is "
                   "below a tenth of the dip."),
              Table(("organisation", "event", "week", "customers lost (dip)",
                     "extra churn over after", "customers back after"), tuple(rows),
                    "Means of the runs; 95% interval for the dip.", (False, False, True, True, True, True))]
    if "event_gaps" in figs:
        blocks.append(Figure(figs["event_gaps"], "Active customers missing against the same firm "
                             "without the event (same seeds), in % of its customers at the event."))
    return blocks


def assumption_blocks(doc: dict) -> list:
    scen = doc["scenarios"]
    every = list(dict.fromkeys(p for s in scen for p in s["params"]))  # an extension's too
    names = [p for p in every if len({json.dumps(s["params"].get(p)) for s in scen}) > 1]
    rows = tuple((p, *(show_value(s["params"].get(p, "-")) for s in scen),
                  PARAMS[p].source if p in PARAMS else "a parameter of the model class")
                 for p in names)
    blocks = [Heading("Assumptions"),
              Para(f"The scenarios differ in {len(names)} of the model's {len(every)} parameters; "
                   "this table lists them with their sources. Every other parameter is the same in "
                   "all of them; `orgsim params` and docs/ODD.md give each one's meaning, range "
                   "and source.")]
    if rows:
        blocks.append(Table(("parameter", *(short(s["label"], LABEL_MAX) for s in scen),
                             "source or reason"), rows,
                            "Parameters that differ between the scenarios.", small=True))
    events = [(short(s["label"], LABEL_MAX), f"week {e['at']}: {e['kind']}", ", ".join(
        f"{k} {show_value(v)}" for k, v in e.items() if k not in ("at", "kind")))
        for s in scen for e in s["events"]]
    if events:
        blocks.append(Table(("organisation", "event", "its parameters"), tuple(events),
                            "Scheduled events" + (f" (from {doc['events_from']})" if doc.get(
                                "events_from") else ""), small=True))
    if doc.get("client"):
        blocks += client_blocks(doc)
    return blocks


def client_blocks(doc: dict) -> list:
    """Which values came from the client and which are defaults or the preset's."""
    c = doc["client"]
    today = doc["scenarios"][0]["params"]
    rows = tuple((p, show_value(today[p]), ORIGIN_WORDS[o]) for p, o in sorted(
        c["origin"].items(), key=lambda kv: (list(ORIGIN_WORDS).index(kv[1]), kv[0])))
    given = ", ".join(f"{k} = {show_value(v)}" for k, v in c["given"].items()
                      if k not in ("name", "question", "alternatives"))
    text = (f"The client file ({c['source']}) gives: {given}. ")
    if any(o == "calibrated" for o in c["origin"].values()):
        text += (f"To match the client's churn today, the two base hazards (churn_base and "
                 f"competitor_pull) are scaled by {c['churn_scale']:.3g}, found by bisection so that "
                 "a year of the client's firm loses that share of its customers. ")
    n_default = sum(1 for p in today if p not in c["origin"])
    text += (f"The other {n_default} parameters are at their documented defaults. The alternatives "
             "take only the organisation parameters of their preset; everything else is the client's.")
    return [Heading("The client's values", 2), Para(text),
            Table(("parameter", "value today", "where it comes from"), rows, small=True)]


def reproduce_blocks(doc: dict, folder: Path) -> list:
    seeds = doc["seeds"]
    shown = ", ".join(str(s) for s in seeds[:3]) + (", ..." if len(seeds) > 3 else "")
    return [Heading("How to reproduce it"),
            Para(f"Command: {doc['command'] or 'orgsim compare ' + ' '.join(doc['refs'])}", "code"),
            Para(f"Then: orgsim report {folder}", "code"),
            Para(f"Seed {doc['seed']}: replication r runs with the r-th seed spawned from it "
                 f"({shown}), the same in every scenario. orgsim {doc['orgsim_version']}, "
                 f"Python {platform.python_version()}. The same command on the same version gives "
                 "the same numbers."),
            Para(("Over a posterior, runs.parquet's column 'draw' says at which parameter set a "
                  "run was made (-1: the scenarios as given) and draws.csv lists the sets. "
                  if doc.get("posterior") else "") +
                 "Files in this folder: runs.parquet (one row per run, every end-of-run figure), "
                 "timeseries.parquet (every week of every run), summary.csv (mean and 95% interval "
                 "per scenario and figure), comparison.json (the scenarios as resolved), figures/ "
                 "(each figure as PNG and SVG for slides).", "small")]
