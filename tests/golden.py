"""Runs whose weekly numbers were recorded before the model kernel moved to sim/model/
(issue 12), so a refactoring that is meant to change nothing can show it changed nothing.

``python tests/golden.py`` records them anew into tests/data/golden.csv.gz: do that only
for a commit that changes the model's behaviour on purpose, and say so in its message.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

GOLDEN_FILE = Path(__file__).parent / "data" / "golden.csv.gz"
SIZE = dict(n_customers=800, n_prospects=800, n_employees=40)
STEPS, SEED = 80, 7
# every named scenario (each event kind among them), and two variants the presets lack
CASES = {
    "baseline": {}, "product_centric": {}, "customer_centric": {},
    "announce_promise": {}, "competitor_leap": {}, "customer_contact_change": {},
    "key_person_loss_customer_centric": {}, "key_person_loss_product_centric": {},
    "merger_customer_centric": {}, "merger_product_centric": {}, "substitute_shock": {},
    "transformation": {}, "viral_complaint": {}, "word_of_mouth_essay": {},
    "baseline+scale_free": {"customer_network": "scale_free"},
}
SEPARATE_MERGER = dict(kind="merger", at=20, style="separate", integration_weeks=24)


def run_case(name: str) -> pd.DataFrame:
    """The weekly time series of one recorded case."""
    from sim import OrganisationModel, load_scenario

    scenario = load_scenario(name.split("+")[0], **SIZE, **CASES[name])
    model = OrganisationModel(scenario, rng=SEED)
    model.run(STEPS)
    return model.timeseries()


def run_separate_merger() -> pd.DataFrame:
    """A merger kept separate, fired by hand between steps (model.trigger)."""
    from sim import OrganisationModel, load_scenario

    model = OrganisationModel(load_scenario("baseline", **SIZE), rng=SEED)
    ev = dict(SEPARATE_MERGER)
    model.run(ev.pop("at"))
    model.trigger(ev.pop("kind"), **ev)
    model.trigger("key_person_loss", count=2)
    model.run(STEPS - SEPARATE_MERGER["at"])
    return model.timeseries()


def all_cases() -> pd.DataFrame:
    frames = [run_case(name).assign(case=name) for name in CASES]
    frames.append(run_separate_merger().assign(case="separate_merger+trigger"))
    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    GOLDEN_FILE.parent.mkdir(exist_ok=True)
    table = all_cases()
    table.to_csv(GOLDEN_FILE, index=False, float_format="%.12g")
    print(f"recorded {table['case'].nunique()} cases, {len(table)} rows: {GOLDEN_FILE}")
