"""One figure per pattern for docs/validation.md: the model's value with its interval
against the target from the literature (a grey band or a hollow marker)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..experiments.figures import save_figure
from .observe import CATEGORIES, NO_RECENT
from .patterns import ACQUIRERS, GALLUP, TARP_KEPT, Outcome

MODEL, TARGET, BAND = "#0b3d91", "#d55e00", "#dddddd"


def _new(width=6.4, height=3.4):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(width, height))
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _save(fig, folder: Path, name: str) -> Path:
    import matplotlib.pyplot as plt
    (path,) = save_figure(fig, folder, name, formats=("png",), dpi=120)
    plt.close(fig)
    return path


def _legend_below(ax) -> None:
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2)


def _err(e):
    return [[e.mean - e.low], [e.high - e.mean]] if e.n > 1 else None


def baseline_churn(o: Outcome, ax) -> None:
    ax.axhspan(5, 15, color=BAND, label="target 5-15% a year")
    years = o.data["by_year"]
    for y, e in enumerate(years, 1):
        ax.errorbar(y, 100 * e.mean, yerr=None if e.n < 2 else 100 * np.array(_err(e)),
                    fmt="o", color=MODEL, capsize=4)
    ax.set(xticks=range(1, len(years) + 1), xticklabels=[f"year {y}" for y in range(1, len(years) + 1)],
           ylabel="customers lost, % a year", ylim=(0, 20), title="Baseline churn by year")
    ax.legend(frameon=False, loc="upper right")


def contagion(o: Outcome, ax) -> None:
    weeks = np.arange(1, NO_RECENT + 1)
    rr = o.data["weekly"]
    ax.fill_between(weeks, [r.low for r in rr], [r.high for r in rr], color=BAND)
    ax.plot(weeks, [r.ratio for r in rr], "o-", color=MODEL, ms=3, label="model, by week")
    ax.axhline(1, color="black", lw=0.8)
    ax.plot([1, 4], [1.8, 1.8], color=TARGET, lw=3, label="Nitzan & Libai: +80%, first month")
    ax.set(xlabel="weeks since a network neighbour defected", ylabel="defection hazard ratio",
           title="Contagion of churn (stratified by satisfaction)")
    ax.legend(frameon=False)


def word_of_mouth(o: Outcome, ax) -> None:
    d, e = o.data["default"], o.data["essay"]
    ax.barh([1, 0], [d.mean, e.mean], color=[MODEL, "#7f7f7f"], height=0.5, label="model")
    ax.plot([2, 10], [1, 0], "D", mfc="white", mec=TARGET, ms=9, label="target (TARP 1984; essay 004)")
    ax.set(yticks=[1, 0], yticklabels=["default", "word_of_mouth_essay"],
           xlabel="people told per dissatisfied customer / per satisfied one",
           title="Word of mouth: how many more the dissatisfied tell")
    _legend_below(ax)


def complaints(o: Outcome, ax) -> None:
    kept = o.data["kept"]
    order = [0, 2, 3]
    x = np.arange(len(order))
    ax.bar(x - 0.2, [100 * kept[k].mean for k in order], 0.4, color=MODEL, label="model",
           yerr=np.hstack([100 * np.array(_err(kept[k])) for k in order]), capsize=3)
    ax.bar(x + 0.2, [100 * TARP_KEPT[k] for k in order], 0.4, color="white", edgecolor=TARGET,
           hatch="//", label="TARP 1984 (would buy again)")
    ax.set(xticks=x, xticklabels=[CATEGORIES[k].replace(", ", ",\n") for k in order],
           ylabel="% still customers a year later", ylim=(0, 105),
           title="A year after a product fault")
    _legend_below(ax)


def failure_demand(o: Outcome, ax) -> None:
    ax.axhspan(40, 60, color=BAND, label="Seddon / Vanguard: 40-60%")
    for name, colour, style in (("product_centric", TARGET, "-"), ("customer_centric", MODEL, ":")):
        w = o.data["weekly"][name]
        ax.plot(np.arange(1, w.shape[1] + 1), 100 * w.mean(axis=0), style, color=colour,
                label=name.replace("_", "-"))
    ax.set(xlabel="weeks", ylabel="% of contacts", ylim=(0, 80),
           title="Failure demand: repeat and fault contacts")
    ax.legend(frameon=False, loc="upper right")


def service_recovery(o: Outcome, ax) -> None:
    s, k = o.data["satisfaction"], o.data["kept"]
    ax.bar([0, 1], [s[0].mean, s[1].mean], color=[MODEL, "#7f7f7f"], width=0.6)
    ax.set(xticks=[0, 1], xticklabels=["fault put right at once", "no problem"],
           ylabel="satisfaction after the week", ylim=(0.6, 0.75),
           title="Service recovery: satisfaction rises, retention does not")
    for i in (0, 1):
        ax.text(i, s[i].mean + 0.003, f"kept a year: {100 * k[i].mean:.1f}%", ha="center")


def merger(o: Outcome, ax) -> None:
    r = o.data["ratio"]
    y = np.arange(len(ACQUIRERS))
    ax.barh(y, [r[a].mean for a in ACQUIRERS], color=MODEL, height=0.5,
            xerr=np.hstack([np.array(_err(r[a])) for a in ACQUIRERS]), capsize=3, label="model")
    ax.plot([GALLUP[a] for a in ACQUIRERS], y, "D", mfc="white", mec=TARGET, ms=9, label="Gallup 2015")
    ax.axvline(1, color="black", lw=0.8)
    ax.set(yticks=y, yticklabels=[f"{a.replace('_', '-')} acquirer" for a in ACQUIRERS],
           xlabel="acquired customers' churn in the year after / baseline churn",
           title="Mergers: churn of the acquired customers")
    _legend_below(ax)


def bass_docking(o: Outcome, ax) -> None:
    eq = o.data["equation"]
    t = np.arange(1, len(eq) + 1) / 52
    for sim in o.data["simulated"]:
        ax.plot(t, sim, color=MODEL, lw=2, alpha=0.6)
    ax.plot(t, eq, "--", color=TARGET, label="Bass equation (p 0.03, q 0.38)")
    ax.plot([], [], color=MODEL, lw=2, label="model, full mixing")
    ax.set(xlabel="years", ylabel="share adopted", title="A substitute docks with the Bass equation")
    ax.legend(frameon=False)


def retention_profit(o: Outcome, ax) -> None:
    rise = o.data["rise"]
    ax.axvspan(30, 85, color=BAND, label="Reichheld & Sasser 1990: 30-85%")
    ax.barh([0], [100 * rise.mean], color=MODEL, height=0.3,
            xerr=100 * np.array(_err(rise)) if rise.n > 1 else None, capsize=4, label="model")
    ax.axvline(5, color="black", lw=0.8, ls=":", label="5%")
    ax.set(yticks=[], ylim=(-0.5, 0.5), xlabel="rise in customer lifetime profit, %",
           xlim=(0, 100), title=f"{100 * o.data['drop'].mean:.1f} points fewer defections a year")
    _legend_below(ax)


def multitask(o: Outcome, ax) -> None:
    for name, colour, style in (("volume", TARGET, "-"), ("value", MODEL, ":")):
        w = o.data["weekly"][name]
        ax.plot(np.arange(1, w.shape[1] + 1), 100 * w.mean(axis=0), style, color=colour,
                label=f"{name} bonus")
    ax.set(xlabel="weeks", ylabel="% of sales' time", ylim=(0, 100),
           title=f"Selling effort; year-1 sales {o.data['acquired'].mean:+.0f}, "
                 f"kept by year 3 {100 * o.data['kept'].mean:+.1f} points")
    ax.legend(frameon=False, loc="upper right")


DRAW = {"baseline_churn": baseline_churn, "multitask": multitask, "contagion": contagion, "word_of_mouth": word_of_mouth,
        "complaints": complaints, "failure_demand": failure_demand,
        "service_recovery": service_recovery, "merger": merger, "bass_docking": bass_docking,
        "retention_profit": retention_profit}


def draw(outcomes: list[Outcome], folder: Path) -> dict[str, Path]:
    """Each pattern's figure as FOLDER/<key>.png; returns the paths by key."""
    paths = {}
    for o in outcomes:
        fig, ax = _new()
        DRAW[o.key](o, ax)
        paths[o.key] = _save(fig, folder, o.key)
    return paths
