"""docs/ODD.md cannot drift from the code: its parameter table is the generated one, and
it describes every output column."""

from pathlib import Path

import pytest

from sim.churn import CAUSES
from sim.metrics import columns
from sim.odd_table import PARAMS_END, PARAMS_START, block, parameter_table

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


@pytest.fixture(scope="module")
def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


def test_odd_parameter_table_matches_params(odd_text):
    assert block(odd_text, PARAMS_START, PARAMS_END) == parameter_table(), (
        "the parameter table in docs/ODD.md is out of date; refresh it with "
        "`python -m sim.odd_table --write docs/ODD.md`")


@pytest.mark.parametrize("column", columns(CAUSES))
def test_odd_describes_every_output_column(odd_text, column):
    assert f"`{column}`" in odd_text, f"output column {column!r} is not described in docs/ODD.md"
