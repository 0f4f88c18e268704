"""What made a run: a digest of the model's code and of its parameters, orgsim's
version, the git commit, and the versions of the libraries the model runs on.

The code digest covers every source file of ``sim/model/`` and, for a model class of
one's own, the file of its module; a change to any of them changes the digest, and
``files`` says which changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import platform
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__

MODEL_DIR = Path(__file__).resolve().parents[1] / "model"
LIBRARIES = ("numpy", "mesa", "networkx", "pandas")
DIGEST_LENGTH = 16


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]


def digest_of(obj: Any) -> str:
    """The digest of a JSON-able value (sorted keys, so dict order does not matter)."""
    return _sha(json.dumps(obj, sort_keys=True, default=str).encode())


def module_file(model_ref: str) -> Path | None:
    """The source file of a model class's module ("" and sim's own modules: None)."""
    if not model_ref:
        return None
    where = model_ref.split(":")[0]
    if where.endswith(".py"):
        path = Path(where)
    else:
        spec = importlib.util.find_spec(where)
        if spec is None or not spec.origin:
            return None
        path = Path(spec.origin)
    path = path.resolve()
    return None if path.parent == MODEL_DIR else path


def code_files(model_ref: str = "") -> tuple[tuple[str, str], ...]:
    """(name, digest) of every file the model's code is made of: ``sim/model/*.py``
    by their path in the package, then the model class's own module by its path.
    A file is read again only when its size or modification time changed."""
    paths = [(f"sim/model/{p.relative_to(MODEL_DIR).as_posix()}", p)
             for p in sorted(MODEL_DIR.rglob("*.py"))]
    own = module_file(model_ref)
    if own is not None and own.is_file():
        paths.append((str(own), own))
    return tuple((name, _file_digest(path, *_stamp(path))) for name, path in paths)


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


@lru_cache(maxsize=1024)
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    return _sha(path.read_bytes())


def code_digest(model_ref: str = "") -> str:
    """One digest for all of the model's code."""
    return digest_of(code_files(model_ref))


def changed_files(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Names of the files that differ, were added or were removed."""
    return sorted(n for n in set(old) | set(new) if old.get(n) != new.get(n))


@lru_cache(maxsize=1)
def git_commit() -> dict[str, Any]:
    """The commit of the repository orgsim runs from, and whether its files differ
    from it; empty when it is not a git checkout (an installed package)."""
    root = MODEL_DIR.parents[1]
    if not (root / ".git").exists():
        return {}
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=30, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "sim"],
                               capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"git_commit": head, "git_dirty": bool(dirty.strip())}


@lru_cache(maxsize=1)
def environment() -> dict[str, Any]:
    """orgsim's version, the git commit when there is one, Python's and the
    libraries' versions."""
    from importlib.metadata import PackageNotFoundError, version

    env: dict[str, Any] = {"orgsim": __version__, **git_commit(),
                           "python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            env[lib] = version(lib)
        except PackageNotFoundError:
            env[lib] = None
    return env


def run_provenance(model_ref: str, params: dict[str, Any], events: list[dict],
                   code: str | None = None) -> dict[str, Any]:
    """What is stored with every run: the code and parameter digests and the software,
    as the process that ran it saw them. ``code``: the code digest when the caller
    has just taken it (runs stepped together share one)."""
    return {"code": code_digest(model_ref) if code is None else code,
            "params": digest_of({"params": params, "events": events}), **environment()}


def study_provenance(model_ref: str, params: dict[str, Any], events: list[dict]) -> dict[str, Any]:
    """What study.json holds: the code digest with each file's, the base scenario's
    parameter digest and the software."""
    return {"code": code_digest(model_ref), "code_files": dict(code_files(model_ref)),
            "params": digest_of({"params": params, "events": events}), **environment()}
