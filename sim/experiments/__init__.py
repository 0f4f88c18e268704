"""Experiments: sweeps with replications and sensitivity analysis, resumable, on a
laptop or a Dask cluster.

>>> from sim.experiments import load_experiment, run_experiment
>>> results = run_experiment("silo_x_reward", "results/silo_x_reward")  # doctest: +SKIP
>>> results.summary.head()                                                # doctest: +SKIP
"""

from .runner import Results, run_experiment
from .spec import Experiment, ExperimentError, list_experiments, load_experiment

__all__ = ["Experiment", "ExperimentError", "Results", "list_experiments", "load_experiment",
           "run_experiment"]
