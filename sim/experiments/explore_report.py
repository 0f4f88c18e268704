"""What ``orgsim explore`` writes for people: the figures (PRIM's peeling trajectory and
box limits, the sensitivity of the advantage year by year) and explore.md, every
sentence made from the tables it summarises."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .figures import save_figure

OUTPUT_WORDS = {"retention_advantage": "customers kept (retention, a share)",
                "profit_advantage": "total profit"}
LOSES_WORDS = {"retention": "keeps no more of its starting customers",
               "profit": "earns no more profit",
               "either": "keeps no more of its starting customers or earns no more profit"}


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def box_words(box, ranges: dict[str, tuple[float, float]]) -> str:
    """'churn_base above 0.0015 and satisfaction_ref below 0.72'."""
    parts = []
    for name, (lo, hi) in box.limits.items():
        full = ranges[name]
        low_cut, high_cut = lo > full[0], hi < full[1]
        if low_cut and high_cut:
            parts.append(f"{name} from {_fmt(lo)} to {_fmt(hi)}")
        elif low_cut:
            parts.append(f"{name} above {_fmt(lo)}")
        else:
            parts.append(f"{name} below {_fmt(hi)}")
    if not parts:
        return "the whole explored space"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def draw(ex, pts: pd.DataFrame, boxes: list, sens: pd.DataFrame, folder: Path) -> dict[str, str]:
    """The figures, PNG and SVG, by name (only those there is something to draw for)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..report.text import RC_TEXT, matplotlib_fonts

    matplotlib_fonts()
    out: dict[str, str] = {}
    with plt.rc_context(RC_TEXT):
        if boxes:
            fig, ax = plt.subplots(figsize=(6.5, 4.2))
            for b in boxes:
                t = b.trajectory
                ax.plot(t["coverage"], t["density"], "o-", ms=3, label=f"box {b.number}")
                ax.plot([b.coverage], [b.density], "k*", ms=12)
            ax.set_xlabel("coverage: share of all cases inside the box")
            ax.set_ylabel("density: share of the box's points that are cases")
            ax.set_title("PRIM peeling trajectory (star: the box reported)")
            ax.set_xlim(0, 1.02)
            ax.set_ylim(0, 1.02)
            ax.legend(frameon=False)
            save_figure(fig, folder, "prim_peeling")
            plt.close(fig)
            out["prim_peeling"] = "figures/prim_peeling.png"
            names = list(ex.ranges)
            fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.45 * len(names) * len(boxes)))
            y, ticks = 0, []
            for b in boxes:
                for name in names:
                    lo, hi = ex.ranges[name]
                    blo, bhi = b.limits.get(name, (lo, hi))
                    a, z = (blo - lo) / (hi - lo), (bhi - lo) / (hi - lo)
                    ax.barh(y, z - a, left=a, color="#4c72b0" if name in b.limits else "#cccccc")
                    if name in b.limits:
                        ax.text(min(z, 0.98), y, f" {_fmt(blo)} to {_fmt(bhi)}", va="center",
                                ha="right" if z > 0.7 else "left", fontsize=8,
                                color="white" if z > 0.7 else "black")
                    ticks.append((y, f"box {b.number}: {name}"))
                    y -= 1
                y -= 0.5
            ax.set_yticks([t[0] for t in ticks], [t[1] for t in ticks])
            ax.set_xlim(0, 1)
            ax.set_xlabel("share of the explored range (grey: not restricted)")
            ax.set_title("Where the advantage is lost: each box's parameter ranges")
            save_figure(fig, folder, "prim_boxes")
            plt.close(fig)
            out["prim_boxes"] = "figures/prim_boxes.png"
        if len(sens):
            index = "ST" if ex.method == "sobol" else "mu_star"
            outputs = list(dict.fromkeys(sens["output"]))
            fig, axes = plt.subplots(1, len(outputs), figsize=(5.2 * len(outputs), 3.8),
                                     squeeze=False)
            for ax, output in zip(axes[0], outputs):
                g = sens[sens["output"] == output]
                for name, h in g.groupby("parameter", sort=False):
                    ax.plot(h["year"], h[index], "o-", label=name)
                ax.set_xlabel("year")
                ax.set_ylabel("total-effect index ST" if index == "ST" else "Morris mu*")
                ax.set_title(f"Advantage in {OUTPUT_WORDS[output]}", fontsize=10)
                ax.axhline(0, color="#999999", lw=0.5)
            axes[0][0].legend(frameon=False, fontsize=8)
            save_figure(fig, folder, "sensitivity_by_year")
            plt.close(fig)
            out["sensitivity_by_year"] = "figures/sensitivity_by_year.png"
    return out


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def markdown(ex, pts: pd.DataFrame, boxes: list, sens: pd.DataFrame, warning: str,
             figures: dict[str, str], out: Path) -> str:
    """explore.md: what was run, where the advantage is lost (the PRIM boxes in plain
    words), how the sensitivity changes over the years, the warning if any."""
    a, b = ex.labels
    n, k = len(pts), int(pts["loses"].sum()) if len(pts) else 0
    years = ex.steps / 52
    where = {"plausible": "the plausible ranges of the calibration constants (Param.plausible, "
                          "`orgsim params`)", "spec": f"the ranges of {ex.source}"}.get(
        ex.ranges_from, f"the ranges of the {ex.ranges_from} (smallest to largest accepted value)")
    lines = [f"# Where {b} loses its advantage over {a}", "",
             f"{ex.description}.", "",
             f"Both alternatives ran at {ex.points} points of a Latin hypercube over {where}, "
             f"{ex.replications} seed(s) at each point, the same at every point and in both, "
             f"for {ex.steps} weeks ({years:.1f} years) at {ex.fixed.get('n_customers', '?')} "
             f"customers. The case of interest: {b} {LOSES_WORDS[ex.loses]} than {a} at the "
             "end (its mean paired advantage over the seeds is 0 or less).", "",
             _table(["parameter", "low", "high"],
                    [[n_, _fmt(lo), _fmt(hi)] for n_, (lo, hi) in ex.ranges.items()]), "",
             "## Where the conclusion breaks", ""]
    if n == 0:
        lines.append("No point has both alternatives' runs yet (see failures.csv; --resume).")
    elif k == 0:
        lines.append(f"{b} keeps its advantage at every one of the {n} points: within these "
                     "ranges PRIM has nothing to find, and the conclusion does not break.")
    else:
        lines.append(f"{b} {LOSES_WORDS[ex.loses]} than {a} at {k} of the {n} points "
                     f"({100 * k / n:.0f}%).")
        if not boxes:
            lines.append(" PRIM finds no box where these points are concentrated (density "
                         "80% or more): they are scattered over the space, not a region of it.")
        for box in boxes:
            lines += ["", f"**Box {box.number}**: where {box_words(box, ex.ranges)}. It holds "
                      f"{100 * box.coverage:.0f}% of the points where {b} loses its advantage "
                      f"(coverage), and {100 * box.density:.0f}% of the points inside it are "
                      f"such points (density); it is {100 * box.mass:.0f}% of the explored "
                      f"space ({box.n} points)."]
            if box.limits:
                lines += ["", _table(["parameter", "in the box", "explored", "quasi-p"],
                                     [[nm, f"{_fmt(lo)} to {_fmt(hi)}",
                                       f"{_fmt(ex.ranges[nm][0])} to {_fmt(ex.ranges[nm][1])}",
                                       f"{box.qp.get(nm, float('nan')):.2g}"]
                                      for nm, (lo, hi) in box.limits.items()])]
        lines += ["", "Coverage is the share of all cases of interest inside a box; density "
                  "the share of a box's points that are cases; a restriction's quasi-p value "
                  "says how likely a box that much denser would be by chance (small: not "
                  "chance). The box reported is the one of largest coverage on PRIM's peeling "
                  "trajectory whose density is at least 80%."]
    for name, path in figures.items():
        if name.startswith("prim"):
            lines += ["", f"![{name}]({path})"]
    lines += ["", "## Sensitivity over time", ""]
    if warning:
        lines += [f"**Warning**: {warning}.", ""]
    if len(sens):
        index = "ST" if ex.method == "sobol" else "mu_star"
        what = ("Sobol total-effect indices ST (the share of the advantage's variance a "
                "parameter accounts for, alone and with the others)" if ex.method == "sobol"
                else "Morris mu* (the mean absolute elementary effect)")
        lines.append(f"{what} of {b}'s advantage at the end of each year, from a second sample "
                     f"(method {ex.method}, n = {ex.n}) with one seed shared by all its points:")
        rows = []
        for (output, week), g in sens.groupby(["output", "week"], sort=False):
            top = g.sort_values(index, ascending=False)
            rows.append([OUTPUT_WORDS[output], f"{week / 52:.1f}",
                         ", ".join(f"{r.parameter} {getattr(r, index):.2f}" for r in top.itertuples())])
        lines += ["", _table(["advantage in", "year", f"{index} by parameter, largest first"], rows)]
        if "sensitivity_by_year" in figures:
            lines += ["", f"![sensitivity by year]({figures['sensitivity_by_year']})"]
    elif ex.method == "none":
        lines.append("Not measured (sensitivity method none).")
    else:
        lines.append("Not measured: the sensitivity sample is incomplete (see failures.csv; "
                     "--resume runs what is missing).")
    lines += ["", "## Files", "",
              "points.csv (each hypercube point, the mean advantages, whether it is a case), "
              "prim_boxes.csv (one row per box and restricted parameter), "
              "sensitivity_by_year.csv (the indices per year, output and parameter), "
              "explore.json (the exploration as resolved: re-run it with the same command), "
              "runs/ (every run), figures/ (PNG and SVG).", ""]
    return "\n".join(lines)
