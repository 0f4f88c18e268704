"""A study's results folder. Each finished run is one JSON file under ``runs/``, named
by its key and written atomically, so a study stopped at any moment keeps every run it
finished and a resumed one skips them. The tables are rebuilt from those files."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .design import Run


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file so that it is either absent or complete: a temporary file in the
    same folder, flushed to disk, then renamed over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; results are for sharing
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_frame(path: Path, df: pd.DataFrame) -> None:
    """A DataFrame to Parquet or CSV (by suffix), atomically."""
    if path.suffix == ".parquet":
        import io
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        write_atomic(path, buf.getvalue())
    else:
        write_atomic(path, df.to_csv(index=False, lineterminator="\n"))


def run_path(out: Path, key: str) -> Path:
    return Path(out) / "runs" / f"{key}.json"


def save_run(out: Path, record: dict[str, Any]) -> None:
    write_atomic(run_path(out, record["key"]), json.dumps(record, sort_keys=True))


def load_runs(out: Path) -> dict[str, dict[str, Any]]:
    """Every finished run in the folder, by key. A run file is complete or absent;
    temporary files a killed study left behind are removed."""
    folder = Path(out) / "runs"
    records = {}
    if folder.is_dir():
        for f in folder.glob(".*"):
            f.unlink(missing_ok=True)
        for f in folder.glob("*.json"):
            records[f.stem] = json.loads(f.read_text())
    return records


def record_for(run: Run, result: dict[str, Any]) -> dict[str, Any]:
    """What is stored for a finished run."""
    return {"index": run.index, "point": run.point, "replication": run.replication,
            "seed": run.seed, "key": run.key, "params": run.params, **result}


def runs_table(records: list[dict[str, Any]], varied: tuple[str, ...],
               metrics: tuple[str, ...]) -> pd.DataFrame:
    """One row per run: index, point, replication, seed, the varied parameters, metrics."""
    rows = []
    for r in sorted(records, key=lambda r: r["index"]):
        row = {k: r[k] for k in ("index", "point", "replication", "seed")}
        row.update({name: r["params"][name] for name in varied})
        row.update({m: r["metrics"][m] for m in metrics})
        rows.append(row)
    cols = ["index", "point", "replication", "seed", *varied, *metrics]
    return pd.DataFrame(rows, columns=cols)


def timeseries_table(records: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    """Long table: run index, step, and the kept weekly columns."""
    parts = []
    for r in sorted(records, key=lambda r: r["index"]):
        ts = r.get("timeseries") or {}
        if not ts:
            continue
        n = len(ts["step"])
        parts.append(pd.DataFrame({"run": np.full(n, r["index"]), "step": ts["step"],
                                   **{c: ts[c] for c in columns}}))
    if not parts:
        return pd.DataFrame(columns=["run", "step", *columns])
    return pd.concat(parts, ignore_index=True)


def t_quantile(df: int) -> float:
    """Two-sided 95% Student t quantile."""
    from scipy import stats
    return float(stats.t.ppf(0.975, df))


def summary_table(runs: pd.DataFrame, varied: tuple[str, ...],
                  metrics: tuple[str, ...]) -> pd.DataFrame:
    """Per point: replications, and mean, standard deviation and 95% interval of each
    metric (t interval over replications; NaN with one replication)."""
    rows = []
    for point, g in runs.groupby("point", sort=True):
        row = {"point": point, **{v: g[v].iloc[0] for v in varied}, "n": len(g)}
        for m in metrics:
            x = g[m].to_numpy(dtype=float)
            mean = float(x.mean())
            sd = float(x.std(ddof=1)) if len(x) > 1 else math.nan
            half = t_quantile(len(x) - 1) * sd / math.sqrt(len(x)) if len(x) > 1 else math.nan
            row.update({f"{m}_mean": mean, f"{m}_std": sd,
                        f"{m}_ci_low": mean - half, f"{m}_ci_high": mean + half})
        rows.append(row)
    return pd.DataFrame(rows)
