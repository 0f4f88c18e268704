"""A study's results folder. Each finished run is one folder ``runs/KEY/`` (its record
``run.json``, and ``customers.parquet`` when snapshots are kept), written into a
temporary folder, flushed to disk and renamed as a whole, so a study stopped at any
moment keeps every run it finished and a resumed one skips them. A run file that is
not a complete run record is moved to ``runs/_bad/``; runs that are not part of the
study as it is now go to ``runs/_stale/`` (and come back if the study returns to
them). The tables are rebuilt from the records.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .design import Run
from .intervals import SHARES, WEEKLY_SHARES, estimates, t_quantile  # noqa: F401  (t_quantile: used by others)
from ..files.atomic import write_atomic, write_folder  # noqa: F401  (write_atomic: used by others)

RECORD = "run.json"
SNAPSHOTS = "customers.parquet"
STALE, BAD = "_stale", "_bad"
REQUIRED = {"key": str, "seed": int, "replication": int, "params": dict, "steps": int,
            "metrics": dict, "provenance": dict}


def frame_bytes(df: pd.DataFrame, suffix: str) -> bytes:
    """A DataFrame as Parquet or CSV bytes."""
    if suffix == ".parquet":
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return buf.getvalue()
    return df.to_csv(index=False, lineterminator="\n").encode()


def write_frame(path: Path, df: pd.DataFrame) -> None:
    """A DataFrame to Parquet or CSV (by suffix), atomically."""
    write_atomic(path, frame_bytes(df, Path(path).suffix))


def run_folder(out: Path, key: str) -> Path:
    return Path(out) / "runs" / key


def save_run(out: Path, record: dict[str, Any], files: dict[str, bytes] | None = None) -> None:
    """Store a finished run: its record and any other files, as one folder."""
    data = {RECORD: json.dumps(record, sort_keys=True).encode(), **(files or {})}
    write_folder(run_folder(out, record["key"]), data)


def problem_of(entry: Path) -> str | None:
    """Why ``entry`` (in runs/) is not a complete run, or None when it is one."""
    if not entry.is_dir() or entry.is_symlink():
        return "not a run folder"
    try:
        record = json.loads((entry / RECORD).read_text())
    except FileNotFoundError:
        return f"no {RECORD}"
    except (ValueError, OSError) as err:
        return f"{RECORD} cannot be read ({type(err).__name__})"
    if not isinstance(record, dict):
        return f"{RECORD} is not a run record"
    for field, kind in REQUIRED.items():
        if not isinstance(record.get(field), kind) or isinstance(record.get(field), bool):
            return f"{RECORD} has no valid {field!r}"
    if record["key"] != entry.name:
        return f"{RECORD} is the record of another run ({record['key']})"
    return None


def scan_runs(out: Path) -> tuple[dict[str, dict[str, Any]], list[tuple[Path, str]]]:
    """Every complete run in the folder, by key, with those in ``runs/_stale/``
    (``"stale": True``), and what else is there: (entry, why it is not a run).
    Dotfiles are not orgsim's runs and are left alone. Reads only."""
    runs = Path(out) / "runs"
    records: dict[str, dict[str, Any]] = {}
    bad: list[tuple[Path, str]] = []
    for place, stale in ((runs, False), (runs / STALE, True)):
        if not place.is_dir():
            continue
        for entry in sorted(place.iterdir()):
            if entry.name.startswith(".") or (place == runs and entry.name in (STALE, BAD)):
                continue
            problem = problem_of(entry)
            if problem is None:
                record = json.loads((entry / RECORD).read_text())
                records[entry.name] = {**record, "stale": stale}
            else:
                bad.append((entry, problem))
    return records, bad


def set_aside(out: Path, bad: list[tuple[Path, str]], say: Callable[[str], Any]) -> None:
    """Move what is not a run to runs/_bad/, with a line naming each."""
    for entry, problem in bad:
        moved = _move(entry, Path(out) / "runs" / BAD)
        say(f"{entry}: {problem}; moved to {moved}, and the run is done again if the study has it")


def _move(entry: Path, folder: Path) -> Path:
    """Move ``entry`` into ``folder`` under a name not taken there."""
    folder.mkdir(exist_ok=True)
    target, n = folder / entry.name, 1
    while target.exists():
        target, n = folder / f"{entry.name}.{n}", n + 1
    os.replace(entry, target)
    return target


def set_stale(out: Path, key: str, stale: bool) -> None:
    """Move a run to runs/_stale/ (``stale``) or back."""
    runs = Path(out) / "runs"
    src, dst = (runs / key, runs / STALE / key) if stale else (runs / STALE / key, runs / key)
    dst.parent.mkdir(exist_ok=True)
    if dst.exists():  # the same run (same key) is there already
        shutil.rmtree(src)
    else:
        os.replace(src, dst)


def record_for(run: Run, steps: int, result: dict[str, Any]) -> dict[str, Any]:
    """What is stored for a finished run (where it sits in the study is not: that
    changes when the study is edited)."""
    return {"key": run.key, "seed": run.seed, "replication": run.replication,
            "params": run.params, "steps": steps, **result}


