"""The fit: ABC-SMC (pyabc) with a stochastic acceptor, so that the last generation,
at temperature 1, samples the exact posterior of the parameters given the observations
with their stated uncertainty (each observation = the simulated firm's value + normal
error of its sd; Wilkinson 2013; Schaelte & Hasenauer 2020), the model's own noise
included through the simulations. The temperature falls from generation to generation
(pyabc's Temperature schemes) and reaches 1 at the last one.

Why pyabc and not a hand-written sampler: it is a maintained ABC-SMC for stochastic
simulators with adaptive population transitions, temperature schemes, a multicore and a
Dask sampler, and a database from which an interrupted run continues (``ABCSMC.load``).
"""

from __future__ import annotations

import logging
import math
import os
import signal
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

import numpy as np

from .measures import simulate
from .targets import Targets

FAR = 1e9  # a simulated value that could not be measured: the particle is rejected
TARGET_RATE = 0.3  # pyabc's default for its acceptance-rate temperature scheme
MIN_RATE = 0.03  # a generation is given at most population / MIN_RATE simulations


class Simulator:
    """A particle's simulation as pyabc calls it (a picklable top-level object, so that
    worker processes and Dask workers can run it): parameters -> summary statistics."""

    def __init__(self, targets: Targets):
        self.targets, self.setting = targets.targets, targets.setting

    def __call__(self, params) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**31 - 1))  # pyabc seeds each worker
        values = {k: float(v) for k, v in dict(params).items()}
        out = simulate(values, seed, self.targets, self.setting)
        return {k: (v if math.isfinite(v) else FAR) for k, v in out.items()}


def prior_of(targets: Targets):
    import pyabc

    rvs = {}
    for p in targets.priors:
        if p.scale == "log":
            rvs[p.name] = pyabc.RV("loguniform", p.low, p.high)
        else:
            rvs[p.name] = pyabc.RV("uniform", p.low, p.high - p.low)
    return pyabc.Distribution(**rvs)


def observed_of(targets: Targets) -> dict[str, float]:
    return {t.key: t.observed for t in targets.targets}


_SAMPLING = {"on": False, "hooked": False}  # on: the multicore sampler is forking workers
_INT = {signal.SIGINT}


def _in_worker() -> None:
    """A worker ignores SIGINT (Ctrl-C reaches every process of the terminal's group:
    the main process alone ends the calibration; an interrupted worker would die with
    a traceback and make pyabc report a dead worker) and, on Linux, ends with its main
    process, whatever ends that. It starts with SIGINT blocked (_guarded_start); setting
    it ignored first drops one that arrived meanwhile."""
    if _SAMPLING["on"]:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _INT)
        if sys.platform.startswith("linux"):
            import ctypes
            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextmanager
def _guarded_start(started: Callable[[], None] = lambda: None):
    """While pyabc starts its workers, each start holds SIGINT back and lets it arrive
    once the start is done, in the main process's own code: arriving during Python's
    at-fork hooks, the KeyboardInterrupt would only be printed and the calibration
    would go on to the end (exit 0). ``started()`` is called after each start."""
    from multiprocessing.process import BaseProcess

    start = BaseProcess.start

    def guarded(self):
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _INT)
        try:
            start(self)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)  # a held Ctrl-C arrives here
        started()

    BaseProcess.start = guarded
    try:
        yield
    finally:
        BaseProcess.start = start


def _multicore_sampler(**kwargs):
    """pyabc's MulticoreEvalParallelSampler whose workers leave Ctrl-C to the main
    process (_in_worker); on an interrupt it stops the generation's workers (they hold
    nothing the database needs: a generation is written only when it is complete).
    ``workers_started(n)``, if set, is called once a generation's n workers are all
    started (the progress line that says so)."""
    import multiprocessing
    from pyabc.sampler import MulticoreEvalParallelSampler

    if not _SAMPLING["hooked"]:  # once, and after the modules' own (run after them)
        os.register_at_fork(after_in_child=_in_worker)
        _SAMPLING["hooked"] = True

    class Sampler(MulticoreEvalParallelSampler):
        workers_started: Callable[[int], None] | None = None

        def sample_until_n_accepted(self, *args, **kwargs):
            before = set(multiprocessing.active_children())
            count = [0]

            def started():
                count[0] += 1
                if count[0] == self.n_procs and self.workers_started is not None:
                    self.workers_started(self.n_procs)

            _SAMPLING["on"] = True
            try:
                with _guarded_start(started):
                    return super().sample_until_n_accepted(*args, **kwargs)
            except KeyboardInterrupt:
                for proc in set(multiprocessing.active_children()) - before:
                    proc.terminate()
                    proc.join()
                raise
            finally:
                _SAMPLING["on"] = False

    return Sampler(**kwargs)


def make_sampler(workers: int, scheduler: str | None, progress: bool):
    """Local processes (pyabc's multicore sampler, one process per core), one process
    for ``workers`` 1, or an existing Dask cluster."""
    from pyabc.sampler import DaskDistributedSampler, SingleCoreSampler

    if scheduler:
        from ..experiments.backends import DaskCluster
        # several particles per Dask task: per-task overhead is not paid per run
        cluster = DaskCluster(scheduler)
        sampler = DaskDistributedSampler(dask_client=cluster.client, batch_size=4)
        sampler.orgsim_cluster = cluster  # closed when the fit ends
    elif workers <= 1:
        sampler = SingleCoreSampler(check_max_eval=True)
    else:
        sampler = _multicore_sampler(n_procs=workers, check_max_eval=True)
    sampler.show_progress = progress and sys.stdout.isatty()  # a bar per generation
    return sampler


