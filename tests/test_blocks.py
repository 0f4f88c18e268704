"""Element-wise work done a block at a time (sim.model._blocks) gives exactly the
numbers of the work done in one go: a run with tiny blocks is the run with one block."""

import numpy as np

from sim import OrganisationModel, load_scenario
from sim.model import _blocks


def _run(scenario: str, steps: int = 15):
    m = OrganisationModel(load_scenario(scenario, n_customers=3000, n_prospects=3000,
                                        n_employees=60), rng=7)
    m.run(steps)
    return m


def test_tiny_blocks_give_the_same_run(monkeypatch):
    for scenario in ("baseline", "customer_centric"):
        whole = _run(scenario)
        monkeypatch.setattr(_blocks, "BLOCK", 257)  # 6000 agents: 24 blocks, a short last one
        pieces = _run(scenario)
        monkeypatch.undo()
        assert whole.timeseries().equals(pieces.timeseries())
        for name, arr in whole.cust.arrays().items():
            assert np.array_equal(arr, getattr(pieces.cust, name)), name
