"""The classroom page's texts in Swedish, Norwegian bokmål and English, without a browser:
``sim.app.texts.of(code)``, the numbers of the readouts as each locale writes them, the
lessons, the one-line texts, a clicked agent's state, and the words inside the pictures
(chart titles, axes, legends, tick numbers). The page itself in each language:
tests/test_app_browser_languages.py."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.app import texts
from sim.app.classroom import ClassroomModel, describe_choice, slider_value_text
from sim.app.drawing import render
from sim.app.figures import CHARTS, chart_active, chart_satisfaction, customer_figure, layout, org_figure, org_layout
from sim.app.lessons import lessons
from sim.app.views import describe, events_text, org_text, settings_text, snapshot, status_text
from sim.i18n import LANGUAGES, LanguageError
from sim.i18n_tools import placeholders

NBSP = "\xa0"


def _strings(value):
    """Every string of a text (a string, or the values of a table of them)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _strings(v)


def _names():
    return [k for k, v in vars(texts).items() if k.isupper() and isinstance(v, (str, dict, tuple))]


def test_of_gives_every_text_by_the_same_name_in_each_language():
    for code in LANGUAGES:
        t = texts.of(code)
        assert t.code == code and t.lang.code == code
        assert set(_names()) <= set(vars(t))
    en, sv, nb = texts.of("en"), texts.of("sv"), texts.of("nb")
    assert en is texts.EN  # cached: one object per language
    assert all(getattr(en, k) == getattr(texts, k) for k in _names())  # English: the msgids
    assert (sv.RESET, nb.RESET) == ("Starta om", "Start på nytt")
    assert (sv.READOUTS["retention"], nb.READOUTS["retention"]) == ("Kvarvarande kunder",
                                                                   "Beholdte kunder")
    assert sv.ABOUT_SECTIONS[0][0] != en.ABOUT_SECTIONS[0][0]  # nested tables too
    assert nb.DISRUPTIONS["key_person_loss"] == "En nøkkelperson slutter"


@pytest.mark.parametrize("code", ["sv", "nb"])
def test_almost_every_text_reads_differently_in_swedish_and_norwegian(code):
    """A text left in English is a text missing from the catalogue (test_i18n holds the
    catalogue to the code); the ones that stay the same are symbols and names."""
    en, t = texts.EN, texts.of(code)
    pairs = [(a, b) for k in _names()
             for a, b in zip(_strings(getattr(en, k)), _strings(getattr(t, k)))]
    same = sorted({a for a, b in pairs if a == b})
    assert len(pairs) > 150
    assert set(same) <= {"▶", "❚❚", "NPS", "{label}: {value}", "{name}: {value}",
                         "{value} {unit}", "Right: {name}", "produkt", "product", "bridge",
                         "active", "billing", "competitor"} | {s for s in same if not s.isascii()}, same
    for a, b in pairs:  # a translation keeps its slots
        assert placeholders(a) == placeholders(b), (a, b)


def test_an_unknown_language_is_refused():
    with pytest.raises(LanguageError, match="en, sv, nb"):
        texts.of("se")


def test_the_readouts_are_written_as_each_locale_writes_numbers():
    row = pd.Series({"active_customers": 1234, "retention": 0.802, "mean_satisfaction": 0.617,
                     "nps": -12.4, "failure_demand_share": 0.351, "profit": 12345.6})
    en = texts.readouts(row, texts.of("en"))
    sv = texts.readouts(row, texts.of("sv"))
    nb = texts.readouts(row, texts.of("nb"))
    assert en == {"active_customers": "1,234", "retention": "80%", "mean_satisfaction": "0.62",
                  "nps": "-12", "failure_demand_share": "35%", "profit": "12,346"}
    assert sv["retention"] == f"80{NBSP}%" and sv["mean_satisfaction"] == "0,62"
    assert sv["active_customers"] == f"1{NBSP}234" and sv["profit"] == f"12{NBSP}346"
    assert sv["nps"] in ("\u221212", "-12")
    assert nb["mean_satisfaction"] == "0,62" and nb["retention"] in (f"80{NBSP}%", "80 %")
    assert texts.readouts(row.replace(-12.4, 7.0), texts.EN)["nps"] == "+7"


def test_a_lesson_in_each_language_keeps_its_quotations_in_their_own():
    le = lessons()["silos_and_failure_demand"]
    en = texts.lesson_texts(le, texts.of("en"))
    sv = texts.lesson_texts(le, texts.of("sv"))
    nb = texts.lesson_texts(le, texts.of("nb"))
    assert en["title"] == le.title == "Silos and failure demand"
    assert sv["title"] == "Siloer och felbehov" and nb["title"] != en["title"]
    for key in ("show_first", "notice", "try", "questions"):
        assert sv[key] != en[key] and nb[key] != en[key] and nb[key] != sv[key], key
    assert len(sv["notice"]) == len(le.notice) and len(nb["questions"]) == len(le.questions)
    from sim.app.page import lesson_html
    for code in ("sv", "nb"):
        page = lesson_html(le.name, texts.of(code))
        assert texts.of(code).LESSON_NOTICE in page
        assert "Silos i sig är det inget fel på" in page  # the essay's own words, in Swedish
    for name, lesson in lessons().items():  # every lesson: every text translated
        for code in ("sv", "nb"):
            words = texts.lesson_texts(lesson, texts.of(code))
            assert words["title"] != lesson.title, (name, code)
            assert all(a != b for a, b in zip(words["notice"], lesson.notice)), (name, code)


