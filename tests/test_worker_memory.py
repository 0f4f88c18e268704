"""A study's runs do not pile up in memory: Mesa 3.3's class-level ``Agent._ids`` would
hold every model a process ever made (sim.experiments.mesa_ids). A worker running run
after run holds only the model it runs; in this process, a finished run's model is
freed with its last reference."""

from __future__ import annotations

import gc
import sys
import weakref

import mesa
import pandas as pd
import pytest

from sim.experiments import run_experiment
from sim.experiments.design import plan
from sim.experiments.pool import machine_cores
from sim.experiments.task import Task, execute
from sim.experiments import load_experiment
from sim.files.extensions import load_model_class

MODELS = '''
import weakref

import mesa
from sim import OrganisationModel

ALIVE = weakref.WeakSet()  # the models of this class alive in this process


class Counted(OrganisationModel):
    """Reports how many of its kind are alive in its process, and Mesa's registry size."""
    reporters = {"alive_models": lambda m: len(ALIVE), "registry": lambda m: len(mesa.Agent._ids)}

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        ALIVE.add(self)
'''

STUDY = """
scenario = "baseline"
model = "models.py:Counted"
steps = 3
replications = {reps}
seed = 3
metrics = ["retention", "alive_models", "registry"]
[set]
n_customers = 200
n_prospects = 200
n_employees = 15
[vary]
mandate = [0.2, 0.8]
"""


def study(tmp_path, reps: int):
    (tmp_path / "models.py").write_text(MODELS)
    f = tmp_path / "counted.toml"
    f.write_text(STUDY.format(reps=reps))
    return f


@pytest.mark.skipif(machine_cores() < 2, reason="needs two local workers")
def test_a_worker_holds_only_the_model_it_runs(tmp_path):
    res = run_experiment(study(tmp_path, reps=6), tmp_path / "out", workers=2, progress=False)
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert len(runs) == 12 == len(res.runs)
    # each worker ran about six runs one after another; at each run's end only that run's
    # model was alive in its process, and Mesa's registry held it alone
    assert runs["alive_models"].max() == 1, runs["alive_models"].tolist()
    assert runs["registry"].max() == 1, runs["registry"].tolist()


def test_in_this_process_a_finished_runs_model_is_freed(tmp_path):
    exp = load_experiment(study(tmp_path, reps=3))
    tasks = [Task(r, exp.base, exp.steps, (), exp.model) for r in plan(exp)]
    results = [execute(t) for t in tasks]
    assert all("record" in r for r in results)
    gc.collect()
    counted = load_model_class(exp.model)  # the study's model class, as the runs loaded it
    assert len(sys.modules[counted.__module__].ALIVE) == 0
    assert not [m for m in mesa.Agent._ids if isinstance(m, counted)]
    # (the registry's size itself counts the models other tests of this process keep)


def test_a_model_made_outside_a_run_keeps_its_ids_counting():
    """The weak counters number a live model's agents as Mesa does: 1, 2, ..."""
    from sim import OrganisationModel, load_scenario
    from sim.experiments.mesa_ids import forget_finished_models

    m = OrganisationModel(load_scenario("baseline", n_customers=100, n_prospects=100,
                                        n_employees=12), rng=1)
    before = [a.unique_id for a in m.agents]
    forget_finished_models()
    a = mesa.Agent(m)
    assert sorted(before) == list(range(1, len(before) + 1)) and a.unique_id == len(before) + 1
    ref = weakref.ref(m)
    del m, a
    gc.collect()
    assert ref() is None
