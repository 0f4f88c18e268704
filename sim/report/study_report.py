"""The report of a study's results folder (``orgsim sweep``): what moved the result,
the best and worst points, the study's figures, assumptions and how to reproduce it."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments.figures import draw_all
from ..experiments.replay import study_from_folder
from ..experiments.runner import Results
from ..model.params import PARAMS
from .document import Figure, Heading, PageBreak, Para, Report, Table, show_value
from .finding import and_list, years_text
from .numbers import SHARES, Estimate
CAPTIONS = {
    "retention_curves": "Starting customers still with the firm, week by week: mean and 95% band "
                        "per point (the best and worst points when there are many).",
    "metric_by_parameter": "The end-of-run result against each varied parameter: mean and 95% "
                           "interval per value, pooled over the other parameters.",
    "heat_map": "Mean end-of-run result over the two varied parameters.",
    "sensitivity": "Which parameters move the result, with 95% intervals.",
}


def fmt(metric: str, x: float) -> str:
    return f"{100 * x:.0f}%" if metric in SHARES else f"{x:.3g}"


def fmt_ci(metric: str, e: Estimate) -> str:
    if e.n < 2:
        return fmt(metric, e.mean)
    return f"{fmt(metric, e.mean)} (95% CI {fmt(metric, e.low)} to {fmt(metric, e.high)})"


def point_estimate(runs: pd.DataFrame, row: pd.Series, metric: str) -> Estimate:
    """The metric at one point of the study: from its runs (a share's interval on the
    logit scale, within [0, 1]), or from summary.csv's row if the runs lack the point."""
    if "point" in runs.columns and metric in runs.columns:
        values = runs.loc[runs["point"] == row["point"], metric].dropna()
        if len(values):
            return (Estimate.of_share if metric in SHARES else Estimate.of)(values)
    return Estimate(row[f"{metric}_mean"], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"],
                    int(row["n"]))


def words(name: str) -> str:
    return name.replace("_", " ")


def _point_text(row: pd.Series, varied) -> str:
    return ", ".join(f"{words(v)} {row[v]:g}" if isinstance(row[v], (int, float, np.number))
                     else f"{words(v)} {row[v]}" for v in varied)


def effects(exp, runs: pd.DataFrame, metric: str) -> list[tuple[str, str, str, Estimate, Estimate]]:
    """Per varied parameter: the metric at its low and high end, pooled over the others
    (grid: lowest and highest value; sampler: lowest and highest fifth of the range)."""
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
            lo_t, hi_t = (f"{lo_v:g}", f"{hi_v:g}") if numeric else (str(lo_v), str(hi_v))
        else:
            a, b = np.quantile(x, [0.2, 0.8])
            lo, hi = runs[x <= a][metric], runs[x >= b][metric]
            lo_t, hi_t = f"at most {a:.3g}", f"at least {b:.3g}"
        of = Estimate.of_share if metric in SHARES else Estimate.of
        out.append((name, lo_t, hi_t, of(lo), of(hi)))
    return out


def study_finding(exp, summary: pd.DataFrame, runs: pd.DataFrame, metric: str) -> str:
    m = summary[f"{metric}_mean"]
    best, worst = summary.loc[m.idxmax()], summary.loc[m.idxmin()]

    def est(row):
        return point_estimate(runs, row, metric)
    text = (f"After {years_text(exp.steps / 52)}, {words(metric)} is highest at "
            f"{_point_text(best, exp.varied)}: {fmt_ci(metric, est(best))}, and lowest at "
            f"{_point_text(worst, exp.varied)}: {fmt_ci(metric, est(worst))}.")
    parts = []
    for name, lo_t, hi_t, lo, hi in sorted(effects(exp, runs, metric),
                                           key=lambda e: -abs(e[4].mean - e[3].mean)):
        clear = lo.n > 1 and hi.n > 1 and (lo.high < hi.low or hi.high < lo.low)
        parts.append(f"{words(name)} from {lo_t} to {hi_t} moves it from {fmt(metric, lo.mean)} to "
                     f"{fmt(metric, hi.mean)}" + ("" if clear else " (the intervals overlap)"))
    if parts:
        text += " Pooled over the other parameters, " + and_list(parts) + "."
    return text


