"""The report of a comparison folder (``orgsim compare``): finding, figures, events,
assumptions and how to reproduce it, all from the folder's own files, in one of
sim.i18n.LANGUAGES (every text a message of the catalogue)."""

from __future__ import annotations

import copy
import json
import platform
from pathlib import Path

import pandas as pd

from .. import __version__
from ..files.client import client_descriptions, client_labels, scenario_description, scenario_label
from ..i18n import N_, Lang, lang
from ..model.params import PARAMS
from . import charts
from .document import Figure, Heading, PageBreak, Para, Report, Table, show_value
from .finding import churn_words, event_words, finding, pct_ci, years_text
from .numbers import Numbers, compute
from .text import LABEL_MAX, TITLE_MAX, check_printable, short

ORIGIN_WORDS = {"client": N_("from the client"), "derived": N_("derived from the client's size"),
                "calibrated": N_("calibrated to the client's churn today"),
                "preset": N_("from the preset"), "default": N_("default")}


def load(folder: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    doc = json.loads((folder / "comparison.json").read_text())
    return doc, pd.read_parquet(folder / "runs.parquet"), pd.read_parquet(folder / "timeseries.parquet")


def report_language(doc: dict, code: str | None = None) -> str:
    """The report's language: ``code`` if given, else the client file's, else English."""
    return code or (doc.get("client") or {}).get("lang") or "en"


def in_language(doc: dict, t: Lang) -> dict:
    """comparison.json's document with the scenarios' labels and descriptions in ``t``:
    a named scenario's from the catalogue, a client's made again in the language (from
    the parts comparison.json keeps of it), any other (or one edited by hand) as it is."""
    doc = copy.deepcopy(doc)
    client = doc.get("client")
    if client and "others" in client and len(client["others"]) == len(doc["scenarios"]) - 1:
        others = [tuple(o) for o in client["others"]]
        names = [o[0] for o in others]
        english = zip(client_labels(client["name"], names),
                      client_descriptions(client["name"], client["preset"], others))
        shown = zip(client_labels(client["name"], names, t),
                    client_descriptions(client["name"], client["preset"], others, t))
        for s, (label, text), (label_t, text_t) in zip(doc["scenarios"], english, shown):
            if s["label"] == label:
                s["label"] = label_t
            if s["description"] == text:
                s["description"] = text_t
        return doc
    if client:
        return doc  # an older folder: its labels as it stored them
    for s in doc["scenarios"]:
        if s["label"] == scenario_label(s["name"]):
            s["label"] = scenario_label(s["name"], t)
        s["description"] = scenario_description(s["description"], t)
    return doc


def build(folder: Path, code: str | None = None) -> Report:
    """The whole report of the comparison in ``folder`` (figures drawn into figures/), in
    language ``code`` (default: the client file's, else English)."""
    doc, runs, ts = load(folder)
    t = lang(report_language(doc, code))
    doc = in_language(doc, t)
    labels = [s["label"] for s in doc["scenarios"]]
    client = doc.get("client")
    check_printable([*labels, doc["question"] or "", *(s["description"] for s in doc["scenarios"]),
                     client["name"] if client else ""], f"{folder}: the report")  # before drawing
    nb = compute(doc, runs, ts)
    if nb.posterior is not None:  # the figures show the runs over the posterior
        ts = ts[ts["draw"] >= 0]
    figs = charts.draw(ts, nb, folder / "figures", t)
    question = t.p_("question", doc["question"]) if doc["question"] else t._("How many of its customers does each organisation keep "
                                      "over {years}, and why?", years=years_text(nb.years, t))
    title = (t._("{client}: how the organisation shapes retention", client=client["name"])
             if client else t._("How the organisation shapes retention"))
    runs_fact = t.n_("{n} replication of each, {weeks} ({years}), the same seeds in every scenario",
                     "{n} replications of each, {weeks} ({years}), the same seeds in every scenario",
                     doc["replications"], weeks=t.n_("{n} week", "{n} weeks", doc["steps"]),
                     years=years_text(nb.years, t))
    if nb.posterior is not None:
        runs_fact += t.n_("; at the {n} parameter set drawn from the posterior {path} and with the "
                          "parameters as given",
                          "; at each of {n} parameter sets drawn from the posterior {path} and with "
                          "the parameters as given", nb.posterior.draws, path=nb.posterior.path)
    rep = Report(title=title, subtitle=short(t._(" versus ").join(labels), 2 * TITLE_MAX),
                 question=question, lang=t.code, facts=[
        (t._("Scenarios"), "; ".join(t._("{label}: {description}", label=s["label"],
                                         description=s["description"]) for s in doc["scenarios"])),
        (t._("Runs"), runs_fact),
        (t._("Made"), t._("{date} with orgsim {version}", date=t.date(),
                          version=doc["orgsim_version"])),
    ])
    rep.add(Heading(t._("Finding")), Para(finding(nb, t), "finding"), glance(nb, t))
    if nb.posterior is not None:
        rep.add(*posterior_blocks(nb, t))
    rep.add(Figure(figs["retention"], t._("Share of the starting customers still with the firm, "
                   "week by week: the mean of the runs and its 95% interval (over the posterior: "
                   "with the parameter uncertainty).") if nb.posterior is not None else
                   t._("Share of the starting customers still with the firm, "
                   "week by week: the mean of the runs and its 95% interval.")))
    rep.add(PageBreak(), Heading(t._("Why customers leave")),
            Para(cause_text(nb, t)),
            Figure(figs["churn_by_cause"], t._("Customers lost per run by cause, with 95% "
                                               "intervals.")),
            Figure(figs["failure_demand"], t._("Failure demand: contacts that exist only because "
                   "something went wrong before (repeats and product faults), in % of all "
                   "contacts.")))
    rep.add(PageBreak(), Heading(t._("Satisfaction and recommendation")),
            Figure(figs["satisfaction"], t._("Mean satisfaction of active customers, week by "
                                             "week.")),
            Figure(figs["nps"], t._("Net promoter score: promoters minus detractors, in % of "
                                    "active customers.")))
    value = doc["scenarios"][0]["params"]["value_mean"]
    value = f"{value:g}" if t.code == "en" else t.sig(value, 6)
    rep.add(PageBreak(), Heading(t._("Revenue and customer value")),
            Figure(figs["revenue"], t._("Revenue per week from active customers (relative units: "
                   "a customer brings {value} a week on average).", value=value)),
            Figure(figs["lifetime_value"], t._("Customer lifetime value: revenue per "
                   "customer-week over the last year's weekly churn rate plus a 10% yearly "
                   "discount rate.")))
    if nb.events:
        rep.add(PageBreak(), *event_blocks(nb, figs, t))
    rep.add(PageBreak(), *assumption_blocks(doc, t), *reproduce_blocks(doc, folder, t))
    return rep


def glance(nb: Numbers, t: Lang | None = None) -> Table:
    """The headline figures of every scenario, one row each."""
    t = t or lang("en")
    rows = []
    for s in nb.scenarios:
        m = s.metrics
        rows.append((short(s.label, LABEL_MAX), pct_ci(m["retention"], t=t),
                     t.pct(m["annual_churn_rate"].mean, 1), t.num(m["mean_satisfaction"].mean, 2),
                     t.num(m["nps"].mean), t.pct(m["failure_demand_share"].mean),
                     t.pct(m["first_contact_resolution"].mean),
                     t.num(m["customer_lifetime_value"].mean)))
    if nb.posterior is not None:
        caption = t._("At the end of week {week}; means over {draws} parameter sets drawn from the "
                      "posterior x {n} seeds, 95% interval for customers kept with the parameter "
                      "uncertainty.", week=nb.steps, draws=nb.posterior.draws, n=nb.replications)
    else:
        caption = t.n_("At the end of week {week}; means of {n} run, 95% interval "
                       "for customers kept.",
                       "At the end of week {week}; means of {n} runs, 95% interval "
                       "for customers kept.", nb.replications, week=nb.steps)
    return Table((t._("organisation"), t._("customers kept"), t._("churn / year (last year)"),
                  t._("satisfaction"), t._("NPS"), t._("failure demand"),
                  t._("first-contact resolution"), t._("lifetime value")),
                 tuple(rows), caption, (False,) + (True,) * 7)


def posterior_blocks(nb: Numbers, t: Lang | None = None) -> list:
    """Before (the scenarios as given, seed noise only) and after (over the posterior,
    with the parameter uncertainty): customers kept and profit of each scenario."""
    t = t or lang("en")
    p = nb.posterior
    rows = []
    for s in nb.scenarios:
        b = p.before.by_name(s.name)
        rows.append((short(s.label, LABEL_MAX), pct_ci(b.metrics["retention"], t=t),
                     pct_ci(s.metrics["retention"], t=t), _money(b.metrics["profit_total"], t),
                     _money(s.metrics["profit_total"], t)))
    text = t._("The posterior ({path}) fits {parameters}. Every scenario ran at the same {draws} "
               "parameter sets drawn from it by weight, each with the same {n} seeds; its values "
               "replace the scenarios' own values of these parameters (a client's calibrated "
               "churn too), which the runs 'as given' keep. An interval over the posterior adds, "
               "in quadrature, the spread of the outcome over the parameter sets (1.96 standard "
               "deviations of each set's mean over its seeds) to the seed noise (the t-interval "
               "over the seeds); a posterior concentrated on one point gives the seed-noise "
               "interval alone. Whether the advantage holds is decided per parameter set, on its "
               "mean paired difference. The gap in total profit over the posterior is {gap}; as "
               "given it is {before}.", path=p.path, parameters=t.list(list(p.parameters)),
               draws=p.draws, n=nb.replications, gap=_money(p.profit_gap, t),
               before=_money(p.before_profit_gap, t))
    return [Heading(t._("Parameter uncertainty"), 2), Para(text),
            Table((t._("organisation"), t._("customers kept, as given"),
                   t._("customers kept, over the posterior"), t._("total profit, as given"),
                   t._("total profit, over the posterior")), tuple(rows),
                  t._("Means with 95% intervals: as given, seed noise only; over the posterior, "
                      "seed noise and parameter uncertainty."), (False, True, True, True, True))]


def _money(e, t: Lang | None = None) -> str:
    t = t or lang("en")
    if e.n < 2:
        return t.num(e.mean)
    return t._("{mean} (95% CI {low} to {high})", mean=t.num(e.mean), low=t.num(e.low),
               high=t.num(e.high))


def cause_text(nb: Numbers, t: Lang | None = None) -> str:
    t = t or lang("en")
    best, worst = nb.by_name(nb.ranking[0]), nb.by_name(nb.ranking[-1])
    lines = [t._("{worst} loses {lost_worst} customers per run and {best} {lost_best}, out of "
                 "{start} at the start (new customers won during the run can leave too).",
                 worst=worst.label, lost_worst=t.num(worst.metrics["churned"].mean),
                 best=best.label, lost_best=t.num(best.metrics["churned"].mean),
                 start=t.num(worst.metrics["active_customers_start"].mean))]
    big = sorted(nb.cause_gap.items(), key=lambda kv: -kv[1].mean)[:2]
    parts = [t._("{churn} {diff} (95% CI {low} to {high})", churn=churn_words(c, t),
                 diff=t.signed(e.mean), low=t.signed(e.low), high=t.signed(e.high))
             for c, e in big if e.n > 1]
    if parts:
        lines.append(t._("Per run, {worst} against {best}: {parts}.", worst=worst.label,
                         best=best.label, parts="; ".join(parts)))
    return " ".join(lines)


def event_blocks(nb: Numbers, figs: dict, t: Lang | None = None) -> list:
    t = t or lang("en")
    rows = []
    for e in nb.events:
        over = (t.n_("{n} week", "{n} weeks", e.churn_weeks) if e.churn_weeks is not None else
                t.n_("not within {n} week", "not within {n} weeks", e.weeks_after))
        back = (t.n_("{n} week", "{n} weeks", e.regained_weeks) if e.regained_weeks is not None
                else t._("no; {missing} still missing", missing=t.pct(max(e.gap_end.mean, 0), 1)))
        rows.append((short(e.label, LABEL_MAX), event_words(e.kind, t), str(e.at),
                     pct_ci(e.dip, 1, t), over, back))
    blocks = [Heading(t._("Disruptions: the dip and the recovery")),
              Para(t._("Each scenario with an event was also run without it, with the same "
                       "seeds, so the difference is what the event cost. The dip is the largest "
                       "shortfall of active customers against that twin, in % of the customers "
                       "the firm had when the event struck. The extra churn is over when its "
                       "four-week mean is below a tenth of its peak; the customers are back when "
                       "the shortfall is below a tenth of the dip.")),
              Table((t._("organisation"), t._("event"), t._("week"), t._("customers lost (dip)"),
                     t._("extra churn over after"), t._("customers back after")), tuple(rows),
                    t._("Means of the runs; 95% interval for the dip."),
                    (False, False, True, True, True, True))]
    if "event_gaps" in figs:
        blocks.append(Figure(figs["event_gaps"], t._("Active customers missing against the same "
                             "firm without the event (same seeds), in % of its customers at the "
                             "event.")))
    return blocks


def assumption_blocks(doc: dict, t: Lang | None = None) -> list:
    t = t or lang("en")
    scen = doc["scenarios"]
    every = list(dict.fromkeys(p for s in scen for p in s["params"]))  # an extension's too
    names = [p for p in every if len({json.dumps(s["params"].get(p)) for s in scen}) > 1]
    rows = tuple((p, *(show_value(s["params"].get(p, "-"), t) for s in scen),
                  PARAMS[p].source if p in PARAMS else t._("a parameter of the model class"))
                 for p in names)
    blocks = [Heading(t._("Assumptions")),
              Para(t._("The scenarios differ in {n} of the model's {total} parameters; this "
                       "table lists them with their sources. Every other parameter is the same "
                       "in all of them; `orgsim params` and docs/ODD.md give each one's meaning, "
                       "range and source.", n=len(names), total=len(every)))]
    if rows:
        blocks.append(Table((t._("parameter"), *(short(s["label"], LABEL_MAX) for s in scen),
                             t._("source or reason")), rows,
                            t._("Parameters that differ between the scenarios."), small=True))
    events = [(short(s["label"], LABEL_MAX), t._("week {week}: {event}", week=e["at"],
                                                  event=e["kind"]),
               t.join(f"{k} {show_value(v, t)}" for k, v in e.items() if k not in ("at", "kind")))
              for s in scen for e in s["events"]]
    if events:
        caption = (t._("Scheduled events (from {source})", source=doc["events_from"])
                   if doc.get("events_from") else t._("Scheduled events"))
        blocks.append(Table((t._("organisation"), t._("event"), t._("its parameters")),
                            tuple(events), caption, small=True))
    if doc.get("client"):
        blocks += client_blocks(doc, t)
    return blocks


def client_blocks(doc: dict, t: Lang | None = None) -> list:
    """Which values came from the client and which are defaults or the preset's."""
    t = t or lang("en")
    c = doc["client"]
    today = doc["scenarios"][0]["params"]
    rows = tuple((p, show_value(today[p], t), t._(ORIGIN_WORDS[o])) for p, o in sorted(
        c["origin"].items(), key=lambda kv: (list(ORIGIN_WORDS).index(kv[1]), kv[0])))
    given = ", ".join(f"{k} = {show_value(v)}" for k, v in c["given"].items()
                      if k not in ("name", "question", "alternatives", "lang"))
    text = t._("The client file ({source}) gives: {given}.", source=c["source"], given=given)
    if any(o == "calibrated" for o in c["origin"].values()):
        scale = f"{c['churn_scale']:.3g}" if t.code == "en" else t.sig(c["churn_scale"], 3)
        text += " " + t._("To match the client's churn today, the two base hazards (churn_base "
                          "and competitor_pull) are scaled by {scale}, found by bisection so "
                          "that a year of the client's firm loses that share of its customers.",
                          scale=scale)
    n_default = sum(1 for p in today if p not in c["origin"])
    text += " " + t.n_("The other {n} parameter is at its documented default. The alternatives "
                       "take only the organisation parameters of their preset; everything else "
                       "is the client's.",
                       "The other {n} parameters are at their documented defaults. The "
                       "alternatives take only the organisation parameters of their preset; "
                       "everything else is the client's.", n_default)
    return [Heading(t._("The client's values"), 2), Para(text),
            Table((t._("parameter"), t._("value today"), t._("where it comes from")), rows,
                  small=True)]


def reproduce_blocks(doc: dict, folder: Path, t: Lang | None = None) -> list:
    t = t or lang("en")
    seeds = doc["seeds"]
    shown = ", ".join(str(s) for s in seeds[:3]) + (", ..." if len(seeds) > 3 else "")
    command = doc["command"] or "orgsim compare " + " ".join(doc["refs"])
    then = f"orgsim report {folder}" + (f" --lang {t.code}" if t.code != "en" else "")
    files = t._("Files in this folder: runs.parquet (one row per run, every end-of-run "
                "figure), timeseries.parquet (every week of every run), summary.csv (mean "
                "and 95% interval per scenario and figure), comparison.json (the scenarios "
                "as resolved), figures/ (each figure as PNG and SVG for slides).")
    if doc.get("posterior"):
        files = t._("Over a posterior, runs.parquet's column 'draw' says at which parameter set a "
                    "run was made (-1: the scenarios as given) and draws.csv lists the sets.") + " " + files
    return [Heading(t._("How to reproduce it")),
            Para(t._("Command: {command}", command=command), "code"),
            Para(t._("Then: {command}", command=then), "code"),
            Para(t._("Seed {seed}: replication r runs with the r-th seed spawned from it "
                     "({seeds}), the same in every scenario. orgsim {version}, Python {python}. "
                     "The same command on the same version gives the same numbers.",
                     seed=doc["seed"], seeds=shown, version=doc["orgsim_version"],
                     python=platform.python_version())),
            Para(files, "small")]
