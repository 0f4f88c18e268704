"""Two references for the model's speed on this machine (used by bench_model.py).

* ``mesa_yardstick``: the per-agent way, a minimal Mesa model with one ``mesa.Agent``
  per customer and per prospect, each doing a weekly update in Python comparable to
  the model's simplest: a product fault or not, satisfaction moving towards the week's
  experience, word of mouth fading, a churn hazard and a draw, tenure.
* ``numpy_floor``: the least a vectorised weekly step over the same population can
  cost: every customer-state array of the model (same dtypes, customers and
  prospects) read and written once, one single-precision random draw per agent and
  one neighbour read per agent through a ring lattice of the model's mean degree.
  The model does more than this in a week (several passes over some arrays, draws
  for contacts, hazards, word of mouth); the floor says what one pass costs here.

Both count steps per customer like the model does: the population holds
``n_customers`` customers and as many prospects, and time is divided by
``n_customers`` x steps.
"""

from __future__ import annotations

import numpy as np

# the dtypes of the model's customer state (sim.model.customers.CUSTOMER_STATE)
STATE_DTYPES = (np.int8, np.float32, np.float32, np.float32, np.float32, np.float32,
                np.float32, bool, np.int64, np.int8, np.int32, bool, np.int8, np.int32,
                bool, np.float32, np.float32, bool, np.int32, np.int8)


def mesa_yardstick(n_customers: int, steps: int, seed: int = 1):
    """A Mesa model of 2 x n_customers agents; returns a function running ``steps`` weeks."""
    import mesa

    class Person(mesa.Agent):
        def __init__(self, model, active: bool):
            super().__init__(model)
            self.active = active
            self.satisfaction = 0.6
            self.wom = 0.0
            self.tenure = 0.0

        def step(self):
            if not self.active:
                return
            r = self.random.random()
            experience = 0.2 if r < 0.05 else 0.7
            self.satisfaction += 0.1 * (experience - self.satisfaction)
            self.wom *= 0.9
            hazard = 0.002 * (1.5 - self.satisfaction)
            if self.random.random() < hazard:
                self.active = False
            self.tenure += 1.0

    class Market(mesa.Model):
        def __init__(self):
            super().__init__(rng=seed)
            for i in range(2 * n_customers):
                Person(self, i % 2 == 0)

        def step(self):
            self.agents.shuffle_do("step")

    model = Market()

    def run():
        for _ in range(steps):
            model.step()

    return run


def numpy_floor(n_customers: int, steps: int, degree: int = 10, seed: int = 1):
    """The floor loop over 2 x n_customers agents; returns a function running ``steps`` weeks."""
    n = 2 * n_customers
    rng = np.random.default_rng(seed)
    state = [np.zeros(n, dtype=d) for d in STATE_DTYPES]
    offset = rng.integers(1, degree // 2 + 1, size=n).astype(np.int32)
    neighbour = np.arange(n, dtype=np.int32)
    neighbour += offset
    neighbour[neighbour >= n] -= n
    del offset
    exposure = state[16]

    def run():
        for _ in range(steps):
            u = rng.random(n, dtype=np.float32)
            for a in state:  # each array read and written once
                if a.dtype == bool:
                    np.logical_not(a, out=a)
                else:
                    a += 1
            u *= exposure[neighbour]  # one neighbour read per agent
            np.add(exposure, u, out=exposure)

    return run