def build(folder: Path) -> Report:
    exp, runs = study_from_folder(folder)
    doc = json.loads((folder / "study.json").read_text())
    summary = pd.read_csv(folder / "summary.csv")
    ts_path = folder / "timeseries.parquet"
    ts = pd.read_parquet(ts_path) if ts_path.is_file() else pd.DataFrame()
    fails = pd.read_csv(folder / "failures.csv") if (folder / "failures.csv").is_file() else pd.DataFrame()
    draw_all(exp, Results(runs, ts, summary, fails, folder))
    metric = "retention" if "retention" in exp.metrics else exp.metrics[0]
    rep = Report(
        title=exp.description or f"Study {exp.name}",
        subtitle=f"{exp.name}: {and_list([words(v) for v in exp.varied])} varied" if exp.varied
        else exp.name,
        question=f"How does {words(metric)} respond to {and_list([words(v) for v in exp.varied])}?",
        facts=[("Base scenario", f"{exp.base.name}" + (f" with {', '.join(f'{k} = {v}' for k, v in exp.fixed.items())}"
                                                       if exp.fixed else "")),
               ("Runs", f"{len(runs)} runs: {summary['point'].nunique()} points, up to "
                        f"{int(summary['n'].max())} replications each, {exp.steps} weeks"),
               ("Made", f"{time.strftime('%Y-%m-%d')} with orgsim {doc['orgsim_version']}")])
    rep.add(Heading("Finding"), Para(study_finding(exp, summary, runs, metric), "finding"))
    sens = folder / "sensitivity.csv"
    if sens.is_file():
        rep.add(Para(sensitivity_text(pd.read_csv(sens), metric)))
    rep.add(points_table(exp, summary, runs, metric))
    figs = folder / "figures"
    for name, caption in CAPTIONS.items():
        if (figs / f"{name}.png").is_file():
            rep.add(Figure(figs / f"{name}.png", caption, 0.7 if name == "heat_map" else 1.0))
    rep.add(PageBreak(), *assumptions(exp), *reproduce(exp, doc, folder))
    return rep


def sensitivity_text(table: pd.DataFrame, metric: str) -> str:
    t = table[table["metric"] == metric]
    col = "mu_star" if "mu_star" in t.columns else "ST"
    t = t.sort_values(col, ascending=False)
    ranked = [f"{words(r['parameter'])} ({col.replace('_', ' ')} {r[col]:.3g})" for _, r in t.iterrows()]
    return f"Ranked by their effect on {words(metric)}: " + and_list(ranked) + "."


def points_table(exp, summary: pd.DataFrame, runs: pd.DataFrame, metric: str) -> Table:
    s = summary.sort_values(f"{metric}_mean", ascending=False)
    if len(s) > 12:
        s = pd.concat([s.head(6), s.tail(6)])
    rows = tuple((*(f"{r[v]:g}" if isinstance(r[v], (int, float, np.number)) else str(r[v])
                    for v in exp.varied), str(int(r["n"])),
                  fmt_ci(metric, point_estimate(runs, r, metric)))
                 for _, r in s.iterrows())
    more = " (the six best and six worst)" if len(summary) > 12 else ""
    return Table((*(words(v) for v in exp.varied), "runs", words(metric)), rows,
                 f"Points of the study{more}, best first; 95% intervals over replications.",
                 (True,) * (len(exp.varied) + 2))


def _source(name: str) -> str:
    """A parameter's source; one of an extension not imported here is named as such."""
    p = PARAMS.get(name)
    if name.startswith("events."):
        return "a parameter of the base scenario's event (docs/studies.md)"
    return p.source if p is not None else "a parameter of the study's model class"


def assumptions(exp) -> list:
    base = exp.base.params  # every parameter of the run (an extension's too, where set)
    rows = [(p, show_value(base[p]),
             "fixed by the study" if p in exp.fixed else "the base scenario", _source(p))
            for p in base if p in exp.fixed or p not in PARAMS or base[p] != PARAMS[p].default]
    varied = [(p, ", ".join(f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in vals),
               "varied", _source(p)) for p, vals in exp.grid.items()]
    if exp.sampler:
        varied = [(p, ", ".join(exp.sampler.choices[p]) + f" ({exp.sampler.method})"
                   if p in exp.sampler.choices else f"{lo:g} to {hi:g} ({exp.sampler.method})",
                   "varied", _source(p)) for p, (lo, hi) in exp.sampler.ranges.items()]
    n_default = len(set(base) | set(exp.varied)) - len(rows) - len(varied)
    return [Heading("Assumptions"),
            Para(f"Parameters that are not at their documented default, and those the study "
                 f"varies; the other {n_default} are at their defaults (`orgsim params`, docs/ODD.md)."),
            Table(("parameter", "value", "set by", "source or reason"), tuple(varied + rows), small=True)]


def reproduce(exp, doc: dict, folder: Path) -> list:
    return [Heading("How to reproduce it"),
            Para(f"orgsim sweep {exp.source or exp.name} --replications {exp.replications} "
                 f"--steps {exp.steps} --out {folder}", "code"),
            Para(f"Then: orgsim report {folder}", "code"),
            Para(f"Study seed {exp.seed}: every run's seed is spawned from it, the point's parameter "
                 f"values and the replication, whatever worker runs it. orgsim {doc['orgsim_version']}, "
                 f"Python {doc.get('provenance', {}).get('python', platform.python_version())}, model "
                 f"code {doc.get('provenance', {}).get('code', 'unrecorded')} (study.json: provenance). "
                 f"`orgsim replay {folder} N` re-runs run N and checks it is identical."),
            Para("Files in this folder: runs.parquet (one row per run), summary.csv (per point), "
                 "timeseries.parquet (weekly columns kept), study.json (the study as resolved), "
                 "figures/ (PNG and SVG).", "small")]
