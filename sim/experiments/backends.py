"""Where runs are done: in this process (one worker), on local worker processes
(sim.experiments.pool), or on an existing Dask cluster. Each gives
``map_unordered(fn, tasks, lost)``: results as they come; a task whose worker died
every time it was given is ``lost(task, why)``."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .pool import RETRIES, LocalPool, machine_cores
from .spec import ExperimentError


class InProcess:
    """One worker: the runs are done here, one after another."""

    workers = 1

    def map_unordered(self, fn: Callable, tasks: list, lost: Callable | None = None) -> Iterable:
        for t in tasks:
            yield fn(t)

    def close(self) -> None:
        pass


class DaskCluster:
    """An existing Dask distributed cluster; a lost worker's runs are rerun on others."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise ExperimentError("--scheduler needs Dask: pip install 'orgsim[distributed]'") from None
        try:
            self.client = Client(address, timeout="20s")
        except Exception as err:  # a bad address, no scheduler there, a refused connection
            first = (str(err).strip().splitlines() or [""])[0]
            raise ExperimentError(f"--scheduler {address}: cannot connect: "
                                  f"{type(err).__name__}: {first}") from None

    def map_unordered(self, fn: Callable, tasks: list, lost: Callable | None = None) -> Iterable:
        from distributed import as_completed

        futures = self.client.map(fn, tasks, pure=False, retries=RETRIES,
                                  key=[f"orgsim-run-{_name(t)}-{i}" for i, t in enumerate(tasks)])
        task_of = {f.key: t for f, t in zip(futures, tasks)}
        try:
            for f in as_completed(futures):
                try:
                    yield f.result()
                except Exception as err:  # e.g. KilledWorker after the retries
                    if lost is None:
                        raise
                    yield lost(task_of[f.key], f"{type(err).__name__}: {err}")
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()


def _name(task) -> str:
    """What a Dask key says of a task: its run's key, or its runs' (a group of runs)."""
    if isinstance(task, (list, tuple)):
        return "+".join(_name(t) for t in task)[:200]
    return str(getattr(getattr(task, "run", None), "key", ""))


def make_backend(workers: int | None = None, scheduler: str | None = None,
                 say: Callable[[str], Any] = print):
    """A Dask cluster when given its address, else local processes: one per core by
    default, never more than the machine has (``say`` tells when it caps)."""
    if scheduler:
        return DaskCluster(scheduler)
    cores = machine_cores()
    if workers is not None and workers > cores:
        say(f"--workers {workers}: this machine has {cores} cores; using {cores}")
    n = min(workers or cores, cores)
    return InProcess() if n == 1 else LocalPool(n)


def progress_bar(total: int, enabled: bool):
    """A tqdm bar saying runs done, runs left (its postfix: keep it up to date) and the
    time to go."""
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="run", disable=not enabled, dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n_fmt} runs done{postfix} left, about {remaining} to go",
                postfix=str(total))
