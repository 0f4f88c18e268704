"""docs/ODD.md cannot drift from the code: its parameter table, its table of the named
firms' levers, its tables of the customers' and employees' declared state and its event
tables are the generated ones, and it describes every output column."""

from pathlib import Path

import pytest

from sim.model.churn import CAUSES
from sim.model.events import EVENT_CAUSES, SPECS
from sim.model.metrics import columns
from sim.odd_table import (EVENT_MEANINGS, EVENT_SOURCES, PARAMS_END, PARAMS_START,
                           PRESETS_END, PRESETS_START, block, event_markers, event_tables,
                           parameter_table, preset_table, state_markers, state_table)

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


@pytest.fixture(scope="module")
def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


def test_odd_parameter_table_matches_params(odd_text):
    assert block(odd_text, PARAMS_START, PARAMS_END) == parameter_table(), (
        "the parameter table in docs/ODD.md is out of date; refresh it with "
        "`python -m sim.odd_table --write docs/ODD.md`")


def test_odd_preset_table_matches_the_levers_and_the_preset_files(odd_text):
    assert block(odd_text, PRESETS_START, PRESETS_END) == preset_table(), (
        "the table of the named firms in docs/ODD.md is out of date; refresh it with "
        "`python -m sim.odd_table --write docs/ODD.md`")


@pytest.mark.parametrize("kind", ["customers", "employees"])
def test_odd_state_tables_are_the_declarations(odd_text, kind):
    assert block(odd_text, *state_markers(kind)) == state_table(kind), (
        f"the table of the {kind}' state in docs/ODD.md is out of date; refresh it with "
        "`python -m sim.odd_table --write docs/ODD.md`")


@pytest.mark.parametrize("kind", list(SPECS))
def test_odd_event_table_matches_specs(odd_text, kind):
    start, end = event_markers(kind)
    assert start in odd_text, f"docs/ODD.md has no parameter table for event kind {kind!r}"
    assert block(odd_text, start, end) == event_tables()[kind], (
        f"the {kind} table in docs/ODD.md is out of date; refresh it with "
        "`python -m sim.odd_table --write docs/ODD.md`")


def test_every_event_field_has_a_meaning_and_a_source():
    fields = {(kind, name) for kind, spec in SPECS.items() for name in spec}
    assert set(EVENT_SOURCES) == fields
    assert all(SPECS[k][f].doc or (k, f) in EVENT_MEANINGS for k, f in fields)
    assert set(EVENT_MEANINGS) <= fields


@pytest.mark.parametrize("column", columns(CAUSES + EVENT_CAUSES))
def test_odd_describes_every_output_column(odd_text, column):
    assert f"`{column}`" in odd_text, f"output column {column!r} is not described in docs/ODD.md"
