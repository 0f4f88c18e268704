"""The values of a document orgsim wrote beside its results (comparison.json,
study.json), checked when read back: a file edited by hand or damaged on the way is
refused in one line (the callers turn these errors into one ExperimentError), never
read as a report of 10^28 years or a scenario of "many" customers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..model.params import PARAMS, ParameterError, coerce
from ..model.scenario import MAX_SEED, MAX_STEPS

MAX_DOCUMENT = 64 * 2**20  # bytes: far more than any study's document
MAX_REPLICATIONS = 10**9  # more than the memory check lets any comparison or study run
# what reading one may raise: JSON errors are ValueErrors, deep nesting a RecursionError
DAMAGED = (ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError)


def read_document(path: Path) -> Any:
    """The JSON document at ``path``; too large a file is a ValueError."""
    if path.stat().st_size > MAX_DOCUMENT:
        raise ValueError(f"{path.stat().st_size} bytes, more than orgsim writes")
    return json.loads(path.read_text())


def whole(value: Any, key: str, lo: int, hi: int) -> int:
    """``value`` if it is a whole number from ``lo`` to ``hi``; else a one-line error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} is not a whole number")
    if not lo <= value <= hi:
        raise ValueError(f"{key} = {value} is outside {lo} to {hi}")
    return value


def steps(value: Any) -> int:
    return whole(value, "steps", 1, MAX_STEPS)


def seed(value: Any) -> int:
    return whole(value, "seed", 0, MAX_SEED)


def replications(value: Any) -> int:
    return whole(value, "replications", 1, MAX_REPLICATIONS)


def text(value: Any, key: str, optional: bool = False) -> str | None:
    """``value`` if it is text (or None, when ``optional``); else a one-line error."""
    if (value is None and optional) or isinstance(value, str):
        return value
    raise TypeError(f"{key} is not text")


def texts(value: Any, key: str) -> tuple[str, ...]:
    """A list of texts as a tuple; else a one-line error."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{key} is not a list of texts")
    return tuple(value)


def table(value: Any, key: str, optional: bool = False) -> dict | None:
    if (value is None and optional) or isinstance(value, dict):
        return value
    raise TypeError(f"{key} is not a table")


def client(value: Any) -> dict | None:
    """A comparison's client section (None without a client file), as the report reads it."""
    if table(value, "client", optional=True) is None:
        return None
    text(value["name"], "client.name")
    text(value["source"], "client.source")
    for key in ("origin", "given"):
        table(value[key], f"client.{key}")
    if not all(isinstance(v, str) for v in value["origin"].values()):
        raise TypeError("client.origin is not a table of texts")
    scale = value.get("churn_scale", 1.0)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise TypeError("client.churn_scale is not a number")
    return value


def params(values: Any, key: str) -> dict[str, Any]:
    """A scenario's resolved parameters, as stored (the runs' identities are made from
    them): each one orgsim knows checked against its range (a model of one's own may
    store more; they are checked when that model runs)."""
    if not isinstance(values, dict):
        raise TypeError(f"{key} is not a table of parameters")
    for name, value in values.items():
        try:
            if name in PARAMS:
                coerce(name, value)
        except ParameterError as err:
            raise ValueError(f"{key}: {err}") from None
    return dict(values)
