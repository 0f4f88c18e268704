"""Resuming a study in a folder that already holds runs, after any edit: which stored
runs it can use, which are set aside and why, and the one-line refusal when the
model's code changed (unless the change is allowed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from . import store
from .design import Plan
from .provenance import changed_files
from .spec import Experiment, ExperimentError


def read_document(path: Path) -> dict[str, Any] | None:
    """A study.json or comparison.json as a dict, or None when absent or unreadable."""
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError, RecursionError):  # RecursionError: nested too deep
        return None
    return doc if isinstance(doc, dict) else None


def has_outputs(record: dict[str, Any], exp: Experiment) -> bool:
    """Whether a stored run holds the weekly columns and snapshots the study keeps."""
    if not store.has_series(record, exp.timeseries, exp.measure):
        return False
    if exp.snapshots is None:
        return True
    snap = record.get("snapshots") or {}
    last = int(record["metrics"].get("weeks", exp.steps))
    wanted = {w for w in exp.snapshots.weeks if w <= last}
    return wanted <= set(snap.get("weeks", ())) and set(exp.snapshots.columns) <= set(snap.get("columns", ()))


def code_changed(out: Path, doc_name: str, prov: dict[str, Any], others: set[str], n: int) -> str:
    """The refusal: which of the model's files changed since the stored runs were made."""
    old = (read_document(out / doc_name) or {}).get("provenance") or {}
    files = old.get("code_files")
    if isinstance(files, dict) and old.get("code") in others:
        changed = changed_files(files, prov["code_files"])
        what = ", ".join(changed[:4]) + (f" and {len(changed) - 4} more" if len(changed) > 4 else "")
    else:
        what = f"code {', '.join(sorted(others))}, now {prov['code']}"
    return (f"--out {out}: the model's code changed since its {n} stored runs were made ({what}); "
            f"use --allow-code-change to keep them ({_marks(doc_name)} then says which code made "
            "each run), or another --out")


def _marks(doc_name: str) -> str:
    """Where a folder's tables say which code made each run."""
    return "runs.parquet's column 'code'" if doc_name == "study.json" else "each runs/KEY/run.json"


def keep(out: Path, records: dict[str, dict], belongs: Callable[[dict], bool], prov: dict[str, Any],
         allow_code_change: bool, say: Callable[[str], Any], doc_name: str,
         steps: int | None = None) -> dict[str, dict]:
    """The stored runs that ``belong``, by key. Refuses a change of the model's code
    (before touching anything); moves the other runs to runs/_stale/ and brings back
    those that belong again."""
    mine = {k: r for k, r in records.items() if belongs(r)}
    others = {r["provenance"].get("code") for r in mine.values()} - {prov["code"]}
    if others and not allow_code_change:
        raise ExperimentError(code_changed(out, doc_name, prov, others, len(mine)))
    if others:
        n = sum(r["provenance"].get("code") in others for r in mine.values())
        say(f"--allow-code-change: {n} stored runs were made by other model code "
            f"({', '.join(sorted(others))}); they are kept, and {_marks(doc_name)} says which "
            f"code made each run (now {prov['code']})")
    gone = [k for k, r in records.items() if k not in mine and not r["stale"]]
    back = [k for k, r in mine.items() if r["stale"]]
    for k in gone:
        store.set_stale(out, k, True)
    for k in back:
        store.set_stale(out, k, False)
    if gone:
        longer = [k for k in gone if steps is not None and records[k]["steps"] != steps]
        why = (f"; {len(longer)} of them ran {_steps_of(records, longer)} weeks, the study now "
               f"runs {steps}" if longer else "")
        say(f"moved {len(gone)} stored runs the study no longer has to {out / 'runs' / store.STALE}/ "
            f"(they come back if it has them again){why}")
    if back:
        say(f"brought back {len(back)} runs of the study from {out / 'runs' / store.STALE}/")
    return {k: {f: v for f, v in r.items() if f != "stale"} for k, r in mine.items()}


def reconcile(exp: Experiment, plan: Plan, out: Path, records: dict[str, dict], prov: dict[str, Any],
              allow_code_change: bool, say: Callable[[str], Any]) -> dict[str, dict]:
    """The stored runs the study can use, by key (``keep``), less those that lack
    weekly columns or snapshots it now keeps; says what is re-run and why."""
    def belongs(r: dict) -> bool:
        return any(run.replication < exp.max_replications for run in plan.find(r))

    mine = keep(out, records, belongs, prov, allow_code_change, say, "study.json", exp.steps)
    usable = {k: r for k, r in mine.items() if has_outputs(r, exp)}
    if len(usable) < len(mine):
        say(f"{len(mine) - len(usable)} stored runs lack weekly columns or snapshot weeks the study "
            "now keeps: they are run again")
    old = read_document(out / "study.json") or {}
    if usable and "metrics" in old and old["metrics"] != list(exp.metrics):
        say("the metrics changed: the tables are made from the stored runs, which hold every "
            "end-of-run figure; no run is re-run for it")
    return usable


def _steps_of(records: dict[str, dict], keys: list[str]) -> str:
    return "/".join(str(s) for s in sorted({records[k]["steps"] for k in keys}))
