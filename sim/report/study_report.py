"""The report of a study's results folder (``orgsim sweep``): what moved the result,
the best and worst points, the study's figures, assumptions and how to reproduce it, in
one of sim.i18n.LANGUAGES (every text a message of the catalogue)."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments.figures import draw_all
from ..experiments.replay import study_from_folder
from ..experiments.runner import Results
from ..experiments.words import metric_words, number, param_words
from ..i18n import N_, Lang, lang
from ..model.params import PARAMS
from .document import Figure, Heading, PageBreak, Para, Report, Table, show_value
from .finding import years_text
from .numbers import SHARES, Estimate

CAPTIONS = {
    "retention_curves": N_("Starting customers still with the firm, week by week: mean and 95% "
                           "band per point (the best and worst points when there are many)."),
    "metric_by_parameter": N_("The end-of-run result against each varied parameter: mean and "
                              "95% interval per value, pooled over the other parameters."),
    "heat_map": N_("Mean end-of-run result over the two varied parameters."),
    "sensitivity": N_("Which parameters move the result, with 95% intervals."),
}


def _t(t: Lang | None) -> Lang:
    return t or lang("en")


def _g3(x: float, t: Lang) -> str:
    """Three significant digits, as format(x, '.3g') writes them in English."""
    return f"{x:.3g}" if t.code == "en" else t.sig(x, 3)


def fmt(metric: str, x: float, t: Lang | None = None) -> str:
    t = _t(t)
    return t.pct(x) if metric in SHARES else _g3(x, t)


def fmt_ci(metric: str, e: Estimate, t: Lang | None = None) -> str:
    t = _t(t)
    if e.n < 2:
        return fmt(metric, e.mean, t)
    return t._("{value} (95% CI {low} to {high})", value=fmt(metric, e.mean, t),
               low=fmt(metric, e.low, t), high=fmt(metric, e.high, t))


def point_estimate(runs: pd.DataFrame, row: pd.Series, metric: str) -> Estimate:
    """The metric at one point of the study: from its runs (a share's interval on the
    logit scale, within [0, 1]), or from summary.csv's row if the runs lack the point."""
    if "point" in runs.columns and metric in runs.columns:
        values = runs.loc[runs["point"] == row["point"], metric].dropna()
        if len(values):
            return (Estimate.of_share if metric in SHARES else Estimate.of)(values)
    return Estimate(row[f"{metric}_mean"], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"],
                    int(row["n"]))


def _point_text(row: pd.Series, varied, t: Lang) -> str:
    return t.join(t._("{parameter} {value}", parameter=param_words(v, t), value=number(row[v], t))
                  for v in varied)


def effects(exp, runs: pd.DataFrame, metric: str,
            t: Lang | None = None) -> list[tuple[str, str, str, Estimate, Estimate]]:
    """Per varied parameter: the metric at its low and high end, pooled over the others
    (grid: lowest and highest value; sampler: lowest and highest fifth of the range)."""
    t = _t(t)
    out = []
    for name in exp.varied:
        x = runs[name]
        if exp.sampler is None or name in exp.sampler.choices:
            levels = exp.grid[name] if exp.sampler is None else exp.sampler.choices[name]
            present = [v for v in levels if (x == v).any()]
            if not present:
                continue
            numeric = all(isinstance(v, (int, float, np.number)) for v in present)
            # numbers: lowest and highest; choices: first and last as the file lists them
            lo_v, hi_v = (min(present), max(present)) if numeric else (present[0], present[-1])
            lo, hi = runs[x == lo_v][metric], runs[x == hi_v][metric]
            lo_t, hi_t = (number(lo_v, t), number(hi_v, t)) if numeric else (str(lo_v), str(hi_v))
        else:
            a, b = np.quantile(x, [0.2, 0.8])
            lo, hi = runs[x <= a][metric], runs[x >= b][metric]
            lo_t = t._("at most {value}", value=_g3(a, t))
            hi_t = t._("at least {value}", value=_g3(b, t))
        of = Estimate.of_share if metric in SHARES else Estimate.of
        out.append((name, lo_t, hi_t, of(lo), of(hi)))
    return out


