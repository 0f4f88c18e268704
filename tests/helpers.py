"""Helpers for the tests: small, fast scenarios and replication statistics."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
from sim import OrganisationModel, load_scenario

SMALL = dict(n_customers=1500, n_prospects=1500, n_employees=40)


def small(name: str = "baseline", **overrides):
    """A named scenario at a size that runs a simulated year in a fraction of a second."""
    return load_scenario(name, **{**SMALL, **overrides})


def run(name: str = "baseline", steps: int = 52, seed: int = 1, **overrides):
    """Run a small scenario and return (model, timeseries)."""
    m = OrganisationModel(small(name, **overrides), rng=seed)
    m.run(steps)
    return m, m.timeseries()


def mean_ci(values) -> tuple[float, float, float]:
    """Mean and 95% t-interval of independent replications."""
    from scipy import stats  # scipy is a dependency of mesa
    v = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return v.mean(), v.mean() - half, v.mean() + half


# A small TOML writer for the tests that write input files (no TOML writer is a dependency).

def toml_str(s: str) -> str:
    out = []
    for c in s:
        if c in '"\\' or ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_str(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


# Outgoing connections of a process the tests start: a sitecustomize.py on its
# PYTHONPATH installs an audit hook (sys.addaudithook) in it, and in whatever it execs,
# before any of its own code runs, that records every socket.connect and
# socket.getaddrinfo to a file (and every opening of a file whose path holds
# "orgsim-watched").
_AUDIT_HOOK = '''
import json, os, sys
_log = open(os.environ["ORGSIM_TEST_AUDIT"], "a", buffering=1)

def _hook(event, args):
    if event == "socket.connect":
        _log.write(json.dumps({"event": event, "address": repr(args[1])}) + "\\n")
    elif event == "socket.getaddrinfo":
        _log.write(json.dumps({"event": event, "address": repr(args[0])}) + "\\n")
    elif event == "open" and "orgsim-watched" in str(args[0]):  # files a test watches
        _log.write(json.dumps({"event": event, "address": repr(str(args[0]))}) + "\\n")

sys.addaudithook(_hook)
'''


def audited_env(folder, env=None) -> tuple[dict, "Path"]:
    """An environment whose Python processes record their connections in folder."""
    import os
    from pathlib import Path

    folder = Path(folder)
    hook_dir = folder / "audit_hook"
    hook_dir.mkdir(parents=True, exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(_AUDIT_HOOK)
    log = folder / "connections.jsonl"
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join([str(hook_dir), *filter(None, [env.get("PYTHONPATH")])])
    env["ORGSIM_TEST_AUDIT"] = str(log)
    return env, log


def connections(log) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def off_machine(events: list[dict]) -> list[dict]:
    """The recorded connections and look-ups that are not to this machine."""
    local = ("('127.", "'127.", "('::1'", "'::1'", "'localhost'", "None", "'/", "b'/")
    return [e for e in events if not e["address"].startswith(local)]
