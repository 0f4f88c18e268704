"""Reports for any name (sim.report.text): text is set literally in the PDF, the HTML
and the figures; long words wrap; long titles are shortened with the full text kept;
Nordic, Arabic, Hebrew and CJK names are printed with fonts that have them, right to
left where they run so; what no font has is refused in one line; intervals of shares
stay within [0, 100]%.

One small comparison is run once; each name is then given to a copy of its folder
(comparison.json, as a client file would have named it) and the report made from it,
as `orgsim report` does."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import ScenarioError
from sim.cli import main
from sim.report import make_report
from sim.report.charts import _band
from sim.report.numbers import Estimate, share_interval
from sim.report.text import (LABEL_MAX, TITLE_MAX, break_lines, cjk_font_file, font_for,
                             has_glyph, is_rtl, missing, shaped, short, width, FONT, CJK)

NAMES = {
    "mathtext": "Bank $^$",
    "dollars": "Acme $5 and $10 Corp",
    "long-word": "W" * 200,
    "long-title": " ".join(["Nordisk Kundebank"] * 70)[:1200],
    "nordic": "Sparbanken Öresund Ærø Þórshöfn Åland",
    "arabic": "بنك الرياض",
    "hebrew": "בנק הפועלים",
    "cjk": "東京銀行 한국은행 みずほ",
}


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("names")
    client = folder / "client.toml"
    client.write_text('[client]\nname = "Placeholder"\npreset = "product_centric"\n'
                      'customers = 400\nalternatives = ["customer_centric"]\n')
    out = folder / "out"
    assert main(["compare", str(client), "--replications", "3", "--steps", "12",
                 "--workers", "1", "--out", str(out), "--quiet", "--no-report"]) == 0
    return out


def report_for(compared, tmp_path, name: str, question: str | None = None):
    """The comparison's report with the client called ``name``."""
    folder = tmp_path / "report"
    shutil.copytree(compared, folder)
    doc = json.loads((folder / "comparison.json").read_text())
    doc["client"]["name"] = name
    for s, suffix in zip(doc["scenarios"], ["today", "made customer-centric"]):
        s["label"] = f"{name} {suffix}"
        s["description"] = f"{name} {suffix}"
    doc["question"] = question if question is not None else f"What if {name} changed?"
    (folder / "comparison.json").write_text(json.dumps(doc))
    return folder, make_report(folder)


def pdf_text(path) -> str:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(path))
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("case", NAMES, ids=list(NAMES))
def test_a_report_renders_the_name_literally(case, compared, tmp_path):
    name = NAMES[case]
    folder, report = report_for(compared, tmp_path, name)
    html = (folder / "report.html").read_text()
    from html import escape
    assert escape(f"{name} today") in html  # the full name in the body, as written
    text = pdf_text(folder / "report.pdf")
    if has_rtl_letters(name):
        assert flat(as_extracted(name, "L")) in flat(text)  # in display order
    else:
        assert flat(name) in flat(text)
    # figures: literal text (the SVG keeps it as text), the label shortened if long
    svg = (folder / "figures" / "retention.svg").read_text()
    assert escape(short(f"{name} today", LABEL_MAX)) in svg


def as_extracted(text: str, direction: str) -> str:
    """What pdfium's text extraction gives for right-to-left ``text`` that was drawn in
    display order: the words in display order, each word's letters (joined forms back
    to letters) in reading order."""
    import unicodedata

    from bidi import get_display
    shown = unicodedata.normalize("NFKC", get_display(shaped(text), base_dir=direction))
    return " ".join(w[::-1] if has_rtl_letters(w) else w for w in shown.split(" "))


def has_rtl_letters(text: str) -> bool:
    import unicodedata
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def test_dollar_signs_are_not_mathtext_in_figures(compared, tmp_path):
    folder, _ = report_for(compared, tmp_path, "Acme $5 and $10 Corp")
    svg = (folder / "figures" / "lifetime_value.svg").read_text()
    assert "Acme $5 and $10 Corp" in svg and "5and10" not in svg


def test_a_long_title_is_shortened_with_the_full_text_kept(compared, tmp_path):
    name = NAMES["long-title"]
    folder, report = report_for(compared, tmp_path, name)
    assert len(report.shown_title) <= TITLE_MAX and report.shown_title.endswith("\u2026")
    assert ("Full title", report.title) in report.title_facts()
    html = (folder / "report.html").read_text()
    assert f"<title>{report.shown_title}</title>" in html
    assert report.title in html  # in the facts
    assert flat(report.title) in flat(pdf_text(folder / "report.pdf"))


