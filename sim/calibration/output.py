"""What a calibration writes besides its database: the posterior (posterior.parquet:
one row per accepted draw of the last generation, a float column per fitted parameter,
``weight`` summing to 1), calibration.json, calibration.md and the figures."""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..files.atomic import write_atomic
from ..model.params import PARAMS
from .targets import Targets

BAND = 0.90  # the posterior intervals and the predictive bands
PREDICTIVE_DRAWS = 4000


@dataclass
class Diagnostics:
    generations: pd.DataFrame  # t, simulated, accepted, acceptance, temperature, ess
    posterior: pd.DataFrame    # parameter columns and weight
    intervals: pd.DataFrame    # parameter, default, prior low/high, mean, low, high
    checks: pd.DataFrame       # target, observed, sd, predictive mean/low/high, inside


def weighted_quantile(values, weights, q) -> np.ndarray:
    order = np.argsort(values)
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, v)


def posterior_frame(history, names: list[str]) -> pd.DataFrame:
    df, w = history.get_distribution(m=0, t=history.max_t)
    out = pd.DataFrame({n: df[n].to_numpy(dtype=float) for n in names})
    out["weight"] = np.asarray(w, dtype=float) / np.sum(w)
    return out


def interval(post: pd.DataFrame, name: str) -> tuple[float, float, float]:
    """Weighted mean and central BAND interval of one parameter."""
    lo, hi = weighted_quantile(post[name], post["weight"], [(1 - BAND) / 2, (1 + BAND) / 2])
    return float(np.sum(post[name] * post["weight"])), float(lo), float(hi)


def diagnose(history, targets: Targets, seed: int = 0) -> Diagnostics:
    from pyabc.weighted_statistics import effective_sample_size

    names = [p.name for p in targets.priors]
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].reset_index(drop=True)
    ess = []
    for t in pops["t"]:
        _, w = history.get_distribution(m=0, t=int(t))
        ess.append(float(effective_sample_size(np.asarray(w) / np.sum(w))))
    gens = pd.DataFrame({"generation": pops["t"].astype(int) + 1,
                         "simulated": pops["samples"].astype(int),
                         "accepted": pops["particles"].astype(int),
                         "acceptance": pops["particles"] / pops["samples"],
                         "temperature": pops["epsilon"].astype(float), "ess": ess})
    post = posterior_frame(history, names)
    rows = []
    for p in targets.priors:
        mean, lo, hi = interval(post, p.name)
        rows.append(dict(parameter=p.name, default=float(PARAMS[p.name].default),
                         prior_low=p.low, prior_high=p.high, scale=p.scale, mean=mean,
                         low=lo, high=hi, narrowing=(hi - lo) / _prior_width(p)))
    weights, stats = history.get_weighted_sum_stats(t=history.max_t)
    weights = np.asarray(weights, float) / np.sum(weights)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(weights), size=PREDICTIVE_DRAWS, p=weights)
    checks = []
    for t in targets.targets:
        sim = np.array([float(s[t.key]) for s in stats])
        # a new observation: a posterior particle's firm plus the observation's error
        draw = sim[pick] + rng.normal(0.0, t.sd, PREDICTIVE_DRAWS)
        lo, hi = np.quantile(draw, [(1 - BAND) / 2, (1 + BAND) / 2])
        checks.append(dict(target=t.key, measure=t.measure, observed=t.observed, sd=t.sd,
                           predicted=float(np.sum(sim * weights)), low=float(lo), high=float(hi),
                           inside=bool(lo <= t.observed <= hi), source=t.source))
    return Diagnostics(gens, post, pd.DataFrame(rows), pd.DataFrame(checks))


def _prior_width(p) -> float:
    """Width of the prior's central BAND interval (uniform on its scale)."""
    a, b = (math.log(p.low), math.log(p.high)) if p.scale == "log" else (p.low, p.high)
    lo, hi = a + (b - a) * (1 - BAND) / 2, a + (b - a) * (1 + BAND) / 2
    return (math.exp(hi) - math.exp(lo)) if p.scale == "log" else hi - lo