@dataclass
class FitResult:
    history: object      # pyabc History
    finished: bool       # the last generation is at temperature 1
    stopped: str         # why it stopped, in words


def _quiet_pyabc() -> None:
    for name in ("ABC", "ABC.Sampler", "ABC.History", "ABC.Population", "ABC.Distance",
                 "ABC.Epsilon", "ABC.Acceptor", "ABC.Transition", "ABC.Predictor"):
        logging.getLogger(name).setLevel(logging.WARNING)


class _Progress(logging.Handler):
    """A line per generation from pyabc's log (it runs the generations itself)."""

    def __init__(self, say: Callable[[str], None], total: int, done: int):
        super().__init__(logging.INFO)
        self.say, self.total, self.t = say, total, done
        self.running = False  # pyabc's first generation begun (before: its prior sample)

    def workers_started(self, n: int) -> None:
        what = (f"generation {self.t} of {self.total}" if self.running
                else "the prior sample that sets the first temperature")
        self.say(f"{what}: simulating on {n} worker processes")

    def emit(self, record) -> None:
        msg = record.getMessage()
        if msg.startswith("t: "):
            self.running = True
            self.t = int(msg.split(",")[0][3:]) + 1
            self.temperature = msg.split("eps: ")[-1].rstrip(".")
        elif msg.startswith("Accepted: "):
            part = msg.split(",")[0].removeprefix("Accepted: ")
            acc, _, sims = part.partition(" / ")
            rate = int(acc) / max(int(sims.split(" ")[0]), 1)
            self.say(f"generation {self.t} of {self.total}: {int(acc)} accepted of "
                     f"{int(sims.split(' ')[0])} simulated ({rate:.1%}), temperature "
                     f"{float(self.temperature):.3g}")


def fit(targets: Targets, db: Path, resume: bool, workers: int = 1,
        scheduler: str | None = None, progress: bool = False,
        say: Callable[[str], None] = print) -> FitResult:
    """Run (or, with ``resume``, continue from ``db``) the ABC-SMC of ``targets``."""
    import pyabc

    _quiet_pyabc()
    np.random.seed(targets.seed)  # the proposals; the particles' seeds are drawn from it
    keys = [t.key for t in targets.targets]
    kernel = pyabc.IndependentNormalKernel(var=[t.sd ** 2 for t in targets.targets], keys=keys)
    # The temperature falls as fast as an acceptance rate of about TARGET_RATE allows
    # (and at least halves), down to 1; a generation that would accept under
    # MIN_RATE is abandoned, so the run ends at the lowest temperature within reach.
    eps = pyabc.Temperature(schemes=[pyabc.AcceptanceRateScheme(target_rate=TARGET_RATE),
                                     pyabc.ExpDecayFixedRatioScheme(alpha=0.5)],
                            enforce_exact_final_temperature=False)
    sampler = make_sampler(workers, scheduler, progress)
    try:
        return _fit(targets, db, resume, say, sampler, kernel, eps)
    finally:
        if hasattr(sampler, "orgsim_cluster"):
            sampler.orgsim_cluster.close()


def _fit(targets, db, resume, say, sampler, kernel, eps) -> FitResult:
    import pyabc

    abc = pyabc.ABCSMC(Simulator(targets), prior_of(targets), kernel,
                       population_size=targets.population, eps=eps,
                       acceptor=pyabc.StochasticAcceptor(), sampler=sampler)
    url = f"sqlite:///{Path(db).resolve()}"
    if resume:
        history = abc.load(url, 1)
        done = history.max_t + 1
    else:
        history = abc.new(url, observed_of(targets),
                          meta_info={"targets": targets.path, "name": targets.name})
        done = 0
    left = targets.generations - done
    if done and _temperature(history) <= 1.0:
        return FitResult(history, True, "finished earlier: the last generation is at temperature 1")
    if left <= 0:
        return FitResult(history, _temperature(history) <= 1.0,
                         f"all {targets.generations} generations were done earlier")
    handler = _Progress(say, targets.generations, done)
    if hasattr(sampler, "workers_started"):
        sampler.workers_started = handler.workers_started
    started = time.time()
    log = logging.getLogger("ABC")
    own = [(h, h.level) for h in log.handlers]  # pyabc's own: its log stays quiet
    for h, _ in own:
        h.setLevel(logging.WARNING)
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        history = abc.run(max_nr_populations=left, min_acceptance_rate=MIN_RATE,
                          max_walltime=timedelta(minutes=targets.max_minutes))
    finally:
        log.removeHandler(handler)
        log.setLevel(logging.WARNING)
        for h, level in own:
            h.setLevel(level)
    temp = _temperature(history)
    finished = temp <= 1.0
    if finished:
        why = "the last generation is at temperature 1: the exact posterior"
    else:
        if history.max_t + 1 >= targets.generations:
            cause = f"all {targets.generations} generations done"
        elif time.time() - started >= 60 * targets.max_minutes:
            cause = f"stopped after {targets.max_minutes:g} minutes (calibration.max_minutes)"
        else:
            cause = (f"stopped: the next generation would accept under {MIN_RATE:.0%} of its "
                     "simulations")
        why = (f"{cause} at temperature {temp:.3g}: the posterior as if every observation's "
               f"sd were {math.sqrt(temp):.2g} times larger (wider than the exact one)")
    return FitResult(history, finished, why)


def _temperature(history) -> float:
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    return float(pops["epsilon"].iloc[-1]) if len(pops) else math.inf
