"""Calibration (``orgsim calibrate TARGETS.toml --out DIR``): the model's loosely
pinned constants fitted to observations with their uncertainty by ABC-SMC (pyabc),
giving a posterior in place of the hand calibration.

>>> from sim.calibration import calibrate
>>> doc = calibrate("calibration/client_example.toml", "results/cal", quick=True)  # doctest: +SKIP
>>> doc["generations"], sorted(doc["parameters"])                                 # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from ..experiments.folder import Folder
from ..experiments.spec import ExperimentError
from .targets import Targets, load_targets

DB, POSTERIOR, JSON, MD, FIGURES = "abc.db", "posterior.parquet", "calibration.json", \
    "calibration.md", "figures"
FILES = (DB, POSTERIOR, JSON, MD, FIGURES)


def fingerprint(targets: Targets) -> str:
    """What a resumed calibration must share with the one it continues."""
    doc = {"setting": asdict(targets.setting), "population": targets.population,
           "priors": [asdict(p) for p in targets.priors],
           "targets": [asdict(t) for t in targets.targets], "seed": targets.seed}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]


def calibrate(path, out, quick: bool = False, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False, progress: bool = False,
              say: Callable[[str], None] = print) -> dict:
    """Fit the targets file at ``path``, writing into folder ``out``; returns
    calibration.json's content. Bad input: a ScenarioError or ExperimentError, in one
    line, before anything is written."""
    from ..experiments.pool import machine_cores
    from .fit import fit
    from .output import calibration_doc, diagnose, draw_figures, markdown, write_json, \
        write_posterior

    targets = load_targets(path)
    if quick:
        targets = targets.quicker()
    out = Path(out)
    folder = Folder(out, "calibration", targets.name)
    folder.open(FILES, resume, has_runs=(out / DB).exists())
    stamp = fingerprint(targets)
    if resume and (out / DB).exists():
        try:
            held = json.loads((out / JSON).read_text()).get("fingerprint")
        except (OSError, ValueError, AttributeError):
            held = None
        if held != stamp:
            raise ExperimentError(f"--out {out} holds a calibration of other targets or "
                                  "settings (calibration.json's fingerprint differs); use "
                                  "another folder")
    resume = resume and (out / DB).exists()
    if workers is None:
        workers = machine_cores()
    workers = min(workers, machine_cores())
    out.mkdir(parents=True, exist_ok=True)
    folder.claim(*FILES)
    if not resume:
        write_json(out / JSON, {"name": targets.name, "status": "running", "fingerprint": stamp})
    started = time.time()
    result = fit(targets, out / DB, resume, workers, scheduler, progress, say)
    if result.history.max_t < 0:
        raise ExperimentError(f"{targets.path}: not one generation could be completed (each "
                              "accepted too few of its simulations); give the targets larger "
                              "sd or the runs more customers")
    d = diagnose(result.history, targets, seed=targets.seed)
    where = f"Dask scheduler {scheduler}" if scheduler else f"{workers} local process" + \
        ("es" if workers > 1 else "")
    status = {"status": result.stopped, "finished": result.finished, "fingerprint": stamp,
              "wall_seconds": time.time() - started, "workers": where, "quick": quick}
    doc = calibration_doc(targets, d, status)
    write_posterior(out / POSTERIOR, d.posterior)
    figures = draw_figures(out / FIGURES, targets, d)
    write_json(out / JSON, doc)
    (out / MD).parent.mkdir(exist_ok=True)
    from ..files.atomic import write_atomic
    write_atomic(out / MD, markdown(targets, d, doc, figures))
    return doc


__all__ = ["calibrate", "load_targets"]
