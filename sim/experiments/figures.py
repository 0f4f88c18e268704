"""A study's figures, PNG and SVG in ``figures/``: plain titles, axes in weeks, direct
labels, a palette that stays apart in grey. Text is set as it stands, as in the reports
(sim.report.text: no mathtext, so a value "Acme $5 and $10 Corp" stays so; a CJK
fallback font; right-to-left names in order); long names and labels are shortened."""

from __future__ import annotations

import io
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from .intervals import SHARES, estimates
from .store import write_atomic

MAX_CURVES = 8  # more curves than this are unreadable on a slide: the extremes are drawn
NAME_MAX = 40   # characters of a parameter's or a metric's name in a title or on an axis
TICK_MAX = 20   # characters of a categorical value on an axis


def save_figure(fig, folder: Path, name: str, formats: tuple[str, ...] = ("png", "svg"),
                dpi: int = 150) -> list[Path]:
    """Write the figure in each format (PNG and SVG for slides by default), each
    atomically and with the usual permissions (write_atomic)."""
    written = []
    for ext in formats:
        buf = io.BytesIO()
        fig.savefig(buf, dpi=dpi, format=ext, bbox_inches="tight")
        write_atomic(folder / f"{name}.{ext}", buf.getvalue())
        written.append(folder / f"{name}.{ext}")
    return written


def _text(text: str, n: int) -> str:
    """Text for a figure: shortened to ``n`` characters, right-to-left runs in order."""
    from ..report.text import for_figure, short
    return for_figure(short(str(text), n))


def _words(name: str, n: int = NAME_MAX) -> str:
    return _text(name.replace("_", " "), n)


def _label(point: pd.Series, varied: tuple[str, ...]) -> str:
    from ..report.text import LABEL_MAX
    return _text(", ".join(f"{v.replace('_', ' ')} {point[v]:g}" if isinstance(point[v], (int, float))
                           else f"{v} {point[v]}" for v in varied), LABEL_MAX)


def _ci(values: np.ndarray, share: bool) -> tuple[float, float, float]:
    """Mean and how far the 95% interval reaches below and above it (a share's on the
    logit scale, as in summary.csv); no bar with one value."""
    mean, _, low, high = estimates(values, share)
    if not np.isfinite(low):
        return mean, 0.0, 0.0
    return mean, mean - low, high - mean


TITLES = {"retention": ("Starting customers still with the firm (mean and 95% band)",
                        "retention (share)", "retention_curves")}


def weekly_curves(exp, res, folder: Path, column: str = "retention") -> list[Path]:
    """Mean of a kept weekly column by week with its 95% band (the weekly summary),
    one curve per point (the points with the highest and lowest last value when there
    are more than MAX_CURVES); retention as ``retention_curves``, any other column as
    ``weekly_COLUMN``."""
    import matplotlib.pyplot as plt

    weekly = res.weekly
    if weekly is None or weekly.empty or f"{column}_mean" not in weekly.columns:
        return []
    last = weekly.sort_values("step").groupby("point")[f"{column}_mean"].last().sort_values()
    chosen = list(last.index) if len(last) <= MAX_CURVES else (
        list(last.index[:MAX_CURVES // 2]) + list(last.index[-MAX_CURVES // 2:]))
    summary = res.summary.set_index("point")
    fig, ax = plt.subplots(figsize=(9, 5))
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(chosen)))
    labels = []
    for colour, p in zip(colours, chosen):
        w = weekly[weekly["point"] == p].sort_values("step")
        mean = w[f"{column}_mean"].to_numpy(dtype=float)
        low = w[f"{column}_ci_low"].to_numpy(dtype=float)
        high = w[f"{column}_ci_high"].to_numpy(dtype=float)
        ok = np.isfinite(low) & np.isfinite(high) & (w["n"].to_numpy() > 1)
        ax.fill_between(w["step"], np.where(ok, low, mean), np.where(ok, high, mean),
                        color=colour, alpha=0.15, lw=0)
        ax.plot(w["step"], mean, color=colour, lw=1.8)
        label = _label(summary.loc[p], exp.varied) if exp.varied else "base"
        labels.append([float(mean[-1]), label, colour])
    # direct labels at the curves' ends, pushed apart so they never overlap
    labels.sort(key=lambda x: x[0])
    lo, hi = ax.get_ylim()
    gap = 0.045 * (hi - lo)
    for i in range(1, len(labels)):
        labels[i][0] = max(labels[i][0], labels[i - 1][0] + gap)
    end = weekly["step"].max()
    for y, label, colour in labels:
        ax.text(end * 1.02, y, label, va="center", fontsize=8, color=colour)
    ax.set_xlim(0, end * 1.45 if end else 1)
    words = _words(column)
    title, ylabel, name = TITLES.get(column, (f"{words.capitalize()} by week (mean and 95% band)",
                                              words, f"weekly_{column}"))
    ax.set_title(title)
    ax.set_xlabel("weeks")
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    out = save_figure(fig, folder, name)
    plt.close(fig)
    return out


def _tick(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float, np.number)) else _text(value, TICK_MAX)


