"""Element-wise work done a block at a time (sim.model._blocks) gives exactly the
numbers of the work done in one go: every recorded golden case (each event kind
among them) run with tiny blocks is the case run in one block, to the last bit."""

import numpy as np

from golden import all_cases
from sim import OrganisationModel, load_scenario
from sim.model import _blocks


def test_every_golden_case_with_tiny_blocks_gives_the_same_numbers(monkeypatch):
    whole = all_cases()
    monkeypatch.setattr(_blocks, "BLOCK", 97)  # 1,600 agents: 17 blocks, a short last one
    pieces = all_cases()
    assert whole.equals(pieces)


def test_tiny_blocks_leave_every_customer_in_the_same_state(monkeypatch):
    def run():
        m = OrganisationModel(load_scenario("customer_centric", n_customers=3000,
                                            n_prospects=3000, n_employees=60), rng=7)
        m.run(15)
        return m

    whole = run()
    monkeypatch.setattr(_blocks, "BLOCK", 257)
    pieces = run()
    for name, arr in whole.cust.arrays().items():
        assert np.array_equal(arr, getattr(pieces.cust, name)), name