def test_a_question_wholly_in_arabic_runs_right_to_left(compared, tmp_path):
    question = "ماذا لو تغير البنك؟"
    folder, _ = report_for(compared, tmp_path, "بنك الرياض", question)
    assert is_rtl(question) and not is_rtl("What if بنك الرياض changed?")
    assert f'<p class="question" dir="rtl">{question}</p>' in (folder / "report.html").read_text()
    # pdfium reads a line that is all right to left back into reading order
    assert flat(question) in flat(pdf_text(folder / "report.pdf"))


# (DejaVu Sans draws some emoji, U+1F600 among them, in black and white; these it lacks)
@pytest.mark.parametrize("name", ["Bank \U0001F680", "Bank \u2603\U0001F984"])
def test_a_name_no_font_has_is_refused_in_one_line_and_nothing_is_written(name, compared, tmp_path):
    folder = tmp_path / "report"
    shutil.copytree(compared, folder)
    doc = json.loads((folder / "comparison.json").read_text())
    doc["client"]["name"] = name
    doc["scenarios"][0]["label"] = name
    (folder / "comparison.json").write_text(json.dumps(doc))
    before = sorted(p.name for p in folder.rglob("*"))
    with pytest.raises(ScenarioError) as err:
        make_report(folder)
    msg = str(err.value)
    assert "\n" not in msg and "cannot print" in msg and "U+1F" in msg
    assert sorted(p.name for p in folder.rglob("*")) == before


def test_the_cli_report_of_an_unprintable_name_exits_2_with_one_line(compared, tmp_path, capsys):
    folder = tmp_path / "report"
    shutil.copytree(compared, folder)
    doc = json.loads((folder / "comparison.json").read_text())
    doc["scenarios"][1]["label"] = "\U0001F680 made customer-centric"
    (folder / "comparison.json").write_text(json.dumps(doc))
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot print" in err


def test_the_fonts_cover_nordic_arabic_hebrew_and_cjk():
    assert cjk_font_file() is not None, "scripts/test.sh installs fonts-wqy-zenhei"
    for text in NAMES.values():
        assert missing(text) == [], text
    for c in "東한み":
        assert font_for(c, FONT) == CJK
    for c in "ÆØÅæøåÞðÖöÄä" + "אבג" + shaped("بنك"):
        assert has_glyph(FONT, c), c


def test_lines_are_broken_in_reading_order_and_no_longer_than_the_room():
    text = " ".join(["بنك الرياض", "today", "W" * 200, "東京銀行" * 30])
    lines = break_lines(text, 200.0, FONT, 10)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(width(line, FONT, 10) <= 200.0 for line in lines)


# --- intervals of shares ----------------------------------------------------------------

def test_report_intervals_of_shares_stay_within_0_and_100_percent(compared, tmp_path):
    folder, report = report_for(compared, tmp_path, "Nordbank")
    html = (folder / "report.html").read_text()
    found = re.findall(r"(\d+)% \(95% CI (-?\d+)-(-?\d+)%\)", html)
    assert found
    for mean, lo, hi in found:
        assert 0 <= int(lo) <= int(mean) <= int(hi) <= 100, (mean, lo, hi)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=8))
def test_a_share_interval_stays_in_0_1_around_its_mean(values):
    e = Estimate.of_share(values)
    assert 0.0 <= e.low <= e.mean + 1e-12 and e.mean - 1e-12 <= e.high <= 1.0


def test_a_share_interval_is_the_t_interval_near_the_middle_and_bounded_at_the_edges():
    near_middle = [0.49, 0.5, 0.51, 0.5, 0.52, 0.48]
    t, s = Estimate.of(near_middle), Estimate.of_share(near_middle)
    assert abs((s.high - s.low) - (t.high - t.low)) < 0.01 * (t.high - t.low) + 1e-4
    edge = [0.92, 0.99, 1.0, 0.97]  # a t-interval reaches beyond 100%
    assert Estimate.of(edge).high > 1.0 and Estimate.of_share(edge).high < 1.0


def test_bands_of_shares_stay_within_0_1():
    wide = pd.DataFrame(np.array([[0.90, 0.99, 1.0], [0.99, 1.0, 1.0], [0.97, 0.92, 1.0]]))
    mean, lo, hi = _band(wide, share=True)
    assert (lo >= 0).all() and (hi <= 1).all() and (lo <= mean).all() and (mean <= hi).all()
    assert share_interval(1.0, 0.0, 3) == (1.0, 1.0)
