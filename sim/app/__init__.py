"""The classroom page: Mesa's SolaraViz on the organisation model (``orgsim app``).

``sim.app.classroom`` holds what needs no web server (the model as the page builds it
from flat keyword parameters, the slider definitions and the figures);
``sim.app.page`` is the Solara page itself and needs the ``app`` extra
(``pip install -e ".[app]"``).
"""

from pathlib import Path

PAGE_FILE = Path(__file__).resolve().parent / "page.py"

__all__ = ["PAGE_FILE"]
