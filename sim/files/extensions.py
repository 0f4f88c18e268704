"""Model classes named in files: ``"package.module:Class"`` (importable) or
``"path/to/file.py:Class"`` (a file of the researcher's own, relative to the file
that names it). Loading the class registers its parameters (OrganisationModel's
``__init_subclass__``), so scenario values, ``--set`` and studies can use them.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path

from ..model import OrganisationModel, ScenarioError

DEFAULT_MODEL = ""  # the model's own OrganisationModel


def resolve_ref(ref: str, base_dir: Path | None = None) -> str:
    """The canonical form of a model reference: a file path made absolute (relative to
    ``base_dir``, the folder of the file naming it); an importable one as it is."""
    if not isinstance(ref, str) or ref.count(":") != 1:
        raise ScenarioError(f"model = {ref!r} is not allowed; allowed: \"package.module:Class\" "
                            "or \"file.py:Class\"")
    where, name = ref.split(":")
    if where.endswith(".py"):
        path = Path(where)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return f"{path.resolve()}:{name}"
    return ref


def load_model_class(ref: str, base_dir: Path | None = None) -> type:
    """The OrganisationModel subclass a reference names ("" for OrganisationModel);
    any problem is a one-line ScenarioError."""
    if not ref:
        return OrganisationModel
    ref = resolve_ref(ref, base_dir)
    where, name = ref.split(":")
    try:
        module = _import_file(Path(where)) if where.endswith(".py") else importlib.import_module(where)
    except ScenarioError:
        raise
    except Exception as err:  # the user's module failed to import: say which and why
        raise ScenarioError(f"model = {ref!r}: cannot import {where}: "
                            f"{type(err).__name__}: {err}") from None
    cls = getattr(module, name, None)
    if not (isinstance(cls, type) and issubclass(cls, OrganisationModel)):
        raise ScenarioError(f"model = {ref!r}: {name} in {where} is not a subclass of "
                            "sim.OrganisationModel")
    return cls


def _import_file(path: Path):
    """Import a Python file once per process under a name made from its path."""
    if not path.is_file():
        raise ScenarioError(f"model: {path}: no such file")
    name = "orgsim_ext_" + path.stem + "_" + hashlib.sha1(str(path).encode()).hexdigest()[:8]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def class_name(cls: type) -> str:
    """``module.Qualname`` of a model class, for provenance."""
    return f"{cls.__module__}.{cls.__qualname__}"
