"""orgsim compare and orgsim report: the numbers in the report are the results', the
HTML stands alone, the PDF has its pages and figures, client files say where values
came from."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.files.client import first_year_churn, load_client
from sim.experiments.comparison import build_comparison
from sim.report import build_report
from sim.report.charts import looks
from sim.report.document import Figure, PageBreak, finding_of
from sim.report.finding import finding, pct_ci
from sim.report.numbers import Estimate, Numbers, ScenarioNumbers, event_effect
from sim.files.scenarios import load_scenario

from helpers import mean_ci

SMALL = "n_customers = 1200\nn_prospects = 1200\nn_employees = 30\nsteps = 40\n"
REPS = 4


def _scenario(folder, name, preset, events=""):
    f = folder / f"{name}.toml"
    f.write_text(f'description = "{preset} at classroom size"\npreset = "{preset}"\n{SMALL}{events}')
    return f


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """Product- against customer-centric, both losing two key people at week 15."""
    folder = tmp_path_factory.mktemp("compare")
    pc = _scenario(folder, "pc", "product_centric",
                   '[[events]]\nat = 15\nkind = "key_person_loss"\ncount = 2\n')
    cc = _scenario(folder, "cc", "customer_centric")
    out = folder / "out"
    code = main(["compare", str(pc), str(cc), "--replications", str(REPS), "--events", str(pc),
                 "--workers", "2", "--out", str(out), "--quiet"])
    assert code == 0
    return out


def _pdf(path):
    import pypdfium2 as pdfium
    return pdfium.PdfDocument(str(path))


def test_same_seeds_in_every_scenario_and_twins_match_until_the_event(compared):
    runs = pd.read_parquet(compared / "runs.parquet")
    seeds = runs.groupby("replication")["seed"].nunique()
    assert (seeds == 1).all() and len(seeds) == REPS
    assert set(runs["event"]) == {-1, 0}  # each scenario and its twin without the event
    ts = pd.read_parquet(compared / "timeseries.parquet")
    for name in ("pc", "cc"):
        a = ts[(ts.scenario == name) & (ts.event == -1)].set_index(["replication", "step"])
        b = ts[(ts.scenario == name) & (ts.event == 0)].set_index(["replication", "step"])
        before = a.index.get_level_values("step") < 15
        pd.testing.assert_frame_equal(a[before].drop(columns=["index", "event"]),
                                      b[before].drop(columns=["index", "event"]))
        assert not a["active_customers"].equals(b["active_customers"])  # the event did something


def test_report_numbers_are_the_results_numbers(compared):
    runs = pd.read_parquet(compared / "runs.parquet")
    main_runs = runs[runs.event == -1]
    html = (compared / "report.html").read_text()
    pdf_text = " ".join(p.get_textpage().get_text_range() for p in _pdf(compared / "report.pdf"))
    pdf_text = re.sub(r"\s+", " ", pdf_text)
    summary = pd.read_csv(compared / "summary.csv")
    for name in ("pc", "cc"):
        x = main_runs[main_runs.scenario == name]["retention"]
        mean, t_lo, t_hi = mean_ci(x)  # scipy's t interval, computed here independently
        # the report gives shares the t-interval taken to the logit scale (delta method)
        from scipy.special import expit, logit
        spread = (t_hi - mean) / (mean * (1 - mean))
        lo, hi = expit(logit(mean) - spread), expit(logit(mean) + spread)
        text = f"{100 * mean:.0f}% (95% CI {100 * lo:.0f}-{100 * hi:.0f}%)"
        assert text in html and text in pdf_text, text
        row = summary[(summary.scenario == name) & (summary.metric == "retention")].iloc[0]
        assert row["mean"] == pytest.approx(mean)  # summary.csv gives the same interval
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi))
        fd = main_runs[main_runs.scenario == name]["failure_demand_share"].mean()
        assert f"{100 * fd:.0f}% of" in finding_of(build_report(compared)) or name == "cc"
    gap = (main_runs.pivot(index="replication", columns="scenario", values="retention")
           .eval("cc - pc"))
    m, lo, hi = mean_ci(gap)
    assert f"{100 * m:.1f} points (95% CI {100 * lo:.1f} to {100 * hi:.1f})" in html


def test_dip_is_measured_against_the_twin(compared):
    ts = pd.read_parquet(compared / "timeseries.parquet")
    a = ts[(ts.scenario == "pc") & (ts.event == -1)].pivot(index="replication", columns="step",
                                                             values="active_customers")
    b = ts[(ts.scenario == "pc") & (ts.event == 0)].pivot(index="replication", columns="step",
                                                            values="active_customers")
    dips = ((b - a).loc[:, 15:].div(b[15], axis=0)).max(axis=1).clip(lower=0)
    m, lo, hi = mean_ci(dips)
    assert f"{100 * m:.1f}% (95% CI" in (compared / "report.html").read_text()
    assert m > 0  # two key people leaving a product-centric firm costs customers


def test_html_stands_alone(compared):
    html = (compared / "report.html").read_text()

    class Refs(HTMLParser):
        refs, tags = [], []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            self.refs += [v for k, v in attrs if k in ("src", "href", "data", "srcset", "action")]

    p = Refs()
    p.feed(html)
    assert p.refs and all(r.startswith("data:image/png;base64,") for r in p.refs)
    assert "script" not in p.tags and "link" not in p.tags and "iframe" not in p.tags
    assert "@import" not in html and not re.search(r"url\((?!data:)", html)
    assert not re.search(r"https?://", html)
    report = build_report(compared)
    assert html.count("<img ") == len([b for b in report.blocks if isinstance(b, Figure)])


def test_pdf_has_its_pages_and_figures_and_none_is_blank(compared):
    report = build_report(compared)
    figures = [b for b in report.blocks if isinstance(b, Figure)]
    breaks = sum(isinstance(b, PageBreak) for b in report.blocks)
    pdf = _pdf(compared / "report.pdf")
    # the title page, then a page per section; a long section may run one page over
    assert breaks + 2 <= len(pdf) <= breaks + 2 + 3
    images = 0
    for page in pdf:
        images += sum(1 for _ in page.get_objects(filter=[3]))  # FPDF_PAGEOBJ_IMAGE
        grey = np.asarray(page.render(scale=0.5).to_pil().convert("L"))
        assert (grey < 200).mean() > 0.005  # text or figures on every page
    assert images == len(figures) == 8  # retention, causes, failure demand, satisfaction,
    # NPS, revenue, lifetime value, event gaps
    for f in figures:
        assert f.path.is_file() and f.path.with_suffix(".svg").is_file()
        # for slides and for colleagues: as readable as the report itself, not 0600
        assert f.path.stat().st_mode & 0o777 == (compared / "report.pdf").stat().st_mode & 0o777


def test_scenarios_keep_their_look_and_stay_apart_in_grey():
    lk = looks(["product_centric", "x", "customer_centric", "y"], ["a", "b", "c", "d"])
    assert lk["customer_centric"].colour == "#0b3d91" and lk["product_centric"].colour == "#d55e00"

    def lum(h):
        r, g, b = (int(h[i:i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b
    greys = sorted(lum(v.colour) for v in lk.values())
    assert min(np.diff(greys)) > 0.1  # four scenarios: distinct greys ...
    assert len({str(v.style) for v in lk.values()}) == 4  # ... and distinct line styles
    assert len({v.hatch for v in lk.values()}) == 4


def _numbers(cc, pc, gap, fd_gap=Estimate(0.3, 0.25, 0.35, 10)):
    def sn(name, ret):
        m = {"retention": ret, "failure_demand_share": Estimate(0.5, 0.4, 0.6, 10)}
        return ScenarioNumbers(name, name.replace("_", "-"), "", m, {})
    return Numbers(156, 10, [sn("product_centric", pc), sn("customer_centric", cc)],
                   ["customer_centric", "product_centric"] if cc.mean >= pc.mean else
                   ["product_centric", "customer_centric"], gap,
                   {"dissatisfaction": Estimate(300, 250, 350, 10), "competitor": Estimate(10, 0, 20, 10)},
                   fd_gap)


def test_the_finding_follows_the_numbers():
    clear = finding(_numbers(Estimate(0.78, 0.76, 0.80, 10), Estimate(0.61, 0.59, 0.63, 10),
                             Estimate(0.17, 0.15, 0.19, 10)))
    assert clear.startswith("After 3 years, customer-centric keeps 78% (95% CI 76-80%)")
    assert "61% (95% CI 59-63%) for product-centric" in clear and "not luck" in clear
    assert "Most of the difference is dissatisfaction churn: 300 of the 310" in clear
    assert "failure demand" in clear
    unclear = finding(_numbers(Estimate(0.70, 0.66, 0.74, 10), Estimate(0.71, 0.67, 0.75, 10),
                               Estimate(0.01, -0.02, 0.04, 10), Estimate(0.0, -0.01, 0.01, 10)))
    assert unclear.startswith("After 3 years, product-centric keeps 71%")
    assert "does not tell them apart" in unclear and "not luck" not in unclear
    assert "about the same" in unclear


def test_event_effect_on_constructed_series():
    """A twin with 1000 customers throughout; the firm loses 10 a week for 5 weeks after
    week 10 and wins them back at 5 a week from week 20: dip 5%, back at week 30."""
    steps = np.arange(41)
    lost = np.clip(np.minimum(steps - 10, 5), 0, None) * 10 - np.clip(steps - 20, 0, 10) * 5
    churned = np.where((steps > 10) & (steps <= 15), 10, 0)
    rows = []
    for rep in range(3):
        for ev, active, ch in ((-1, 1000 - lost, churned), (0, np.full(41, 1000), 0 * churned)):
            rows.append(pd.DataFrame({"scenario": "s", "event": ev, "replication": rep,
                                      "step": steps, "active_customers": active, "churned": ch}))
    ts = pd.concat(rows)
    e = event_effect(ts, {"name": "s", "label": "s"}, 0, {"at": 10, "kind": "merger"}, 40)
    assert e.dip.mean == pytest.approx(0.05)
    assert e.regained_weeks == 19  # week 29: 5 missing, a tenth of the 50 lost
    assert e.churn_weeks is not None and 5 <= e.churn_weeks <= 9  # four-week mean fades
    assert e.gap_end.mean == pytest.approx(0.0)


def test_client_file_values_origins_and_churn_calibration(tmp_path):
    f = tmp_path / "client.toml"
    f.write_text('[client]\nname = "Acme"\npreset = "product_centric"\ncustomers = 1500\n'
                 'annual_churn = 0.10\nreward = "volume"\nalternatives = ["customer_centric"]\n'
                 '[client.departments]\nsales = 10\nsupport = 20\nproduct = 10\n')
    c = load_client(f)
    today, alt = c.scenarios
    assert today.params["n_customers"] == 1500 and today.params["n_employees"] == 40
    assert today.params["staff_support"] == pytest.approx(0.5) and today.params["reward_mix"] == 0.0
    assert today.params["staff_billing"] == 0.01  # not given: the smallest share allowed
    assert c.origin["n_customers"] == "client" and c.origin["n_prospects"] == "derived"
    assert c.origin["churn_base"] == "calibrated" and c.origin["silo_barrier"] == "preset"
    assert "mandate" not in c.origin or c.origin["mandate"] == "preset"
    # the calibration hits the client's churn on its own seeds (bisection tolerance 0.002)
    assert abs(first_year_churn(today.params) - 0.10) <= 0.0021
    assert c.churn_scale < 1  # product_centric at defaults loses more than 10% a year
    # the alternative differs only in the levers, taken from customer_centric
    cc = load_scenario("customer_centric").params
    differ = {k for k in today.params if today.params[k] != alt.params[k]}
    assert differ and all(alt.params[k] == cc[k] for k in differ)
    assert {"n_customers", "churn_base", "staff_support"}.isdisjoint(differ)
    assert alt.params["reward_mix"] == cc["reward_mix"]


@pytest.mark.parametrize("body, words", [
    ('[client]\ncustomers = "many"\n', ["client.customers", "'many'", "a whole number from 1 to 5,000,000"]),
    ('[client]\nannual_churn = 0.9\n', ["client.annual_churn", "0.9", "0.005 to 0.6"]),
    ('[client]\nflavour = 1\n', ["client.flavour", "allowed: name, question"]),
    ('[client]\n[client.departments]\nlegal = 3\n', ["client.departments", "'legal'", "sales"]),
    ('[client]\nreward = "bonus"\n', ["client.reward", "'bonus'", "'volume'"]),
    ('[client]\nalternatives = ["nowhere"]\n', ["client.alternatives", "nowhere"]),
])
def test_bad_client_file_is_one_line_exit_2(tmp_path, capsys, body, words):
    f = tmp_path / "c.toml"
    f.write_text(body)
    out = tmp_path / "out"
    assert main(["compare", str(f), "baseline", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(f) in err and all(w in err for w in words), err
    assert not out.exists()  # nothing written


@pytest.mark.parametrize("args, words", [
    (["compare", "baseline"], ["at least two scenarios"]),
    (["compare", "baseline", "nosuch"], ["unknown scenario", "nosuch"]),
    (["compare", "baseline", "baseline"], ["given twice"]),
    (["compare", "baseline", "customer_centric", "--replications", "0"], ["--replications", "1 or more"]),
    (["compare", "baseline", "customer_centric", "--steps", "10", "--events", "key_person_loss_product_centric"],
     ["--steps 10", "key_person_loss", "at least 26"]),
    (["report", "/nonexistent/folder"], ["not a results folder"]),
])
def test_bad_compare_or_report_is_one_line_exit_2(tmp_path, capsys, args, words):
    args = args + (["--out", str(tmp_path / "o")] if args[0] == "compare" else [])
    try:
        code = main(args)
    except SystemExit as stop:  # argparse's own checks exit from inside parse_args
        code = stop.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and all(w in err for w in words), err
    assert not (tmp_path / "o").exists()


def test_a_finished_comparison_is_not_overwritten_and_resumes_to_the_same_tables(compared, capsys):
    doc = json.loads((compared / "comparison.json").read_text())
    args = doc["command"].split()[2:] + ["--out", str(compared), "--quiet", "--no-report"]
    before = pd.read_parquet(compared / "runs.parquet")
    assert main(["compare", *args]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["compare", *args, "--resume"]) == 0
    pd.testing.assert_frame_equal(before, pd.read_parquet(compared / "runs.parquet"))


def test_a_client_comparison_says_where_values_came_from(tmp_path):
    f = tmp_path / "acme.toml"
    f.write_text('[client]\nname = "Acme"\nquestion = "Should Acme reorganise?"\n'
                 'preset = "product_centric"\ncustomers = 1000\nemployees = 25\n'
                 'annual_churn = 0.12\nalternatives = ["customer_centric"]\n')
    out = tmp_path / "out"
    assert main(["compare", str(f), "--replications", "3", "--steps", "30", "--workers", "1",
                 "--out", str(out), "--quiet"]) == 0
    html = (out / "report.html").read_text()
    assert "Acme: how the organisation shapes retention" in html
    assert "Should Acme reorganise?" in html
    for words in ("from the client", "calibrated to the client&#x27;s churn today",
                  "from the preset", "derived from the client&#x27;s size"):
        assert words in html, words
    n_default = int(re.search(r"The other (\d+) parameters are at their documented defaults",
                              html).group(1))
    origin = json.loads((out / "comparison.json").read_text())["client"]["origin"]
    from sim.model.params import PARAMS_LIST
    assert n_default == len(PARAMS_LIST) - len(origin)


def test_a_study_folder_gets_a_report(tmp_path):
    exp = tmp_path / "study.toml"
    exp.write_text('description = "Mandate, small"\nscenario = "baseline"\nsteps = 26\n'
                   'replications = 2\nseed = 7\ntimeseries = ["retention"]\n'
                   '[set]\nn_customers = 800\nn_prospects = 800\nn_employees = 20\n'
                   '[vary]\nmandate = [0.0, 1.0]\n')
    out = tmp_path / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert main(["report", str(out)]) == 0
    summary = pd.read_csv(out / "summary.csv")
    best = summary.loc[summary["retention_mean"].idxmax()]
    text = finding_of(build_report(out))
    assert f"mandate {best['mandate']:g}: {100 * best['retention_mean']:.0f}%" in text
    pdf = _pdf(out / "report.pdf")
    assert len(pdf) >= 3
    for page in pdf:
        assert (np.asarray(page.render(scale=0.5).to_pil().convert("L")) < 200).mean() > 0.005
    assert "data:image/png;base64," in (out / "report.html").read_text()


def test_build_comparison_defaults_to_the_longest_scenario():
    comp = build_comparison(["baseline", "key_person_loss_product_centric"], replications=2)
    assert comp.steps == 156 and len(comp.arms()) == 3
    assert comp.seed_of(0) != comp.seed_of(1)
    assert pct_ci(Estimate(0.5, -0.01, 1.01, 3)) == "50% (95% CI -1 to 101%)"


def test_the_example_client_file_reads():
    from pathlib import Path
    c = load_client(Path(__file__).parent.parent / "scenarios" / "clients" / "nordbank.toml",
                    calibrate=False)
    assert c.labels == ("Nordbank retail today", "Nordbank retail made customer-centric")
    assert c.scenarios[0].params["n_employees"] == 300
