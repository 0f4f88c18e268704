"""Local workers: a killed worker is replaced and its run given again; a run whose
worker dies every time, or that raises, goes to failures.csv (run order, traceback in
its own file) and `orgsim sweep` exits 1; workers die with their parent."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.experiments import run_experiment
from sim.experiments.pool import RETRIES, machine_cores

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(machine_cores() < 2, reason="needs two local workers")

MODELS = '''
import os, signal, threading
from pathlib import Path
from sim import OrganisationModel

MARKS = Path(__file__).parent / "marks"


def mark(name):
    MARKS.mkdir(exist_ok=True)
    path = MARKS / name
    first = not path.exists()
    path.touch()
    return first


class KilledOnce(OrganisationModel):
    """The worker running a mandate 0.8 run is killed at week 3, once per run."""
    def step(self):
        super().step()
        if self.steps == 3 and self.params["mandate"] == 0.8 and mark(str(self.seed_used)):
            os.kill(os.getpid(), signal.SIGKILL)


class AlwaysKilled(OrganisationModel):
    def step(self):
        super().step()
        if self.steps == 3 and self.params["mandate"] == 0.8:
            os.kill(os.getpid(), signal.SIGKILL)


class Raises(OrganisationModel):
    def step(self):
        super().step()
        if self.steps == 3 and self.params["mandate"] == 0.8:
            raise RuntimeError("boom at week 3")


class Hangs(OrganisationModel):
    """Says which process runs it (a line in the FIFO "ready"), then never finishes."""
    def step(self):
        with open(Path(__file__).parent / "ready", "w") as fifo:
            fifo.write(f"{os.getpid()}\\n")
        threading.Event().wait()
'''

STUDY = """
description = "workers"
scenario = "baseline"
model = "models.py:{model}"
steps = 6
replications = 2
seed = 9
metrics = ["retention"]
timeseries = ["retention"]
[set]
n_customers = 200
n_prospects = 200
n_employees = 15
[vary]
mandate = [0.2, 0.8]
"""


def study(tmp_path, model: str) -> Path:
    (tmp_path / "models.py").write_text(MODELS)
    f = tmp_path / f"{model}.toml"
    f.write_text(STUDY.format(model=model))
    return f


def test_a_killed_local_worker_is_replaced_and_its_run_given_again(tmp_path):
    f = study(tmp_path, "KilledOnce")
    res = run_experiment(f, tmp_path / "out", workers=2, progress=False)
    assert len(list((tmp_path / "marks").iterdir())) == 2  # both mandate 0.8 runs lost a worker
    assert len(res.runs) == 4 and len(res.failures) == 0
    again = run_experiment(f, tmp_path / "again", workers=1, progress=False)  # here, no kills now
    pd.testing.assert_frame_equal(res.runs, again.runs)
    pd.testing.assert_frame_equal(res.timeseries, again.timeseries)


def test_a_run_whose_worker_always_dies_fails_after_the_retries_and_sweep_exits_1(tmp_path, capsys):
    f, out = study(tmp_path, "AlwaysKilled"), tmp_path / "out"
    f.write_text(f.read_text().replace("replications = 2", "replications = 1"))
    assert main(["sweep", str(f), "--out", str(out), "--workers", "2", "--quiet"]) == 1
    assert "1 of 2 runs failed" in capsys.readouterr().err
    fails = pd.read_csv(out / "failures.csv")
    assert list(fails["index"]) == [1]
    assert fails["error"][0] == f"WorkerLost: its worker process died (exit code -9) {RETRIES + 1} times"
    assert "no traceback" in (out / fails["traceback"][0]).read_text()
    assert len(pd.read_parquet(out / "runs.parquet")) == 1


def test_failures_csv_is_in_run_order_with_each_traceback_in_its_own_file(tmp_path, capsys):
    f, out = study(tmp_path, "Raises"), tmp_path / "out"
    f.write_text(f.read_text().replace("mandate = [0.2, 0.8]", "mandate = [0.8, 0.2, 0.8000001]")
                 .replace("replications = 2", "replications = 3"))
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--quiet"]) == 1
    assert "3 of 9 runs failed" in capsys.readouterr().err
    fails = pd.read_csv(out / "failures.csv")
    assert list(fails["index"]) == [0, 3, 6]
    assert set(fails["error"]) == {"RuntimeError: boom at week 3"}
    for i, name in zip(fails["index"], fails["traceback"]):
        text = (out / name).read_text()
        assert name == f"failures/run-{i}.txt"
        assert "Traceback (most recent call last)" in text and "boom at week 3" in text
    assert json.loads((out / "study.json").read_text())["failed"] == 3


def _workers(pid: int) -> list[int]:
    """The worker processes among ``pid``'s children."""
    kids = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [k for k in kids if b"sim.experiments.worker" in Path(f"/proc/{k}/cmdline").read_bytes()]


def _gone_within(pid: int, seconds: float) -> bool:
    """Whether process ``pid`` ends within ``seconds`` (waited for on a pidfd, no polling)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], seconds)[0])
    finally:
        os.close(fd)


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="Linux pidfds")
def test_workers_die_with_their_parent(tmp_path):
    f = study(tmp_path, "Hangs")
    os.mkfifo(tmp_path / "ready")
    ready = os.open(tmp_path / "ready", os.O_RDONLY | os.O_NONBLOCK)
    keep = os.open(tmp_path / "ready", os.O_WRONLY)  # so the FIFO never reads as closed
    proc = subprocess.Popen([str(BIN / "orgsim"), "sweep", str(f), "--out", str(tmp_path / "out"),
                             "--workers", "2", "--quiet"], stderr=subprocess.DEVNULL)
    workers, told = [], b""
    try:
        while told.count(b"\n") < 2:  # both workers inside a run: each wrote its pid
            assert select.select([ready], [], [], 120)[0], "the workers did not start a run"
            told += os.read(ready, 1024)
        workers = _workers(proc.pid)
        assert sorted(workers) == sorted(int(p) for p in told.split())
        proc.kill()  # the parent alone, not its process group
        proc.wait()
        assert all(_gone_within(w, 30) for w in workers)
    finally:
        os.close(ready)
        os.close(keep)
        for w in workers:
            try:
                os.kill(w, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.poll() is None:
            proc.kill()
