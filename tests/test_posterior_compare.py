"""orgsim compare --posterior: parameter sets drawn from a posterior by weight, the same
draws and seeds in every scenario; the share of draws where the advantage holds is
computed per draw, and the intervals widen with the posterior's spread.

The posterior used here has two atoms the model answers differently (docs/ODD.md,
"When the product-centric firm does better"): the default market, where customer
focus keeps more customers and earns more, and a commodity market (its calibration
constants from scenarios/commodity_market.toml, with a shared record three times as
dear so that the reversal is clear at this size), where it keeps more but earns less."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.model.params import DEFAULTS
from sim.report import build_report
from sim.report.document import finding_of
from sim.report.finding import pct

COMMODITY = dict(cross_need=0.05, need_rate=0.04, fault_rate=0.01, gross_margin=0.3,
                 switching_cost=0.1, competitor_pull=0.004, churn_sat_sensitivity=3.0,
                 marketing_rate=0.003, record_cost=0.06)
# 156 weeks at 1,000 customers: the commodity market's profit reversal shows by then
SMALL = "n_customers = 1000\nn_prospects = 1000\nn_employees = 20\nsteps = 156\n"
DRAWS, REPS = 8, 3


def posterior(path, rows, weights):
    df = pd.DataFrame(rows)
    df["weight"] = weights
    df.to_parquet(path)
    return path


def _scenarios(folder):
    out = []
    for preset in ("product_centric", "customer_centric"):
        f = folder / f"{preset}.toml"
        f.write_text(f'preset = "{preset}"\n{SMALL}')
        out.append(str(f))
    return out


def _compare(folder, post, name):
    out = folder / name
    assert main(["compare", *_scenarios(folder), "--posterior", str(post), "--draws", str(DRAWS),
                 "--replications", str(REPS), "--workers", "2", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    folder = tmp_path_factory.mktemp("posterior")
    default = {k: float(DEFAULTS[k]) for k in COMMODITY}
    two = posterior(folder / "two.parquet", [default, COMMODITY], [0.5, 0.5])
    point = posterior(folder / "point.parquet", [default], [1.0])
    return _compare(folder, two, "two"), _compare(folder, point, "point")


def test_the_share_is_the_share_of_draws_where_the_advantage_holds(folders):
    two, _ = folders
    doc = json.loads((two / "comparison.json").read_text())
    drawn = doc["posterior"]["drawn"]
    assert len(drawn) == DRAWS and set(drawn) <= {0, 1}
    runs = pd.read_parquet(two / "runs.parquet")
    assert sorted(runs["draw"].unique()) == [-1, *range(DRAWS)]
    # every draw shares the seeds, and both scenarios run the same draws
    assert runs.groupby("draw")["seed"].apply(lambda s: tuple(sorted(set(s)))).nunique() == 1
    draws = pd.read_csv(two / "draws.csv")
    assert list(draws["posterior_row"]) == drawn
    # what the model says at each atom (with these seeds): customer focus keeps more in
    # both markets and earns more only in the default one
    cc_more = draws["customer_centric:profit_total"] > draws["product_centric:profit_total"]
    assert list(cc_more) == [row == 0 for row in drawn]
    assert (draws["customer_centric:retention"] > draws["product_centric:retention"]).all()
    report = build_report(two)
    nb_share = sum(row == 0 for row in drawn) / DRAWS
    assert 0 < nb_share < 1  # both atoms drawn with this seed
    text = finding_of(report)
    assert "keeps more customers than product-centric in all of the plausible parameter sets" in text
    assert f"earns more profit in {pct(nb_share)} of them" in text


def test_draws_are_resampled_by_weight_with_a_recorded_seed(tmp_path):
    from sim.files.posterior import load_posterior

    rows = [{"churn_base": 0.001 * (1 + i)} for i in range(4)]
    post = load_posterior(posterior(tmp_path / "p.parquet", rows, [0.7, 0.1, 0.1, 0.1]))
    a, b = post.draw(4000, seed=5), post.draw(4000, seed=5)
    assert a == b and post.draw(4000, seed=6) != a
    assert np.bincount(a, minlength=4)[0] / 4000 == pytest.approx(0.7, abs=0.03)
    zero = load_posterior(posterior(tmp_path / "z.parquet", rows, [0.0, 0.0, 1.0, 0.0]))
    assert set(zero.draw(50, seed=1)) == {2}  # a row of weight 0 is never drawn


def test_a_wide_posterior_widens_the_intervals_a_point_posterior_does_not(folders):
    two, point = folders
    s_two, s_point = (pd.read_csv(f / "summary.csv") for f in (two, point))

    def width(s, scenario, over, metric):
        r = s[(s["scenario"] == scenario) & (s["metric"] == metric) & (s["parameters"] == over)]
        return float(r["ci_high"].iloc[0] - r["ci_low"].iloc[0])

    for name in ("product_centric", "customer_centric"):
        for metric in ("retention", "profit_total"):
            # a point posterior at the values as given: the seed-noise interval alone
            assert width(s_point, name, "posterior", metric) == pytest.approx(
                width(s_point, name, "as given", metric))
        # the two markets earn very different profits: the interval spans both
        assert width(s_two, name, "posterior", "profit_total") > 3 * width(
            s_point, name, "posterior", "profit_total")
    # the report's interval of the gap does the same
    text_two, text_point = finding_of(build_report(two)), finding_of(build_report(point))
    assert "with the parameter uncertainty it is" in text_two and "in all of" in text_point
    html = (two / "report.html").read_text()
    assert "Parameter uncertainty" in html and "over the posterior" in html


@pytest.mark.parametrize("change, words", [
    (lambda d: d.assign(flavour=1.0), ["'flavour'", "not a model parameter"]),
    (lambda d: d.assign(mandate=0.5), ["'mandate'", "design lever"]),
    (lambda d: d.assign(n_customers=10.0), ["'n_customers'", "not a calibration constant"]),
    (lambda d: d.drop(columns="weight"), ["'weight'", "missing"]),
    (lambda d: d.assign(weight=[1.5, -0.5]), ["'weight'", "row 1", "0 or more"]),
    (lambda d: d.assign(weight=[0.2, 0.2]), ["'weight'", "sums to 0.4"]),
    (lambda d: d.assign(churn_base=[0.001, float("nan")]), ["'churn_base'", "row 1", "finite"]),
    (lambda d: d.assign(churn_base=[0.001, 2.0]), ["churn_base", "out of range"]),
])
def test_a_bad_posterior_is_one_line_exit_2(tmp_path, capsys, change, words):
    good = pd.DataFrame({"churn_base": [0.001, 0.002], "weight": [0.5, 0.5]})
    post = tmp_path / "posterior.parquet"
    change(good).to_parquet(post)
    out = tmp_path / "out"
    assert main(["compare", "product_centric", "customer_centric", "--posterior", str(post),
                 "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--posterior" in err and all(w in err for w in words), err
    assert not out.exists()  # nothing written


def test_a_client_file_names_its_posterior(tmp_path, capsys):
    from sim.experiments.comparison import build_comparison

    (tmp_path / "fit").mkdir()
    posterior(tmp_path / "fit" / "posterior.parquet", [{"churn_base": 0.0015}], [1.0])
    f = tmp_path / "client.toml"
    f.write_text('[client]\nname = "Acme"\npreset = "product_centric"\ncustomers = 800\n'
                 'alternatives = ["customer_centric"]\nposterior = "fit/posterior.parquet"\n')
    comp = build_comparison([str(f)], draws=3)
    assert len(comp.draws) == 3 and all(d == {"churn_base": 0.0015} for d in comp.draws)
    assert comp.replications == 5  # the default seeds per draw over a posterior
    f.write_text(f.read_text().replace("fit/posterior", "nowhere/posterior"))
    assert main(["compare", str(f), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "client.posterior" in err and "cannot read" in err, err


def test_a_posterior_comparison_is_remade_and_resumed(folders, capsys):
    two, _ = folders
    assert main(["report", str(two)]) == 0
    doc = json.loads((two / "comparison.json").read_text())
    before = pd.read_parquet(two / "runs.parquet")
    assert main(["compare", *doc["refs"], "--posterior", doc["posterior"]["path"], "--draws",
                 str(DRAWS), "--replications", str(REPS), "--workers", "1", "--out", str(two),
                 "--resume", "--quiet"]) == 0
    after = pd.read_parquet(two / "runs.parquet")
    pd.testing.assert_frame_equal(before, after)  # the same draws, seeds and runs
    assert json.loads((two / "comparison.json").read_text())["posterior"]["drawn"] == \
        doc["posterior"]["drawn"]
