"""The classroom page in Swedish, Norwegian bokmål and English, in a real browser (as
tests/test_app_browser.py: `orgsim app` on 127.0.0.1, Debian's Chromium, every wait on
the page's text, no sleeps): the language switch redraws the controls, readouts, charts,
lessons and the About panel in one tab and leaves another tab in English;
`orgsim app --lang nb` opens every tab in Norwegian. Screenshots at a projector's
1280x720 go to the test's tmp_path (docs/ with --refresh-docs)."""

from __future__ import annotations

import re
import shutil

from sim.app import texts

from test_app_browser import (  # noqa: F401 (server and browser are fixtures)
    _need_browser, _no_traceback, _open, _pick, _start, _stop, browser, server, TIMEOUT_MS, WEEK_JS,
)

SV, NB, EN = texts.of("sv"), texts.of("nb"), texts.of("en")
NBSP = "\xa0"


def _week(page) -> int:
    """The week the page shows, in any language ("Week 3", "Vecka 3", "Uke 3")."""
    return int(re.search(r"\d+", page.locator(".orgsim-week").inner_text()).group())


def _wait_week(page, n: int) -> int:
    """Wait until the page shows week ``n`` (compared in the browser, any language)."""
    page.wait_for_function(WEEK_JS, arg=["eq", n], timeout=TIMEOUT_MS)
    return _week(page)


def _open_in(browser, url, t, width=1500, height=1400):
    """A tab on ``url``, once it shows week 0 in language ``t``."""
    return _open(browser, url, height=height, width=width,
                 week_0=t.STATUS.split("{week}")[0] + "0:")


def _switch(page, t) -> None:
    """Press the language switch's button of ``t`` and wait for the controls to say so."""
    from sim.i18n import NAMES
    _pick(page, "orgsim-language", NAMES[t.code])
    page.get_by_role("button", name=t.RESET, exact=True).wait_for()


def _chart(page, title: str):
    """The chart whose title (its tooltip, the title the picture itself carries) is this."""
    return page.locator(f"div[title={title!r}] img")


def _one(t) -> tuple[str, ...]:
    """Titles of charts of the one-organisation view."""
    return (t.ACTIVE_TITLE, t.FAILURE_TITLE, t.ACQUISITION_TITLE)


def _side(t) -> tuple[str, ...]:
    """Titles of charts of the side-by-side view."""
    return (t.CMP_RETENTION_TITLE, t.FAILURE_TITLE, t.CHURN_TITLE)


def _says(page, t, week: int = 0, charts=_one) -> None:
    """The page's controls, readouts, cards, charts and the About panel in ``t``."""
    page.get_by_role("button", name=t.RESET, exact=True).wait_for()
    page.get_by_role("button", name=t.STEP, exact=True).wait_for()
    page.get_by_role("button", name=t.DISRUPTIONS["viral_complaint"], exact=True).wait_for()
    page.get_by_role("button", name=t.SIDE, exact=True).wait_for()
    page.locator(".orgsim-week", has_text=re.compile(
        "^" + re.escape(t.WEEK.format(week=week)) + "$")).wait_for()
    page.locator(".orgsim-speed", has_text=t.SPEED.format(value=10)).wait_for()
    for key in ("active_customers", "retention", "failure_demand_share"):
        page.locator(f".orgsim-readout-{key} .name", has_text=t.READOUTS[key]).wait_for()
    page.locator(".orgsim-status", has_text=re.compile(
        "^" + re.escape(t.STATUS.split("{week}")[0] + f"{week}:"))).wait_for()
    page.get_by_text(t.DISRUPT_CARD).wait_for()
    page.get_by_text(t.ABOUT, exact=True).wait_for()
    for title in charts(t):
        _chart(page, title).wait_for()