def runs_table(pairs: list[tuple[Run, dict]], varied: tuple[str, ...], metrics: tuple[str, ...],
               stopped: bool = False) -> pd.DataFrame:
    """One row per run in run order: index, point, replication, seed, the varied
    values, the metrics, whether the stop condition ended it (``stopped``) and the
    digest of the model code that made it."""
    rows = []
    for run, r in sorted(pairs, key=lambda p: p[0].index):
        row = {"index": run.index, "point": run.point, "replication": run.replication,
               "seed": run.seed, **{name: run.params[name] for name in varied},
               **{m: r["metrics"][m] for m in metrics}}
        if stopped:
            row["stopped"] = bool(r.get("stopped", False))
        row["code"] = r["provenance"].get("code", "")
        rows.append(row)
    cols = ["index", "point", "replication", "seed", *varied, *metrics,
            *(["stopped"] if stopped else []), "code"]
    return pd.DataFrame(rows, columns=cols)


def measured_steps(last: int, measure: int | str) -> list[int]:
    """The weeks at which the weekly columns are kept: every k-th from 0 and the last
    one, or the last only (``"end"``)."""
    if measure == "end":
        return [last]
    steps = list(range(0, last + 1, int(measure)))
    return steps if steps[-1] == last else steps + [last]


def has_series(record: dict[str, Any], columns: tuple[str, ...], measure: int | str) -> bool:
    """Whether the record holds the columns at every week the study keeps."""
    if not columns:
        return True
    ts = record.get("timeseries") or {}
    if not all(c in ts for c in ("step", *columns)) or not ts["step"]:
        return False
    return set(measured_steps(int(ts["step"][-1]), measure)) <= set(ts["step"])


def timeseries_table(pairs: list[tuple[Run, dict]], columns: tuple[str, ...],
                     measure: int | str = 1) -> pd.DataFrame:
    """Long table: run index, step, and the kept weekly columns at the kept weeks."""
    parts = []
    for run, r in sorted(pairs, key=lambda p: p[0].index):
        ts = r.get("timeseries") or {}
        if not columns or not ts:
            continue
        steps = np.asarray(ts["step"])
        keep = np.isin(steps, measured_steps(int(steps[-1]), measure))
        parts.append(pd.DataFrame({"run": np.full(int(keep.sum()), run.index), "step": steps[keep],
                                   **{c: np.asarray(ts[c])[keep] for c in columns}}))
    if not parts:
        return pd.DataFrame(columns=["run", "step", *columns])
    return pd.concat(parts, ignore_index=True)


def summary_table(runs: pd.DataFrame, varied: tuple[str, ...],
                  metrics: tuple[str, ...]) -> pd.DataFrame:
    """Per point: replications, and mean, standard deviation and 95% interval of each
    metric over replications (NaN with one replication): the t-interval, for a share
    (intervals.SHARES) the logit-scale interval, within [0, 1]."""
    rows = []
    for point, g in runs.groupby("point", sort=True):
        row = {"point": point, **{v: g[v].iloc[0] for v in varied}, "n": len(g)}
        for m in metrics:
            mean, sd, low, high = estimates(g[m].to_numpy(dtype=float), m in SHARES)
            row.update({f"{m}_mean": mean, f"{m}_std": sd, f"{m}_ci_low": low, f"{m}_ci_high": high})
        rows.append(row)
    return pd.DataFrame(rows)


def weekly_summary(ts: pd.DataFrame, runs: pd.DataFrame, varied: tuple[str, ...],
                   columns: tuple[str, ...]) -> pd.DataFrame:
    """Per point and kept week: the runs that reached it, and mean and 95% interval of
    each kept weekly column over them (a share's on the logit scale, as in summary_table)."""
    out_cols = ["point", *varied, "step", "n",
                *(f"{c}_{s}" for c in columns for s in ("mean", "ci_low", "ci_high"))]
    if ts.empty or not columns:
        return pd.DataFrame(columns=out_cols)
    where = runs.set_index("index")
    ts = ts.assign(point=where["point"].reindex(ts["run"]).to_numpy())
    rows = []
    for (point, step), g in ts.groupby(["point", "step"], sort=True):
        first = where[where["point"] == point].iloc[0]
        row = {"point": point, **{v: first[v] for v in varied}, "step": step, "n": len(g)}
        for c in columns:
            mean, _, low, high = estimates(g[c].to_numpy(dtype=float), c in WEEKLY_SHARES)
            row.update({f"{c}_mean": mean, f"{c}_ci_low": low, f"{c}_ci_high": high})
        rows.append(row)
    return pd.DataFrame(rows, columns=out_cols)


def write_failures(out: Path, failures: list[dict[str, Any]]) -> pd.DataFrame:
    """failures.csv in run order, each run's traceback in failures/run-INDEX.txt (the
    folder holds only the current failures' files); returns the table."""
    folder = Path(out) / "failures"
    rows = sorted(failures, key=lambda f: f["index"])
    names = {f"run-{f['index']}.txt" for f in rows}
    if folder.is_dir():
        for old in folder.iterdir():
            if old.name not in names and old.is_file():
                old.unlink()
    table = []
    for f in rows:
        name = f"run-{f['index']}.txt"
        write_atomic(folder / name, f"{f['error']}\n\n{f['trace']}")
        table.append({**{k: v for k, v in f.items() if k != "trace"}, "traceback": f"failures/{name}"})
    return pd.DataFrame(table, columns=["index", "point", "replication", "seed", "params", "error",
                                        "traceback"])


def snapshots_table(out: Path, pairs: list[tuple[Run, dict]]) -> pd.DataFrame:
    """Every run's customer snapshots in one long table: run index first."""
    parts = []
    for run, r in sorted(pairs, key=lambda p: p[0].index):
        path = run_folder(out, r["key"]) / SNAPSHOTS
        if path.is_file():
            df = pd.read_parquet(path)
            df.insert(0, "run", run.index)
            parts.append(df)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["run", "week", "customer"])
