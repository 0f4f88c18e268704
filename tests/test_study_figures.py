"""A study's figures set every name as it stands (sim.experiments.figures): no mathtext,
so "Bank $^$" draws and "Acme $5 and $10 Corp" keeps its dollars; long names are
shortened, the figure still drawn."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

from sim.experiments import figures

matplotlib.use("Agg")

NAMES = ["Bank $^$", "Acme $5 and $10 Corp", "W" * 200, "long name " * 120]
METRIC = "cost_$^$_per_customer"  # a model of one's own may report any name


def study(tmp_path, values):
    """A two-parameter grid (a categorical one with ``values``, mandate) with its tables,
    as run_experiment hands them to the figures."""
    grid = {"bank": tuple(values), "mandate": (0.2, 0.8)}
    points = [(b, m) for b in grid["bank"] for m in grid["mandate"]]
    rng = np.random.default_rng(1)
    runs = pd.DataFrame([{"point": i, "replication": r, "bank": b, "mandate": m,
                          "retention": 0.8 + 0.1 * rng.random(), METRIC: rng.random()}
                         for i, (b, m) in enumerate(points) for r in range(3)])
    summary = pd.DataFrame([{"point": i, "bank": b, "mandate": m} for i, (b, m) in enumerate(points)])
    weekly = pd.DataFrame([{"point": i, "step": s, "n": 3, f"{c}_mean": 0.9 - 0.01 * s,
                            f"{c}_ci_low": 0.85 - 0.01 * s, f"{c}_ci_high": 0.95 - 0.01 * s}
                           for i in range(len(points)) for s in range(5)
                           for c in ("retention", METRIC)])
    weekly = weekly.groupby(["point", "step"], as_index=False).first()
    exp = SimpleNamespace(varied=("bank", "mandate"), sampler=None, grid=grid, steps=4,
                          metrics=(METRIC, "retention"), timeseries=("retention", METRIC))
    res = SimpleNamespace(runs=runs, summary=summary, weekly=weekly, timeseries=pd.DataFrame(),
                          out=tmp_path)
    return exp, res


@pytest.fixture
def drawn(monkeypatch):
    """The texts of every figure saved, after it was drawn."""
    texts: dict[str, list[str]] = {}
    save = figures.save_figure

    def keep(fig, folder, name, *a, **kw):
        out = save(fig, folder, name, *a, **kw)  # draws it: a mathtext error would raise here
        texts[name] = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
        return out
    monkeypatch.setattr(figures, "save_figure", keep)
    return texts


def test_names_with_dollars_are_drawn_as_they_stand(tmp_path, drawn, recwarn):
    exp, res = study(tmp_path, NAMES[:2])
    written = figures.draw_all(exp, res)
    assert not [w for w in recwarn if "skipped" in str(w.message)], [str(w.message) for w in recwarn]
    assert set(drawn) == {"retention_curves", f"weekly_{METRIC}", "metric_by_parameter", "heat_map"}
    assert len(written) == 2 * len(drawn) and all(p.stat().st_size > 0 for p in written)
    every = "\n".join(t for ts in drawn.values() for t in ts)
    for name in NAMES[:2]:
        assert name in every, name  # the dollars kept, in the ticks and labels
    assert "cost $^$ per customer" in every
    assert "Acme 5and10 Corp" not in every


def test_long_names_are_shortened_and_the_figures_drawn(tmp_path, drawn, recwarn):
    exp, res = study(tmp_path, NAMES[2:])
    figures.draw_all(exp, res)
    assert not [w for w in recwarn if "skipped" in str(w.message)]
    assert set(drawn) == {"retention_curves", f"weekly_{METRIC}", "metric_by_parameter", "heat_map"}
    longest = max(len(t) for ts in drawn.values() for t in ts)
    assert longest <= 100, longest
    every = [t for ts in drawn.values() for t in ts]
    assert any(t.startswith("W" * 10) and t.endswith("\u2026") for t in every)


def test_mathtext_is_back_on_after_the_figures(tmp_path, drawn):
    """The literal-text settings hold for the study's figures only."""
    before = matplotlib.rcParams["text.parse_math"]
    figures.draw_all(*study(tmp_path, NAMES[:2]))
    assert matplotlib.rcParams["text.parse_math"] == before
