"""Shared fixtures."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fixed generator, so a test's random inputs are the same every run."""
    return np.random.default_rng(12345)
