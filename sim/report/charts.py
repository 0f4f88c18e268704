"""The comparison report's figures, PNG and SVG in ``figures/``.

Made to be projected and printed in black and white: one colour and one line style per
scenario, the same in every figure; direct labels instead of legends where lines end;
no grid, no frame on top or right; large type."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments.figures import save_figure
from ..experiments.store import t_quantile
from .numbers import CAUSE_WORDS, Numbers, share_interval
from .text import LABEL_MAX, RC_TEXT, for_figure, matplotlib_fonts, short

# Colours of distinct lightness (they stay apart in grey), line styles and hatches
# that tell scenarios apart with no colour at all.
# Grey levels (luminance): blue 0.21, vermillion 0.47, grey 0.62, black 0.10, gold 0.74,
# green 0.33.
PALETTE = ("#0b3d91", "#d55e00", "#9e9e9e", "#1a1a1a", "#f4b942", "#1b7837")
KNOWN = {"customer_centric": "#0b3d91", "product_centric": "#d55e00", "baseline": "#9e9e9e"}
STYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)))
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "ooo")
RC = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "lines.linewidth": 2.2,
      "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none",
      **RC_TEXT}  # literal text (no mathtext: "$5" stays "$5"), a CJK fallback font


@dataclass(frozen=True)
class Look:
    """How one scenario is drawn in every figure."""

    label: str
    colour: str
    style: object
    hatch: str


def looks(names: list[str], labels: list[str]) -> dict[str, Look]:
    """A Look per scenario: the usual colours for the named organisations, the palette
    in order for the others (round again past six); styles and hatches by position.
    Labels longer than LABEL_MAX are shortened: the report's text has them in full."""
    out, free = {}, [c for c in PALETTE if c not in KNOWN.values()]
    for i, (name, label) in enumerate(zip(names, labels)):
        known = next((c for k, c in KNOWN.items() if name == k or name.endswith("_" + k)), None)
        if known and known not in [lk.colour for lk in out.values()]:
            colour = known
        else:
            colour = free.pop(0) if free else PALETTE[i % len(PALETTE)]
        out[name] = Look(for_figure(short(label, LABEL_MAX)), colour, STYLES[i % len(STYLES)],
                         HATCHES[i % len(HATCHES)])
    return out