def study_finding(exp, summary: pd.DataFrame, runs: pd.DataFrame, metric: str,
                  t: Lang | None = None) -> str:
    t = _t(t)
    m = summary[f"{metric}_mean"]
    best, worst = summary.loc[m.idxmax()], summary.loc[m.idxmin()]

    def est(row):
        return point_estimate(runs, row, metric)
    text = t._("After {years}, {metric} is highest at {best}: {best_value}, and lowest at "
               "{worst}: {worst_value}.", years=years_text(exp.steps / 52, t),
               metric=metric_words(metric, t), best=_point_text(best, exp.varied, t),
               best_value=fmt_ci(metric, est(best), t), worst=_point_text(worst, exp.varied, t),
               worst_value=fmt_ci(metric, est(worst), t))
    parts = []
    for name, lo_t, hi_t, lo, hi in sorted(effects(exp, runs, metric, t),
                                           key=lambda e: -abs(e[4].mean - e[3].mean)):
        clear = lo.n > 1 and hi.n > 1 and (lo.high < hi.low or hi.high < lo.low)
        values = dict(parameter=param_words(name, t), low=lo_t, high=hi_t,
                      a=fmt(metric, lo.mean, t), b=fmt(metric, hi.mean, t))
        parts.append(t._("{parameter} from {low} to {high} moves it from {a} to {b}", **values)
                     if clear else
                     t._("{parameter} from {low} to {high} moves it from {a} to {b} (the "
                         "intervals overlap)", **values))
    if parts:
        text += " " + t._("Pooled over the other parameters, {parts}.", parts=t.list(parts))
    return text


def build(folder: Path, code: str | None = None) -> Report:
    """The study's report in language ``code`` (English if not given)."""
    t = lang(code or "en")
    exp, runs = study_from_folder(folder)
    doc = json.loads((folder / "study.json").read_text())
    summary = pd.read_csv(folder / "summary.csv")
    ts_path = folder / "timeseries.parquet"
    ts = pd.read_parquet(ts_path) if ts_path.is_file() else pd.DataFrame()
    fails = pd.read_csv(folder / "failures.csv") if (folder / "failures.csv").is_file() else pd.DataFrame()
    draw_all(exp, Results(runs, ts, summary, fails, folder), t)
    metric = "retention" if "retention" in exp.metrics else exp.metrics[0]
    varied = t.list([param_words(v, t) for v in exp.varied]) if exp.varied else ""
    base = (t._("{scenario} with {settings}", scenario=exp.base.name,
                settings=", ".join(f"{k} = {v}" for k, v in exp.fixed.items()))
            if exp.fixed else exp.base.name)
    n_runs = t.n_("{n} run", "{n} runs", len(runs))
    rep = Report(
        title=exp.description or t._("Study {name}", name=exp.name),
        subtitle=t._("{name}: {parameters} varied", name=exp.name, parameters=varied)
        if exp.varied else exp.name,
        question=t._("How does {metric} respond to {parameters}?",
                     metric=metric_words(metric, t), parameters=varied),
        lang=t.code,
        facts=[(t._("Base scenario"), base),
               (t._("Runs"), t._("{runs}: {points} points, up to {n} replications each, {weeks}",
                                 runs=n_runs, points=summary["point"].nunique(),
                                 n=int(summary["n"].max()),
                                 weeks=t.n_("{n} week", "{n} weeks", exp.steps))),
               (t._("Made"), t._("{date} with orgsim {version}", date=t.date(),
                                 version=doc["orgsim_version"]))])
    rep.add(Heading(t._("Finding")), Para(study_finding(exp, summary, runs, metric, t), "finding"))
    sens = folder / "sensitivity.csv"
    if sens.is_file():
        rep.add(Para(sensitivity_text(pd.read_csv(sens), metric, t)))
    rep.add(points_table(exp, summary, runs, metric, t))
    figs = folder / "figures"
    for name, caption in CAPTIONS.items():
        if (figs / f"{name}.png").is_file():
            rep.add(Figure(figs / f"{name}.png", t._(caption), 0.7 if name == "heat_map" else 1.0))
    rep.add(PageBreak(), *assumptions(exp, t), *reproduce(exp, doc, folder, t))
    return rep