@pytest.fixture(scope="module")
def played():
    m = ClassroomModel(scenario="product_centric", n_customers=300, seed=3)
    m.run(6)
    m.trigger("merger")
    m.step()
    return m


def test_the_one_line_texts_and_a_clicked_agent_in_swedish_and_norwegian(played):
    snap = snapshot(played)
    sv, nb = texts.of("sv"), texts.of("nb")
    assert status_text(snap).startswith("Week 7: ")
    assert status_text(snap, sv).startswith("Vecka 7: ") and "kvarvarande" in status_text(snap, sv)
    assert status_text(snap, nb).startswith("Uke 7: ") and "%" in status_text(snap, nb)
    assert events_text(snap, sv) == "Händelser: merger vecka 6"
    assert events_text(snap) == "Events: merger at week 6"
    employees = len(snap.dept)  # 60, and the merged firm's staff
    assert org_text(snap, nb).startswith(f"Organisasjonen: {employees} medarbeidere, ")
    assert settings_text(snap, sv).startswith("Kör: product_centric (silobarriär 0,8, broar 0")
    assert settings_text(snap).startswith("Running: product_centric (silo barrier 0.8, bridges 0")
    customer = "\n".join(describe(played, "customer", 0, t=sv))
    assert customer.startswith("Kund 0 (") and "Nöjdhet 0," in customer
    employee = "\n".join(describe(played, "employee", 0, t=nb))
    assert employee.startswith("Medarbeider 0: ") and "Kolleger: " in employee
    assert "\n".join(describe(played, "employee", 0)).startswith("Employee 0: ")


def test_the_sliders_and_what_runs_in_each_language():
    assert slider_value_text("silo_barrier", 0.8) == "0.80 on a scale of 0 to 1"
    sv, nb = texts.of("sv"), texts.of("nb")
    assert slider_value_text("silo_barrier", 0.8, sv).startswith("0,80 ")
    assert slider_value_text("silo_barrier", 0.8, sv) != slider_value_text("silo_barrier", 0.8, nb)
    changes = {"silo_barrier": 0.1, "bridges": 3}
    assert describe_choice("product_centric", changes) == (
        "custom: product_centric + silo barrier 0.10, bridges per department pair 3")
    swedish = describe_choice("product_centric", changes, sv)
    assert "product_centric" in swedish and "0,10; " in swedish and "silo barrier" not in swedish


def _texts_of(pic):
    fig = pic.fig
    out = [fig.get_suptitle()]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            out += [x.get_text() for x in legend.get_texts()]
    return [x for x in out if x]


def test_the_pictures_speak_the_language_titles_axes_legends_and_ticks(played):
    snap = snapshot(played)
    sv, nb = texts.of("sv"), texts.of("nb")
    active = _texts_of(chart_active(snap, sv))
    assert "Aktiva kunder och kvarvarande kunder" in active and "Vecka" in active
    assert "Active customers and retention" in _texts_of(chart_active(snap))
    assert "Uke" in _texts_of(chart_active(snap, nb))
    org_pos = org_layout(snap)
    org = _texts_of(org_figure(snap, org_pos, t=sv))
    assert {"försäljning", "nyckelperson", "bro", "tvärgående band"} <= set(org)
    assert "salg" in _texts_of(org_figure(snap, org_pos, t=nb))
    cust_pos = layout([int(i) for i in snap.sample], snap.sample_edges)
    cust = _texts_of(customer_figure(snap, cust_pos, t=nb))
    assert any(x.startswith("Kunder (et utsnitt av") for x in cust) and "tilfredshet" in cust
    churn = _texts_of(CHARTS[1](snap, sv))
    assert "fusion" in churn  # the merger's churn, by its Swedish name
    # tick numbers with the language's decimal mark, once drawn
    pic = chart_satisfaction(snap, sv)
    render(pic)
    ticks = [x.get_text() for x in pic.fig.axes[0].get_yticklabels()]
    assert "0,2" in ticks and "0.2" not in ticks
    # a frame drawn in one language is never reused for another
    keys = {code: chart_active(snap, texts.of(code)).frame for code in LANGUAGES}
    assert len(set(keys.values())) == 3
    for code in LANGUAGES:
        for chart in CHARTS:
            render(chart(snap, texts.of(code)))  # every chart draws in every language


def test_the_tab_s_speed_limit_is_said_in_the_language_and_a_refusal_as_written():
    from sim.app.classroom import notice_in

    class Metered(ClassroomModel):
        metered = True

    m = Metered(n_customers=100)
    m.step_budget.clock = lambda: 0.0  # one instant: one step, then the budget holds back
    m.step_budget.last = 0.0
    for _ in range(5):
        m.step()
    assert m.steps == 1 and m.notice.startswith("This tab steps at most ")
    assert notice_in(m) == m.notice
    assert notice_in(m, texts.of("sv")).startswith("Den här fliken tar högst ")
    assert notice_in(m, texts.of("nb")).startswith("Denne fanen tar høyst ")
    refused = ClassroomModel(scenario="/etc/passwd", n_customers=100)
    assert refused.notice and notice_in(refused, texts.of("sv")) == refused.notice
    # chosen by its kind, not its text: a refusal after the speed limit is as written
    m.compare_with("/etc/passwd")
    assert notice_in(m, texts.of("sv")) == m.notice and "not one this page offers" in m.notice
    # and the speed limit's line follows rate_cap, whatever the English line said
    m.step()
    m.rate_cap = 3.0
    assert notice_in(m, texts.of("sv")) == texts.of("sv").TAB_RATE.format(rate="3")
