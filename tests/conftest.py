"""Shared fixtures."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

BIN = Path(sys.executable).parent  # the virtualenv's scripts: dask, orgsim
ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser):
    parser.addoption("--refresh-docs", action="store_true",
                     help="let the browser tests write their screenshots into docs/ "
                          "(otherwise they stay in the tests' temporary folders)")


@pytest.fixture
def docs_pictures(request):
    """docs/ when the run was asked to refresh its pictures (--refresh-docs), else None."""
    return ROOT / "docs" if request.config.getoption("--refresh-docs") else None


@pytest.fixture
def rng():
    """A fixed generator, so a test's random inputs are the same every run."""
    return np.random.default_rng(12345)


@pytest.fixture
def dask_cluster(tmp_path):
    """A real scheduler and two workers on 127.0.0.1, each worker in its own session so
    a test can kill it outright."""
    pytest.importorskip("distributed", reason="the test extra installs dask[distributed]")
    sched_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(sched_file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)]
    try:
        end = time.time() + 60
        while not sched_file.exists() and time.time() < end:
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        for _ in range(2):
            procs.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                 "--no-dashboard", "--host", "127.0.0.1", "--memory-limit", "0"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        from distributed import Client
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, procs
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