def write_posterior(path, post: pd.DataFrame) -> None:
    buf = io.BytesIO()
    post.to_parquet(buf, index=False)
    write_atomic(path, buf.getvalue())


def calibration_doc(targets: Targets, d: Diagnostics, status: dict) -> dict:
    return {
        "name": targets.name, "targets_file": targets.path,
        "preset": targets.setting.preset, "customers": targets.setting.customers,
        "customers_by_kind": dict(targets.setting.sizes), "weeks": targets.setting.weeks,
        "parameters": {p.name: {"low": p.low, "high": p.high, "scale": p.scale,
                                "default": float(PARAMS[p.name].default)} for p in targets.priors},
        "targets": [{"key": t.key, "measure": t.measure, "observed": t.observed, "sd": t.sd,
                     "week": t.week, "source": t.source} for t in targets.targets],
        "generations": int(len(d.generations)), "generations_planned": targets.generations,
        "population": targets.population,
        "simulations": int(d.generations["simulated"].sum()),
        "posterior": {r.parameter: {"mean": r.mean, "low": r.low, "high": r.high}
                      for r in d.intervals.itertuples()},
        "predictive_checks": {r.target: {"observed": r.observed, "low": r.low, "high": r.high,
                                         "inside": r.inside} for r in d.checks.itertuples()},
        **status,
    }


def _ess_warning(d: Diagnostics, population: int) -> list[str]:
    ess = float(d.generations["ess"].iloc[-1])
    if ess >= population / 5:
        return []
    return [f"**Few particles carry the posterior**: the last generation's effective sample "
            f"size is {ess:.0f} of {population}, so its intervals are rough; run with a "
            "larger `population` (without --quick).", ""]


