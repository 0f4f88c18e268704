"""The report in Swedish, Norwegian bokmål and English: every user-visible string of the
code is in both catalogues, translated and compiled; the report in each language has its
headings, its words and its numbers as the locale writes them, and no English left over;
an unknown language is refused in one line."""

import gettext
import html as html_lib
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from sim.cli import main
from sim.i18n import LANGUAGES, LOCALE_DIR, LanguageError, lang, translator
from sim.i18n_tools import placeholders, problems
from sim.report import build_report, make_report
from sim.report.document import finding_of

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "N_": None, "n_": (1, 2), "p_": ((1, "c"), 2), "NP_": ((1, "c"), 2)}
TRANSLATED = ("sv", "nb")


def _strings(message) -> tuple:
    s = message.string
    return tuple(s) if isinstance(s, (list, tuple)) else (s,)


def _key(message_id, context):
    return context, message_id[0] if isinstance(message_id, (list, tuple)) else message_id


@pytest.fixture(scope="module")
def extracted() -> set:
    """(context, msgid) of every string the code and data files give to the catalogue,
    extracted now with babel.cfg, as scripts/update_catalogues.sh extracts it."""
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    out = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        out.add(_key(message, context))
    return out


def _catalogue(code: str):
    with open(LOCALE_DIR / code / "LC_MESSAGES" / "orgsim.po", "rb") as f:
        return read_po(f)


def _pending() -> set:
    """Strings of a branch not merged yet (sim/locale/pending.pot, if any)."""
    path = LOCALE_DIR / "pending.pot"
    if not path.is_file():
        return set()
    with open(path, "rb") as f:
        return {_key(m.id, m.context) for m in read_po(f) if m.id}


def test_the_extraction_finds_the_report_and_the_scenarios(extracted):
    assert (None, "Why customers leave") in extracted
    assert ("scenario", "customer-centric") in extracted
    assert (None, "Customers lost to {event}") in extracted  # figure titles too
    assert len(extracted) > 150


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_string_of_the_code_is_translated_in_the_catalogue(code, extracted):
    cat = _catalogue(code)
    have = {_key(m.id, m.context) for m in cat if m.id}
    missing = sorted(extracted - have, key=str)
    assert not missing, f"{code}: not in the catalogue (run scripts/update_catalogues.sh and " \
                        f"translate): {missing[:5]}"
    stale = sorted(have - extracted - _pending(), key=str)
    assert not stale, f"{code}: in the catalogue but no longer in the code: {stale[:5]}"
    assert problems(cat) == []  # every one translated, none fuzzy, the same placeholders


def test_the_template_is_the_code_s_strings(extracted):
    with open(LOCALE_DIR / "orgsim.pot", "rb") as f:
        template = {_key(m.id, m.context) for m in read_po(f) if m.id}
    assert template == extracted | _pending()


def test_the_page_s_pending_strings_are_translated_too():
    """The classroom page's strings, translated before its branch is merged."""
    pending = _pending()
    if not pending:
        pytest.skip("no pending strings")
    for code in TRANSLATED:
        cat = _catalogue(code)
        for context, msgid in pending:
            assert cat.get(msgid, context=context).string, (code, msgid)
    assert translator("sv").gettext("Reset") == "Starta om"
    assert translator("nb").gettext("Things to notice") == "Verdt å legge merke til"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_is_the_po_file(code):
    po = {_key(m.id, m.context): _strings(m) for m in _catalogue(code) if m.id}
    with open(LOCALE_DIR / code / "LC_MESSAGES" / "orgsim.mo", "rb") as f:
        mo = {_key(m.id, m.context): _strings(m) for m in read_mo(f) if m.id}
    assert mo == po, "the .mo is older than the .po: run scripts/update_catalogues.sh"


