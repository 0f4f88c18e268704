"""`orgsim validate --quick`: every pattern passes, the table and docs are written from
the numbers, bad flags are refused; and the estimators it rests on are right."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim import OrganisationModel
from sim.cli import main
from sim.validation import PATTERNS, QUICK
from sim.validation.observe import observe
from sim.validation.stats import mantel_haenszel

from helpers import small


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """The quick suite, once, as a user runs it (about half a minute on two cores)."""
    out = tmp_path_factory.mktemp("validation") / "validation.md"
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["validate", "--quick", "--quiet", "--out", str(out), "--workers", "2"])
    return code, buf.getvalue(), out


def test_every_pattern_passes_in_the_quick_suite(validated):
    code, printed, _ = validated
    rows = [line for line in printed.splitlines() if re.match(r"^\d+\s\s", line)]
    assert len(rows) == len(PATTERNS) == 10
    assert all(line.rstrip().endswith("pass") for line in rows), printed
    assert "10 of 10 patterns pass." in printed and code == 0


def test_the_document_has_the_table_a_section_and_a_figure_per_pattern(validated):
    _, printed, out = validated
    text = out.read_text()
    assert "Mode: **quick**" in text and "10 of 10 patterns pass" in text
    for p in PATTERNS:
        assert f"## {p.number} {p.title}" in text
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(figures) == len(PATTERNS) == 10
    from matplotlib.image import imread
    for rel in figures:
        png = imread(out.parent / rel)
        assert png.shape[0] > 200 and png[..., :3].std() > 0.05  # drawn, not blank
    # the numbers printed are the numbers written: the model column, cell by cell
    written = [line.split(" | ")[4] for line in text.splitlines() if re.match(r"^\| \d+ \|", line)]
    assert written == _printed_models(printed) and len(written) == len(PATTERNS)


def _printed_models(printed: str) -> list[str]:
    """The model column of the printed table, its wrapped lines joined per row."""
    from sim.validation.document import WIDTHS
    start = sum(WIDTHS[:4]) + 2 * 4
    cells: list[list[str]] = []
    for line in printed.splitlines()[2:]:
        if not line.strip():  # the table ends with a blank line
            break
        if re.match(r"^\d+\s\s", line):
            cells.append([])
        if cells:
            cells[-1].append(line[start:start + WIDTHS[4]].strip())
    return [" ".join(p for p in c if p) for c in cells]


def test_the_document_says_what_the_model_does_not_reach(validated):
    text = validated[2].read_text()
    section = text[text.index("## 4 Complaints"):text.index("## 5 ")]
    assert "What the model does not reach, and why." in section
    kept = re.findall(r"keep (\d+)% / (\d+)% / (\d+)% a year later", section)
    assert kept and int(kept[0][0]) < int(kept[0][2])  # TARP's order: not raised < quickly


def _exit_code(args) -> int:
    try:
        return main(args)
    except SystemExit as stop:  # argparse's own errors
        return stop.code


@pytest.mark.parametrize("args, words", [
    (["validate", "--workers", "0"], "--workers"),
    (["validate", "--out", "x.txt"], "--out x.txt: must be a Markdown file"),
    (["validate", "--fast"], "unrecognized arguments: --fast"),
])
def test_bad_validate_flags_are_one_line_exit_2(tmp_path, capsys, args, words, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _exit_code(args) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
    assert not list(tmp_path.iterdir())  # nothing written


def test_mantel_haenszel_recovers_a_rate_ratio_that_crude_counts_confound():
    """Three strata with base hazards 0.001, 0.01, 0.05 a week and exposure twice as
    common where the hazard is high: the exposed hazard is twice the unexposed in every
    stratum, yet the crude ratio is far above 2."""
    rng = np.random.default_rng(5)
    base = np.array([0.001, 0.01, 0.05])
    t1 = np.array([1e5, 3e5, 6e5])  # exposed customer-weeks
    t0 = np.array([9e6, 3e6, 1e6])  # unexposed
    a = rng.poisson(2 * base * t1)
    b = rng.poisson(base * t0)
    rr = mantel_haenszel(a, t1, b, t0)
    crude = (a.sum() / t1.sum()) / (b.sum() / t0.sum())
    assert rr.low < 2.0 < rr.high and rr.ratio == pytest.approx(2.0, rel=0.03)
    assert crude > 4
    none = mantel_haenszel(np.zeros(3), t1, b, t0)
    assert np.isnan(none.ratio)


def test_observe_follows_customers_and_refuses_a_run_too_short_for_its_cohorts():
    m = OrganisationModel(small(), rng=2)
    with pytest.raises(ValueError, match="too short"):
        observe(m, 60, (13, 20))
    tl = observe(m, 80, (10, 20))
    assert len(tl.annual_churn) == 1
    assert tl.raised <= tl.faults and tl.to_management <= tl.raised
    # without events every churner was active when its week began: all are counted
    assert tl.defections.sum() == m.timeseries()["churned"].iloc[1:].sum()
    assert tl.at_risk.sum() == m.timeseries()["active_customers"].iloc[:-1].sum()
    assert tl.category_n.sum() > 0 and (tl.category_kept <= tl.category_n).all()


def test_observing_draws_nothing_and_its_expected_defections_match_the_drawn_ones():
    """The hazard observe keeps (leave_probability, through a wrap of the churn phase)
    changes nothing of the run (same seed, same time series as unobserved); summed over
    the customer-weeks it predicts the defections drawn, in total and in the month after
    a neighbour's defection, within their Poisson noise; and the contagion hazard ratio
    from it has the drawn one's mean within noise at a far smaller run-to-run sd."""
    from sim.validation.patterns import WINDOWS, hazard_ratio
    from sim.validation.runs import _model

    plain = OrganisationModel(small(), rng=3)
    plain.run(80)
    seen = OrganisationModel(small(), rng=3)
    observe(seen, 80, (10, 20))
    assert seen.timeseries().equals(plain.timeseries())
    assert type(seen).schedule.names == OrganisationModel.schedule.names  # the class untouched
    drawn, expected, month = [], [], slice(1, 5)
    for seed in range(6):
        tl = observe(_model("baseline", 1000, 100 + seed), 104, (13, 52))
        assert (tl.expected <= tl.at_risk).all() and (tl.expected >= 0).all()
        for cells in (slice(None), month):
            d, e = tl.defections[cells].sum(), tl.expected[cells].sum()
            assert abs(d - e) < 4 * np.sqrt(e), (cells, d, e)
        drawn.append(hazard_ratio(tl.at_risk, tl.defections, *WINDOWS[0]).ratio)
        expected.append(hazard_ratio(tl.at_risk, tl.expected, *WINDOWS[0]).ratio)
    drawn, expected = np.array(drawn), np.array(expected)
    assert abs(drawn.mean() - expected.mean()) < 3 * drawn.std(ddof=1) / np.sqrt(len(drawn))
    assert expected.std(ddof=1) < drawn.std(ddof=1) / 5


def test_the_merger_firm_alone_is_measured_the_same_inside_an_observed_run():
    """merger_churn's firm alone and the same firm observed (observe's after_week with
    YearAfterMerger) give the same churn, lost and expected; the expected is within the
    lost's binomial noise."""
    from sim.validation.runs import YearAfterMerger, _model, merger_churn

    alone = merger_churn("alone:baseline", 1000, 7, churn_base=0.0012)
    follow, model = YearAfterMerger(), _model("baseline", 1000, 7, churn_base=0.0012)
    observe(model, 104, (13, 52), follow)
    assert follow.result(model) == alone
    n, p = alone["customers"], alone["expected"]
    assert 0 < p < 1 and abs(alone["churn"] - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_quick_mode_is_smaller_than_full():
    from sim.validation import FULL
    assert QUICK.replications < FULL.replications and QUICK.customers < FULL.customers