def test_the_switch_changes_one_tab_s_language_and_not_another_s(server, browser, tmp_path):
    ctx_a, page_a, req_a = _open_in(browser, server, EN)
    ctx_b, page_b, req_b = _open_in(browser, server, EN)
    try:
        _says(page_a, EN)
        _switch(page_a, SV)
        _says(page_a, SV)
        body = page_a.locator("body").inner_text()
        assert "Silobarriär" in body  # a slider's label, from the parameter's declaration
        assert re.search(rf"\d+{NBSP}%", page_a.locator(".orgsim-readout-retention .value")
                         .inner_text()), "a percentage as Swedish writes it"
        for english in ("Reset", "Active customers", "Fire a disruption now", "About this model"):
            assert english not in body, english
        page_a.screenshot(path=tmp_path / "sv.png", full_page=True)

        # the other tab is still in English, and still at week 0
        _says(page_b, EN)
        assert page_b.get_by_role("button", name=SV.RESET, exact=True).count() == 0

        # a step, then Norwegian: the week, the status line and the charts follow
        page_a.get_by_role("button", name=SV.STEP, exact=True).click()
        _wait_week(page_a, 1)
        _switch(page_a, NB)
        _says(page_a, NB, week=1)
        assert _week(page_a) == 1  # switching does not restart the model
        page_a.screenshot(path=tmp_path / "nb.png", full_page=True)

        # a lesson in Norwegian: its texts translated, the essay quoted as written
        _pick(page_a, "orgsim-lesson-picker", NB.lang._("Silos and failure demand"))
        lesson = page_a.locator(".orgsim-lesson")
        lesson.get_by_text(NB.LESSON_NOTICE).wait_for()
        lesson.get_by_text(NB.LESSON_QUESTIONS).wait_for()
        assert "Silos i sig är det inget fel på" in lesson.inner_text()  # Swedish original
        page_a.get_by_text(NB.RIGHT.format(name="customer_centric"), exact=True).wait_for()
        _says(page_a, NB, week=0, charts=_side)  # side by side, in Norwegian

        # the About panel, opened, in Norwegian
        page_a.get_by_text(NB.ABOUT, exact=True).click()
        page_a.locator(".orgsim-about").get_by_text(NB.ABOUT_SECTIONS[0][0]).wait_for()

        _switch(page_a, EN)  # and back
        _says(page_a, EN, week=0, charts=_side)
        page_a.locator(".orgsim-lesson").get_by_text("Things to notice").wait_for()
        _says(page_b, EN)
        _no_traceback(page_a)
        _no_traceback(page_b)
        assert req_a.outside() == [] and req_b.outside() == []
    finally:
        ctx_a.close()
        ctx_b.close()


def test_orgsim_app_lang_opens_the_page_in_that_language_with_pictures(browser, tmp_path,
                                                                      docs_pictures):
    """`orgsim app --lang nb`: every new tab starts in Norwegian; one switches to Swedish.
    The projector's 1280x720 with a lesson open and a few weeks played, in each."""
    _need_browser()
    proc, url = _start(tmp_path, "--lang", "nb")
    try:
        shots = {}
        for t in (NB, SV):
            context, page, _ = _open_in(browser, url, NB, width=1280, height=720)
            try:
                if t is SV:
                    _switch(page, SV)
                _pick(page, "orgsim-lesson-picker", t.lang._("Silos and failure demand"))
                page.get_by_text(t.RIGHT.format(name="customer_centric"), exact=True).wait_for()
                for week in range(1, 9):
                    page.get_by_role("button", name=t.STEP, exact=True).click()
                    _wait_week(page, week)
                _says(page, t, week=8, charts=_side)
                _no_traceback(page)
                page.evaluate("window.scrollTo(0, 0)")
                shots[t.code] = tmp_path / f"classroom_{t.code}.png"
                page.screenshot(path=shots[t.code])
            finally:
                context.close()
        if docs_pictures is not None:
            for path in shots.values():
                shutil.copyfile(path, docs_pictures / path.name)
    finally:
        _stop(proc)