def test_a_placeholder_lost_or_invented_in_a_translation_is_a_problem():
    from babel.messages.catalog import Catalog

    cat = Catalog(locale="sv")
    cat.add("{n} of {total}", "{n} av {totalt}")
    cat.add("After {years}", "Efter")
    cat.add(("one year", "{n} years"), ("ett år", "{n} år"))  # the singular may drop {n}
    cat.add("untouched", "")
    found = problems(cat)
    assert len(found) == 4 and "totalt" in found[0] and "total" in found[1]
    assert "years" in found[2] and "untranslated" in found[3]
    assert placeholders("{a} and {b:.1f}") == {"a", "b"}


def test_numbers_percentages_and_dates_as_each_locale_writes_them():
    import datetime

    en, sv, nb = lang("en"), lang("sv"), lang("nb")
    assert (en.pct(0.802, 1), sv.pct(0.802, 1), nb.pct(0.802, 1)) == \
        ("80.2%", "80,2\xa0%", "80,2\xa0%")
    assert (en.num(12345.678, 1), sv.num(12345.678, 1)) == ("12,345.7", "12\xa0345,7")
    assert (en.signed(3.2), sv.signed(-3.2), en.signed(0)) == ("+3", "-3", "+0")
    assert en.sig(0.012345) == "0.01235" and sv.sig(0.012345) == "0,01235"
    day = datetime.date(2026, 12, 1)
    assert (en.date(day), sv.date(day), nb.date(day)) == \
        ("1 December 2026", "1 december 2026", "1. desember 2026")
    assert sv.money(1234.5, "SEK") == "1\xa0234,50\xa0kr"
    # rounded as Python rounds (the binary value), so English reads as it did before
    for x in (0.785, 0.125, 0.335, 2.675):
        assert en.pct(x) == f"{100 * x:.0f}%" and en.num(x, 2) == f"{x:.2f}"


def test_plurals_and_lists_follow_the_language():
    sv, nb = lang("sv"), lang("nb")
    assert sv.n_("{n} week", "{n} weeks", 1) == "1 vecka"
    assert sv.n_("{n} week", "{n} weeks", 3) == "3 veckor"
    assert nb.n_("{n} week", "{n} weeks", 3) == "3 uker"
    assert nb.n_("one year", "{n} years", 1) == "ett år"
    assert sv.list(["a", "b", "c"]) == "a, b och c" and nb.list(["a", "b"]) == "a og b"
    assert lang("en").list(["a", "b", "c"]) == "a, b and c"
    assert sv.p_("scenario", "customer-centric") == "kundcentrerad"
    assert nb.p_("scenario", "product-centric") == "produktsentrert"
    assert sv.p_("scenario", "my-own-file") == "my-own-file"  # not a named scenario


def test_a_module_of_texts_is_translated_whole():
    from sim.i18n import translated

    texts = {"RESET": "Reset", "READOUTS": {"nps": "NPS", "retention": "Retention"},
             "ABOUT": (("What is it?", "not a msgid"),), "PLAY": "\u25b6", "N": 3}
    sv = translated(texts, "sv")
    assert sv["RESET"] == "Starta om" and sv["READOUTS"] == {"nps": "NPS", "retention": "Kvarvarande kunder"}
    assert sv["ABOUT"] == (("Vad är det?", "not a msgid"),) and sv["PLAY"] == "\u25b6" and sv["N"] == 3
    assert translated(texts, "en") == texts


def test_an_unknown_language_is_one_clear_error():
    with pytest.raises(LanguageError, match=r"'xx' is not allowed; allowed: en, sv, nb"):
        translator("xx")
    assert isinstance(translator("en"), gettext.NullTranslations)
    assert translator("sv").gettext("Finding") == "Resultat"
    assert LANGUAGES == ("en", "sv", "nb")