def _band(wide: pd.DataFrame, share: bool = False) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Mean over replications (rows) and its 95% interval (low, high); for a share (every
    value in [0, 1]) the logit-scale interval, which stays in [0, 1]."""
    n = wide.shape[0]
    mean = wide.mean(axis=0)
    half = t_quantile(n - 1) * wide.std(axis=0, ddof=1) / math.sqrt(n) if n > 1 else 0 * mean
    half = half.fillna(0.0)
    if share:
        lo, hi = share_interval(mean.to_numpy(), half.to_numpy(), n)
        return mean, pd.Series(lo, index=mean.index), pd.Series(hi, index=mean.index)
    return mean, mean - half, mean + half


def _band_posterior(wide: pd.DataFrame, reps: int, share: bool = False):
    """Mean over runs at posterior draws (rows: units, draw = u // R - 1, seed u % R)
    and the 95% band of sim.experiments.uncertainty, week by week: the spread over
    the draws and the seed noise in quadrature."""
    from ..experiments.uncertainty import Z95

    units = np.asarray(wide.index)
    mean = wide.mean(axis=0)
    by_draw = wide.groupby(units // reps - 1).mean()
    by_seed = wide.groupby(units % reps).mean()
    param = Z95 * by_draw.std(axis=0, ddof=1) if len(by_draw) > 1 else 0 * mean
    n_r = len(by_seed)
    seed = (t_quantile(n_r - 1) * by_seed.std(axis=0, ddof=1) / math.sqrt(n_r)
            if n_r > 1 else 0 * mean)
    half = np.sqrt(param.fillna(0.0) ** 2 + seed.fillna(0.0) ** 2)
    if share:
        lo, hi = share_interval(mean.to_numpy(), half.to_numpy(), wide.shape[0])
        return mean, pd.Series(lo, index=mean.index), pd.Series(hi, index=mean.index)
    return mean, mean - half, mean + half


def _label_ends(ax, ends: list[tuple[float, str, str]], x: float) -> None:
    """Direct labels at the right end of the curves, pushed apart so they never overlap."""
    ends = sorted([list(e) for e in ends])
    lo, hi = ax.get_ylim()
    gap = 0.06 * (hi - lo)
    for i in range(1, len(ends)):
        ends[i][0] = max(ends[i][0], ends[i - 1][0] + gap)
    for y, text, colour in ends:
        ax.text(x, y, text, va="center", fontsize=11, color=colour)


def curves(ax, ts: pd.DataFrame, col: str, look: dict[str, Look], smooth: int = 1,
           scale: float = 1.0, start: int = 0, share: bool = False) -> None:
    """Mean and 95% band of a weekly column, one curve per scenario, labelled at its end;
    ``share``: the column is a share (0 to 1), its band the logit-scale interval."""
    ends = []
    for name, lk in look.items():
        g = ts[(ts["scenario"] == name) & (ts["event"] == -1) & (ts["step"] >= start)]
        wide = g.pivot(index="replication", columns="step", values=col)
        if smooth > 1:
            wide = wide.T.rolling(smooth, min_periods=1).mean().T
        if "draw" in g.columns and len(g):  # runs over a posterior: R seeds per draw
            reps = g[g["draw"] == g["draw"].min()]["replication"].nunique()
            mean, lo, hi = _band_posterior(wide, reps, share)
        else:
            mean, lo, hi = _band(wide, share)
        mean, lo, hi = mean * scale, lo * scale, hi * scale
        ax.fill_between(mean.index, lo, hi, color=lk.colour, alpha=0.18, lw=0)
        ax.plot(mean.index, mean, color=lk.colour, ls=lk.style)
        ends.append((float(mean.iloc[-1]), lk.label, lk.colour))
    end = ts["step"].max()
    ax.set_xlim(0, end * 1.42)
    ax.set_xticks([t for t in range(0, end + 1, 52 if end > 104 else 26)])
    ax.set_xlabel("weeks")
    _label_ends(ax, ends, end * 1.02)


def _fig(width: float = 9.0, height: float = 4.6, ncols: int = 1):
    import matplotlib.pyplot as plt
    return plt.subplots(1, ncols, figsize=(width, height), squeeze=False)


def retention(ts, nb: Numbers, look, folder: Path) -> list[Path]:
    fig, ax = _fig()
    ax = ax[0, 0]
    curves(ax, ts, "retention", look, scale=100, share=True)
    ax.set_ylabel("% of starting customers still with the firm")
    ax.set_title("Customers kept (mean of the runs, band: 95% interval)")
    _event_marks(ax, nb)
    return _done(fig, folder, "retention")


def _event_marks(ax, nb: Numbers) -> None:
    for at in sorted({e.at for e in nb.events}):
        ax.axvline(at, color="#999999", lw=1, ls=(0, (2, 2)))
        ax.text(at, ax.get_ylim()[1], f" event, week {at}", va="top", fontsize=9, color="#555555")


def churn_by_cause(ts, nb: Numbers, look, folder: Path) -> list[Path]:
    """Customers lost per run by cause: grouped bars with 95% intervals."""
    causes = [c for c in nb.scenarios[0].churn
              if any(s.churn[c].mean >= 0.5 for s in nb.scenarios)]
    fig, ax = _fig(9.0, 1.0 + 0.55 * len(causes) * len(nb.scenarios) ** 0.6)
    ax = ax[0, 0]
    k = len(nb.scenarios)
    h = 0.8 / k
    for i, s in enumerate(nb.scenarios):
        lk = look[s.name]
        y = np.arange(len(causes)) + (k - 1) / 2 * h - i * h
        vals = [s.churn[c].mean for c in causes]
        err = [max(s.churn[c].high - s.churn[c].mean, 0) if s.churn[c].n > 1 else 0 for c in causes]
        ax.barh(y, vals, height=h * 0.92, color=lk.colour, alpha=0.85, hatch=lk.hatch,
                edgecolor="white", xerr=err, error_kw={"ecolor": "#333333", "capsize": 2, "lw": 1},
                label=lk.label)
        for yy, v, e in zip(y, vals, err):
            ax.text(v + e, yy, f"  {v:.0f}", va="center", fontsize=10, color="#222222")
    ax.set_yticks(np.arange(len(causes)), [CAUSE_WORDS.get(c, c).split(" (")[0] for c in causes])
    ax.invert_yaxis()
    ax.set_xlim(0, ax.get_xlim()[1] * 1.08)
    ax.legend(loc="lower right", frameon=False, fontsize=10)
    ax.set_xlabel("customers lost per run, by cause (whiskers: 95% interval)")
    ax.set_title(f"Why customers left, over {nb.steps} weeks")
    return _done(fig, folder, "churn_by_cause")


def satisfaction(ts, nb: Numbers, look, folder: Path) -> list[Path]:
    fig, ax = _fig()
    curves(ax[0, 0], ts, "mean_satisfaction", look, start=1, share=True)
    ax[0, 0].set_ylabel("0 (furious) to 1 (delighted)")
    ax[0, 0].set_title("Mean satisfaction of active customers")
    return _done(fig, folder, "satisfaction")


def nps(ts, nb: Numbers, look, folder: Path) -> list[Path]:
    fig, ax = _fig()
    curves(ax[0, 0], ts, "nps", look, smooth=4, start=1)
    ax[0, 0].axhline(0, color="#999999", lw=0.8)
    ax[0, 0].set_ylabel("promoters minus detractors, %")
    ax[0, 0].set_title("Net promoter score (4-week mean)")
    return _done(fig, folder, "nps")


def failure_demand(ts, nb: Numbers, look, folder: Path) -> list[Path]:
    fig, ax = _fig()
    ax = ax[0, 0]
    curves(ax, ts, "failure_demand_share", look, smooth=4, scale=100, start=1, share=True)
    ax.set_ylim(0, max(ax.get_ylim()[1], 10))
    ax.set_ylabel("% of contacts")
    ax.set_title("Failure demand: repeat and fault contacts (4-week mean)")
    return _done(fig, folder, "failure_demand")


def revenue(ts, nb: Numbers, look, folder: Path) -> list[Path]:
    fig, ax = _fig()
    curves(ax[0, 0], ts, "revenue", look, smooth=4, start=1)
    ax[0, 0].set_title("Revenue per week (4-week mean)")
    ax[0, 0].set_ylabel("money per week")
    return _done(fig, folder, "revenue")


def lifetime_value(ts, nb: Numbers, look, folder: Path) -> list[Path]:
    fig, ax = _fig(9.0, 3.2)
    ax = ax[0, 0]
    for i, s in enumerate(nb.scenarios):
        lk, e = look[s.name], s.metrics["customer_lifetime_value"]
        err = [[e.mean - e.low], [e.high - e.mean]] if e.n > 1 else None
        ax.barh(i, e.mean, color=lk.colour, hatch=lk.hatch, edgecolor="white", xerr=err,
                error_kw={"ecolor": "#333333", "capsize": 3}, height=0.6)
        ax.text(e.high if e.n > 1 else e.mean, i, f"  {e.mean:.0f}", va="center", fontsize=11)
    ax.set_yticks(range(len(nb.scenarios)), [_wrap(look[s.name].label, 28) for s in nb.scenarios])
    ax.invert_yaxis()
    ax.set_xlim(0, ax.get_xlim()[1] * 1.1)
    ax.set_xlabel("money per customer (whiskers: 95% interval)")
    ax.set_title("Customer lifetime value, from the last year")
    return _done(fig, folder, "lifetime_value")


def _wrap(text: str, width: int = 18) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width))


def event_gaps(ts, nb: Numbers, look, folder: Path) -> list[Path]:
    """Customers missing against the same firm without the event, per event kind."""
    kinds = list(dict.fromkeys(e.kind for e in nb.events))
    if not kinds:
        return []
    fig, axes = _fig(max(9.0, 6.0 * len(kinds)), 4.6, len(kinds))
    for ax, kind in zip(axes[0], kinds):
        ends = []
        for e in (e for e in nb.events if e.kind == kind):
            lk = look[e.scenario]
            j = e.index
            a = ts[(ts["scenario"] == e.scenario) & (ts["event"] == -1)]
            b = ts[(ts["scenario"] == e.scenario) & (ts["event"] == j)]
            wa = a.pivot(index="replication", columns="step", values="active_customers")
            wb = b.pivot(index="replication", columns="step", values="active_customers")
            reps = wa.index.intersection(wb.index)
            base = wb.loc[reps, e.at].clip(lower=1)
            gap = (wb.loc[reps] - wa.loc[reps]).div(base, axis=0) * 100
            mean, lo, hi = _band(gap)
            ax.fill_between(mean.index, lo, hi, color=lk.colour, alpha=0.18, lw=0)
            ax.plot(mean.index, mean, color=lk.colour, ls=lk.style)
            ends.append((float(mean.iloc[-1]), lk.label, lk.colour))
        end = ts["step"].max()
        for at in sorted({e.at for e in nb.events if e.kind == kind}):
            ax.axvline(at, color="#999999", lw=1, ls=(0, (2, 2)))
        ax.axhline(0, color="#999999", lw=0.8)
        ax.set_xlim(0, end * 1.42)
        ax.set_xlabel("weeks")
        ax.set_ylabel("% of customers at the event")
        ax.set_title(f"Customers lost to {kind.replace('_', ' ')}")
        _label_ends(ax, ends, end * 1.02)
    return _done(fig, folder, "event_gaps")


def _done(fig, folder: Path, name: str) -> list[Path]:
    import matplotlib.pyplot as plt
    fig.tight_layout()
    out = save_figure(fig, folder, name)
    plt.close(fig)
    return out


FIGURES = (retention, churn_by_cause, failure_demand, satisfaction, nps, revenue, lifetime_value,
           event_gaps)


def draw(ts: pd.DataFrame, nb: Numbers, folder: Path) -> dict[str, Path]:
    """Every figure of the report: name -> its PNG (the SVG lies beside it)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib_fonts()
    look = looks([s.name for s in nb.scenarios], [s.label for s in nb.scenarios])
    out = {}
    with plt.rc_context(RC):
        for fn in FIGURES:
            paths = fn(ts, nb, look, folder)
            if paths:
                out[fn.__name__] = paths[0]
    return out
