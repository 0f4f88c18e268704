"""Scripts a browser driver (Playwright) runs in the classroom page, declared once for
tests/test_app_browser.py and benchmarks/bench_app.py. Plain data: nothing here runs
in the page itself."""

STEP_AND_WAIT_JS = """(week) => new Promise((resolve) => {
    // from the click on Step to the new week's status line and customer picture
    const picture = () => document.querySelector("img.orgsim-customers").src;
    const before = picture();
    const done = () => [...document.querySelectorAll(".orgsim-status")]
        .some((e) => e.textContent.startsWith(`Week ${week}:`)) && picture() !== before;
    const t0 = performance.now();
    const observer = new MutationObserver(() => {
        if (done()) { observer.disconnect(); resolve(performance.now() - t0); }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true,
                                     attributes: true});
    [...document.querySelectorAll("button")].find((b) => b.textContent.trim() === "Step")
        .click();
})"""
"""Click Step and resolve, in milliseconds, once the page shows week ``week`` and a
new customer picture."""