@pytest.mark.parametrize("command", ["compare", "report", "demo", "app"])
def test_a_bad_lang_flag_is_one_line_naming_the_flag_and_the_languages(command, capsys, tmp_path):
    args = {"compare": ["compare", "baseline", "customer_centric"],
            "report": ["report", str(tmp_path)], "demo": ["demo"], "app": ["app"]}[command]
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--lang", "xx"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--lang" in err and "'xx' is not allowed" in err and "en, sv, nb" in err
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_client_file_with_an_unknown_lang_is_one_line(tmp_path, capsys):
    f = tmp_path / "client.toml"
    f.write_text('[client]\nname = "Fjordbank"\npreset = "product_centric"\nlang = "se"\n'
                 'alternatives = ["customer_centric"]\n')
    assert main(["compare", str(f), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "client.lang" in err and "en, sv, nb" in err
    assert not (tmp_path / "out").exists()


# --- the report in each language ------------------------------------------------------

SMALL = "n_customers = 600\nn_prospects = 600\nn_employees = 20\nsteps = 30\n"


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """Product- against customer-centric (named as the scenarios are), with an event."""
    folder = tmp_path_factory.mktemp("i18n")
    for name, preset, events in (
            ("product_centric", "product_centric",
             '[[events]]\nat = 10\nkind = "key_person_loss"\ncount = 2\n'),
            ("customer_centric", "customer_centric", "")):
        (folder / f"{name}.toml").write_text(f'description = "{preset}, small"\n'
                                             f'preset = "{preset}"\n{SMALL}{events}')
    out = folder / "out"
    assert main(["compare", str(folder / "product_centric.toml"),
                 str(folder / "customer_centric.toml"), "--replications", "3", "--events",
                 str(folder / "product_centric.toml"), "--workers", "1", "--out", str(out),
                 "--quiet", "--no-report"]) == 0
    return out


def _pdf_text(path) -> str:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(path))
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


def _html_text(path) -> str:
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", path.read_text(), flags=re.S)
    return html_lib.unescape(text)


def _figure_text(folder) -> str:
    """The text of the figures (their SVGs keep it as text)."""
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", p.read_text())
                                      for p in sorted((folder / "figures").glob("*.svg"))))


def _english_left(text: str, code: str) -> list[str]:
    """The catalogue's English phrases (a message's text between placeholders, ten
    characters or more) that stand in ``text`` though the language translates them."""
    cat = _catalogue(code)
    found = []
    for m in cat:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, (list, tuple)) else (m.id,)
        strings = m.string if isinstance(m.string, (list, tuple)) else (m.string,)
        for source in ids:
            for piece in re.split(r"{[^{}]*}", source):
                piece = piece.strip(" ,.;:()")
                if len(piece) >= 10 and not any(piece in s for s in strings) and piece in text:
                    found.append(piece)
    return found


@pytest.mark.parametrize("code, headings, number", [
    ("sv", ["Resultat", "Varför kunderna lämnar", "Nöjdhet och rekommendation",
            "Störningar: svackan och återhämtningen", "Antaganden", "Så upprepar du resultatet"],
     "\xa0% (95\xa0% KI "),
    ("nb", ["Funn", "Hvorfor kundene forsvinner", "Tilfredshet og anbefaling",
            "Forstyrrelser: fallet og gjenreisningen", "Forutsetninger", "Slik gjentar du resultatet"],
     "\xa0% (95\xa0% KI "),
])
def test_the_report_in_swedish_and_norwegian(code, headings, number, compared, tmp_path):
    folder = tmp_path / code
    shutil.copytree(compared, folder)
    assert main(["report", str(folder), "--lang", code]) == 0
    html_text = _html_text(folder / "report.html")
    pdf = _pdf_text(folder / "report.pdf")
    figures = _figure_text(folder)
    assert f'<html lang="{code}">' in (folder / "report.html").read_text()
    for h in headings:
        assert h in html_text and h in pdf.replace("\r\n", " "), h
    # percentages and decimals as the locale writes them: "80 % (95 % KI 78–83 %)", "0,61"
    assert number in html_text
    assert re.search(r"\b\d+,\d\xa0%", html_text) and re.search(r"\b0,\d\d\b", html_text)
    finding = finding_of(build_report(folder, code))
    assert finding in html_text and not re.search(r"\d%", finding)  # no English "80%"
    assert ("sida 2" if code == "sv" else "side 2") in pdf
    # the scenarios by their names in the language, in the text and the figures
    organisation = {"sv": "kundcentrerad", "nb": "kundesentrert"}[code]
    assert organisation in html_text and organisation in figures
    assert {"sv": "veckor", "nb": "uker"}[code] in figures
    # no English message left untranslated, in the text or in the figures
    assert _english_left(html_text, code) == []
    assert _english_left(pdf.replace("\r\n", " "), code) == []
    assert _english_left(figures, code) == []


