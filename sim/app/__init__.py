"""The classroom page on the organisation model (``orgsim app``): a Solara page of its own.

What needs no web server: ``sim.app.classroom`` (the model as the page builds it from
flat keyword parameters, the controls, the side-by-side twin, "Save as scenario"),
``sim.app.views`` (what the page reads from a model), ``sim.app.figures`` (the
pictures) and ``sim.app.drawing`` (PNG rendering with cached frames, click picking).
``sim.app.player`` (the play loop), ``sim.app.lessons`` (the ready lessons) and
``sim.app.texts`` (every text the page shows). ``sim.app.page`` is the Solara page itself and needs the ``app`` extra
(``pip install -e ".[app]"``).
"""

from pathlib import Path

PAGE_FILE = Path(__file__).resolve().parent / "page.py"

__all__ = ["PAGE_FILE"]
