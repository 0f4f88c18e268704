"""Local worker processes for a study, started as ``python -m sim.experiments.worker``.

A deliberate choice over multiprocessing's start methods: a worker imports orgsim and
nothing of the caller, so ``run_experiment(..., workers=2)`` works the same from a
plain script without an ``if __name__ == "__main__"`` guard, from a notebook, and with
threads running; each worker runs one task at a time, so when one dies the pool knows
which task it held, starts a replacement and gives the task again, up to ``retries``
times. Workers die with their parent (``sim.experiments.worker.die_with_parent``).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Callable, Iterator

from .frames import read_frame, write_frame

RETRIES = 3  # a task whose worker dies is given again this many times (Dask: the same)
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding sim/


class WorkerError(RuntimeError):
    """A task raised in a worker; the message holds the worker's traceback."""


def machine_cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@dataclass
class _Worker:
    proc: subprocess.Popen
    send: int
    recv: int
    task: tuple[int, Any] | None = None


class LocalPool:
    """``workers`` worker processes; ``map_unordered`` yields results as they come."""

    def __init__(self, workers: int, retries: int = RETRIES):
        self.workers, self.retries = max(1, workers), retries
        self.live: list[_Worker] = []

    def _start(self) -> _Worker:
        child_in, to_child = os.pipe()
        from_child, child_out = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "sim.experiments.worker", str(child_in), str(child_out),
                 str(os.getpid())], pass_fds=(child_in, child_out), env=env, stdin=subprocess.DEVNULL)
        finally:
            os.close(child_in)
            os.close(child_out)
        w = _Worker(proc, to_child, from_child)
        write_frame(w.send, pickle.dumps({"sys_path": [p for p in sys.path if p]}))
        self.live.append(w)
        return w

    def _bury(self, w: _Worker) -> int:
        for fd in (w.send, w.recv):
            try:
                os.close(fd)
            except OSError:
                pass
        if w.proc.poll() is None:
            w.proc.kill()
        self.live.remove(w)
        return w.proc.wait()

    def map_unordered(self, fn: Callable, tasks: list,
                      lost: Callable[[Any, str], Any] | None = None) -> Iterator[Any]:
        """Run ``fn(task)`` for every task. A task whose worker died ``retries + 1``
        times gives ``lost(task, why)`` (or raises WorkerError without ``lost``)."""
        queue = deque(enumerate(tasks))
        attempts = [0] * len(tasks)
        while len(self.live) < min(self.workers, len(tasks)):
            self._start()
        idle = list(self.live)
        try:
            while queue or any(w.task for w in self.live):
                while queue and idle:
                    w = idle.pop()
                    w.task = queue.popleft()
                    try:
                        write_frame(w.send, pickle.dumps((fn, w.task[1])))
                    except OSError:  # it died before it took the task: not an attempt
                        queue.appendleft(w.task)
                        self._bury(w)
                        idle.append(self._start())
                busy = {w.recv: w for w in self.live if w.task}
                for fd in wait(list(busy)):
                    w = busy[fd]
                    frame = read_frame(fd)
                    i, task = w.task
                    if frame is None:  # the worker died with the task
                        code = self._bury(w)
                        attempts[i] += 1
                        why = f"its worker process died (exit code {code}) {attempts[i]} times"
                        if attempts[i] <= self.retries:
                            queue.appendleft((i, task))
                        elif lost is not None:
                            yield lost(task, why)
                        else:
                            raise WorkerError(f"task {i}: {why}")
                        if queue:
                            idle.append(self._start())
                        continue
                    w.task = None
                    idle.append(w)
                    status, payload = pickle.loads(frame)
                    if status == "error":
                        raise WorkerError(payload)
                    yield payload
        finally:
            for w in [w for w in self.live if w.task]:  # stopped early: stop their work
                self._bury(w)
            for w in self.live:
                w.task = None

    def close(self) -> None:
        """End every worker: the end of its input, then wait for it."""
        for w in list(self.live):
            os.close(w.send)
            w.send = -1
        for w in list(self.live):
            try:
                os.close(w.recv)
            except OSError:
                pass
            w.proc.wait()
            self.live.remove(w)