def _g(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1e4 else f"{x:,.0f}"


def markdown(targets: Targets, d: Diagnostics, doc: dict, figures: list[str]) -> str:
    s = targets.setting
    inside = int(d.checks["inside"].sum())
    lines = [
        f"# Calibration: {targets.name}", "",
        f"Targets file `{targets.path}`. {targets.description}".rstrip(), "",
        "ABC-SMC (pyabc) with a stochastic acceptor: every observation is taken as the "
        "simulated firm's value plus a normal error of the stated sd, so the last "
        "generation at temperature 1 samples the exact posterior under that assumption "
        "(the model's own noise included through the simulations).", "",
        f"- simulated firm: the `{s.preset}` preset with {s.customers:,} customers "
        f"(one employee per 50) for {s.weeks} weeks; one run of each kind per particle"
        + "".join(f", the {k} run with {n:,} customers" for k, n in s.sizes) + ";",
        f"- {doc['population']} particles per generation; {doc['generations']} generations run "
        f"of {targets.generations} planned; {doc['simulations']:,} simulated particles in "
        f"{doc['wall_seconds'] / 60:.1f} minutes of wall time "
        f"({doc['workers']}); ",
        f"- status: {doc['status']}.", "",
        "## Generations", "",
        "| generation | simulated | accepted | acceptance rate | temperature | effective sample size |",
        "|---:|---:|---:|---:|---:|---:|",
        *(f"| {r.generation} | {r.simulated:,} | {r.accepted} | {r.acceptance:.1%} | "
          f"{r.temperature:.3g} | {r.ess:.0f} |" for r in d.generations.itertuples()), "",
        "The temperature scales the observations' error: at 1 the posterior is exact; "
        "above 1 it is wider than the data justify (conservative).", "",
        *_ess_warning(d, doc["population"]),
        "## Posterior", "",
        f"Weighted mean and central {BAND:.0%} interval of the last generation, against the "
        "prior (uniform over its range, on the log scale where stated) and the hand "
        "calibration (the default, the prior's centre). Narrowing: the posterior interval's "
        f"width over the prior's central {BAND:.0%}.", "",
        "| parameter | hand calibration | prior | posterior mean | 90% interval | narrowing |",
        "|---|---:|---|---:|---|---:|",
        *(f"| {r.parameter} | {_g(r.default)} | {_g(r.prior_low)}-{_g(r.prior_high)}"
          f"{' (log)' if r.scale == 'log' else ''} | {_g(r.mean)} | {_g(r.low)}-{_g(r.high)} | "
          f"{r.narrowing:.2f} |" for r in d.intervals.itertuples()), "",
        "## Posterior predictive checks", "",
        f"For every target, the {BAND:.0%} band of a new observation: a firm simulated with "
        "a posterior draw, plus the observation's error. "
        f"{inside} of {len(d.checks)} observed values lie inside their band.", "",
        "| target | observed (sd) | predicted mean | 90% band | inside |",
        "|---|---:|---:|---|---|",
        *(f"| {r.target} | {_g(r.observed)} ({_g(r.sd)}) | {_g(r.predicted)} | "
          f"{_g(r.low)} to {_g(r.high)} | {'yes' if r.inside else '**no**'} |"
          for r in d.checks.itertuples()), "",
        "## Figures", "",
        *(f"![{f}](figures/{f})" for f in figures), "",
        "## Files", "",
        "- `posterior.parquet`: the last generation's accepted draws, a column per fitted "
        "parameter and `weight` (sums to 1);",
        "- `abc.db`: pyabc's database (every generation; `pyabc.History`); "
        "`orgsim calibrate ... --resume` continues from it;",
        "- `calibration.json`: the settings, priors, targets and these figures.", "",
    ]
    return "\n".join(lines)


def draw_figures(folder, targets: Targets, d: Diagnostics) -> list[str]:
    """marginals.png (each parameter's weighted posterior over its prior range, the hand
    calibration marked) and pairwise.png (every pair, coloured by weight)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    names = [p.name for p in targets.priors]
    post = d.posterior
    n = len(names)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for ax, p in zip(axes.flat, targets.priors):
        bins = (np.geomspace(p.low, p.high, 25) if p.scale == "log"
                else np.linspace(p.low, p.high, 25))
        ax.hist(post[p.name], bins=bins, weights=post["weight"], color="#4878a8",
                label="posterior")
        ax.axvline(PARAMS[p.name].default, color="#c44e52", ls="--", label="hand calibration")
        if p.scale == "log":
            ax.set_xscale("log")
        ax.set_xlim(p.low, p.high)
        ax.set_title(p.name, fontsize=10)
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"{targets.name}: posterior marginals over the prior ranges", fontsize=11)
    fig.tight_layout()
    out = [_save(fig, folder, "marginals.png")]
    if n >= 2:
        fig, axes = plt.subplots(n, n, figsize=(2.2 * n, 2.2 * n), squeeze=False)
        for i, pi in enumerate(targets.priors):
            for j, pj in enumerate(targets.priors):
                ax = axes[i, j]
                if i == j:
                    ax.hist(post[pi.name], bins=20, weights=post["weight"], color="#4878a8")
                    ax.set_yticks([])
                else:
                    ax.scatter(post[pj.name], post[pi.name], s=6, c=post["weight"], cmap="Blues")
                    ax.set_ylim(pi.low, pi.high)
                    if pi.scale == "log":
                        ax.set_yscale("log")
                ax.set_xlim(pj.low, pj.high)
                if pj.scale == "log":
                    ax.set_xscale("log")
                ax.tick_params(labelsize=6)
                if i == n - 1:
                    ax.set_xlabel(pj.name, fontsize=7)
                if j == 0:
                    ax.set_ylabel(pi.name, fontsize=7)
        fig.tight_layout()
        out.append(_save(fig, folder, "pairwise.png"))
    return out


def _save(fig, folder, name: str) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    write_atomic(folder / name, buf.getvalue())
    return name


def write_json(path, doc: dict) -> None:
    write_atomic(path, json.dumps(doc, indent=1, default=float) + "\n")