def sensitivity_text(table: pd.DataFrame, metric: str, t: Lang | None = None) -> str:
    t = _t(t)
    rows = table[table["metric"] == metric]
    col = "mu_star" if "mu_star" in rows.columns else "ST"
    rows = rows.sort_values(col, ascending=False)
    ranked = [t._("{parameter} ({index} {value})", parameter=param_words(r["parameter"], t),
                  index=col.replace("_", " "),
                  value=_g3(r[col], t))
              for _, r in rows.iterrows()]
    return t._("Ranked by their effect on {metric}: {ranked}.", metric=metric_words(metric, t),
               ranked=t.list(ranked))


def points_table(exp, summary: pd.DataFrame, runs: pd.DataFrame, metric: str,
                 t: Lang | None = None) -> Table:
    t = _t(t)
    s = summary.sort_values(f"{metric}_mean", ascending=False)
    if len(s) > 12:
        s = pd.concat([s.head(6), s.tail(6)])
    rows = tuple((*(number(r[v], t) for v in exp.varied), str(int(r["n"])),
                  fmt_ci(metric, point_estimate(runs, r, metric), t))
                 for _, r in s.iterrows())
    caption = (t._("Points of the study (the six best and six worst), best first; 95% intervals "
                   "over replications.") if len(summary) > 12 else
               t._("Points of the study, best first; 95% intervals over replications."))
    return Table((*(param_words(v, t) for v in exp.varied), t._("runs"), metric_words(metric, t)),
                 rows, caption, (True,) * (len(exp.varied) + 2))


def _source(name: str, t: Lang | None = None) -> str:
    """A parameter's source; one of an extension not imported here is named as such."""
    t = _t(t)
    p = PARAMS.get(name)
    if name.startswith("events."):
        return t._("a parameter of the base scenario's event (docs/studies.md)")
    return p.source if p is not None else t._("a parameter of the study's model class")


def assumptions(exp, t: Lang | None = None) -> list:
    t = _t(t)
    base = exp.base.params  # every parameter of the run (an extension's too, where set)
    rows = [(p, show_value(base[p], t),
             t._("fixed by the study") if p in exp.fixed else t._("the base scenario"),
             _source(p, t))
            for p in base if p in exp.fixed or p not in PARAMS or base[p] != PARAMS[p].default]
    varied = [(p, t.join(number(v, t) for v in vals), t._("varied"), _source(p, t))
              for p, vals in exp.grid.items()]
    if exp.sampler:
        varied = [(p, t._("{values} ({method})", values=t.join(exp.sampler.choices[p]),
                          method=exp.sampler.method)
                   if p in exp.sampler.choices else
                   t._("{low} to {high} ({method})", low=number(lo, t), high=number(hi, t),
                       method=exp.sampler.method),
                   t._("varied"), _source(p, t)) for p, (lo, hi) in exp.sampler.ranges.items()]
    n_default = len(set(base) | set(exp.varied)) - len(rows) - len(varied)
    return [Heading(t._("Assumptions")),
            Para(t._("Parameters that are not at their documented default, and those the study "
                     "varies; the other {n} are at their defaults (`orgsim params`, "
                     "docs/ODD.md).", n=n_default)),
            Table((t._("parameter"), t._("value"), t._("set by"), t._("source or reason")),
                  tuple(varied + rows), small=True)]


def reproduce(exp, doc: dict, folder: Path, t: Lang | None = None) -> list:
    t = _t(t)
    then = f"orgsim report {folder}" + (f" --lang {t.code}" if t.code != "en" else "")
    return [Heading(t._("How to reproduce it")),
            Para(f"orgsim sweep {exp.source or exp.name} --replications {exp.replications} "
                 f"--steps {exp.steps} --out {folder}", "code"),
            Para(t._("Then: {command}", command=then), "code"),
            Para(t._("Study seed {seed}: every run's seed is spawned from it, the point's "
                     "parameter values and the replication, whatever worker runs it. orgsim "
                     "{version}, Python {python}, model code {code} (study.json: provenance). "
                     "`orgsim replay {folder} N` re-runs run N and checks it is identical.",
                     seed=exp.seed, version=doc["orgsim_version"],
                     python=doc.get("provenance", {}).get("python", platform.python_version()),
                     code=doc.get("provenance", {}).get("code", t._("unrecorded")),
                     folder=folder)),
            Para(t._("Files in this folder: runs.parquet (one row per run), summary.csv (per "
                     "point), timeseries.parquet (weekly columns kept), study.json (the study as "
                     "resolved), figures/ (PNG and SVG)."), "small")]