def metric_by_parameter(exp, res, folder: Path) -> list[Path]:
    """End-of-run retention (or the first kept metric) against each varied parameter:
    mean and 95% interval per value, pooled over the others; for sampled studies the
    points and the mean in bins."""
    import matplotlib.pyplot as plt

    if not exp.varied or res.runs.empty:
        return []
    metric = "retention" if "retention" in exp.metrics else exp.metrics[0]
    runs = res.runs
    fig, axes = plt.subplots(1, len(exp.varied), figsize=(4 * len(exp.varied), 3.6), squeeze=False)
    for ax, name in zip(axes[0], exp.varied):
        if exp.sampler is None or name in exp.sampler.choices:
            levels = sorted(runs[name].unique())
            stats = [_ci(runs.loc[runs[name] == lv, metric].to_numpy(dtype=float), metric in SHARES)
                     for lv in levels]
            numeric = all(isinstance(lv, (int, float, np.number)) for lv in levels)
            x = levels if numeric else list(range(len(levels)))
            if not numeric:  # categorical: one place each, its (shortened) name below
                ax.set_xticks(x, [_tick(lv) for lv in levels])
            ax.errorbar(x, [m for m, _, _ in stats], yerr=[[b for _, b, _ in stats],
                                                         [a for _, _, a in stats]], marker="o",
                        color="#2166ac", capsize=3, lw=1.5)
        else:
            by_point = runs.groupby("point")[[name, metric]].mean()
            ax.scatter(by_point[name], by_point[metric], s=8, color="#999999")
            bins = np.linspace(*exp.sampler.ranges[name], 7)
            mids = 0.5 * (bins[1:] + bins[:-1])
            which = np.clip(np.digitize(by_point[name], bins) - 1, 0, len(mids) - 1)
            means = [by_point[metric][which == i].mean() for i in range(len(mids))]
            ax.plot(mids, means, color="#2166ac", lw=2)
        ax.set_xlabel(_words(name))
        ax.set_ylabel(_words(metric))
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(f"End of run ({exp.steps} weeks): {_words(metric)} by parameter")
    fig.tight_layout()
    out = save_figure(fig, folder, "metric_by_parameter")
    plt.close(fig)
    return out


def heat_map(exp, res, folder: Path) -> list[Path]:
    """A two-parameter grid as a heat map of the mean metric, numbers in the cells."""
    import matplotlib.pyplot as plt

    if exp.sampler is not None or len(exp.grid) != 2 or res.runs.empty:
        return []
    metric = "retention" if "retention" in exp.metrics else exp.metrics[0]
    a, b = exp.grid
    table = res.runs.groupby([a, b])[metric].mean().unstack(b)
    fig, ax = plt.subplots(figsize=(1.2 * len(table.columns) + 3, 0.6 * len(table) + 2.5))
    im = ax.imshow(table.to_numpy(), cmap="Greys", aspect="auto", origin="lower")
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            v = table.iat[i, j]
            shade = im.norm(v) if np.isfinite(v) else 0
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=9,
                    color="white" if shade > 0.6 else "black")
    ax.set_xticks(range(len(table.columns)), [_tick(c) for c in table.columns])
    ax.set_yticks(range(len(table.index)), [_tick(r) for r in table.index])
    ax.set_xlabel(_words(b))
    ax.set_ylabel(_words(a))
    ax.set_title(f"Mean {_words(metric)} after {exp.steps} weeks")
    fig.colorbar(im, ax=ax, shrink=0.8)
    out = save_figure(fig, folder, "heat_map")
    plt.close(fig)
    return out


def sensitivity_bars(exp, res, folder: Path) -> list[Path]:
    """Morris mu* or Sobol ST (with S1) per parameter, with their 95% intervals."""
    import matplotlib.pyplot as plt

    path = Path(res.out) / "sensitivity.csv"
    if exp.sampler is None or exp.sampler.method not in ("morris", "sobol") or not path.exists():
        return []
    table = pd.read_csv(path)
    metric = "retention" if "retention" in set(table["metric"]) else table["metric"].iloc[0]
    t = table[table["metric"] == metric]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(t) + 1.5))
    if exp.sampler.method == "morris":
        t = t.sort_values("mu_star")
        ax.barh([_words(p) for p in t["parameter"]], t["mu_star"], xerr=t["mu_star_conf"], color="#777777", capsize=2)
        ax.set_xlabel(f"Morris mu* (mean absolute effect on {_words(metric)})")
    else:
        t = t.sort_values("ST")
        y = np.arange(len(t))
        ax.barh(y + 0.2, t["ST"], height=0.4, xerr=t["ST_conf"], color="#444444", label="total (ST)")
        ax.barh(y - 0.2, t["S1"], height=0.4, xerr=t["S1_conf"], color="#bbbbbb", label="first order (S1)")
        ax.set_yticks(y, [_words(p) for p in t["parameter"]])
        ax.set_xlabel(f"Sobol index of {_words(metric)}")
        ax.legend(frameon=False)
    ax.set_title("Which parameters move the result (95% intervals)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out = save_figure(fig, folder, "sensitivity")
    plt.close(fig)
    return out


def draw_all(exp, res) -> list[Path]:
    """Every figure that fits the study; a figure that fails warns and is skipped, so
    results are never lost to a drawing problem."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..report.text import RC_TEXT, matplotlib_fonts
    from .store import weekly_summary

    folder = Path(res.out) / "figures"
    if (res.weekly is None or res.weekly.empty) and not res.timeseries.empty:
        res.weekly = weekly_summary(res.timeseries, res.runs, exp.varied, exp.timeseries)
    draws = [partial(weekly_curves, column=c) for c in exp.timeseries]
    written = []
    matplotlib_fonts()
    with plt.rc_context(RC_TEXT):  # literal text: "$5" stays "$5", "$^$" is no error
        for draw in (*draws, metric_by_parameter, heat_map, sensitivity_bars):
            try:
                written += draw(exp, res, folder)
            except Exception as err:  # noqa: BLE001 - a figure must not cost the study
                name = getattr(draw, "__name__", None) or f"weekly {draw.keywords['column']}"
                warnings.warn(f"figure {name} skipped: {err}", stacklevel=2)
    return written
