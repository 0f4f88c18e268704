"""The page's play loop, without the web server: step a model at the requested weeks per
second and ask for a picture at most so often, on a thread of its own.

Stepping and drawing are decoupled: the model steps on its own clock, and a picture is
asked for only when the last one is done and at least ``min_gap`` seconds (or as long
as the last picture took, if longer) have passed, so a fast speed never floods the
browser with renders (what Mesa's Play at its fastest interval did: "Too many renders
triggered"). Steps that fall more than a second behind are dropped, not queued.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

MIN_GAP = 0.25  # seconds between pictures at least: about what a browser decodes comfortably


@dataclass
class Player:
    """``step()`` advances the model one week (returns False when the model has stopped),
    ``draw()`` asks the page for a picture (and returns when it is made), ``rate()`` is
    the weeks per second wanted now."""

    step: Callable[[], bool | None]
    draw: Callable[[], None]
    rate: Callable[[], float]
    min_gap: float = MIN_GAP
    clock: Callable[[], float] = time.monotonic
    # wait up to so many seconds unless stopped (a fake clock's tests advance it here)
    idle: Callable[[threading.Event, float], object] = lambda stop, seconds: stop.wait(seconds)
    steps: int = 0
    draws: int = 0
    _last_draw_cost: float = field(default=0.0, repr=False)

    def run(self, stop: threading.Event) -> None:
        """Play until ``stop`` is set or the model stops; a last picture shows where it
        stopped."""
        due = self.clock()  # when the next step is due
        drawn_at = self.clock()
        fresh = False  # steps not yet in a picture
        while not stop.is_set():
            now = self.clock()
            rate = max(float(self.rate()), 1e-3)
            if now - due > 1.0:
                due = now  # fell behind: drop the backlog (skipped, not queued)
            while due <= now + 1e-6 and not stop.is_set():  # (float rounding)
                if self.step() is False:
                    stop.set()
                    break
                self.steps += 1
                fresh = True
                due += 1.0 / rate
                now = self.clock()
            gap = max(self.min_gap, self._last_draw_cost)
            if fresh and self.clock() - drawn_at >= gap - 1e-6:
                self._draw()
                drawn_at = self.clock()
                fresh = False
            next_draw = drawn_at + gap if fresh else float("inf")
            wait = min(due, next_draw) - self.clock()
            if wait > 0:
                self.idle(stop, wait)
        if fresh:
            self._draw()

    def _draw(self) -> None:
        t0 = self.clock()
        self.draw()
        self._last_draw_cost = self.clock() - t0
        self.draws += 1


__all__ = ["MIN_GAP", "Player"]