def test_the_english_report_is_the_default_and_its_msgids(compared, tmp_path):
    folder = tmp_path / "en"
    shutil.copytree(compared, folder)
    default, english = build_report(folder), build_report(folder, "en")
    assert default.texts() == english.texts() and default.lang == "en"
    text = " ".join(english.texts())
    assert "Why customers leave" in text and "(95% CI " in text and "customer-centric" in text
    sv = " ".join(build_report(folder, "sv").texts())
    assert "Why customers leave" not in sv and "Varför kunderna lämnar" in sv
    assert len(_english_left(text, "sv")) > 30  # the check of the other languages finds English


def test_a_client_file_gives_the_report_its_language(tmp_path):
    f = tmp_path / "fjordbank.toml"
    f.write_text('[client]\nname = "Fjordbank"\nquestion = "Hva om vi ble kundesentrerte?"\n'
                 'preset = "product_centric"\ncustomers = 500\nlang = "nb"\n'
                 'alternatives = ["customer_centric"]\n')
    out = tmp_path / "out"
    assert main(["compare", str(f), "--replications", "2", "--steps", "12", "--workers", "1",
                 "--out", str(out), "--quiet"]) == 0
    text = _html_text(out / "report.html")
    assert "Fjordbank: hvordan organisasjonen påvirker evnen til å beholde kunder" in text
    assert "Fjordbank i dag" in text and "Fjordbank som kundesentrert" in text
    assert "Kundens verdier" in text and "Hva om vi ble kundesentrerte?" in text
    # --lang wins over the client file's
    report = make_report(out, "sv")
    assert report.lang == "sv" and "Fjordbank som kundcentrerad" in " ".join(report.texts())


def test_a_study_report_in_swedish(tmp_path):
    """orgsim report of a sweep folder: the text, the tables and the study's figures."""
    exp = tmp_path / "study.toml"
    exp.write_text('description = "Mandat, litet"\nscenario = "baseline"\nsteps = 20\n'
                   'replications = 2\nseed = 7\ntimeseries = ["retention"]\n'
                   '[set]\nn_customers = 500\nn_prospects = 500\nn_employees = 20\n'
                   '[vary]\nmandate = [0.0, 1.0]\nsilo_barrier = [0.2, 0.8]\n')
    out = tmp_path / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    import matplotlib.pyplot as plt

    english = " ".join(build_report(out).texts())
    with plt.rc_context({"svg.fonttype": "none"}):  # the study's SVGs keep their text as text
        assert main(["report", str(out), "--lang", "sv"]) == 0
    text, figures = _html_text(out / "report.html"), _figure_text(out)
    for words in ("Resultat", "Antaganden", "kvarvarande kunder", "silobarriär 0,2",
                  "Sammanslaget över de andra parametrarna"):
        assert words in text, words
    assert "silobarriär" in figures and "veckor" in figures and "0,2" in figures
    assert _english_left(text, "sv") == [] and _english_left(figures, "sv") == []
    assert "silo barrier 0.2" in english and "Pooled over the other parameters" in english


def test_the_demo_in_norwegian_asks_its_question_in_norwegian(tmp_path):
    from sim.demo import run_demo

    report = run_demo(tmp_path / "demo", replications=2, steps=8, workers=1, lang="nb")
    assert report.lang == "nb"
    assert report.question.startswith("Hvor mange av kundene sine beholder en organisasjon")
    assert report.subtitle == "produktsentrert mot utgangspunkt mot kundesentrert"
    assert "orgsim report" in " ".join(report.texts()) and "--lang nb" in " ".join(report.texts())
