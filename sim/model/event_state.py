"""What events leave behind in the model, in one place (``model.events``): the events
still to come, the processes that last, the log, the extra hazards they put on
customers, the shift in the competitor's attractiveness, the border between the
units of a merger, and what their departures and lost knowledge count this week.

The phases of the week read this state; only events (``sim.model.disruptions``) write it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .churn import depart
from .events import EVENT_CAUSES, Event

SEGMENTS = ("b2c", "b2b")  # the attractiveness shift's index: a customer's b2b flag


@dataclass
class EventState:
    """The events-owned state of one model; ``n_causes`` is len(model.causes)."""

    pending: list[Event]
    n_causes: int
    processes: list = field(default_factory=list)
    log: list[tuple[int, str, dict]] = field(default_factory=list)
    # per-customer extra weekly hazard by event cause (None until an event adds one)
    risk: list[np.ndarray | None] = field(default_factory=lambda: [None] * len(EVENT_CAUSES))
    risk_decay: list[np.ndarray | None] = field(default_factory=lambda: [None] * len(EVENT_CAUSES))
    attractiveness_shift: np.ndarray = field(default_factory=lambda: np.zeros(len(SEGMENTS)))
    unit_border: float = 0.0      # barrier between legacy units after a merger
    separate_units: bool = False  # legacy units serve only their own customers
    knowledge_lost: float = 0.0   # by events since the last week's metrics
    churned: np.ndarray = field(init=False)  # departures by cause since the last metrics
    substitute: Any = None        # the substitute's diffusion, once one has started
    viral_poster: int | None = None

    def __post_init__(self):
        self.churned = np.zeros(self.n_causes, dtype=np.int64)

    def due(self, t: int) -> list[Event]:
        """Take the scheduled events of week t (and any left from before)."""
        out = []
        while self.pending and self.pending[0].at <= t:
            out.append(self.pending.pop(0))
        return out

    def step_processes(self, model) -> None:
        """One week of every lasting process; those that are over are dropped."""
        self.processes = [proc for proc in self.processes if proc.step(model)]

    def leave(self, model, who: np.ndarray, cause: str) -> None:
        """Customers leave now under ``cause``, counted in the churn of the week being
        stepped (or of the next one, if called between steps); their neighbours are
        exposed to contagion as after any departure."""
        if len(who) == 0:
            return
        k = model.causes.index(cause)
        depart(model.cust, who, k, model.steps, model.params, model.rng)
        _, nbrs = model.network.neighbours_of(who)
        model.cust.exposure[nbrs] = 1.0
        self.churned[k] += len(who)

    def add_risk(self, cause: str, who: np.ndarray, hazard: float, window: float,
                 n_customers: int) -> None:
        """Raise ``who``'s weekly hazard under ``cause`` by ``hazard``, fading with time
        constant ``window`` weeks."""
        k = EVENT_CAUSES.index(cause)
        if self.risk[k] is None:
            self.risk[k] = np.zeros(n_customers, dtype=np.float32)
            self.risk_decay[k] = np.ones(n_customers, dtype=np.float32)
        self.risk[k][who] += np.float32(hazard)
        self.risk_decay[k][who] = np.float32(np.exp(-1.0 / window))

    def fade_risks(self) -> None:
        for r, d in zip(self.risk, self.risk_decay):
            if r is not None:
                r *= d

    def grow(self, new_customers: int) -> None:
        """Longer per-customer arrays after a merger brought ``new_customers`` in."""
        for k, r in enumerate(self.risk):
            if r is not None:
                self.risk[k] = np.concatenate([r, np.zeros(new_customers, np.float32)])
                self.risk_decay[k] = np.concatenate([self.risk_decay[k],
                                                     np.ones(new_customers, np.float32)])
        for proc in self.processes:
            if hasattr(proc, "grow"):
                proc.grow(new_customers)

    def take_churned(self) -> np.ndarray:
        """Departures by cause since the last call (and zero the count)."""
        out = self.churned.copy()
        self.churned[:] = 0
        return out

    def take_knowledge_lost(self) -> float:
        """Knowledge lost by events since the last call (and zero it)."""
        out, self.knowledge_lost = self.knowledge_lost, 0.0
        return out
